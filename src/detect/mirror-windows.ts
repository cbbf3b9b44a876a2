import { Table } from 'apache-arrow';
import { Float64Builder, Int8Builder, Int32Builder, StringDictionary, boolVector, dictionaryVector, float64Vector } from '../table/columns.ts';

/**
 * The per-pair kernel of matchMirrorFlows: a pair's months in working arrays, window sums with their
 * status, and the column builders of the pair table.
 */

/** Status codes of a pair window, in the order of {@link PAIR_STATUS}. */
export const PAIR_STATUS = ['matched', 'exporter_only', 'importer_only', 'ghost', 'possibly_confidential', 'counterpart_not_reporting', 'unobserved'] as const;
const ST = { matched: 0, exporterOnly: 1, importerOnly: 2, ghost: 3, confidential: 4, notReporting: 5, unobserved: 6 } as const;

/** Working arrays of one pair over the months its windows reach; NaN = no record. */
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
  let resX = 0, resM = 0, xMiss = 0, mMiss = 0;
  for (let t = a; t <= b; t++) {
    const o = t - lo;
    if (!buf.pubX[o]) xPub = false;
    if (!buf.pubM[o]) mPub = false;
    resX += buf.resX[o];
    resM += buf.resM[o];
    const x = buf.xv[o];
    const m = buf.mv[o];
    if (x !== x && m > 0) xMiss += m;
    if (m !== m && x > 0) mMiss += x;
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
  if (!xRec && !mRec) return;
  let status: number;
  if (xRec && mRec && xv > 0 && mv > 0 && !(xPub && mPub)) status = ST.unobserved; // part of the window unpublished: no comparison
  else if (xRec && mRec && xv > 0 && mv > 0) {
    // a partner dropped part-way through the window (months with no record on one side while the other
    // shows trade) can sit in that side's residual; lower values every month cannot
    const miss = mv > xv ? xMiss : mMiss;
    const res = mv > xv ? resX : resM;
    status = miss > 0 && res >= coverShare * miss ? ST.confidential : ST.matched;
  } else if (xRec && xv > 0) status = !mPub ? ST.notReporting : resM >= coverShare * xv ? ST.confidential : ST.ghost;
  else if (mRec && mv > 0) status = !xPub ? ST.notReporting : resX >= coverShare * mv ? ST.confidential : ST.ghost;
  else status = xRec ? ST.exporterOnly : ST.importerOnly;
  const r = out.scratch;
  r.a = a; r.b = b;
  r.xv = xRec ? xv : xPub ? 0 : NaN;
  r.mv = mRec ? mv : mPub ? 0 : NaN;
  r.mf = mRec && mfAll && mv > 0 ? mf : NaN;
  r.xk = xRec && kgOk ? xk : NaN;
  r.mk = mRec && kgOk ? mk : NaN;
  r.xPub = xPub; r.mPub = mPub; r.resX = resX; r.resM = resM; r.status = status;
  r.ghostSide = status === ST.ghost || status === ST.confidential || status === ST.notReporting ? (xRec && xv > 0 ? 0 : 1) : -1;
  out.commit();
}

interface PairRow {
  e: number; im: number; h: number; w: string; a: number; b: number; annual: number;
  xv: number; mv: number; mf: number; xk: number; mk: number; xPub: boolean; mPub: boolean;
  resX: number; resM: number; status: number; xRev: number; mRev: number; ghostSide: number;
}

