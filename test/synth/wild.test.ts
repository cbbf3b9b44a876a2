import { describe, expect, it } from 'vitest';
import { synthWorld } from '../../src/synth/synth-world.ts';
import type { DistractorTruth, MirrorAnomalyTruth, RouteTruth } from '../../src/synth/truth.ts';
import { SYNTH_FAMILIES, WILD_DRAWS, holdOutOverrides } from '../../src/synth/wild-knobs.ts';
import { resolveSynthKnobs } from '../../src/synth/knobs.ts';
import { type Generated, type TradeRow, addMonths, catalog, generated, meanOver, monthly } from './worlds.ts';

/** Seeds searched for a world that holds a family (the tuning seeds and beyond; each family shows in some). */
const SEARCH = Array.from({ length: 12 }, (_, i) => i + 1);

/** The first searched world where `pick` finds something, with what it found. */
function first<T>(pick: (g: Generated) => T | undefined): [Generated, T] {
  for (const seed of SEARCH) {
    const g = generated('wild', seed);
    const found = pick(g);
    if (found !== undefined) return [g, found];
  }
  throw new Error('no searched wild world holds it');
}
const distractor = (kind: DistractorTruth['kind'], extra: (g: Generated, d: DistractorTruth) => boolean = () => true) =>
  first((g) => g.truth.distractors.find((d) => d.kind === kind && extra(g, d)));
const anomaly = (kind: MirrorAnomalyTruth['kind'], extra: (g: Generated, m: MirrorAnomalyTruth) => boolean = () => true) =>
  first((g) => g.truth.mirror_anomalies.find((m) => m.kind === kind && extra(g, m)));
const route = (family: string, extra: (g: Generated, r: RouteTruth) => boolean = () => true) =>
  first((g) => g.truth.routes.find((r) => r.families?.includes(family) && extra(g, r)));
const monthlyReporter = (g: Generated, c: string) => !(g.truth.annual_reporters ?? []).includes(c) && !g.truth.non_reporters.some((n) => n.iso3 === c);

/** Total rows of a reporter's flow to a partner (any partner when null) of a code, per period. */
function series(g: Generated, reporter: string, flow: string, partner: string | null, hs6: string, keep: (r: TradeRow) => boolean = () => true): Map<string, number> {
  return monthly(g.trade, (r) => r.reporter === reporter && r.flow === flow && (partner === null ? r.partner.length === 3 && r.partner !== 'WLD' : r.partner === partner) && r.hs6 === hs6 && keep(r));
}
const sum = (s: Map<string, number>) => [...s.values()].reduce((a, b) => a + b, 0);
const periodsOf = (g: Generated) => g.truth.periods;
const lastPeriod = (g: Generated) => periodsOf(g)[periodsOf(g).length - 1];

