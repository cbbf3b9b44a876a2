import type { Table } from 'apache-arrow';
import { mulberry32 } from '../table/mulberry32.ts';
import { readCodes, readFloats } from '../table/read.ts';
import { declarationNumericFeatures, type DeclarationNumericFeature } from '../detect/declarations/declaration-features.ts';
import { declarationModelDefaults, fitDeclarationModel, readLabels, scoreDeclarationModel, type DeclarationModelParams } from '../detect/declarations/declaration-model.ts';
import { rankBlend } from '../detect/declarations/declaration-score.ts';
import { fitIsolationForest, isolationDefaults, scoreIsolation, type IsolationParams } from '../detect/ml/isolation.ts';
import { fitNaiveBayes, scoreNaiveBayes, type CategoricalColumn } from '../detect/ml/naive-bayes.ts';
import { bootstrapDefaults, bootstrapRanking, rankingAtK, type BootstrapParams, type RankingInterval } from './ranking-metrics.ts';
import { applyTargetEncoding, fitTargetEncoding } from '../detect/declarations/target-encoding.ts';

/**
 * The labelled-declaration evaluation protocol (the Korea Customs one): fit on the training months, choose the
 * model's smoothing and L2 and its weight against the isolation score on the validation months, score the test
 * months once, and report precision, recall and revenue at the top k% with bootstrap intervals, beside
 * baselines (random, the smoothed HS6 fraud rate, naive Bayes over the categorical fields) and the
 * unsupervised scores (the isolation forest, the unit value's distance from its HS6 median).
 */

/** Settings of {@link evaluateDeclarationScreening}. */
export interface DeclarationEvaluationParams {
  /** Last training month, `YYYY-MM` (default `2020-12`): training = periods up to it. */
  trainUntil: string;
  /** Last validation month (default `2021-03`): validation = after `trainUntil` up to it. */
  validUntil: string;
  /** Last test month (default `2021-06`): test = after `validUntil` up to it. */
  testUntil: string;
  /** Inspection shares reported (each in (0, 1]; default 1%, 5%, 10%). */
  ks: number[];
  /** The share whose precision chooses on the validation months (default `0.05`). */
  chooseAtK: number;
  /** Candidates tried on the validation months. */
  grid: {
    /** Target-encoding smoothing m, rows (default 1, 2, 5, 10, 20); also the tuned HS6 baseline's. */
    smoothing: number[];
    /** Logistic L2 penalty (default 0.001, 0.1). */
    l2: number[];
    /** Weight of the model's rank against the isolation score's rank (0–1; default 0, 0.25, 0.5, 0.75, 0.9, 1). */
    modelWeight: number[];
  };
  /** The learned model's other settings (categorical columns, numeric features, Newton steps). */
  model: DeclarationModelParams;
  /** The isolation forest of the unsupervised score. */
  isolation: IsolationParams;
  /** Its features (default the model's numeric ones). */
  isolationFeatures: DeclarationNumericFeature[];
  /** Smoothing m of the plain HS6-rate baseline (default `20`). */
  hs6Smoothing: number;
  /** Laplace pseudo-count of the naive Bayes baseline (default `1`); its fields are the model's categorical columns that the table has, with two or more categories in the training months. */
  naiveBayesAlpha: number;
  /** Bootstrap of the intervals (default 1000 resamples, seed 1, 95%). */
  bootstrap: BootstrapParams;
  /** Seed of the random baseline's scores (default `1`). */
  randomSeed: number;
}

/** Defaults for {@link DeclarationEvaluationParams}: the Korea Customs protocol (2020 train, 2021-01…03 valid, 2021-04…06 test). */
export const declarationEvaluationDefaults: DeclarationEvaluationParams = {
  trainUntil: '2020-12',
  validUntil: '2021-03',
  testUntil: '2021-06',
  ks: [0.01, 0.05, 0.1],
  chooseAtK: 0.05,
  grid: { smoothing: [1, 2, 5, 10, 20], l2: [0.001, 0.1], modelWeight: [0, 0.25, 0.5, 0.75, 0.9, 1] },
  model: declarationModelDefaults,
  isolation: isolationDefaults,
  isolationFeatures: ['log_value_usd', 'log_net_mass_kg', 'log_unit_value', 'tax_rate_pct'],
  hs6Smoothing: 20,
  naiveBayesAlpha: 1,
  bootstrap: bootstrapDefaults,
  randomSeed: 1,
};

/** One scored method on the test months. */
export interface MethodFigures {
  /** `random`, `hs6_rate`, `hs6_rate_tuned`, `naive_bayes`, `unit_value_deviation`, `isolation`, `model`, `combined`. */
  method: string;
  /** What it is, for a report. */
  what: string;
  /** Per inspection share, in `ks` order. */
  results: RankingInterval[];
}

