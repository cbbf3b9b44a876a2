import { Table } from 'apache-arrow';
import { StringDictionary, boolVector, compactDictionaryVector, dictionaryVectorInPlace, float64Vector } from '../../table/columns.ts';

/**
 * The per-pair kernel of matchMirrorFlows: a pair's months in working arrays, window sums with their
 * status, and the column builders of the pair table.
 */

/**
 * Status codes of a pair window, in this order (new ones are appended: readers map by name, and the codes of
 * earlier statuses stay). `partially_published`: the side without a record fell, in a period of the window
 * where the other side shows trade, in a period its reporter published only part of (see
 * markPartialPublication): not a ghost, not a gap.
 */
export const PAIR_STATUS = [
  'matched', 'exporter_only', 'importer_only', 'ghost', 'possibly_confidential', 'counterpart_not_reporting', 'unobserved', 'partially_published',
] as const;
const ST = { matched: 0, exporterOnly: 1, importerOnly: 2, ghost: 3, confidential: 4, notReporting: 5, unobserved: 6, partial: 7 } as const;

/** Coverage of one side in one period, as the working arrays and `published` hold it: 0 not published, 1 published, 2 published in part. */
export const PUB = { no: 0, yes: 1, partial: 2 } as const;

/** Key of "reporter `c` published flow side `fx` for period `t`" (months since year 0 stay below 40,000). */
export function pubKey(c: number, fx: number, annual: number, t: number): number {
  return ((c * 2 + fx) * 2 + annual) * 40000 + t;
}

/** Per period code: `YYYY-MM` → t months since year 0 (annual 0); `YYYY` → t the year (annual 1). */
export function periodIndex(values: readonly string[]): { t: Float64Array; annual: Int8Array } {
  const t = Float64Array.from(values, (v) => (v.length === 4 ? Number(v) : Number(v.slice(0, 4)) * 12 + Number(v.slice(5, 7)) - 1));
  return { t, annual: Int8Array.from(values, (v) => (v.length === 4 ? 1 : 0)) };
}

/** Per flow code: 0 for exports (`X`), 1 for imports (`M`), -1 for the rest. */
export function flowSides(values: readonly string[]): Int8Array {
  return Int8Array.from(values, (f) => (f === 'X' ? 0 : f === 'M' ? 1 : -1));
}

/** Working arrays of one pair over the months its windows reach; NaN = no record; `pubX`/`pubM` hold {@link PUB} codes. */
export class PairBuffers {
  xv = new Float64Array(64); mv = new Float64Array(64); mf = new Float64Array(64);
  xk = new Float64Array(64); mk = new Float64Array(64);
  pubX = new Uint8Array(64); pubM = new Uint8Array(64);
  resX = new Float64Array(64); resM = new Float64Array(64);
  readonly rev = [-1, -1];
  reset(width: number): void {
    if (width > this.xv.length) {
      const n = Math.max(width, this.xv.length * 2);
      this.xv = new Float64Array(n); this.mv = new Float64Array(n); this.mf = new Float64Array(n);
      this.xk = new Float64Array(n); this.mk = new Float64Array(n);
      this.pubX = new Uint8Array(n); this.pubM = new Uint8Array(n);
      this.resX = new Float64Array(n); this.resM = new Float64Array(n);
    }
    // a plain loop: most pairs span a month or a year, where five fill() calls cost more than the work
    const { xv, mv, mf, xk, mk } = this;
    for (let o = 0; o < width; o++) xv[o] = mv[o] = mf[o] = xk[o] = mk[o] = NaN;
  }
}

/** Sums both sides over months [a, b] of one pair and appends the window with its status (`coverShare`: see `confidentialCoverShare`). */
export function emitWindow(buf: PairBuffers, lo: number, a: number, b: number, out: PairBuilder, coverShare: number): void {
  let xv = 0, mv = 0, xRec = false, mRec = false, mf = 0, mfAll = true, xk = 0, mk = 0, kgOk = true;
  let xPub = true, mPub = true;
  let resX = 0, resM = 0, xMiss = 0, mMiss = 0, xPart = 0, mPart = 0;
  for (let t = a; t <= b; t++) {
    const o = t - lo;
    const px = buf.pubX[o];
    const pm = buf.pubM[o];
    if (!px) xPub = false;
    if (!pm) mPub = false;
    resX += buf.resX[o];
    resM += buf.resM[o];
    const x = buf.xv[o];
    const m = buf.mv[o];
    if (x !== x && m > 0) {
      xMiss += m;
      if (px === PUB.partial) xPart += m;
    }
    if (m !== m && x > 0) {
      mMiss += x;
      if (pm === PUB.partial) mPart += x;
    }
    if (x === x) {
      xRec = true;
      xv += x;
      const k = buf.xk[o];
      if (x > 0 && !(k > 0 && k < Infinity)) kgOk = false;
      else if (k === k) xk += k;
    }
    if (m === m) {
      mRec = true;
      mv += m;
      const f = buf.mf[o];
      if (f === f) mf += f;
      else if (m > 0) mfAll = false;
      const k = buf.mk[o];
      if (m > 0 && !(k > 0 && k < Infinity)) kgOk = false;
      else if (k === k) mk += k;
    }
  }
  finishWindow(out, a, b, coverShare, xRec, mRec, xv, mv, mf, mfAll, xk, mk, kgOk, xPub, mPub, resX, resM, xMiss, mMiss, xPart, mPart);
}

