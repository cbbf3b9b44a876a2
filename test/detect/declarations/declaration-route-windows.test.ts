import { Bool, Field, Float64, List, Struct, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { declarationRuleDefaults, screenDeclarations, type DeclarationRuleParams } from '../../../src/detect/declarations/declaration-rules.ts';
import { loadCatalog } from '../../../src/io/catalog.ts';
import { decodeParquet, encodeParquet } from '../../../src/io/parquet.ts';
import type { Catalog } from '../../../src/reference/catalog.ts';
import { dictionaryVector, float64Vector } from '../../../src/table/columns.ts';
import { rowsOf } from '../../helpers.ts';
import { ORDINARY, declarationLine, declarationTable } from './declaration-lines.ts';

// issue 19 item 11: flagged routes count only on dates a flagged judgement holds; a ban reads imports too

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog();
});

const decl = declarationTable;

const BASE = { ...ORDINARY, date: '2025-03-01', declared_code: '8110101000', description: 'Antimony ingots', origin: 'CHN', departure: 'THA' };
const line = (f: Partial<Record<string, string | number>>): string => declarationLine(BASE, f);

/** One judgement of a route, as `flagged_routes.parquet` lists it in `controls`. */
interface Judgement {
  control_id: string;
  destinations: string;
  freq: string;
  period_start: string;
  period_end: string;
  flagged: boolean;
  score: number;
}
const CONTROLS_TYPE = new List(
  new Field(
    'item',
    new Struct([
      new Field('control_id', new Utf8()), new Field('destinations', new Utf8()), new Field('freq', new Utf8()),
      new Field('period_start', new Utf8()), new Field('period_end', new Utf8()), new Field('flagged', new Bool()), new Field('score', new Float64()),
    ]),
  ),
);

/** A flagged-routes table (origin CHN) with each route's judgements, written to Parquet and read back as a run reads `--routes`. */
function routes(rows: { hub: string; hs6: string; flag: string; prior: number; controls: Judgement[] }[]): Table {
  const dict = (values: string[]) => {
    const d = [...new Set(values)];
    return dictionaryVector(Int32Array.from(values, (v) => d.indexOf(v)), d);
  };
  const t = new Table({
    origin: dict(rows.map(() => 'CHN')),
    hub: dict(rows.map((r) => r.hub)),
    destination: dict(rows.map(() => 'USA')),
    hs6: dict(rows.map((r) => r.hs6)),
    flag_id: dict(rows.map((r) => r.flag)),
    hub_prior_export_share: float64Vector(Float64Array.from(rows, (r) => r.prior)),
    period_start: dict(rows.map((r) => r.controls[0].period_start)),
    period_end: dict(rows.map((r) => r.controls[0].period_end)),
    controls: vectorFromArray(rows.map((r) => r.controls), CONTROLS_TYPE),
  });
  return decodeParquet(encodeParquet(t));
}

const judged = (control_id: string, period_start: string, period_end: string, flagged = true, destinations = '*'): Judgement => ({
  control_id, destinations, freq: 'M', period_start, period_end, flagged, score: 1,
});
const fired = (t: Table, rule: string) => rowsOf(t, [`rule_${rule}`]).map((r) => r[`rule_${rule}`]);
const p = (over: Partial<DeclarationRuleParams> = {}) => ({ ...declarationRuleDefaults, ...over });

