import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/io/atomic.ts';
import { runCommand } from '../../src/commands/run-command.ts';
import type { RunResult } from '../../src/run/runner.ts';
import { goldenManifest, goldenTables, type GoldenRun } from './golden.ts';

/**
 * Golden runs: `run all` on the bundled sample with a fixed clock and run id; every output table (a hash of each
 * column) and the manifest (less timings) against the committed copy in test/golden/<pipeline>/expected.json.
 * An intended change rewrites them with `npm run golden:update`, and the diff shows in review.
 */
const UPDATE = process.env.TRADEWATCH_UPDATE_GOLDEN === '1';
const here = import.meta.dirname;
let out: string;
let runs: RunResult[];

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'tw-golden-'));
  runs = await runCommand('all', { trade: ['data/sample/trade'], declarations: ['data/sample/declarations'], out }, {
    log: () => {}, now: () => new Date('2026-01-02T03:04:05Z'), runId: () => 'golden',
  });
}, 120_000);

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('golden runs of the bundled sample', () => {
  it('runs every pipeline', () => {
    expect(runs.map((r) => [r.pipeline, r.status])).toEqual([
      ['coverage', 'succeeded'], ['mirror-gaps', 'succeeded'], ['transshipment', 'succeeded'], ['declarations', 'succeeded'],
    ]);
  });

  it.each(['coverage', 'mirror-gaps', 'transshipment', 'declarations'])('%s: every output table and the manifest as committed (npm run golden:update after an intended change)', async (pipeline) => {
    const r = runs.find((x) => x.pipeline === pipeline)!;
    const got: GoldenRun = { manifest: goldenManifest(r.manifest), tables: await goldenTables(r.path) };
    const path = join(here, pipeline, 'expected.json');
    if (UPDATE) await writeFileAtomic(path, `${JSON.stringify(got, null, 1)}\n`);
    const expected = JSON.parse(await readFile(path, 'utf8')) as GoldenRun;
    expect(Object.keys(got.tables).length).toBeGreaterThan(0);
    expect(got).toEqual(expected);
  });
});
