/** Isolation forest: fit on 100k × 8 and score 1 M × 8 seeded rows (median of 3 runs), then the cost of NaN rows under `drop_feature`. */
import { fitIsolationForest, isolationDefaults, scoreIsolation, scoreQuantile } from '../src/detect/ml/isolation.ts';
import { Rng } from '../src/synth/random.ts';

const rng = new Rng('bench:isolation');
const cols = (n: number) => Array.from({ length: 8 }, () => Float64Array.from({ length: n }, () => rng.normal(0, 1)));
const fitCols = cols(100_000);
const scoreCols = cols(1_000_000);
const median = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
const time = (f: () => unknown) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

const fit: number[] = [];
const score: number[] = [];
for (let r = 0; r < 3; r++) {
  let model = fitIsolationForest(fitCols, isolationDefaults);
  fit.push(time(() => (model = fitIsolationForest(fitCols, isolationDefaults))));
  score.push(time(() => scoreIsolation(model, scoreCols)));
}
const scores = scoreIsolation(fitIsolationForest(fitCols, isolationDefaults), scoreCols);
const quantile = time(() => scoreQuantile(scores, 0.99));
console.log(`isolation forest: fit 100k × 8 median ${median(fit).toFixed(0)} ms; score 1 M × 8 median ${median(score).toFixed(0)} ms; 0.99 quantile of 1 M scores ${quantile.toFixed(0)} ms`);

// 1% of rows missing one feature: under drop_feature those rows walk both sides of the splits on it
for (let r = 0; r < 1_000_000; r += 100) scoreCols[r % 8][r] = NaN;
for (const nanPolicy of ['median', 'drop_feature'] as const) {
  const p = { ...isolationDefaults, nanPolicy };
  const model = fitIsolationForest(fitCols, p);
  console.log(`  with 1% NaN rows, ${nanPolicy}: score 1 M × 8 ${time(() => scoreIsolation(model, scoreCols)).toFixed(0)} ms`);
}
