import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import coverage from '../../pipelines/coverage.ts';
import { exitCodeOf, UsageError } from '../../src/base/errors.ts';
import { memoryLog } from '../../src/base/log.ts';
import { runPipeline } from '../../src/run/runner.ts';

const SAMPLE = 'test/fixtures/comtrade_plus_small.csv';
let n = 0;
const fixed = () => ({ now: () => new Date('2026-01-01T00:00:00Z'), runId: () => `ret-${++n}` });

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tw-retention-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('--keep retention', () => {
  it("never removes the partition a backfill just published: keeps the newest N and the run's own", async () => {
    const out = join(root, 'backfill');
    await runPipeline(coverage, { trade: [SAMPLE], out, asOf: '2024-02' }, fixed());
    for (const asOf of ['2024-03', '2024-04']) { // newer partitions, from runs over later data
      await mkdir(join(out, 'coverage', `as_of=${asOf}`), { recursive: true });
      await writeFile(join(out, 'coverage', `as_of=${asOf}`, '_SUCCESS'), '');
    }
    const log = memoryLog();
    const r = await runPipeline(coverage, { trade: [SAMPLE], out, asOf: '2024-01', keep: 2 }, { ...fixed(), log });
    expect(r.status).toBe('succeeded');
    expect(readdirSync(join(out, 'coverage')).sort()).toEqual(['as_of=2024-01', 'as_of=2024-03', 'as_of=2024-04']);
    expect(log.events.filter((e) => e.event === 'partition.removed').map((e) => e.fields.path)).toEqual([join(out, 'coverage', 'as_of=2024-02')]);
  });

  it('refuses --keep 0 as a usage error (exit 2) saying what --keep means, before writing anything', async () => {
    const out = join(root, 'keep0');
    const err = await runPipeline(coverage, { trade: [SAMPLE], out, keep: 0 }, fixed()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(exitCodeOf(err)).toBe(2);
    expect((err as Error).message).toMatch(/^--keep 0: --keep N keeps the newest N complete partitions .* N must be 1 or more; to keep every partition leave --keep out/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('a skipped run and leftover staging folders', () => {
  it('removes the staging folders crashed runs left for the partition (taking over their stale lock), and logs it', async () => {
    const out = join(root, 'skip-clean');
    await runPipeline(coverage, { trade: [SAMPLE], out }, fixed());
    const crashed = join(out, '.staging', 'coverage', 'as_of=2024-02.crashed-run');
    await mkdir(crashed, { recursive: true });
    await writeFile(join(crashed, 'coverage.parquet.partial'), 'x');
    const lockPath = join(out, '.locks', 'coverage', 'as_of=2024-02.lock');
    await mkdir(join(out, '.locks', 'coverage'), { recursive: true });
    await writeFile(lockPath, JSON.stringify({ host: hostname(), pid: 999999, run_id: 'crashed-run', started_at: '2026-01-01T00:00:00Z', heartbeat_at: '2026-01-01T00:00:00Z' }));

    const log = memoryLog();
    const r = await runPipeline(coverage, { trade: [SAMPLE], out }, { ...fixed(), log, isAlive: () => false });
    expect(r.status).toBe('skipped');
    expect(existsSync(crashed)).toBe(false);
    expect(existsSync(lockPath)).toBe(false);
    expect(log.events.filter((e) => e.event === 'staging.cleaned').map((e) => e.fields.what)).toEqual([`removed staging folder ${crashed}`]);
    expect(log.events.find((e) => e.event === 'lock.takeover')?.fields).toMatchObject({ previous_run: 'crashed-run', level: 'warn' });
  });

  it('leaves them and warns when a live run holds the lock; the skip stands', async () => {
    const out = join(root, 'skip-held');
    await runPipeline(coverage, { trade: [SAMPLE], out }, fixed());
    const working = join(out, '.staging', 'coverage', 'as_of=2024-02.worker');
    await mkdir(working, { recursive: true });
    const lockPath = join(out, '.locks', 'coverage', 'as_of=2024-02.lock');
    await mkdir(join(out, '.locks', 'coverage'), { recursive: true });
    await writeFile(lockPath, JSON.stringify({ host: hostname(), pid: 4242, run_id: 'worker', started_at: '2026-01-01T00:00:00Z', heartbeat_at: '2026-01-01T00:00:00Z' }));

    const log = memoryLog();
    const r = await runPipeline(coverage, { trade: [SAMPLE], out }, { ...fixed(), log, isAlive: () => true });
    expect(r.status).toBe('skipped');
    expect(existsSync(working)).toBe(true);
    expect(existsSync(lockPath)).toBe(true);
    expect(log.events.find((e) => e.event === 'staging.left')?.fields).toMatchObject({ level: 'warn', paths: [working], why: expect.stringMatching(/held by run worker/) });
  });
});