describe('synth --preset wild', () => {
  it('is byte-identical per seed, and two seeds differ in which countries play which part', () => {
    const a = synthWorld({ seed: 7, preset: 'wild' }, catalog);
    const b = synthWorld({ seed: 7, preset: 'wild' }, catalog);
    expect(Object.keys(a.files).sort()).toEqual(Object.keys(b.files).sort());
    expect(Object.keys(a.files).filter((f) => a.files[f] !== b.files[f])).toEqual([]);
    const one = generated('wild', 1).truth;
    const two = generated('wild', 2).truth;
    expect(one.knobs.hubCountries).not.toEqual(two.knobs.hubCountries);
    expect(one.routes.map((r) => `${r.hub}→${r.destination} ${r.hs6}`)).not.toEqual(two.routes.map((r) => `${r.hub}→${r.destination} ${r.hs6}`));
    expect(one.knobs.flowSigma).not.toBe(two.knobs.flowSigma);
  });

  it('draws knobs within their stated ranges, every knob with a source', () => {
    const noSource = Object.entries(WILD_DRAWS).filter(([, d]) => !d.source || !d.range).map(([k]) => k);
    expect(noSource).toEqual([]);
    const out: string[] = [];
    for (const seed of SEARCH) {
      const k = generated('wild', seed).truth.knobs;
      if (!(k.flowSigma >= 0.2 && k.flowSigma <= 0.6)) out.push(`${seed} flowSigma ${k.flowSigma}`);
      if (!(k.routeCount >= 4 && k.routeCount <= 12)) out.push(`${seed} routeCount ${k.routeCount}`);
      if (!(k.divertedShare[0] >= 0.1 && k.divertedShare[1] <= 0.7 && k.divertedShare[1] - k.divertedShare[0] >= 0.15)) out.push(`${seed} divertedShare ${k.divertedShare}`);
      if (k.codes.includes('811292') !== k.codes.includes('811231')) out.push(`${seed} 811292 without its comparator`);
      if ((k.hubCountries ?? []).some((h) => k.entrepots.includes(h) || h === 'CHN')) out.push(`${seed} a hub is the origin or an entrepôt`);
    }
    expect(out).toEqual([]);
  });

  it('holds every family of truth.json in some world of seeds 1–12, and --hold-out leaves one out', () => {
    const seen = new Set<string>();
    for (const seed of SEARCH) {
      const t = generated('wild', seed).truth;
      for (const r of t.routes) for (const f of r.families ?? []) seen.add(f);
      for (const d of t.distractors) seen.add(d.kind);
      for (const m of t.mirror_anomalies) seen.add(m.kind);
    }
    expect(SYNTH_FAMILIES.map((f) => f.name).filter((f) => !seen.has(f))).toEqual([]);
    const held = synthWorld({ seed: 2, preset: 'wild', overrides: { holdOut: ['producer_hub', 'ghost_exports'] } }, catalog).truth;
    expect(generated('wild', 2).truth.distractors.some((d) => d.kind === 'producer_hub')).toBe(true);
    expect(held.distractors.filter((d) => d.kind === 'producer_hub')).toEqual([]);
    expect(held.mirror_anomalies.filter((m) => m.kind === 'ghost_exports')).toEqual([]);
    expect(() => holdOutOverrides(['no_such_family'])).toThrow("unknown family 'no_such_family'");
    expect(resolveSynthKnobs('wild', { holdOut: ['timing'] }, 3).timingCount).toBe(0);
  });
});

