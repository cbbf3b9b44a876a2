import { distanceClass } from './countries.ts';
import type { MirrorAnomalyTruth, RouteTruth } from './truth.ts';
import { type World, pairKey, shipped } from './world.ts';

/** One reported total as a reporter would publish it, before rounding and before World rows. */
export interface TradeRecord {
  reporter: string;
  flow: 'X' | 'M' | 'RX';
  /** Partner ISO3; `_899` (Areas nes) or `_hidden` (a confidential value that shows only in World). */
  partner: string;
  hs6: string;
  /** Month index. */
  t: number;
  /** Primary value, USD: FOB for exports and re-exports, CIF for imports. */
  value: number;
  /** The importer's own FOB estimate (imports only; written when the importer reports it). */
  fob: number;
  kg: number;
  /** Imports only: value consigned from each hub, USD CIF (the rest came from the partner itself). */
  consigned: Map<string, number> | null;
  /** A reporter's annual total (the sum of its months of one calendar year; `t` is that year's December). */
  annual?: boolean;
}

/**
 * Whether a reporter publishes month `t`: not a non-reporter, not one of a late reporter's newest months, and
 * inside a reporter's publishing window (one that starts or stops mid-series).
 */
export function publishesMonth(world: World, c: string, t: number): boolean {
  const { reporting, axis } = world;
  if (t < 0 || t >= axis.length - (reporting.lateMonths.get(c) ?? 0) || reporting.nonReporters.has(c)) return false;
  const w = reporting.windows.get(c);
  return !w || (t >= w.from && t < w.to);
}

/** Share of an entrepôt's exports it also publishes as re-exports (RX). */
const ENTREPOT_REEXPORT_SHARE = 0.9;

/**
 * Turns the true shipments into what each side records: the exporter FOB in the shipping month by
 * destination, the importer CIF (a per-pair distance margin) by partner, one month later for lagged
 * pairs; each side with its own noise, noisy reporters with more. Applies reporting (non-reporters,
 * late months), the mirror anomalies, free zones, origin-kept routes (recorded from China, consigned from
 * the hub) and re-exports. Records are summed per reporter × flow × partner × code × month, in a fixed order.
 */
export function recordTrade(world: World): TradeRecord[] {
  const rng = world.rng.fork('record');
  const { knobs, axis, reporting } = world;
  const T = axis.length;
  const byKey = new Map<string, TradeRecord>();
  const routes = new Map<string, RouteTruth>(world.routes.map((r) => [r.id, r]));
  const anomalies = new Map<string, MirrorAnomalyTruth>(world.mirror.map((m) => [pairKey(m.exporter, m.importer, m.hs6), m]));
  const margins = new Map<string, number>();
  const marginRng = rng.fork('margin');
  const margin = (e: string, i: string) => {
    const fixed = world.marginOverride.get(`${e}|${i}`);
    if (fixed !== undefined) return fixed;
    let m = margins.get(`${e}|${i}`);
    if (m === undefined) {
      const cls = distanceClass(e, i);
      m = marginRng.within(cls === 'near' ? knobs.cifMarginNear : cls === 'mid' ? knobs.cifMarginMid : knobs.cifMarginFar);
      margins.set(`${e}|${i}`, m);
    }
    return m;
  };
  // a partial reporter leaves some partners out of some months (both flows)
  const publishes = (c: string, t: number, partner: string) => {
    if (!publishesMonth(world, c, t)) return false;
    const part = reporting.partial.get(c);
    return !part || !part.months.has(t) || !part.dropped.has(partner);
  };
  const add = (r: Omit<TradeRecord, 'consigned'>, hub: string | null) => {
    const key = `${r.reporter}|${r.flow}|${r.partner}|${r.hs6}|${r.t}`;
    let acc = byKey.get(key);
    if (!acc) byKey.set(key, (acc = { ...r, value: 0, fob: 0, kg: 0, consigned: null }));
    acc.value += r.value;
    acc.fob += r.fob;
    acc.kg += r.kg;
    if (hub !== null) {
      acc.consigned ??= new Map();
      acc.consigned.set(hub, (acc.consigned.get(hub) ?? 0) + r.value);
    }
  };

  for (const c of world.components) {
    const key = pairKey(c.exporter, c.importer, c.hs6);
    const lag = world.lagPairs.has(key) ? 1 : 0;
    const route = c.routeId === null ? null : routes.get(c.routeId)!;
    const anomaly = anomalies.get(key);
    const from = anomaly ? axis.index(anomaly.from_period) : Infinity;
    const xNoisy = reporting.noisySigma.get(c.exporter) ?? 0;
    const mNoisy = reporting.noisySigma.get(c.importer) ?? 0;
    for (let t = -1; t < T; t++) {
      const v = shipped(c, t);
      if (!(v > 0)) continue;
      const kg = v / (c.uvUsdPerKg * rng.noise(0.05));
      // draws happen whether or not a side reports, so reporting choices do not move the noise
      const xv = v * rng.noise(knobs.mirrorSigma) * rng.noise(xNoisy);
      const xkg = kg * rng.noise(knobs.mirrorSigma / 2) * rng.noise(xNoisy);
      const mv = v * rng.noise(knobs.mirrorSigma) * rng.noise(mNoisy);
      const mkg = kg * rng.noise(knobs.mirrorSigma / 2) * rng.noise(mNoisy);

      if (c.kind !== 'ghost' && c.kind !== 'reimport' && publishes(c.exporter, t, c.importer)) {
        const cut = anomaly?.kind === 'under_declared_exports' && t >= from ? anomaly.factor! : 1;
        const kgCut = anomaly?.kind === 'weight_gap' && t >= from ? anomaly.factor! : cut;
        const hidden = anomaly?.kind === 'confidential' && t >= from;
        const partner = !hidden ? c.importer : anomaly!.carrier === 'areas_nes' ? '_899' : '_hidden';
        const rec = { reporter: c.exporter, partner, hs6: c.hs6, t, value: xv * cut, fob: 0, kg: xkg * kgCut };
        add({ ...rec, flow: 'X' }, null);
        if (c.kind === 'entrepot_out') {
          add({ ...rec, flow: 'RX', value: rec.value * ENTREPOT_REEXPORT_SHARE, kg: rec.kg * ENTREPOT_REEXPORT_SHARE }, null);
        } else if (c.kind === 'route_leg2' && route!.reexport_rows) add({ ...rec, flow: 'RX' }, null);
      }

      const tm = t + lag;
      // the importer books by origin: a hub's goods booked from China (origin kept, rerouted), a re-import from itself
      const keptOrigin = (c.kind === 'route_leg2' && route!.origin_kept) || c.kind === 'rerouted';
      const bookedFrom = keptOrigin ? c.origin : c.exporter;
      if (c.kind !== 'ghost_export' && publishes(c.importer, tm, bookedFrom)) {
        // a free zone keeps most of the diverted goods out of the hub's import records
        const seen = c.kind === 'route_leg1' && route!.free_zone ? 1 - route!.free_zone_hidden_share : 1;
        if (seen <= 0) continue;
        add(
          {
            reporter: c.importer, flow: 'M', partner: bookedFrom, hs6: c.hs6, t: tm,
            value: mv * (1 + margin(c.exporter, c.importer)) * seen, fob: mv * seen, kg: mkg * seen,
          },
          keptOrigin && c.kind === 'route_leg2' ? c.exporter : null,
        );
      }
    }
  }
  return [...byKey.values()];
}
