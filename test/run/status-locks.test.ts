import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatStatus, readStatus } from '../../src/commands/status.ts';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'tw-status-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

const NOW = new Date('2026-01-01T01:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

async function lockFile(pipeline: string, asOf: string, text: string, mtime: Date): Promise<string> {
  const dir = join(out, '.locks', pipeline);
  await mkdir(dir, { recursive: true });
  const path = join(dir, `as_of=${asOf}.lock`);
  await writeFile(path, text);
  await utimes(path, mtime, mtime);
  return path;
}

const info = (run: string, heartbeat: Date) =>
  JSON.stringify({ host: 'pod-7', pid: 7, run_id: run, started_at: heartbeat.toISOString(), heartbeat_at: heartbeat.toISOString() });

describe('status: locks', () => {
  it('lists every lock file with its state: live, stale, or unreadable (held while young by mtime, stale when old)', async () => {
    const live = await lockFile('coverage', '2025-01', info('fresh', minutesAgo(1)), minutesAgo(1));
    const stale = await lockFile('coverage', '2025-02', info('gone', minutesAgo(30)), minutesAgo(30));
    const young = await lockFile('mirror-gaps', '2025-01', '', minutesAgo(3));
    const old = await lockFile('mirror-gaps', '2025-02', '{"host":', minutesAgo(45));
    const r = await readStatus(out, NOW, { host: 'here' });
    const byPath = new Map(r.locks.map((l) => [l.path, l]));
    expect(r.locks).toHaveLength(4);
    expect(byPath.get(live)).toMatchObject({ state: 'live', stale: false, run_id: 'fresh', host: 'pod-7', pid: 7, age: '60s' });
    expect(byPath.get(stale)).toMatchObject({ state: 'stale', stale: true, run_id: 'gone', age: '30m' });
    expect(byPath.get(young)).toMatchObject({ state: 'unreadable', stale: false, run_id: null, host: null, pid: null, age: '3m', why: 'unreadable lock file (empty file), 3 min old by its modification time' });
    expect(byPath.get(old)).toMatchObject({ state: 'unreadable', stale: true, run_id: null, why: 'unreadable lock file (not valid JSON), 45 min old by its modification time' });

    const text = formatStatus(r);
    expect(text).toContain(`lock ${young}: UNREADABLE lock file (empty file), 3 min old by its modification time: counts as held until older than the stale age`);
    expect(text).toContain(`lock ${old}: UNREADABLE lock file (not valid JSON), 45 min old by its modification time: stale, the next run takes it over`);
    expect(text).toContain(`lock ${live}: run fresh on pod-7 pid 7, heartbeat 60s ago (live)`);
    expect(text).toContain(`lock ${stale}: run gone on pod-7 pid 7, heartbeat 30m ago (STALE: heartbeat 30 min old (host pod-7); the next run takes it over)`);
  });
});
