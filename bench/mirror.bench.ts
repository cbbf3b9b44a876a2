/**
 * Mirror matching on 1 M exporter-side and 1 M importer-side annual flows (50 countries × 500 HS6 codes,
 * seeded), built straight as canonical columns. Median of 3 runs of the match and of the scoring.
 */
import { mirrorGapDefaults, scoreMirrorGaps } from '../src/detect/mirror/mirror-gaps.ts';
import { matchMirrorFlows, mirrorMatchDefaults } from '../src/detect/mirror/mirror-pairs.ts';
import { mirrorFlows } from './data.ts';

const N = 1_000_000;
const t0 = performance.now();
const flows = mirrorFlows(N);
const rows = flows.numRows;
console.log(`built ${rows.toLocaleString('en')} flows in ${(performance.now() - t0).toFixed(0)} ms`);
const times = { match: [] as number[], score: [] as number[] };
let pairs = 0;
for (let r = 0; r < 3; r++) {
  const t1 = performance.now();
  const m = matchMirrorFlows(flows, null, mirrorMatchDefaults);
  times.match.push(performance.now() - t1);
  const t2 = performance.now();
  scoreMirrorGaps(m.pairs, mirrorGapDefaults, { reviewBudget: 100 }); // as the pipeline scores (mirror.reviewBudget)
  times.score.push(performance.now() - t2);
  pairs = m.pairs.numRows;
}
const med = (x: number[]) => [...x].sort((p, q) => p - q)[1];
console.log(`mirror match: 1 M X × 1 M M → ${pairs.toLocaleString('en')} pair windows, median ${med(times.match).toFixed(0)} ms; scoring median ${med(times.score).toFixed(0)} ms; peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
