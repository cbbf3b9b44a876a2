import { Table, type Vector } from 'apache-arrow';
import { StringDictionary, dictionaryVector, float64Vector, int32Vector } from '../table/columns.ts';
import { groupRows } from '../table/group.ts';
import { NumberMap } from '../table/number-map.ts';
import { readCodes, readFloats, type CodedColumn } from '../table/read.ts';
import { listVector } from '../table/list.ts';
import { takeTable } from '../table/take-table.ts';
import { cifFobDefaults, FOB_IMPORT_REPORTERS } from './cif-fob.ts';
import { rankFlags } from './rank-flags.ts';
import { reliabilityOf, reporterReliability, type ReporterReliability } from './reporter-reliability.ts';
import { sha256Hex } from './flag-id.ts';
import { robustZ } from './robust-stats.ts';

export { robustZ } from './robust-stats.ts';

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
    /**
     * Reporter reliability estimated elsewhere (a `reporter_reliability` table of a run over every product:
     * reporter, year, typical_abs_log_ratio): used instead of estimating it from these pairs, and returned
     * as the reliability table. Reporter-years it lacks get the floor.
     */
    reliability?: Table;
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
  requireValues(win, 'window', who);
  requireValues(pEnd, 'period_end', who);

  // one country dictionary for both roles, codes in order of first appearance (exporters, then importers)
  const countries = new StringDictionary();
  const e = sharedCodes(exp, countries);
  const im = sharedCodes(imp, countries);
  // what the rows need of each string, once per dictionary code
  const fobReporterOf = Uint8Array.from(imp.values, (v) => (FOB_IMPORT_REPORTERS.has(v) ? 1 : 0));
  const rollingOf = Uint8Array.from(win.values, (w) => (w.startsWith('R') ? 1 : 0));
  const yearOf = Int32Array.from(pEnd.values, (v) => Number(v.slice(0, 4)));
  const flatRatio = opts.flatRatio ?? cifFobDefaults.flatRatio;
  const fitted = opts.cifFobRatio;

  const mFob = new Float64Array(n);
  const ratioUsed = new Float64Array(n);
  const lr = new Float64Array(n).fill(NaN);
  const gap = new Float64Array(n).fill(NaN);
  const kgLr = new Float64Array(n).fill(NaN);
  const uvX = new Float64Array(n).fill(NaN);
  const uvM = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const fobReporter = fobReporterOf[imp.codes[i]] === 1;
    const ratio = fobReporter ? 1 : mfReported[i] > 0 ? m[i] / mfReported[i] : (fitted?.[i] ?? NaN) > 0 ? fitted![i] : flatRatio;
    ratioUsed[i] = ratio;
    mFob[i] = mfReported[i] > 0 && !fobReporter ? mfReported[i] : m[i] / ratio;
    if (x[i] === x[i] && mFob[i] === mFob[i]) gap[i] = mFob[i] - x[i];
    if (status.codes[i] === matched) lr[i] = Math.log(mFob[i] / x[i]);
    if (xk[i] > 0 && mk[i] > 0) kgLr[i] = Math.log(mk[i] / xk[i]);
    if (xk[i] > 0 && x[i] > 0) uvX[i] = x[i] / xk[i];
    if (mk[i] > 0 && mFob[i] > 0) uvM[i] = mFob[i] / mk[i];
  }

  // robust z across pairs (same hs6, window, period) and along the pair's own history (same pair, window)
  const pairWindow = groupRows([e, im, hs6.codes, win.codes], n).groupOf;
  const zCross = robustZ(lr, groupRows([hs6.codes, win.codes, pEnd.codes], n).groupOf, p.minGroupForZ);
  const zHist = robustZ(lr, pairWindow, p.minGroupForZ);

  // reporter reliability per reporter and year from all its discrepancies (yearly windows)
  const year = new Int32Array(n);
  for (let i = 0; i < n; i++) year[i] = yearOf[pEnd.codes[i]];
  const yearly = Uint8Array.from(win.values, (w) => (w === 'Y' ? 1 : 0));
  const rel = opts.reliability
    ? sharedReliability(opts.reliability, countries, p.reliabilityFloor)
    : reporterReliability(e, im, year, lr, (i) => yearly[win.codes[i]] === 1 && Math.max(x[i], mFob[i]) >= p.minValueUsd, p.reliabilityFloor);
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
  const next = nextWindow(pairWindow, pEnd.codes, pEnd.values, n);
  // the importer may record a shipment a month after the exporter: on rolling windows the gap is the
  // smaller of the aligned one and the one against the importer's window a month later
  const lrLag = Float64Array.from(lr);
  for (let i = 0; i < n; i++) {
    const j = next[i];
    if (lr[i] !== lr[i] || j < 0 || !rollingOf[win.codes[i]]) continue;
    const alt = mFob[j] > 0 && x[i] > 0 ? Math.log(mFob[j] / x[i]) : NaN;
    if (Math.abs(alt) < Math.abs(lr[i])) lrLag[i] = alt;
  }
  const flaggable = flaggableRows(win, pStart, p.flagWindows, who);
  const score = new Float64Array(n);
  const reasons = new Map<number, string[]>();
  const flagged: number[] = [];
  for (let i = 0; i < n; i++) {
    let r: string[] | null = null; // most rows are not flagged: no list for them
    let s = 0;
    const big = Math.max(x[i] || 0, mFob[i] || 0);
    const rolling = rollingOf[win.codes[i]] === 1;
    if (status.codes[i] === matched && flaggable[i] && big >= p.minValueUsd && Math.abs(gap[i]) >= p.minGapUsd && Math.abs(lrLag[i]) >= p.minAbsLogRatio) {
      const j = next[i];
      const persists = !rolling || !p.requirePersistence || (j >= 0 && Math.sign(lrLag[j]) === Math.sign(lrLag[i]) && Math.abs(lrLag[j]) >= p.minAbsLogRatio);
      if (persists) {
        r = [lrLag[i] > 0 ? 'importer_exceeds' : 'exporter_exceeds'];
        const z = Math.max(Math.abs(zCross[i]) || 0, Math.abs(zHist[i]) || 0);
        // transparent: size of the gap in log terms, more when unusual, weighted by how reliable both reporters are
        s = Math.min(Math.abs(lrLag[i]), 5) * (1 + Math.min(z, 10) / 5) * Math.sqrt(relE[i] * relI[i]);
      }
    } else if (status.codes[i] === ghost && flaggable[i] && big >= p.ghostMinValueUsd) {
      const j = next[i];
      const persists = !rolling || !p.requirePersistence || (j >= 0 && status.codes[j] === ghost);
      if (persists) {
        r = ['ghost', missingSide.values[missingSide.codes[i]] === 'exporter' ? 'ghost_imports' : 'ghost_exports'];
        s = Math.log(big / p.ghostMinValueUsd) + 1;
      }
    }
    if (r) {
      if (Math.abs(kgLr[i]) >= p.maxAbsLogKgRatio) r.push('weight_mismatch');
      if (uvX[i] > 0 && uvM[i] > 0 && Math.abs(Math.log(uvM[i] / uvX[i])) >= p.maxAbsLogKgRatio) r.push('unit_value_mismatch');
      const a = xRev.codes[i] >= 0 ? xRev.values[xRev.codes[i]] : null;
      const b = mRev.codes[i] >= 0 ? mRev.values[mRev.codes[i]] : null;
      if (a && b && a !== b && opts.hsScopeChanged?.(hs6.values[hs6.codes[i]], a, b)) r.push('hs_scope_changed');
      flagged.push(i);
      reasons.set(i, r);
    }
    score[i] = s;
  }

  const ids = flagIds(flagged, (i) => `mirror|${exp.values[exp.codes[i]]}|${imp.values[imp.codes[i]]}|${hs6.values[hs6.codes[i]]}|${win.values[win.codes[i]]}|${pStart.values[pStart.codes[i]]}|${pEnd.values[pEnd.codes[i]]}`);
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
    flag_id: ids.vector(n),
  });
  const all = new Table(cols);
  // most suspicious first; ties broken by the flag id so the order never depends on input order
  rankFlags(flagged, score, ids.of);
  const gapsT = takeTable(all, Int32Array.from(flagged));
  const ranked = new Table({ ...Object.fromEntries(gapsT.schema.fields.map((f) => [f.name, gapsT.getChild(f.name)!])), rank: int32Vector(Int32Array.from(flagged, (_, k) => k + 1)) });
  return { pairs: all, gaps: ranked, reliability: rel.table(countries.values) };
}

