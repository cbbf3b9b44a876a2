import { controlsInForce } from '../../../reference/catalog.ts';
import type { RuleContext } from './context.ts';

/**
 * `banned_destination` and `banned_destination_via_third`: a controlled code for a destination under a ban in force
 * on its date, exported from the control's origin (declared origin or departure) towards it, or — the importing
 * agency's case — imported into it as goods of the control's origin that came through a third country (origin =
 * the control's origin ≠ departure). A direct import from the origin is left to the origin's own border (the
 * ban's residue of licensed or earlier shipments); licensing alone (destinations `*`) is no ban.
 */
export function bannedDestination(ctx: RuleContext): void {
  const { n, p, catalog, origin, departure, dir, isExport, hs6, date, destination, text } = ctx;
  for (let i = 0; i < n; i++) {
    const o = text(origin, i);
    const dep = text(departure, i);
    const exported = dir.codes[i] >= 0 && isExport[dir.codes[i]];
    if (exported ? o !== p.controlOrigin && dep !== p.controlOrigin : o !== p.controlOrigin || !dep || dep === p.controlOrigin) continue;
    const h = text(hs6, i);
    const d = text(date, i);
    const dest = text(destination, i);
    if (!h || !d || !dest || !/^\d{6}$/.test(h) || !/^\d{4}-\d{2}-\d{2}$/.test(d)) continue;
    if (controlsInForce(catalog, h, dest, d).some((iv) => iv.destinations !== '*' && iv.origin === p.controlOrigin)) ctx.fire(exported ? 'banned_destination' : 'banned_destination_via_third', i);
  }
}
