/**
 * Smoothed target encoding of a categorical column: each category's label rate shrunk towards the prior,
 * (frauds + m·prior) / (rows + m). On the training rows the encoding must be out-of-sample — a row's own label
 * never enters its encoding — or a model fitted on it learns the labels back (leakage). It is time-ordered
 * ({@link targetEncodeEarlier}): each training row is encoded from the periods before its own, as the fitted
 * model meets a later month — encoded from every training month, all of them before it ({@link fitTargetEncoding},
 * {@link applyTargetEncoding}). A null code (-1) is a category of its own.
 */

/** Settings of the target encodings. */
export interface TargetEncodingParams {
  /** Prior weight m, in rows (≥ 0, default `20`): a category seen m times is half its own rate, half the prior. */
  smoothing: number;
}

/** Defaults for {@link TargetEncodingParams}. */
export const targetEncodingDefaults: TargetEncodingParams = { smoothing: 20 };

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
 * Time-ordered encoding of the training `rows` (aligned 1:1 with them): each row is encoded by the fit on the
 * rows among `rows` of strictly earlier periods (`period` per table row: any order key, e.g. the rank of its
 * month; -1 = unknown), with those rows' prior. Rows of one period never see each other's labels, their own
 * included — as the model is used: a month is scored with encodings fitted on the months before it, never on
 * itself. Rows of the first period have nothing earlier and rows without a period no place in time: NaN (the
 * regression's missing value, filled with its fit mean), and the latter enter no one's encoding. A category the
 * earlier periods never saw gets their prior. Pure; O(rows · log rows).
 */
export function targetEncodeEarlier(codes: Int32Array, size: number, labels: Int8Array, rows: Int32Array, period: Int32Array, smoothing: number): Float64Array {
  const out = new Float64Array(rows.length).fill(NaN);
  const order = Int32Array.from({ length: rows.length }, (_, i) => i).filter((i) => period[rows[i]] >= 0);
  order.sort((a, b) => period[rows[a]] - period[rows[b]] || a - b);
  const n = new Float64Array(size + 1);
  const pos = new Float64Array(size + 1);
  let seen = 0;
  let frauds = 0;
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e < order.length && period[rows[order[e]]] === period[rows[order[s]]]) e++;
    // this period, from the earlier ones only
    if (seen > 0) {
      const prior = frauds / seen;
      for (let k = s; k < e; k++) {
        const r = rows[order[k]];
        const c = codes[r] < 0 ? size : codes[r];
        out[order[k]] = n[c] + smoothing > 0 ? (pos[c] + smoothing * prior) / (n[c] + smoothing) : prior;
      }
    }
    // then its labels join the statistics of the periods after it
    for (let k = s; k < e; k++) {
      const r = rows[order[k]];
      const c = codes[r] < 0 ? size : codes[r];
      n[c]++;
      pos[c] += labels[r];
      seen++;
      frauds += labels[r];
    }
    s = e;
  }
  return out;
}
