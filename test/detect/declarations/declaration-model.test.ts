import { Float64, Int8, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { declarationEvaluationDefaults, evaluateDeclarationScreening } from '../../../src/evaluate/declaration-evaluation.ts';
import { declarationNumericFeatures } from '../../../src/detect/declarations/declaration-features.ts';
import { declarationModelDefaults, fitDeclarationModel, scoreDeclarationModel } from '../../../src/detect/declarations/declaration-model.ts';
import { fitLogistic, logisticDefaults, scoreLogistic } from '../../../src/detect/ml/logistic-regression.ts';
import { fitNaiveBayes, scoreNaiveBayes } from '../../../src/detect/ml/naive-bayes.ts';
import { bootstrapRanking, rankingAtK } from '../../../src/evaluate/ranking-metrics.ts';
import { applyTargetEncoding, fitTargetEncoding } from '../../../src/detect/declarations/target-encoding.ts';
import { mulberry32 } from '../../../src/table/mulberry32.ts';

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('target encoding', () => {
  // rows 0..3, codes 0 0 1 1, labels 1 0 1 1 (time-ordered encoding of the training rows: test/detect/declarations/declaration-time-encoding.test.ts)
  const codes = Int32Array.from([0, 0, 1, 1]);
  const labels = Int8Array.from([1, 0, 1, 1]);

  it('applies the full-training fit to later rows: nulls are their own category, unseen codes get the prior', () => {
    const enc = fitTargetEncoding(codes, 2, labels, all(4), 2);
    expect(enc.prior).toBe(0.75);
    expect([...enc.rates]).toEqual([0.625, 0.875, 0.75]);
    const later = Int32Array.from([1, 0, -1, 7]);
    expect([...applyTargetEncoding(enc, later, 2, all(4))]).toEqual([0.875, 0.625, 0.75, 0.75]);
  });

  it('an empty fit gives prior 0 and no NaN', () => {
    const enc = fitTargetEncoding(codes, 2, labels, new Int32Array(0), 1);
    expect(enc.prior).toBe(0);
    expect([...enc.rates]).toEqual([0, 0, 0]);
  });
});

/** n seeded rows: x1, x2 standard normal, y ~ Bernoulli(σ(−0.5 + 2·x1 − x2)). */
function logisticData(n: number, seed: number) {
  const rnd = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    x1[i] = normal();
    x2[i] = normal();
    y[i] = rnd() < 1 / (1 + Math.exp(-(-0.5 + 2 * x1[i] - x2[i]))) ? 1 : 0;
  }
  return { x1, x2, y };
}

