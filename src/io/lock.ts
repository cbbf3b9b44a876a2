import { hostname } from 'node:os';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What a lock file records about its holder. */
export interface LockInfo {
  host: string;
  pid: number;
  run_id: string;
  started_at: string;
  heartbeat_at: string;
}

/**
 * Thrown when another live run holds the lock (exit 3). `holder` is null when the lock file cannot be
 * read or parsed but is younger than the stale age (a run may be writing it right now).
 */
export class LockHeldError extends Error {
  override readonly name = 'LockHeldError';
  readonly exitCode = 3;
  constructor(
    readonly path: string,
    readonly holder: LockInfo | null,
    message?: string,
  ) {
    super(
      message ??
        (holder
          ? `${path} is held by run ${holder.run_id} (host ${holder.host}, pid ${holder.pid}, heartbeat ${holder.heartbeat_at}); ` +
            'wait for it to finish, or remove the lock file if you are sure that run is gone'
          : `${path} is held`),
    );
  }
}

/** Options of {@link acquireLock}. */
export interface LockOptions {
  runId: string;
  now?: () => Date;
  /** Heartbeat interval, ms (default 30 s). */
  heartbeatMs?: number;
  /** Another host's lock whose heartbeat is older (or further in the future) than this is stale, and so is an unreadable lock file this old by mtime, ms (default 10 min). */
  staleMs?: number;
  /** Called when a stale lock is taken over (to log a warning); `previous` is null for an unreadable lock file. */
  onTakeover?: (previous: LockInfo | null, why: string) => void;
  /** Whether a pid is alive on this host (injected in tests). */
  isAlive?: (pid: number) => boolean;
  host?: string;
  pid?: number;
  /** Writes a lock file's content (tests make it fail, as on a full disk, or hold it, as on a slow one). */
  writeFile?: (path: string, data: string) => Promise<void>;
}

/** A held lock: refreshes its heartbeat until released. */
export interface HeldLock {
  path: string;
  /** Refreshes the heartbeat now (the timer calls this); does nothing once released or once the lock is no longer ours. */
  heartbeat(): Promise<void>;
  /** Stops the heartbeat, waits for one in flight, and removes the lock file if it is still ours. */
  release(): Promise<void>;
}

/** A lock file as found on disk. */
export type LockFile =
  | { kind: 'absent' }
  | { kind: 'ok'; info: LockInfo; mtimeMs: number }
  /** Empty (disk full at creation, or a run between creating and writing it), not JSON, or missing a field. */
  | { kind: 'unreadable'; why: string; mtimeMs: number };

/** How a lock is judged: stale locks are taken over, others hold. */
export interface LockVerdict {
  stale: boolean;
  /** Why, for the takeover warning and `status`. */
  why: string;
  /** Age of the heartbeat (readable lock) or of the file by its mtime (unreadable lock), ms; negative when in the future. */
  ageMs: number;
}

/** Options of {@link judgeLock}. */
export interface JudgeOptions {
  host?: string;
  staleMs?: number;
  isAlive?: (pid: number) => boolean;
}

const DEFAULT_STALE_MS = 10 * 60_000;

/**
 * Takes the lock at `path` (created exclusively). A stale lock (see {@link judgeLock}) is taken over with
 * `onTakeover` told why; a live one, or an unreadable one younger than the stale age, throws {@link LockHeldError}.
 */
