import { resolveHsSelector, type Catalog } from '../../../reference/catalog.ts';
import type { GroupStats } from '../../robust-stats.ts';
import type { RuleContext } from './context.ts';

/**
 * `misclassified_description`: the catalog's keywords, matched once per distinct description. Where the mineral
 * has a known uncontrolled home (a catalog comparator, e.g. 250490 lump graphite beside 250410), the word alone
 * proves nothing: the same description must also be declared under one of the mineral's controlled codes.
 * Returns the mineral named, by row.
 */
export function misclassifiedDescription(ctx: RuleContext): Map<number, string> {
  const { n, catalog, description, hs6, text } = ctx;
  const mineralCodes = new Map<string, string[]>();
  for (const k of catalog.keywords) if (!mineralCodes.has(k.mineral)) mineralCodes.set(k.mineral, safeSelector(`@${k.mineral}`, catalog));
  const homes = new Set(catalog.comparators.map((c) => `${c.mineral}|${c.hs6}`));
  const descMineral = description.values.map((d) => mineralNamed(d, catalog));
  const descUnderControlled = new Uint8Array(description.values.length);
  for (let i = 0; i < n; i++) {
    const dc = description.codes[i];
    const m = dc >= 0 ? descMineral[dc] : null;
    if (m && hs6.codes[i] >= 0 && mineralCodes.get(m)?.includes(hs6.values[hs6.codes[i]])) descUnderControlled[dc] = 1;
  }
  const misMineral = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    const dc = description.codes[i];
    const m = dc >= 0 ? descMineral[dc] : null;
    const h = text(hs6, i);
    if (!m || !h) continue;
    const codes = mineralCodes.get(m) ?? [];
    if (codes.includes(h) || !codes.some((c) => ctx.controlledOn(c, i))) continue;
    if (homes.has(`${m}|${h}`) && !descUnderControlled[dc]) continue;
    ctx.fire('misclassified_description', i);
    misMineral.set(i, m);
  }
  return misMineral;
}

/**
 * `misclassified_unit_value`: far outside the declared (uncontrolled) code's range, inside a controlled
 * neighbour's (same HS chapter, or a catalog comparator link). Returns per row the |z| under the code it looks
 * like and that code (an index into the HS6 dictionary; −1 where none).
 */
export function misclassifiedUnitValue(ctx: RuleContext, uv: Float64Array, z: Float64Array, statsAll: GroupStats): { looksLike: Float64Array; looksLikeCode: Int32Array } {
  const { n, p, catalog, hs6, text } = ctx;
  const looksLike = new Float64Array(n).fill(NaN);
  const looksLikeCode = new Int32Array(n).fill(-1);
  const comparatorLinks = new Map<string, Set<string>>();
  for (const c of catalog.comparators) for (const k of c.comparesTo) {
    (comparatorLinks.get(c.hs6) ?? comparatorLinks.set(c.hs6, new Set()).get(c.hs6)!).add(k);
  }
  const controlledCodes = [...new Set(catalog.intervals.filter((iv) => iv.origin === p.controlOrigin).map((iv) => iv.hs6))].filter((c) => hs6.values.includes(c));
  for (let i = 0; i < n; i++) {
    const h = text(hs6, i);
    if (!h || ctx.controlled[i] || !(Math.abs(z[i]) >= p.misclassifiedMinAbsZ)) continue;
    let best = Infinity;
    for (const k of controlledCodes) {
      if (k.slice(0, 2) !== h.slice(0, 2) && !comparatorLinks.get(h)?.has(k)) continue;
      if (!ctx.controlledOn(k, i)) continue;
      const g = hs6.values.indexOf(k);
      if (!(statsAll.mad[g] > 0)) continue;
      const zk = Math.abs((uv[i] - statsAll.median[g]) / statsAll.mad[g]);
      if (zk < best) (best = zk), (looksLikeCode[i] = g);
    }
    if (best <= p.misclassifiedMaxAbsZControlled) {
      looksLike[i] = best;
      ctx.fire('misclassified_unit_value', i);
    } else looksLikeCode[i] = -1;
  }
  return { looksLike, looksLikeCode };
}

/** The first mineral whose catalog keyword the description names (English by word, Chinese by substring), or null. */
function mineralNamed(description: string, catalog: Catalog): string | null {
  const d = description.toLowerCase();
  for (const k of catalog.keywords) {
    const w = k.keyword.toLowerCase();
    const at = d.indexOf(w);
    if (at < 0) continue;
    if (k.lang !== 'en') return k.mineral;
    const before = at === 0 ? ' ' : d[at - 1];
    const after = at + w.length >= d.length ? ' ' : d[at + w.length];
    if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after)) return k.mineral;
  }
  return null;
}

function safeSelector(sel: string, catalog: Catalog): string[] {
  try {
    return resolveHsSelector(sel, catalog) ?? [];
  } catch {
    return []; // a keyword mineral without a control (none today): nothing to misdeclare
  }
}
