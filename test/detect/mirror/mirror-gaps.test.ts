import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { mirrorGapDefaults, scoreMirrorGaps, type MirrorGapParams } from '../../../src/detect/mirror/mirror-gaps.ts';
import { matchMirrorFlows, mirrorMatchDefaults } from '../../../src/detect/mirror/mirror-pairs.ts';
import type { IngestResult } from '../../../src/ingest/ingest-trade.ts';
import { rowsOf } from '../../helpers.ts';
import { flowsOf } from './mirror-fixtures.ts';


const pairsOf = (r: IngestResult, windows = mirrorMatchDefaults.windows) => matchMirrorFlows(r.flows, r.areas, { ...mirrorMatchDefaults, windows }).pairs;
const FOB = new Set(['ZAF', 'BWA', 'LSO', 'NAM', 'SWZ', 'DZA', 'GEO']);
const ENTREPOTS = new Set(['HKG', 'SGP', 'NLD', 'BEL', 'ARE', 'CHE']);
const score = (pairs: Table, p: Partial<MirrorGapParams> = {}, o: { reviewBudget?: number } = {}) =>
  scoreMirrorGaps(pairs, { ...mirrorGapDefaults, ...p }, { fobImporters: FOB, entrepots: ENTREPOTS, ...o });
const list = (v: unknown) => [...(v as { toArray(): unknown[] }).toArray()];
const years = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

/** Annual records of several pairs over the years given, value per year, weight per year. */
function annual(rows: [exporter: number, importer: number, x: number, m: number, xkg?: number, mkg?: number][], ys = years(2019, 2024), cmd = '811010'): string[] {
  return ys.flatMap((y) => rows.flatMap(([e, i, x, m, xkg = 100, mkg = 100]) => [`${y},${e},${i},${cmd},X,${x},${xkg}`, `${y},${i},${e},${cmd},M,${m},${mkg}`]));
}

