import { Table, type Vector } from 'apache-arrow';
import { StringDictionary, boolVector, dictionaryVector, float64Vector } from '../../table/columns.ts';
import { groupRows } from '../../table/group.ts';
import { NumberMap } from '../../table/number-map.ts';
import { readCodes, readFloats, type CodedColumn } from '../../table/read.ts';
import { listVector } from '../../table/list.ts';
import { cifFobDefaults } from './cif-fob.ts';
import { mirrorMatchDefaults } from './mirror-pairs.ts';
import { sha256Hex } from '../../flags/flag-id.ts';
import { flaggedPairs } from './mirror-pair-flags.ts';
import { NOISE_SOURCES, sizeBands, windowNoise } from './mirror-noise.ts';
import { type ReporterEffects, type ReporterEffectsParams, fitReporterEffects, reliabilityOf, reporterEffectsDefaults, reporterEffectsFromTable } from './reporter-effects.ts';
import { robustZ } from '../robust-stats.ts';

export { robustZ } from '../robust-stats.ts';

/** Thresholds of {@link scoreMirrorGaps}; all live in config under `mirror.gaps`. */
export interface MirrorGapParams {
  /** Windows that can be flagged; `M` is kept in mirror_pairs only, since timing alone moves monthly values (default `['R3', 'R12', 'Y']`). */
  flagWindows: ('M' | 'R3' | 'R12' | 'Y')[];
  /** A matched window can be flagged when |ln(importer FOB / exporter)| reaches this (default ln 1.5 ≈ 0.405). */
  minAbsLogRatio: number;
  /** …and, where the pair's own history gives its noise (`noise_source` pair_history), its |log ratio| is at least this many σ of it (default 4.5; see `minZComparable`). */
  minZ: number;
  /**
   * …or, where comparable flows give it (a history too short), this many σ of theirs (default 4). Both, with
   * `minAbsQuantityLogRatio`, chosen on wild tuning seeds 1–5 (grid minZ 3–5, minZComparable 2–4.5, quantity
   * ln ratio 0.22–0.4) for the best mean precision@k, 0.890 (recall 0.901); of the two tied settings
   * (minZComparable 3.5 and 4), the one with fewer false flags. That was before `booked_under_origin`; with it the
   * surface is flat (0.890 here, recall 0.938; at most 0.892, at minZ 5.5 and a quantity bar of 0.38, recall
   * 0.891), and these were kept rather than chase a third decimal to the grid's edge.
   */
  minZComparable: number;
  /**
   * A matched window under the level test is also flagged when one side's records fall short in value and in
   * weight alike: both log ratios at least this, in the same direction, the weights' by `minZ` / `minZComparable`
   * σ of their own noise (a shipment left out of one side's records, or under-recorded, shows in both; a
   * valuation difference shows in value alone). Default ln 1.35 ≈ 0.30.
   */
  minAbsQuantityLogRatio: number;
  /**
   * An importer's excess from one exporter is flagged `booked_under_origin` when another exporter shipped it, in
   * the same window, goods it has no import record of (a ghost export) worth within this factor of the excess
   * (default 2): the importer booked the hub's goods as from their origin. Under the level test's bars.
   */
  maxBookedElsewhereRatio: number;
  /** …and the excess is this many σ of the pair's noise (default 2: the ghost export is the rest of the evidence). */
  minZBookedElsewhere: number;
  /** …and its log ratio at least this, beyond what a wide CIF/FOB margin leaves (default ln 1.25 ≈ 0.22). */
  minLogRatioBookedElsewhere: number;
  /** …and the larger side reaches this, USD (noise floor, default 100,000). */
  minValueUsd: number;
  /** …and |gap| reaches this, USD (default 50,000). */
  minGapUsd: number;
  /** A ghost (one side only, counterpart published, no residual to hide it) can be flagged from this value, USD (default 100,000). */
  ghostMinValueUsd: number;
  /** A weight gap: |ln(importer kg / exporter kg)| at least this (estimated weights left out), values within `minAbsLogRatio` (default ln 2). */
  maxAbsLogKgRatio: number;
  /** Rolling windows are flagged only when the next window shows the same gap too: a single late shipment moves only the edges (default true). */
  requirePersistence: boolean;
  /** Windows of the same pair and kind needed to take its noise from its own history, and values for a cross-pair robust z (default 5). */
  minGroupForZ: number;
  /** Smallest σ a window's noise, or one side's reporter effect, can have (default 0.05: Growth Lab's "equal" band). */
  reliabilityFloor: number;
}