/**
 * One year of an annual pair (the window of one period): {@link emitWindow} over a single period, from the
 * values themselves (NaN = no record; `xk`/`mk` Infinity for an estimated weight; `pubX`/`pubM` {@link PUB}
 * codes) rather than working arrays.
 */
export function emitPeriod(
  out: PairBuilder, t: number, coverShare: number, x: number, m: number, f: number, kx: number, km: number,
  pubX: number, pubM: number, resX: number, resM: number,
): void {
  // the one step of emitWindow's loop, from its starting sums (0 + v, as there: -0 becomes 0)
  let xv = 0, mv = 0, xRec = false, mRec = false, mf = 0, mfAll = true, xk = 0, mk = 0, kgOk = true;
  let xMiss = 0, mMiss = 0, xPart = 0, mPart = 0;
  if (x !== x && m > 0) {
    xMiss += m;
    if (pubX === PUB.partial) xPart += m;
  }
  if (m !== m && x > 0) {
    mMiss += x;
    if (pubM === PUB.partial) mPart += x;
  }
  if (x === x) {
    xRec = true;
    xv += x;
    if (x > 0 && !(kx > 0 && kx < Infinity)) kgOk = false;
    else if (kx === kx) xk += kx;
  }
  if (m === m) {
    mRec = true;
    mv += m;
    if (f === f) mf += f;
    else if (m > 0) mfAll = false;
    if (m > 0 && !(km > 0 && km < Infinity)) kgOk = false;
    else if (km === km) mk += km;
  }
  finishWindow(out, t, t, coverShare, xRec, mRec, xv, mv, mf, mfAll, xk, mk, kgOk, pubX > 0, pubM > 0, 0 + resX, 0 + resM, xMiss, mMiss, xPart, mPart);
}

/**
 * The status of a window from its sums, and its row appended to `out` (none when neither side has a record).
 * `xPart`/`mPart`: the other side's value in periods where this side has no record and published only in part.
 */
function finishWindow(
  out: PairBuilder, a: number, b: number, coverShare: number, xRec: boolean, mRec: boolean, xv: number, mv: number, mf: number,
  mfAll: boolean, xk: number, mk: number, kgOk: boolean, xPub: boolean, mPub: boolean, resX: number, resM: number, xMiss: number, mMiss: number,
  xPart: number, mPart: number,
): void {
  if (!xRec && !mRec) return;
  let status: number;
  let side = 0; // the missing side of a status that has one: 0 the importer's, 1 the exporter's
  if (xRec && mRec && xv > 0 && mv > 0 && !(xPub && mPub)) status = ST.unobserved; // part of the window unpublished: no comparison
  else if (xRec && mRec && xv > 0 && mv > 0) {
    // a partner dropped part-way through the window (months with no record on one side while the other
    // shows trade) can sit in that side's residual, or in a month its reporter published only in part;
    // lower values every month cannot
    const low = mv > xv ? 1 : 0;
    const miss = low ? xMiss : mMiss;
    const res = low ? resX : resM;
    status = miss > 0 && res >= coverShare * miss ? ST.confidential : (low ? xPart : mPart) > 0 ? ST.partial : ST.matched;
    if (status === ST.partial) side = low; // (a confidential one keeps `importer`, as it always has)
  } else if (xRec && xv > 0) status = !mPub ? ST.notReporting : resM >= coverShare * xv ? ST.confidential : mPart > 0 ? ST.partial : ST.ghost;
  else if (mRec && mv > 0) {
    status = !xPub ? ST.notReporting : resX >= coverShare * mv ? ST.confidential : xPart > 0 ? ST.partial : ST.ghost;
    side = 1;
  } else status = xRec ? ST.exporterOnly : ST.importerOnly;
  const at = out.length < out.capacity ? out.length : out.grow();
  out.length = at + 1;
  out.e[at] = out.cur.e; out.im[at] = out.cur.im; out.h[at] = out.cur.h; out.w[at] = out.cur.w;
  out.ps[at] = out.startPeriod(a); out.pe[at] = out.endPeriod(b);
  out.xv[at] = xRec ? xv : xPub ? 0 : NaN;
  out.mv[at] = mRec ? mv : mPub ? 0 : NaN;
  out.mf[at] = mRec && mfAll && mv > 0 ? mf : NaN;
  out.xk[at] = xRec && kgOk ? xk : NaN;
  out.mk[at] = mRec && kgOk ? mk : NaN;
  out.xPub[at] = xPub ? 1 : 0; out.mPub[at] = mPub ? 1 : 0; out.resX[at] = resX; out.resM[at] = resM;
  let sc = out.stCodes[status];
  if (sc < 0) sc = out.newStatus(status);
  out.st[at] = sc;
  out.xRev[at] = out.cur.xRev; out.mRev[at] = out.cur.mRev;
  if (status === ST.ghost || status === ST.confidential || status === ST.notReporting || status === ST.partial) {
    let gc = out.gsCodes[side];
    if (gc < 0) gc = out.newSide(side);
    out.gs[at] = gc;
  } else out.gs[at] = -1;
}

