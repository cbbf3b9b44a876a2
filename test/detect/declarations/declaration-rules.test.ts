import { Table } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { DECLARATION_RULES, declarationRuleDefaults, screenDeclarations, type DeclarationRuleParams } from '../../../src/detect/declarations/declaration-rules.ts';
import { loadCatalog } from '../../../src/io/catalog.ts';
import type { Catalog } from '../../../src/reference/catalog.ts';
import { dictionaryVector, float64Vector } from '../../../src/table/columns.ts';
import { rowsOf } from '../../helpers.ts';
import { ORDINARY, declarationLine, declarationTable } from './declaration-lines.ts';

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog();
});

const decl = declarationTable;

const BASE = ORDINARY;
const line = (f: Partial<Record<string, string | number>>): string => declarationLine(BASE, f);

const fired = (t: Table, rule: string) => rowsOf(t, [`rule_${rule}`]).map((r) => r[`rule_${rule}`]);
const p = (over: Partial<DeclarationRuleParams> = {}) => ({ ...declarationRuleDefaults, ...over });

describe('screenDeclarations', () => {
  it('gives an empty result for no declarations, and names a missing column', async () => {
    const r = screenDeclarations(await decl([]), catalog, null, p());
    expect(r.table.numRows).toBe(0);
    expect(r.counts['rule.unit_value_outlier']).toBe(0);
    expect(() => screenDeclarations(new Table({ date: dictionaryVector(new Int32Array(0), []) }), catalog, null, p())).toThrow(/hs6/);
  });

  it('fires the price filter on a unit value far from its line, description and origin — and not on an ordinary ±20% price', async () => {
    // 20 plates at USD 30/kg ±10%, one at 30 × e^(−3.5 × 0.25) (exactly at the threshold with the spread floor), one at −20%
    const rows = Array.from({ length: 20 }, (_, k) => line({ declaration_id: `D${k}`, value: 30000 * (1 + ((k % 5) - 2) * 0.05) }));
    rows.push(line({ declaration_id: 'AT', value: 30000 * Math.exp(-3.5 * 0.25) * 0.999 }), line({ declaration_id: 'OK', value: 24000 }));
    const r = screenDeclarations(await decl(rows), catalog, null, p());
    const out = rowsOf(r.table, ['rule_unit_value_outlier', 'unit_value_robust_z']);
    expect(out[20].rule_unit_value_outlier).toBe(true);
    expect(out[20].unit_value_robust_z as number).toBeLessThan(-3.5);
    expect(out[21]).toMatchObject({ rule_unit_value_outlier: false });
    expect(r.counts['rule.unit_value_outlier']).toBe(1);
  });

  it('fires on a controlled mineral named in the description under another code, only once the control is in force, and reads Chinese', async () => {
    const t = await decl([
      line({ declaration_id: 'A', date: '2024-03-01', declared_code: '8112310000', description: 'Gallium metal 99.99%', origin: 'CHN', departure: 'CHN' }),
      line({ declaration_id: 'B', date: '2023-06-01', declared_code: '8112310000', description: 'Gallium metal 99.99%', origin: 'CHN', departure: 'CHN' }), // before 2023-08-01
      line({ declaration_id: 'C', date: '2024-03-01', declared_code: '8112929010', description: 'Gallium metal 99.99%', origin: 'CHN', departure: 'CHN' }), // its own code
      line({ declaration_id: 'D', date: '2024-03-01', declared_code: '8113000000', description: '金属镓', origin: 'CHN', departure: 'CHN' }),
    ]);
    const r = screenDeclarations(t, catalog, null, p());
    expect(fired(r.table, 'misclassified_description')).toEqual([true, false, false, true]);
    expect(rowsOf(r.table, ['misclassified_mineral']).map((x) => x.misclassified_mineral)).toEqual(['gallium', null, null, 'gallium']);
  });

  it("does not take the mineral's word alone under its known uncontrolled home (lump graphite, 250490) unless that description also comes under the controlled code", async () => {
    const t = await decl([
      line({ declaration_id: 'A', declared_code: '2504900000', description: 'Natural graphite in lumps', origin: 'CHN', departure: 'CHN' }),
      line({ declaration_id: 'B', declared_code: '2504900000', description: 'Natural flake graphite, -100 mesh', origin: 'CHN', departure: 'CHN' }),
      line({ declaration_id: 'C', declared_code: '2504101000', description: 'Natural flake graphite, -100 mesh', origin: 'CHN', departure: 'CHN' }),
    ]);
    expect(fired(screenDeclarations(t, catalog, null, p()).table, 'misclassified_description')).toEqual([false, true, false]);
  });

  it('fires on a controlled code exported from China towards a destination under the ban, not while the ban is suspended', async () => {
    const t = await decl([
      line({ declaration_id: 'A', direction: 'export', date: '2025-03-01', declared_code: '8112929010', description: 'Gallium', origin: 'CHN', departure: 'CHN', destination: 'USA' }),
      line({ declaration_id: 'B', direction: 'export', date: '2025-12-01', declared_code: '8112929010', description: 'Gallium', origin: 'CHN', departure: 'CHN', destination: 'USA' }),
      line({ declaration_id: 'C', direction: 'export', date: '2025-03-01', declared_code: '8112929010', description: 'Gallium', origin: 'CHN', departure: 'CHN', destination: 'DEU' }),
      line({ declaration_id: 'D', direction: 'import', date: '2025-03-01', declared_code: '8112929010', description: 'Gallium', origin: 'CHN', departure: 'CHN', destination: 'USA' }),
    ]);
    expect(fired(screenDeclarations(t, catalog, null, p()).table, 'banned_destination')).toEqual([true, false, false, false]);
  });

  it('fires on origin ≠ departure through a flagged hub, and on a flagged hub with little prior trade declared as the origin', async () => {
    const routes = new Table({
      origin: dictionaryVector(Int32Array.of(0, 0), ['CHN']),
      hub: dictionaryVector(Int32Array.of(0, 1), ['THA', 'MEX']),
      destination: dictionaryVector(Int32Array.of(0, 0), ['USA']),
      hs6: dictionaryVector(Int32Array.of(0, 0), ['811010']),
      flag_id: dictionaryVector(Int32Array.of(0, 1), ['f-tha', 'f-mex']),
      hub_prior_export_share: float64Vector(Float64Array.of(0.05, 0.5)),
      // flagged for the antimony licence's post window (a route counts only on dates it was flagged for:
      // test/detect/declarations/declaration-route-windows.test.ts)
      control_id: dictionaryVector(Int32Array.of(0, 0), ['cn-2024-33']),
      period_start: dictionaryVector(Int32Array.of(0, 0), ['2024-11']),
      period_end: dictionaryVector(Int32Array.of(0, 0), ['2025-10']),
    });
    const t = await decl([
      line({ declaration_id: 'A', date: '2025-03-01', declared_code: '8110101000', description: 'Antimony ingots', origin: 'CHN', departure: 'THA' }),
      line({ declaration_id: 'B', date: '2025-03-01', declared_code: '8110101000', description: 'Antimony ingots', origin: 'THA', departure: 'THA' }),
      line({ declaration_id: 'C', date: '2025-03-01', declared_code: '8110101000', description: 'Antimony ingots', origin: 'MEX', departure: 'MEX' }), // sold before: prior share 0.5
      line({ declaration_id: 'D', date: '2025-03-01', declared_code: '8110101000', description: 'Antimony ingots', origin: 'CHN', departure: 'VNM' }),
    ]);
    const r = screenDeclarations(t, catalog, routes, p());
    expect(fired(r.table, 'via_flagged_hub')).toEqual([true, false, false, false]);
    expect(fired(r.table, 'origin_flagged_hub')).toEqual([false, true, false, false]);
    expect(rowsOf(r.table, ['route_flag_id']).map((x) => x.route_flag_id)).toEqual(['f-tha', 'f-tha', null, null]);
  });

  it('fires on net mass against a quantity in tonnes beyond 5%, not at 4%', async () => {
    const t = await decl([
      line({ declaration_id: 'A', net_mass_kg: 1060, quantity: 1, quantity_unit: 't' }),
      line({ declaration_id: 'B', net_mass_kg: 1040, quantity: 1, quantity_unit: 't' }),
    ]);
    const r = screenDeclarations(t, catalog, null, p());
    expect(fired(r.table, 'mass_quantity_mismatch')).toEqual([true, false]);
    expect(rowsOf(r.table, ['mass_quantity_ratio'])[0].mass_quantity_ratio).toBeCloseTo(1.06, 12);
  });

  it('fires on a value per piece far from its line and unit, and never on a quantity in kg', async () => {
    // 20 lots of wafers at USD 40 a piece ±10%, one at USD 4 a piece; the same prices per kg do not count here
    const rows = Array.from({ length: 20 }, (_, k) => line({ declaration_id: `W${k}`, quantity: 100, quantity_unit: 'u', net_mass_kg: 2, value: 4000 * (1 + ((k % 5) - 2) * 0.05) }));
    rows.push(line({ declaration_id: 'CHEAP', quantity: 100, quantity_unit: 'u', net_mass_kg: 2, value: 400 }));
    rows.push(line({ declaration_id: 'KG', quantity: 1000, quantity_unit: 'kg', value: 3000 }));
    const r = screenDeclarations(await decl(rows), catalog, null, p());
    expect(fired(r.table, 'value_quantity_outlier')).toEqual([...Array(20).fill(false), true, false]);
    expect(rowsOf(r.table, ['value_per_unit_robust_z'])[20].value_per_unit_robust_z as number).toBeCloseTo(Math.log(0.1) / 0.25, 6);
    expect(rowsOf(r.table, ['value_per_unit_robust_z'])[21].value_per_unit_robust_z).toBeNull();
  });

  it('fires on one party with four lots just under USD 2,500 inside ten days, not on three, nor on lots spread wider', async () => {
    const lot = (id: string, imp: string, date: string, v = 2400) => line({ declaration_id: id, importer: imp, date, value: v });
    const t = await decl([
      lot('A1', 'IMP-A', '2024-03-01'), lot('A2', 'IMP-A', '2024-03-03'), lot('A3', 'IMP-A', '2024-03-06'), lot('A4', 'IMP-A', '2024-03-10'),
      lot('B1', 'IMP-B', '2024-03-01'), lot('B2', 'IMP-B', '2024-03-03'), lot('B3', 'IMP-B', '2024-03-06'), lot('B4', 'IMP-B', '2024-03-01', 2000),
      lot('C1', 'IMP-C', '2024-03-01'), lot('C2', 'IMP-C', '2024-03-11'), lot('C3', 'IMP-C', '2024-03-21'), lot('C4', 'IMP-C', '2024-03-31'),
    ]);
    const r = screenDeclarations(t, catalog, null, p());
    expect(fired(r.table, 'split_shipment')).toEqual([true, true, true, true, false, false, false, false, false, false, false, false]);
    expect(rowsOf(r.table, ['split_lots_in_window'])[0].split_lots_in_window).toBe(4);
  });

  it('fires on a consignee first seen within 90 days with USD 50,000 of controlled goods (antimony, controlled from 2024-09-15); history moves first seen back', async () => {
    const t = await decl([
      line({ declaration_id: 'A', importer: 'NEW', date: '2025-01-06', declared_code: '8110101000', description: 'Antimony ingots', origin: 'CHN', departure: 'CHN', value: 30000 }),
      line({ declaration_id: 'B', importer: 'NEW', date: '2025-02-06', declared_code: '8110101000', description: 'Antimony ingots', origin: 'CHN', departure: 'CHN', value: 30000 }),
      line({ declaration_id: 'C', importer: 'SMALL', date: '2025-01-06', declared_code: '8110101000', description: 'Antimony ingots', origin: 'CHN', departure: 'CHN', value: 40000 }),
    ]);
    const r = screenDeclarations(t, catalog, null, p());
    expect(fired(r.table, 'new_consignee')).toEqual([true, true, false]);
    expect(rowsOf(r.table, ['consignee_age_days']).map((x) => x.consignee_age_days)).toEqual([0, 31, null]);
    const history = await decl([line({ declaration_id: 'H', importer: 'NEW', date: '2023-01-01' })]);
    expect(fired(screenDeclarations(t, catalog, null, p(), history).table, 'new_consignee')).toEqual([false, false, false]);
  });

  it('scores the rules as 1 − Π(1 − w) and lists them as reasons', async () => {
    const t = await decl([line({ declaration_id: 'A', net_mass_kg: 1100, quantity: 1, quantity_unit: 't', direction: 'export', date: '2025-03-01', declared_code: '8112929010', description: 'Gallium', origin: 'CHN', departure: 'CHN', destination: 'USA' })]);
    const r = screenDeclarations(t, catalog, null, p());
    const row = rowsOf(r.table, ['rules_score', 'reasons'])[0];
    const w = declarationRuleDefaults.weights;
    expect(row.rules_score as number).toBeCloseTo(1 - (1 - w.banned_destination) * (1 - w.mass_quantity_mismatch), 12);
    expect([...(row.reasons as { toArray(): string[] }).toArray()]).toEqual(['banned_destination', 'mass_quantity_mismatch']);
    expect(DECLARATION_RULES.every((x) => r.table.getChild(`rule_${x}`))).toBe(true);
  });
});
