/** Isolation forest: fit on 100k × 8 and score 1 M × 8 seeded rows (median of 3). */
import { fitIsolationForest, isolationDefaults, scoreIsolation } from '../src/detect/isolation.ts';
import { Rng } from '../src/synth/random.ts';

const rng = new Rng('bench:isolation');
const cols = (n: number) => Array.from({ length: 8 }, () => Float64Array.from({ length: n }, () => rng.normal(0, 1)));
const fitCols = cols(100_000);
const scoreCols = cols(1_000_000);
const med = (x: number[]) => [...x].sort((a, b) => a - b)[1];
const fit: number[] = [];
const score: number[] = [];
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  const model = fitIsolationForest(fitCols, isolationDefaults);
  fit.push(performance.now() - t0);
  const t1 = performance.now();
  scoreIsolation(model, scoreCols);
  score.push(performance.now() - t1);
}
console.log(`isolation forest: fit 100k × 8 median ${med(fit).toFixed(0)} ms; score 1 M × 8 median ${med(score).toFixed(0)} ms`);
