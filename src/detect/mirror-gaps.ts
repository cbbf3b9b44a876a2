import { createHash } from 'node:crypto';
import { Table, type Vector } from 'apache-arrow';
import { medianSorted } from 'simple-statistics';
import { StringDictionary, dictionaryVector, float64Vector, int32Vector } from '../table/columns.ts';
import { groupRows } from '../table/group.ts';
import { readCodes, readFloats } from '../table/read.ts';
import { listVector } from '../table/list.ts';
import { takeTable } from '../table/take-table.ts';
import { cifFobDefaults, FOB_IMPORT_REPORTERS } from './cif-fob.ts';

/** Thresholds of {@link scoreMirrorGaps}; all live in config under `mirror`. */
export interface MirrorGapParams {
  /** Windows that can be flagged; `M` is kept in mirror_pairs only, since timing alone moves monthly values (default `['R3', 'R12', 'Y']`). */
  flagWindows: ('M' | 'R3' | 'R12' | 'Y')[];
  /** A matched pair is flagged when |ln(importer FOB / exporter)| reaches this (default ln 1.5 ≈ 0.405). */
  minAbsLogRatio: number;
  /** …and the larger side reaches this, USD (noise floor, default 100,000). */
  minValueUsd: number;
  /** …and |gap| reaches this, USD (default 50,000). */
  minGapUsd: number;
  /** A ghost (one side only, counterpart published, no residual to hide it) is flagged from this value, USD (default 100,000). */
  ghostMinValueUsd: number;
  /** Weight and unit-value tests: |ln ratio| beyond this adds `weight_mismatch` / `unit_value_mismatch` (default ln 2 ≈ 0.693). */
  maxAbsLogKgRatio: number;
  /** Rolling windows are flagged only when the next window shows the same gap too: a single late shipment moves only the edges (default true). */
  requirePersistence: boolean;
  /** Robust z needs at least this many values in its group, else null (default 5). */
  minGroupForZ: number;
  /** Floor on a reporter's typical |log ratio| when turning it into a weight (default 0.05). */
  reliabilityFloor: number;
}

/** Defaults for {@link MirrorGapParams}. */
export const mirrorGapDefaults: MirrorGapParams = {
  flagWindows: ['R3', 'R12', 'Y'],
  minAbsLogRatio: Math.log(1.5),
  minValueUsd: 100_000,
  minGapUsd: 50_000,
  ghostMinValueUsd: 100_000,
  maxAbsLogKgRatio: Math.log(2),
  requirePersistence: true,
  minGroupForZ: 5,
  reliabilityFloor: 0.05,
};

/** GFI's excess gap: (M − (1+margin)·X) / ((1+margin)·X). */
export function excessGap(importerUsd: number, exporterUsd: number, margin: number): number {
  const x = (1 + margin) * exporterUsd;
  return (importerUsd - x) / x;
}

/**
 * Adds every measure to the pair windows and scores them: CIF/FOB-adjusted importer value (the
 * importer's own FOB, else `cifFobRatio[i]`, else the flat ratio; FOB reporters unadjusted), value gap
 * and log ratio, weight and unit-value ratios (estimated weights already left out), robust z-scores
 * (median/MAD with nulls removed) against the same HS6 and window across pairs and against the pair's
 * own history, reporter reliability per reporter and year, a reliability-weighted reconciled FOB value,
 * and a score with reasons. `hsScopeChanged` marks pairs whose two sides' HS revisions do not
 * correspond 1:1 for the code. Returns all pairs with measures, the flagged ones ranked, and the
 * reliability table. Pure.
 */