export async function acquireLock(path: string, o: LockOptions): Promise<HeldLock> {
  const now = o.now ?? (() => new Date());
  const host = o.host ?? hostname();
  const pid = o.pid ?? process.pid;
  const isAlive = o.isAlive ?? pidAlive;
  const staleMs = o.staleMs ?? DEFAULT_STALE_MS;
  const write = o.writeFile ?? ((p: string, d: string) => writeFile(p, d));
  await mkdir(dirname(path), { recursive: true });
  const started = now().toISOString();
  const info = (): LockInfo => ({ host, pid, run_id: o.runId, started_at: started, heartbeat_at: now().toISOString() });
  const held = () => startHeartbeat(path, o.runId, info, o.heartbeatMs ?? 30_000, write);

  for (let attempt = 0; attempt < 3; attempt++) {
    let created = false;
    try {
      await (await open(path, 'wx')).close();
      created = true;
      await write(path, JSON.stringify(info()) + '\n');
      return held();
    } catch (e) {
      // a lock file we created but could not fill (disk full) would block every later run: remove it
      if (created) {
        await rm(path, { force: true }).catch(() => {});
        throw e;
      }
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const found = await inspectLock(path);
    if (found.kind === 'absent') continue; // released meanwhile: try again
    const verdict = judgeLock(found, now(), { host, staleMs, isAlive });
    if (!verdict.stale) {
      if (found.kind === 'ok') throw new LockHeldError(path, found.info);
      throw new LockHeldError(
        path,
        null,
        `${path} is unreadable (${found.why}) and ${ageText(verdict.ageMs)} old by its modification time: a run may be writing it, ` +
          `so it counts as held until it is ${ageText(staleMs)} old (run.staleLockMinutes), then the next run takes it over; ` +
          'remove the lock file if you are sure no run is starting',
      );
    }
    o.onTakeover?.(found.kind === 'ok' ? found.info : null, verdict.why);
    // take over by renaming our own lock file over the stale one, so two takers cannot both win silently
    const mine = `${path}.${o.runId}`;
    try {
      await write(mine, JSON.stringify(info()) + '\n');
    } catch (e) {
      await rm(mine, { force: true }).catch(() => {});
      throw e;
    }
    await rename(mine, path);
    const check = await inspectLock(path);
    if (check.kind === 'ok' && check.info.run_id === o.runId) return held();
    if (check.kind === 'ok') throw new LockHeldError(path, check.info);
  }
  throw new Error(`${path}: could not take the lock after 3 attempts`);
}

/** Reads a lock file; null when absent or unreadable. */
export async function readLock(path: string): Promise<LockInfo | null> {
  const found = await inspectLock(path);
  return found.kind === 'ok' ? found.info : null;
}

/** Reads a lock file with its modification time, telling an absent file from an unreadable one. */
export async function inspectLock(path: string): Promise<LockFile> {
  const gone = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(path)).mtimeMs;
  } catch (e) {
    if (gone(e)) return { kind: 'absent' };
    throw e;
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (gone(e)) return { kind: 'absent' };
    return { kind: 'unreadable', why: `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, mtimeMs };
  }
  if (!text.trim()) return { kind: 'unreadable', why: 'empty file', mtimeMs };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', why: 'not valid JSON', mtimeMs };
  }
  const bad = badField(v);
  if (bad) return { kind: 'unreadable', why: bad, mtimeMs };
  return { kind: 'ok', info: v as LockInfo, mtimeMs };
}

function badField(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const r = v as Record<string, unknown>;
  if (typeof r.host !== 'string' || !r.host) return "no 'host'";
  if (typeof r.pid !== 'number' || !Number.isInteger(r.pid) || r.pid <= 0) return "no valid 'pid'";
  if (typeof r.run_id !== 'string' || !r.run_id) return "no 'run_id'";
  // a heartbeat that is not a date could never go stale: the file is judged by its mtime instead
  if (typeof r.heartbeat_at !== 'string' || !Number.isFinite(Date.parse(r.heartbeat_at))) return "no valid 'heartbeat_at'";
  return null;
}

/**
 * Whether a lock found on disk is stale, and why. The rules:
 * - same host, readable: stale exactly when its pid is not running. A live pid holds the lock whatever its
 *   heartbeat age (a long stage may starve the heartbeat timer; the pid is the better witness here).
 * - another host, readable (a Kubernetes pod that may be gone): stale when the heartbeat is more than `staleMs`
 *   old — or more than `staleMs` in the future. A holder rewrites its heartbeat with its own clock every
 *   30 s, so clocks skewed by less than the stale age still read as live; a heartbeat further ahead than that
 *   cannot be told from a corrupt value, and would otherwise never go stale and block every run for good.
 * - unreadable (empty, not JSON, a field missing or not a date): judged by the file's mtime the same way, since
 *   no holder identity can be trusted. Younger than `staleMs` it holds (a run may be between creating and
 *   writing it); older it is stale.
 */
export function judgeLock(found: Exclude<LockFile, { kind: 'absent' }>, now: Date, o: JudgeOptions = {}): LockVerdict {
  const host = o.host ?? hostname();
  const staleMs = o.staleMs ?? DEFAULT_STALE_MS;
  if (found.kind === 'unreadable') {
    const ageMs = now.getTime() - found.mtimeMs;
    return { stale: Math.abs(ageMs) > staleMs, why: `unreadable lock file (${found.why}), ${describeAge(ageMs)} by its modification time`, ageMs };
  }
  const ageMs = now.getTime() - Date.parse(found.info.heartbeat_at);
  if (found.info.host === host) {
    const alive = (o.isAlive ?? pidAlive)(found.info.pid);
    return { stale: !alive, why: alive ? `pid ${found.info.pid} is running on ${host}` : `pid ${found.info.pid} is not running on ${host}`, ageMs };
  }
  return { stale: Math.abs(ageMs) > staleMs, why: `heartbeat ${describeAge(ageMs)} (host ${found.info.host})`, ageMs };
}

/** Whether a lock is stale by the same rules {@link acquireLock} uses. */
export function isLockStale(info: LockInfo, now: Date, o: JudgeOptions = {}): boolean {
  return judgeLock({ kind: 'ok', info, mtimeMs: now.getTime() }, now, o).stale;
}

function describeAge(ms: number): string {
  return ms < 0 ? `${ageText(-ms)} in the future (clock skew or a corrupt value)` : `${ageText(ms)} old`;
}

function ageText(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

function startHeartbeat(path: string, runId: string, info: () => LockInfo, everyMs: number, write: (p: string, d: string) => Promise<void>): HeldLock {
  let stopped = false;
  let inFlight: Promise<void> | null = null;
  const tmp = `${path}.${runId}.hb`;
  const ours = async () => {
    const found = await inspectLock(path);
    return found.kind === 'ok' && found.info.run_id === runId;
  };
  const beat = async () => {
    try {
      await write(tmp, JSON.stringify(info()) + '\n');
      // never rewrite a lock that is no longer ours: released meanwhile, or taken over by another run that
      // judged it stale (the check and the rename are not one step, but the window is a read long, not a beat)
      if (stopped || !(await ours())) {
        if (!stopped) stop();
        await rm(tmp, { force: true });
        return;
      }
      await rename(tmp, path);
    } catch {
      // best effort: a failed heartbeat only makes the lock look older to others
      await rm(tmp, { force: true }).catch(() => {});
    }
  };
  const heartbeat = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    inFlight ??= beat().finally(() => (inFlight = null));
    return inFlight;
  };
  const timer = setInterval(() => void heartbeat(), everyMs);
  timer.unref();
  function stop() {
    stopped = true;
    clearInterval(timer);
  }
  return {
    path,
    heartbeat,
    async release() {
      stop();
      // a heartbeat already writing would otherwise rename its file over the path after the removal
      await inFlight;
      if (await ours()) await rm(path, { force: true });
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
