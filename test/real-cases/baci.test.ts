/**
 * Casebook: the atlas re-cut of CEPII BACI (comtrade-atlas/baci_recon, HS2017, 2022 and 2024, read with
 * --format mapped:atlas-baci), alone and in one run with the HS2022 atlas records. BACI's HS2017 811292 still
 * holds hafnium and rhenium, which HS2022 moved to 811231/811241. Cases today's detector gets wrong are
 * `it.fails` with the issue that fixes them (#17: transshipment routes). Line numbers are file lines (header 1).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { realPath } from '../helpers.ts';
import {
  atlasWithBaciRun,
  baciRun,
  ingestCase,
  reference,
  requireRealData,
  ROUTE_COLUMNS,
  routeLabel,
  rows,
  runConfig,
  sample,
  SKIP_CASEBOOK,
  type CaseRun,
} from './casebook.ts';

describe.skipIf(SKIP_CASEBOOK)('real-data casebook: BACI HS2017 (baci_recon 2022 + 2024)', () => {
  requireRealData('test/real-cases/baci.test.ts');
  let baci: CaseRun;
  let both: CaseRun;
  let routes: Record<string, unknown>[];
  let flagged: Record<string, unknown>[];
  beforeAll(async () => {
    baci = await baciRun();
    both = await atlasWithBaciRun();
    routes = rows(baci.routesAll, ROUTE_COLUMNS);
    flagged = rows(baci.flaggedRoutes, ROUTE_COLUMNS);
  });
  const flowsOf = (run: CaseRun, e: string, i: string, hs6: string) =>
    rows(run.ingest.flows, ['reporter', 'partner', 'flow', 'hs6', 'period', 'value_usd', 'hs_revision', 'source'])
      .filter((r) => r.flow === 'X' && r.reporter === e && r.partner === i && r.hs6 === hs6)
      .sort((a, b) => String(a.period).localeCompare(String(b.period)));

  // Source: baci_recon/baci_2022.csv line 6977 (DEU,USA,811292,32713017.0) and baci_2024.csv line 7717
  // (135868147.0); ../shared/data/README.md (BACI HS17, its 811292 includes hafnium and rhenium);
  // hs-nomenclature/HS2022_to_HS2017_correlations.csv lines 4225 (811231 → 811292, n:1) and 4227 (811241 → 811292).
  it('BACI 811292 rows are HS2017 (DEU→USA 32,713,017 → 135,868,147), and 811292 changed scope between HS2017 and HS2022 (protects against reading BACI 811292 as the HS2022 Ga/Ge code)', async () => {
    const revisions = new Set(rows(baci.ingest.flows, ['hs_revision']).map((r) => r.hs_revision));
    expect([...revisions]).toEqual(['HS2017']);
    expect(flowsOf(baci, 'DEU', 'USA', '811292').map((r) => [r.period, r.value_usd, r.hs_revision, r.source])).toEqual([
      ['2022', 32_713_017, 'HS2017', 'mapped:atlas-baci'],
      ['2024', 135_868_147, 'HS2017', 'mapped:atlas-baci'],
    ]);
    const correlations = readFileSync(realPath('hs-nomenclature/HS2022_to_HS2017_correlations.csv'), 'utf8').split(/\r?\n/);
    expect(correlations.filter((l) => /,811292,/.test(`,${l}`) && !l.startsWith('811292,'))).toEqual(['811231,811292,n:1', '811241,811292,n:1']);
    expect((await reference()).hsCorrespondence.scopeChange('811292', 'HS2017', 'HS2022')).toBe(true);
  });

  // Source: domain.md §1 ("about USD 129 m of Germany's 2024 exports to the US were hafnium (811231)");
  // raw_comtrade/comtrade_2024.csv line 115205 (276,842,811231,X 128,757,908.881 = lines 115153 + 115157) and
  // line 118713 (276,842,811292,X 25,114,983.882).
  it('in the HS2022 records Germany\'s 2024 exports to the US were 128.76 m of hafnium (811231) and 25.11 m of 811292: the BACI rise is hafnium (protects against a hafnium boom read as Ga/Ge)', async () => {
    const hf = await ingestCase([{ path: 'comtrade-atlas/raw_comtrade/comtrade_2024.csv', format: 'mapped:comtrade-atlas' }], { ...runConfig().ingest, hs: '811231,811292' });
    const deu = rows(hf.flows, ['reporter', 'partner', 'flow', 'hs6', 'value_usd', 'hs_revision'])
      .filter((r) => r.reporter === 'DEU' && r.partner === 'USA' && r.flow === 'X')
      .sort((a, b) => String(a.hs6).localeCompare(String(b.hs6)));
    expect(deu.map((r) => [r.hs6, r.value_usd, r.hs_revision])).toEqual([
      ['811231', 128_757_908.881, 'HS2022'],
      ['811292', 25_114_983.882, 'HS2022'],
    ]);
  });

  // Source: domain.md §2 and README (mirror.match.excludeSources): BACI is a reconciliation, nobody's record; and
  // domain.md §1: never compare a code across revisions unless the correspondence is 1:1.
  it('mirror-gaps pairs no BACI row: none alone, and none beside the HS2022 records (no pair side is HS2017) (protects against comparing a reconciliation, in another revision, with reported flows)', () => {
    expect(baci.ingest.flows.numRows).toBeGreaterThan(0);
    expect(baci.mirrorPairs.numRows).toBe(0);
    const p = rows(both.mirrorPairs, ['exporter_hs_revision', 'importer_hs_revision']);
    expect(p.length).toBeGreaterThan(0);
    expect([...new Set(p.flatMap((r) => [r.exporter_hs_revision, r.importer_hs_revision]))].filter((v) => v !== null)).toEqual(['HS2022']);
  });

  // Source: as the first two cases; domain.md §1 trap "811292 changed between HS revisions" and §3 distractors ("a
  // destination whose own demand grew"). Issue #15's list, case 5. CHN→DEU→USA 811292 was flagged at ranks 32
  // (cn-2024-46) and 33 (cn-2023-23) of 52, score 0.455, on the second leg 32.71 m → 135.87 m (the hafnium), until #17
  // item 6 left a code's rows of a revision where it holds other goods out of its legs.
  // Since #17 item 6, BACI's HS2017 811292 rows are not the Ga/Ge code's trade: no 811292 route is scored from them.
  it('Germany → USA 811292 from BACI (32.7 m → 135.9 m, mostly hafnium) is not flagged as a route (protects against a cross-revision scope change read as transshipment) (#17)', () => {
    expect(routes.filter((r) => r.hs6 === '811292').map(routeLabel)).toEqual([]);
    const deu = flagged.filter((r) => r.hub === 'DEU' && r.destination === 'USA' && r.hs6 === '811292').map((r) => `#${r.rank} ${routeLabel(r)}`);
    expect(deu, sample(deu)).toEqual([]);
  });

  // Source: as above. In one run with the HS2022 atlas records (the canonical tables of both ingests run together),
  // the route legs took BACI's HS2017 records as exporters' X: all 30 flagged 811292 routes of that run
  // (and all 61 flagged routes) cite a BACI record in their evidence; CHN→DEU→USA 811292 is flagged at ranks 40–41
  // on BACI's 32.71 m → 135.87 m instead of the HS2022 9.72 m → 25.11 m.
  it('in one run with HS2022 records, no flagged 811292 route rests on BACI\'s HS2017 records (protects against mixing revisions inside a route\'s legs) (#17)', () => {
    // the second leg of CHN→DEU→USA 811292 is the HS2022 records' (25.1 m in 2024), not BACI's 135.87 m
    const deu = rows(both.routesAll, ROUTE_COLUMNS).filter((r) => r.origin === 'CHN' && r.hub === 'DEU' && r.destination === 'USA' && r.hs6 === '811292');
    expect(rows(both.routesAll, ['hub', 'destination', 'hs6', 'control_id', 'second_leg_pre_usd', 'second_leg_post_usd']).filter((r) => r.hub === 'DEU' && r.destination === 'USA' && r.hs6 === '811292')).toEqual([
      { hub: 'DEU', destination: 'USA', hs6: '811292', control_id: 'cn-2023-23', second_leg_pre_usd: 9_719_464.005, second_leg_post_usd: 25_114_983.882 },
    ]);
    expect(deu).toHaveLength(1);
    const f = rows(both.flaggedRoutes, [...ROUTE_COLUMNS, 'evidence']).filter((r) => r.hs6 === '811292');
    const mixed = f
      .filter((r) => [...(r.evidence as Iterable<{ source: string | null }>)].some((e) => e.source === 'mapped:atlas-baci'))
      .map((r) => `#${r.rank} ${routeLabel(r)}`);
    expect(mixed, sample(mixed)).toEqual([]);
  });

  // Source: domain.md §3: a route is origin → hub → destination through a third country.
  // BACI alone scores no route since #17 item 4 and 6 (its 811292 is another scope, antimony has no post year): the
  // run with the HS2022 records, which has routes, is checked too.
  it('no BACI route has its hub equal to its origin or its destination, nor origin equal to destination (protects against degenerate routes)', () => {
    const all = [...routes, ...rows(both.routesAll, ROUTE_COLUMNS)];
    expect(all.length).toBeGreaterThan(0);
    const bad = all.filter((r) => r.hub === r.origin || r.hub === r.destination || r.origin === r.destination).map(routeLabel);
    expect(bad, sample(bad)).toEqual([]);
  });

  // Source: domain.md §3: "Thailand→USA rose from USD 7.5 m (2022) to 28.1 m (2024) while China→USA fell from 30.5 m
  // to 9.9 m, but China→Thailand fell from 4.5 m to 1.0 m" — BACI's numbers: baci_2022.csv lines 20267, 5095, 4994
  // and baci_2024.csv lines 18513, 4437, 4272.
  it('BACI holds domain.md §3\'s antimony picture (THA→USA 7.47 m → 28.05 m, CHN→USA 30.52 m → 9.85 m, CHN→THA 4.50 m → 0.97 m) and CHN→THA→USA 811010 is not flagged (protects against forcing a verdict without a first-leg rise)', () => {
    const legs = (e: string, i: string) => flowsOf(baci, e, i, '811010').map((r) => [r.period, r.value_usd]);
    expect(legs('THA', 'USA')).toEqual([
      ['2022', 7_471_662],
      ['2024', 28_052_714],
    ]);
    expect(legs('CHN', 'USA')).toEqual([
      ['2022', 30_517_974],
      ['2024', 9_854_904],
    ]);
    expect(legs('CHN', 'THA')).toEqual([
      ['2022', 4_498_241],
      ['2024', 973_298],
    ]);
    // and no antimony route at all from these years: neither control was in force for half of 2024 (#17 item 4)
    expect(routes.filter((r) => r.hs6 === '811010').map(routeLabel)).toEqual([]);
  });

  // Source: ../shared/data/README.md (BACI names Taiwan `S19`), e.g. baci_2024.csv line 78 (ASM,S19,811292,8972.0).
  it('BACI\'s S19 is Taiwan: TWN trades in the BACI flows and no flow names S19 (protects against losing Taiwan in the BACI re-cut)', () => {
    const countries = new Set(rows(baci.ingest.flows, ['reporter', 'partner']).flatMap((r) => [r.reporter, r.partner]));
    expect([countries.has('TWN'), countries.has('S19')]).toEqual([true, false]);
  });
});
