import { hostname } from 'node:os';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What a lock file records about its holder. */
export interface LockInfo {
  host: string;
  pid: number;
  run_id: string;
  started_at: string;
  heartbeat_at: string;
}

/** Thrown when another live run holds the lock (exit 3). */
export class LockHeldError extends Error {
  override readonly name = 'LockHeldError';
  readonly exitCode = 3;
  constructor(
    readonly path: string,
    readonly holder: LockInfo,
  ) {
    super(
      `${path} is held by run ${holder.run_id} (host ${holder.host}, pid ${holder.pid}, heartbeat ${holder.heartbeat_at}); ` +
        'wait for it to finish, or remove the lock file if you are sure that run is gone',
    );
  }
}

/** Options of {@link acquireLock}. */
export interface LockOptions {
  runId: string;
  now?: () => Date;
  /** Heartbeat interval, ms (default 30 s). */
  heartbeatMs?: number;
  /** A lock whose heartbeat is older than this is stale, ms (default 10 min). */
  staleMs?: number;
  /** Called when a stale lock is taken over (to log a warning). */
  onTakeover?: (previous: LockInfo, why: string) => void;
  /** Whether a pid is alive on this host (injected in tests). */
  isAlive?: (pid: number) => boolean;
  host?: string;
  pid?: number;
}

/** A held lock: refreshes its heartbeat until released. */
export interface HeldLock {
  path: string;
  release(): Promise<void>;
}

/**
 * Takes the lock at `path` (created exclusively). A lock left by a dead process on this host, or
 * whose heartbeat is older than `staleMs` (another host: a Kubernetes pod that is gone), is stale and
 * taken over; a live one throws {@link LockHeldError}.
 */
export async function acquireLock(path: string, o: LockOptions): Promise<HeldLock> {
  const now = o.now ?? (() => new Date());
  const host = o.host ?? hostname();
  const pid = o.pid ?? process.pid;
  const isAlive = o.isAlive ?? pidAlive;
  const staleMs = o.staleMs ?? 10 * 60_000;
  await mkdir(dirname(path), { recursive: true });
  const started = now().toISOString();
  const info = (): LockInfo => ({ host, pid, run_id: o.runId, started_at: started, heartbeat_at: now().toISOString() });

  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(JSON.stringify(info()) + '\n');
      await fh.close();
      return startHeartbeat(path, info, o.heartbeatMs ?? 30_000);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await readLock(path);
    if (!holder) continue; // vanished or half-written: try again
    const age = now().getTime() - Date.parse(holder.heartbeat_at);
    const deadHere = holder.host === host && !isAlive(holder.pid);
    if (!deadHere && !(age > staleMs)) throw new LockHeldError(path, holder);
    o.onTakeover?.(holder, deadHere ? `pid ${holder.pid} is not running on ${host}` : `heartbeat ${Math.round(age / 1000)} s old`);
    // take over by renaming our own lock file over the stale one, so two takers cannot both win silently
    const mine = `${path}.${o.runId}`;
    await writeFile(mine, JSON.stringify(info()) + '\n');
    await rename(mine, path);
    const check = await readLock(path);
    if (check?.run_id === o.runId) return startHeartbeat(path, info, o.heartbeatMs ?? 30_000);
    if (check) throw new LockHeldError(path, check);
  }
  throw new Error(`${path}: could not take the lock after 3 attempts`);
}

/** Reads a lock file; null when absent or unreadable. */
export async function readLock(path: string): Promise<LockInfo | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/** Whether a lock is stale by the same rules {@link acquireLock} uses. */
export function isLockStale(info: LockInfo, now: Date, o: { host?: string; staleMs?: number; isAlive?: (pid: number) => boolean } = {}): boolean {
  const host = o.host ?? hostname();
  const age = now.getTime() - Date.parse(info.heartbeat_at);
  return (info.host === host && !(o.isAlive ?? pidAlive)(info.pid)) || age > (o.staleMs ?? 10 * 60_000);
}

function startHeartbeat(path: string, info: () => LockInfo, everyMs: number): HeldLock {
  const beat = setInterval(() => {
    // best effort: a failed heartbeat only makes the lock look older to others
    const tmp = `${path}.hb`;
    writeFile(tmp, JSON.stringify(info()) + '\n')
      .then(() => rename(tmp, path))
      .catch(() => {});
  }, everyMs);
  beat.unref();
  return {
    path,
    async release() {
      clearInterval(beat);
      await rm(path, { force: true });
    },
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
