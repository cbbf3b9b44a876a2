import type { Table } from 'apache-arrow';
import { readCodes, readFloats } from '../../../table/read.ts';
import { RouteWindows } from '../declaration-route-windows.ts';
import type { RuleContext } from './context.ts';

/**
 * `via_flagged_hub` (origin ≠ departure through a flagged hub) and `origin_flagged_hub` (a flagged hub that sold
 * little before, declared as the origin) — each only on a date a flagged judgement of the route holds
 * ({@link RouteWindows}: a 2022 declaration says nothing of a 2024 route). Returns per row the flag id of the route
 * behind it, the hub's prior export share, and how many declarations matched a flagged route outside its window.
 */
export function flaggedRoutes(ctx: RuleContext, routes: Table | null, who: string): { routeId: Map<number, string>; priorShare: Float64Array; outsideWindow: number } {
  const { n, p, catalog, origin, departure, destination, hs6, date, text } = ctx;
  const routeId = new Map<number, string>();
  const priorShare = new Float64Array(n).fill(NaN);
  let outsideWindow = 0;
  if (!routes || !routes.numRows) return { routeId, priorShare, outsideWindow };
  const ro = readCodes(routes, 'origin', who), rh = readCodes(routes, 'hub', who), rd = readCodes(routes, 'destination', who);
  const rs = readCodes(routes, 'hs6', who), rf = readCodes(routes, 'flag_id', who), rp = readFloats(routes, 'hub_prior_export_share', who);
  const windows = new RouteWindows(routes, catalog, p.flaggedRouteMonthsAfter, who);
  const via = new Map<string, number[]>();
  const hubs = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, r: number) => (m.get(k) ?? m.set(k, []).get(k)!).push(r);
  for (let r = 0; r < routes.numRows; r++) {
    const [o, h, d, s] = [text(ro, r), text(rh, r), text(rd, r), text(rs, r)];
    push(via, `${o}|${h}|${d}|${s}`, r);
    push(hubs, `${h}|${d}|${s}`, r);
  }
  for (let i = 0; i < n; i++) {
    const [o, dep, d, s] = [text(origin, i), text(departure, i), text(destination, i), text(hs6, i)];
    const day = text(date, i) ?? '';
    const viaRows = o && dep && o !== dep ? via.get(`${o}|${dep}|${d}|${s}`) : undefined;
    const hubRows = hubs.get(`${o}|${d}|${s}`);
    if (!viaRows && !hubRows) continue;
    // routes in rank order: the first that holds the date names the flag
    const r1 = viaRows?.find((r) => windows.holds(r, day));
    if (r1 !== undefined) {
      ctx.fire('via_flagged_hub', i);
      routeId.set(i, text(rf, r1)!);
    }
    // the flagged hub with the least prior trade among the routes that hold the date
    let r2 = -1;
    for (const r of hubRows ?? []) if (windows.holds(r, day) && (r2 < 0 || rp[r] < rp[r2] || (rp[r2] !== rp[r2] && rp[r] === rp[r]))) r2 = r;
    if (r2 >= 0 && rp[r2] <= p.falseOriginMaxPriorShare) {
      ctx.fire('origin_flagged_hub', i);
      priorShare[i] = rp[r2];
      if (!routeId.has(i)) routeId.set(i, text(rf, r2)!);
    }
    if (r1 === undefined && r2 < 0) outsideWindow++;
  }
  return { routeId, priorShare, outsideWindow };
}
