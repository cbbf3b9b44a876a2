import { describe, expect, it } from 'vitest';
import { DECLARATIONS_HEADER } from '../../src/synth/declarations-csv.ts';
import { SYNTH_PRODUCTS } from '../../src/synth/products.ts';
import { SEEDS, catalog, generated } from './worlds.ts';

const WORLDS = [...SEEDS.map((s) => ['easy', s] as const), ...[1, 5, 101, 110].map((s) => ['hard', s] as const)];
const LINES = new Map(SYNTH_PRODUCTS.flatMap((p) => p.lines.map((l) => [l.code, { product: p, line: l }] as const)));
const CATALOG_HS6 = new Set(catalog.intervals.map((iv) => iv.hs6));

describe('product lines against the catalog', () => {
  it('controlled lines are the catalog lines of their mineral; neighbours are uncontrolled lines the world declares', () => {
    for (const p of SYNTH_PRODUCTS) {
      for (const l of p.lines) {
        const rows = catalog.intervals.filter((iv) => iv.hs6 === p.hs6 && iv.mineral === l.mineral && iv.verified);
        if (l.mineral !== null && rows.length) expect(rows.some((iv) => iv.line10.includes(l.code)), l.code).toBe(true);
        if (l.mineral === null) expect(catalog.intervals.some((iv) => iv.line10.includes(l.code)), l.code).toBe(false);
      }
      for (const n of p.neighbours) {
        expect(CATALOG_HS6.has(n.slice(0, 6)), n).toBe(false);
        expect(LINES.has(n), n).toBe(true);
      }
    }
  });
});

