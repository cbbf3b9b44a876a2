import { beforeAll, describe, expect, it } from 'vitest';
import { openInput, resolveInputs } from '../../src/io/inputs.ts';
import { loadCountryNameIndex, loadCountryResolver } from '../../src/io/reference.ts';
import { ingestTrade, type IngestResult } from '../../src/ingest/ingest-trade.ts';
import { ingestDefaults } from '../../src/ingest/params.ts';
import type { CountryResolver } from '../../src/reference/countries.ts';
import { REAL_DATA, realPath, rowsOf } from '../helpers.ts';

let resolver: CountryResolver;
beforeAll(async () => {
  resolver = await loadCountryResolver();
});

async function ingestFiles(paths: string[], format?: string): Promise<IngestResult> {
  const inputs = await resolveInputs(paths);
  const sources = inputs.map((f) => ({ display: f.display, kind: 'csv' as const, chunks: openInput(f) }));
  return ingestTrade(sources, { params: ingestDefaults, resolver, format, hsCodes: null });
}

function find(t: IngestResult['flows'], reporter: string, partner: string, cmd: string, flow: string) {
  return rowsOf(t).filter((r) => r.reporter === reporter && r.partner === partner && r.cmd_code === cmd && r.flow === flow);
}

describe.skipIf(!REAL_DATA)('ingest on the shared real data', () => {
  it('reads the legacy HS2 queries at level 2: 282 rows, none rejected, the UK↔USA 2012 rows shared by both files collapse', async () => {
    const r = await ingestFiles([realPath('comtrade-legacy')]);
    expect(r.counts.rows_read).toBe(282);
    expect(r.rejects.numRows).toBe(0);
    expect(r.counts.duplicate_exact).toBe(2);
    expect(r.flows.numRows + r.areas.numRows).toBe(280);
    expect(new Set(rowsOf(r.flows, ['cmd_level']).map((x) => x.cmd_level))).toEqual(new Set([2]));
    expect(Object.values(r.layouts)).toEqual(['comtrade-legacy', 'comtrade-legacy']);
    expect(find(r.flows, 'GBR', 'USA', '72', 'X').filter((x) => x.period === '2012')).toMatchObject([
      { value_usd: 627540184, hs_revision: 'HS2012', hs6: null, total_basis: 'single' },
    ]);
  });

  it('de-duplicates the atlas 2022 records and pins the totals it confirms and infers', async () => {
    const r = await ingestFiles([realPath('comtrade-atlas/raw_comtrade/comtrade_2022.csv')], 'mapped:comtrade-atlas');
    expect(r.counts).toMatchObject({
      rows_read: 166_616,
      duplicate_exact: 90_093,
      keys_total_confirmed: 4_774,
      keys_total_inferred: 1_675,
      breakdown_collapsed: 38_801,
      'out.flows': 33_128,
      'out.areas': 4_594,
      'out.rejects': 0,
    });
  });

  it('pins the atlas 2024 counts and the Thailand → USA antimony total (USD 22,722,446.50, not the 90.9 m row sum)', async () => {
    const r = await ingestFiles([realPath('comtrade-atlas/raw_comtrade/comtrade_2024.csv')], 'mapped:comtrade-atlas');
    expect(r.counts).toMatchObject({
      rows_read: 164_831,
      duplicate_exact: 90_083,
      keys_total_confirmed: 4_539,
      keys_total_inferred: 1_834,
      'out.flows': 31_103,
      'out.rejects': 0,
    });
    expect(find(r.flows, 'THA', 'USA', '811010', 'X')).toMatchObject([
      { period: '2024', value_usd: 22_722_446.5, net_weight_kg: 1_118_407, total_basis: 'confirmed', hs_revision: 'HS2022' },
    ]);
    expect(find(r.flows, 'USA', 'THA', '811010', 'M')).toMatchObject([{ value_usd: 30_178_779, net_weight_kg: 1_782_467 }]);
  });

  it('reads both atlas years without --format: the comtrade-atlas detect columns match, noted in the notes (issue 19 item 5)', async () => {
    const r = await ingestFiles([realPath('comtrade-atlas/raw_comtrade')]);
    expect(Object.entries(r.layouts).map(([f, l]) => [f.replace(/^.*\//, ''), l])).toEqual([
      ['comtrade_2022.csv', 'mapped:comtrade-atlas'],
      ['comtrade_2024.csv', 'mapped:comtrade-atlas'],
    ]);
    expect(r.notes.filter((n) => n.includes('read with mapping mapped:comtrade-atlas: its detect columns matched')).length).toBe(2);
    expect(r.counts).toMatchObject({ rows_read: 166_616 + 164_831, 'out.rejects': 0 });
    expect(find(r.flows, 'THA', 'USA', '811010', 'X').filter((x) => x.period === '2024')).toMatchObject([{ value_usd: 22_722_446.5, total_basis: 'confirmed' }]);
  });

  it('reads the BACI re-cut through its mapping: ISO3, S19 as Taiwan, the year from the file name', async () => {
    const r = await ingestFiles([realPath('comtrade-atlas/baci_recon/baci_2022.csv'), realPath('comtrade-atlas/baci_recon/baci_2024.csv')], 'mapped:atlas-baci');
    expect(r.counts).toMatchObject({ rows_read: 23_167 + 21_723, 'out.flows': 44_890, 'out.rejects': 0 });
    const deu = find(r.flows, 'DEU', 'USA', '811292', 'X');
    expect(deu.map((x) => [x.period, Math.round((x.value_usd as number) / 1e5) / 10])).toEqual([
      ['2022', 32.7],
      ['2024', 135.9],
    ]);
    expect(rowsOf(r.flows, ['reporter']).some((x) => x.reporter === 'TWN')).toBe(true);
  });
});

describe.skipIf(!REAL_DATA)('a mapped source that spans a change of HS revision', () => {
  it("reads China's monthly exports as HS2017 to 2021-12 and HS2022 from 2022-01 (the china-monthly mapping's hsRevisionFrom)", async () => {
    const inputs = await resolveInputs([realPath('china-exports-monthly/deep_dive_hs6_monthly.csv')]);
    const r = await ingestTrade(inputs.map((f) => ({ display: f.display, kind: 'csv' as const, chunks: openInput(f) })), {
      params: ingestDefaults, resolver, names: await loadCountryNameIndex(), format: 'mapped:china-monthly', hsCodes: null,
    });
    const byRevision = new Map<string, Set<string>>();
    for (const x of rowsOf(r.flows, ['period', 'hs_revision'])) {
      const years = byRevision.get(x.hs_revision as string) ?? new Set<string>();
      years.add(String(x.period).slice(0, 4));
      byRevision.set(x.hs_revision as string, years);
    }
    expect([...byRevision.keys()].sort()).toEqual(['HS2017', 'HS2022']);
    expect([...byRevision.get('HS2017')!].sort()).toEqual(['2017', '2018', '2019', '2020', '2021']);
    expect([...byRevision.get('HS2022')!].sort()).toEqual(['2022', '2023', '2024']);
  });
});
