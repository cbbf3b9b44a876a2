import { mulberry32 } from '../table/mulberry32.ts';

/**
 * What inspecting the top k% of a ranking finds (the customs-fraud literature's metrics): precision@k (frauds
 * among the inspected), recall@k (share of all frauds found) and revenue@k (share of the frauds' revenue —
 * e.g. the duty at stake — that the inspected frauds carry). Ties are split evenly: a tied group that straddles
 * the cut counts with the fraction of it that fits, the expected value under a random order within the tie,
 * so a score with many ties (a per-HS6 rate) is neither flattered nor punished by row order.
 */

/** The metrics at one inspection share. */
export interface RankingAtK {
  /** Inspection share (0–1]. */
  k: number;
  /** Rows inspected: max(1, round(k·n)). */
  inspected: number;
  precision: number;
  recall: number;
  /** Share of the frauds' revenue found (NaN when the frauds carry none). */
  revenue: number;
}

/** A point estimate with a bootstrap percentile interval. */
export interface Interval {
  estimate: number;
  lo: number;
  hi: number;
}

/** {@link RankingAtK} with a bootstrap interval for each metric. */
export interface RankingInterval {
  k: number;
  inspected: number;
  precision: Interval;
  recall: Interval;
  revenue: Interval;
}

/** Settings of {@link bootstrapRanking}. */
export interface BootstrapParams {
  /** Bootstrap resamples of the rows (integer ≥ 10, default `1000`). */
  replicates: number;
  /** Seed of the resampling (integer; default `1`). */
  seed: number;
  /** Two-sided coverage of the interval (0–1, default `0.95`). */
  level: number;
}

/** Defaults for {@link BootstrapParams}. */
export const bootstrapDefaults: BootstrapParams = { replicates: 1000, seed: 1, level: 0.95 };

/**
 * Precision, recall and revenue share at each inspection share in `ks`, ranking rows by `scores` (higher first;
 * NaN last). `labels` are 0/1; `revenue` (≥ 0, NaN = 0) counts only where the label is 1. Pure.
 */
export function rankingAtK(scores: Float64Array, labels: Int8Array, revenue: Float64Array, ks: readonly number[]): RankingAtK[] {
  const r = new Ranked(scores, labels, revenue);
  const w = new Float64Array(scores.length).fill(1);
  const out = r.measure(w, ks);
  return ks.map((k, i) => ({ k, inspected: r.inspected(k, scores.length), precision: out[i * 3], recall: out[i * 3 + 1], revenue: out[i * 3 + 2] }));
}

/**
 * {@link rankingAtK} with percentile bootstrap intervals: the rows are resampled with replacement
 * `replicates` times (seeded), the scores kept fixed, and each metric recomputed on each resample.
 */
export function bootstrapRanking(
  scores: Float64Array,
  labels: Int8Array,
  revenue: Float64Array,
  ks: readonly number[],
  p: BootstrapParams,
): RankingInterval[] {
  if (!Number.isInteger(p.replicates) || p.replicates < 10) throw new RangeError(`bootstrapRanking: replicates must be an integer ≥ 10, got ${p.replicates}`);
  if (!(p.level > 0 && p.level < 1)) throw new RangeError(`bootstrapRanking: level must be within (0, 1), got ${p.level}`);
  const n = scores.length;
  const r = new Ranked(scores, labels, revenue);
  const point = r.measure(new Float64Array(n).fill(1), ks);
  const draws = ks.map(() => [new Float64Array(p.replicates), new Float64Array(p.replicates), new Float64Array(p.replicates)]);
  const rnd = mulberry32(p.seed);
  const w = new Float64Array(n);
  for (let b = 0; b < p.replicates; b++) {
    w.fill(0);
    for (let i = 0; i < n; i++) w[Math.floor(rnd() * n)]++;
    const m = r.measure(w, ks);
    for (let i = 0; i < ks.length; i++) for (let j = 0; j < 3; j++) draws[i][j][b] = m[i * 3 + j];
  }
  const a = (1 - p.level) / 2;
  const interval = (est: number, d: Float64Array): Interval => ({ estimate: est, lo: quantileOf(d, a), hi: quantileOf(d, 1 - a) });
  return ks.map((k, i) => ({
    k,
    inspected: r.inspected(k, n),
    precision: interval(point[i * 3], draws[i][0]),
    recall: interval(point[i * 3 + 1], draws[i][1]),
    revenue: interval(point[i * 3 + 2], draws[i][2]),
  }));
}