/**
 * What every window of the current pair shares, as codes of the output columns: set once per pair by
 * {@link PairBuilder.pair} (and `w` once per window kind by {@link PairBuilder.setWindow}) before {@link emitWindow}.
 */
interface PairFields {
  e: number; im: number; h: number; w: number; annual: number; xRev: number; mRev: number;
}

/**
 * Columns of the pair table, written in place by {@link emitWindow} (typed arrays grown by doubling, no
 * per-row objects or calls per column); `capacity` presizes them.
 */
export class PairBuilder {
  private readonly windows = new StringDictionary();
  // per column, its periods in order of first use (t·2 + annual → code, so the text is made once per period;
  // dense below 40,000 months, as in pubKey)
  private readonly starts = new StringDictionary();
  private readonly ends = new StringDictionary();
  private readonly startCodes = new Int32Array(80_000).fill(-1);
  private readonly endCodes = new Int32Array(80_000).fill(-1);
  private readonly otherStarts = new Map<number, number>();
  private readonly otherEnds = new Map<number, number>();
  /** Output code of a status / missing side, -1 until first used (see newStatus, newSide). */
  readonly stCodes = new Int32Array(PAIR_STATUS.length).fill(-1);
  readonly gsCodes = new Int32Array(2).fill(-1);
  private readonly stUsed: number[] = [];
  private readonly gsUsed: number[] = [];
  length = 0;
  capacity: number;
  e: Int32Array; im: Int32Array; h: Int32Array; w: Int32Array; ps: Int32Array; pe: Int32Array;
  xv: Float64Array; mv: Float64Array; mf: Float64Array; xk: Float64Array; mk: Float64Array;
  xPub: Int8Array; mPub: Int8Array; resX: Float64Array; resM: Float64Array; st: Int32Array;
  xRev: Int32Array; mRev: Int32Array; gs: Int32Array;
  /** The current pair and window kind. */
  readonly cur: PairFields = { e: 0, im: 0, h: 0, w: 0, annual: 0, xRev: -1, mRev: -1 };
  constructor(capacity: number) {
    const c = (this.capacity = Math.max(16, capacity));
    this.e = new Int32Array(c); this.im = new Int32Array(c); this.h = new Int32Array(c); this.w = new Int32Array(c);
    this.ps = new Int32Array(c); this.pe = new Int32Array(c);
    this.xv = new Float64Array(c); this.mv = new Float64Array(c); this.mf = new Float64Array(c); this.xk = new Float64Array(c); this.mk = new Float64Array(c);
    this.xPub = new Int8Array(c); this.mPub = new Int8Array(c); this.resX = new Float64Array(c); this.resM = new Float64Array(c);
    this.st = new Int32Array(c); this.xRev = new Int32Array(c); this.mRev = new Int32Array(c); this.gs = new Int32Array(c);
  }
  /** Starts a pair: exporter, importer, hs6 and revision codes (-1 null), frequency. */
  pair(e: number, im: number, h: number, annual: number, xRev: number, mRev: number): void {
    const cur = this.cur;
    cur.e = e; cur.im = im; cur.h = h; cur.annual = annual; cur.xRev = xRev; cur.mRev = mRev;
  }
  /** Output code of status `st` on its first use. */
  newStatus(st: number): number {
    this.stUsed.push(st);
    return (this.stCodes[st] = this.stUsed.length - 1);
  }
  /** Output code of missing side `side` on its first use. */
  newSide(side: number): number {
    this.gsUsed.push(side);
    return (this.gsCodes[side] = this.gsUsed.length - 1);
  }
  /** Doubles every column; returns the index of the next row. */
  grow(): number {
    const c = (this.capacity *= 2);
    const g = <T extends Int32Array | Int8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(c);
      b.set(a as never);
      return b;
    };
    const i32 = (n: number) => new Int32Array(n), f64 = (n: number) => new Float64Array(n), i8 = (n: number) => new Int8Array(n);
    this.e = g(this.e, i32); this.im = g(this.im, i32); this.h = g(this.h, i32); this.w = g(this.w, i32);
    this.ps = g(this.ps, i32); this.pe = g(this.pe, i32);
    this.xv = g(this.xv, f64); this.mv = g(this.mv, f64); this.mf = g(this.mf, f64); this.xk = g(this.xk, f64); this.mk = g(this.mk, f64);
    this.xPub = g(this.xPub, i8); this.mPub = g(this.mPub, i8); this.resX = g(this.resX, f64); this.resM = g(this.resM, f64);
    this.st = g(this.st, i32); this.xRev = g(this.xRev, i32); this.mRev = g(this.mRev, i32); this.gs = g(this.gs, i32);
    return this.length;
  }
  /** Sets the window kind of the rows that follow. */
  setWindow(w: string): void {
    if (w !== this.lastWindow) {
      this.lastWindow = w;
      this.lastWindowCode = this.windows.code(w);
    }
    this.cur.w = this.lastWindowCode;
  }
  private lastWindow = '';
  private lastWindowCode = -1;
  /** The `period_start` code of month (or year) `t` of the current pair. */
  startPeriod(t: number): number {
    return this.periodIn(this.startCodes, this.starts, this.otherStarts, t);
  }
  /** The `period_end` code of month (or year) `t` of the current pair. */
  endPeriod(t: number): number {
    return this.periodIn(this.endCodes, this.ends, this.otherEnds, t);
  }
  /** The code of period `t` in one column's dictionary: from its dense table, else through its map. */
  private periodIn(dense: Int32Array, dict: StringDictionary, other: Map<number, number>, t: number): number {
    const annual = this.cur.annual;
    const k = t * 2 + annual;
    if (k >= 0 && k < dense.length) {
      const code = dense[k];
      return code >= 0 ? code : (dense[k] = dict.code(periodText(t, annual)));
    }
    let code = other.get(k);
    if (code === undefined) other.set(k, (code = dict.code(periodText(t, annual))));
    return code;
  }
  /** The pair table; the builder's columns become its buffers (no copies when they are mostly filled), so the builder is done. */
  table(countries: readonly string[], hs6: readonly string[], revisions: readonly string[]): Table {
    const n = this.length;
    // columns at least 3/4 full are taken over as they are; emptier ones are copied, so the table holds no spare capacity
    const own = 4 * n >= 3 * this.capacity;
    const v = <T extends Int32Array | Int8Array | Float64Array>(a: T): T => (own ? a.subarray(0, n) : a.slice(0, n)) as T;
    // codes are output codes already: only columns that hold nulls take a pass (for their bitmap)
    const dict = (a: Int32Array, values: readonly string[]) => dictionaryVectorInPlace(v(a), values);
    const f64 = (a: Float64Array) => float64Vector(v(a), true);
    // the missing side is null on rows of any other status
    const gsNulls = this.stUsed.some((st) => !(st === ST.ghost || st === ST.confidential || st === ST.notReporting || st === ST.partial));
    return new Table({
      exporter: dict(this.e, countries),
      importer: dict(this.im, countries),
      hs6: dict(this.h, hs6),
      window: dict(this.w, this.windows.values),
      period_start: compactDictionaryVector(v(this.ps), this.starts.values, false),
      period_end: compactDictionaryVector(v(this.pe), this.ends.values, false),
      exporter_value_usd: f64(this.xv),
      importer_value_usd: f64(this.mv),
      importer_reported_fob_usd: f64(this.mf),
      exporter_kg: f64(this.xk),
      importer_kg: f64(this.mk),
      exporter_published: boolVector(this.xPub.subarray(0, n)),
      importer_published: boolVector(this.mPub.subarray(0, n)),
      exporter_residual_usd: f64(this.resX),
      importer_residual_usd: f64(this.resM),
      exporter_hs_revision: dict(this.xRev, revisions),
      importer_hs_revision: dict(this.mRev, revisions),
      status: compactDictionaryVector(v(this.st), this.stUsed.map((st) => PAIR_STATUS[st]), false),
      missing_side: compactDictionaryVector(v(this.gs), this.gsUsed.map((g) => (g ? 'exporter' : 'importer')), gsNulls),
    });
  }
}

/** Months since year 0 → `YYYY-MM`; a year stays `YYYY`. */
function periodText(t: number, annual: number): string {
  if (annual) return String(t);
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
}