describe.each(WORLDS)('declarations %s seed %i', (preset, seed) => {
  const g = generated(preset, seed);
  const { truth, declarations } = g;
  const rate = truth.currencies_usd;
  const usd = (d: Record<string, string>) => Number(d.value) * rate[d.currency];
  const uv = (d: Record<string, string>) => usd(d) / Number(d.net_mass_kg);
  const byId = new Map(declarations.map((d) => [d.declaration_id, d]));
  const anomalous = new Map(truth.declaration_anomalies.flatMap((a) => a.declaration_ids.map((id) => [id, a] as const)));
  const countries = new Set(truth.countries.map((c) => c.iso3));

  it('every declaration is valid in the canonical layout, ids unique and in date order', () => {
    expect(g.declarationHeader.join(',')).toBe(DECLARATIONS_HEADER);
    const bad: string[] = [];
    let lastDate = '';
    for (const d of declarations) {
      const fail = (why: string) => bad.push(`${d.declaration_id}: ${why}`);
      if (Object.values(d).some((v) => v === undefined)) fail('missing field');
      if (!/^D\d+-\d{6}$/.test(d.declaration_id)) fail('id');
      if (d.date < lastDate || !truth.periods.includes(d.date.slice(0, 7)) || !/^\d{4}-\d{2}-\d{2}$/.test(d.date)) fail(`date ${d.date}`);
      lastDate = d.date;
      if (d.direction !== 'import' && d.direction !== 'export') fail('direction');
      if (!/^\d{6,10}$/.test(d.declared_code)) fail(`code ${d.declared_code}`);
      for (const c of ['origin', 'departure', 'destination']) if (!countries.has(d[c])) fail(`${c} ${d[c]}`);
      if (d.direction === 'import' && d.destination !== truth.declarations_country) fail('import not into the declaring country');
      if (d.direction === 'export' && d.departure !== truth.declarations_country) fail('export not from the declaring country');
      if (!/^\d+(\.\d{1,3})?$/.test(d.net_mass_kg) || !(Number(d.net_mass_kg) > 0)) fail(`mass ${d.net_mass_kg}`);
      if (!/^\d+(\.\d{1,3})?$/.test(d.quantity) || !['kg', 't'].includes(d.quantity_unit)) fail('quantity');
      if (!/^\d+(\.\d{1,2})?$/.test(d.value) || !(Number(d.value) > 0) || !(d.currency in rate)) fail(`value ${d.value} ${d.currency}`);
      if (!['sea', 'air', 'road', 'rail'].includes(d.transport_mode)) fail('mode');
      if (!d.description || !d.declarant || !d.exporter || !d.importer || !d.seller || !d.office) fail('empty party or text');
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(byId.size).toBe(declarations.length);
    expect(declarations.some((d) => /[\u4e00-\u9fff]/.test(d.description))).toBe(true);
    expect(declarations.some((d) => d.currency !== 'USD')).toBe(true);
  });

  it('labels the history only, 1 exactly where the truth lists an anomaly', () => {
    const cutoff = truth.periods[Math.floor(truth.knobs.labelledShare * truth.periods.length)];
    for (const d of declarations) {
      if (d.date.slice(0, 7) >= cutoff) expect(d.label, d.declaration_id).toBe('');
      else expect(d.label, d.declaration_id).toBe(anomalous.has(d.declaration_id) ? '1' : '0');
    }
  });

  it('the truth lists declarations that exist, each in one anomaly, with the preset counts', () => {
    for (const id of anomalous.keys()) expect(byId.has(id), id).toBe(true);
    const ids = truth.declaration_anomalies.flatMap((a) => a.declaration_ids);
    expect(new Set(ids).size).toBe(ids.length);
    const count = (k: string) => truth.declaration_anomalies.filter((a) => a.kind === k).length;
    expect(count('misclassification')).toBe(truth.knobs.misclassificationCount);
    expect(count('undervaluation')).toBe(truth.knobs.undervaluationCount);
    expect(count('split_shipment')).toBe(truth.knobs.splitShipmentGroups);
    const mismatched = truth.declaration_anomalies.filter((a) => a.kind === 'origin_mismatch').flatMap((a) => a.declaration_ids);
    expect(mismatched.length).toBeGreaterThanOrEqual(truth.knobs.originMismatchMin);
  });

  it('misclassified goods carry an uncontrolled code, and their description or unit value tells', () => {
    for (const a of truth.declaration_anomalies.filter((x) => x.kind === 'misclassification')) {
      const d = byId.get(a.declaration_ids[0])!;
      expect(d.declared_code).toBe(a.declared_code);
      expect(CATALOG_HS6.has(d.declared_code.slice(0, 6)), a.id).toBe(false);
      expect(CATALOG_HS6.has(a.hs6), a.id).toBe(true);
      const mineral = SYNTH_PRODUCTS.find((p) => p.hs6 === a.hs6)!.lines.find((l) => l.en.includes(d.description) || l.zh.includes(d.description))?.mineral;
      if (a.signal === 'description') {
        const words = catalog.keywords.filter((k) => k.mineral === mineral).map((k) => k.keyword.toLowerCase());
        expect(words.some((w) => d.description.toLowerCase().includes(w)), `${a.id} ${d.description}`).toBe(true);
      } else {
        const [, hi] = LINES.get(d.declared_code)!.line.unitValueUsdPerKg;
        expect(uv(d), a.id).toBeGreaterThan(hi * 1.5);
      }
    }
  });

  it('under-valued declarations sit far below their line range; split shipments stay under the threshold', () => {
    for (const a of truth.declaration_anomalies.filter((x) => x.kind === 'undervaluation')) {
      const d = byId.get(a.declaration_ids[0])!;
      const [lo] = LINES.get(d.declared_code)!.line.unitValueUsdPerKg;
      expect(uv(d), `${a.id} ${d.declared_code}`).toBeLessThan(lo * truth.knobs.undervaluationFactor[1] * 1.01);
    }
    for (const a of truth.declaration_anomalies.filter((x) => x.kind === 'split_shipment')) {
      const lots = a.declaration_ids.map((id) => byId.get(id)!);
      expect(lots.length).toBeGreaterThanOrEqual(truth.knobs.splitShipments[0]);
      expect(new Set(lots.map((d) => d.importer))).toEqual(new Set([a.party]));
      expect(new Set(lots.map((d) => d.date.slice(0, 7))).size).toBe(1);
      for (const d of lots) {
        expect(usd(d)).toBeLessThan(truth.knobs.splitThresholdUsd);
        expect(usd(d)).toBeGreaterThan(0.85 * truth.knobs.splitThresholdUsd);
      }
      expect(declarations.filter((d) => d.importer === a.party).length, 'a new party').toBe(lots.length);
    }
  });

  it('origin ≠ departure is a route hub listed in the truth, or a steady entrepôt', () => {
    const entrepots = new Set(truth.distractors.filter((d) => d.kind === 'steady_entrepot').map((d) => d.countries[0]));
    for (const d of declarations.filter((x) => x.origin !== x.departure)) {
      const a = anomalous.get(d.declaration_id);
      if (a?.kind === 'origin_mismatch') {
        const route = truth.routes.find((r) => r.id === a.route_id)!;
        expect([d.origin, d.departure, d.importer, d.declared_code.slice(0, 6)]).toEqual(['CHN', route.hub, a.party, route.hs6]);
        expect(d.date.slice(0, 7) >= route.start_period, d.declaration_id).toBe(true);
      } else expect(entrepots.has(d.departure), `${d.declaration_id} ${d.origin}→${d.departure}`).toBe(true);
    }
  });

  it('a controlled mineral named under an uncontrolled code is always an injected misclassification', () => {
    const controlled = new Set(catalog.intervals.filter((iv) => iv.verified).map((iv) => iv.mineral));
    const words = catalog.keywords.filter((k) => controlled.has(k.mineral));
    for (const d of declarations) {
      const p = LINES.get(d.declared_code)?.product;
      if (!p || CATALOG_HS6.has(p.hs6)) continue;
      const hit = words.find((k) => k.mineral !== p.mineral && d.description.toLowerCase().includes(k.keyword.toLowerCase()));
      if (hit) expect(anomalous.get(d.declaration_id)?.kind, `${d.declaration_id} ${d.description}`).toBe('misclassification');
    }
  });
});