/** Column builders of the pair table (one reused record per emitted row, no per-row objects kept); `capacity` presizes them. */
export class PairBuilder {
  private readonly windows = new StringDictionary();
  private readonly periods = new StringDictionary();
  // t·2 + annual → period code, so the text is made once per period (dense below 40,000 months, as in pubKey)
  private readonly periodCodes = new Int32Array(80_000).fill(-1);
  private readonly otherPeriodCodes = new Map<number, number>();
  private lastWindow = '';
  private lastWindowCode = -1;
  private readonly c;
  constructor(capacity: number) {
    const i32 = () => new Int32Builder(capacity), f64 = () => new Float64Builder(capacity), i8 = () => new Int8Builder(capacity);
    this.c = {
      e: i32(), im: i32(), h: i32(), w: i32(), ps: i32(), pe: i32(),
      xv: f64(), mv: f64(), mf: f64(), xk: f64(), mk: f64(),
      xPub: i8(), mPub: i8(), resX: f64(), resM: f64(), st: i32(),
      xRev: i32(), mRev: i32(), gs: i32(),
    };
  }
  readonly scratch: PairRow = {
    e: 0, im: 0, h: 0, w: 'M', a: 0, b: 0, annual: 0, xv: NaN, mv: NaN, mf: NaN, xk: NaN, mk: NaN, xPub: false, mPub: false,
    resX: 0, resM: 0, status: 0, xRev: -1, mRev: -1, ghostSide: -1,
  };
  commit(): void {
    const r = this.scratch;
    const c = this.c;
    c.e.push(r.e); c.im.push(r.im); c.h.push(r.h); c.w.push(this.window(r.w));
    c.ps.push(this.period(r.a, r.annual)); c.pe.push(this.period(r.b, r.annual));
    c.xv.push(r.xv); c.mv.push(r.mv); c.mf.push(r.mf); c.xk.push(r.xk); c.mk.push(r.mk);
    c.xPub.push(r.xPub ? 1 : 0); c.mPub.push(r.mPub ? 1 : 0); c.resX.push(r.resX); c.resM.push(r.resM); c.st.push(r.status);
    c.xRev.push(r.xRev); c.mRev.push(r.mRev); c.gs.push(r.ghostSide);
  }
  private period(t: number, annual: number): number {
    const k = t * 2 + annual;
    if (k >= 0 && k < this.periodCodes.length) {
      let code = this.periodCodes[k];
      if (code < 0) code = this.periodCodes[k] = this.periods.code(periodText(t, annual));
      return code;
    }
    let code = this.otherPeriodCodes.get(k);
    if (code === undefined) this.otherPeriodCodes.set(k, (code = this.periods.code(periodText(t, annual))));
    return code;
  }
  private window(w: string): number {
    if (w !== this.lastWindow) {
      this.lastWindow = w;
      this.lastWindowCode = this.windows.code(w);
    }
    return this.lastWindowCode;
  }
  table(countries: readonly string[], hs6: readonly string[], revisions: readonly string[]): Table {
    const c = this.c;
    return new Table({
      exporter: dictionaryVector(c.e.view(), countries),
      importer: dictionaryVector(c.im.view(), countries),
      hs6: dictionaryVector(c.h.view(), hs6),
      window: dictionaryVector(c.w.view(), this.windows.values),
      period_start: dictionaryVector(c.ps.view(), this.periods.values),
      period_end: dictionaryVector(c.pe.view(), this.periods.values),
      exporter_value_usd: float64Vector(c.xv.view()),
      importer_value_usd: float64Vector(c.mv.view()),
      importer_reported_fob_usd: float64Vector(c.mf.view()),
      exporter_kg: float64Vector(c.xk.view()),
      importer_kg: float64Vector(c.mk.view()),
      exporter_published: boolVector(c.xPub.view()),
      importer_published: boolVector(c.mPub.view()),
      exporter_residual_usd: float64Vector(c.resX.view()),
      importer_residual_usd: float64Vector(c.resM.view()),
      exporter_hs_revision: dictionaryVector(c.xRev.view(), revisions),
      importer_hs_revision: dictionaryVector(c.mRev.view(), revisions),
      status: dictionaryVector(c.st.view(), PAIR_STATUS),
      missing_side: dictionaryVector(c.gs.view(), ['importer', 'exporter']),
    });
  }
}

/** Months since year 0 → `YYYY-MM`; a year stays `YYYY`. */
function periodText(t: number, annual: number): string {
  if (annual) return String(t);
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
}

