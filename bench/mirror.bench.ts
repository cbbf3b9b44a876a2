/**
 * Mirror matching on 1 M exporter-side and 1 M importer-side annual flows (50 countries × 500 HS6 codes,
 * seeded), built straight as canonical columns. Median of 3 runs of the match and of the scoring.
 */
import { Table } from 'apache-arrow';
import { mirrorGapDefaults, scoreMirrorGaps } from '../src/detect/mirror-gaps.ts';
import { matchMirrorFlows, mirrorMatchDefaults } from '../src/detect/mirror-pairs.ts';
import { Rng } from '../src/synth/random.ts';
import { dictionaryVector, float64Vector, int8Vector } from '../src/table/columns.ts';

const N = 1_000_000;
const rng = new Rng('bench:mirror');
const rnd = () => rng.next();
const countries = Array.from({ length: 50 }, (_, i) => `C${String(i).padStart(2, '0')}`);
const codes = Array.from({ length: 500 }, (_, i) => String(100000 + i * 1733));
const rows = 2 * N;
const rep = new Int32Array(rows), par = new Int32Array(rows), flow = new Int32Array(rows), hs = new Int32Array(rows);
const val = new Float64Array(rows), kg = new Float64Array(rows);
// unique (exporter, importer, hs6) keys per side: walk a shuffled key space so both sides overlap ~80%
for (let i = 0; i < N; i++) {
  const key = Math.floor(rnd() * 50 * 49 * 500);
  const e = key % 50, rest = Math.floor(key / 50), im0 = rest % 49, h = Math.floor(rest / 49);
  const im = im0 >= e ? im0 + 1 : im0;
  rep[i] = e; par[i] = im; flow[i] = 0; hs[i] = h; val[i] = 1000 + rnd() * 1e6; kg[i] = val[i] / (5 + rnd() * 20);
  const j = N + i;
  const key2 = rnd() < 0.8 ? key : Math.floor(rnd() * 50 * 49 * 500);
  const e2 = key2 % 50, r2 = Math.floor(key2 / 50), i2 = r2 % 49, h2 = Math.floor(r2 / 49);
  const im2 = i2 >= e2 ? i2 + 1 : i2;
  rep[j] = im2; par[j] = e2; flow[j] = 1; hs[j] = h2; val[j] = val[i] * (1.0 + rnd() * 0.2); kg[j] = kg[i];
}
const t0 = performance.now();
const flows = new Table({
  reporter: dictionaryVector(rep, countries),
  partner: dictionaryVector(par, countries),
  flow: dictionaryVector(flow, ['X', 'M']),
  hs6: dictionaryVector(hs, codes),
  period: dictionaryVector(new Int32Array(rows), ['2024']),
  source: dictionaryVector(new Int32Array(rows), ['comtrade']),
  cmd_level: int8Vector(new Int8Array(rows).fill(6)),
  hs_revision: dictionaryVector(new Int32Array(rows), ['HS2022']),
  value_usd: float64Vector(val),
  fob_usd: float64Vector(new Float64Array(rows).fill(NaN)),
  net_weight_kg: float64Vector(kg),
});
console.log(`built ${rows.toLocaleString('en')} flows in ${(performance.now() - t0).toFixed(0)} ms`);
const times = { match: [] as number[], score: [] as number[] };
let pairs = 0;
for (let r = 0; r < 3; r++) {
  const t1 = performance.now();
  const m = matchMirrorFlows(flows, null, mirrorMatchDefaults);
  times.match.push(performance.now() - t1);
  const t2 = performance.now();
  scoreMirrorGaps(m.pairs, mirrorGapDefaults);
  times.score.push(performance.now() - t2);
  pairs = m.pairs.numRows;
}
const med = (x: number[]) => [...x].sort((p, q) => p - q)[1];
console.log(`mirror match: 1 M X × 1 M M → ${pairs.toLocaleString('en')} pair windows, median ${med(times.match).toFixed(0)} ms; scoring median ${med(times.score).toFixed(0)} ms; peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
