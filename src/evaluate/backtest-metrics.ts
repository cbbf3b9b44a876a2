import { rankingAtK } from './ranking-metrics.ts';

/** One thing a detector judged: what it is about (`key`, unique per target), its score (NaN: not scored) and whether it was flagged. */
export interface JudgedItem {
  key: string;
  score: number;
  flagged: boolean;
}

/** What a backtest measures for one target against its truth. */
export interface BacktestMetrics {
  /** Items flagged. */
  flagged: number;
  /** True items (the truth's positives). */
  positives: number;
  tp: number;
  fp: number;
  fn: number;
  /** tp / flagged; NaN when nothing was flagged. */
  precision: number;
  /** tp / positives; NaN when there is no positive. */
  recall: number;
  /** 2·tp / (2·tp + fp + fn); NaN when nothing was flagged and nothing is true. */
  f1: number;
  /** The cut of {@link precisionAtK}: the number of true items. */
  k: number;
  /** Share of true items among the k highest scores (ties split evenly, unscored last); NaN when k is 0. */
  precisionAtK: number;
}

/** The metric names of {@link BacktestMetrics}, in the order tables and printouts give them (snake_case). */
export const BACKTEST_METRICS = ['flagged', 'positives', 'tp', 'fp', 'fn', 'precision', 'recall', 'f1', 'k', 'precision_at_k'] as const;

/**
 * Precision, recall, F1 and precision@k of judged items against the set of true keys. A true key the
 * detector never scored counts as an unscored, unflagged item (a miss that ranks last). Keys must be unique:
 * callers reduce several rows about one thing to one item (best score, flagged if any row is). Pure.
 */
export function backtestMetrics(items: readonly JudgedItem[], positives: ReadonlySet<string>): BacktestMetrics {
  const seen = new Set<string>();
  const scores: number[] = [];
  const labels: number[] = [];
  let flagged = 0;
  let tp = 0;
  for (const it of items) {
    if (seen.has(it.key)) throw new Error(`backtestMetrics: key '${it.key}' judged twice (reduce rows to one item per key)`);
    seen.add(it.key);
    const yes = positives.has(it.key);
    scores.push(it.score);
    labels.push(yes ? 1 : 0);
    if (it.flagged) {
      flagged++;
      if (yes) tp++;
    }
  }
  for (const key of positives) {
    if (seen.has(key)) continue;
    scores.push(NaN); // never scored: ranks last
    labels.push(1);
  }
  const k = positives.size;
  const fp = flagged - tp;
  const fn = k - tp;
  const atK = k > 0 ? rankingAtK(Float64Array.from(scores), Int8Array.from(labels), new Float64Array(scores.length), [k / scores.length])[0].precision : NaN;
  return {
    flagged,
    positives: k,
    tp,
    fp,
    fn,
    precision: flagged > 0 ? tp / flagged : NaN,
    recall: k > 0 ? tp / k : NaN,
    f1: 2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : NaN,
    k,
    precisionAtK: atK,
  };
}

/** {@link BacktestMetrics} as `[metric, value]` pairs named as in {@link BACKTEST_METRICS}. */
export function metricEntries(m: BacktestMetrics): [(typeof BACKTEST_METRICS)[number], number][] {
  return BACKTEST_METRICS.map((name) => [name, name === 'precision_at_k' ? m.precisionAtK : m[name]]);
}
