/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS) on standardised feature columns:
 * deterministic (no random start, no sampling), exact to the tolerance, and cheap for the few dozen
 * features a declaration model has (each step is O(n·d²) plus a d×d Cholesky solve).
 */

/** Settings of {@link fitLogistic}. */
export interface LogisticParams {
  /** L2 penalty on the standardised weights, per row (≥ 0, default `0.001`): the loss is mean log-loss + l2/2·‖w‖²; the intercept is not penalised. */
  l2: number;
  /** Newton steps at most (integer ≥ 1, default `50`). */
  maxIterations: number;
  /** Stop when no coefficient moves more than this (default `1e-9`). */
  tolerance: number;
}

/** Defaults for {@link LogisticParams}. */
export const logisticDefaults: LogisticParams = { l2: 0.001, maxIterations: 50, tolerance: 1e-9 };

/** A fitted model: coefficients on the original scale of each column. */
export interface LogisticModel {
  /** Weight per feature column, on the column's own scale. */
  weights: Float64Array;
  intercept: number;
  /** Per feature: the fit rows' mean, which stands in for NaN. */
  fill: Float64Array;
  /** Newton steps taken. */
  iterations: number;
}

/**
 * Fits on `rows` of the feature columns (NaN = missing: the fit rows' mean stands in) against 0/1 `labels`.
 * Throws on ragged columns or a non-positive-definite system (a constant column with l2 = 0).
 */
export function fitLogistic(columns: readonly Float64Array[], labels: Int8Array, rows: Int32Array, p: LogisticParams): LogisticModel {
  const d = columns.length;
  const n = rows.length;
  if (n === 0) throw new Error('fitLogistic: no rows to fit');
  for (const c of columns) if (c.length !== labels.length) throw new Error(`fitLogistic: a column has ${c.length} rows, the labels ${labels.length}`);
  // standardise: x' = (x − mean) / sd, NaN → 0 (the mean)
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  const x = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    const c = columns[j];
    let s = 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = c[rows[i]];
      if (v === v) (s += v), m++;
    }
    mean[j] = m ? s / m : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = c[rows[i]];
      if (v === v) ss += (v - mean[j]) ** 2;
    }
    sd[j] = m > 1 && ss > 0 ? Math.sqrt(ss / m) : 1;
    for (let i = 0; i < n; i++) {
      const v = c[rows[i]];
      x[i * d + j] = v === v ? (v - mean[j]) / sd[j] : 0;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = labels[rows[i]];
  const k = d + 1; // the intercept is coefficient d
  const beta = new Float64Array(k);
  const grad = new Float64Array(k);
  const hess = new Float64Array(k * k);
  let iterations = 0;
  for (; iterations < p.maxIterations; iterations++) {
    grad.fill(0);
    hess.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let z = beta[d];
      for (let j = 0; j < d; j++) z += beta[j] * x[o + j];
      const pr = sigmoid(z);
      const r = pr - y[i];
      const w = Math.max(pr * (1 - pr), 1e-12);
      for (let a = 0; a < d; a++) {
        const xa = x[o + a];
        grad[a] += r * xa;
        const wa = w * xa;
        for (let b = 0; b <= a; b++) hess[a * k + b] += wa * x[o + b];
        hess[d * k + a] += wa;
      }
      grad[d] += r;
      hess[d * k + d] += w;
    }
    for (let a = 0; a < k; a++) {
      grad[a] /= n;
      for (let b = 0; b <= a; b++) hess[a * k + b] /= n;
    }
    // only the lower triangle is filled: the Cholesky solve reads no other entry
    for (let j = 0; j < d; j++) {
      grad[j] += p.l2 * beta[j];
      hess[j * k + j] += p.l2;
    }
    const step = solveSymmetric(hess, grad, k);
    let moved = 0;
    for (let j = 0; j < k; j++) {
      beta[j] -= step[j];
      moved = Math.max(moved, Math.abs(step[j]));
    }
    if (moved < p.tolerance) {
      iterations++;
      break;
    }
  }
  const weights = new Float64Array(d);
  let intercept = beta[d];
  for (let j = 0; j < d; j++) {
    weights[j] = beta[j] / sd[j];
    intercept -= weights[j] * mean[j];
  }
  return { weights, intercept, fill: mean, iterations };
}

/** Probability of label 1 for `rows` of the feature columns (aligned 1:1 with `rows`; all rows when omitted). */
export function scoreLogistic(model: LogisticModel, columns: readonly Float64Array[], rows?: Int32Array): Float64Array {
  if (columns.length !== model.weights.length) throw new Error(`scoreLogistic: the model has ${model.weights.length} features, got ${columns.length} columns`);
  const n = rows ? rows.length : (columns[0]?.length ?? 0);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i] : i;
    let z = model.intercept;
    for (let j = 0; j < columns.length; j++) {
      const v = columns[j][r];
      z += model.weights[j] * (v === v ? v : model.fill[j]);
    }
    out[i] = sigmoid(z);
  }
  return out;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Solves A·x = b for a symmetric positive-definite k×k A (row-major, lower triangle read) by Cholesky; throws when A is not. */
function solveSymmetric(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j];
      for (let m = 0; m < j; m++) s -= l[i * k + m] * l[j * k + m];
      if (i === j) {
        if (!(s > 0)) throw new Error('fitLogistic: the system is not positive definite (a constant or duplicated feature with l2 = 0?)');
        l[i * k + i] = Math.sqrt(s);
      } else l[i * k + j] = s / l[j * k + j];
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i];
    for (let m = 0; m < i; m++) s -= l[i * k + m] * z[m];
    z[i] = s / l[i * k + i];
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i];
    for (let m = i + 1; m < k; m++) s -= l[m * k + i] * x[m];
    x[i] = s / l[i * k + i];
  }
  return x;
}
