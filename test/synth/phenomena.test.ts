import { describe, expect, it } from 'vitest';
import { type Generated, SEEDS, type TradeRow, addMonths, generated, meanOver, monthly } from './worlds.ts';

const WORLDS = (['easy', 'hard'] as const).flatMap((p) => SEEDS.map((s) => [p, s] as const));

describe.each(WORLDS)('phenomena %s seed %i', (preset, seed) => {
  const g: Generated = generated(preset, seed);
  const { truth, trade } = g;
  const periods = truth.periods;
  const first = periods[0];
  const end = addMonths(periods[periods.length - 1], 1);
  const lastOf = new Map(truth.late_reporters.map((l) => [l.iso3, l.last_period]));
  /** Last month both countries published. */
  const published = (...cs: string[]) =>
    cs.reduce((p, c) => (lastOf.has(c) && lastOf.get(c)! < p ? lastOf.get(c)! : p), periods[periods.length - 1]);
  const flow = (reporter: string, f: string, partner: string, hs6: string, extra: (r: TradeRow) => boolean = () => true) =>
    monthly(trade, (r) => r.reporter === reporter && r.flow === f && r.partner === partner && r.hs6 === hs6 && extra(r));
  const total = (s: Map<string, number>, from: string, to: string) => meanOver(s, periods, from, to) * periods.filter((p) => p >= from && p < to).length;

  it('injects the preset number of routes, each with a control of the catalog', () => {
    expect(truth.routes.length).toBe(truth.knobs.routeCount);
    for (const r of truth.routes) {
      const control = truth.controls.find((c) => c.control_id === r.control_id && c.hs6 === r.hs6)!;
      expect(control.kind).toBe(r.control_kind);
      expect(addMonths(control.start_period, r.lag_months)).toBe(r.start_period);
      expect(r.lag_months).toBeGreaterThanOrEqual(0);
      expect(r.lag_months).toBeLessThanOrEqual(3);
      expect(r.diverted_share).toBeGreaterThanOrEqual(0.2);
      expect(r.diverted_share).toBeLessThanOrEqual(0.6);
      if (!r.hub_reports) expect(truth.non_reporters).toContainEqual({ iso3: r.hub, reason: 'hub' });
      if (r.consignment_rows) expect(r.origin_kept).toBe(true);
      if (!r.hub_reports && r.origin_kept) expect(r.consignment_rows).toBe(true);
      if (r.small) {
        // the hub's own imports from China dwarf what it passes on
        const own = meanOver(flow('CHN', 'X', r.hub, r.hs6), periods, first, addMonths(r.control_start_period, -1));
        expect(own, r.id).toBeGreaterThan(2 * r.mean_diverted_usd);
      }
    }
    if (preset === 'easy') expect(truth.routes.filter((r) => r.small)).toEqual([]);
  });

  it("every route's hub → destination flow appears after start + gap, from nothing before", () => {
    for (const r of truth.routes) {
      const second = addMonths(r.start_period, r.leg_gap_months);
      const hubX = flow(r.hub, 'X', r.destination, r.hs6);
      const destM = flow(r.destination, 'M', r.hub, r.hs6);
      const consigned = monthly(trade, (x) => x.reporter === r.destination && x.flow === 'M' && x.partner === 'CHN' && x.partner2 === r.hub && x.hs6 === r.hs6);
      // consignment rows are breakdowns, so `monthly` (totals only) would skip them
      for (const x of trade) if (x.reporter === r.destination && x.flow === 'M' && x.partner2 === r.hub && x.hs6 === r.hs6) consigned.set(x.period, (consigned.get(x.period) ?? 0) + x.value);
      const evidence = new Map<string, number>();
      for (const p of periods) evidence.set(p, Math.max(hubX.get(p) ?? 0, destM.get(p) ?? 0, consigned.get(p) ?? 0));
      expect(meanOver(evidence, periods, first, second), r.id).toBe(0);
      const after = meanOver(evidence, periods, second, addMonths(published(r.hub, r.destination), 1));
      expect(after, `${r.id} ${r.hub}→${r.destination} ${r.hs6}`).toBeGreaterThan(0.1 * r.mean_diverted_usd);
      if (r.hub_reports) expect(total(hubX, second, end), r.id).toBeGreaterThan(0);
      if (!r.origin_kept) expect(total(destM, second, end), r.id).toBeGreaterThan(0);
      if (r.consignment_rows) expect(total(consigned, second, end), r.id).toBeGreaterThan(0);
    }
  });

  it('the direct flow falls when a route starts; a hub without trade of its own shows the first leg rise', () => {
    for (const r of truth.routes) {
      const control = r.control_start_period;
      const direct = flow('CHN', 'X', r.destination, r.hs6);
      const before = meanOver(direct, periods, addMonths(control, -13), addMonths(control, -1));
      const after = meanOver(direct, periods, addMonths(r.start_period, 1), addMonths(published(r.destination), 1));
      expect(after, r.id).toBeLessThan(before * 0.9);
      const leg1 = flow('CHN', 'X', r.hub, r.hs6);
      if (meanOver(leg1, periods, first, r.start_period) > 0) continue;
      expect(meanOver(leg1, periods, r.start_period, end), r.id).toBeGreaterThan(0);
      // no processing in the hub: the second leg's unit value is close to the first's
      const noisy = truth.noisy_reporters.some((n) => n.iso3 === r.hub);
      if (!r.hub_reports || noisy) continue;
      const uv = (reporter: string, partner: string) => {
        const rows = trade.filter((x) => x.isTotal && x.reporter === reporter && x.flow === 'X' && x.partner === partner && x.hs6 === r.hs6 && x.kg !== null);
        return rows.reduce((a, x) => a + x.value, 0) / rows.reduce((a, x) => a + x.kg!, 0);
      };
      const ratio = uv(r.hub, r.destination) / uv('CHN', r.hub);
      expect(ratio, r.id).toBeGreaterThan(0.8);
      expect(ratio, r.id).toBeLessThan(1.3);
    }
  });

  it('free zones: the hub records less from China than China records sending, after the start', () => {
    for (const r of truth.routes.filter((x) => x.free_zone && !x.small)) {
      const to = addMonths(published(r.hub), 1);
      const sent = total(flow('CHN', 'X', r.hub, r.hs6), addMonths(r.start_period, 1), to);
      const seen = total(flow(r.hub, 'M', 'CHN', r.hs6), addMonths(r.start_period, 1), to) / 1.12;
      const diverted = r.mean_diverted_usd * periods.filter((p) => p > r.start_period && p < to).length;
      expect(sent - seen, r.id).toBeGreaterThan(0.3 * r.free_zone_hidden_share * diverted);
    }
  });

  it('origin kept: the destination records more from China than China records sending, after the start', () => {
    for (const r of truth.routes.filter((x) => x.origin_kept)) {
      const from = addMonths(r.start_period, r.leg_gap_months + 1);
      const to = addMonths(published(r.destination), 1);
      const sent = total(flow('CHN', 'X', r.destination, r.hs6), from, to);
      const recorded = total(flow(r.destination, 'M', 'CHN', r.hs6), from, to);
      const diverted = r.mean_diverted_usd * periods.filter((p) => p >= from && p < to).length;
      expect(recorded - sent, r.id).toBeGreaterThan(0.4 * diverted);
    }
  });

  it('partner2 rows with a partner2 other than the partner are exactly the consignment routes', () => {
    const rows = new Set(trade.filter((r) => r.partner2 !== null && r.partner2 !== r.partner).map((r) => `${r.reporter}|${r.partner}|${r.partner2}|${r.hs6}`));
    const routes = new Set(truth.routes.filter((r) => r.consignment_rows).map((r) => `${r.destination}|CHN|${r.hub}|${r.hs6}`));
    expect([...rows].sort()).toEqual([...routes].sort());
  });

  it('pairs that start trading mid-panel are exactly the route legs and the ghost imports of the truth', () => {
    const firstSeen = new Map<string, string>();
    for (const r of trade) {
      if (!r.isTotal || (r.flow !== 'X' && r.flow !== 'M') || r.partner === 'WLD' || r.partner === '_899') continue;
      const pair = r.flow === 'X' ? `${r.reporter}|${r.partner}|${r.hs6}` : `${r.partner}|${r.reporter}|${r.hs6}`;
      if (!firstSeen.has(pair) || r.period < firstSeen.get(pair)!) firstSeen.set(pair, r.period);
    }
    const late = [...firstSeen].filter(([, p]) => p >= periods[3]).map(([k]) => k);
    const expected = new Set<string>();
    for (const r of truth.routes) {
      expected.add(`${r.hub}|${r.destination}|${r.hs6}`);
      if (r.origin_kept) expected.delete(`${r.hub}|${r.destination}|${r.hs6}`); // D records these from CHN
      if (r.origin_kept && r.hub_reports) expected.add(`${r.hub}|${r.destination}|${r.hs6}`);
      const hadLeg1 = [...firstSeen].some(([k, p]) => k === `CHN|${r.hub}|${r.hs6}` && p < periods[3]);
      if (!hadLeg1) expected.add(`CHN|${r.hub}|${r.hs6}`);
    }
    for (const m of truth.mirror_anomalies.filter((x) => x.kind === 'ghost_imports')) expected.add(`${m.exporter}|${m.importer}|${m.hs6}`);
    expect(late.sort()).toEqual([...expected].sort());
  });

  it('ghost imports: pairs recorded only by the importer while the exporter publishes are exactly the truth', () => {
    const silent = new Set(truth.non_reporters.map((n) => n.iso3));
    const x = new Set(trade.filter((r) => r.flow === 'X' && r.isTotal).map((r) => `${r.reporter}|${r.partner}|${r.hs6}`));
    const m = new Set(trade.filter((r) => r.flow === 'M' && r.isTotal && r.partner !== 'WLD' && r.partner !== '_899').map((r) => `${r.partner}|${r.reporter}|${r.hs6}`));
    const ghosts = [...m].filter((k) => !silent.has(k.split('|')[0]) && !x.has(k));
    const truthGhosts = truth.mirror_anomalies.filter((a) => a.kind === 'ghost_imports').map((a) => `${a.exporter}|${a.importer}|${a.hs6}`);
    expect(ghosts.sort()).toEqual(truthGhosts.sort());
    expect(truthGhosts.length).toBe(truth.knobs.ghostImportCount);
  });

  it('under-declared exports: X ≪ M from the month on, X ≈ M before', () => {
    for (const a of truth.mirror_anomalies.filter((x) => x.kind === 'under_declared_exports')) {
      const to = addMonths(published(a.exporter, a.importer), 0);
      const x = flow(a.exporter, 'X', a.importer, a.hs6);
      const m = flow(a.importer, 'M', a.exporter, a.hs6);
      const after = total(x, addMonths(a.from_period, 1), to) / total(m, addMonths(a.from_period, 1), to);
      const before = total(x, first, addMonths(a.from_period, -1)) / total(m, first, addMonths(a.from_period, -1));
      expect(after, a.id).toBeLessThan(0.75);
      expect(before, a.id).toBeGreaterThan(0.75);
    }
  });

  it('confidential: the exporter drops the partner from the month on, and the value stays in World (and 899)', () => {
    for (const a of truth.mirror_anomalies.filter((x) => x.kind === 'confidential')) {
      const x = flow(a.exporter, 'X', a.importer, a.hs6);
      expect([...x.keys()].filter((p) => p >= a.from_period), a.id).toEqual([]);
      expect([...x.keys()].some((p) => p < a.from_period), a.id).toBe(true);
      const areas = flow(a.exporter, 'X', '_899', a.hs6);
      if (a.carrier === 'areas_nes') expect(total(areas, a.from_period, end), a.id).toBeGreaterThan(0);
      const viaAreas = truth.mirror_anomalies.filter((b) => b.kind === 'confidential' && b.carrier === 'areas_nes' && b.exporter === a.exporter && b.hs6 === a.hs6);
      const earliest = viaAreas.map((b) => b.from_period).sort()[0] ?? end;
      expect([...areas.keys()].filter((p) => p < earliest), a.id).toEqual([]); // 899 carries nothing else
    }
  });

  it('stockpiling: China exports more in the month before a licensing control than in the month before that, then pauses', () => {
    for (const c of truth.controls.filter((x) => x.kind === 'licensing' && x.stockpile_period !== null)) {
      const world = flow('CHN', 'X', 'WLD', c.hs6);
      const spike = world.get(c.stockpile_period!) ?? 0;
      expect(spike, `${c.hs6} ${c.stockpile_period}`).toBeGreaterThan(world.get(addMonths(c.stockpile_period!, -1)) ?? 0);
      const usual = meanOver(world, periods, addMonths(c.stockpile_period!, -3), c.stockpile_period!);
      if (addMonths(c.stockpile_period!, -3) >= first) expect(world.get(c.start_period) ?? 0, c.hs6).toBeLessThan(0.6 * usual);
    }
  });

  it('non-reporters have no row as reporter; late reporters lack exactly their newest months', () => {
    const reporters = new Set(trade.map((r) => r.reporter));
    for (const n of truth.non_reporters) expect(reporters.has(n.iso3), n.iso3).toBe(false);
    if (truth.countries.some((c) => c.iso3 === 'TWN')) expect(truth.non_reporters).toContainEqual({ iso3: 'TWN', reason: 'not_published' });
    for (const l of truth.late_reporters) {
      const mine = trade.filter((r) => r.reporter === l.iso3);
      expect(mine.filter((r) => r.period > l.last_period), l.iso3).toEqual([]);
      expect(mine.some((r) => r.period === l.last_period), l.iso3).toBe(true);
    }
    const newest = periods[periods.length - 1];
    const latest = new Set(trade.filter((r) => r.period === newest).map((r) => r.reporter));
    expect([...latest].filter((c) => lastOf.has(c))).toEqual([]);
  });

  it('distractors: entrepôts stay steady, producer hubs export more without importing more from China, growing destinations buy more from all', () => {
    for (const d of truth.distractors) {
      const control = truth.controls.find((c) => c.hs6 === d.hs6 && c.kind === 'licensing');
      if (d.kind === 'steady_entrepot' && control) {
        const [e] = d.countries;
        const m = flow(e, 'M', 'CHN', d.hs6);
        const x = monthly(trade, (r) => r.reporter === e && r.flow === 'X' && r.partner !== 'WLD' && r.hs6 === d.hs6);
        const to = addMonths(published(e), 1);
        for (const s of [m, x]) {
          const ratio = meanOver(s, periods, addMonths(control.start_period, 1), to) / meanOver(s, periods, first, control.stockpile_period ?? control.start_period);
          expect(ratio, `${d.id} ${e} ${d.hs6}`).toBeGreaterThan(0.6);
          expect(ratio, `${d.id} ${e} ${d.hs6}`).toBeLessThan(1.6);
        }
      }
      if (d.kind === 'producer_hub') {
        const [p] = d.countries;
        const to = addMonths(published(p), 1);
        const baseline = [addMonths(d.from_period, -14), addMonths(d.from_period, -3)] as const;
        const x = flow(p, 'X', 'WLD', d.hs6);
        const xBefore = meanOver(x, periods, ...baseline);
        const xAfter = meanOver(x, periods, addMonths(d.from_period, 4), to);
        expect(xAfter / xBefore, d.id).toBeGreaterThan(1.2);
        const m = flow(p, 'M', 'CHN', d.hs6);
        // pass-through would need imports from China to rise as much as exports: they barely move
        expect(meanOver(m, periods, addMonths(d.from_period, 4), to) - meanOver(m, periods, ...baseline), d.id).toBeLessThan(0.25 * (xAfter - xBefore));
      }
      if (d.kind === 'demand_growth') {
        const [c] = d.countries;
        const others = monthly(trade, (r) => r.reporter === c && r.flow === 'M' && r.partner !== 'WLD' && r.partner !== 'CHN' && r.hs6 === d.hs6);
        const to = addMonths(published(c), 1);
        const rise = meanOver(others, periods, addMonths(d.from_period, 6), to) / meanOver(others, periods, addMonths(d.from_period, -12), d.from_period);
        expect(rise, d.id).toBeGreaterThan(1.15);
      }
    }
    const kinds = new Set(truth.distractors.map((d) => d.kind));
    for (const k of ['producer_hub', 'demand_growth', 'stockpiling']) expect(kinds.has(k as never), k).toBe(true);
  });
});
