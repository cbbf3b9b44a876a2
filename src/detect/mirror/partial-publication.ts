import type { Table } from 'apache-arrow';
import type { StringDictionary } from '../../table/columns.ts';
import { NumberMap } from '../../table/number-map.ts';
import { readCodes, readFloats, type CodedColumn } from '../../table/read.ts';
import { PUB, flowSides, periodIndex, pubKey } from './mirror-windows.ts';

/**
 * Partial publication (domain.md §2, "not always unknown"): a reporter that published a period says zero for
 * every partner it omits — unless it published only part of that period (the newest months of some
 * reporters, a release that left out some partners). Such a period is found against the reporter's own
 * usual: per reporter × flow × frequency, a period with at most a share of the median partner count of its
 * other periods, or less than a (smaller) share of their median value. Pure.
 */

/** What a reporter published per reporter × flow side × period: `key` as pubKey builds it, rows aligned. */
export interface PublicationStats {
  key: Float64Array;
  partners: Float64Array;
  value: Float64Array;
}

/** The settings {@link markPartialPublication} reads (see MirrorMatchParams). */
export interface PartialPublicationParams {
  partialPublicationShare: number;
  partialPublicationValueShare: number;
  minPeriodsForUsual: number;
}

/**
 * Marks as published in part (`PUB.partial` in `published`) every reporter × flow × period of `stats` whose
 * partners are at most `partialPublicationShare` × the median of the same reporter's, flow's and frequency's
 * other periods in `stats`, or whose value is below `partialPublicationValueShare` × theirs, when there are at
 * least `minPeriodsForUsual` of them. Only cells `published` holds as published are marked; cells in `stated`
 * (the availability table's word) are left as they are. Returns the number of cells marked.
 */
export function markPartialPublication(stats: PublicationStats, published: NumberMap, stated: NumberMap | null, p: PartialPublicationParams): number {
  const { key, partners, value } = stats;
  const n = key.length;
  const share = p.partialPublicationShare;
  const valueShare = p.partialPublicationValueShare;
  if (!n || !(share > 0 || valueShare > 0)) return 0;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => key[a] - key[b]);
  let marked = 0;
  let sp = new Float64Array(16), sv = new Float64Array(16);
  for (let a = 0; a < n; ) {
    // one run: the periods of one reporter × flow side × frequency (pubKey's digits above the period)
    const group = Math.floor(key[order[a]] / 40000);
    let b = a + 1;
    while (b < n && Math.floor(key[order[b]] / 40000) === group) b++;
    const k = b - a;
    if (k - 1 >= p.minPeriodsForUsual) {
      if (k > sp.length) {
        sp = new Float64Array(k);
        sv = new Float64Array(k);
      }
      for (let j = 0; j < k; j++) {
        sp[j] = partners[order[a + j]];
        sv[j] = value[order[a + j]];
      }
      const ps = sp.subarray(0, k).sort(), vs = sv.subarray(0, k).sort();
      for (let j = a; j < b; j++) {
        const i = order[j];
        // at most half the usual partners (one of two counts), or far less value (trade itself moves: a stricter share)
        const low = (share > 0 && partners[i] <= share * medianWithout(ps, partners[i])) || value[i] < valueShare * medianWithout(vs, value[i]);
        if (!low || published.get(key[i], PUB.no) !== PUB.yes || (stated && stated.has(key[i]))) continue;
        published.set(key[i], PUB.partial);
        marked++;
      }
    }
    a = b;
  }
  return marked;
}

/**
 * Partners and value per reporter × flow side × period from the selected flow rows (`sel`, the first `nSel`);
 * rows aligned with `key`. Cells are reporter × side × period code, in a table when there are at most 2^24 of
 * them (distinct partners then a bit per cell × partner, when that fits in 32 MB), else numbered through hash maps.
 */