describe('logistic regression', () => {
  it('recovers known coefficients from seeded data, on any column scale', () => {
    const { x1, x2, y } = logisticData(20_000, 7);
    const m = fitLogistic([x1, x2], y, all(20_000), { ...logisticDefaults, l2: 0 });
    expect(m.weights[0]).toBeCloseTo(2, 1);
    expect(m.weights[1]).toBeCloseTo(-1, 1);
    expect(m.intercept).toBeCloseTo(-0.5, 1);
    expect(m.iterations).toBeLessThan(15);
    // scaling a column by 1000 scales its weight by 1/1000 and changes no probability
    const big = Float64Array.from(x1, (v) => v * 1000);
    const m2 = fitLogistic([big, x2], y, all(20_000), { ...logisticDefaults, l2: 0 });
    expect(m2.weights[0] * 1000).toBeCloseTo(m.weights[0], 8);
    const p1 = scoreLogistic(m, [x1, x2], Int32Array.from([0, 1, 2]));
    scoreLogistic(m2, [big, x2], Int32Array.from([0, 1, 2])).forEach((v, i) => expect(v).toBeCloseTo(p1[i], 12));
  });

  it('shrinks with L2 and fills NaN with the fit mean', () => {
    const { x1, x2, y } = logisticData(2_000, 3);
    const loose = fitLogistic([x1, x2], y, all(2_000), { ...logisticDefaults, l2: 0 });
    const tight = fitLogistic([x1, x2], y, all(2_000), { ...logisticDefaults, l2: 1 });
    expect(Math.abs(tight.weights[0])).toBeLessThan(Math.abs(loose.weights[0]) / 2);
    const withNaN = Float64Array.from([NaN]);
    const [p] = scoreLogistic(loose, [withNaN, Float64Array.from([loose.fill[1]])]);
    const [q] = scoreLogistic(loose, [Float64Array.from([loose.fill[0]]), Float64Array.from([loose.fill[1]])]);
    expect(p).toBe(q);
  });

  it('throws on a constant or duplicated column without L2 (with L2 its weight is 0), and on no rows', () => {
    const y = Int8Array.from([0, 1, 1, 0, 1]);
    const x = Float64Array.from([1, 2, 3, 4, 5]);
    const constant = new Float64Array(5).fill(3);
    expect(() => fitLogistic([constant, x], y, all(5), { ...logisticDefaults, l2: 0 })).toThrow(/not positive definite/);
    expect(() => fitLogistic([x, x], y, all(5), { ...logisticDefaults, l2: 0 })).toThrow(/not positive definite/);
    expect(fitLogistic([constant, x], y, all(5), { ...logisticDefaults, l2: 0.1 }).weights[0]).toBe(0);
    expect(() => fitLogistic([new Float64Array(4)], y, new Int32Array(0), logisticDefaults)).toThrow('fitLogistic: no rows to fit');
  });
});

describe('naive Bayes', () => {
  it('scores categories by their class odds; an unseen value adds nothing', () => {
    // field 0: category 0 is fraud 3/3, category 1 clean 0/3; field 1 is the same everywhere
    const f0 = { codes: Int32Array.from([0, 0, 0, 1, 1, 1, 2]), size: 3 };
    const f1 = { codes: Int32Array.from([0, 0, 0, 0, 0, 0, 0]), size: 1 };
    const labels = Int8Array.from([1, 1, 1, 0, 0, 0, -1]);
    const m = fitNaiveBayes([f0, f1], labels, all(6), 1);
    const s = scoreNaiveBayes(m, [f0, f1], Int32Array.from([0, 3, 6]));
    // Laplace over the 2 categories seen: log((3+1)/(3+2)) − log((0+1)/(3+2)) = log 4
    expect(s[0]).toBeCloseTo(Math.log(4), 12);
    expect(s[1]).toBeCloseTo(-Math.log(4), 12);
    expect(s[2]).toBe(0); // category 2 never seen in the fit
  });
});