describe('wild distractors show in the CSV as described', () => {
  it('producer hub: its exports rise far more than its imports from the origin, which rise too, and exceed them', () => {
    const [g, d] = distractor('producer_hub', (g, d) => monthlyReporter(g, d.countries[0]));
    const [p] = d.countries;
    const t0 = d.from_period;
    const pre = [periodsOf(g)[0], t0] as const;
    const post = [addMonths(t0, 4), lastPeriod(g)] as const;
    const x = series(g, p, 'X', null, d.hs6);
    const m = series(g, p, 'M', 'CHN', d.hs6);
    const rise = (s: Map<string, number>) => meanOver(s, periodsOf(g), ...post) / meanOver(s, periodsOf(g), ...pre);
    expect(rise(x)).toBeGreaterThan(1.3);
    expect(rise(x)).toBeGreaterThan(rise(m));
    expect(meanOver(x, periodsOf(g), ...post)).toBeGreaterThan(meanOver(m, periodsOf(g), ...post));
  });

  it('steady entrepôt: imports from China unchanged by the control, re-exported (RX rows)', () => {
    const [g, d] = distractor('steady_entrepot', (g, d) => monthlyReporter(g, d.countries[0]));
    const [e] = d.countries;
    const control = g.truth.controls.find((c) => c.hs6 === d.hs6 && c.kind === 'licensing');
    const at = control?.start_period ?? periodsOf(g)[Math.floor(periodsOf(g).length / 2)];
    const s = series(g, e, 'M', 'CHN', d.hs6);
    const ratio = meanOver(s, periodsOf(g), at, lastPeriod(g)) / meanOver(s, periodsOf(g), periodsOf(g)[0], at);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
    expect(g.trade.some((r) => r.reporter === e && r.flow === 'RX' && r.hs6 === d.hs6)).toBe(true);
  });

  it('stockpiling: China\'s exports in the month before a licensing control beat the month before that', () => {
    const [g, d] = distractor('stockpiling', (_, d) => (d.factor ?? 0) >= 1.8);
    const s = series(g, 'CHN', 'X', null, d.hs6);
    expect(s.get(d.from_period)!).toBeGreaterThan(s.get(addMonths(d.from_period, -1))!);
  });

  it('new mine: exports from nothing, no imports of the code from the origin', () => {
    const [g, d] = distractor('new_mine', (g, d) => monthlyReporter(g, d.countries[0]));
    const [mine] = d.countries;
    const x = series(g, mine, 'X', null, d.hs6);
    expect(meanOver(x, periodsOf(g), periodsOf(g)[0], d.from_period)).toBe(0);
    expect(sum(x)).toBeGreaterThan(0);
    expect(sum(series(g, mine, 'M', 'CHN', d.hs6)) + sum(series(g, 'CHN', 'X', mine, d.hs6))).toBe(0);
  });

  it('broad growth: the hub takes more from China of an uncontrolled code as of the controlled one', () => {
    const [g, d] = distractor('broad_growth', (g, d) => monthlyReporter(g, d.countries[0]));
    const [hub] = d.countries;
    const rise = (hs6: string) => {
      const s = series(g, hub, 'M', 'CHN', hs6);
      return meanOver(s, periodsOf(g), addMonths(d.from_period, 6), lastPeriod(g)) / meanOver(s, periodsOf(g), periodsOf(g)[0], d.from_period);
    };
    expect(rise('750210')).toBeGreaterThan(1.3);
    expect(rise(d.hs6)).toBeGreaterThan(0.5); // the controlled code grows too, on top of licensing's cut
  });

  it('demand growth: the destination buys more from every source', () => {
    const [g, d] = distractor('demand_growth', (g, d) => monthlyReporter(g, d.countries[0]));
    const s = series(g, d.countries[0], 'M', null, d.hs6);
    const before = meanOver(s, periodsOf(g), addMonths(d.from_period, -6), d.from_period);
    const after = meanOver(s, periodsOf(g), addMonths(d.from_period, 6), addMonths(d.from_period, 12));
    expect(after / before).toBeGreaterThan(1.2);
  });

  it('reporting change: the reporter has rows on one side of the month only', () => {
    const [g, d] = distractor('reporting_change');
    const [c] = d.countries;
    const rows = g.trade.filter((r) => r.reporter === c);
    const before = rows.filter((r) => r.period < d.from_period).length;
    const after = rows.filter((r) => r.period >= d.from_period).length;
    expect(d.detail === 'starts' ? [before, after > 0] : [after, before > 0]).toEqual([0, true]);
  });

  it('partial publication: in its months the reporter leaves out the dropped partners and keeps the others', () => {
    const [g, d] = distractor('partial_publication');
    const [c, ...dropped] = d.countries;
    const months = new Set(d.detail!.split(','));
    const inMonths = g.trade.filter((r) => r.reporter === c && months.has(r.period));
    expect(inMonths.filter((r) => dropped.includes(r.partner))).toEqual([]);
    expect(inMonths.filter((r) => r.partner.length === 3 && r.partner !== 'WLD').length).toBeGreaterThan(0);
    expect(g.trade.some((r) => r.reporter === c && !months.has(r.period) && dropped.includes(r.partner))).toBe(true);
  });

  it('re-import: a country recorded as its own partner', () => {
    const [g, d] = distractor('reimport');
    expect(g.trade.some((r) => r.isTotal && r.reporter === d.countries[0] && r.partner === d.countries[0] && r.flow === 'M' && r.hs6 === d.hs6)).toBe(true);
  });

  it('HS2017 scope: the BACI HS17 file counts the pair\'s hafnium inside 811292, growing', () => {
    const [g, d] = distractor('hs2017_scope');
    const [e, i] = d.countries;
    const name = Object.keys(g.out.files).find((f) => f.startsWith('trade/BACI_HS17_'))!;
    const code = (iso3: string) => (iso3 === 'ITA' ? 380 : g.truth.countries.find((c) => c.iso3 === iso3)!.comtrade_code);
    const rows = g.out.files[name].trimEnd().split('\n').slice(1).map((l) => l.split(',')).filter((f) => Number(f[1]) === code(e) && Number(f[2]) === code(i));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const usd = rows.map((f) => Number(f[4]) * 1000);
    expect(usd[usd.length - 1]).toBeGreaterThan(1.3 * usd[0]);
    // the HS2022 panel's 811292 for that pair holds none of the hafnium
    const year = rows[rows.length - 1][0];
    const hs22 = sum(monthly(g.trade, (r) => r.reporter === e && r.flow === 'X' && r.partner === i && r.hs6 === '811292' && r.period.startsWith(year)));
    const hafnium = sum(monthly(g.trade, (r) => r.reporter === e && r.flow === 'X' && r.partner === i && r.hs6 === '811231' && r.period.startsWith(year)));
    expect(hafnium).toBeGreaterThan(0);
    expect(usd[usd.length - 1]).toBeGreaterThan(hs22 + 0.5 * hafnium);
  });
});