describe('flagged routes count only on dates a flagged judgement of the route holds', () => {
  it("via_flagged_hub: from the control's start (antimony, 2024-09-15) to 12 months after the post window (2024-11…2025-10), not a 2022 declaration", async () => {
    const r = routes([{ hub: 'THA', hs6: '811010', flag: 'f-tha', prior: 0.5, controls: [judged('cn-2024-33', '2024-11', '2025-10')] }]);
    const dates = ['2022-03-01', '2024-09-10', '2024-09-20', '2025-06-01', '2026-10-31', '2026-11-01'];
    const t = await decl(dates.map((date, k) => line({ declaration_id: `V${k}`, date })));
    const out = screenDeclarations(t, catalog, r, p());
    expect(fired(out.table, 'via_flagged_hub')).toEqual([false, false, true, true, true, false]);
    expect(rowsOf(out.table, ['route_flag_id']).map((x) => x.route_flag_id)).toEqual([null, null, 'f-tha', 'f-tha', 'f-tha', null]);
    expect(out.counts.route_matches_outside_flagged_window).toBe(3);
  });

  it('origin_flagged_hub: a hub declared as the origin counts in the window, not in 2022', async () => {
    const r = routes([{ hub: 'MEX', hs6: '811010', flag: 'f-mex', prior: 0.05, controls: [judged('cn-2024-33', '2024-11', '2025-10')] }]);
    const t = await decl([
      line({ declaration_id: 'OLD', date: '2022-03-01', origin: 'MEX', departure: 'MEX' }),
      line({ declaration_id: 'NOW', date: '2025-03-01', origin: 'MEX', departure: 'MEX' }),
    ]);
    const out = screenDeclarations(t, catalog, r, p());
    expect(fired(out.table, 'origin_flagged_hub')).toEqual([false, true]);
    expect(rowsOf(out.table, ['hub_prior_export_share']).map((x) => x.hub_prior_export_share)).toEqual([null, 0.05]);
  });

  it('a route flagged under the US ban alone counts from the ban (2024-12-03), not under its unflagged licensing judgement before it; through the suspension it still counts, licensing stays', async () => {
    const r = routes([
      {
        hub: 'VNM', hs6: '811292', flag: 'f-vnm', prior: 0.5,
        controls: [judged('cn-2024-46', '2025-02', '2025-10', true, 'USA'), judged('cn-2023-23', '2023-10', '2024-09', false)],
      },
    ]);
    const gallium = { declared_code: '8112929010', description: 'Gallium', departure: 'VNM' };
    const dates = ['2024-06-01', '2024-12-02', '2024-12-03', '2025-05-01', '2025-12-01', '2026-10-31', '2026-11-01'];
    const t = await decl(dates.map((date, k) => line({ ...gallium, declaration_id: `G${k}`, date })));
    expect(fired(screenDeclarations(t, catalog, r, p()).table, 'via_flagged_hub')).toEqual([false, false, true, true, true, true, false]);
  });

  it('a control the catalog does not know counts from the window start; flaggedRouteMonthsAfter 0 ends it at the window end', async () => {
    const r = routes([{ hub: 'THA', hs6: '811010', flag: 'f-x', prior: 0.5, controls: [judged('xx-unknown', '2025-01', '2025-06')] }]);
    const dates = ['2024-12-31', '2025-01-01', '2025-06-30', '2025-07-01'];
    const t = await decl(dates.map((date, k) => line({ declaration_id: `X${k}`, date })));
    expect(fired(screenDeclarations(t, catalog, r, p({ flaggedRouteMonthsAfter: 0 })).table, 'via_flagged_hub')).toEqual([false, true, true, false]);
    expect(fired(screenDeclarations(t, catalog, r, p({ flaggedRouteMonthsAfter: 1 })).table, 'via_flagged_hub')).toEqual([false, true, true, true]);
  });

  it('a routes file without `controls` is read from its lead period columns and `flagged`; an unflagged row never counts', async () => {
    const t0 = new Table({
      origin: dictionaryVector(Int32Array.of(0, 0), ['CHN']),
      hub: dictionaryVector(Int32Array.of(0, 1), ['THA', 'MYS']),
      destination: dictionaryVector(Int32Array.of(0, 0), ['USA']),
      hs6: dictionaryVector(Int32Array.of(0, 0), ['811010']),
      flag_id: dictionaryVector(Int32Array.of(0, 1), ['f-tha', 'f-mys']),
      hub_prior_export_share: float64Vector(Float64Array.of(0.5, 0.5)),
      control_id: dictionaryVector(Int32Array.of(0, 0), ['cn-2024-33']),
      period_start: dictionaryVector(Int32Array.of(0, 0), ['2024-11']),
      period_end: dictionaryVector(Int32Array.of(0, 0), ['2025-10']),
      flagged: vectorFromArray([true, false], new Bool()),
    });
    const t = await decl([
      line({ declaration_id: 'A', date: '2022-03-01' }),
      line({ declaration_id: 'B', date: '2025-03-01' }),
      line({ declaration_id: 'C', date: '2025-03-01', departure: 'MYS' }),
    ]);
    expect(fired(screenDeclarations(t, catalog, t0, p()).table, 'via_flagged_hub')).toEqual([false, true, false]);
  });
});

describe('a ban reads imports as well as exports (banned_destination_via_third)', () => {
  it('fires on an import of Chinese-origin gallium into the USA through a third country while the ban is in force — not before it, not while suspended, not into Germany, not a direct import', async () => {
    const g = { declared_code: '8112929010', description: 'Gallium', origin: 'CHN' };
    const t = await decl([
      line({ ...g, declaration_id: 'VIA', date: '2025-03-01', departure: 'THA' }),
      line({ ...g, declaration_id: 'DIRECT', date: '2025-03-01', departure: 'CHN' }),
      line({ ...g, declaration_id: 'BEFORE', date: '2024-06-01', departure: 'THA' }),
      line({ ...g, declaration_id: 'SUSPENDED', date: '2025-12-01', departure: 'THA' }),
      line({ ...g, declaration_id: 'DEU', date: '2025-03-01', departure: 'THA', destination: 'DEU', office: 'DEU-01' }),
      line({ ...g, declaration_id: 'JPN', date: '2025-03-01', origin: 'JPN', departure: 'JPN' }),
    ]);
    const out = screenDeclarations(t, catalog, null, p());
    expect(fired(out.table, 'banned_destination_via_third')).toEqual([true, false, false, false, false, false]);
    expect(out.counts['rule.banned_destination_via_third']).toBe(1);
    // its own reason, weaker than an export into the ban
    expect(fired(out.table, 'banned_destination')).toEqual([false, false, false, false, false, false]);
    expect(p().weights.banned_destination_via_third).toBeLessThan(p().weights.banned_destination);
  });
});
