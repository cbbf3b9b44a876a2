import { mulberry32 } from '../table/mulberry32.ts';

/**
 * A seeded isolation forest (Liu, Ting & Zhou 2008) over Float64Array feature columns.
 *
 * Replaces ml-isolation-forest 0.1.0 behind tradewatch's own interface: that package fits every tree on
 * all rows (100k × 8 took 21.5 s here), draws from the unseeded global Math.random (so runs differ), and
 * mis-scores rows with NaN. Here each tree sees a seeded subsample of ψ rows drawn from a seeded fit
 * sample, so fitting costs the same whatever n is, the same inputs and seed give the same scores, and
 * missing values follow an explicit policy.
 */

/** Settings of {@link fitIsolationForest}. */
export interface IsolationParams {
  /** Trees in the forest (1–1000, default 100). */
  trees: number;
  /** Rows per tree, ψ (2–65536, default 256). */
  sampleSize: number;
  /** Rows of the fit sample at most, drawn with the seed (default 4096). */
  maxFitRows: number;
  /** Seed of every random draw (default 1). */
  seed: number;
  /** Missing values: `median` imputes the fit sample's per-feature median (default). */
  nanPolicy: 'median';
}

/** Defaults for {@link IsolationParams}. */
export const isolationDefaults: IsolationParams = { trees: 100, sampleSize: 256, maxFitRows: 4096, seed: 1, nanPolicy: 'median' };

/** A fitted forest: plain arrays, so it can be serialised. */
export interface IsolationModel {
  /** Per tree, nodes as parallel arrays: split feature (-1 = leaf), split value, left and right child, leaf size. */
  trees: { feature: Int32Array; split: Float64Array; left: Int32Array; right: Int32Array; size: Int32Array }[];
  /** ψ actually used (≤ the fit sample). */
  psi: number;
  /** Per-feature value standing in for NaN. */
  fill: Float64Array;
}

/** Fits a forest on feature columns (equal length; NaN = missing); throws naming the lengths of ragged columns. */
export function fitIsolationForest(columns: readonly Float64Array[], p: IsolationParams): IsolationModel {
  if (columns.length === 0) throw new Error('fitIsolationForest: no feature columns');
  const n = columns[0].length;
  const lengths = columns.map((c) => c.length);
  if (lengths.some((l) => l !== n)) throw new Error(`fitIsolationForest: columns of different lengths (${lengths.join(', ')})`);
  const rnd = mulberry32(p.seed);
  // the fit sample: a seeded partial shuffle of at most maxFitRows rows
  const m = Math.min(n, p.maxFitRows);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rnd() * (n - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  const fit = idx.subarray(0, m);
  const d = columns.length;
  const fill = new Float64Array(d);
  for (let f = 0; f < d; f++) {
    const vals = Array.from(fit, (r) => columns[f][r]).filter((v) => v === v).sort((a, b) => a - b);
    fill[f] = vals.length ? vals[Math.floor(vals.length / 2)] : 0;
  }
  const value = (f: number, r: number) => {
    const v = columns[f][r];
    return v === v ? v : fill[f];
  };
  const psi = Math.max(1, Math.min(p.sampleSize, m));
  const heightLimit = Math.ceil(Math.log2(Math.max(2, psi)));
  const trees: IsolationModel['trees'] = [];
  for (let t = 0; t < p.trees; t++) {
    const rows = new Int32Array(psi);
    for (let i = 0; i < psi; i++) rows[i] = fit[Math.floor(rnd() * m)];
    const feature: number[] = [];
    const split: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const size: number[] = [];
    const grow = (lo: number, hi: number, depth: number): number => {
      const node = feature.length;
      feature.push(-1), split.push(0), left.push(-1), right.push(-1), size.push(hi - lo);
      if (hi - lo <= 1 || depth >= heightLimit) return node;
      // a feature that varies in this node, tried in a seeded order
      const start = Math.floor(rnd() * d);
      for (let k = 0; k < d; k++) {
        const f = (start + k) % d;
        let min = Infinity;
        let max = -Infinity;
        for (let i = lo; i < hi; i++) {
          const v = value(f, rows[i]);
          if (v < min) min = v;
          if (v > max) max = v;
        }
        if (!(max > min)) continue;
        const s = min + rnd() * (max - min);
        let a = lo;
        let b = hi - 1;
        while (a <= b) {
          if (value(f, rows[a]) < s) a++;
          else {
            const tmp = rows[a];
            rows[a] = rows[b];
            rows[b] = tmp;
            b--;
          }
        }
        feature[node] = f;
        split[node] = s;
        left[node] = grow(lo, a, depth + 1);
        right[node] = grow(a, hi, depth + 1);
        return node;
      }
      return node; // every feature constant here: a leaf
    };
    grow(0, psi, 0);
    trees.push({ feature: Int32Array.from(feature), split: Float64Array.from(split), left: Int32Array.from(left), right: Int32Array.from(right), size: Int32Array.from(size) });
  }
  return { trees, psi, fill };
}

/** Scores every row, aligned 1:1 with the rows: s = 2^(−E[h]/c(ψ)) in (0, 1], higher = more isolated. */
export function scoreIsolation(model: IsolationModel, columns: readonly Float64Array[]): Float64Array {
  const n = columns.length ? columns[0].length : 0;
  const out = new Float64Array(n);
  const norm = averagePath(model.psi);
  // tree by tree over all rows: one tree's arrays stay in cache while every row walks it
  const total = new Float64Array(n);
  for (const t of model.trees) {
    const { feature, split, left, right, size } = t;
    const leafPath = Float64Array.from(size, averagePath);
    for (let r = 0; r < n; r++) {
      let node = 0;
      let depth = 0;
      while (feature[node] >= 0) {
        const f = feature[node];
        const raw = columns[f][r];
        node = (raw === raw ? raw : model.fill[f]) < split[node] ? left[node] : right[node];
        depth++;
      }
      total[r] += depth + leafPath[node];
    }
  }
  for (let r = 0; r < n; r++) out[r] = norm > 0 ? 2 ** (-(total[r] / model.trees.length) / norm) : 0.5;
  return out;
}

/** The score at quantile q (0–1), NaN ignored: thresholds come from score quantiles. */
export function scoreQuantile(scores: Float64Array, q: number): number {
  const v = Array.from(scores).filter((x) => x === x).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const pos = Math.min(v.length - 1, Math.max(0, q * (v.length - 1)));
  const lo = Math.floor(pos);
  return v[lo] + (v[Math.min(v.length - 1, lo + 1)] - v[lo]) * (pos - lo);
}

/** c(n): the average path length of an unsuccessful search in a binary search tree of n points. */
function averagePath(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n;
}