describe('ranking metrics', () => {
  const scores = Float64Array.from([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0]);
  const labels = Int8Array.from([1, 0, 1, 0, 0, 1, 0, 0, 0, 1]);
  const revenue = Float64Array.from([10, 99, 30, 0, 0, 60, 0, 0, 0, 0]); // revenue counts on frauds only: 10 + 30 + 60 + 0

  it('precision, recall and revenue at k on a hand example', () => {
    expect(rankingAtK(scores, labels, revenue, [0.2, 0.3, 1])).toEqual([
      { k: 0.2, inspected: 2, precision: 0.5, recall: 0.25, revenue: 0.1 },
      { k: 0.3, inspected: 3, precision: 2 / 3, recall: 0.5, revenue: 0.4 },
      { k: 1, inspected: 10, precision: 0.4, recall: 1, revenue: 1 },
    ]);
  });

  it('splits a tie that straddles the cut evenly, whatever the row order; NaN ranks last', () => {
    const tied = Float64Array.from([1, 1, 1, 1, NaN]);
    const y = Int8Array.from([0, 1, 0, 0, 1]);
    const r = new Float64Array(5);
    expect(rankingAtK(tied, y, r, [0.2])[0]).toMatchObject({ inspected: 1, precision: 0.25, recall: 0.125 });
    expect(rankingAtK(Float64Array.from([1, 1, 1, 1, NaN]), Int8Array.from([1, 0, 0, 0, 1]), r, [0.2])[0].precision).toBe(0.25);
    expect(rankingAtK(tied, y, r, [1])[0]).toMatchObject({ precision: 0.4, recall: 1 });
  });

  it('a value exactly at k·n inspects that many rows; recall and revenue are NaN without frauds', () => {
    expect(rankingAtK(scores, new Int8Array(10), new Float64Array(10), [0.5])[0]).toEqual({ k: 0.5, inspected: 5, precision: 0, recall: NaN, revenue: NaN });
    expect(() => rankingAtK(scores, labels, revenue, [0])).toThrow('k must be within (0, 1], got 0');
  });

  it('bootstrap intervals are seeded and contain the point estimate', () => {
    const rnd = mulberry32(11);
    const n = 2000;
    const y = Int8Array.from({ length: n }, () => (rnd() < 0.2 ? 1 : 0));
    const s = Float64Array.from(y, (v) => v + rnd() * 4);
    const rev = Float64Array.from(y, () => rnd() * 100);
    const p = { replicates: 200, seed: 3, level: 0.95 };
    const a = bootstrapRanking(s, y, rev, [0.01, 0.05], p);
    expect(bootstrapRanking(s, y, rev, [0.01, 0.05], p)).toEqual(a);
    const point = rankingAtK(s, y, rev, [0.01, 0.05]);
    a.forEach((x, i) => {
      for (const m of ['precision', 'recall', 'revenue'] as const) {
        expect(x[m].estimate).toBe(point[i][m]);
        expect(x[m].lo).toBeLessThanOrEqual(x[m].estimate);
        expect(x[m].hi).toBeGreaterThanOrEqual(x[m].estimate);
      }
    });
    expect(a[1].precision.hi - a[1].precision.lo).toBeGreaterThan(0.02);
    expect(() => bootstrapRanking(s, y, rev, [0.05], { ...p, replicates: 5 })).toThrow('replicates must be an integer ≥ 10, got 5');
  });
});

/** A small declaration table: hs6 A is fraud-prone; the numbers say nothing. */
function declarations(n: number, seed: number, hs6Values = ['A', 'B', 'C']) {
  const rnd = mulberry32(seed);
  const period: string[] = [];
  const hs6: string[] = [];
  const importer: (string | null)[] = [];
  const label: (number | null)[] = [];
  const value: number[] = [];
  const mass: number[] = [];
  for (let i = 0; i < n; i++) {
    const h = hs6Values[Math.floor(rnd() * hs6Values.length)];
    const month = Math.floor((i / n) * 18); // 2020-01 … 2021-06 in row order
    period.push(`${2020 + Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`);
    hs6.push(h);
    importer.push(rnd() < 0.1 ? null : `I${Math.floor(rnd() * 20)}`);
    label.push(rnd() < (h === 'A' ? 0.6 : 0.1) ? 1 : 0);
    value.push(100 + rnd() * 900);
    mass.push(1 + rnd() * 10);
  }
  return new Table({
    period: vectorFromArray(period, new Utf8()),
    hs6: vectorFromArray(hs6, new Utf8()),
    importer: vectorFromArray(importer, new Utf8()),
    value_usd: vectorFromArray(value, new Float64()),
    net_mass_kg: vectorFromArray(mass, new Float64()),
    label: vectorFromArray(label, new Int8()),
  });
}

