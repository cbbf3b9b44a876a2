import type { Declaration, DeclarationBook } from './declarations.ts';
import { synthProduct } from './products.ts';
import type { Rng } from './random.ts';
import type { DeclarationAnomalyTruth } from './truth.ts';
import type { World } from './world.ts';

/** An injected declaration anomaly before the declarations have ids. */
export type PendingAnomaly = Omit<DeclarationAnomalyTruth, 'declaration_ids'> & { declarations: Declaration[] };

/**
 * Marks and adds the declaration anomalies: origin ≠ departure for the goods of each route into the
 * declaring country (topped up to `originMismatchMin` from route hubs), controlled goods declared under an
 * uncontrolled neighbouring code (the description still naming the mineral, or only the unit value
 * telling), under-valued declarations (unit value far below the line's range) and split shipments (one
 * new importer, many shipments just under a value threshold in one month). Returns them in that order.
 */
export function injectDeclarationAnomalies(world: World, book: DeclarationBook, rng: Rng): PendingAnomaly[] {
  const { axis, knobs } = world;
  const out: PendingAnomaly[] = [];
  const controlStart = new Map<string, number>();
  for (const c of world.controls) if (c.kind === 'licensing') controlStart.set(c.hs6, axis.index(c.start_period));
  const mark = (a: Omit<PendingAnomaly, 'id'>) => {
    const id = `DA${String(out.length + 1).padStart(2, '0')}`;
    for (const d of a.declarations) d.anomaly = id;
    out.push({ id, ...a });
  };

  // origin ≠ departure: the routes' own goods, then extra lots from route hubs up to the minimum
  const byRoute = new Map<string, Declaration[]>(world.routes.map((r) => [r.id, []]));
  for (const d of book.list) if (d.routeId !== null) byRoute.get(d.routeId)!.push(d);
  const topUp = rng.fork('origin-mismatch');
  // a route's second leg starts at least three months before the panel ends (see injectRoutes)
  for (let count = book.list.filter((d) => d.routeId !== null).length, i = 0; count < knobs.originMismatchMin && world.routes.length; count++, i++) {
    const route = world.routes[i % world.routes.length];
    const first = axis.index(route.start_period) + route.leg_gap_months;
    const d = book.add({
      t: topUp.int(first, axis.length - 1), product: synthProduct(route.hs6), from: route.hub, to: book.country, origin: 'CHN',
      valueUsd: topUp.logUniform(2e4, 2e5), routeId: route.id, importer: book.routeParty(route.id),
      line: synthProduct(route.hs6).lines.find((l) => l.mineral !== null),
    });
    byRoute.get(route.id)!.push(d);
  }
  for (const route of world.routes) {
    const list = byRoute.get(route.id)!;
    if (!list.length) continue;
    mark({
      kind: 'origin_mismatch', declarations: list, hs6: route.hs6, declared_code: list[0].declaredCode, signal: 'origin_departure',
      party: book.routeParties.get(route.id) ?? null, route_id: route.id,
    });
  }

  // misclassification: a controlled line after its control, declared under an uncontrolled neighbour
  const mis = rng.fork('misclassification');
  const honestControlled = () =>
    book.list.filter(
      (d) =>
        d.anomaly === null && d.direction === 'import' && d.line.mineral !== null && d.t >= (controlStart.get(d.hs6) ?? Infinity) &&
        synthProduct(d.hs6).neighbours.length > 0,
    );
  for (const d of pickUpTo(mis, honestControlled(), knobs.misclassificationCount, (x) => (x.origin === 'CHN' ? 3 : 1))) {
    const neighbour = mis.pick(synthProduct(d.hs6).neighbours);
    const nLine = synthProduct(neighbour.slice(0, 6)).lines[0];
    const [lo, hi] = d.line.unitValueUsdPerKg;
    const [nlo, nhi] = nLine.unitValueUsdPerKg;
    // only a unit value far outside the neighbour's range can tell on its own
    const uvTells = nhi < lo / 2 || nlo > hi * 2;
    const described = !uvTells || mis.chance(knobs.misclassificationDescribedShare);
    d.declaredCode = neighbour;
    if (!described) d.description = mis.pick(nLine.en);
    mark({
      kind: 'misclassification', declarations: [d], hs6: d.hs6, declared_code: neighbour, signal: described ? 'description' : 'unit_value',
      party: null, route_id: null,
    });
  }

  // under-valuation: the unit value pushed far below the line's range
  const under = rng.fork('undervaluation');
  const honest = book.list.filter((d) => d.anomaly === null && d.direction === 'import');
  for (const d of pickUpTo(under, honest, knobs.undervaluationCount, (x) => (x.line.mineral !== null && controlStart.has(x.hs6) ? 3 : 1))) {
    d.valueUsd = d.kg * d.line.unitValueUsdPerKg[0] * under.within(knobs.undervaluationFactor);
    mark({ kind: 'undervaluation', declarations: [d], hs6: d.hs6, declared_code: d.declaredCode, signal: 'unit_value', party: null, route_id: null });
  }

  // split shipments: one new importer, many lots just under the threshold within ten days
  const split = rng.fork('split');
  const controlled = [...controlStart.entries()].filter(([, s]) => s < axis.length);
  for (let g = 0; g < knobs.splitShipmentGroups && controlled.length; g++) {
    const [hs6, s] = split.pick(controlled);
    const product = synthProduct(hs6);
    const line = product.lines.find((l) => l.mineral !== null)!;
    const t = split.int(Math.max(0, s), axis.length - 1);
    const from = 'CHN'; // from a hub it would also be an origin mismatch: one anomaly per lot
    const party = book.newParty('IMP');
    const day0 = split.int(1, axis.daysIn(t) - 9);
    const lots = Array.from({ length: split.intWithin(knobs.splitShipments) }, () =>
      book.add({
        t, product, from, to: book.country, origin: 'CHN', valueUsd: knobs.splitThresholdUsd * split.uniform(0.9, 0.995), line,
        importer: party, day: day0 + split.int(0, 9),
      }),
    );
    for (const d of lots) d.currency = 'USD'; // the threshold is in USD
    mark({ kind: 'split_shipment', declarations: lots, hs6, declared_code: line.code, signal: 'threshold', party, route_id: null });
  }
  return out;
}

/** Up to k distinct items, drawn with weights. */
function pickUpTo<T>(r: Rng, items: T[], k: number, weight: (x: T) => number): T[] {
  return r.sampleWeighted(items, items.map(weight), k);
}
