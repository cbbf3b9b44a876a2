import { groupRows } from '../../table/group.ts';

/** Where a window's noise scale comes from, in the order {@link windowNoise} prefers them. */
export const NOISE_SOURCES = ['pair_history', 'reporters', 'product', 'floor'] as const;

/** One of {@link NOISE_SOURCES}. */
export type NoiseSource = (typeof NOISE_SOURCES)[number];

/** A normal variable's σ from its median absolute deviation (1.4826) and from its mean absolute value (√(π/2)). */
const MAD_TO_SIGMA = 1.4826;
const MEAN_ABS_TO_SIGMA = Math.sqrt(Math.PI / 2);

/** What {@link windowNoise} reads, aligned with the pair windows. */
export interface NoiseInputs {
  /** Log ratio of matched windows (NaN elsewhere). */
  lr: Float64Array;
  /** Group of a row: the same pair and window kind (its own history). */
  pairWindow: Int32Array;
  /** The row of the same pair and kind one period later (-1: none): the history is read from step to step. */
  next: Int32Array;
  /**
   * Per row, σ of a window's value over σ of a step between two successive windows of its kind, for iid monthly
   * noise: √(L/2) for a rolling window of L months moved one month (M: √½, R3: √1.5, R12: √6), √½ for years.
   */
  stepToLevel: Float64Array;
  /** Group of a row: the same HS6, window kind and size band (comparable pairs of the product). */
  productBand: Int32Array;
  /**
   * Expected |log ratio| of the row's two reporters in its year from their effects over every product
   * (reporter effects), NaN when unknown; only for yearly windows, whose scale the effects are fitted on.
   */
  reportersExpected: Float64Array;
}

/**
 * The noise σ of each window's log ratio, and where it comes from: the pair's own history, with at least
 * `minHistory` windows of the same kind — the smaller of 1.4826 × the MAD of the steps between successive
 * windows (put on the scale of one window by `stepToLevel`) and 1.4826 × the MAD of the log ratios themselves:
 * a pair whose ratio stepped away from 0 once (the anomaly starting), or stayed away all along, keeps the
 * spread of its ordinary windows on one of the two, while a noisy pair's is large on both;
 * with a shorter history, comparable flows: the two reporters' expected
 * |log ratio| over every product (yearly windows; × √(π/2) for a σ), else the median |log ratio| of the same
 * product, window kind and size band (× 1.4826). Never below `floor` (`floor` is the source only where no
 * scale exists). Pure; rows align 1:1 with the inputs.
 */
export function windowNoise(x: NoiseInputs, minHistory: number, floor: number): { sigma: Float64Array; source: Uint8Array } {
  const n = x.lr.length;
  // steps between successive windows: a step change in the ratio is one large step among many small ones
  const step = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) if (x.next[i] >= 0) step[i] = (x.lr[x.next[i]] - x.lr[i]) * x.stepToLevel[i];
  const steps = spreadByGroup(step, x.pairWindow, minHistory, (v, med) => Math.abs(v - med), MAD_TO_SIGMA);
  const levels = spreadByGroup(x.lr, x.pairWindow, minHistory, (v, med) => Math.abs(v - med), MAD_TO_SIGMA);
  // the smaller of the two: steps miss a change that ramps through long windows, levels one that covers half the series
  const hist = steps.map((v, g) => (v === v && levels[g] === levels[g] ? Math.min(v, levels[g]) : NaN));
  const product = spreadByGroup(x.lr, x.productBand, minHistory, (v) => Math.abs(v), MAD_TO_SIGMA);
  const sigma = new Float64Array(n);
  const source = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const h = hist[x.pairWindow[i]];
    const r = x.reportersExpected[i] * MEAN_ABS_TO_SIGMA;
    const p = product[x.productBand[i]];
    // the pair's own spread where it has the history; else its reporters' over every product; else its product's
    const [s, src] = h === h ? [h, 0] : r === r ? [r, 1] : p === p ? [p, 2] : [floor, 3];
    sigma[i] = Math.max(floor, s); // a scale below the floor is the floor, wherever it came from
    source[i] = src;
  }
  return { sigma, source };
}

/**
 * Per group: the median of `dev(v, groupMedian)` over its non-NaN values, × `scale`; NaN for a group with
 * fewer than `min` values.
 */
function spreadByGroup(v: Float64Array, group: Int32Array, min: number, dev: (v: number, med: number) => number, scale: number): Float64Array {
  let groups = 0;
  for (let i = 0; i < group.length; i++) if (group[i] + 1 > groups) groups = group[i] + 1;
  // the non-NaN values bucketed by group (a counting sort): one buffer, no list per group
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < v.length; i++) if (v[i] === v[i]) start[group[i] + 1]++;
  for (let g = 0; g < groups; g++) start[g + 1] += start[g];
  const at = start.slice(0, groups);
  const buf = new Float64Array(start[groups]);
  for (let i = 0; i < v.length; i++) if (v[i] === v[i]) buf[at[group[i]]++] = v[i];
  const out = new Float64Array(groups).fill(NaN);
  for (let g = 0; g < groups; g++) {
    const xs = buf.subarray(start[g], start[g + 1]);
    if (xs.length < min) continue;
    const med = medianOf(xs);
    for (let k = 0; k < xs.length; k++) xs[k] = dev(xs[k], med);
    out[g] = medianOf(xs) * scale;
  }
  return out;
}

/** Median of the values (sorts them in place). */
function medianOf(xs: Float64Array): number {
  xs.sort();
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
}

/** Size bands: the tercile of a row's larger side within its group (0–2; 0 when the value is missing). */
export function sizeBands(big: Float64Array, group: Int32Array): Int32Array {
  const g = groupRows([group], big.length);
  const byGroup: number[][] = Array.from({ length: g.groups }, () => []);
  for (let i = 0; i < big.length; i++) if (big[i] > 0) byGroup[g.groupOf[i]].push(big[i]);
  const cuts = byGroup.map((xs) => {
    const s = Float64Array.from(xs).sort();
    return [s[Math.floor(s.length / 3)] ?? Infinity, s[Math.floor((2 * s.length) / 3)] ?? Infinity];
  });
  const band = new Int32Array(big.length);
  for (let i = 0; i < big.length; i++) {
    const [a, b] = cuts[g.groupOf[i]];
    band[i] = !(big[i] > 0) ? 0 : big[i] < a ? 0 : big[i] < b ? 1 : 2;
  }
  return band;
}
