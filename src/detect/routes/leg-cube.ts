import type { Table } from 'apache-arrow';
import { StringDictionary } from '../../table/columns.ts';
import { readCodes, readFloats } from '../../table/read.ts';
import { flowSides, periodIndex } from '../mirror/mirror-windows.ts';

/** One reported side of a leg over the cube's periods: value, weight and the rows behind each period. */
export interface LegSeries {
  value: Float64Array;
  kg: Float64Array;
  /** Row index in the source table behind each period (-1 none): the evidence. */
  row: Int32Array;
}

/**
 * Both sides' records of every exporter → importer flow of one HS6 on one time axis (months for monthly
 * data, years for annual), plus who published which period. Legs are read from either side, so a hub
 * that never reports is still seen through its partners' records. Built once per code; pure.
 */
export class LegCube {
  readonly countries = new StringDictionary();
  /** Exporter's X records, by (exporter, importer). */
  readonly x = new Map<number, LegSeries>();
  /** Importer's M records, by (exporter, importer). */
  readonly m = new Map<number, LegSeries>();
  /** Importer's M records of goods of origin o consigned from h (partner2), by (origin, hub, importer). */
  readonly consigned = new Map<string, Float64Array>();
  /** Per reporter × side: 1 where it published the period. */
  readonly published = new Map<number, Uint8Array>();
  /** Annual cube: sides (key × 2 + side) with years summed from monthly records (see {@link buildLegCube}). */
  readonly fromMonths = new Set<number>();
  /** Rows of the code left out because their HS revision gives it another scope (see {@link buildLegCube}). */
  rowsOtherScope = 0;

  constructor(
    /** First period index (months since year 0, or the year for annual data). */
    readonly t0: number,
    /** Number of periods. */
    readonly length: number,
    readonly annual: boolean,
  ) {}

  /** Numeric key of an exporter → importer pair of country ids. */
  key(e: number, i: number): number {
    return e * 4096 + i;
  }

  /** The leg e → i per period: the larger of the exporter's FOB and the importer's CIF/ratio (NaN when neither recorded). */
  leg(e: string, i: string, cifFob: number): Float64Array {
    const out = new Float64Array(this.length).fill(NaN);
    const ei = this.countries.find(e);
    const ii = this.countries.find(i);
    if (ei < 0 || ii < 0) return out;
    const xs = this.x.get(this.key(ei, ii));
    const ms = this.m.get(this.key(ei, ii));
    for (let t = 0; t < this.length; t++) {
      const a = xs ? xs.value[t] : NaN;
      const b = ms ? ms.value[t] / cifFob : NaN;
      out[t] = a === a && b === b ? Math.max(a, b) : a === a ? a : b;
    }
    return out;
  }

  /** Every exporter → importer key that either side recorded, once. */
  pairKeys(): number[] {
    const keys = new Set(this.x.keys());
    for (const k of this.m.keys()) keys.add(k);
    return [...keys];
  }

  /** One side's series (X by the exporter or M by the importer), or null. */
  side(e: string, i: string, which: 'x' | 'm'): LegSeries | null {
    const ei = this.countries.find(e);
    const ii = this.countries.find(i);
    if (ei < 0 || ii < 0) return null;
    return (which === 'x' ? this.x : this.m).get(this.key(ei, ii)) ?? null;
  }

  /** Whether `reporter` published period t on that side (exports 0, imports 1). */
  didPublish(reporter: string, side: 0 | 1, t: number): boolean {
    const c = this.countries.find(reporter);
    return c >= 0 && (this.published.get(c * 2 + side)?.[t] ?? 0) === 1;
  }

  /** Whether anyone published period t (a year or month present in the data at all). */
  anyPublished(t: number): boolean {
    for (const pub of this.published.values()) if (pub[t]) return true;
    return false;
  }

  /** Sum over all importers of e's exports as recorded by e (X), per period. */
  exportsOf(e: string, except: ReadonlySet<string> = new Set()): Float64Array {
    const out = new Float64Array(this.length);
    const ei = this.countries.find(e);
    if (ei < 0) return out;
    for (const [k, s] of this.x) {
      if (Math.floor(k / 4096) !== ei || except.has(this.countries.values[k % 4096])) continue;
      for (let t = 0; t < this.length; t++) if (s.value[t] === s.value[t]) out[t] += s.value[t];
    }
    return out;
  }

  /** Period index of `YYYY-MM` or `YYYY`, relative to the cube's start. */
  indexOf(period: string): number {
    const t = period.length === 4 ? Number(period) : Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1;
    return t - this.t0;
  }

