import { mulberry32 } from '../../table/mulberry32.ts';

/**
 * A seeded isolation forest (Liu, Ting & Zhou 2008) over Float64Array feature columns, replacing
 * ml-isolation-forest 0.1.0 (all rows per tree, unseeded global Math.random, NaN mis-scored): each tree sees
 * ψ rows drawn without replacement from a seeded fit sample, so fit cost does not grow with n, the same
 * inputs and seed give the same bytes, and missing values follow an explicit policy.
 */

/** Settings of {@link fitIsolationForest}. */
export interface IsolationParams {
  /** Trees in the forest, count (integer 1–1000, default `100`). */
  trees: number;
  /** Rows per tree ψ, count (integer 2–65536, default `256`); capped by the fit sample; height limit ⌈log2 ψ⌉. */
  sampleSize: number;
  /** Rows in the seeded fit sample at most, count (integer ≥ 2, default `4096`): fit cost does not grow with n. */
  maxFitRows: number;
  /** Seed of every random draw (integer, taken mod 2^32; default `1`): same inputs and seed, same score bytes. */
  seed: number;
  /**
   * Missing values (NaN), `'median'` (default) or `'drop_feature'`. `median`: the fit sample's per-feature
   * median stands in (0 if that feature is all NaN in the sample). `drop_feature`: a split on a feature the row
   * lacks does not decide for it — a fit row goes to a seeded side (odds = the sides' sizes), and a scored row
   * descends both sides weighted by the fit rows each received (its expected path over that node's rows).
   */
  nanPolicy: 'median' | 'drop_feature';
}

/** Defaults for {@link IsolationParams}. */
export const isolationDefaults: IsolationParams = { trees: 100, sampleSize: 256, maxFitRows: 4096, seed: 1, nanPolicy: 'median' };

/** The data of a fitted forest: numbers and typed arrays only, so structuredClone / v8.serialize keep it whole. */
export interface IsolationForestData {
  /** Feature columns fitted on; scoring needs the same count in the same order. */
  features: number;
  /** ψ actually used (≤ the fit sample); c(ψ) normalises the score. */
  psi: number;
  /** Height limit ⌈log2 ψ⌉ in edges: no path is longer, so scoring takes exactly this many steps. */
  height: number;
  /** The NaN policy fitted with. */
  nanPolicy: IsolationParams['nanPolicy'];
  /** Per feature: the fit sample's median, standing in for NaN under `median`. */
  fill: Float64Array;
  /** Per tree: its root node. */
  roots: Int32Array;
  /** Per node: split feature (0 at leaves, so reads stay in bounds). */
  feature: Int32Array;
  /** Per node: split value, rows below it go left; NaN at leaves (no value reaches `>=` NaN, so rows stay put). */
  split: Float64Array;
  /** Per node: left child (right = left + 1); a leaf points at itself. */
  left: Int32Array;
  /** Per node: fit rows that reached it. */
  size: Int32Array;
  /** Per leaf: depth + c(size), the path length of a row ending there (0 at inner nodes). */
  path: Float64Array;
}

/** A fitted forest: {@link IsolationForestData} plus a non-enumerable `score`, which serialisation leaves out. */
export interface IsolationModel extends IsolationForestData {
  /** Score of one row of `features` (columns), the same bytes {@link scoreIsolation} gives that row. */
  score(features: readonly Float64Array[], row: number): number;
}