/** {@link ReporterReliability} read from a shared `reporter_reliability` table (σ floored as when estimated). */
function sharedReliability(table: Table, countries: StringDictionary, floor: number): ReporterReliability {
  const who = 'scoreMirrorGaps (shared reporter_reliability)';
  const reporter = readCodes(table, 'reporter', who);
  const year = readFloats(table, 'year', who);
  const sigma = readFloats(table, 'typical_abs_log_ratio', who);
  const code = reporter.values.map((v) => countries.code(v)); // reporters of other products join the dictionary; harmless
  const byKey = new Map<number, number>();
  for (let i = 0; i < table.numRows; i++) {
    if (reporter.codes[i] < 0 || !(year[i] === year[i]) || !(sigma[i] === sigma[i])) continue;
    byKey.set(year[i] * 65536 + code[reporter.codes[i]], Math.max(floor, sigma[i]));
  }
  return { sigma: (c, y) => byKey.get(y * 65536 + c) ?? floor, table: () => table };
}

/** For each row, the row of the same pair and window whose period ends one step later (-1 if none). */
function nextWindow(pairWindow: Int32Array, pEnd: Int32Array, periods: readonly string[], n: number): Int32Array {
  const t = Int32Array.from(periods, (v) => (v.length === 4 ? Number(v) : Number(v.slice(0, 4)) * 12 + Number(v.slice(5, 7)) - 1));
  const lookup = new NumberMap(n);
  const key = (i: number) => pairWindow[i] * 40_000 + t[pEnd[i]]; // months since year 0 stay below 40,000
  for (let i = 0; i < n; i++) lookup.set(key(i), i);
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) next[i] = lookup.get(key(i) + 1, -1);
  return next;
}

