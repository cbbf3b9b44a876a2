import { describe, expect, it } from 'vitest';
import { boolVector, dictionaryVector, float64Vector, Float64Builder, int32Vector, StringDictionary, take } from '../../src/table/columns.ts';

describe('column builders', () => {
  it('grows and keeps values', () => {
    const b = new Float64Builder(1);
    for (let i = 0; i < 100; i++) b.push(i / 2);
    expect(b.length).toBe(100);
    expect(b.view()[99]).toBe(49.5);
  });

  it('turns NaN into null in float vectors', () => {
    const v = float64Vector(Float64Array.from([1.5, NaN, 3]));
    expect(v.toArray().length).toBe(3);
    expect([v.get(0), v.get(1), v.get(2)]).toEqual([1.5, null, 3]);
    expect(v.nullCount).toBe(1);
  });

  it('makes compact dictionary vectors in first-use order, -1 as null', () => {
    const v = dictionaryVector(Int32Array.from([2, -1, 0, 2]), ['a', 'b', 'c']);
    expect([v.get(0), v.get(1), v.get(2), v.get(3)]).toEqual(['c', null, 'a', 'c']);
    expect(v.data[0].dictionary!.toArray()).toEqual(['c', 'a']);
  });

  it('maps tri-state int8 to booleans and sentinel ints to null', () => {
    const b = boolVector(Int8Array.from([1, 0, -1]));
    expect([b.get(0), b.get(1), b.get(2)]).toEqual([true, false, null]);
    const i = int32Vector(Int32Array.from([5, -1]), -1);
    expect([i.get(0), i.get(1)]).toEqual([5, null]);
  });

  it('takes rows by index and assigns dictionary codes once', () => {
    expect(Array.from(take(Int32Array.from([10, 20, 30]), Int32Array.from([2, 0])))).toEqual([30, 10]);
    const d = new StringDictionary();
    expect([d.code('x'), d.code('y'), d.code('x'), d.find('z')]).toEqual([0, 1, 0, -1]);
  });
});
