import { Table } from 'apache-arrow';
import type { ControlInterval } from '../../reference/catalog.ts';
import { Float64Builder, Int32Builder, Int8Builder, StringDictionary, boolVector, dictionaryVector, float64Vector } from '../../table/columns.ts';
import { NumberMap } from '../../table/number-map.ts';
import { readCodes, readFloats } from '../../table/read.ts';
import { PairRecords, Published, countryIds, flowSides, periodIndex } from './published-records.ts';

/** The parts of a control interval {@link scoreTwoLegRule} reads; the catalog's {@link ControlInterval} fits it. */
export interface TwoLegControl {
  hs6: string;
  /** ISO3 of the controlling country (`CHN`). */
  origin: string;
  /** `*` for every destination, else ISO3 codes. */
  destinations: '*' | readonly string[];
  /** First day in force, YYYY-MM-DD. */
  start: string;
  /** Last day in force (inclusive), YYYY-MM-DD; null while open. */
  end: string | null;
  /** A `suspended` interval is not in force and is skipped; absent means active. */
  status?: ControlInterval['status'];
}

/** Thresholds of {@link scoreTwoLegRule}, a plain reference for the transshipment detector. */
export interface TwoLegRuleParams {
  /** Each leg's post-control mean must be at least this multiple of its pre-control mean; ratio ≥ 1 (default `1.5`). */
  minRiseRatio: number;
  /** Each leg's mean must rise by at least this, USD per period of the route's data (month or year) (default `10_000`). */
  minRiseUsd: number;
  /** A leg with nothing before the control counts as risen when its post-control mean reaches this, USD per period (default `10_000`). */
  minValueUsd: number;
  /** rise(H→D) / rise(O→H) must lie within [1/this, this]; ratio ≥ 1 (default `3`). */
  passThroughTolerance: number;
}

/** Defaults of {@link TwoLegRuleParams}. */
export const twoLegRuleDefaults: TwoLegRuleParams = {
  minRiseRatio: 1.5,
  minRiseUsd: 10_000,
  minValueUsd: 10_000,
  passThroughTolerance: 3,
};

/**
 * Baseline transshipment rule: a route origin → hub → destination of a controlled HS6 is flagged when both
 * legs rose from before the control to after it, each by `minRiseRatio` and `minRiseUsd`, with the second
 * leg's rise within `passThroughTolerance` of the first's.
 *
 * A leg's value per period is the larger of its two records (the exporter's X, the importer's M, USD as
 * reported); a period counts when either reporter published that flow then (any record, any partner or
 * product), a counted period without a record being 0 (a record without a value: that side says nothing). Pre: every period wholly before the start, less the
 * month before it on monthly data (stockpiling); post: monthly from the start month + 1, annual the years the
 * control was in force for at least half of (a year with less is in neither), up to the interval's end (a
 * month only when wholly in force). A route is compared monthly when all four sides report monthly (a side
 * without records: when its reporter publishes that flow monthly), otherwise both legs on years (annual
 * records, or months summed over years a reporter published all twelve of). Candidates: every country pair
 * with records of the code on both legs, hub and destination distinct from each other and the origin, the
 * destination in the interval's scope; HS6-level rows (`cmd_level` 6), one record per reporter × partner ×
 * flow × period (the first). `all`: one row per route and code, the best over the intervals given (flagged
 * first, then the higher score), sorted by hs6, origin, hub, destination; `score` = min of the two rises, USD
 * per period (null when a window has no counted period). `flagged`: the flagged rows by score, highest first. Pure.
 */
