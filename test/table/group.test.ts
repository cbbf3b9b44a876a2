import { describe, expect, it } from 'vitest';
import { groupRows } from '../../src/table/group.ts';

describe('groupRows', () => {
  it('groups equal keys across several columns in order of first appearance', () => {
    const a = Int32Array.from([1, 2, 1, 2, 1]);
    const b = Float64Array.from([0.5, 0.5, 0.5, 0.25, 0.5]);
    const g = groupRows([a, b], 5);
    expect(Array.from(g.groupOf)).toEqual([0, 1, 0, 2, 0]);
    expect(g.groups).toBe(3);
    expect(Array.from(g.firstRow)).toEqual([0, 1, 3]);
  });

  it('treats NaN as equal to NaN and 0 as equal to -0', () => {
    const v = Float64Array.from([NaN, NaN, 0, -0, 1]);
    const g = groupRows([v], 5);
    expect(Array.from(g.groupOf)).toEqual([0, 0, 1, 1, 2]);
  });

  it('groups only the selected rows, in the selection order', () => {
    const a = Int32Array.from([7, 8, 7, 9]);
    const g = groupRows([a], 4, Int32Array.from([3, 2, 0]));
    expect(Array.from(g.groupOf)).toEqual([0, 1, 1]);
    expect(Array.from(g.firstRow)).toEqual([3, 2]);
  });

  it('handles an empty input', () => {
    const g = groupRows([new Int32Array(0)], 0);
    expect(g.groups).toBe(0);
    expect(g.groupOf.length).toBe(0);
  });

  it('agrees with a string-keyed Map on many random rows', () => {
    let seed = 42;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const n = 20_000;
    const a = new Int32Array(n);
    const b = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = Math.floor(rnd() * 300);
      b[i] = Math.floor(rnd() * 4);
    }
    const g = groupRows([a, b], n);
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const k = `${a[i]}|${b[i]}`;
      if (!seen.has(k)) seen.set(k, seen.size);
      expect(g.groupOf[i]).toBe(seen.get(k));
    }
    expect(g.groups).toBe(seen.size);
  });
});