/** Rows sorted once by score, in tie groups; measures any row weighting (a bootstrap's multiplicities). */
class Ranked {
  private readonly order: Int32Array;
  /** Start of each tie group in `order`, plus the end. */
  private readonly groups: Int32Array;

  constructor(
    scores: Float64Array,
    private readonly labels: Int8Array,
    private readonly revenue: Float64Array,
  ) {
    const n = scores.length;
    if (labels.length !== n || revenue.length !== n) throw new Error(`rankingAtK: ${n} scores, ${labels.length} labels, ${revenue.length} revenues`);
    const key = Float64Array.from(scores, (s) => (s === s ? s : -Infinity));
    this.order = Int32Array.from({ length: n }, (_, i) => i).sort((x, y) => key[y] - key[x] || x - y);
    const starts: number[] = [];
    for (let i = 0; i < n; i++) if (i === 0 || key[this.order[i]] !== key[this.order[i - 1]]) starts.push(i);
    starts.push(n);
    this.groups = Int32Array.from(starts);
  }

  inspected(k: number, n: number): number {
    if (!(k > 0 && k <= 1)) throw new RangeError(`rankingAtK: k must be within (0, 1], got ${k}`);
    return Math.max(1, Math.round(k * n));
  }

  /** precision, recall, revenue share per k (3 numbers each) for row weights `w`. */
  measure(w: Float64Array, ks: readonly number[]): Float64Array {
    const { order, groups, labels, revenue } = this;
    let total = 0;
    let frauds = 0;
    let fraudRevenue = 0;
    for (let i = 0; i < w.length; i++) {
      if (w[i] === 0) continue;
      total += w[i];
      if (labels[i] === 1) {
        frauds += w[i];
        const v = revenue[i];
        if (v === v) fraudRevenue += w[i] * v;
      }
    }
    const out = new Float64Array(ks.length * 3);
    ks.forEach((k, ki) => {
      const m = this.inspected(k, total);
      let taken = 0;
      let tp = 0;
      let rev = 0;
      for (let g = 0; g + 1 < groups.length && taken < m; g++) {
        let gw = 0;
        let gp = 0;
        let gr = 0;
        for (let q = groups[g]; q < groups[g + 1]; q++) {
          const i = order[q];
          const wi = w[i];
          if (wi === 0) continue;
          gw += wi;
          if (labels[i] === 1) {
            gp += wi;
            const v = revenue[i];
            if (v === v) gr += wi * v;
          }
        }
        if (gw === 0) continue;
        const share = Math.min(1, (m - taken) / gw);
        taken += gw * share;
        tp += gp * share;
        rev += gr * share;
      }
      out[ki * 3] = tp / m;
      out[ki * 3 + 1] = frauds > 0 ? tp / frauds : NaN;
      out[ki * 3 + 2] = fraudRevenue > 0 ? rev / fraudRevenue : NaN;
    });
    return out;
  }
}

/** Quantile q of the values (linear between order statistics), NaN ignored; NaN when none is left. */
function quantileOf(values: Float64Array, q: number): number {
  const v = Float64Array.from(values.filter((x) => x === x)).sort();
  if (v.length === 0) return NaN;
  const pos = q * (v.length - 1);
  const lo = Math.floor(pos);
  return lo + 1 < v.length ? v[lo] + (v[lo + 1] - v[lo]) * (pos - lo) : v[lo];
}