/** The evaluation's figures and choices. */
export interface DeclarationEvaluation {
  rows: { train: number; valid: number; test: number };
  /** Share of frauds among the labelled rows of each split. */
  baseRate: { train: number; valid: number; test: number };
  /** What the validation months chose, and the validation precision at `chooseAtK` it gave. */
  chosen: { smoothing: number; l2: number; modelWeight: number; hs6Smoothing: number; validPrecision: number };
  /** Every (smoothing, l2) tried, with its validation precision at `chooseAtK`. */
  grid: { smoothing: number; l2: number; validPrecision: number }[];
  methods: MethodFigures[];
}

/**
 * Runs the protocol on a labelled declaration table (rows with a null label or outside the three splits are
 * left out). Revenue is `value × tax_rate_pct / 100` (the duty at stake, in the declared currency), counted
 * on frauds only; 0 where either is missing (revenue figures are NaN when no fraud carries any). The test
 * months are scored once, after every choice is made. Pure and seeded.
 */
export function evaluateDeclarationScreening(table: Table, p: DeclarationEvaluationParams): DeclarationEvaluation {
  const labels = readLabels(table);
  const period = readCodes(table, 'period', 'evaluateDeclarationScreening');
  const inSplit = (lo: string | null, hi: string) =>
    selectRows(table.numRows, (i) => {
      const c = period.codes[i];
      if (c < 0 || labels[i] < 0) return false;
      const v = period.values[c];
      return (lo === null || v > lo) && v <= hi;
    });
  const train = inSplit(null, p.trainUntil);
  const valid = inSplit(p.trainUntil, p.validUntil);
  const test = inSplit(p.validUntil, p.testUntil);
  for (const [name, rows] of [['training', train], ['validation', valid], ['test', test]] as const) {
    if (rows.length === 0) throw new Error(`evaluateDeclarationScreening: no labelled rows in the ${name} months`);
  }
  const yValid = take8(labels, valid);
  const yTest = take8(labels, test);
  const optional = (name: string) => (table.getChild(name) ? readFloats(table, name) : new Float64Array(table.numRows).fill(NaN));
  const value = optional('value');
  const tax = optional('tax_rate_pct');
  const revenue = Float64Array.from(value, (v, i) => (v === v && tax[i] === tax[i] ? (v * tax[i]) / 100 : 0));
  const revValid = take(revenue, valid);
  const revTest = take(revenue, test);
  const precisionOnValid = (scores: Float64Array) => rankingAtK(scores, yValid, revValid, [p.chooseAtK])[0].precision;

  // the learned model: smoothing × L2 on the validation months
  const grid: DeclarationEvaluation['grid'] = [];
  let best = { smoothing: p.grid.smoothing[0], l2: p.grid.l2[0], validPrecision: -1 };
  for (const smoothing of p.grid.smoothing) {
    for (const l2 of p.grid.l2) {
      const params = withChoice(p.model, smoothing, l2);
      const model = fitDeclarationModel(table, train, params);
      const validPrecision = precisionOnValid(scoreDeclarationModel(model, table, valid));
      grid.push({ smoothing, l2, validPrecision });
      if (validPrecision > best.validPrecision) best = { smoothing, l2, validPrecision };
    }
  }
  const model = fitDeclarationModel(table, train, withChoice(p.model, best.smoothing, best.l2));
  // the unsupervised score: a forest fitted on the training months' numbers (labels unused)
  const isoCols = declarationNumericFeatures(table, p.isolationFeatures);
  const forest = fitIsolationForest(isoCols.map((c) => take(c, train)), p.isolation);
  const isoScore = (rows: Int32Array) => scoreIsolation(forest, isoCols.map((c) => take(c, rows)));
  // the combination weight on the validation months
  const modelValid = scoreDeclarationModel(model, table, valid);
  const isoValid = isoScore(valid);
  let modelWeight = p.grid.modelWeight[0];
  let bestCombined = -1;
  for (const w of p.grid.modelWeight) {
    const s = precisionOnValid(rankBlend(modelValid, isoValid, w));
    if (s > bestCombined) (bestCombined = s), (modelWeight = w);
  }
  // the HS6-rate baseline, plain and with its smoothing chosen on the validation months
  const hs6 = readCodes(table, 'hs6', 'evaluateDeclarationScreening');
  const hs6Rate = (m: number, rows: Int32Array) =>
    applyTargetEncoding(fitTargetEncoding(hs6.codes, hs6.values.length, labels, train, m), hs6.codes, hs6.values.length, rows);
  let hs6Smoothing = p.grid.smoothing[0];
  let bestHs6 = -1;
  for (const m of p.grid.smoothing) {
    const s = precisionOnValid(hs6Rate(m, valid));
    if (s > bestHs6) (bestHs6 = s), (hs6Smoothing = m);
  }
  const nbFields: CategoricalColumn[] = [];
  for (const c of p.model.categorical) {
    if (!table.getChild(c)) continue;
    const x = readCodes(table, c);
    if (new Set(Array.from(train, (r) => x.codes[r])).size > 1) nbFields.push({ codes: x.codes, size: x.values.length }); // one category says nothing
  }

  // the test months, scored once
  const rnd = mulberry32(p.randomSeed);
  const modelTest = scoreDeclarationModel(model, table, test);
  const isoTest = isoScore(test);
  const scored: [string, string, Float64Array][] = [
    ['random', `uniform random scores (seed ${p.randomSeed})`, Float64Array.from(test, () => rnd())],
    ['hs6_rate', `smoothed HS6 fraud rate of the training months (m = ${p.hs6Smoothing})`, hs6Rate(p.hs6Smoothing, test)],
    ['hs6_rate_tuned', `smoothed HS6 fraud rate, m = ${hs6Smoothing} chosen on the validation months`, hs6Rate(hs6Smoothing, test)],
    [
      'naive_bayes',
      `naive Bayes over ${nbFields.length} categorical fields (Laplace ${p.naiveBayesAlpha})`,
      scoreNaiveBayes(fitNaiveBayes(nbFields, labels, train, p.naiveBayesAlpha), nbFields, test),
    ],
    ['unit_value_deviation', '|log unit value − its HS6 median in the training months| (no labels)', unitValueDeviation(table, hs6.codes, train, test)],
    ['isolation', `isolation forest on ${p.isolationFeatures.join(', ')} (no labels)`, isoTest],
    ['model', `logistic regression on time-ordered target encodings + numbers (m = ${best.smoothing}, l2 = ${best.l2})`, modelTest],
    ['combined', `${modelWeight} × model rank + ${round(1 - modelWeight)} × isolation rank`, rankBlend(modelTest, isoTest, modelWeight)],
  ];
  const methods = scored.map(([method, what, scores]) => ({ method, what, results: bootstrapRanking(scores, yTest, revTest, p.ks, p.bootstrap) }));
  return {
    rows: { train: train.length, valid: valid.length, test: test.length },
    baseRate: { train: meanOf(take8(labels, train)), valid: meanOf(yValid), test: meanOf(yTest) },
    chosen: { smoothing: best.smoothing, l2: best.l2, modelWeight, hs6Smoothing, validPrecision: best.validPrecision },
    grid,
    methods,
  };
}

