/**
 * Categorical naive Bayes with Laplace smoothing: each field's categories are counted per class on the fit
 * rows, and a row's score is the log-odds of class 1 summed over fields, as if the fields were independent
 * given the class. A baseline beside the learned model. A null code (-1) is a category of its own. A value
 * the fit never saw is no evidence either way and adds nothing (Laplace's zero count would add
 * log(negatives / positives), making every new importer look like fraud).
 */

/** One categorical field: dictionary codes (-1 = null) and the dictionary size. */
export interface CategoricalColumn {
  codes: Int32Array;
  size: number;
}

/** A fitted model: per field, the log-likelihood ratio of each category (index `size` = null, `size + 1` = unseen, always 0). */
export interface NaiveBayesModel {
  logRatio: Float64Array[];
  /** log P(1) / P(0) of the fit rows. */
  priorLogOdds: number;
}

/** Fits on `rows` with 0/1 `labels`; `alpha` is the Laplace pseudo-count (> 0, default 1) over the categories seen on them. */
export function fitNaiveBayes(fields: readonly CategoricalColumn[], labels: Int8Array, rows: Int32Array, alpha = 1): NaiveBayesModel {
  let pos = 0;
  for (let i = 0; i < rows.length; i++) pos += labels[rows[i]];
  const neg = rows.length - pos;
  const logRatio = fields.map(({ codes, size }) => {
    const k = size + 2; // categories, null, unseen
    const c1 = new Float64Array(k);
    const c0 = new Float64Array(k);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const c = codes[r] < 0 ? size : codes[r];
      if (labels[r] === 1) c1[c]++;
      else c0[c]++;
    }
    let seen = 0;
    for (let c = 0; c < k; c++) if (c1[c] + c0[c] > 0) seen++;
    const out = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      if (c1[c] + c0[c] === 0) continue; // never seen: no evidence
      out[c] = Math.log((c1[c] + alpha) / (pos + alpha * seen)) - Math.log((c0[c] + alpha) / (neg + alpha * seen));
    }
    return out;
  });
  return { logRatio, priorLogOdds: Math.log((pos + 1) / (neg + 1)) };
}

/** Log-odds of class 1 for `rows` (aligned 1:1 with them); the fields must be given in the fit's order. */
export function scoreNaiveBayes(model: NaiveBayesModel, fields: readonly CategoricalColumn[], rows: Int32Array): Float64Array {
  if (fields.length !== model.logRatio.length) throw new Error(`scoreNaiveBayes: fitted on ${model.logRatio.length} fields, got ${fields.length}`);
  const out = new Float64Array(rows.length).fill(model.priorLogOdds);
  fields.forEach(({ codes }, f) => {
    const lr = model.logRatio[f];
    const size = lr.length - 2;
    for (let i = 0; i < rows.length; i++) {
      const c = codes[rows[i]];
      out[i] += lr[c < 0 ? size : c < size ? c : size + 1];
    }
  });
  return out;
}