export function scoreMirrorGaps(
  pairs: Table,
  p: MirrorGapParams,
  opts: {
    /** Per pair window, the fitted CIF/FOB ratio (see estimatePairMargins); NaN or absent → `flatRatio`. */
    cifFobRatio?: Float64Array;
    /** CIF/FOB ratio when no fitted one is given (default 1.06, IMF DOTS). */
    flatRatio?: number;
    hsScopeChanged?: (hs6: string, a: string, b: string) => boolean;
  } = {},
): { pairs: Table; gaps: Table; reliability: Table } {
  const who = 'scoreMirrorGaps';
  const n = pairs.numRows;
  const exp = readCodes(pairs, 'exporter', who);
  const imp = readCodes(pairs, 'importer', who);
  const hs6 = readCodes(pairs, 'hs6', who);
  const win = readCodes(pairs, 'window', who);
  const pStart = readCodes(pairs, 'period_start', who);
  const pEnd = readCodes(pairs, 'period_end', who);
  const status = readCodes(pairs, 'status', who);
  const missingSide = readCodes(pairs, 'missing_side', who);
  const xRev = readCodes(pairs, 'exporter_hs_revision', who);
  const mRev = readCodes(pairs, 'importer_hs_revision', who);
  const x = readFloats(pairs, 'exporter_value_usd', who);
  const m = readFloats(pairs, 'importer_value_usd', who);
  const mfReported = readFloats(pairs, 'importer_reported_fob_usd', who);
  const xk = readFloats(pairs, 'exporter_kg', who);
  const mk = readFloats(pairs, 'importer_kg', who);
  const matched = status.values.indexOf('matched');
  const ghost = status.values.indexOf('ghost');

  // one country dictionary for both roles
  const countries = new StringDictionary();
  const e = Int32Array.from(exp.codes, (c) => countries.code(exp.values[c]));
  const im = Int32Array.from(imp.codes, (c) => countries.code(imp.values[c]));

  const mFob = new Float64Array(n);
  const ratioUsed = new Float64Array(n);
  const lr = new Float64Array(n).fill(NaN);
  const gap = new Float64Array(n).fill(NaN);
  const kgLr = new Float64Array(n).fill(NaN);
  const uvX = new Float64Array(n).fill(NaN);
  const uvM = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const fobReporter = FOB_IMPORT_REPORTERS.has(imp.values[imp.codes[i]]);
    const ratio = fobReporter ? 1 : mfReported[i] > 0 ? m[i] / mfReported[i] : (opts.cifFobRatio?.[i] ?? NaN) > 0 ? opts.cifFobRatio![i] : (opts.flatRatio ?? cifFobDefaults.flatRatio);
    ratioUsed[i] = ratio;
    mFob[i] = mfReported[i] > 0 && !fobReporter ? mfReported[i] : m[i] / ratio;
    if (x[i] === x[i] && mFob[i] === mFob[i]) gap[i] = mFob[i] - x[i];
    if (status.codes[i] === matched) lr[i] = Math.log(mFob[i] / x[i]);
    if (xk[i] > 0 && mk[i] > 0) kgLr[i] = Math.log(mk[i] / xk[i]);
    if (xk[i] > 0 && x[i] > 0) uvX[i] = x[i] / xk[i];
    if (mk[i] > 0 && mFob[i] > 0) uvM[i] = mFob[i] / mk[i];
  }

  // robust z across pairs (same hs6, window, period) and along the pair's own history (same pair, window)
  const zCross = robustZ(lr, groupRows([hs6.codes, win.codes, pEnd.codes], n).groupOf, p.minGroupForZ);
  const zHist = robustZ(lr, groupRows([e, im, hs6.codes, win.codes], n).groupOf, p.minGroupForZ);

  // reporter reliability per reporter and year from all its discrepancies (yearly windows)
  const year = Int32Array.from(pEnd.codes, (c) => Number(pEnd.values[c].slice(0, 4)));
  const yearly = win.values.map((w) => w === 'Y');
  const rel = reporterReliability(e, im, year, lr, (i) => yearly[win.codes[i]] && Math.max(x[i], mFob[i]) >= p.minValueUsd, p.reliabilityFloor);
  const relE = new Float64Array(n);
  const relI = new Float64Array(n);
  const reconciled = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const se = rel.sigma(e[i], year[i]);
    const si = rel.sigma(im[i], year[i]);
    relE[i] = reliabilityOf(se);
    relI[i] = reliabilityOf(si);
    const we = 1 / (se * se);
    const wi = 1 / (si * si);
    if (status.codes[i] === matched) reconciled[i] = (we * x[i] + wi * mFob[i]) / (we + wi);
    else if (x[i] > 0) reconciled[i] = x[i];
    else if (mFob[i] > 0) reconciled[i] = mFob[i];
  }

  // flags
  const flagWin = win.values.map((w) => (p.flagWindows as readonly string[]).includes(w));
  const next = nextWindow(e, im, hs6.codes, win.codes, pEnd.codes, pEnd.values, n);
  // the importer may record a shipment a month after the exporter: on rolling windows the gap is the
  // smaller of the aligned one and the one against the importer's window a month later
  const lrLag = Float64Array.from(lr);
  for (let i = 0; i < n; i++) {
    const j = next[i];
    if (lr[i] !== lr[i] || j < 0 || !win.values[win.codes[i]].startsWith('R')) continue;
    const alt = mFob[j] > 0 && x[i] > 0 ? Math.log(mFob[j] / x[i]) : NaN;
    if (Math.abs(alt) < Math.abs(lr[i])) lrLag[i] = alt;
  }
  // calendar years of monthly data repeat the December R12 window: only annual data is flagged on Y
  const flaggable = Uint8Array.from({ length: n }, (_, i) =>
    flagWin[win.codes[i]] && !(win.values[win.codes[i]] === 'Y' && pStart.values[pStart.codes[i]].length > 4) ? 1 : 0,
  );
  const score = new Float64Array(n);
  const reasons = new Map<number, string[]>();
  const flagged: number[] = [];
  for (let i = 0; i < n; i++) {
    const r: string[] = [];
    let s = 0;
    const big = Math.max(x[i] || 0, mFob[i] || 0);
    const rolling = win.values[win.codes[i]].startsWith('R');
    if (status.codes[i] === matched && flaggable[i] && big >= p.minValueUsd && Math.abs(gap[i]) >= p.minGapUsd && Math.abs(lrLag[i]) >= p.minAbsLogRatio) {
      const j = next[i];
      const persists = !rolling || !p.requirePersistence || (j >= 0 && Math.sign(lrLag[j]) === Math.sign(lrLag[i]) && Math.abs(lrLag[j]) >= p.minAbsLogRatio);
      if (persists) {
        r.push(lrLag[i] > 0 ? 'importer_exceeds' : 'exporter_exceeds');
        const z = Math.max(Math.abs(zCross[i]) || 0, Math.abs(zHist[i]) || 0);
        // transparent: size of the gap in log terms, more when unusual, weighted by how reliable both reporters are
        s = Math.min(Math.abs(lrLag[i]), 5) * (1 + Math.min(z, 10) / 5) * Math.sqrt(relE[i] * relI[i]);
      }
    } else if (status.codes[i] === ghost && flaggable[i] && big >= p.ghostMinValueUsd) {
      const j = next[i];
      const persists = !rolling || !p.requirePersistence || (j >= 0 && status.codes[j] === ghost);
      if (persists) {
        r.push('ghost', missingSide.values[missingSide.codes[i]] === 'exporter' ? 'ghost_imports' : 'ghost_exports');
        s = Math.log(big / p.ghostMinValueUsd) + 1;
      }
    }
    if (r.length) {
      if (Math.abs(kgLr[i]) >= p.maxAbsLogKgRatio) r.push('weight_mismatch');
      if (uvX[i] > 0 && uvM[i] > 0 && Math.abs(Math.log(uvM[i] / uvX[i])) >= p.maxAbsLogKgRatio) r.push('unit_value_mismatch');
      const a = xRev.codes[i] >= 0 ? xRev.values[xRev.codes[i]] : null;
      const b = mRev.codes[i] >= 0 ? mRev.values[mRev.codes[i]] : null;
      if (a && b && a !== b && opts.hsScopeChanged?.(hs6.values[hs6.codes[i]], a, b)) r.push('hs_scope_changed');
      flagged.push(i);
    }
    score[i] = s;
    if (r.length) reasons.set(i, r);
  }

  const cols: Record<string, Vector> = {};
  for (const f of pairs.schema.fields) cols[f.name] = pairs.getChild(f.name)!;
  Object.assign(cols, {
    importer_value_fob_usd: float64Vector(mFob),
    cif_fob_ratio: float64Vector(ratioUsed),
    gap_usd: float64Vector(gap),
    log_ratio: float64Vector(lr),
    log_ratio_lag_tolerant: float64Vector(lrLag),
    log_kg_ratio: float64Vector(kgLr),
    exporter_unit_value_usd_per_kg: float64Vector(uvX),
    importer_unit_value_usd_per_kg: float64Vector(uvM),
    robust_z: float64Vector(zCross),
    robust_z_history: float64Vector(zHist),
    exporter_reliability: float64Vector(relE),
    importer_reliability: float64Vector(relI),
    reconciled_value_usd: float64Vector(reconciled),
    score: float64Vector(score),
    reasons: listVector(n, reasons),
    flag_id: flagIds(n, flagged, (i) => `mirror|${exp.values[exp.codes[i]]}|${imp.values[imp.codes[i]]}|${hs6.values[hs6.codes[i]]}|${win.values[win.codes[i]]}|${pStart.values[pStart.codes[i]]}|${pEnd.values[pEnd.codes[i]]}`),
  });
  const all = new Table(cols);
  // most suspicious first; ties broken by the flag id so the order never depends on input order
  const fid = all.getChild('flag_id')!;
  flagged.sort((a, b) => score[b] - score[a] || (String(fid.get(a)) < String(fid.get(b)) ? -1 : 1));
  const gapsT = takeTable(all, Int32Array.from(flagged));
  const ranked = new Table({ ...Object.fromEntries(gapsT.schema.fields.map((f) => [f.name, gapsT.getChild(f.name)!])), rank: int32Vector(Int32Array.from(flagged, (_, k) => k + 1)) });
  return { pairs: all, gaps: ranked, reliability: rel.table(countries.values) };
}

