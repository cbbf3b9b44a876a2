import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, inspectLock, LockHeldError, type LockInfo } from '../../src/io/lock.ts';
import { exitCodeOf } from '../../src/base/errors.ts';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-lock-'));
  path = join(dir, 'as_of=2025-03.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (minutes: number) => () => new Date(T0.getTime() + minutes * 60_000);
const lockText = (o: Partial<LockInfo>) =>
  JSON.stringify({ host: 'pod-7', pid: 4242, run_id: 'other', started_at: T0.toISOString(), heartbeat_at: T0.toISOString(), ...o });
/** Sets a file's modification time to T0 + `minutes`. */
const touch = (p: string, minutes: number) => utimes(p, at(minutes)(), at(minutes)());
const runIdIn = async (p: string) => JSON.parse(await readFile(p, 'utf8')).run_id;

describe('acquireLock: an unreadable lock file', () => {
  it.each([
    ['empty (disk full at creation)', ''],
    ['cut short', '{"host": "pod-7", "pid": 42'],
    ['a heartbeat that is not a date', lockText({ heartbeat_at: 'garbage' })],
  ])('%s holds (exit 3, says unreadable and how old) while younger than the stale age by mtime, and is taken over after', async (_, text) => {
    await writeFile(path, text);
    await touch(path, 0);
    const err = await acquireLock(path, { runId: 'me', now: at(4), host: 'here' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect(exitCodeOf(err)).toBe(3);
    expect((err as Error).message).toMatch(/is unreadable \(.+\) and 4 min old by its modification time/);

    const why: string[] = [];
    const l = await acquireLock(path, { runId: 'me', now: at(11), host: 'here', onTakeover: (prev, w) => why.push(`${prev?.run_id ?? 'none'}: ${w}`) });
    expect(why).toEqual([expect.stringMatching(/^none: unreadable lock file \(.+\), 11 min old by its modification time$/)]);
    expect(await runIdIn(path)).toBe('me');
    await l.release();
    expect(existsSync(path)).toBe(false);
  });

  it('removes the lock file it created when writing it fails, so the next run is not blocked', async () => {
    const full = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    await expect(acquireLock(path, { runId: 'me', now: at(0), writeFile: full })).rejects.toThrow('ENOSPC');
    expect(existsSync(path)).toBe(false);
    const l = await acquireLock(path, { runId: 'next', now: at(0) });
    expect(await runIdIn(path)).toBe('next');
    await l.release();
  });
});

describe('acquireLock: when a readable lock is stale', () => {
  it('holds a same-host lock whose pid is alive, whatever its heartbeat age; takes it over once the pid is gone', async () => {
    await writeFile(path, lockText({ host: 'here' }));
    const err = await acquireLock(path, { runId: 'me', now: at(24 * 60), host: 'here', isAlive: () => true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as LockHeldError).holder?.run_id).toBe('other');
    const why: string[] = [];
    const l = await acquireLock(path, { runId: 'me', now: at(1), host: 'here', isAlive: () => false, onTakeover: (_, w) => why.push(w) });
    expect(why).toEqual(['pid 4242 is not running on here']);
    await l.release();
  });

  it('treats another host\'s heartbeat more than the stale age in the future as stale, and one less in the future as live', async () => {
    await writeFile(path, lockText({ heartbeat_at: at(9)().toISOString() }));
    await expect(acquireLock(path, { runId: 'me', now: at(0), host: 'here' })).rejects.toThrow(LockHeldError);
    await writeFile(path, lockText({ heartbeat_at: at(60)().toISOString() }));
    const why: string[] = [];
    const l = await acquireLock(path, { runId: 'me', now: at(0), host: 'here', onTakeover: (_, w) => why.push(w) });
    expect(why).toEqual(['heartbeat 60 min in the future (clock skew or a corrupt value) (host pod-7)']);
    await l.release();
  });
});

describe('HeldLock: heartbeat and release', () => {
  it('a heartbeat in flight when the lock is released does not bring the lock file back', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let started!: () => void;
    const inFlight = new Promise<void>((r) => (started = r));
    let writes = 0;
    const slow = async (p: string, d: string) => {
      if (++writes === 2) { // the first write fills the new lock, the second is the heartbeat's
        started();
        await gate;
      }
      await writeFile(p, d);
    };
    const l = await acquireLock(path, { runId: 'me', now: at(0), writeFile: slow });
    const beat = l.heartbeat();
    await inFlight;
    const released = l.release();
    open();
    await released;
    await beat;
    expect(existsSync(path)).toBe(false);
    expect(await readdir(dir)).toEqual([]); // nor its temporary file
  });

  it('never rewrites, nor removes, a lock that another run has taken over', async () => {
    const l = await acquireLock(path, { runId: 'me', now: at(0) });
    await writeFile(path, lockText({ run_id: 'taker' })); // another run judged ours stale and took it over
    await l.heartbeat();
    expect(await runIdIn(path)).toBe('taker');
    await l.release();
    expect(await runIdIn(path)).toBe('taker');
  });

  it('refreshes the heartbeat of a lock that is still ours', async () => {
    let minutes = 0;
    const now = () => at(minutes)();
    const l = await acquireLock(path, { runId: 'me', now });
    minutes = 3;
    await l.heartbeat();
    const found = await inspectLock(path);
    expect(found.kind === 'ok' && found.info.heartbeat_at).toBe(at(3)().toISOString());
    await l.release();
  });
});