export function publicationStatsOfRows(
  rc: { rep: Int32Array; par: Int32Array; flow: Int32Array; period: Int32Array; repOf: Int32Array; parOf: Int32Array; sideOf: Int8Array },
  sel: Int32Array, nSel: number, value: Float64Array, nPer: number, nCountries: number, time: { t: Float64Array; annual: Int8Array },
): PublicationStats {
  const { rep, par, flow, period, repOf, parOf, sideOf } = rc;
  const c1 = nCountries + 1;
  const cells = c1 * 2 * nPer;
  const dense = cells <= 1 << 24;
  // sparse: cells numbered in order of first appearance, their codes kept
  const slotOf = dense ? null : new NumberMap(1024);
  const cellOf: number[] = [];
  let partnersOf: Float64Array = new Float64Array(dense ? cells : 1024);
  let valueOf: Float64Array = new Float64Array(dense ? cells : 1024);
  const bits = dense && cells * c1 <= 1 << 28 ? new Uint8Array(Math.ceil((cells * c1) / 8)) : null;
  const seen = bits ? null : new NumberMap(1024);
  for (let k = 0; k < nSel; k++) {
    const i = sel[k];
    let cell = ((repOf[rep[i] + 1] + 1) * 2 + sideOf[flow[i]]) * nPer + period[i];
    if (slotOf) {
      let at = slotOf.get(cell, -1);
      if (at < 0) {
        slotOf.set(cell, (at = cellOf.length));
        cellOf.push(cell);
        if (at >= partnersOf.length) {
          partnersOf = grown(partnersOf);
          valueOf = grown(valueOf);
        }
      }
      cell = at;
    }
    const bit = cell * c1 + parOf[par[i] + 1] + 1;
    if (bits) {
      const m = 1 << (bit & 7);
      if (!(bits[bit >> 3] & m)) {
        bits[bit >> 3] |= m;
        partnersOf[cell]++;
      }
    } else if (!seen!.has(bit)) {
      seen!.set(bit, 1);
      partnersOf[cell]++;
    }
    const v = value[i];
    if (v >= 0) valueOf[cell] += v;
  }
  // the cells with rows, keyed as `published` is
  const keys: number[] = [], ps: number[] = [], vs: number[] = [];
  const n = slotOf ? cellOf.length : cells;
  for (let at = 0; at < n; at++) {
    if (!(partnersOf[at] > 0)) continue;
    const cell = slotOf ? cellOf[at] : at;
    const pc = cell % nPer;
    const rs = (cell - pc) / nPer;
    const s = rs % 2;
    keys.push(pubKey((rs - s) / 2 - 1, s, time.annual[pc], time.t[pc]));
    ps.push(partnersOf[at]);
    vs.push(valueOf[at]);
  }
  return { key: Float64Array.from(keys), partners: Float64Array.from(ps), value: Float64Array.from(vs) };
}

function grown(a: Float64Array): Float64Array {
  const g = new Float64Array(a.length * 2);
  g.set(a);
  return g;
}

/**
 * Partners and value per reporter × flow side × period from a `coverage` table of a run over every product
 * (reporter, flow, period, partners, value_usd); reporters coded through `countries`, as the pair table's.
 */
export function publicationStatsOfCoverage(coverage: Table, countries: StringDictionary, who: string): PublicationStats {
  const rep = readCodes(coverage, 'reporter', who);
  const flow = readCodes(coverage, 'flow', who);
  const per = readCodes(coverage, 'period', who);
  const partners = readFloats(coverage, 'partners', who);
  const value = readFloats(coverage, 'value_usd', who);
  const repOf = codesIn(rep, countries);
  const side = flowSides(flow.values);
  const time = periodIndex(per.values);
  const keys: number[] = [], ps: number[] = [], vs: number[] = [];
  for (let i = 0; i < coverage.numRows; i++) {
    const r = rep.codes[i], f = flow.codes[i], pc = per.codes[i];
    if (r < 0 || f < 0 || side[f] < 0 || pc < 0 || time.t[pc] !== time.t[pc]) continue;
    keys.push(pubKey(repOf[r], side[f], time.annual[pc], time.t[pc]));
    ps.push(partners[i] === partners[i] ? partners[i] : 0);
    vs.push(value[i] === value[i] ? value[i] : 0);
  }
  return { key: Float64Array.from(keys), partners: Float64Array.from(ps), value: Float64Array.from(vs) };
}

/** The median of sorted `s` with one occurrence of `v` (a member) left out. */
function medianWithout(s: Float64Array, v: number): number {
  // first index of v (binary search)
  let lo = 0, hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  const at = (j: number) => (j < lo ? s[j] : s[j + 1]);
  const n = s.length - 1;
  return n % 2 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
}

function codesIn(col: CodedColumn, dict: StringDictionary): Int32Array {
  return Int32Array.from(col.values, (v) => dict.code(v));
}