/** Reliability in (0, 1] from a reporter's typical |log ratio| σ: 1 at the floor, ½ at 2× … */
function reliabilityOf(sigma: number): number {
  return Math.min(1, 0.05 / sigma);
}

/** Robust z of `v` within groups: (v − median) / (1.4826 · MAD), nulls left out; null when the group is small or MAD is 0. */
export function robustZ(v: Float64Array, groupOf: Int32Array, minGroup: number): Float64Array {
  const n = v.length;
  let groups = 0;
  for (let i = 0; i < n; i++) if (groupOf[i] + 1 > groups) groups = groupOf[i] + 1;
  const buckets: number[][] = Array.from({ length: groups }, () => []);
  for (let i = 0; i < n; i++) if (v[i] === v[i]) buckets[groupOf[i]].push(v[i]);
  const med = new Float64Array(groups).fill(NaN);
  const mad = new Float64Array(groups).fill(NaN);
  for (let g = 0; g < groups; g++) {
    const b = buckets[g];
    if (b.length < minGroup) continue;
    b.sort((a, c) => a - c);
    med[g] = medianSorted(b);
    const dev = b.map((x) => Math.abs(x - med[g])).sort((a, c) => a - c);
    mad[g] = 1.4826 * medianSorted(dev);
  }
  const z = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const g = groupOf[i];
    if (v[i] === v[i] && mad[g] > 0) z[i] = (v[i] - med[g]) / mad[g];
  }
  return z;
}