/** Defaults for {@link MirrorGapParams}. */
export const mirrorGapDefaults: MirrorGapParams = {
  flagWindows: ['R3', 'R12', 'Y'],
  minAbsLogRatio: Math.log(1.5),
  minZ: 4.5,
  minZComparable: 4,
  minAbsQuantityLogRatio: Math.log(1.35),
  maxBookedElsewhereRatio: 2,
  minZBookedElsewhere: 2,
  minLogRatioBookedElsewhere: Math.log(1.25),
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

/** Months a window spans, to put what is at stake on a yearly scale. */
const WINDOW_MONTHS: Record<string, number> = { M: 1, R3: 3, R12: 12, Y: 12 };

/**
 * Adds every measure to the pair windows and scores them, one flag per exporter → importer × HS6:
 * - the importer's value on FOB (its own FOB, else `cifFobRatio[i]`, else the flat ratio; FOB importers as
 *   recorded), the gap, log ratio (and the one that tolerates a month's lag), weight and unit-value ratios;
 * - reporter effects (Gaulier & Zignago 2010, see `fitReporterEffects`) from the yearly matched windows of
 *   every product in `pairs`, or a shared table (`--global`): each side's σ and reliability, and a
 *   reliability-weighted reconciled FOB value;
 * - each window's noise σ (`windowNoise`: the pair's own history, the reporters' expected ratio, or the same
 *   product and size band — `noise_source` says which) and z = log ratio / σ;
 * - a window is flagged when the gap is large in log and USD terms and, where the pair's history gives its
 *   noise, beyond it (and persists into the next rolling window); when value and weight fall short on the same
 *   side (quantity gap); when one side alone recorded it (ghost); when the weights disagree by far while the values
 *   agree (weight gap); or when an importer's excess from one exporter matches another exporter's ghost export to
 *   it (booked under origin);
 * - what is at stake: the gap in USD beyond what CIF/FOB and a month's lag explain (confidentiality explains a
 *   missing side, and a window it may explain is `possibly_confidential`, never flagged), on a yearly scale; the score weights it by how far the two reporters are to be believed
 *   (`believability`: the share of the gap, in log terms, that their own noise σe, σi does not explain; at an
 *   entrepôt its side takes the other side's σ: transit there is the channel, not noise).
 * A pair is flagged by its best window; at most `reviewBudget` pairs (by score) are flagged, the rest stay
 * scored in `pairs` (`over_review_budget`). Returns every window with its measures, the flagged pairs
 * ranked with their flagged windows nested, the reporter-effects table and counts. Pure.
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
    /** Reporter effects of a run over every product (its `reporter_reliability` table), used instead of fitting them here. */
    reliability?: Table;
    /** Countries that record imports FOB (data/reference/fob_import_reporters.csv). */
    fobImporters?: ReadonlySet<string>;
    /** Entrepôts (data/reference/entrepots.csv): a gap there is shown with reason `entrepot`, not discounted by its reliability. */
    entrepots?: ReadonlySet<string>;
    /** The share of a gap the lower side's residual must cover for a partner going confidential to explain it (config `mirror.match.confidentialCoverShare`, as the matcher's missing sides). */
    confidentialCoverShare?: number;
    /** Flagged pairs at most (config `mirror.reviewBudget`, default 100). */
    reviewBudget?: number;
  } = {},
): { pairs: Table; gaps: Table; reliability: Table; counts: Record<string, number> } {
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
  const confidential = status.values.indexOf('possibly_confidential');
  const resX = readFloats(pairs, 'exporter_residual_usd', who);
  const resM = readFloats(pairs, 'importer_residual_usd', who);
  requireValues(win, 'window', who);
  requireValues(pEnd, 'period_end', who);

  // one country dictionary for both roles, codes in order of first appearance (exporters, then importers)
  const countries = new StringDictionary();
  const e = sharedCodes(exp, countries);
  const im = sharedCodes(imp, countries);
  const fobImporters = opts.fobImporters ?? new Set<string>();
  const entrepots = opts.entrepots ?? new Set<string>();
  const fobReporterOf = Uint8Array.from(imp.values, (v) => (fobImporters.has(v) ? 1 : 0));
  const entrepotOf = Uint8Array.from(countries.values, (v) => (entrepots.has(v) ? 1 : 0));
  const rollingOf = Uint8Array.from(win.values, (w) => (w.startsWith('R') ? 1 : 0));
  const yearlyOf = Uint8Array.from(win.values, (w) => (w === 'Y' ? 1 : 0));
  const monthsOf = Float64Array.from(win.values, (w) => WINDOW_MONTHS[w] ?? 12);
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
  const year = new Int32Array(n);
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
    year[i] = yearOf[pEnd.codes[i]];
  }

  // reporter effects over every product of these pairs (yearly matched windows, value-weighted), or shared ones
  const effects: ReporterEffects = opts.reliability
    ? reporterEffectsFromTable(opts.reliability, (iso3: string) => countries.code(iso3), effectParams(p))
    : fitReporterEffects(yearlyObservations(n, e, im, year, lr, x, mFob, (i) => yearlyOf[win.codes[i]] === 1 && Math.max(x[i], mFob[i]) >= p.minValueUsd), effectParams(p));
  const sigE = new Float64Array(n);
  const sigI = new Float64Array(n);
  const relE = new Float64Array(n);
  const relI = new Float64Array(n);
  const reconciled = new Float64Array(n).fill(NaN);
  const expected = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    sigE[i] = effects.exporterSigma(e[i], year[i]);
    sigI[i] = effects.importerSigma(im[i], year[i]);
    relE[i] = reliabilityOf(sigE[i], p.reliabilityFloor);
    relI[i] = reliabilityOf(sigI[i], p.reliabilityFloor);
    // weights 1/σ, not 1/σ²: σ is a fitted expected |error|, itself noisy, and the inverse square leans too hard on
    // it (against BACI on the atlas records: median |ln(reconciled/BACI)| 0.273/0.244 with 1/σ², 0.234/0.223 with 1/σ)
    const we = 1 / sigE[i];
    const wi = 1 / sigI[i];
    if (status.codes[i] === matched) reconciled[i] = (we * x[i] + wi * mFob[i]) / (we + wi);
    else if (x[i] > 0) reconciled[i] = x[i];
    else if (mFob[i] > 0) reconciled[i] = mFob[i];
    if (!yearlyOf[win.codes[i]]) continue;
    // at an entrepôt (one side only) the noise is the other side's: transit there is the channel, not noise
    const xAt = entrepotOf[e[i]] === 1;
    expected[i] = xAt !== (entrepotOf[im[i]] === 1) ? 2 * (xAt ? sigI[i] : sigE[i]) : effects.expected(e[i], im[i], year[i]);
  }

  // the importer may record a shipment a month after the exporter: on rolling windows the gap is the
  // smaller of the aligned one and the one against the importer's window a month later
  const pairWindow = groupRows([e, im, hs6.codes, win.codes], n).groupOf;
  const next = nextWindow(pairWindow, pEnd.codes, pEnd.values, n);
  const lrLag = Float64Array.from(lr);
  const kgLag = Float64Array.from(kgLr);
  for (let i = 0; i < n; i++) {
    const j = next[i];
    if (j < 0 || !rollingOf[win.codes[i]]) continue;
    const alt = lr[i] === lr[i] && mFob[j] > 0 && x[i] > 0 ? Math.log(mFob[j] / x[i]) : NaN;
    if (Math.abs(alt) < Math.abs(lr[i])) lrLag[i] = alt;
    const altKg = kgLr[i] === kgLr[i] && mk[j] > 0 && xk[i] > 0 ? Math.log(mk[j] / xk[i]) : NaN;
    if (Math.abs(altKg) < Math.abs(kgLr[i])) kgLag[i] = altKg; // weights travel with the goods: the same month's lag
  }

  // noise of each window, and how unusual its ratio is against it
  const big = new Float64Array(n);
  for (let i = 0; i < n; i++) big[i] = Math.max(x[i] || 0, mFob[i] || 0);
  const productWindow = groupRows([hs6.codes, win.codes], n).groupOf;
  const productBand = groupRows([productWindow, sizeBands(big, productWindow)], n).groupOf;
  const stepToLevel = new Float64Array(n);
  for (let i = 0; i < n; i++) stepToLevel[i] = Math.sqrt((rollingOf[win.codes[i]] ? monthsOf[win.codes[i]] : 1) / 2);
  const noise = windowNoise({ lr, pairWindow, next, stepToLevel, productBand, reportersExpected: expected }, p.minGroupForZ, p.reliabilityFloor);
  const z = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) if (lrLag[i] === lrLag[i]) z[i] = lrLag[i] / noise.sigma[i];
  // weights are noisier than values (estimated ones are already left out): their own scale, the same way
  const kgNoise = windowNoise({ lr: kgLag, pairWindow, next, stepToLevel, productBand, reportersExpected: new Float64Array(n).fill(NaN) }, p.minGroupForZ, p.reliabilityFloor);
  const zKg = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) if (kgLag[i] === kgLag[i]) zKg[i] = kgLag[i] / kgNoise.sigma[i];
  const zCross = robustZ(lr, groupRows([hs6.codes, win.codes, pEnd.codes], n).groupOf, p.minGroupForZ);

  // windows: flagged or not, with what is at stake and the score
  const flaggable = flaggableRows(win, pStart, p.flagWindows, who);
  const atStake = new Float64Array(n);
  const believed = new Float64Array(n).fill(NaN);
  const score = new Float64Array(n);
  const reasons = new Map<number, string[]>();
  // the z test against the pair's own history where it has one, against comparable flows' (a lower bar) where not
  const beyondNoise = (zi: number, src: number) => Math.abs(zi) >= (src === 0 ? p.minZ : p.minZComparable);
  const matchedWindow = (i: number) =>
    status.codes[i] === matched && big[i] >= p.minValueUsd && Math.abs(gap[i]) >= p.minGapUsd && Math.abs(lrLag[i]) >= p.minAbsLogRatio &&
    beyondNoise(z[i], noise.source[i]);
  // value and weight short on the same side: the quantity itself is missing from one side's records
  const quantityWindow = (i: number) =>
    status.codes[i] === matched && big[i] >= p.minValueUsd && Math.abs(gap[i]) >= p.minGapUsd &&
    Math.abs(lrLag[i]) >= p.minAbsQuantityLogRatio && Math.abs(kgLag[i]) >= p.minAbsQuantityLogRatio && Math.sign(kgLag[i]) === Math.sign(lrLag[i]) &&
    beyondNoise(zKg[i], kgNoise.source[i]);
  const weightWindow = (i: number) =>
    status.codes[i] === matched && big[i] >= p.minValueUsd && Math.abs(lrLag[i]) < p.minAbsLogRatio && Math.abs(kgLag[i]) >= p.maxAbsLogKgRatio &&
    beyondNoise(zKg[i], kgNoise.source[i]);
  const coverShare = opts.confidentialCoverShare ?? mirrorMatchDefaults.confidentialCoverShare;
  // a partner that goes confidential: windows of the pair that end before its last possibly-confidential one,
  // whose gap the lower side's residual (World less its partners) covers, are that going, not an anomaly
  const periodTime = Int32Array.from(pEnd.values, (v) => (v.length === 4 ? Number(v) * 12 + 11 : Number(v.slice(0, 4)) * 12 + Number(v.slice(5, 7)) - 1));
  const lastConfidential = new Int32Array(n).fill(-1); // by pair-window group
  for (let i = 0; i < n; i++) if (status.codes[i] === confidential) lastConfidential[pairWindow[i]] = Math.max(lastConfidential[pairWindow[i]], periodTime[pEnd.codes[i]]);
  const goingConfidential = (i: number) =>
    lastConfidential[pairWindow[i]] >= periodTime[pEnd.codes[i]] && (lrLag[i] > 0 ? resX[i] : resM[i]) >= coverShare * Math.abs(gap[i]);
  // the gap a month's lag leaves (confidentiality explains a missing side, which the pair's status already weighed)
  const lagGapOf = (i: number) => (lrLag[i] === lr[i] ? gap[i] : x[i] * (Math.exp(lrLag[i]) - 1));
  // a rolling window counts only when the next one shows the same (no closure per row: this loop sees every window)
  const needsNext = (i: number) => rollingOf[win.codes[i]] === 1 && p.requirePersistence;
  /** Records window i as flagged with reasons `r` and USD `stake` a year: the reasons its numbers add, and how far it is believed. */
  const flagWindow = (i: number, r: string[], stake: number) => {
    if (r[0] !== 'weight_gap' && r[1] !== 'quantity_gap' && Math.abs(kgLr[i]) >= p.maxAbsLogKgRatio) r.push('weight_mismatch');
    if (uvX[i] > 0 && uvM[i] > 0 && Math.abs(Math.log(uvM[i] / uvX[i])) >= p.maxAbsLogKgRatio) r.push('unit_value_mismatch');
    const a = xRev.codes[i] >= 0 ? xRev.values[xRev.codes[i]] : null;
    const b = mRev.codes[i] >= 0 ? mRev.values[mRev.codes[i]] : null;
    if (a && b && a !== b && opts.hsScopeChanged?.(hs6.values[hs6.codes[i]], a, b)) r.push('hs_scope_changed');
    // how far the records are to be believed: the share of the gap (in log terms) that the two reporters' own
    // noise does not explain, gap² / (gap² + σe² + σi²); a ghost as a gap of one log unit seen by its recording
    // side alone; at an entrepôt its side's σ is the other one's (transit is the channel, not noise)
    const xAt = entrepotOf[e[i]] === 1;
    const mAt = entrepotOf[im[i]] === 1;
    if (xAt || mAt) r.push('entrepot');
    const se = xAt && !mAt ? sigI[i] : sigE[i];
    const si = mAt && !xAt ? sigE[i] : sigI[i];
    const g2 = r[0] === 'weight_gap' ? kgLag[i] * kgLag[i] : status.codes[i] === ghost ? 1 : lrLag[i] * lrLag[i];
    const noise2 = status.codes[i] === ghost ? (x[i] > 0 ? se * se : si * si) : se * se + si * si;
    const believe = g2 / (g2 + noise2);
    believed[i] = believe;
    atStake[i] = stake;
    score[i] = stake * believe;
    reasons.set(i, r);
  };
  for (let i = 0; i < n; i++) {
    if (!flaggable[i]) continue;
    let r: string[] | null = null;
    let stake = 0;
    const perYear = 12 / monthsOf[win.codes[i]];
    const j = next[i];
    const chained = !needsNext(i);
    if (matchedWindow(i) && !goingConfidential(i) && (chained || (j >= 0 && matchedWindow(j) && Math.sign(lrLag[j]) === Math.sign(lrLag[i])))) {
      r = [lrLag[i] > 0 ? 'importer_exceeds' : 'exporter_exceeds'];
      stake = Math.abs(lagGapOf(i)) * perYear;
    } else if (quantityWindow(i) && !goingConfidential(i) && (chained || (j >= 0 && quantityWindow(j) && Math.sign(lrLag[j]) === Math.sign(lrLag[i])))) {
      r = [lrLag[i] > 0 ? 'importer_exceeds' : 'exporter_exceeds', 'quantity_gap'];
      stake = Math.abs(lagGapOf(i)) * perYear;
    } else if (status.codes[i] === ghost && big[i] >= p.ghostMinValueUsd && (chained || (j >= 0 && status.codes[j] === ghost))) {
      r = ['ghost', missingSide.values[missingSide.codes[i]] === 'exporter' ? 'ghost_imports' : 'ghost_exports'];
      stake = big[i] * perYear;
    } else if (weightWindow(i) && (chained || (j >= 0 && weightWindow(j)))) {
      r = ['weight_gap'];
      // the value of the goods the weights leave unaccounted for
      stake = Math.min(x[i], mFob[i]) * (1 - Math.exp(-Math.abs(kgLag[i]))) * perYear;
    }
    // nothing beyond what CIF/FOB, timing and confidentiality explain: no flag
    if (!r || !(stake > 0)) continue;
    flagWindow(i, r, stake);
  }

  // goods booked under their origin: the importer's excess from one exporter matches, within a factor of
  // `maxBookedElsewhereRatio`, what another exporter shipped it in the same window with no import record (a ghost
  // export): the importer booked the hub's goods as from their origin (domain.md §3, origin-recorded imports)
  const ghostExportUsd = new Map<string, number>();
  const windowKey = (i: number) => `${im[i]}|${hs6.codes[i]}|${win.codes[i]}|${pEnd.codes[i]}`;
  for (const [i, r] of reasons) if (r[1] === 'ghost_exports') ghostExportUsd.set(windowKey(i), (ghostExportUsd.get(windowKey(i)) ?? 0) + x[i]);
  const bookedUnderOrigin = (i: number) => {
    if (status.codes[i] !== matched || !(lrLag[i] >= p.minLogRatioBookedElsewhere) || big[i] < p.minValueUsd || !(z[i] >= p.minZBookedElsewhere) || goingConfidential(i)) return false;
    const g = ghostExportUsd.get(windowKey(i));
    const excess = lagGapOf(i);
    return g !== undefined && excess >= p.minGapUsd && Math.abs(Math.log(excess / g)) <= Math.log(p.maxBookedElsewhereRatio);
  };
  if (ghostExportUsd.size) {
    for (let i = 0; i < n; i++) {
      if (!flaggable[i] || reasons.has(i) || !bookedUnderOrigin(i)) continue;
      const j = next[i];
      if (needsNext(i) && !(j >= 0 && bookedUnderOrigin(j))) continue;
      flagWindow(i, ['importer_exceeds', 'booked_under_origin'], Math.abs(lagGapOf(i)) * (12 / monthsOf[win.codes[i]]));
    }
  }

  // one flag per pair: its best window; at most reviewBudget pairs
  const pair = groupRows([e, im, hs6.codes], n);
  const idOf = (g: number) => {
    const i = pair.firstRow[g];
    return sha256Hex(`mirror|${exp.values[exp.codes[i]]}|${imp.values[imp.codes[i]]}|${hs6.values[hs6.codes[i]]}`).slice(0, 16);
  };
  const budget = opts.reviewBudget ?? Infinity;
  const fp = flaggedPairs(pair.groupOf, pair.groups, score, reasons, idOf, budget);

  const ids = new Int32Array(n).fill(-1);
  const idDict = new StringDictionary();
  const windowFlagged = new Int8Array(n);
  const overBudget = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    windowFlagged[i] = reasons.has(i) ? 1 : 0;
    const g = pair.groupOf[i];
    if (fp.rankOf[g] > 0) ids[i] = idDict.code(fp.idOfGroup.get(g)!);
    else if (fp.overBudget[g]) overBudget[i] = 1;
  }
  const noiseSource = dictionaryVector(Int32Array.from(noise.source), [...NOISE_SOURCES]);
  const cols: Record<string, Vector> = {};
  for (const f of pairs.schema.fields) cols[f.name] = pairs.getChild(f.name)!;
  Object.assign(cols, {
    importer_value_fob_usd: float64Vector(mFob),
    cif_fob_ratio: float64Vector(ratioUsed),
    gap_usd: float64Vector(gap),
    log_ratio: float64Vector(lr),
    log_ratio_lag_tolerant: float64Vector(lrLag),
    log_kg_ratio: float64Vector(kgLr),
    z_kg: float64Vector(zKg),
    exporter_unit_value_usd_per_kg: float64Vector(uvX),
    importer_unit_value_usd_per_kg: float64Vector(uvM),
    robust_z: float64Vector(zCross),
    noise_sigma: float64Vector(noise.sigma),
    noise_source: noiseSource,
    z: float64Vector(z),
    exporter_sigma: float64Vector(sigE),
    importer_sigma: float64Vector(sigI),
    exporter_reliability: float64Vector(relE),
    importer_reliability: float64Vector(relI),
    reconciled_value_usd: float64Vector(reconciled),
    value_at_stake_usd: float64Vector(atStake),
    believability: float64Vector(believed),
    score: float64Vector(score),
    window_flagged: boolVector(windowFlagged),
    over_review_budget: boolVector(overBudget),
    reasons: listVector(n, reasons),
    flag_id: dictionaryVector(ids, idDict.values),
  });
  const all = new Table(cols);
  const gaps = fp.table(all);
  const counts = { pairs_scored: pair.groups, pairs_with_flagged_window: fp.candidates, pairs_flagged: fp.flagged, pairs_over_review_budget: fp.candidates - fp.flagged };
  return { pairs: all, gaps, reliability: effects.table(countries.values), counts };
}

/** The reporter-effects fit's own settings, with this scorer's floor. */
function effectParams(p: MirrorGapParams): ReporterEffectsParams {
  return { ...reporterEffectsDefaults, floor: p.reliabilityFloor };
}

/** The observations reporter effects are fitted on: yearly matched windows over the noise floor, weighted by value. */
function yearlyObservations(n: number, e: Int32Array, im: Int32Array, year: Int32Array, lr: Float64Array, x: Float64Array, mFob: Float64Array, use: (i: number) => boolean) {
  const rows = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (lr[i] === lr[i] && use(i)) rows[m++] = i;
  const out = { exporter: new Int32Array(m), importer: new Int32Array(m), year: new Int32Array(m), absLogRatio: new Float64Array(m), weight: new Float64Array(m) };
  for (let k = 0; k < m; k++) {
    const i = rows[k];
    out.exporter[k] = e[i];
    out.importer[k] = im[i];
    out.year[k] = year[i];
    out.absLogRatio[k] = Math.abs(lr[i]);
    out.weight[k] = (x[i] + mFob[i]) / 2;
  }
  return out;
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

