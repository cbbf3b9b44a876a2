/**
 * Casebook: mirror-gaps on the atlas re-cut of UN Comtrade (comtrade-atlas/raw_comtrade, 2022 and 2024,
 * HS2022, read with --format mapped:comtrade-atlas). Each case is a fact of the data with its source; cases
 * today's detector gets wrong are `it.fails` with the issue that fixes them (#16: mirror gaps).
 * Line numbers are file lines of ../shared/data (the header is line 1).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { atlasRun, requireRealData, rows, sample, SKIP_CASEBOOK, type CaseRun } from './casebook.ts';

describe.skipIf(SKIP_CASEBOOK)('real-data casebook: mirror gaps on the atlas (UN Comtrade 2022 + 2024, HS2022)', () => {
  requireRealData('test/real-cases/atlas-mirror.test.ts');
  let run: CaseRun;
  let pairs: Record<string, unknown>[];
  let gaps: Record<string, unknown>[];
  beforeAll(async () => {
    run = await atlasRun();
    pairs = rows(run.mirrorPairs);
    gaps = rows(run.mirrorGaps);
  });
  const pairOf = (t: Record<string, unknown>[], e: string, i: string, hs6: string) =>
    t.filter((r) => r.exporter === e && r.importer === i && r.hs6 === hs6 && r.window === 'Y').sort((a, b) => String(a.period_end).localeCompare(String(b.period_end)));

  // Source: raw_comtrade/comtrade_2022.csv line 122414 (156→842 811292 X 6,549,290) and 122217 (842←156 M
  // 22,430,417); comtrade_2024.csv line 118356 (X 9,638,271) and 118180 (M 53,325,054): the US books 3.4× (2022)
  // and 5.5× (2024) what China reports. domain.md §1: 811292 is the gallium/germanium code of 2023 No. 23.
  it('CHN→USA 811292: both sides are matched as published in 2022 and 2024, and both years are flagged importer_exceeds (protects against losing the gap of the controlled Ga/Ge code to the US)', () => {
    const p = pairOf(pairs, 'CHN', 'USA', '811292');
    expect(p.map((r) => [r.period_end, r.status, r.exporter_value_usd, r.importer_value_usd])).toEqual([
      ['2022', 'matched', 6_549_290, 22_430_417],
      ['2024', 'matched', 9_638_271, 53_325_054],
    ]);
    // one flag for the pair (issue #16, item 7), its flagged years nested
    const g = gaps.filter((r) => r.exporter === 'CHN' && r.importer === 'USA' && r.hs6 === '811292');
    expect(g).toHaveLength(1);
    const windows = [...(g[0].windows as { toArray(): { toJSON(): Record<string, unknown> }[] }).toArray()].map((w) => w.toJSON());
    expect(windows.map((w) => [w.period_end, [...(w.reasons as { toArray(): string[] }).toArray()].includes('importer_exceeds')])).toEqual([
      ['2022', true],
      ['2024', true],
    ]);
  });

  // Source: as above; issue #15's list, case 1: the pair the US books at 3–5× China's records belongs among the
  // first gaps an analyst reads. Before issue 16 its best window (2024) ranked 362 of 1,834 flagged (2022: 623),
  // below pairs of a few hundred dollars (DEU→LUX 811292 2024: 642,681 against 315) and China's own re-imports.
  it('CHN→USA 811292 ranks in the top 25 mirror gaps (protects against burying the largest gap on a controlled code under tiny-value ratios) (#16)', () => {
    const ranks = gaps.filter((r) => r.exporter === 'CHN' && r.importer === 'USA' && r.hs6 === '811292').map((r) => r.rank as number);
    expect(ranks.length).toBeGreaterThan(0);
    expect(Math.min(...ranks)).toBeLessThanOrEqual(25);
  });

  // Source: issue #16 (done when): an analyst reviews pairs, not windows, and no more than a team can read; on the
  // atlas records (catalog codes) every window was its own flag before (1,834 of 12,107 windows, 1,318 pairs).
  it('flags at most mirror.reviewBudget pairs on the atlas, one row per pair, and keeps every pair scored (protects against a flood of window-level flags) (#16)', async () => {
    const { config } = await atlasRun();
    expect(gaps.length).toBeGreaterThan(0);
    expect(gaps.length).toBeLessThanOrEqual(config.mirror.reviewBudget);
    expect(new Set(gaps.map((r) => `${r.exporter}|${r.importer}|${r.hs6}`)).size).toBe(gaps.length);
    const over = pairs.filter((r) => r.over_review_budget === true);
    expect(new Set(pairs.filter((r) => r.window_flagged === true).map((r) => `${r.exporter}|${r.importer}|${r.hs6}`)).size).toBe(gaps.length + new Set(over.map((r) => `${r.exporter}|${r.importer}|${r.hs6}`)).size);
  });

  // Source: reporters that name themselves as partner (re-imports, RM inside M): comtrade_2022.csv line 127890
  // (156,156,850511,M 35,198,907), line 119813 (156,156,811292,M 6,211); comtrade_2024.csv line 115884
  // (156,156,811292,M 13,850,734) and 123766 (156,156,850511,M 29,934,094). domain.md §2: mirror matching compares
  // one country's X with *another's* M; a country's re-imports from itself have no mirror. Today 47 pair windows
  // (19 countries: CHN, GBR 6 each, CAN 5, …) paired a country with itself; matching now leaves those rows out
  // (`rows_self_partner`: 47 on the atlas's catalog codes).
  it('no mirror pair is a country paired with itself (protects against reading re-imports as a mirror flow) (#16)', () => {
    expect(pairs.length).toBeGreaterThan(0);
    const self = pairs.filter((r) => r.exporter === r.importer).map((r) => `${r.exporter}→${r.importer} ${r.hs6} ${r.period_end}`);
    expect(self, sample(self)).toEqual([]);
  });

  // Source: as above. Before #16, 20 flagged gaps were self-pairs, as ghosts: CHN→CHN 850511 2022 (35.2 m, rank 18)
  // and 2024 (29.9 m, rank 21), CHN→CHN 811292 2024 (13.9 m, rank 31), …
  it('no flagged mirror gap is a country paired with itself (protects against flagging re-imports as ghost trade) (#16)', () => {
    expect(gaps.length).toBeGreaterThan(0);
    const self = gaps.filter((r) => r.exporter === r.importer).map((r) => `#${r.rank} ${r.exporter}→${r.importer} ${r.hs6} ${r.period_end}`);
    expect(self, sample(self)).toEqual([]);
  });

  // Source: README of ../shared/data ("Traps"): Thailand's 2024 antimony exports to the USA appear as 10 rows summing
  // to about 90.9 m; the total is 22,722,446.50 (1,118,407 kg), comtrade_2024.csv lines 113945 and 113966 (the
  // largest row; 7.4 + 4.4 + 10.3 + 0.6 m are its breakdowns), against the US's 30,178,779 (1,782,467 kg), line 112995.
  it('THA→USA 811010 2024 is matched on the two totals, 22,722,446.50 against 30,178,779 USD (protects against summing mode/procedure breakdowns into the mirror flow)', () => {
    expect(pairOf(pairs, 'THA', 'USA', '811010').filter((r) => r.period_end === '2024')).toMatchObject([
      { status: 'matched', exporter_value_usd: 22_722_446.5, exporter_kg: 1_118_407, importer_value_usd: 30_178_779, importer_kg: 1_782_467 },
    ]);
  });

  // Source: comtrade_2024.csv lines 113270–113279: Myanmar (104) reports 2024 exports of 811010 to 490 (Taiwan,
  // 285,000) and 410 (Korea, 137,328.04), World 422,328.04 — nothing to Thailand — while Thailand records
  // 70,275,438.65 from Myanmar (line 112799). domain.md §2: a reporter that published the period says zero for
  // every partner it omits, unless its World total minus its partners covers the flow (here: 0). In 2022 Myanmar
  // published no exports at all in the atlas (on the catalog's codes): unknown, not zero. Partial publication (#16
  // item 8) cannot be judged here: the atlas has two annual periods, so no reporter has the six other periods a
  // usual needs (mirror.match.minPeriodsForUsual); Thailand's imports are whole in both years (39 and 41 partners
  // on the catalog's codes), and Myanmar's 2024 exports are sparse (2 partners) but nothing shows them partial.
  it('MMR→THA 811010 is a ghost in 2024 (Myanmar published, World = its partners) but not in 2022 (Myanmar published nothing) (protects against both "missing = zero" and "missing = unknown")', () => {
    const p = pairOf(pairs, 'MMR', 'THA', '811010');
    expect(p.map((r) => [r.period_end, r.status, r.exporter_published, r.importer_value_usd])).toEqual([
      ['2022', 'counterpart_not_reporting', false, 1_615_542.011],
      ['2024', 'ghost', true, 70_275_438.65],
    ]);
    expect(pairOf(gaps, 'MMR', 'THA', '811010')).toMatchObject([{ period_end: '2024', reasons: expect.arrayContaining(['ghost', 'ghost_imports']) }]);
  });

  // Source: domain.md §2 and §5 (Comtrade code 490 "Other Asia, nes" is Taiwan: map it before applying the
  // non-country list); comtrade-areas/areas_not_specified.csv line 17 lists 490; raw_comtrade has 2,355 (2022) and
  // 2,346 (2024) lines with 490 as reporter or partner, e.g. comtrade_2024.csv line 113270 (Myanmar → 490).
  it('Comtrade 490 is Taiwan: TWN is a mirror partner on both sides and no area row is _490 (protects against dropping Taiwan as a non-country area)', () => {
    const areaPartners = new Set(rows(run.ingest.areas, ['partner']).map((r) => r.partner));
    expect(areaPartners.size).toBeGreaterThan(0);
    expect(areaPartners.has('_490')).toBe(false);
    expect(pairs.some((r) => r.exporter === 'TWN')).toBe(true);
    expect(pairs.some((r) => r.importer === 'TWN')).toBe(true);
    expect(pairOf(pairs, 'MMR', 'TWN', '811010').filter((r) => r.period_end === '2024')).toMatchObject([{ exporter_value_usd: 285_000 }]);
  });

  // Source: domain.md §2 (World, 0, and the non-country areas 899, 837, 838, 839 are evidence, not partners);
  // comtrade_2024.csv line 113274 (Myanmar → 0 World, 422,328.04) is one of the World rows.
  it('no mirror pair has World or a non-country area on either side, and those rows are kept as areas (protects against pairing WLD/_899/_838 as countries)', () => {
    expect(pairs.length).toBeGreaterThan(0);
    const notCountries = [...new Set(pairs.flatMap((r) => [r.exporter, r.importer]).filter((c) => !/^[A-Z]{3}$/.test(String(c)) || c === 'WLD'))];
    expect(notCountries).toEqual([]);
    const areaPartners = new Set(rows(run.ingest.areas, ['partner']).map((r) => r.partner));
    expect(['WLD', '_899', '_837', '_838', '_839'].filter((a) => areaPartners.has(a))).toEqual(['WLD', '_899', '_837', '_838', '_839']);
  });

  // Source: README of ../shared/data ("Traps"): about half the raw rows are exact duplicates (90,093 of 166,616 in
  // 2022; 90,083 of 164,831 in 2024) and totals sit beside their breakdowns.
  it('one mirror row per exporter × importer × HS6 × window × period (protects against duplicate and breakdown rows each becoming a pair)', () => {
    expect(pairs.length).toBeGreaterThan(0);
    const keys = pairs.map((r) => `${r.exporter}|${r.importer}|${r.hs6}|${r.window}|${r.period_start}|${r.period_end}`);
    const seen = new Set<string>();
    const repeated = keys.filter((k) => (seen.has(k) ? true : (seen.add(k), false)));
    expect(repeated, sample(repeated)).toEqual([]);
  });
});
