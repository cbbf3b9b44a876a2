import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { declarationScoreDefaults, scoreDeclarations } from '../../../src/detect/declarations/declaration-score.ts';
import { dictionaryVector, float64Vector } from '../../../src/table/columns.ts';
import { rowsOf } from '../../helpers.ts';

/** Declarations (id, value, mass) and rule results (rules score, z) for n rows. */
function fixture(rules: number[]) {
  const n = rules.length;
  const decl = new Table({
    declaration_id: dictionaryVector(Int32Array.from({ length: n }, (_, i) => i), Array.from({ length: n }, (_, i) => `D${i}`)),
    value_usd: float64Vector(Float64Array.from({ length: n }, (_, i) => 1000 + i)),
    net_mass_kg: float64Vector(Float64Array.from({ length: n }, () => 10)),
  });
  const screened = new Table({
    rules_score: float64Vector(Float64Array.from(rules)),
    unit_value_robust_z: float64Vector(Float64Array.from({ length: n }, (_, i) => i / 10)),
    mass_quantity_ratio: float64Vector(new Float64Array(n).fill(NaN)),
    split_lots_in_window: float64Vector(new Float64Array(n).fill(NaN)),
  });
  return { decl, screened };
}

describe('scoreDeclarations', () => {
  it('without a model weights rules and isolation; with one the score is the rank blend of model and isolation (issue 19 item 11)', () => {
    const { decl, screened } = fixture([0, 0.5, 0.9, 0]);
    const p = { ...declarationScoreDefaults, weights: { rules: 0.6, isolation: 0 }, modelWeight: 1 };
    const without = rowsOf(scoreDeclarations(decl, screened, p).scored, ['score']).map((r) => r.score);
    expect(without).toEqual([0, 0.5, 0.9, 0].map((x) => expect.closeTo(x, 12)));
    const model = Float64Array.of(1, 0, 0.5, NaN);
    const withModel = rowsOf(scoreDeclarations(decl, screened, p, model).scored, ['score', 'model_score']);
    // the model's percentile ranks (NaN lowest); the rules do not move it
    expect(withModel.map((r) => r.score)).toEqual([1, 1 / 3, 2 / 3, 0].map((x) => expect.closeTo(x, 12)));
    expect(withModel[3].model_score).toBeNull();
  });

  it('flags a row a rule fired on, or one in the top share with a model, most suspicious first, with a flag id from the declaration id', () => {
    const { decl, screened } = fixture([0, 0.3, 0.9, 0]);
    const p = { ...declarationScoreDefaults, modelWeight: 1, flagTopShare: 0.25 };
    const { flagged, scored, counts } = scoreDeclarations(decl, screened, p, Float64Array.of(1, 0, 0, 0));
    expect(rowsOf(flagged, ['declaration_id', 'rank', 'score'])).toEqual([
      { declaration_id: 'D0', rank: 1, score: 1 },
      { declaration_id: 'D1', rank: 2, score: expect.closeTo(1 / 3, 12) },
      { declaration_id: 'D2', rank: 3, score: expect.closeTo(1 / 3, 12) },
    ]);
    expect(counts.flagged).toBe(3);
    const ids = rowsOf(scored, ['flag_id']).map((r) => r.flag_id);
    expect(ids[3]).toBeNull();
    expect(ids[0]).toBe(rowsOf(scoreDeclarations(decl, screened, p, Float64Array.of(1, 0, 0, 0)).scored, ['flag_id'])[0].flag_id);
    expect(ids[0]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives an isolation score in (0, 1] to every row, the same bytes for the same inputs', () => {
    const { decl, screened } = fixture(Array.from({ length: 50 }, () => 0));
    const a = scoreDeclarations(decl, screened, declarationScoreDefaults).scored.getChild('isolation_score')!.toArray() as Float64Array;
    const b = scoreDeclarations(decl, screened, declarationScoreDefaults).scored.getChild('isolation_score')!.toArray() as Float64Array;
    expect(a.every((x) => x > 0 && x <= 1)).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it('refuses rule rows that do not align with the declarations', () => {
    const { decl } = fixture([0, 0]);
    const { screened } = fixture([0]);
    expect(() => scoreDeclarations(decl, screened, declarationScoreDefaults)).toThrow('scoreDeclarations: 1 rule rows for 2 declarations (rows must align 1:1)');
  });
});