describe('scoreMirrorGaps: one flag per pair, ranked by what is at stake', () => {
  it('flags a pair once, with its flagged years nested, and a flag id of the pair alone (a new year does not make it new)', async () => {
    // CHN → USA: the US books 3× (after 1.06) every year; CHN → JPN agrees
    const rows: Parameters<typeof annual>[0] = [[156, 842, 1_000_000, 3_180_000], [156, 392, 1_000_000, 1_060_000]];
    const s = score(pairsOf(await flowsOf(annual(rows, years(2022, 2024)))));
    expect(rowsOf(s.gaps, ['exporter', 'importer', 'hs6', 'windows_flagged', 'first_flagged_period', 'last_flagged_period', 'rank'])).toEqual([
      { exporter: 'CHN', importer: 'USA', hs6: '811010', windows_flagged: 3, first_flagged_period: '2022', last_flagged_period: '2024', rank: 1 },
    ]);
    const windows = list(s.gaps.getChild('windows')!.get(0)).map((w) => (w as { toJSON(): Record<string, unknown> }).toJSON());
    expect(windows.map((w) => [w.window, w.period_end, w.status, w.gap_usd])).toEqual([
      ['Y', '2022', 'matched', 2_000_000], ['Y', '2023', 'matched', 2_000_000], ['Y', '2024', 'matched', 2_000_000],
    ]);
    const later = score(pairsOf(await flowsOf(annual(rows, years(2022, 2025)))));
    expect(later.gaps.getChild('flag_id')!.get(0)).toBe(s.gaps.getChild('flag_id')!.get(0));
    // every window of the flagged pair carries its id in mirror_pairs; the agreeing pair's none
    const ids = rowsOf(s.pairs, ['importer', 'flag_id']);
    expect(new Set(ids.filter((r) => r.importer === 'USA').map((r) => r.flag_id))).toEqual(new Set([s.gaps.getChild('flag_id')!.get(0)]));
    expect(ids.filter((r) => r.importer === 'JPN').map((r) => r.flag_id)).toEqual([null, null, null]);
  });

  it('puts a matched gap and a one-sided flow on one scale: USD a year beyond what CIF/FOB explains, times how far the reporters are believed', async () => {
    // a 2 m gap a year (CHN → USA, both reliable) against a 2 m ghost (KOR books imports from JPN; Japan publishes, has none)
    const lines = [
      ...annual([[156, 842, 1_000_000, 3_180_000]], [2024]),
      '2024,410,392,811010,M,2120000,100', '2024,392,704,811010,X,5000,1', // Japan published (another record)
    ];
    const s = score(pairsOf(await flowsOf(lines)), { minZ: 0 });
    const g = rowsOf(s.gaps, ['exporter', 'importer', 'value_at_stake_usd', 'score', 'reasons']).map((r): Record<string, unknown> => ({ ...r, reasons: list(r.reasons) }));
    expect(g.find((r) => r.importer === 'USA')).toMatchObject({ value_at_stake_usd: 2_000_000, reasons: ['importer_exceeds', 'unit_value_mismatch'] });
    expect(g.find((r) => r.importer === 'KOR')).toMatchObject({ value_at_stake_usd: 2_000_000, reasons: ['ghost', 'ghost_imports'] });
    // each score is its USD at stake times a believability in (0, 1)
    expect(g.map((r) => (r.score as number) / (r.value_at_stake_usd as number)).every((b) => b > 0 && b < 1)).toBe(true);
  });

  it('judges a short pair by comparable flows, a long one by its own history, and says which', async () => {
    // THA → USA: two years only; CHN → USA: eight years, its ratio steady at 1 but for the last (3×)
    const lines = [
      ...annual([[764, 842, 1_000_000, 1_060_000]], [2023, 2024]),
      ...annual([[156, 842, 1_000_000, 1_060_000]], years(2017, 2023)),
      ...annual([[156, 842, 1_000_000, 3_180_000]], [2024]),
      ...annual([[156, 392, 1_000_000, 1_100_000], [764, 392, 1_000_000, 1_000_000]], years(2017, 2024)),
    ];
    const s = score(pairsOf(await flowsOf(lines)));
    const src = (e: string, i: string, y: string) => rowsOf(s.pairs, ['exporter', 'importer', 'period_end', 'noise_source']).find((r) => r.exporter === e && r.importer === i && r.period_end === y)?.noise_source;
    expect(src('THA', 'USA', '2024')).toBe('reporters'); // two years: comparable flows, its reporters over every product
    expect(src('CHN', 'USA', '2024')).toBe('pair_history');
    expect(rowsOf(s.gaps, ['exporter', 'importer', 'last_flagged_period'])).toEqual([{ exporter: 'CHN', importer: 'USA', last_flagged_period: '2024' }]);
  });

  it('flags a weight gap on its own: the same value at a third of the kilograms (estimated weights aside)', async () => {
    const lines = annual([[156, 842, 1_000_000, 1_060_000, 300_000, 100_000], [156, 392, 1_000_000, 1_060_000, 100, 100]], [2023, 2024]);
    const s = score(pairsOf(await flowsOf(lines)));
    const g = rowsOf(s.gaps, ['importer', 'reasons', 'value_at_stake_usd']);
    expect(g.map((r) => [r.importer, list(r.reasons)])).toEqual([['USA', ['weight_gap', 'unit_value_mismatch']]]);
    // the goods the weights leave unaccounted for: 1 m × (1 − 1/3) a year
    expect(g[0].value_at_stake_usd as number).toBeCloseTo((2 / 3) * 1_000_000, 0);
  });

  it('shows a large gap at an entrepôt with reason entrepot, not discounted by the entrepôt\'s reliability', async () => {
    // China records 5 m to Hong Kong, HK books 1 m (goods in transit); HK's books are off with every exporter, the others agree
    const hkBooks: Record<number, number> = { 156: 1_060_000, 392: 4_240_000, 410: 318_000, 842: 3_180_000, 276: 424_000 };
    const rows: Parameters<typeof annual>[0] = [];
    for (const e of [156, 392, 410, 842, 276]) {
      rows.push([e, 344, e === 156 ? 5_000_000 : 1_000_000, hkBooks[e]]);
      for (const i of [251, 826, 124, 36, 76, 484, 360, 458]) rows.push([e, i, 1_000_000, 1_060_000]);
    }
    const lines = annual(rows, [2023, 2024]);
    const s = score(pairsOf(await flowsOf(lines)));
    const hk = rowsOf(s.gaps, ['exporter', 'importer', 'reasons', 'score', 'value_at_stake_usd', 'exporter_reliability', 'importer_reliability']).find((r) => r.exporter === 'CHN' && r.importer === 'HKG')!;
    expect(list(hk.reasons)).toEqual(['exporter_exceeds', 'unit_value_mismatch', 'entrepot']);
    expect(hk.importer_reliability as number).toBeLessThan(0.5);
    // believed as if both sides were China: ln(5)² / (ln(5)² + 2 σ_CHN²)
    const sigma = rowsOf(s.pairs, ['exporter', 'importer', 'period_end', 'exporter_sigma']).find((r) => r.exporter === 'CHN' && r.importer === 'HKG' && r.period_end === '2024')!.exporter_sigma as number;
    const l2 = Math.log(5) ** 2;
    expect((hk.score as number) / (hk.value_at_stake_usd as number)).toBeCloseTo(l2 / (l2 + 2 * sigma * sigma), 12);
  });

  it('flags at most reviewBudget pairs, the best scored, and keeps the rest scored in mirror_pairs', async () => {
    const lines = annual([[156, 842, 1_000_000, 3_180_000], [156, 392, 1_000_000, 6_360_000], [156, 410, 1_000_000, 1_060_000]], [2023, 2024]);
    const s = score(pairsOf(await flowsOf(lines)), {}, { reviewBudget: 1 });
    expect(rowsOf(s.gaps, ['importer'])).toEqual([{ importer: 'JPN' }]);
    const usa = rowsOf(s.pairs, ['importer', 'window_flagged', 'over_review_budget', 'score']).filter((r) => r.importer === 'USA');
    expect(usa.map((r) => [r.window_flagged, r.over_review_budget])).toEqual([[true, true], [true, true]]);
    expect(s.counts).toMatchObject({ pairs_with_flagged_window: 2, pairs_flagged: 1, pairs_over_review_budget: 1 });
  });

  it('does not flag a partner going confidential: the year it leaves, its gap sits in the exporter\'s World residual', async () => {
    // Germany exports 1 m a year to France and to Japan; from mid-2023 it hides France (World keeps the value)
    const lines = [
      ...annual([[276, 392, 1_000_000, 1_060_000]], [2022, 2023, 2024]),
      ...[2022, 2023, 2024].map((y) => `${y},251,276,811010,M,1060000,100`),
      '2022,276,251,811010,X,1000000,100', '2023,276,251,811010,X,500000,50',
      ...[2022, 2023, 2024].map((y) => `${y},276,0,811010,X,2000000,200`),
    ];
    const s = score(pairsOf(await flowsOf(lines)), { minZ: 0, minZComparable: 0 });
    const fra = rowsOf(s.pairs, ['importer', 'period_end', 'status', 'gap_usd', 'window_flagged']).filter((r) => r.importer === 'FRA');
    expect(fra.map((r) => [r.period_end, r.status, r.window_flagged])).toEqual([['2022', 'matched', false], ['2023', 'matched', false], ['2024', 'possibly_confidential', false]]);
    expect(s.gaps.numRows).toBe(0);
    // the same half-year drop with no residual to hold it, and the partner still recorded after: an under-declaration
    const under = lines.filter((l) => !l.startsWith('2023,276,0,') && !l.startsWith('2024,276,0,')).concat('2024,276,251,811010,X,500000,50');
    expect(rowsOf(score(pairsOf(await flowsOf(under)), { minZ: 0, minZComparable: 0 }).gaps, ['importer'])).toEqual([{ importer: 'FRA' }]);
  });

  it('flags a quantity gap: the exporter records 70 % of the value and of the weight (under the level test\'s ln 1.5), not a value-only difference', async () => {
    // CHN → USA: value and kilograms both at 0.7 of the importer's; CHN → JPN: value at 0.7, the weights agree (a valuation difference)
    const rows: Parameters<typeof annual>[0] = [[156, 842, 700_000, 1_060_000, 70_000, 100_000], [156, 392, 700_000, 1_060_000, 100_000, 100_000]];
    const s = score(pairsOf(await flowsOf(annual(rows, [2023, 2024]))));
    const g = rowsOf(s.gaps, ['importer', 'reasons', 'value_at_stake_usd']);
    expect(g.map((r) => [r.importer, list(r.reasons)])).toEqual([['USA', ['importer_exceeds', 'quantity_gap']]]);
    // what is at stake is the value gap: 1 m / 1.06 − 0.7 m a year
    expect(g[0].value_at_stake_usd as number).toBeCloseTo(1_000_000 - 700_000, 0);
    // the same pair with the weight gap under the bar is not flagged
    const small = score(pairsOf(await flowsOf(annual([[156, 842, 700_000, 1_060_000, 90_000, 100_000]], [2023, 2024]))));
    expect(small.gaps.numRows).toBe(0);
  });

  it('does not flag a partner going confidential when the residual covers most of the gap (confidentialCoverShare), as a missing side', async () => {
    // as above, but World keeps only 60 % of what France's records show beyond Germany's in 2023: noise and CIF take the rest
    const lines = [
      ...annual([[276, 392, 1_000_000, 1_060_000]], [2022, 2023, 2024]),
      ...[2022, 2023, 2024].map((y) => `${y},251,276,811010,M,1060000,100`),
      '2022,276,251,811010,X,1000000,100', '2023,276,251,811010,X,500000,50',
      '2022,276,0,811010,X,2000000,200', '2023,276,0,811010,X,1800000,200', '2024,276,0,811010,X,1900000,200',
    ];
    const s = scoreMirrorGaps(pairsOf(await flowsOf(lines)), { ...mirrorGapDefaults, minZ: 0, minZComparable: 0 }, { fobImporters: FOB, entrepots: ENTREPOTS, confidentialCoverShare: 0.5 });
    expect(s.gaps.numRows).toBe(0);
    // a cover share of 1 asks the residual for the whole gap: 2023 is then a gap
    const strict = scoreMirrorGaps(pairsOf(await flowsOf(lines)), { ...mirrorGapDefaults, minZ: 0, minZComparable: 0 }, { fobImporters: FOB, entrepots: ENTREPOTS, confidentialCoverShare: 1 });
    expect(rowsOf(strict.gaps, ['importer', 'last_flagged_period'])).toEqual([{ importer: 'FRA', last_flagged_period: '2023' }]);
  });

  it('flags an excess booked under the origin when another exporter\'s ghost export matches it, and not without the ghost', async () => {
    // the US books 1.35× (after CIF/FOB) what China records, under the level test's ln 1.5; Thailand records
    // USD 350,000 to the US that the US (which publishes) has no record of: the US booked Thailand's goods as Chinese
    const base = annual([[156, 842, 1_000_000, 1_431_000], [392, 842, 1_000_000, 1_060_000]], [2023, 2024]);
    const ghost = [2023, 2024].map((y) => `${y},764,842,811010,X,350000,35`);
    const s = score(pairsOf(await flowsOf([...base, ...ghost])));
    const g = rowsOf(s.gaps, ['exporter', 'importer', 'reasons', 'value_at_stake_usd']).map((r): Record<string, unknown> => ({ ...r, reasons: list(r.reasons) }));
    expect(g.find((r) => r.exporter === 'CHN')).toMatchObject({ importer: 'USA', reasons: ['importer_exceeds', 'booked_under_origin'] });
    expect((g.find((r) => r.exporter === 'CHN')!.value_at_stake_usd as number)).toBeCloseTo(350_000, -3);
    expect(g.find((r) => r.exporter === 'THA')?.reasons).toEqual(['ghost', 'ghost_exports']);
    // without the ghost export the same excess is within what the level test lets pass
    const alone = score(pairsOf(await flowsOf(base)));
    expect(rowsOf(alone.gaps, ['exporter'])).toEqual([]);
    // nor with a ghost of another size: 1 m against an excess of 350,000 is no match (factor > 2)
    const other = score(pairsOf(await flowsOf([...base, ...[2023, 2024].map((y) => `${y},764,842,811010,X,1000000,100`)])));
    expect(rowsOf(other.gaps, ['exporter']).map((r) => r.exporter)).toEqual(['THA']);
  });

  it('handles an empty pair table', async () => {
    const s = score(pairsOf(await flowsOf([])));
    expect([s.pairs.numRows, s.gaps.numRows, s.reliability.numRows]).toEqual([0, 0, 0]);
  });
});
