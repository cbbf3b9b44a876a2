import { describe, expect, it } from 'vitest';
import { rankFlags } from '../../src/flags/rank-flags.ts';
import { mulberry32 } from '../../src/table/mulberry32.ts';
import { NumberMap } from '../../src/table/number-map.ts';
import { radixOrderDescending } from '../../src/table/radix-order.ts';

describe('NumberMap', () => {
  it('behaves as a Map over numbers through growth, with NaN equal to NaN and -0 to 0', () => {
    const m = new NumberMap(2);
    const ref = new Map<number, number>();
    const rnd = mulberry32(7);
    for (let k = 0; k < 5000; k++) {
      const key = Math.floor(rnd() * 3000) * (rnd() < 0.5 ? 1 : -1) + (rnd() < 0.1 ? 0.5 : 0);
      m.set(key, k);
      ref.set(key, k);
    }
    expect(m.size).toBe(ref.size);
    for (const [k, v] of ref) expect(m.get(k, -1)).toBe(v);
    expect(m.get(1e9, -1)).toBe(-1);
    m.set(NaN, 1);
    m.set(-0, 2);
    expect([m.get(NaN, -1), m.get(0, -1), m.has(-0)]).toEqual([1, 2, true]);
  });
});

describe('radixOrderDescending', () => {
  it('orders by key descending, equal keys in index order, negatives and fractions included', () => {
    const key = Float64Array.of(0.5, -2, 3, 0.5, 1e-9, -1e9, 3, 0);
    expect(Array.from(radixOrderDescending(key))).toEqual([2, 6, 0, 3, 4, 7, 1, 5]);
  });
});

describe('rankFlags', () => {
  it('gives the order of the plain comparator sort: score descending, then flag id', () => {
    const score = Float64Array.of(0.5, 0.9, 0.5, 0.7, 0.5);
    const ids = ['c', 'z', 'a', 'm', 'b'];
    const rows = [0, 1, 2, 3, 4];
    rankFlags(rows, score, (i) => ids[i]);
    expect(rows).toEqual([1, 3, 2, 4, 0]);
  });
});