describe('the declaration model', () => {
  it('learns that a fraud-prone HS6 is riskier, and scores another table by value', () => {
    const train = declarations(3000, 1);
    const model = fitDeclarationModel(train, all(3000), declarationModelDefaults);
    // absent columns (origin, seller, …) and tax_rate_pct (no column) are left out
    expect(model.features).toEqual(['te:hs6', 'te:importer', 'log_value_usd', 'log_net_mass_kg', 'log_unit_value']);
    expect(model.fitRows).toBe(3000);
    expect(model.logistic.weights[0]).toBeGreaterThan(0.5);
    const later = new Table({
      hs6: vectorFromArray(['A', 'B', 'Z'], new Utf8()),
      importer: vectorFromArray(['I1', 'I1', null], new Utf8()),
      value_usd: vectorFromArray([500, 500, 500], new Float64()),
      net_mass_kg: vectorFromArray([5, 5, 5], new Float64()),
      label: vectorFromArray([null, null, null], new Int8()),
    });
    const [a, b, z] = scoreDeclarationModel(model, later);
    expect(a).toBeGreaterThan(0.4);
    expect(b).toBeLessThan(0.2);
    expect(z).toBeGreaterThan(b); // an unseen HS6 gets the prior, between the two
    expect(z).toBeLessThan(a);
  });

  it('fits only on labelled rows and needs both classes', () => {
    const t = declarations(200, 2);
    const labelledOnly = fitDeclarationModel(t, all(100), declarationModelDefaults);
    expect(labelledOnly.fitRows).toBe(100);
    const clean = new Table({ hs6: vectorFromArray(['A', 'B'], new Utf8()), label: vectorFromArray([0, 0], new Int8()) });
    expect(() => fitDeclarationModel(clean, all(2), declarationModelDefaults)).toThrow('fitDeclarationModel: 2 labelled rows with 0 frauds; both classes are needed');
    expect(() => fitDeclarationModel(t, new Int32Array(0), declarationModelDefaults)).toThrow('fitDeclarationModel: 0 labelled rows with 0 frauds');
  });

  it('numeric features: logs, unit value only when both sides are positive, NaN for a missing column', () => {
    const t = new Table({ value_usd: vectorFromArray([Math.E - 1, 10, null], new Float64()), net_mass_kg: vectorFromArray([0, 2, 1], new Float64()) });
    const [v, uv, tax] = declarationNumericFeatures(t, ['log_value_usd', 'log_unit_value', 'tax_rate_pct']);
    expect(v[0]).toBeCloseTo(1, 12);
    expect([...uv]).toEqual([NaN, Math.log(5), NaN]);
    expect([...tax]).toEqual([NaN, NaN, NaN]);
  });
});

describe('the evaluation protocol', () => {
  it('fits on the training months, chooses on the validation months and scores the test months once', () => {
    const t = declarations(3600, 5);
    const ev = evaluateDeclarationScreening(t, { ...declarationEvaluationDefaults, bootstrap: { replicates: 50, seed: 1, level: 0.95 } });
    expect(ev.rows).toEqual({ train: 2400, valid: 600, test: 600 });
    expect(ev.grid.length).toBe(10);
    expect(ev.methods.map((m) => m.method)).toEqual(['random', 'hs6_rate', 'hs6_rate_tuned', 'naive_bayes', 'unit_value_deviation', 'isolation', 'model', 'combined']);
    const at5 = Object.fromEntries(ev.methods.map((m) => [m.method, m.results[1]]));
    expect(at5.model.inspected).toBe(30);
    expect(at5.model.precision.estimate).toBeGreaterThan(at5.random.precision.hi);
    // revenue needs value and tax_rate_pct: this table has neither, so no fraud carries any
    expect(at5.model.revenue.estimate).toBeNaN();
  });

  it('names what is missing: the label column, the months of a split', () => {
    const noLabel = new Table({ period: vectorFromArray(['2020-01'], new Utf8()), hs6: vectorFromArray(['A'], new Utf8()) });
    expect(() => fitDeclarationModel(noLabel, all(1), declarationModelDefaults)).toThrow("declaration model: missing column 'label' (has: period, hs6)");
    const t = declarations(600, 6);
    expect(() => evaluateDeclarationScreening(t, { ...declarationEvaluationDefaults, validUntil: '2021-06' })).toThrow(
      'evaluateDeclarationScreening: no labelled rows in the test months',
    );
  });
});