/**
 * Per reporter and year, how far its records typically are from its partners': a robust two-way split
 * of |log ratio| into an exporter part and an importer part (median polish), so a reporter is not
 * blamed for partners that are always off. Returns σ per reporter-year (floored).
 */
function reporterReliability(e: Int32Array, im: Int32Array, year: Int32Array, lr: Float64Array, use: (i: number) => boolean, floor: number) {
  const idx: number[] = [];
  for (let i = 0; i < lr.length; i++) if (lr[i] === lr[i] && use(i)) idx.push(i);
  const m = idx.length;
  // each observation counts for both reporters: slot 2k is the exporter's, 2k+1 the importer's
  const who = new Int32Array(2 * m);
  const yr = new Int32Array(2 * m);
  for (let k = 0; k < m; k++) {
    who[2 * k] = e[idx[k]];
    who[2 * k + 1] = im[idx[k]];
    yr[2 * k] = yr[2 * k + 1] = year[idx[k]];
  }
  const g = groupRows([who, yr], 2 * m);
  const start = new Int32Array(g.groups + 1);
  for (let s = 0; s < 2 * m; s++) start[g.groupOf[s] + 1]++;
  for (let q = 0; q < g.groups; q++) start[q + 1] += start[q];
  const cursor = start.slice(0, g.groups);
  const slots = new Int32Array(2 * m);
  for (let s = 0; s < 2 * m; s++) slots[cursor[g.groupOf[s]]++] = s;
  const effect = new Float64Array(g.groups);
  const buf = new Float64Array(2 * m);
  for (let iter = 0; iter < 10; iter++) {
    const next = new Float64Array(g.groups);
    for (let q = 0; q < g.groups; q++) {
      const from = start[q];
      const to = start[q + 1];
      for (let k = from; k < to; k++) {
        const s = slots[k];
        const other = s ^ 1; // the partner's slot of the same observation
        buf[k] = Math.abs(lr[idx[s >> 1]]) - effect[g.groupOf[other]];
      }
      const part = buf.subarray(from, to).sort();
      next[q] = Math.max(0, medianSorted(part as unknown as number[]));
    }
    effect.set(next);
  }
  const keyOf = new Map<number, number>();
  for (let q = 0; q < g.groups; q++) keyOf.set(yr[g.firstRow[q]] * 4096 + who[g.firstRow[q]], q);
  return {
    sigma: (c: number, y: number) => {
      const q = keyOf.get(y * 4096 + c);
      return q === undefined ? floor : Math.max(floor, effect[q]);
    },
    table(countryNames: readonly string[]): Table {
      const order = [...keyOf.entries()].sort((x, z) => x[0] - z[0]).map(([, q]) => q);
      const dict = new StringDictionary();
      const rc = Int32Array.from(order, (q) => dict.code(countryNames[who[g.firstRow[q]]]));
      const sig = Float64Array.from(order, (q) => Math.max(floor, effect[q]));
      return new Table({
        reporter: dictionaryVector(rc, dict.values),
        year: int32Vector(Int32Array.from(order, (q) => yr[g.firstRow[q]])),
        pairs: int32Vector(Int32Array.from(order, (q) => start[q + 1] - start[q])),
        typical_abs_log_ratio: float64Vector(sig),
        reliability: float64Vector(Float64Array.from(sig, reliabilityOf)),
      });
    },
  };
}