export function scoreTwoLegRule(flows: Table, controls: readonly TwoLegControl[], p: TwoLegRuleParams): { all: Table; flagged: Table } {
  const who = 'scoreTwoLegRule';
  const rep = readCodes(flows, 'reporter', who);
  const par = readCodes(flows, 'partner', who);
  const flow = readCodes(flows, 'flow', who);
  const hs6 = readCodes(flows, 'hs6', who);
  const period = readCodes(flows, 'period', who);
  const level = readFloats(flows, 'cmd_level', who);
  const value = readFloats(flows, 'value_usd', who);
  const n = flows.numRows;

  const inForce = controls.filter((c) => c.status !== 'suspended');
  const wanted = new Set(inForce.map((c) => c.hs6));
  const { countries, repOf, parOf, isCountry: country } = countryIds(rep, par);
  const nC = countries.size;
  const sideOf = flowSides(flow.values);
  const hsWanted = Uint8Array.from(hs6.values, (h) => (wanted.has(h) ? 1 : 0));
  const per = periodIndex(period.values, who);

  const pub = new Published(nC);
  const axis = { M: [Infinity, -Infinity], A: [Infinity, -Infinity] }; // [first, last] period of each frequency
  const pairs = new PairRecords(nC, pub);
  for (let i = 0; i < n; i++) {
    const f = flow.codes[i], pc = period.codes[i], rc = rep.codes[i];
    if (f < 0 || pc < 0 || rc < 0 || sideOf[f] < 0) continue;
    const s = sideOf[f], a = per.annual[pc], t = per.t[pc];
    const r = repOf[rc];
    pub.mark(r, s, a, t);
    const ax = a ? axis.A : axis.M;
    if (t < ax[0]) ax[0] = t;
    if (t > ax[1]) ax[1] = t;
    if (!a) {
      const y = Math.floor(t / 12);
      if (y < axis.A[0]) axis.A[0] = y;
      if (y > axis.A[1]) axis.A[1] = y;
    }
    const h = hs6.codes[i];
    const q = par.codes[i] >= 0 ? parOf[par.codes[i]] : -1;
    if (h < 0 || !hsWanted[h] || level[i] !== 6 || q < 0 || q === r || !country[r] || !country[q]) continue;
    pairs.add(h, r, q, s, a, t, value[i]);
  }
  const next = new Map<number, number[]>(); // hs6 · nC + exporter → its importers with a record, in order of first record
  const monthlyOk = new Uint8Array(pairs.size);
  for (let g = 0; g < pairs.size; g++) {
    const k = pairs.hs6.data[g] * nC + pairs.exporter.data[g];
    const to = next.get(k);
    if (to) to.push(pairs.importer.data[g]);
    else next.set(k, [pairs.importer.data[g]]);
    monthlyOk[g] = pairs.monthly(g) ? 1 : 0;
  }
  const legCache = new Map<number, Float64Array>();
  const legOf = (g: number, annual: number): Float64Array => {
    let leg = legCache.get(g * 2 + annual);
    if (!leg) legCache.set(g * 2 + annual, (leg = legSeries(pairs, g, annual, annual ? axis.A : axis.M)));
    return leg;
  };

  const out = new RouteRows();
  const seen = new Set<string>();
  for (const iv of inForce) {
    const dests = iv.destinations === '*' ? null : new Set(iv.destinations);
    const k = `${iv.hs6}|${iv.origin}|${dests ? [...dests].sort().join(';') : '*'}|${iv.start}|${iv.end ?? ''}`;
    if (seen.has(k)) continue; // the same window twice (one code, two minerals): same rows
    seen.add(k);
    const h = hs6.values.indexOf(iv.hs6);
    const o = countries.find(iv.origin);
    if (h < 0 || o < 0) continue;
    const windows = [windowMask(iv, false, axis.M, who), windowMask(iv, true, axis.A, who)];
    const ivCode = out.interval(iv.start, iv.end);
    for (const hub of next.get(h * nC + o) ?? []) {
      if (hub === o) continue;
      const g1 = pairs.find(h, o, hub);
      for (const d of next.get(h * nC + hub) ?? []) {
        if (d === o || d === hub || (dests && !dests.has(countries.values[d]))) continue;
        const g2 = pairs.find(h, hub, d);
        const annual = monthlyOk[g1] && monthlyOk[g2] ? 0 : 1;
        const mask = windows[annual];
        const leg1 = legOf(g1, annual), leg2 = legOf(g2, annual);
        const pre1 = windowMean(leg1, mask, 1), post1 = windowMean(leg1, mask, 2);
        const pre2 = windowMean(leg2, mask, 1), post2 = windowMean(leg2, mask, 2);
        const r1 = post1 - pre1, r2 = post2 - pre2;
        const tol = p.passThroughTolerance;
        // the ratios are written as products, so that a value at a threshold is not lost to rounding
        const flagged = rose(pre1, post1, p) && rose(pre2, post2, p) && r2 <= tol * r1 && r2 * tol >= r1;
        out.offer((((h * nC + o) * nC + hub) * nC + d), o, hub, d, h, flagged, Math.min(r1, r2), r1, r2, r1 > 0 ? r2 / r1 : NaN, annual, ivCode);
      }
    }
  }
  return out.tables(countries.values, hs6.values);
}