/** Fits on columns (Float64Array per feature, equal length, NaN = missing) from a seeded sample of at most maxFitRows rows; throws on ragged columns or zero features. */
export function fitIsolationForest(columns: readonly Float64Array[], p: IsolationParams): IsolationModel {
  checkParams(p);
  const n = rowCount('fitIsolationForest', columns);
  const d = columns.length;
  const rnd = mulberry32(p.seed);
  const m = Math.min(n, p.maxFitRows);
  const picked = sampleRows(n, m, rnd);
  const fill = new Float64Array(d);
  // the fit sample, gathered per feature: trees never touch the full columns
  const sample = columns.map((c, f) => {
    const s = Float64Array.from(picked, (r) => c[r]);
    fill[f] = median(s);
    if (p.nanPolicy === 'median') for (let i = 0; i < m; i++) if (s[i] !== s[i]) s[i] = fill[f];
    return s;
  });
  const take = Math.min(p.sampleSize, m);
  const psi = Math.max(1, take);
  const height = psi > 1 ? Math.ceil(Math.log2(psi)) : 0;
  const feature: number[] = [];
  const split: number[] = [];
  const left: number[] = [];
  const size: number[] = [];
  const path: number[] = [];
  const alloc = (rows: number) => (feature.push(0), split.push(NaN), left.push(feature.length - 1), size.push(rows), path.push(0), feature.length - 1);
  const pool = Int32Array.from({ length: m }, (_, i) => i);
  const vary = new Int32Array(d);
  const lows = new Float64Array(d);
  const highs = new Float64Array(d);
  const grow = (node: number, lo: number, hi: number, depth: number): void => {
    if (hi - lo <= 1 || depth >= height) return void (path[node] = depth + averagePath(hi - lo));
    // choose uniformly among the features whose finite values vary here; ±Infinity lies beyond every cut
    let nVary = 0;
    for (let f = 0; f < d; f++) {
      const s = sample[f];
      let min = Infinity;
      let max = -Infinity;
      for (let i = lo; i < hi; i++) {
        const v = s[pool[i]];
        if (v - v !== 0) continue; // NaN or ±Infinity
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (max > min) (vary[nVary] = f), (lows[nVary] = min), (highs[nVary++] = max);
    }
    if (nVary === 0) return void (path[node] = depth + averagePath(hi - lo)); // identical rows: a leaf
    const k = Math.floor(rnd() * nVary);
    const f = vary[k];
    const cut = lows[k] + rnd() * (highs[k] - lows[k]);
    const a = dealRows(sample[f], pool, lo, hi, cut, rnd);
    const child = alloc(a - lo);
    alloc(hi - a);
    feature[node] = f;
    split[node] = cut;
    left[node] = child;
    grow(child, lo, a, depth + 1);
    grow(child + 1, a, hi, depth + 1);
  };
  const roots = new Int32Array(p.trees);
  for (let t = 0; t < p.trees; t++) {
    // ψ rows without replacement: a partial Fisher–Yates over the pool (any starting order is fine)
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(rnd() * (m - i));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    roots[t] = alloc(take);
    grow(roots[t], 0, take, 0);
  }
  const data: IsolationForestData = {
    features: d, psi, height, nanPolicy: p.nanPolicy, fill, roots,
    feature: Int32Array.from(feature), split: Float64Array.from(split), left: Int32Array.from(left),
    size: Int32Array.from(size), path: Float64Array.from(path),
  };
  return Object.defineProperty(data, 'score', {
    enumerable: false,
    value: (cols: readonly Float64Array[], row: number) => {
      rowCount('IsolationModel.score', cols, d);
      if (!Number.isInteger(row) || row < 0 || row >= cols[0].length) throw new RangeError(`IsolationModel.score: row ${row} outside 0..${cols[0].length - 1}`);
      return toScore(rowTotal(data, cols, row), data);
    },
  }) as IsolationModel;
}

/** Scores every row: a Float64Array aligned 1:1 with the rows, in (0, 1], higher = more isolated (about 0.5 = typical). */
export function scoreIsolation(model: IsolationForestData, columns: readonly Float64Array[]): Float64Array {
  const n = rowCount('scoreIsolation', columns, model.features);
  const d = model.features;
  const { roots, feature, split, left, path, height, fill } = model;
  const total = new Float64Array(n);
  const lacking: number[] = [];
  const dropping = model.nanPolicy === 'drop_feature';
  // rows in blocks copied row-major (NaN resolved once per value), walked by every tree while they sit in cache
  const B = 1024;
  const block = new Float64Array(B * d);
  const short = new Uint8Array(B);
  for (let start = 0; start < n; start += B) {
    const len = Math.min(B, n - start);
    for (let f = 0; f < d; f++) {
      const c = columns[f];
      for (let i = 0; i < len; i++) {
        let v = c[start + i];
        if (v !== v) {
          if (dropping) short[i] = 1;
          else v = fill[f];
        }
        block[i * d + f] = v;
      }
    }
    // rows lacking a value are walked again below, through both sides of the splits that need it
    for (let i = 0; i < len; i++) if (short[i]) (lacking.push(start + i), (short[i] = 0));
    for (let t = 0; t < roots.length; t++) {
      const root = roots[t];
      let i = 0;
      // four rows at a time: independent walks the CPU can overlap; a fixed step count, leaves loop on themselves
      for (; i + 4 <= len; i += 4) {
        const o = i * d;
        let a = root;
        let b = root;
        let c = root;
        let e = root;
        for (let k = 0; k < height; k++) {
          a = left[a] + +(block[o + feature[a]] >= split[a]);
          b = left[b] + +(block[o + d + feature[b]] >= split[b]);
          c = left[c] + +(block[o + 2 * d + feature[c]] >= split[c]);
          e = left[e] + +(block[o + 3 * d + feature[e]] >= split[e]);
        }
        total[start + i] += path[a];
        total[start + i + 1] += path[b];
        total[start + i + 2] += path[c];
        total[start + i + 3] += path[e];
      }
      for (; i < len; i++) {
        const o = i * d;
        let a = root;
        for (let k = 0; k < height; k++) a = left[a] + +(block[o + feature[a]] >= split[a]);
        total[start + i] += path[a];
      }
    }
  }
  for (const r of lacking) total[r] = rowTotal(model, columns, r);
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) out[r] = toScore(total[r], model);
  return out;
}

