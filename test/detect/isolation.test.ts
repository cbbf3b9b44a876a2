import { describe, expect, it } from 'vitest';
import { fitIsolationForest, isolationDefaults, scoreIsolation, scoreQuantile } from '../../src/detect/isolation.ts';
import { Rng } from '../../src/synth/random.ts';

function cloud(n: number, d: number, label = 'iso'): Float64Array[] {
  const rng = new Rng(label);
  return Array.from({ length: d }, () => Float64Array.from({ length: n }, () => rng.normal(0, 1)));
}

describe('isolation forest', () => {
  it('scores an obvious outlier highest, and the same inputs and seed give identical scores', () => {
    const cols = cloud(2000, 4);
    cols.forEach((c) => (c[123] = 12)); // far from the cloud on every feature
    const model = fitIsolationForest(cols, isolationDefaults);
    const s = scoreIsolation(model, cols);
    let best = 0;
    for (let i = 1; i < s.length; i++) if (s[i] > s[best]) best = i;
    expect(best).toBe(123);
    expect(s[123]).toBeGreaterThan(0.7);
    expect(scoreQuantile(s, 0.5)).toBeLessThan(0.5);
    const again = scoreIsolation(fitIsolationForest(cols, isolationDefaults), cols);
    expect(Buffer.from(again.buffer).equals(Buffer.from(s.buffer))).toBe(true);
    const other = scoreIsolation(fitIsolationForest(cols, { ...isolationDefaults, seed: 2 }), cols);
    expect(Buffer.from(other.buffer).equals(Buffer.from(s.buffer))).toBe(false);
  });

  it('gives rows with NaN a finite score (median imputation) and copes with constant features', () => {
    const cols = cloud(500, 3);
    cols[1][7] = NaN;
    cols.push(new Float64Array(500).fill(5)); // constant
    const s = scoreIsolation(fitIsolationForest(cols, isolationDefaults), cols);
    expect(Number.isFinite(s[7])).toBe(true);
    expect([...s].every((x) => x > 0 && x <= 1)).toBe(true);
  });

  it('handles 0 and 1 rows, and names the lengths of ragged columns', () => {
    expect(scoreIsolation(fitIsolationForest([new Float64Array(0)], isolationDefaults), [new Float64Array(0)]).length).toBe(0);
    const one = [Float64Array.from([3])];
    expect(scoreIsolation(fitIsolationForest(one, isolationDefaults), one).length).toBe(1);
    expect(() => fitIsolationForest([new Float64Array(3), new Float64Array(2)], isolationDefaults)).toThrow('columns of different lengths (3, 2)');
    expect(() => fitIsolationForest([], isolationDefaults)).toThrow('no feature columns');
  });

  it('interpolates score quantiles and ignores NaN', () => {
    expect(scoreQuantile(Float64Array.from([0.1, NaN, 0.3, 0.2]), 0.5)).toBeCloseTo(0.2, 12);
    expect(scoreQuantile(Float64Array.from([0.1, 0.3]), 0.75)).toBeCloseTo(0.25, 12);
    expect(Number.isNaN(scoreQuantile(new Float64Array(0), 0.5))).toBe(true);
  });
});
