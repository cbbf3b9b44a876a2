import { beforeAll, describe, expect, it } from 'vitest';
import { loadCountryResolver } from '../../src/io/reference.ts';
import { ingestTrade, policyDropCheck, type TradeSource } from '../../src/ingest/ingest-trade.ts';
import { ingestDefaults } from '../../src/ingest/params.ts';
import type { CountryResolver } from '../../src/reference/countries.ts';
import { PLUS_HEADER, plus } from './plus-rows.ts';
import { chunksOf, rowsOf } from '../helpers.ts';

let resolver: CountryResolver;
beforeAll(async () => {
  resolver = await loadCountryResolver();
});

function csv(display: string, text: string): TradeSource {
  return { display, kind: 'csv', chunks: chunksOf(text, 64 * 1024) };
}

async function run(sources: TradeSource[]) {
  return ingestTrade(sources, { params: ingestDefaults, resolver, hsCodes: null });
}

describe('ingest: overlapping releases (#18 item 2)', () => {
  const january = [PLUS_HEADER, plus({}), plus({ partnerCode: 156, primaryValue: 9000, cifvalue: 9000 })];
  const february = plus({ period: '202402', primaryValue: 7000, cifvalue: 7000 });
  // the later release revises USA ← THA in January (5,000 → 5,600) and repeats USA ← CHN unchanged
  const revised = [PLUS_HEADER, plus({ primaryValue: 5600, cifvalue: 5600 }), plus({ partnerCode: 156, primaryValue: 9000, cifvalue: 9000 })];

  it('keeps the later input in path order for a key both hold, and counts the rows it superseded', async () => {
    const r = await run([csv('2025-01/release.csv', [...january, february].join('\n')), csv('2025-02/release.csv', revised.join('\n'))]);
    const rows = rowsOf(r.flows, ['period', 'partner', 'value_usd', 'source_file']);
    expect(rows.map((x) => [x.period, x.partner, x.value_usd]).sort()).toEqual([
      ['2024-01', 'CHN', 9000], ['2024-01', 'THA', 5600], ['2024-02', 'THA', 7000],
    ]);
    // the revised key is the later file's; the unchanged one collapsed as an exact duplicate first
    expect(rows.find((x) => x.partner === 'THA' && x.period === '2024-01')!.source_file).toBe('2025-02/release.csv');
    expect(r.counts).toMatchObject({ superseded_by_later_input: 1, duplicate_exact: 1, rejected_policy: 0 });
    expect(r.counts['rejected.conflicting_totals']).toBeUndefined();
  });

  it('still rejects two totals of one key inside one input, as a policy drop that the check names', async () => {
    const r = await run([csv('one.csv', [...january, plus({ primaryValue: 5600, cifvalue: 5600 })].join('\n'))]);
    expect(r.counts).toMatchObject({ 'rejected.conflicting_totals': 2, rejected_policy: 2, rows_examined: 3 });
    expect(policyDropCheck(r.counts, { maxPolicyDropRate: 0.01 })).toEqual({
      passed: false,
      message: '2 of 3 rows dropped by policy (66.67% > ingest.maxPolicyDropRate 1.00%): conflicting_totals 2 (see rejects.parquet)',
    });
    expect(policyDropCheck(r.counts, { maxPolicyDropRate: 0.9 }).passed).toBe(true);
  });
});
