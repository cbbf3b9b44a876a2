/**
 * Casebook: transshipment routes on the atlas re-cut of UN Comtrade (comtrade-atlas/raw_comtrade, 2022 and 2024,
 * HS2022, read with --format mapped:comtrade-atlas), scored as `run all` does (with this run's mirror pairs).
 * Each case is a fact of the data with its source; cases today's detector gets wrong are `it.fails` with the
 * issue that fixes them (#17: transshipment routes). Line numbers are file lines (the header is line 1).
 * Of the catalog's codes the atlas holds 811292 (Ga/Ge), 811010 (antimony metal), 810194 (tungsten, control of
 * 2025) and 850511 (magnets, 2025): routes exist for 811292 and 811010 only.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { atlasRun, controlStarts, requireRealData, ROUTE_COLUMNS, routeLabel, routesPostTooEarly, rows, sample, SKIP_CASEBOOK, type CaseRun } from './casebook.ts';

/** The antimony codes of 2024 No. 33 (domain.md §1; only 811010 is among the atlas's 31 codes). */
const ANTIMONY = ['261710', '283090', '811010', '811020', '811090', '282580'];

describe.skipIf(SKIP_CASEBOOK)('real-data casebook: transshipment routes on the atlas (UN Comtrade 2022 + 2024, HS2022)', () => {
  requireRealData('test/real-cases/atlas-routes.test.ts');
  let run: CaseRun;
  let routes: Record<string, unknown>[];
  let flagged: Record<string, unknown>[];
  let flows: Record<string, unknown>[];
  let pairs: Record<string, unknown>[];
  beforeAll(async () => {
    run = await atlasRun();
    routes = rows(run.routesAll, ROUTE_COLUMNS);
    flagged = rows(run.flaggedRoutes, ROUTE_COLUMNS);
    flows = rows(run.ingest.flows, ['reporter', 'partner', 'flow', 'hs6', 'period', 'value_usd']);
    pairs = rows(run.mirrorPairs, ['exporter', 'importer', 'hs6', 'window', 'period_end', 'status', 'exporter_value_usd', 'importer_value_usd']);
  });

  // Source: domain.md §1 (2023 No. 23 effective 2023-08-01; 2024 No. 33 2024-09-15; 2024 No. 46 2024-12-03); the
  // calendar the routes use is data/reference/controls.csv.
  it('the control calendar (data/reference/controls.csv) starts the Ga/Ge control on 2023-08-01, antimony licensing on 2024-09-15 and the US ban on 2024-12-03, on every code (protects against a route window built on a mistyped date)', async () => {
    const starts = await controlStarts();
    const byControl = new Map<string, Set<string>>();
    for (const [k, s] of starts) {
      const id = k.split('|')[0];
      if (!byControl.has(id)) byControl.set(id, new Set());
      byControl.get(id)!.add(s);
    }
    expect(['cn-2023-23', 'cn-2024-33', 'cn-2024-46'].map((id) => [id, [...(byControl.get(id) ?? [])]])).toEqual([
      ['cn-2023-23', ['2023-08-01']],
      ['cn-2024-33', ['2024-09-15']],
      ['cn-2024-46', ['2024-12-03']],
    ]);
  });

  // Source: domain.md §1 (Ga/Ge in force from 2023-08-01: all of 2024, none of 2022); comtrade_2022.csv line 122217
  // (USA M from CHN 811292 22,430,417) and comtrade_2024.csv line 118180 (53,325,054), each / 1.06 (CIF → FOB).
  it('the Ga/Ge control has a true before and after in the atlas: its routes compare 2022 with 2024 (CHN→USA 811292 direct leg 21.16 m → 50.31 m) (protects against a fix for partial years throwing out whole years)', () => {
    const gage = routes.filter((r) => r.control_id === 'cn-2023-23');
    expect(gage.length).toBeGreaterThan(0);
    expect([...new Set(gage.map((r) => `${r.freq} ${r.period_start}..${r.period_end}`))]).toEqual(['A 2024..2024']);
    const toUsa = gage.filter((r) => r.destination === 'USA' && r.hs6 === '811292');
    expect(toUsa.length).toBeGreaterThan(0);
    expect([...new Set(toUsa.map((r) => [(r.direct_pre_usd as number).toFixed(2), (r.direct_post_usd as number).toFixed(2)].join(' → ')))]).toEqual([
      `${(22_430_417 / 1.06).toFixed(2)} → ${(53_325_054 / 1.06).toFixed(2)}`,
    ]);
  });

  // Source: domain.md §1 (antimony licensing 2024-09-15: 108 of 2024's 366 days; US ban 2024-12-03: 29 days) and
  // §6 ("a year in which a control was in force for only a few months is mostly a pre-control year"): annual 2022 and
  // 2024 data hold no post-control year for antimony. Today 35 of the 53 flagged routes are antimony routes
  // (32 under cn-2024-33, 3 under cn-2024-46), all with 2024 as "post".
  it('no antimony route is flagged from annual 2022/2024 data: 2024 is not a post-control year for antimony (protects against attributing 2024 trade to a control of its last 3.5 months) (#17)', () => {
    expect(flagged.length).toBeGreaterThan(0);
    const sb = flagged.filter((r) => ANTIMONY.includes(r.hs6 as string) || r.mineral === 'antimony').map((r) => `#${r.rank} ${routeLabel(r)}`);
    expect(sb, sample(sb)).toEqual([]);
  });

  // Source: as above, the starts from data/reference/controls.csv. Today 878 of the 1,268 routes take 2024 as their
  // post period under a control in force for less than half of it: 814 under cn-2024-33 (108/366 days), 64 under
  // cn-2024-46 (29/366 days: 37 antimony, 27 Ga/Ge).
  it('no route calls a period post-control when the control was in force for less than half of it (protects against partial years counted as "after") (#17)', async () => {
    expect(routes.length).toBeGreaterThan(0);
    const partial = await routesPostTooEarly(routes);
    expect(partial, sample(partial)).toEqual([]);
  });

  // Source: raw_comtrade rows of 811010: France records 78,684,629.12 from Tajikistan in 2022 (comtrade_2022.csv
  // line 116075), Thailand 70,275,438.65 from Myanmar in 2024 (comtrade_2024.csv line 112799), and no row of either
  // year has 811010 entering Myanmar or Tajikistan (no M by 104/762, no X to them). domain.md §3 item 4: "a producer
  // country exports far more than it imports"; both are antimony mining countries. So every route through them has a first
  // leg of 0 → 0 (today's routes_all agrees).
  it('Myanmar and Tajikistan are producers of 811010 in the atlas: it leaves them in both years and no record shows it entering them, from China or anywhere (the premise of the producer-hub case)', () => {
    const sb = flows.filter((r) => r.hs6 === '811010');
    const leaving = (c: string, y: string) => sb.filter((r) => r.period === y && ((r.flow === 'X' && r.reporter === c) || (r.flow === 'M' && r.partner === c))).length;
    const entering = (c: string) => sb.filter((r) => (r.flow === 'M' && r.reporter === c) || (r.flow === 'X' && r.partner === c)).length;
    expect(['MMR', 'TJK'].map((c) => [c, leaving(c, '2022') > 0, leaving(c, '2024') > 0, entering(c)])).toEqual([
      ['MMR', true, true, 0],
      ['TJK', true, true, 0],
    ]);
  });

  // Source: as above; domain.md §3, distractors that must not be flagged: "a producer hub whose own output rose".
  // Today 11 flagged: CHN→MMR→THA (#8), →IND (#15), →JPN (#31); CHN→TJK→BRA (#17), →USA (#18, #19), →TUR, →NLD, →GBR,
  // →ESP, →DEU — each with a first leg of 0 → 0. Since the half-year rule (#17 item 4) no antimony route is scored
  // from these annual records at all (2024 is no post-control year), so this case holds without showing any producer
  // logic: the atlas has one antimony code and no post year; the synthetic worlds' producer_hub family tests that.
  it('no antimony route through a producer (Myanmar, Tajikistan) is flagged where the producer\'s own exports explain the rise (protects against reading a producer\'s output as China\'s goods) (#17)', () => {
    expect(flagged.length).toBeGreaterThan(0);
    const producer = flagged
      .filter((r) => (ANTIMONY.includes(r.hs6 as string) || r.mineral === 'antimony') && (r.hub === 'MMR' || r.hub === 'TJK'))
      .map((r) => `#${r.rank} ${routeLabel(r)}`);
    expect(producer, sample(producer)).toEqual([]);
  });

  // Source: domain.md §3 item 1 and the distractors ("nothing shows the origin's goods reaching the hub"): a route
  // whose first leg is 0 before and after on both sides' records (and with no consignment rows and no ghost share)
  // has no record of the origin's goods reaching the hub. Today 12 flagged: the 11 above and CHN→BOL→ESP 811010
  // (#33; Bolivia, another antimony producer).
  // Holds since the half-year rule left antimony unscored here (the 12 such routes were antimony routes); the
  // pass-through requirement of #17 item 1 is what must keep it holding once antimony has a post year.
  it('no flagged route rests on a first leg nobody recorded (zero before and after, no consignment, no ghost) (protects against flagging a route on its second leg alone) (#17)', () => {
    expect(flagged.length).toBeGreaterThan(0);
    const unseen = flagged
      .filter((r) => r.first_leg_pre_usd === 0 && r.first_leg_post_usd === 0 && !((r.consignment_usd as number) > 0) && !((r.hub_ghost_share as number) > 0))
      .map((r) => `#${r.rank} ${routeLabel(r)}`);
    expect(unseen, sample(unseen)).toEqual([]);
  });

  // Source: domain.md §3: a route is origin → hub → destination through a third country.
  it('no route has its hub equal to its origin or its destination, nor origin equal to destination (protects against degenerate routes)', () => {
    expect(routes.length).toBeGreaterThan(0);
    const bad = routes.filter((r) => r.hub === r.origin || r.hub === r.destination || r.origin === r.destination).map(routeLabel);
    expect(bad, sample(bad)).toEqual([]);
  });

  // Source: domain.md §3, the annual 811010 picture: a second-leg surge with diversion but no first-leg surge.
  // Atlas rows: CHN→THA, Thailand's M 4,498,241.14 (2022) → 973,297.61 (2024), China's own X 23,514 → none;
  // THA→USA, Thailand's X 690,099.99 → 22,722,446.50 and the US's M 10,176,601 → 30,178,779 (comtrade_2024.csv
  // lines 113945, 112995); CHN→USA, China's X 26,050,560 → 7,472,863 and the US's M 31,527,954 → 10,393,429.
  it('CHN→THA→USA 811010 is the honest picture of domain.md §3 — first leg fell, second leg rose, direct leg fell — and is not flagged (protects against forcing a transshipment verdict without a first-leg rise)', () => {
    const y = (e: string, i: string) =>
      pairs
        .filter((r) => r.exporter === e && r.importer === i && r.hs6 === '811010' && r.window === 'Y')
        .sort((a, b) => String(a.period_end).localeCompare(String(b.period_end)))
        .map((r) => [r.period_end, r.exporter_value_usd, r.importer_value_usd]);
    expect(y('CHN', 'THA')).toEqual([
      ['2022', 23_514, 4_498_241.136],
      ['2024', 0, 973_297.61],
    ]);
    expect(y('THA', 'USA')).toEqual([
      ['2022', 690_099.99, 10_176_601],
      ['2024', 22_722_446.5, 30_178_779],
    ]);
    expect(y('CHN', 'USA')).toEqual([
      ['2022', 26_050_560, 31_527_954],
      ['2024', 7_472_863, 10_393_429],
    ]);
    expect(flagged.filter((r) => r.origin === 'CHN' && r.hub === 'THA' && r.destination === 'USA' && r.hs6 === '811010').map(routeLabel)).toEqual([]);
  });

  // Source: domain.md §1 (tungsten 2025 No. 10 from 2025-02-04, 810194; rare earths 2025 No. 18 from 2025-04-04,
  // 850511): the atlas holds both codes (raw_comtrade: 2,884 and 42,788 lines of 2022) but no period after 2024.
  it('no route for the 2025 tungsten (810194) and magnet (850511) controls, whose codes the atlas holds but whose post-control periods lie past its last year (protects against windows past the end of the data)', () => {
    const codes = new Set(flows.map((r) => r.hs6));
    expect([codes.has('810194'), codes.has('850511')]).toEqual([true, true]);
    expect(routes.length).toBeGreaterThan(0);
    const late = routes.filter((r) => r.hs6 === '810194' || r.hs6 === '850511').map(routeLabel);
    expect(late, sample(late)).toEqual([]);
  });
});