  /** Period text of index t. */
  periodOf(t: number): string {
    const v = this.t0 + t;
    return this.annual ? String(v) : `${Math.floor(v / 12)}-${String((v % 12) + 1).padStart(2, '0')}`;
  }
}

/**
 * The time axis of one frequency over a period column's values: per value its index (months since year 0 for
 * monthly data, the year for annual; NaN for a period of the other frequency, or with `monthsAsYears` a month's
 * year), and the span of this frequency's own periods (t0, length; 0 and 0 when there are none). Every cube and
 * table of one frequency built from the same flows shares this axis.
 */
export function frequencyAxis(values: readonly string[], annual: boolean, monthsAsYears = false): { tOf: Float64Array; t0: number; length: number } {
  const { t, annual: isYear } = periodIndex(values);
  const tOf = Float64Array.from(t, (v, c) => (isYear[c] ? (annual ? v : NaN) : annual ? (monthsAsYears ? Math.floor(v / 12) : NaN) : v));
  let lo = Infinity;
  let hi = -Infinity;
  for (let c = 0; c < tOf.length; c++) if (tOf[c] === tOf[c] && (!annual || isYear[c])) (lo = Math.min(lo, tOf[c])), (hi = Math.max(hi, tOf[c]));
  return { tOf, t0: lo === Infinity ? 0 : lo, length: lo === Infinity ? 0 : hi - lo + 1 };
}

/**
 * Builds the cube of one HS6 from canonical flows (and partner2 `consignment` rows) of one frequency.
 * Only X and M at HS6 level; several rows for one side and period (several sources) keep the first. Rows whose
 * `hs_revision` fails `revisionOk` are not the code's trade (counted in `rowsOtherScope`), though they still show
 * their reporter published.
 */
