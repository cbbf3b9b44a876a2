import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderBenchResults, type BenchResults } from '../../bench/render.ts';
import { generatedBlock } from '../../src/report/render-evaluation.ts';

describe('docs/performance.md', () => {
  it('shows bench/results/latest.json as npm run bench wrote it, every stage with its target', () => {
    const res = JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as BenchResults;
    expect(res.quick).toBe(false);
    expect(generatedBlock(readFileSync('docs/performance.md', 'utf8'), 'bench', 'npm run bench')).toBe(renderBenchResults(res));
    const ids = res.stages.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['ingest_catalog', 'mirror_join', 'ingest_bulk_cmd', 'run_all_cmd', 'run_all_sparse_cmd']));
  });
});
