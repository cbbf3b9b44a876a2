import { Table, type Vector } from 'apache-arrow';
import { float64Vector, int32Vector } from '../table/columns.ts';
import { readCodes, readFloats } from '../table/read.ts';
import { takeTable } from '../table/take-table.ts';
import { flagIds } from './flag-id.ts';
import { fitIsolationForest, isolationDefaults, scoreIsolation, type IsolationParams } from './isolation.ts';

/** How {@link scoreDeclarations} combines the three scores, and what counts as flagged; config `declarations.score`. */
export interface DeclarationScoreParams {
  /**
   * Weights of the rules score, the isolation score and the learned model's score (each ≥ 0; a missing model's
   * weight is left out, so without history the score is 3/4 rules, 1/4 isolation). Default 0.6, 0.2, 6: the
   * model's weight chosen on the Korea Customs validation months (precision@5% 0.676 there, 0.681 for the
   * model alone), leaving the rules a say in the ranking.
   */
  weights: { rules: number; isolation: number; model: number };
  /** Flagged: a rule fired, or the combined score at or above this (0–1, default `0.6`). */
  flagThreshold: number;
  /** Isolation forest over the numeric features (seeded). */
  isolation: IsolationParams;
}

/** Defaults for {@link DeclarationScoreParams}. */
export const declarationScoreDefaults: DeclarationScoreParams = {
  weights: { rules: 0.6, isolation: 0.2, model: 6 },
  flagThreshold: 0.6,
  isolation: isolationDefaults,
};

/** Numeric features the isolation forest sees: price, size and consistency of each declaration. */
const ISOLATION_FEATURES = ['unit_value_robust_z', 'log_value_usd', 'log_net_mass_kg', 'log_mass_quantity_ratio', 'split_lots_in_window'] as const;

/**
 * Puts the declarations, their rule results (rows 1:1), an isolation-forest score over their numeric
 * features and, when given, a learned model's score together: `score` = the weighted mean of the three
 * (weights over the parts present), `flag_id` a hash of the declaration id. Returns every row (`scored`) and
 * the flagged ones, most suspicious first with `rank`. Pure.
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

  const w = p.weights;
  const total = w.rules + w.isolation + (modelScore ? w.model : 0);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = w.rules * rules[i] + w.isolation * (iso[i] === iso[i] ? iso[i] : 0) + (modelScore ? w.model * (modelScore[i] === modelScore[i] ? modelScore[i] : 0) : 0);
    score[i] = total > 0 ? s / total : 0;
  }
  const flaggedRows: number[] = [];
  for (let i = 0; i < n; i++) if (rules[i] > 0 || score[i] >= p.flagThreshold) flaggedRows.push(i);
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
