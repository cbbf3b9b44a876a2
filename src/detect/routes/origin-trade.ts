import type { Table } from 'apache-arrow';
import { readCodes, readFloats } from '../../table/read.ts';
import { frequencyAxis } from './leg-cube.ts';
import { excessOverTrend } from './route-chain.ts';

/**
 * The origin's exports of every code to every partner on one time axis (the larger of the origin's FOB record and the
 * partner's CIF record over the ratio, per period), built in one pass over the flows: the placebo of a route is the
 * same hub's imports from the origin in the other codes. Same axis as the leg cubes of that frequency. Pure.
 */
export class OriginTrade {
  private readonly series = new Map<string, Float64Array>();
  private readonly totals = new Map<string, Float64Array>();
  readonly t0: number;
  readonly length: number;

  constructor(flows: Table, origin: string, annual: boolean, cifFob: number) {
    const who = 'OriginTrade';
    const hs = readCodes(flows, 'hs6', who);
    const period = readCodes(flows, 'period', who);
    const rep = readCodes(flows, 'reporter', who);
    const par = readCodes(flows, 'partner', who);
    const flow = readCodes(flows, 'flow', who);
    const value = readFloats(flows, 'value_usd', who);
    const axis = frequencyAxis(period.values, annual);
    const tOf = axis.tOf;
    this.t0 = axis.t0;
    this.length = axis.length;
    const o = rep.values.indexOf(origin);
    const oPar = par.values.indexOf(origin);
    const x = new Map<string, Float64Array>();
    const m = new Map<string, Float64Array>();
    const fx = flow.values.indexOf('X');
    const fm = flow.values.indexOf('M');
    for (let i = 0; i < flows.numRows; i++) {
      const t = tOf[period.codes[i]];
      if (t !== t || hs.codes[i] < 0 || !(value[i] > 0)) continue;
      let key: string;
      let into: Map<string, Float64Array>;
      if (rep.codes[i] === o && o >= 0 && flow.codes[i] === fx && par.codes[i] !== oPar) {
        key = `${par.values[par.codes[i]]}|${hs.values[hs.codes[i]]}`;
        into = x;
      } else if (par.codes[i] === oPar && oPar >= 0 && flow.codes[i] === fm && rep.codes[i] !== o) {
        key = `${rep.values[rep.codes[i]]}|${hs.values[hs.codes[i]]}`;
        into = m;
      } else continue;
      let s = into.get(key);
      if (!s) into.set(key, (s = new Float64Array(this.length)));
      s[t - this.t0] += into === m ? value[i] / cifFob : value[i];
    }
    for (const key of new Set([...x.keys(), ...m.keys()])) {
      const a = x.get(key);
      const b = m.get(key);
      const s = new Float64Array(this.length);
      for (let t = 0; t < this.length; t++) s[t] = Math.max(a ? a[t] : 0, b ? b[t] : 0);
      this.series.set(key, s);
      const code = key.slice(key.indexOf('|') + 1);
      let tot = this.totals.get(code);
      if (!tot) this.totals.set(code, (tot = new Float64Array(this.length)));
      for (let t = 0; t < this.length; t++) tot[t] += s[t];
    }
  }

  /**
   * Median, over the codes not in `except` (the controlled ones: a hub may carry diverted goods of several) that the origin sold the hub at or above `floor` per period in either
   * window, of the hub's excess over the origin's trend to its other buyers of that code (as the route's first leg
   * is measured); NaN with fewer than `minCodes` such codes. Windows are indexes on the cube axis starting at `cubeT0`.
   */
  placeboExcess(hub: string, except: ReadonlySet<string>, w: { pre: [number, number]; post: [number, number] }, cubeT0: number, floor: number, fl: number, minCodes: number): { median: number; codes: number } {
    const shift = cubeT0 - this.t0;
    const mean = (s: Float64Array, win: [number, number]) => {
      let sum = 0;
      for (let t = win[0]; t <= win[1]; t++) sum += s[t + shift] || 0;
      return sum / (win[1] - win[0] + 1);
    };
    const out: number[] = [];
    for (const [code, tot] of this.totals) {
      if (except.has(code)) continue;
      const s = this.series.get(`${hub}|${code}`);
      if (!s) continue;
      const a = mean(s, w.pre);
      const b = mean(s, w.post);
      if (!(Math.max(a, b) >= floor)) continue;
      out.push(excessOverTrend(a, b, mean(tot, w.pre) - a, mean(tot, w.post) - b, floor, fl).excess);
    }
    if (out.length < minCodes) return { median: NaN, codes: out.length };
    out.sort((p, q) => p - q);
    const n = out.length;
    return { median: n % 2 ? out[(n - 1) / 2] : (out[n / 2 - 1] + out[n / 2]) / 2, codes: n };
  }
}