describe('wild routes show in the CSV as described', () => {
  it('over existing trade: the hub already sold to the destination before the route began', () => {
    const [g, r] = route('over_existing_trade', (g, r) => monthlyReporter(g, r.destination));
    const destM = series(g, r.destination, 'M', r.hub, r.hs6);
    const before = meanOver(destM, periodsOf(g), periodsOf(g)[0], r.start_period);
    expect(before).toBeGreaterThan(0);
    expect(meanOver(destM, periodsOf(g), addMonths(r.start_period, r.leg_gap_months + 1), lastPeriod(g))).toBeGreaterThan(1.5 * before);
  });

  it('hub records none: a silent hub, or a free zone that hides (almost) all of it', () => {
    const [g, r] = route('hub_records_none');
    const silent = g.truth.non_reporters.some((n) => n.iso3 === r.hub && n.reason === 'hub');
    expect(silent || (r.free_zone && r.free_zone_hidden_share >= 0.95)).toBe(true);
    if (silent) expect(g.trade.filter((x) => x.reporter === r.hub)).toEqual([]);
  });

  it('origin kept: the destination books the diverted goods from China', () => {
    const [g, r] = route('origin_kept', (g, r) => monthlyReporter(g, r.destination));
    const from = addMonths(r.start_period, r.leg_gap_months + 1);
    const booked = meanOver(series(g, r.destination, 'M', 'CHN', r.hs6), periodsOf(g), from, lastPeriod(g));
    const sent = meanOver(series(g, 'CHN', 'X', r.destination, r.hs6), periodsOf(g), from, lastPeriod(g));
    expect(booked).toBeGreaterThan(1.2 * sent);
  });

  it('annual leg: the hub or the destination publishes annual totals', () => {
    const [g, r] = route('annual_leg');
    expect(g.trade.some((x) => x.freq === 'A' && (x.reporter === r.hub || x.reporter === r.destination))).toBe(true);
    expect(g.trade.some((x) => x.freq === 'A' && x.reporter === 'CHN')).toBe(false);
  });

  it('hub records part: the hub books less from China than China says it sent', () => {
    const [g, r] = route('hub_records_part', (g, r) => monthlyReporter(g, r.hub) && r.free_zone_hidden_share < 0.9);
    const from = addMonths(r.start_period, 1);
    const sent = meanOver(series(g, 'CHN', 'X', r.hub, r.hs6), periodsOf(g), from, lastPeriod(g));
    const booked = meanOver(series(g, r.hub, 'M', 'CHN', r.hs6), periodsOf(g), from, lastPeriod(g));
    expect(booked).toBeGreaterThan(0);
    expect(booked).toBeLessThan(sent);
  });
});

