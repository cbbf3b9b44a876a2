import { Table } from 'apache-arrow';
import { Float64Builder, Int8Builder, Int32Builder, StringDictionary, boolVector, dictionaryVector, float64Vector } from '../table/columns.ts';
import { groupRows } from '../table/group.ts';
import { readCodes, readFloats, type CodedColumn } from '../table/read.ts';

/** Settings of {@link matchMirrorFlows}. */
export interface MirrorMatchParams {
  /** Windows computed on monthly data: `M` the month, `R3`/`R12` rolling 3/12 months ending at it, `Y` calendar years (default all four). Annual data gives `Y` only. */
  windows: ('M' | 'R3' | 'R12' | 'Y')[];
  /** Sources left out of mirror matching: reconciled datasets are nobody's record (default `['baci', 'mapped:atlas-baci']`). */
  excludeSources: string[];
  /** A missing side is explained by confidentiality when the reporter's residual is at least this share of the other side's value (0–1, default 0.5: mirror values are noisy and CIF). */
  confidentialCoverShare: number;
}

/** Defaults for {@link MirrorMatchParams}. */
export const mirrorMatchDefaults: MirrorMatchParams = {
  windows: ['M', 'R3', 'R12', 'Y'],
  excludeSources: ['baci', 'mapped:atlas-baci'],
  confidentialCoverShare: 0.5,
};

/** Status codes of a pair window, in the order of {@link PAIR_STATUS}. */
export const PAIR_STATUS = ['matched', 'exporter_only', 'importer_only', 'ghost', 'possibly_confidential', 'counterpart_not_reporting', 'unobserved'] as const;
const ST = { matched: 0, exporterOnly: 1, importerOnly: 2, ghost: 3, confidential: 4, notReporting: 5, unobserved: 6 } as const;
const WINDOW_LEN = { M: 1, R3: 3, R12: 12 } as const;

/** Counts of what {@link matchMirrorFlows} left out, for the manifest. */
export interface MirrorMatchCounts {
  rows_used: number;
  rows_not_hs6_level: number;
  rows_excluded_source: number;
  rows_duplicate_source: number;
}

/**
 * Puts both sides of every exporter → importer × HS6 flow side by side, per window: the exporter's X
 * (FOB, by last known destination) and the importer's M (CIF, by origin), with each side's coverage
 * (did its reporter publish every period of the window) and its confidentiality residual: World minus
 * country partners (which already holds 899, 837, 838, 839), or the non-country rows alone when there
 * is no World row. Monthly and annual data are never mixed. Rows of one pair
 * window each; `status` says what the two sides allow one to conclude:
 * matched, ghost (the counterpart published, has no record and no residual to hide it),
 * possibly_confidential, counterpart_not_reporting, unobserved (both sides have records but a period of
 * the window is unpublished on one side), and exporter_only / importer_only (one side only, the other
 * published, but a zero value on the present side). Pure.
 */
