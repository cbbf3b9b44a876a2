import { synthCountry } from './countries.ts';
import type { ControlTruth } from './truth.ts';
import { type Component, type World, isHub, makeComponent, pairKey, round, wildOf } from './world.ts';

/** A place a route can go: China's ordinary exports of a code to one destination, under one control. */
interface Candidate {
  control: ControlTruth;
  direct: Component;
  /** Mean uncontrolled monthly value of the direct flow. */
  size: number;
}

/**
 * Injects transshipment routes CHN → H → D, D a buyer that is not itself a hub country: from the control's
 * first month (the ban's, for a banned destination) plus a lag, a share of the uncontrolled direct flow
 * leaves China for the hub instead and goes on to D unprocessed (unit value marked up a little), while the
 * direct flow shrinks by that share. The hub never exported the code to D before. Each route draws whether its hub reports, hides the goods
 * in a free zone, whether D keeps the origin, and whether D publishes consignment rows; a route always
 * leaves its second leg visible somewhere (hub exports, D's imports from H, or D's partner2 rows).
 */
export function injectRoutes(world: World): void {
  const rng = world.rng.fork('routes');
  const { knobs, axis } = world;
  const wild = wildOf(world);
  if (knobs.routeCount === 0) return;
  const candidates = (kind: 'licensing' | 'ban') =>
    world.controls
      .filter((c) => c.kind === kind && axis.index(c.start_period) >= 1 && axis.index(c.start_period) <= axis.length - 6)
      .flatMap((control) =>
        world.components
          .filter(
            (x) =>
              x.exporter === 'CHN' && x.hs6 === control.hs6 && x.kind === 'base' && synthCountry(x.importer).published &&
              !isHub(world, x.importer) && (control.destinations === '*' || control.destinations.includes(x.importer)) &&
              !world.used.has(pairKey('CHN', x.importer, x.hs6)) && !knobs.entrepots.includes(x.importer),
          )
          .map((direct) => ({ control, direct, size: mean(direct.raw) })),
      );
  /** Hubs a route of `c` could use; for a small route, only those importing ≥ 4× the diverted flow from China themselves. */
  const hubsFor = (c: Candidate, smallShare: number | null) => {
    const producers = new Set(world.producers.get(c.control.hs6)!.map(([p]) => p));
    return world.countries.filter(
      (h) =>
        isHub(world, h) && h !== c.direct.importer && !producers.has(h) && !knobs.entrepots.includes(h) &&
        !world.used.has(pairKey(h, c.direct.importer, c.control.hs6)) &&
        !world.distractors.some((d) => d.hs6 === c.control.hs6 && d.countries.includes(h)) &&
        (smallShare === null || ownImports(world, h, c.control.hs6) >= 4 * smallShare * c.size),
    );
  };

  // bans first (the US story), then licensing routes; a small slot takes a destination a big hub can hide
  const bans = rng.fork('ban-order').shuffle(candidates('ban'));
  const chosen = bans.slice(0, Math.min(bans.length, Math.max(1, Math.round(knobs.routeCount * 0.4)))).map((c) => ({ ...c, small: false }));
  let pool = candidates('licensing').filter((c) => !chosen.some((x) => samePlace(x, c)));
  const pickRng = rng.fork('pick');
  while (chosen.length < knobs.routeCount && pool.length) {
    const feasible = pickRng.chance(knobs.smallRouteShare) ? pool.filter((c) => hubsFor(c, knobs.divertedShare[0]).length) : [];
    const from = feasible.length ? feasible : pool;
    const c = pickRng.weighted(from, from.map((x) => (feasible.length ? 1 / Math.sqrt(x.size) : Math.sqrt(x.size))));
    chosen.push({ ...c, small: feasible.length > 0 });
    pool = pool.filter((x) => !samePlace(x, c));
  }

  const destinations = new Set(chosen.map((c) => c.direct.importer));
  const hubReports = new Map<string, boolean>();
  const publishes = new Map<string, boolean>();
  chosen.forEach((cand, i) => {
    const r = rng.fork(`candidate-${i}`);
    const { control, direct, small } = cand;
    const hs6 = control.hs6;
    const D = direct.importer;
    const s = axis.index(control.start_period);
    const lag = Math.min(r.intWithin(knobs.routeLagMonths), axis.length - 4 - s);
    const start = s + lag;
    let share = r.within(knobs.divertedShare);
    let eligible = hubsFor(cand, small ? knobs.divertedShare[0] : null).filter((h) => !destinations.has(h));
    if (!eligible.length) return;
    if (small) {
      // as much as the biggest hub can hide in its own trade, within the knob's range
      const room = Math.max(...eligible.map((h) => ownImports(world, h, hs6))) / (4 * cand.size);
      share = r.uniform(knobs.divertedShare[0], Math.max(knobs.divertedShare[0], Math.min(knobs.divertedShare[1], room)));
      eligible = eligible.filter((h) => ownImports(world, h, hs6) >= 4 * share * cand.size);
    }
    const hub = r.pick(eligible);
    const id = `R${String(world.routes.length + 1).padStart(2, '0')}`;
    // a distractor country must stay visible, so it always reports
    const mustReport = world.distractors.some((d) => d.countries[0] === hub);
    if (!hubReports.has(hub)) hubReports.set(hub, mustReport || !r.chance(knobs.hubNonReportingShare));
    const reports = hubReports.get(hub)!;
    const freeZone = reports && r.chance(knobs.freeZoneShare);
    const hidden = freeZone ? r.within(wild.freeZoneHidden) : 0;
    const originKept = r.chance(knobs.originKeptShare);
    if (!publishes.has(D)) publishes.set(D, r.chance(knobs.consignmentShare));
    if (originKept && !reports) publishes.set(D, true); // else the second leg would show nowhere
    const reexport = reports && r.chance(knobs.hubReexportShare);
    const gap = Math.min(r.intWithin(knobs.legGapMonths), axis.length - 2 - start); // the second leg shows in the panel
    const markup = r.within(knobs.unitValueMarkup);

    const leg1 = emptyLike(direct, { exporter: 'CHN', importer: hub, kind: 'route_leg1', routeId: id, uv: direct.uvUsdPerKg });
    const leg2 = emptyLike(direct, { exporter: hub, importer: D, kind: 'route_leg2', routeId: id, uv: direct.uvUsdPerKg * markup });
    let total = 0;
    for (let t = start; t < axis.length; t++) {
      const v = share * direct.raw[t + 1];
      leg1.raw[t + 1] = v;
      if (t + gap < axis.length) leg2.raw[t + gap + 1] = v * markup;
      direct.mult[t + 1] *= 1 - share;
      total += v;
    }
    world.components.push(leg1, leg2);
    // wild: over an existing small trade of the hub's (Chinese goods in, the same out to D), which the route multiplies
    const existing = wild.existingTradeShare > 0 ? rng.fork(`existing-${i}`) : null;
    let existingRise: number | null = null;
    if (existing?.chance(wild.existingTradeShare)) {
      existingRise = existing.within(wild.existingTradeRise);
      const level = (share * cand.size) / (existingRise - 1);
      const phase = existing.int(0, 11);
      const spec = { hs6, origin: 'CHN', kind: 'base' as const, uv: direct.uvUsdPerKg, base: level, phase, growth: 0 };
      world.components.push(
        makeComponent(world, existing, { ...spec, exporter: 'CHN', importer: hub }),
        makeComponent(world, existing, { ...spec, exporter: hub, importer: D, uv: direct.uvUsdPerKg * markup }),
      );
    }
    for (const key of [pairKey('CHN', D, hs6), pairKey('CHN', hub, hs6), pairKey(hub, D, hs6)]) world.used.add(key);
    world.routes.push({
      id, origin: 'CHN', hub, destination: D, hs6, control_id: control.control_id, control_kind: control.kind,
      control_start_period: control.start_period, start_period: axis.period(start), lag_months: lag, leg_gap_months: gap,
      diverted_share: round(share, 3), unit_value_markup: round(markup, 3), mean_diverted_usd: Math.round(total / (axis.length - start)),
      hub_reports: reports, free_zone: freeZone, free_zone_hidden_share: round(hidden, 3), origin_kept: originKept,
      consignment_rows: false, reexport_rows: reexport, small,
      ...(existingRise === null ? {} : { existing_trade_rise: round(existingRise, 3) }),
    });
  });
  for (const route of world.routes) {
    route.consignment_rows = route.origin_kept && publishes.get(route.destination) === true;
    if (!route.hub_reports) world.reporting.nonReporters.set(route.hub, 'hub');
  }
  for (const [d, yes] of publishes) if (yes && world.routes.some((x) => x.destination === d && x.origin_kept)) world.reporting.partner2Reporters.add(d);
}

/** Mean monthly value of a country's own (ordinary) imports of a code from China. */
function ownImports(world: World, country: string, hs6: string): number {
  const c = world.components.find((x) => x.exporter === 'CHN' && x.importer === country && x.hs6 === hs6 && x.kind === 'base');
  return c ? mean(c.raw) : 0;
}

function samePlace(a: Candidate, b: Candidate): boolean {
  return a.direct.importer === b.direct.importer && a.control.hs6 === b.control.hs6;
}

function mean(xs: Float64Array): number {
  let s = 0;
  for (let i = 1; i < xs.length; i++) s += xs[i];
  return s / Math.max(1, xs.length - 1);
}

function emptyLike(
  c: Component,
  o: { exporter: string; importer: string; kind: Component['kind']; routeId: string; uv: number },
): Component {
  return {
    exporter: o.exporter, importer: o.importer, hs6: c.hs6, origin: 'CHN', kind: o.kind, routeId: o.routeId, uvUsdPerKg: o.uv,
    raw: new Float64Array(c.raw.length), mult: new Float64Array(c.raw.length).fill(1),
  };
}