/** Whether a leg rose: by `minRiseUsd`, and by `minRiseRatio` (from nothing: to `minValueUsd`). NaN means not judged. */
function rose(pre: number, post: number, p: TwoLegRuleParams): boolean {
  const rise = post - pre;
  return rise > 0 && rise >= p.minRiseUsd && (pre > 0 ? post >= p.minRiseRatio * pre : post >= p.minValueUsd);
}

/** Mean of a leg over the periods of `mask` equal to `which` (1 pre, 2 post) that count (not NaN); NaN when none does. */
function windowMean(leg: Float64Array, mask: Uint8Array, which: number): number {
  let sum = 0;
  let k = 0;
  for (let t = 0; t < leg.length; t++) {
    if (mask[t] !== which || leg[t] !== leg[t]) continue;
    sum += leg[t];
    k++;
  }
  return k ? sum / k : NaN;
}

/** A leg over the frequency's axis: the larger of the sides known that period, NaN where neither side published. */
function legSeries(pairs: PairRecords, g: number, annual: number, axis: number[]): Float64Array {
  const len = Math.max(0, axis[1] - axis[0] + 1);
  const out = new Float64Array(len);
  for (let k = 0; k < len; k++) {
    const x = pairs.sideValue(g, 0, annual, axis[0] + k);
    const m = pairs.sideValue(g, 1, annual, axis[0] + k);
    // -1 (unpublished) and NaN (a record without a value) fail both tests
    out[k] = x >= 0 && m >= 0 ? Math.max(x, m) : x >= 0 ? x : m >= 0 ? m : NaN;
  }
  return out;
}

/**
 * Per period of the axis: 1 pre, 2 post, 0 neither. Monthly: pre up to two months before the start month (the
 * month before is stockpiling), post from the month after it to the last month wholly in force. Annual: pre
 * the years before the start's, post the years in force for at least half their days.
 */
function windowMask(iv: TwoLegControl, annual: boolean, axis: number[], who: string): Uint8Array {
  const s = dateParts(iv.start, iv, 'start', who);
  const e = iv.end === null ? null : dateParts(iv.end, iv, 'end', who);
  const len = Math.max(0, axis[1] - axis[0] + 1);
  const mask = new Uint8Array(len);
  if (!annual) {
    const sm = s.y * 12 + s.m - 1;
    // the end's month is post only when the control ran to its last day
    const lastPost = e === null ? Infinity : e.y * 12 + e.m - 1 - (dayOf(e.y, e.m, e.d + 1) === dayOf(e.y, e.m + 1, 1) ? 0 : 1);
    for (let k = 0; k < len; k++) {
      const t = axis[0] + k;
      mask[k] = t <= sm - 2 ? 1 : t >= sm + 1 && t <= lastPost ? 2 : 0;
    }
    return mask;
  }
  const first = dayOf(s.y, s.m, s.d);
  const last = e === null ? Infinity : dayOf(e.y, e.m, e.d);
  for (let k = 0; k < len; k++) {
    const y = axis[0] + k;
    const y0 = dayOf(y, 1, 1), y1 = dayOf(y + 1, 1, 1);
    const days = Math.max(0, Math.min(last, y1 - 1) - Math.max(first, y0) + 1);
    mask[k] = y < s.y ? 1 : 2 * days >= y1 - y0 ? 2 : 0;
  }
  return mask;
}

/** Days since 1970-01-01 of a calendar date (month and day may overflow, as Date.UTC allows). */
function dayOf(y: number, m: number, d: number): number {
  return Date.UTC(y, m - 1, d) / 86_400_000;
}

function dateParts(s: string, iv: TwoLegControl, field: string, who: string): { y: number; m: number; d: number } {
  const y = Number(s.slice(0, 4)), m = Number(s.slice(5, 7)), d = Number(s.slice(8, 10));
  const day = new Date(Date.UTC(y, m - 1, d));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) {
    throw new Error(`${who}: control ${iv.hs6} from ${iv.origin}: ${field} '${s}' is not a date YYYY-MM-DD`);
  }
  return { y, m, d };
}

