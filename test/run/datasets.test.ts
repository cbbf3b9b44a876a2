import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDOFFS, HANDOFF_KEYS } from '../../src/datasets.ts';
import { definePipeline } from '../../src/pipeline.ts';
import { runCommand } from '../../src/commands/run-command.ts';
import { dependencyLevels, loadPipelines, producersOf } from '../../src/run/registry.ts';
import { runPipeline } from '../../src/run/runner.ts';
import { dictionaryVector, int32Vector } from '../../src/table/columns.ts';
import { readCodes } from '../../src/table/read.ts';
import { readParquet } from '../../src/io/parquet.ts';

/**
 * The worked example of docs/architecture.md: a pipeline that reads another's output is one definition — it
 * declares the dataset, and the executor orders it, finds the file, hashes it and hands it over.
 */
const hubCounts = definePipeline({
  name: 'route-hubs',
  description: 'Flagged routes per hub.',
  inputs: { trade: 'required', routes: 'optional' },
  params: () => ({}),
  stages: [{ name: 'count_hubs', produces: ['hub_counts'] }],
  outputs: ['hub_counts'],
  run({ routes }, _p, stage) {
    const hub_counts = stage('count_hubs', () => {
      const n = new Map<string, number>();
      if (routes) {
        const h = readCodes(routes, 'hub', 'route-hubs');
        for (let i = 0; i < routes.numRows; i++) n.set(h.values[h.codes[i]], (n.get(h.values[h.codes[i]]) ?? 0) + 1);
      }
      const hubs = [...n.keys()].sort();
      return new Table({ hub: dictionaryVector(Int32Array.from(hubs, (_, i) => i), hubs), routes: int32Vector(Int32Array.from(hubs, (x) => n.get(x)!)) });
    });
    return { hub_counts };
  },
});

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'tw-datasets-'));
  await runCommand('all', { trade: ['data/sample/trade'], out }, { log: () => {}, now: () => new Date('2026-01-01T00:00:00Z'), runId: () => 'ds' });
}, 120_000);
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('datasets handed from one pipeline to another (src/datasets.ts)', () => {
  it('orders a reader after the writers of what it reads, with no list of names in the executor', async () => {
    expect(producersOf(hubCounts)).toEqual(['transshipment']);
    const all = await loadPipelines();
    all.set(hubCounts.name, hubCounts);
    const order = dependencyLevels(all).map((l) => l.map((d) => d.name).sort());
    const level = (name: string) => order.findIndex((l) => l.includes(name));
    expect(level('route-hubs')).toBeGreaterThan(level('transshipment'));
    expect(level('transshipment')).toBeGreaterThan(level('mirror-gaps'));
  });

  it('finds the dataset under an output root, hashes it as an input and hands the table over', async () => {
    const r = await runPipeline(hubCounts, { trade: ['data/sample/trade'], routes: out, out }, { log: () => {}, now: () => new Date('2026-01-01T00:00:00Z'), runId: () => 'hubs' });
    expect(r.status).toBe('succeeded');
    expect(r.manifest.inputs.map((i) => i.kind)).toEqual(['trade', 'routes']);
    const flagged = await readParquet(join(out, 'transshipment', r.partition, 'flagged_routes.parquet'));
    const counts = await readParquet(join(r.path, 'hub_counts.parquet'));
    expect(flagged.numRows).toBeGreaterThan(0);
    expect([...counts.getChild('routes')!.toArray()].reduce((a: number, b: number) => a + b, 0)).toBe(flagged.numRows);
  });

  it('declares every dataset with a producer that exists and an output it writes', async () => {
    const all = await loadPipelines();
    expect(HANDOFF_KEYS.length).toBeGreaterThan(0);
    expect(HANDOFF_KEYS.filter((k) => !all.get(HANDOFFS[k].producer)?.outputs.includes(HANDOFFS[k].output))).toEqual([]);
  });
});