/** The score at quantile q (0–1, linear between order statistics) of a score array, NaN ignored; NaN when no score is left. */
export function scoreQuantile(scores: Float64Array, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`scoreQuantile: q must be within 0–1, got ${q}`);
  const v = sortedNonNaN(scores);
  if (v.length === 0) return NaN;
  const pos = q * (v.length - 1);
  const lo = Math.floor(pos);
  return lo + 1 < v.length ? v[lo] + (v[lo + 1] - v[lo]) * (pos - lo) : v[lo];
}

/** Throws on parameters the forest cannot use. */
function checkParams(p: IsolationParams): void {
  for (const [k, min] of [['trees', 1], ['sampleSize', 2], ['maxFitRows', 2]] as const) {
    if (!Number.isInteger(p[k]) || p[k] < min) throw new RangeError(`fitIsolationForest: ${k} must be an integer ≥ ${min}, got ${p[k]}`);
  }
  if (!Number.isFinite(p.seed)) throw new RangeError(`fitIsolationForest: seed must be a finite number, got ${p.seed}`);
  if (p.nanPolicy !== 'median' && p.nanPolicy !== 'drop_feature') throw new RangeError(`fitIsolationForest: nanPolicy must be 'median' or 'drop_feature', got '${p.nanPolicy}'`);
}

/** Row count of equal-length columns; throws naming every length when they differ, or on zero (or the wrong number of) features. */
function rowCount(who: string, columns: readonly Float64Array[], features?: number): number {
  if (columns.length === 0) throw new Error(`${who}: no feature columns`);
  if (features !== undefined && columns.length !== features) throw new Error(`${who}: the forest was fitted on ${features} feature columns, got ${columns.length}`);
  const lengths = columns.map((c) => c.length);
  if (lengths.some((l) => l !== lengths[0])) throw new Error(`${who}: columns of different lengths (${lengths.join(', ')})`);
  return lengths[0];
}

/** m distinct row indices of 0..n−1, seeded: a partial Fisher–Yates that remembers only the swapped slots (O(m), not O(n)). */
function sampleRows(n: number, m: number, rnd: () => number): Int32Array {
  const out = new Int32Array(m);
  const moved = new Map<number, number>();
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rnd() * (n - i));
    out[i] = moved.get(j) ?? j;
    moved.set(j, moved.get(i) ?? i);
  }
  return out;
}

/**
 * Partitions rows[lo, hi) on `values < cut` and returns where the right side starts. Rows missing the value
 * (only under `drop_feature`) go to a seeded side with odds set by the rows that have it; no draw is made
 * when none is missing, so a NaN-free sample grows the same forest under either policy.
 */
function dealRows(values: Float64Array, rows: Int32Array, lo: number, hi: number, cut: number, rnd: () => number): number {
  const swap = (x: number, y: number) => ([rows[x], rows[y]] = [rows[y], rows[x]]);
  let a = lo;
  for (let i = lo; i < hi; i++) if (values[rows[i]] < cut) swap(i, a++);
  let c = a;
  for (let i = a; i < hi; i++) if (values[rows[i]] >= cut) swap(i, c++);
  const pLeft = (a - lo) / (c - lo);
  for (let j = c; j < hi; j++) if (rnd() < pLeft) swap(j, a++);
  return a;
}

/** Sum over trees of one row's path length, reading the columns directly (NaN per the forest's policy). */
function rowTotal(model: IsolationForestData, columns: readonly Float64Array[], row: number): number {
  const { feature, split, left, size, path, fill } = model;
  const dropping = model.nanPolicy === 'drop_feature';
  const walk = (node: number): number => {
    while (left[node] !== node) {
      let v = columns[feature[node]][row];
      if (v !== v) {
        if (!dropping) v = fill[feature[node]];
        else {
          // the split cannot decide: the expected path over the fit rows that reached this node
          const l = left[node];
          return (size[l] * walk(l) + size[l + 1] * walk(l + 1)) / (size[l] + size[l + 1]);
        }
      }
      node = left[node] + +(v >= split[node]);
    }
    return path[node];
  };
  let total = 0;
  for (let t = 0; t < model.roots.length; t++) total += walk(model.roots[t]);
  return total;
}

/** s = 2^(−E[h]/c(ψ)) from the path lengths summed over trees; 0.5 when ψ ≤ 1 leaves nothing to compare. */
function toScore(total: number, model: IsolationForestData): number {
  const norm = averagePath(model.psi);
  return norm > 0 ? 2 ** (-(total / model.roots.length) / norm) : 0.5;
}

/** c(n): the average path length of an unsuccessful search in a binary search tree of n points. */
function averagePath(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649015329) - (2 * (n - 1)) / n;
}

/** Median of the non-NaN values (mean of the middle two when even); 0 when there are none. */
function median(values: Float64Array): number {
  const v = sortedNonNaN(values);
  if (v.length === 0) return 0;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** The non-NaN values, sorted ascending, in a new array (the input is left as it is). */
function sortedNonNaN(values: Float64Array): Float64Array {
  const v = new Float64Array(values.length);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) v[k++] = values[i];
  return v.subarray(0, k).sort();
}