/** For each row, the row of the same pair and window whose period ends one step later (-1 if none). */
function nextWindow(e: Int32Array, im: Int32Array, hs: Int32Array, win: Int32Array, pEnd: Int32Array, periods: readonly string[], n: number): Int32Array {
  const t = Int32Array.from(periods, (v) => (v.length === 4 ? Number(v) : Number(v.slice(0, 4)) * 12 + Number(v.slice(5, 7)) - 1));
  const lookup = new Map<number, number>();
  const g = groupRows([e, im, hs, win], n).groupOf;
  const key = (i: number, dt: number) => g[i] * 40_000 + t[pEnd[i]] + dt; // months since year 0 stay below 40,000
  for (let i = 0; i < n; i++) lookup.set(key(i, 0), i);
  return Int32Array.from({ length: n }, (_, i) => lookup.get(key(i, 1)) ?? -1);
}

/** Stable flag ids for the flagged rows (null elsewhere): a hash of what the flag is about, never of when it ran. */
function flagIds(n: number, flagged: readonly number[], what: (i: number) => string): Vector {
  const dict = new StringDictionary();
  const codes = new Int32Array(n).fill(-1);
  for (const i of flagged) codes[i] = dict.code(createHash('sha256').update(what(i)).digest('hex').slice(0, 16));
  return dictionaryVector(codes, dict.values);
}