/** The routes scored so far, one row per route and code: the best over the intervals (flagged first, then the higher score). */
class RouteRows {
  private readonly row = new NumberMap(256);
  private readonly o = new Int32Builder(256);
  private readonly hub = new Int32Builder(256);
  private readonly d = new Int32Builder(256);
  private readonly h = new Int32Builder(256);
  private readonly flag = new Int8Builder(256);
  private readonly score = new Float64Builder(256);
  private readonly r1 = new Float64Builder(256);
  private readonly r2 = new Float64Builder(256);
  private readonly pt = new Float64Builder(256);
  private readonly annual = new Int8Builder(256);
  private readonly iv = new Int32Builder(256);
  private readonly dates = new StringDictionary();
  private readonly ivStart: number[] = [];
  private readonly ivEnd: number[] = [];

  /** Code of an interval's dates, for the `control_start` and `control_end` columns. */
  interval(start: string, end: string | null): number {
    this.ivStart.push(this.dates.code(start));
    this.ivEnd.push(end === null ? -1 : this.dates.code(end));
    return this.ivStart.length - 1;
  }

  offer(key: number, o: number, hub: number, d: number, h: number, flagged: boolean, score: number, r1: number, r2: number, pt: number, annual: number, iv: number): void {
    let k = this.row.get(key, -1);
    if (k < 0) {
      k = this.o.length;
      this.row.set(key, k);
      this.o.push(o);
      this.hub.push(hub);
      this.d.push(d);
      this.h.push(h);
      this.flag.push(0);
      this.score.push(NaN);
      this.r1.push(NaN);
      this.r2.push(NaN);
      this.pt.push(NaN);
      this.annual.push(0);
      this.iv.push(0);
    } else {
      const f = this.flag.data[k], s = this.score.data[k];
      const better = +flagged > f || (+flagged === f && (score > s || (s !== s && score === score)));
      if (!better) return;
    }
    this.flag.data[k] = flagged ? 1 : 0;
    this.score.data[k] = score;
    this.r1.data[k] = r1;
    this.r2.data[k] = r2;
    this.pt.data[k] = pt;
    this.annual.data[k] = annual;
    this.iv.data[k] = iv;
  }

  tables(countries: readonly string[], codes: readonly string[]): { all: Table; flagged: Table } {
    const name = (col: Int32Builder, values: readonly string[]) => (k: number) => values[col.data[k]];
    const hs = name(this.h, codes), o = name(this.o, countries), hub = name(this.hub, countries), d = name(this.d, countries);
    const all = Array.from({ length: this.o.length }, (_, k) => k);
    all.sort((a, b) => cmp(hs(a), hs(b)) || cmp(o(a), o(b)) || cmp(hub(a), hub(b)) || cmp(d(a), d(b)));
    const rank = new Int32Array(all.length);
    all.forEach((k, i) => (rank[k] = i));
    const score = this.score.data;
    const flagged = all.filter((k) => this.flag.data[k]).sort((a, b) => score[b] - score[a] || rank[a] - rank[b]);
    return { all: this.table(all, countries, codes), flagged: this.table(flagged, countries, codes) };
  }

  private table(rows: number[], countries: readonly string[], codes: readonly string[]): Table {
    const at = Int32Array.from(rows);
    const ints = (src: Int32Array) => Int32Array.from(at, (k) => src[k]);
    const floats = (src: Float64Array) => Float64Array.from(at, (k) => src[k]);
    return new Table({
      origin: dictionaryVector(ints(this.o.data), countries),
      hub: dictionaryVector(ints(this.hub.data), countries),
      destination: dictionaryVector(ints(this.d.data), countries),
      hs6: dictionaryVector(ints(this.h.data), codes),
      score: float64Vector(floats(this.score.data)),
      leg1_rise_usd: float64Vector(floats(this.r1.data)),
      leg2_rise_usd: float64Vector(floats(this.r2.data)),
      pass_through: float64Vector(floats(this.pt.data)),
      flagged: boolVector(Int8Array.from(at, (k) => this.flag.data[k])),
      freq: dictionaryVector(Int32Array.from(at, (k) => this.annual.data[k]), ['M', 'A']),
      control_start: dictionaryVector(Int32Array.from(at, (k) => this.ivStart[this.iv.data[k]]), this.dates.values),
      control_end: dictionaryVector(Int32Array.from(at, (k) => this.ivEnd[this.iv.data[k]]), this.dates.values),
    });
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
