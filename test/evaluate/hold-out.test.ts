import { describe, expect, it } from 'vitest';
import { choosePoint, gridPoints } from '../../src/evaluate/hold-out.ts';

describe('gridPoints', () => {
  it('makes every point, the first key varying slowest', () => {
    expect(gridPoints({ a: [1, 2], b: [10, 20, 30] })).toEqual([
      { a: 1, b: 10 }, { a: 1, b: 20 }, { a: 1, b: 30 }, { a: 2, b: 10 }, { a: 2, b: 20 }, { a: 2, b: 30 },
    ]);
  });

  it('gives one empty point for an empty grid and none when a key has no value', () => {
    expect(gridPoints({})).toEqual([{}]);
    expect(gridPoints({ a: [1], b: [] })).toEqual([]);
  });
});

describe('choosePoint', () => {
  it('keeps the best precision@k, then the fewer false flags, then the first', () => {
    expect(choosePoint([{ precision_at_k: 0.8, false_flags: 1 }, { precision_at_k: 0.9, false_flags: 9 }, { precision_at_k: 0.85, false_flags: 0 }])).toBe(1);
    expect(choosePoint([{ precision_at_k: 0.9, false_flags: 5 }, { precision_at_k: 0.9, false_flags: 3 }, { precision_at_k: 0.9, false_flags: 3 }])).toBe(1);
  });

  it('refuses an empty sweep', () => {
    expect(() => choosePoint([])).toThrow(/no grid point/);
  });
});
