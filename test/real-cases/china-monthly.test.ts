/**
 * Casebook: China-reported monthly exports by partner (china-exports-monthly/deep_dive_hs6_monthly.csv,
 * 2017-01 to 2024-12, HS6 811292, 250410, 380110, read with --format mapped:china-monthly): one side of every
 * flow only. Facts of the data around the Ga/Ge (2023-08) and graphite (2023-12) controls.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { chinaMonthlyRun, requireRealData, ROUTE_COLUMNS, routeLabel, routesPostTooEarly, rows, sample, SKIP_CASEBOOK, type CaseRun } from './casebook.ts';

describe.skipIf(SKIP_CASEBOOK)('real-data casebook: China-reported monthly exports (2017-01 to 2024-12)', () => {
  requireRealData('test/real-cases/china-monthly.test.ts');
  let run: CaseRun;
  let routes: Record<string, unknown>[];
  beforeAll(async () => {
    run = await chinaMonthlyRun();
    routes = rows(run.routesAll, ROUTE_COLUMNS);
  });

  // Source: domain.md §1 ("natural graphite 250410 fell from USD 49.5 m (2023-11, stockpiling) to 3.0 m (2023-12, the
  // control month)"); the rows of deep_dive_hs6_monthly.csv with period_dt 2023-11-01 / 2023-12-01 and hs6 250410.
  it('China\'s natural graphite (250410) exports fell from 49.51 m in 2023-11 to 2.97 m in 2023-12, the control month (protects against losing the stockpiling spike and the licensing pause in ingest)', () => {
    const total = (period: string) =>
      rows(run.ingest.flows, ['reporter', 'flow', 'hs6', 'period', 'value_usd'])
        .filter((r) => r.reporter === 'CHN' && r.flow === 'X' && r.hs6 === '250410' && r.period === period)
        .reduce((s, r) => s + (r.value_usd as number), 0);
    expect([total('2023-11'), total('2023-12')].map((v) => Math.round(v / 1e4) / 100)).toEqual([49.51, 2.97]);
  });

  // Source: domain.md §2 ("A reporter that did not publish the period says nothing: the flow is unobserved on that
  // side"): the file holds China's exports only, so no importer published anything in it.
  it('from China\'s records alone no mirror pair is a ghost and none is flagged: every pair window is counterpart_not_reporting (protects against reading an extract\'s missing side as zero)', () => {
    const status = new Set(rows(run.mirrorPairs, ['status']).map((r) => r.status));
    expect(run.mirrorPairs.numRows).toBeGreaterThan(0);
    expect([...status]).toEqual(['counterpart_not_reporting']);
    expect(run.mirrorGaps.numRows).toBe(0);
  });

  // Source: domain.md §1 ("Licensing took about 45 days, so exports dropped to near zero in the first month or two of
  // a control … Baselines must leave those months out") and §6; the starts in data/reference/controls.csv (Ga/Ge
  // 2023-08-01, graphite 2023-12-01). Today's post windows start 2023-10 (Ga/Ge) and 2024-02 (graphite).
  it('no monthly route\'s post window starts in the control\'s own month or a month the control was in force for less than half of (protects against counting the licensing pause as "after")', async () => {
    expect(routes.length).toBeGreaterThan(0);
    const early = await routesPostTooEarly(routes, { startMonth: true });
    expect(early, sample(early)).toEqual([]);
    expect([...new Set(routes.map((r) => r.control_id))].sort()).toEqual(['cn-2023-23', 'cn-2023-39']);
  });

  // Source: as the second case: the file has no hub's exports, so every second leg (hub → destination) is
  // unobserved, and a route needs its second leg (domain.md §3 item 2).
  it('no route is flagged from China\'s records alone, and every route\'s second leg is unobserved, not zero (protects against a route flagged on its first leg alone)', () => {
    expect(routes.length).toBeGreaterThan(0);
    const observed = routes.filter((r) => [r.second_leg_pre_usd, r.second_leg_post_usd].some((v) => v !== null && !Number.isNaN(v))).map(routeLabel);
    expect(observed, sample(observed)).toEqual([]);
    expect(run.flaggedRoutes.numRows).toBe(0);
  });
});
