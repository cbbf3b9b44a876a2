import { Table, type Vector } from 'apache-arrow';
import { float64Vector, int32Vector } from '../../table/columns.ts';
import { readCodes, readFloats } from '../../table/read.ts';
import { takeTable } from '../../table/take-table.ts';
import { flagIds } from '../../flags/flag-id.ts';
import { fitIsolationForest, isolationDefaults, scoreIsolation, type IsolationParams } from '../ml/isolation.ts';

/** How {@link scoreDeclarations} combines the scores, and what counts as flagged; config `declarations.score`. */
export interface DeclarationScoreParams {
  /**
   * Without a learned model: weights of the rules score and the isolation score in `score`, their weighted mean
   * (each ≥ 0; default 0.6, 0.2: 3/4 rules, 1/4 isolation — what the synthetic backtests judge).
   */
  weights: { rules: number; isolation: number };
  /**
   * With a learned model: weight of the model's percentile rank against the isolation score's in `score`
   * ({@link rankBlend}, 0–1) — the blend `evaluateDeclarationScreening` evaluates as `combined`, through the same
   * function. Default `1`: what the Korea Customs validation months chose (every blend with the isolation score
   * was worse there); set it to the evaluation's `chosen.modelWeight` on your own labelled data.
   */
  modelWeight: number;
  /** Flagged without a model: a rule fired, or `score` at or above this (0–1, default `0.6`). */
  flagThreshold: number;
  /**
   * Flagged with a model (`score` is then a percentile rank among the declarations screened): a rule fired, or
   * `score ≥ 1 − flagTopShare`, about the top this share (0–1, default `0.05`, the share the evaluation chooses at).
   */
  flagTopShare: number;
  /** Isolation forest over the numeric features (seeded). */
  isolation: IsolationParams;
}

/** Defaults for {@link DeclarationScoreParams}. */
export const declarationScoreDefaults: DeclarationScoreParams = {
  weights: { rules: 0.6, isolation: 0.2 },
  modelWeight: 1,
  flagThreshold: 0.6,
  flagTopShare: 0.05,
  isolation: isolationDefaults,
};

/** Numeric features the isolation forest sees: price, size and consistency of each declaration. */
const ISOLATION_FEATURES = ['unit_value_robust_z', 'log_value_usd', 'log_net_mass_kg', 'log_mass_quantity_ratio', 'split_lots_in_window'] as const;

/**
 * Puts the declarations, their rule results (rows 1:1), an isolation-forest score over their numeric
 * features and, when given, a learned model's score together. `score`: with a model, the evaluated blend
 * {@link rankBlend} of the model's and the isolation score's percentile ranks among these declarations (weight
 * `modelWeight`; the rules flag and give reasons, they do not move it); without one, the weighted mean of the
 * rules score and the isolation score. `flag_id` is a hash of the declaration id. Returns every row (`scored`)
 * and the flagged ones (a rule fired, or the score over `flagTopShare` / `flagThreshold`), most suspicious first
 * with `rank`. Pure.
 */
