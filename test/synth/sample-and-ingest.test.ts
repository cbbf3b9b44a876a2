import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/io/catalog.ts';
import { loadCountryResolver } from '../../src/io/reference.ts';
import { ingestTrade } from '../../src/ingest/ingest-trade.ts';
import { ingestDefaults } from '../../src/ingest/params.ts';
import type { Catalog } from '../../src/reference/catalog.ts';
import type { CountryResolver } from '../../src/reference/countries.ts';
import { synthWorld } from '../../src/synth/synth-world.ts';

let catalog: Catalog;
let resolver: CountryResolver;
beforeAll(async () => {
  catalog = await loadCatalog();
  resolver = await loadCountryResolver();
});

async function ingestWorld(seed: number, preset: 'easy' | 'hard') {
  const w = synthWorld({ seed, preset }, catalog);
  const file = Object.keys(w.files).find((f) => f.startsWith('trade/'))!;
  const r = await ingestTrade([{ display: file, kind: 'csv', chunks: [new TextEncoder().encode(w.files[file])] }], {
    params: ingestDefaults, resolver, hsCodes: null,
  });
  return { w, r };
}

describe('synthetic worlds through ingest', () => {
  it.each([
    ...[1, 2, 3, 4, 5, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110].map((s) => [s, 'easy'] as const),
    ...[1, 101, 110].map((s) => [s, 'hard'] as const),
  ])('seed %i (%s) ingests with zero rejects, every row read', async (seed, preset) => {
    const { w, r } = await ingestWorld(seed, preset);
    expect(r.rejects.numRows).toBe(0);
    const file = Object.keys(w.files).find((f) => f.startsWith('trade/'))!;
    expect(r.counts.rows_read).toBe(w.truth.row_counts[file]);
    expect(r.flows.numRows).toBeGreaterThan(0);
    if (w.truth.routes.some((x) => x.consignment_rows)) expect(r.consignment.numRows).toBeGreaterThan(0);
    expect(r.areas.numRows).toBeGreaterThan(0);
  });

  it('the bundled sample is the easy world of seed 7, byte for byte (regenerate with: tradewatch synth --seed 7 --out data/sample)', () => {
    const w = synthWorld({ seed: 7, preset: 'easy' }, catalog);
    for (const [name, text] of Object.entries(w.files)) expect(readFileSync(`data/sample/${name}`, 'utf8'), name).toBe(text);
  });
});