export function matchMirrorFlows(flows: Table, areas: Table | null, p: MirrorMatchParams): { pairs: Table; counts: MirrorMatchCounts } {
  const who = 'matchMirrorFlows';
  const reporter = readCodes(flows, 'reporter', who);
  const partner = readCodes(flows, 'partner', who);
  const flow = readCodes(flows, 'flow', who);
  const hs6 = readCodes(flows, 'hs6', who);
  const period = readCodes(flows, 'period', who);
  const source = readCodes(flows, 'source', who);
  const level = readFloats(flows, 'cmd_level', who);
  const revision = readCodes(flows, 'hs_revision', who);
  const value = readFloats(flows, 'value_usd', who);
  const fob = readFloats(flows, 'fob_usd', who);
  const kg = readFloats(flows, 'net_weight_kg', who);
  const n = flows.numRows;

  const countries = new StringDictionary();
  const rep = remap(reporter, countries);
  const par = remap(partner, countries);
  const time = periodIndex(period.values); // per period code: [t, isAnnual]
  const isX = flow.values.map((f) => f === 'X');
  const isM = flow.values.map((f) => f === 'M');
  const excluded = source.values.map((s) => p.excludeSources.includes(s));

  // coverage: reporter × flow × frequency × time published (flows and areas both count)
  const published = new Set<number>();
  const pubKey = (c: number, fx: number, annual: number, t: number) => ((c * 2 + fx) * 2 + annual) * 40000 + t;
  const counts: MirrorMatchCounts = { rows_used: 0, rows_not_hs6_level: 0, rows_excluded_source: 0, rows_duplicate_source: 0 };
  const sel: number[] = [];
  for (let i = 0; i < n; i++) {
    const f = flow.codes[i];
    if (f < 0 || (!isX[f] && !isM[f]) || period.codes[i] < 0) continue;
    if (excluded[source.codes[i]]) {
      counts.rows_excluded_source++;
      continue;
    }
    const [t, annual] = time[period.codes[i]];
    published.add(pubKey(rep[i], isX[f] ? 0 : 1, annual, t));
    if (hs6.codes[i] < 0 || level[i] !== 6) {
      counts.rows_not_hs6_level++;
      continue;
    }
    sel.push(i);
  }

  // residual evidence from areas: World and non-country rows by reporter × flow × hs6 × frequency × time
  const world = new Map<number, number>();
  const nonCountry = new Map<number, number>();
  const countrySum = new Map<number, number>();
  const resKey = (c: number, fx: number, h: number, annual: number, t: number) => (((c * 2 + fx) * 8192 + h) * 2 + annual) * 40000 + t;
  const hsDict = new StringDictionary();
  const hsOf = hs6.values.map((h) => hsDict.code(h));
  if (areas && areas.numRows) {
    const aRep = remap(readCodes(areas, 'reporter', who), countries);
    const aPar = readCodes(areas, 'partner', who);
    const aFlow = readCodes(areas, 'flow', who);
    const aHs = readCodes(areas, 'hs6', who);
    const aPer = readCodes(areas, 'period', who);
    const aSrc = readCodes(areas, 'source', who);
    const aVal = readFloats(areas, 'value_usd', who);
    const aTime = periodIndex(aPer.values);
    const aHsOf = aHs.values.map((h) => hsDict.code(h));
    for (let i = 0; i < areas.numRows; i++) {
      const f = aFlow.codes[i];
      if (f < 0 || aPer.codes[i] < 0 || aSrc.codes[i] < 0 || p.excludeSources.includes(aSrc.values[aSrc.codes[i]])) continue;
      const fv = aFlow.values[f];
      if (fv !== 'X' && fv !== 'M') continue;
      const [t, annual] = aTime[aPer.codes[i]];
      published.add(pubKey(aRep[i], fv === 'X' ? 0 : 1, annual, t));
      if (aHs.codes[i] < 0 || !(aVal[i] >= 0)) continue;
      const k = resKey(aRep[i], fv === 'X' ? 0 : 1, aHsOf[aHs.codes[i]], annual, t);
      const target = aPar.values[aPar.codes[i]] === 'WLD' ? world : nonCountry;
      target.set(k, (target.get(k) ?? 0) + aVal[i]);
    }
  }

  // one record per reporter × partner × flow × hs6 × period (several sources: the first is kept)
  const rows = Int32Array.from(sel);
  const dedup = groupRows([rep, par, flow.codes, hs6.codes, period.codes], n, rows);
  counts.rows_duplicate_source = rows.length - dedup.groups;
  const keep = dedup.firstRow;
  counts.rows_used = keep.length;
  const exporter = new Int32Array(n);
  const importer = new Int32Array(n);
  const side = new Int8Array(n);
  const annualOf = new Int8Array(n);
  for (const i of keep) {
    const x = isX[flow.codes[i]];
    exporter[i] = x ? rep[i] : par[i];
    importer[i] = x ? par[i] : rep[i];
    side[i] = x ? 0 : 1;
    annualOf[i] = time[period.codes[i]][1];
    if (world.size === 0 || !(value[i] >= 0)) continue; // country sums only matter against a World row
    const k = resKey(rep[i], side[i], hsOf[hs6.codes[i]], annualOf[i], time[period.codes[i]][0]);
    if (world.has(k)) countrySum.set(k, (countrySum.get(k) ?? 0) + value[i]);
  }
  const pairsG = groupRows([exporter, importer, hs6.codes, annualOf], n, keep);
  // bucket rows by pair
  const start = new Int32Array(pairsG.groups + 1);
  for (let k = 0; k < keep.length; k++) start[pairsG.groupOf[k] + 1]++;
  for (let g = 0; g < pairsG.groups; g++) start[g + 1] += start[g];
  const cursor = start.slice(0, pairsG.groups);
  const order = new Int32Array(keep.length);
  for (let k = 0; k < keep.length; k++) order[cursor[pairsG.groupOf[k]]++] = keep[k];

  const out = new PairBuilder();
  const revDict = new StringDictionary();
  const revOf = revision.values.map((r) => revDict.code(r));
  const kgEstimated = flows.getChild('net_weight_estimated') ? readFloats(flows, 'net_weight_estimated', who) : null;
  // per-pair working buffers, reused across pairs (grown when a pair spans more months)
  const buf = new PairBuffers();
  const residual = (c: number, fx: number, hh: number, annual: number, t: number): number => {
    const k = resKey(c, fx, hh, annual, t);
    const wv = world.get(k);
    const nc = nonCountry.get(k) ?? 0;
    // World already contains the non-country rows, so World − countries covers them; without World, they are all there is
    return wv === undefined ? nc : Math.max(wv - (countrySum.get(k) ?? 0), nc);
  };
  for (let g = 0; g < pairsG.groups; g++) {
    const first = order[start[g]];
    const e = exporter[first];
    const im = importer[first];
    const h = hs6.codes[first];
    const hh = hsOf[h];
    const annual = annualOf[first];
    let tMin = Infinity;
    let tMax = -Infinity;
    for (let k = start[g]; k < start[g + 1]; k++) {
      const t = time[period.codes[order[k]]][0];
      if (t < tMin) tMin = t;
      if (t > tMax) tMax = t;
    }
    // months the windows can reach: [lo, lo + width)
    const pad = annual ? 0 : 11;
    const lo = tMin - pad;
    const width = tMax - tMin + 1 + 2 * pad;
    buf.reset(width);
    const rev = buf.rev;
    rev[0] = rev[1] = -1;
    for (let k = start[g]; k < start[g + 1]; k++) {
      const i = order[k];
      const o = time[period.codes[i]][0] - lo;
      const s = side[i];
      (s ? buf.mv : buf.xv)[o] = value[i];
      (s ? buf.mk : buf.xk)[o] = kgEstimated && kgEstimated[i] === 1 ? Infinity : kg[i]; // Infinity marks an estimate: left out of weight tests
      if (s === 1) buf.mf[o] = fob[i];
      if (revision.codes[i] >= 0) rev[s] = revOf[revision.codes[i]];
    }
    // coverage and residuals of both reporters, once per month (no lookups per window)
    for (let o = 0; o < width; o++) {
      const t = lo + o;
      buf.pubX[o] = published.has(pubKey(e, 0, annual, t)) ? 1 : 0;
      buf.pubM[o] = published.has(pubKey(im, 1, annual, t)) ? 1 : 0;
      buf.resX[o] = residual(e, 0, hh, annual, t);
      buf.resM[o] = residual(im, 1, hh, annual, t);
    }
    const r = out.scratch; // one reused record, not an object per row
    r.e = e; r.im = im; r.h = h; r.annual = annual; r.xRev = rev[0]; r.mRev = rev[1];
    const windows = annual ? (['Y'] as const) : p.windows;
    for (const w of windows) {
      r.w = w;
      if (w === 'Y' && !annual) {
        for (let y = Math.floor(tMin / 12); y <= Math.floor(tMax / 12); y++) emitWindow(buf, lo, y * 12, y * 12 + 11, out, p);
      } else if (w === 'Y') {
        for (let t = tMin; t <= tMax; t++) emitWindow(buf, lo, t, t, out, p);
      } else {
        const len = WINDOW_LEN[w];
        for (let t = tMin; t <= tMax + len - 1; t++) emitWindow(buf, lo, t - len + 1, t, out, p);
      }
    }
  }
  return { pairs: out.table(countries.values, hs6.values, revDict.values), counts };
}

