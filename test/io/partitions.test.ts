import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/io/lock.ts';
import { cleanStagingBriefly, partitionPaths, prunePartitions } from '../../src/io/partitions.ts';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'tw-parts-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

async function completePartitions(pipeline: string, asOfs: string[]) {
  for (const a of asOfs) {
    await mkdir(join(out, pipeline, `as_of=${a}`), { recursive: true });
    await writeFile(join(out, pipeline, `as_of=${a}`, '_SUCCESS'), '');
  }
}

describe('prunePartitions', () => {
  it("keeps the newest N and the run's own partition when it is older (a backfill)", async () => {
    await completePartitions('coverage', ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05']);
    const removed = await prunePartitions(out, 'coverage', 2, '2025-02');
    expect(removed.map((p) => p.slice(out.length))).toEqual([join('/coverage', 'as_of=2025-03'), join('/coverage', 'as_of=2025-01')]);
    expect((await readdir(join(out, 'coverage'))).sort()).toEqual(['as_of=2025-02', 'as_of=2025-04', 'as_of=2025-05']);
  });

  it('keeps exactly the newest N when the run is the latest', async () => {
    await completePartitions('coverage', ['2025-01', '2025-02', '2025-03']);
    await prunePartitions(out, 'coverage', 1, '2025-03');
    expect(await readdir(join(out, 'coverage'))).toEqual(['as_of=2025-03']);
  });
});

describe('cleanStagingBriefly (a skipped run)', () => {
  const opts = { now: () => new Date('2026-01-01T00:00:00Z'), staleMs: 600_000 };

  it('removes staging folders of earlier runs of the partition under the lock, then releases it', async () => {
    const paths = partitionPaths(out, 'coverage', '2025-03', 'skipper');
    const crashed = join(out, '.staging', 'coverage', 'as_of=2025-03.crashed');
    const other = join(out, '.staging', 'coverage', 'as_of=2025-04.crashed'); // another partition: its own run cleans it
    await mkdir(crashed, { recursive: true });
    await mkdir(other, { recursive: true });
    const r = await cleanStagingBriefly(paths, 'coverage', out, { runId: 'skipper', ...opts });
    expect(r).toEqual({ done: [`removed staging folder ${crashed}`], left: [] });
    expect(existsSync(crashed)).toBe(false);
    expect(existsSync(other)).toBe(true);
    expect(existsSync(paths.lock)).toBe(false);
  });

  it('leaves them, and says who holds the lock, while a live run holds it', async () => {
    const paths = partitionPaths(out, 'coverage', '2025-03', 'skipper');
    const working = join(out, '.staging', 'coverage', 'as_of=2025-03.worker');
    await mkdir(working, { recursive: true });
    const held = await acquireLock(paths.lock, { runId: 'worker', ...opts });
    const r = await cleanStagingBriefly(paths, 'coverage', out, { runId: 'skipper', ...opts });
    expect(r).toMatchObject({ done: [], left: [working], heldBy: expect.stringMatching(/held by run worker/) });
    expect(existsSync(working)).toBe(true);
    await held.release();
  });

  it('takes no lock when there is nothing to clean', async () => {
    const paths = partitionPaths(out, 'coverage', '2025-03', 'skipper');
    expect(await cleanStagingBriefly(paths, 'coverage', out, { runId: 'skipper', ...opts })).toEqual({ done: [], left: [] });
    expect(existsSync(join(out, '.locks'))).toBe(false);
  });
});