/** Which rows may be flagged: their window is in `flagWindows`, except `Y` over monthly data (it repeats December's R12). */
function flaggableRows(win: CodedColumn, pStart: CodedColumn, flagWindows: readonly string[], who: string): Uint8Array {
  const flagWin = win.values.map((w) => flagWindows.includes(w));
  const isY = win.values.map((w) => w === 'Y');
  const monthlyStart = pStart.values.map((v) => v.length > 4);
  const out = new Uint8Array(win.codes.length);
  for (let i = 0; i < out.length; i++) {
    const w = win.codes[i];
    if (!flagWin[w]) continue;
    if (isY[w] && pStart.codes[i] < 0) throw new Error(`${who}: period_start is null in row ${i}`);
    out[i] = isY[w] && monthlyStart[pStart.codes[i]] ? 0 : 1;
  }
  return out;
}

/** Stable flag ids for the flagged rows (null elsewhere): a hash of what the flag is about, never of when it ran. */
function flagIds(flagged: readonly number[], what: (i: number) => string): { of(i: number): string; vector(n: number): Vector } {
  const idOf = new Map<number, string>();
  for (const i of flagged) idOf.set(i, sha256Hex(what(i)).slice(0, 16));
  return {
    of: (i) => idOf.get(i)!,
    vector(n) {
      const dict = new StringDictionary();
      const codes = new Int32Array(n).fill(-1);
      for (const i of flagged) codes[i] = dict.code(idOf.get(i)!);
      return dictionaryVector(codes, dict.values);
    },
  };
}

/** Codes of `col` in `dict`, assigned in order of first appearance in the rows (as per-row lookups would). */
function sharedCodes(col: CodedColumn, dict: StringDictionary): Int32Array {
  const codeOf = new Int32Array(col.values.length + 1).fill(-1); // slot c + 1, so a null row (-1) has one too
  const out = new Int32Array(col.codes.length);
  for (let i = 0; i < out.length; i++) {
    const c = col.codes[i] + 1;
    if (codeOf[c] < 0) codeOf[c] = dict.code(col.values[c - 1]);
    out[i] = codeOf[c];
  }
  return out;
}

/** Throws naming the column when a row has no value where every row needs one. */
function requireValues(col: CodedColumn, name: string, who: string): void {
  const i = col.codes.indexOf(-1);
  if (i >= 0) throw new Error(`${who}: ${name} is null in row ${i}`);
}