/** Working arrays of one pair over the months its windows reach; NaN = no record. */
class PairBuffers {
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
    this.xv.fill(NaN, 0, width); this.mv.fill(NaN, 0, width); this.mf.fill(NaN, 0, width);
    this.xk.fill(NaN, 0, width); this.mk.fill(NaN, 0, width);
  }
}

/** Sums both sides over months [a, b] of one pair and appends the window with its status. */
function emitWindow(buf: PairBuffers, lo: number, a: number, b: number, out: PairBuilder, p: MirrorMatchParams): void {
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
    status = miss > 0 && res >= p.confidentialCoverShare * miss ? ST.confidential : ST.matched;
  } else if (xRec && xv > 0) status = !mPub ? ST.notReporting : resM >= p.confidentialCoverShare * xv ? ST.confidential : ST.ghost;
  else if (mRec && mv > 0) status = !xPub ? ST.notReporting : resX >= p.confidentialCoverShare * mv ? ST.confidential : ST.ghost;
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

/** Maps a coded column into a shared dictionary (reporters and partners share country codes). */
function remap(col: CodedColumn, dict: StringDictionary): Int32Array {
  const m = col.values.map((v) => dict.code(v));
  return Int32Array.from(col.codes, (c) => (c < 0 ? -1 : m[c]));
}