function withChoice(p: DeclarationModelParams, smoothing: number, l2: number): DeclarationModelParams {
  return { ...p, encoding: { ...p.encoding, smoothing }, logistic: { ...p.logistic, l2 } };
}

/** |ln(unit value) − median ln(unit value) of the row's HS6 on the fit rows| (the global median for an unseen HS6); NaN when no unit value. */
function unitValueDeviation(table: Table, hs6: Int32Array, fit: Int32Array, rows: Int32Array): Float64Array {
  const [luv] = declarationNumericFeatures(table, ['log_unit_value']);
  const byCode = new Map<number, number[]>();
  const all: number[] = [];
  for (const r of fit) {
    const v = luv[r];
    if (v !== v) continue;
    all.push(v);
    let list = byCode.get(hs6[r]);
    if (!list) byCode.set(hs6[r], (list = []));
    list.push(v);
  }
  const global = medianOf(all);
  const median = new Map([...byCode].map(([c, v]) => [c, medianOf(v)]));
  return Float64Array.from(rows, (r) => Math.abs(luv[r] - (median.get(hs6[r]) ?? global)));
}

function selectRows(n: number, keep: (i: number) => boolean): Int32Array {
  let m = 0;
  for (let i = 0; i < n; i++) if (keep(i)) m++;
  const out = new Int32Array(m);
  for (let i = 0, k = 0; i < n; i++) if (keep(i)) out[k++] = i;
  return out;
}

function take(src: Float64Array, rows: Int32Array): Float64Array {
  return Float64Array.from(rows, (r) => src[r]);
}

function take8(src: Int8Array, rows: Int32Array): Int8Array {
  return Int8Array.from(rows, (r) => src[r]);
}

function meanOf(v: Int8Array): number {
  let s = 0;
  for (const x of v) s += x;
  return v.length ? s / v.length : NaN;
}

function medianOf(v: number[]): number {
  if (v.length === 0) return NaN;
  const s = Float64Array.from(v).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
