import { mulberry32 } from '../table/mulberry32.ts';

/**
 * Smoothed target encoding of a categorical column: each category's label rate shrunk towards the prior,
 * (frauds + m·prior) / (rows + m). On the training rows the encoding must be out-of-fold — a row's own label
 * never enters its encoding — or a model fitted on it learns the labels back (leakage); later rows get the
 * encoding fitted on every training row. A null code (-1) is a category of its own.
 */

/** Settings of the target encodings. */
export interface TargetEncodingParams {
  /** Prior weight m, in rows (≥ 0, default `20`): a category seen m times is half its own rate, half the prior. */
  smoothing: number;
  /** Folds of the out-of-fold encoding on the training rows (integer ≥ 2, default `5`). */
  folds: number;
  /** Seed of the fold assignment (integer; default `1`). */
  seed: number;
}

/** Defaults for {@link TargetEncodingParams}. */
export const targetEncodingDefaults: TargetEncodingParams = { smoothing: 20, folds: 5, seed: 1 };

/** A fitted encoding: the smoothed rate per code (index `size` holds the null category) and the prior. */
export interface TargetEncoding {
  /** Rate by code, length `size + 1`; the last entry is the null category's. */
  rates: Float64Array;
  /** Label rate of the fit rows: what an unseen category gets. */
  prior: number;
}

/** Fits the encoding on `rows` of `codes` (dictionary codes in 0..size−1, -1 = null) with 0/1 `labels`. */
export function fitTargetEncoding(codes: Int32Array, size: number, labels: Int8Array, rows: Int32Array, smoothing: number): TargetEncoding {
  const n = new Float64Array(size + 1);
  const pos = new Float64Array(size + 1);
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const c = codes[r] < 0 ? size : codes[r];
    n[c]++;
    pos[c] += labels[r];
    total += labels[r];
  }
  const prior = rows.length ? total / rows.length : 0;
  const rates = new Float64Array(size + 1);
  for (let c = 0; c <= size; c++) rates[c] = (pos[c] + smoothing * prior) / (n[c] + smoothing);
  return { rates, prior };
}

/** The encoding of `rows` (aligned 1:1 with them); codes the fit never saw get the prior. */
export function applyTargetEncoding(enc: TargetEncoding, codes: Int32Array, size: number, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const c = codes[rows[i]];
    out[i] = c < 0 ? enc.rates[size] : c < size ? enc.rates[c] : enc.prior;
  }
  return out;
}

/**
 * Out-of-fold encoding of the training `rows` (aligned 1:1 with them): rows are dealt into `folds` seeded
 * folds, and each fold is encoded by the fit on the other folds (their own prior). Pure and seeded.
 */
export function targetEncodeOutOfFold(codes: Int32Array, size: number, labels: Int8Array, rows: Int32Array, p: TargetEncodingParams): Float64Array {
  const fold = assignFolds(rows.length, p.folds, p.seed);
  const out = new Float64Array(rows.length);
  for (let f = 0; f < p.folds; f++) {
    let m = 0;
    for (let i = 0; i < rows.length; i++) if (fold[i] !== f) m++;
    const rest = new Int32Array(m);
    for (let i = 0, k = 0; i < rows.length; i++) if (fold[i] !== f) rest[k++] = rows[i];
    const enc = fitTargetEncoding(codes, size, labels, rest, p.smoothing);
    for (let i = 0; i < rows.length; i++) {
      if (fold[i] !== f) continue;
      const c = codes[rows[i]];
      out[i] = c < 0 ? enc.rates[size] : enc.rates[c];
    }
  }
  return out;
}

/** Fold of each of n rows: a seeded shuffle dealt round-robin, so folds differ in size by at most one. */
export function assignFolds(n: number, folds: number, seed: number): Int8Array {
  if (!Number.isInteger(folds) || folds < 2 || folds > 100) throw new RangeError(`assignFolds: folds must be an integer in 2–100, got ${folds}`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const rnd = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const fold = new Int8Array(n);
  for (let k = 0; k < n; k++) fold[order[k]] = k % folds;
  return fold;
}