export function scoreDeclarations(
  decl: Table,
  screened: Table,
  p: DeclarationScoreParams,
  modelScore: Float64Array | null = null,
): { scored: Table; flagged: Table; counts: Record<string, number> } {
  const n = decl.numRows;
  if (screened.numRows !== n) throw new Error(`scoreDeclarations: ${screened.numRows} rule rows for ${n} declarations (rows must align 1:1)`);
  if (modelScore && modelScore.length !== n) throw new Error(`scoreDeclarations: ${modelScore.length} model scores for ${n} declarations`);
  const value = readFloats(decl, 'value_usd', 'scoreDeclarations');
  const mass = readFloats(decl, 'net_mass_kg', 'scoreDeclarations');
  const rules = readFloats(screened, 'rules_score', 'scoreDeclarations');
  const feature: Record<(typeof ISOLATION_FEATURES)[number], Float64Array> = {
    unit_value_robust_z: readFloats(screened, 'unit_value_robust_z', 'scoreDeclarations'),
    log_value_usd: Float64Array.from(value, (v) => (v > 0 ? Math.log(v) : NaN)),
    log_net_mass_kg: Float64Array.from(mass, (v) => (v > 0 ? Math.log(v) : NaN)),
    log_mass_quantity_ratio: Float64Array.from(readFloats(screened, 'mass_quantity_ratio', 'scoreDeclarations'), (v) => (v > 0 ? Math.log(v) : NaN)),
    split_lots_in_window: Float64Array.from(readFloats(screened, 'split_lots_in_window', 'scoreDeclarations'), (v) => (v === v ? v : 0)),
  };
  // a feature with no value at all says nothing: leave it out rather than impute a constant
  const cols = ISOLATION_FEATURES.map((f) => feature[f]).filter((c) => c.some((v) => v === v));
  const iso = n && cols.length ? scoreIsolation(fitIsolationForest(cols, p.isolation), cols) : new Float64Array(n).fill(NaN);

  let score: Float64Array;
  const flaggedRows: number[] = [];
  if (modelScore) {
    score = rankBlend(modelScore, iso, p.modelWeight);
    for (let i = 0; i < n; i++) if (rules[i] > 0 || score[i] >= 1 - p.flagTopShare) flaggedRows.push(i);
  } else {
    const w = p.weights;
    const total = w.rules + w.isolation;
    score = new Float64Array(n);
    for (let i = 0; i < n; i++) score[i] = total > 0 ? (w.rules * rules[i] + w.isolation * (iso[i] === iso[i] ? iso[i] : 0)) / total : 0;
    for (let i = 0; i < n; i++) if (rules[i] > 0 || score[i] >= p.flagThreshold) flaggedRows.push(i);
  }
  const ids = readCodes(decl, 'declaration_id', 'scoreDeclarations');
  const idOf = (i: number) => (ids.codes[i] >= 0 ? ids.values[ids.codes[i]] : `row ${i}`);
  // most suspicious first; ties by declaration id so the order never depends on input order
  flaggedRows.sort((a, b) => score[b] - score[a] || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : a - b));

  const all: Record<string, Vector> = {};
  for (const f of decl.schema.fields) all[f.name] = decl.getChild(f.name)!;
  for (const f of screened.schema.fields) all[f.name] = screened.getChild(f.name)!;
  all.isolation_score = float64Vector(iso);
  all.model_score = float64Vector(modelScore ?? new Float64Array(n).fill(NaN));
  all.score = float64Vector(score);
  all.flag_id = flagIds(n, flaggedRows, (i) => `declaration|${idOf(i)}`);
  const scored = new Table(all);
  const top = takeTable(scored, Int32Array.from(flaggedRows));
  const flagged = new Table({ ...Object.fromEntries(top.schema.fields.map((f) => [f.name, top.getChild(f.name)!])), rank: int32Vector(Int32Array.from(flaggedRows, (_, k) => k + 1)) });
  return { scored, flagged, counts: { flagged: flaggedRows.length, scored: n, model_scored: modelScore ? n : 0 } };
}

/**
 * The blend of a learned model's score with the isolation score: w × percentile rank of `model` + (1 − w) ×
 * that of `isolation`, ranks among the rows given (NaN ranks lowest). Rank, not raw, so that a probability and an
 * isolation score on their own scales mix by order; the one function behind both the evaluation's `combined`
 * score and the pipeline's `score`. Rows align 1:1. Pure.
 */
export function rankBlend(model: Float64Array, isolation: Float64Array, w: number): Float64Array {
  if (model.length !== isolation.length) throw new Error(`rankBlend: ${model.length} model scores, ${isolation.length} isolation scores`);
  const ra = percentileRanks(model);
  const rb = percentileRanks(isolation);
  return Float64Array.from(ra, (x, i) => w * x + (1 - w) * rb[i]);
}

/** Rank of each value among the others, 0–1 (ties share their mean rank; NaN counts as the lowest; one row: 0.5). */
export function percentileRanks(v: Float64Array): Float64Array {
  const n = v.length;
  const key = Float64Array.from(v, (x) => (x === x ? x : -Infinity));
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((x, y) => key[x] - key[y]);
  const out = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && key[order[j + 1]] === key[order[i]]) j++;
    const r = n > 1 ? (i + j) / 2 / (n - 1) : 0.5;
    for (let q = i; q <= j; q++) out[order[q]] = r;
    i = j + 1;
  }
  return out;
}