export function buildLegCube(flows: Table, consignment: Table | null, hs6: string, annual: boolean, revisionOk: (revision: string) => boolean = () => true): LegCube {
  const who = 'buildLegCube';
  const hs = readCodes(flows, 'hs6', who);
  const code = hs.values.indexOf(hs6);
  // rows of a revision in which the code holds other goods (811292 in HS2017 also holds hafnium) are not its trade
  const revCol = flows.getChild('hs_revision') ? readCodes(flows, 'hs_revision', who) : null;
  const revAllowed = revCol ? Uint8Array.from(revCol.values, (r) => (revisionOk(r) ? 1 : 0)) : null;
  const period = readCodes(flows, 'period', who);
  const rep = readCodes(flows, 'reporter', who);
  const par = readCodes(flows, 'partner', who);
  const flow = readCodes(flows, 'flow', who);
  const value = readFloats(flows, 'value_usd', who);
  const kg = readFloats(flows, 'net_weight_kg', who);
  // annual cubes also read monthly records, summed into their year where the reporter published all twelve months of
  // it on that side (a hub that reports yearly against an origin that reports monthly): `fromMonths` marks them
  const { t: monthOf, annual: isYear } = periodIndex(period.values);
  const axis = frequencyAxis(period.values, annual, annual);
  const tOf = axis.tOf;
  const cube = new LegCube(axis.t0, axis.length, annual);
  const flowSide = flowSides(flow.values);
  const isMonth = Uint8Array.from(isYear, (y) => 1 - y);
  /** annual cube: months published per reporter × side × year, and the monthly records summed per year */
  const monthsPublished = new Map<number, Uint8Array>();
  const monthSeen = new Set<number>();
  const monthly = { x: new Map<number, LegSeries>(), m: new Map<number, LegSeries>() };
  for (let i = 0; i < flows.numRows; i++) {
    const pc = period.codes[i];
    const t = tOf[pc];
    const sd = flow.codes[i] >= 0 ? flowSide[flow.codes[i]] : -1;
    if (t !== t || sd < 0) continue;
    const o = t - cube.t0;
    if (o < 0 || o >= cube.length) continue;
    const r = cube.countries.code(rep.values[rep.codes[i]]);
    const fromMonth = annual && isMonth[pc] === 1;
    if (fromMonth) {
      let pm = monthsPublished.get(r * 2 + sd);
      if (!pm) monthsPublished.set(r * 2 + sd, (pm = new Uint8Array(cube.length * 12)));
      pm[o * 12 + (monthOf[pc] % 12)] = 1;
    } else {
      let pub = cube.published.get(r * 2 + sd);
      if (!pub) cube.published.set(r * 2 + sd, (pub = new Uint8Array(cube.length)));
      pub[o] = 1;
    }
    if (hs.codes[i] !== code || code < 0) continue;
    if (revAllowed && revCol!.codes[i] >= 0 && !revAllowed[revCol!.codes[i]]) {
      cube.rowsOtherScope++;
      continue;
    }
    const p = cube.countries.code(par.values[par.codes[i]]);
    const k = sd === 0 ? cube.key(r, p) : cube.key(p, r);
    const map = fromMonth ? (sd === 0 ? monthly.x : monthly.m) : sd === 0 ? cube.x : cube.m;
    let s = map.get(k);
    if (!s) {
      s = { value: new Float64Array(cube.length).fill(NaN), kg: new Float64Array(cube.length).fill(NaN), row: new Int32Array(cube.length).fill(-1) };
      map.set(k, s);
    }
    if (fromMonth) {
      // one record per side, pair and month (several sources: the first)
      const seen = ((k * 2 + sd) * cube.length + o) * 12 + (monthOf[pc] % 12);
      if (monthSeen.has(seen)) continue;
      monthSeen.add(seen);
      s.value[o] = (s.value[o] === s.value[o] ? s.value[o] : 0) + value[i];
      s.kg[o] = (s.kg[o] === s.kg[o] ? s.kg[o] : 0) + (kg[i] === kg[i] ? kg[i] : NaN);
      if (s.row[o] < 0) s.row[o] = i;
      continue;
    }
    if (s.row[o] >= 0) continue;
    s.value[o] = value[i];
    s.kg[o] = kg[i];
    s.row[o] = i;
  }
  if (annual) {
    // a year a reporter published in all twelve months on a side counts as published, its monthly sums as its records
    const full = new Map<number, Uint8Array>();
    for (const [rs, pm] of monthsPublished) {
      const f = new Uint8Array(cube.length);
      for (let o = 0; o < cube.length; o++) {
        let n = 0;
        for (let mo = 0; mo < 12; mo++) n += pm[o * 12 + mo];
        f[o] = n === 12 ? 1 : 0;
      }
      full.set(rs, f);
      let pub = cube.published.get(rs);
      if (!pub) cube.published.set(rs, (pub = new Uint8Array(cube.length)));
      for (let o = 0; o < cube.length; o++) if (f[o]) pub[o] = 1;
    }
    for (const [sd, from, into] of [[0, monthly.x, cube.x], [1, monthly.m, cube.m]] as const) {
      for (const [k, ms] of from) {
        const reporter = sd === 0 ? Math.floor(k / 4096) : k % 4096;
        const f = full.get(reporter * 2 + sd);
        let s = into.get(k);
        for (let o = 0; o < cube.length; o++) {
          if (!f?.[o] || ms.row[o] < 0 || (s && s.row[o] >= 0)) continue;
          if (!s) {
            s = { value: new Float64Array(cube.length).fill(NaN), kg: new Float64Array(cube.length).fill(NaN), row: new Int32Array(cube.length).fill(-1) };
            into.set(k, s);
          }
          s.value[o] = ms.value[o];
          s.kg[o] = ms.kg[o];
          s.row[o] = ms.row[o];
          cube.fromMonths.add(k * 2 + sd);
        }
      }
    }
  }
  if (consignment && consignment.numRows) {
    const cHs = readCodes(consignment, 'hs6', who);
    const cPer = readCodes(consignment, 'period', who);
    const cRep = readCodes(consignment, 'reporter', who);
    const cPar = readCodes(consignment, 'partner', who);
    const cP2 = readCodes(consignment, 'partner2', who);
    const cFlow = readCodes(consignment, 'flow', who);
    const cVal = readFloats(consignment, 'value_usd', who);
    for (let i = 0; i < consignment.numRows; i++) {
      if (cHs.codes[i] < 0 || cHs.values[cHs.codes[i]] !== hs6 || cFlow.values[cFlow.codes[i]] !== 'M' || cP2.codes[i] < 0) continue;
      const pv = cPer.values[cPer.codes[i]];
      if ((pv.length === 4) !== annual) continue;
      const o = cube.indexOf(pv);
      if (o < 0 || o >= cube.length) continue;
      const k = `${cPar.values[cPar.codes[i]]}|${cP2.values[cP2.codes[i]]}|${cRep.values[cRep.codes[i]]}`;
      let s = cube.consigned.get(k);
      if (!s) cube.consigned.set(k, (s = new Float64Array(cube.length)));
      if (cVal[i] > 0) s[o] += cVal[i];
    }
  }
  return cube;
}