/** `YYYY-MM` → [months since year 0, 0]; `YYYY` → [year, 1]. */
function periodIndex(values: readonly string[]): [number, number][] {
  return values.map((v) => (v.length === 4 ? [Number(v), 1] : [Number(v.slice(0, 4)) * 12 + Number(v.slice(5, 7)) - 1, 0]));
}

function periodText(t: number, annual: number): string {
  if (annual) return String(t);
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
}

interface PairRow {
  e: number; im: number; h: number; w: string; a: number; b: number; annual: number;
  xv: number; mv: number; mf: number; xk: number; mk: number; xPub: boolean; mPub: boolean;
  resX: number; resM: number; status: number; xRev: number; mRev: number; ghostSide: number;
}

/** Column builders of the pair table (one reused record per emitted row, no per-row objects kept). */
class PairBuilder {
  private readonly windows = new StringDictionary();
  private readonly periods = new StringDictionary();
  private readonly c = {
    e: new Int32Builder(), im: new Int32Builder(), h: new Int32Builder(), w: new Int32Builder(), ps: new Int32Builder(), pe: new Int32Builder(),
    xv: new Float64Builder(), mv: new Float64Builder(), mf: new Float64Builder(), xk: new Float64Builder(), mk: new Float64Builder(),
    xPub: new Int8Builder(), mPub: new Int8Builder(), resX: new Float64Builder(), resM: new Float64Builder(), st: new Int32Builder(),
    xRev: new Int32Builder(), mRev: new Int32Builder(), gs: new Int32Builder(),
  };
  readonly scratch: PairRow = {
    e: 0, im: 0, h: 0, w: 'M', a: 0, b: 0, annual: 0, xv: NaN, mv: NaN, mf: NaN, xk: NaN, mk: NaN, xPub: false, mPub: false,
    resX: 0, resM: 0, status: 0, xRev: -1, mRev: -1, ghostSide: -1,
  };
  commit(): void {
    const r = this.scratch;
    const c = this.c;
    c.e.push(r.e); c.im.push(r.im); c.h.push(r.h); c.w.push(this.windows.code(r.w));
    c.ps.push(this.periods.code(periodText(r.a, r.annual))); c.pe.push(this.periods.code(periodText(r.b, r.annual)));
    c.xv.push(r.xv); c.mv.push(r.mv); c.mf.push(r.mf); c.xk.push(r.xk); c.mk.push(r.mk);
    c.xPub.push(r.xPub ? 1 : 0); c.mPub.push(r.mPub ? 1 : 0); c.resX.push(r.resX); c.resM.push(r.resM); c.st.push(r.status);
    c.xRev.push(r.xRev); c.mRev.push(r.mRev); c.gs.push(r.ghostSide);
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
