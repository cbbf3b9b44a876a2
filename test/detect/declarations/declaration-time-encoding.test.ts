import { Float64, Int8, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { declarationModelDefaults, fitDeclarationModel } from '../../../src/detect/declarations/declaration-model.ts';
import { applyTargetEncoding, fitTargetEncoding, targetEncodeEarlier } from '../../../src/detect/declarations/target-encoding.ts';
import { mulberry32 } from '../../../src/table/mulberry32.ts';

// issue 19 item 11: the training rows' target encodings are time-ordered — each row from the periods before its own

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('targetEncodeEarlier', () => {
  // periods 0 0 1 1 2 2, codes 0 1 0 1 0 2, labels 1 0 0 1 1 0
  const period = Int32Array.from([0, 0, 1, 1, 2, 2]);
  const codes = Int32Array.from([0, 1, 0, 1, 0, 2]);
  const labels = Int8Array.from([1, 0, 0, 1, 1, 0]);

  it('encodes each row from the earlier periods only: the first period has nothing (NaN), a later label never enters', () => {
    // period 1 from period 0: code 0 → 1/1, code 1 → 0/1; period 2 from periods 0–1: code 0 → 1/2, code 2 unseen → the prior 2/4
    expect([...targetEncodeEarlier(codes, 3, labels, all(6), period, 0)]).toEqual([NaN, NaN, 1, 0, 0.5, 0.5]);
    // m = 2 shrinks towards the earlier periods' prior (0.5 for period 1, 0.5 for period 2)
    const m2 = targetEncodeEarlier(codes, 3, labels, all(6), period, 2);
    expect([...m2]).toEqual([NaN, NaN, 2 / 3, 1 / 3, 0.5, 0.5].map((v) => (v === v ? expect.closeTo(v, 12) : NaN)));
    // the last period's labels flipped: nothing earlier moves
    const flipped = Int8Array.from([1, 0, 0, 1, 0, 1]);
    expect([...targetEncodeEarlier(codes, 3, flipped, all(6), period, 2)]).toEqual([...m2]);
  });

  it('is what the fitted encoding gives a later month: the fit on the months before it, applied to it', () => {
    const rows = Int32Array.from([5, 4, 3, 2]); // any order; the output aligns with rows
    const enc = fitTargetEncoding(codes, 3, labels, Int32Array.from([2, 3]), 1); // period 1 within these rows
    const got = targetEncodeEarlier(codes, 3, labels, rows, period, 1);
    expect([...got.subarray(0, 2)]).toEqual([...applyTargetEncoding(enc, codes, 3, Int32Array.from([5, 4]))]);
    expect([...got.subarray(2)]).toEqual([NaN, NaN]);
  });

  it('a row without a period is neither encoded nor used', () => {
    const p = Int32Array.from([0, -1, 1]);
    const c = Int32Array.from([0, 0, 0]);
    const y = Int8Array.from([0, 1, 1]);
    expect([...targetEncodeEarlier(c, 1, y, all(3), p, 0)]).toEqual([NaN, NaN, 0]);
  });
});

/** n rows over `months` months: hs6 A is fraud-prone. */
function table(n: number, months: number, seed: number) {
  const rnd = mulberry32(seed);
  const period: string[] = [];
  const hs6: string[] = [];
  const label: number[] = [];
  const value: number[] = [];
  for (let i = 0; i < n; i++) {
    const h = rnd() < 0.5 ? 'A' : 'B';
    period.push(`2020-${String(1 + Math.floor((i / n) * months)).padStart(2, '0')}`);
    hs6.push(h);
    label.push(rnd() < (h === 'A' ? 0.6 : 0.1) ? 1 : 0);
    value.push(100 + rnd() * 900);
  }
  return new Table({
    period: vectorFromArray(period, new Utf8()),
    hs6: vectorFromArray(hs6, new Utf8()),
    value_usd: vectorFromArray(value, new Float64()),
    label: vectorFromArray(label, new Int8()),
  });
}

describe('fitDeclarationModel with time-ordered encodings', () => {
  it('fit rows of one month have no earlier month to encode from: the categorical columns are left out', () => {
    const model = fitDeclarationModel(table(400, 1, 3), all(400), declarationModelDefaults);
    expect(model.features).toEqual(['log_value_usd']);
    expect(model.encodings).toEqual([]);
  });

  it('over several months the encoding is a feature, and the fraud-prone code scores higher', () => {
    const model = fitDeclarationModel(table(1200, 6, 4), all(1200), declarationModelDefaults);
    expect(model.features).toEqual(['te:hs6', 'log_value_usd']);
    expect(model.logistic.weights[0]).toBeGreaterThan(0.5);
    const e = model.encodings[0];
    expect(e.rates[e.values.indexOf('A')]).toBeGreaterThan(e.rates[e.values.indexOf('B')]);
  });

  it('needs the month of each row', () => {
    const t = table(40, 2, 5);
    const noPeriod = new Table({ hs6: t.getChild('hs6')!, value_usd: t.getChild('value_usd')!, label: t.getChild('label')! });
    expect(() => fitDeclarationModel(noPeriod, all(40), declarationModelDefaults)).toThrow("fitDeclarationModel: missing column 'period'");
  });
});