describe('wild mirror anomalies show in the CSV as described', () => {
  it('under-declared exports and ghost imports: the importer books far more than the exporter', () => {
    for (const kind of ['under_declared_exports', 'ghost_imports'] as const) {
      const [g, m] = anomaly(kind, (g, m) => monthlyReporter(g, m.exporter) && monthlyReporter(g, m.importer));
      const after = (s: Map<string, number>) => meanOver(s, periodsOf(g), addMonths(m.from_period, 1), addMonths(lastPeriod(g), -3));
      expect(after(series(g, m.importer, 'M', m.exporter, m.hs6)), kind).toBeGreaterThan(1.3 * after(series(g, m.exporter, 'X', m.importer, m.hs6)));
    }
  });

  it('confidential: the exporter drops the partner but keeps the value in World (legitimate)', () => {
    const [g, m] = anomaly('confidential', (g, m) => monthlyReporter(g, m.exporter));
    const after = g.trade.filter((r) => r.reporter === m.exporter && r.flow === 'X' && r.partner === m.importer && r.hs6 === m.hs6 && r.period >= m.from_period);
    expect(after).toEqual([]);
    expect(sum(series(g, m.importer, 'M', m.exporter, m.hs6, (r) => r.period >= m.from_period))).toBeGreaterThan(0);
  });

  it('ghost exports: China records exports the importer never books', () => {
    const [g, m] = anomaly('ghost_exports');
    expect(sum(series(g, 'CHN', 'X', m.importer, m.hs6))).toBeGreaterThan(0);
    expect(sum(series(g, m.importer, 'M', 'CHN', m.hs6))).toBe(0);
  });

  it('origin-recorded imports: the destination books from China what the hub shipped', () => {
    const [g, m] = anomaly('origin_recorded_imports');
    const booked = g.truth.mirror_anomalies.find((x) => x.kind === 'booked_elsewhere' && x.importer === m.importer && x.hs6 === m.hs6)!;
    const after = (s: Map<string, number>) => meanOver(s, periodsOf(g), addMonths(m.from_period, 1), addMonths(lastPeriod(g), -3));
    expect(after(series(g, m.importer, 'M', 'CHN', m.hs6))).toBeGreaterThan(1.15 * after(series(g, 'CHN', 'X', m.importer, m.hs6)));
    expect(sum(series(g, booked.exporter, 'X', m.importer, m.hs6))).toBeGreaterThan(0);
    expect(sum(series(g, m.importer, 'M', booked.exporter, m.hs6))).toBe(0);
  });

  it('weight gap: about the same value, very different kilograms', () => {
    const [g, m] = anomaly('weight_gap');
    const totals = (reporter: string, flow: string, partner: string) => {
      const rows = g.trade.filter((r) => r.isTotal && r.reporter === reporter && r.flow === flow && r.partner === partner && r.hs6 === m.hs6 && r.period >= addMonths(m.from_period, 1) && r.kg !== null);
      return [rows.reduce((s, r) => s + r.value, 0), rows.reduce((s, r) => s + r.kg!, 0)];
    };
    const [xv, xkg] = totals(m.exporter, 'X', m.importer);
    const [mv, mkg] = totals(m.importer, 'M', m.exporter);
    expect(mv / xv).toBeGreaterThan(0.7);
    expect(mv / xv).toBeLessThan(1.5);
    expect(Math.abs(Math.log(xkg / mkg))).toBeGreaterThan(Math.log(2));
  });

  it('timing: December shipments booked by the importer in January (legitimate)', () => {
    const [g, m] = anomaly('timing', (g, m) => monthlyReporter(g, m.exporter) && monthlyReporter(g, m.importer));
    const x = series(g, m.exporter, 'X', m.importer, m.hs6);
    const imp = series(g, m.importer, 'M', m.exporter, m.hs6);
    const months = (s: Map<string, number>, mm: string) => [...s].filter(([p]) => p.endsWith(mm)).reduce((a, [, v]) => a + v, 0);
    expect(months(x, '-12')).toBeGreaterThan(3 * months(imp, '-12'));
    expect(months(imp, '-01')).toBeGreaterThan(3 * months(x, '-01'));
  });

  it('wide CIF/FOB: the importer books the goods at the drawn margin over FOB (legitimate)', () => {
    const [g, m] = anomaly('cif_fob', (g, m) => monthlyReporter(g, m.exporter) && monthlyReporter(g, m.importer));
    const ratio = sum(series(g, m.importer, 'M', m.exporter, m.hs6)) / sum(series(g, m.exporter, 'X', m.importer, m.hs6));
    expect(Math.abs(Math.log(ratio) - Math.log(1 + m.factor!))).toBeLessThan(0.15);
  });
});
