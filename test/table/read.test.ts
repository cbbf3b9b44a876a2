import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { readCodes, readFloats } from '../../src/table/read.ts';

const dict = () => new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
/** A one-column table whose chunks are `parts` (each read as its own batch, with its own dictionary). */
function chunked(parts: (string | null)[][]): arrow.Table {
  const type = dict(); // one dictionary id for the column; each chunk still builds its own dictionary
  return new arrow.Table(parts.map((p) => new arrow.Table({ c: arrow.vectorFromArray(p, type) })).flatMap((t) => t.batches));
}
const texts = (c: { codes: Int32Array; values: readonly string[] }) => Array.from(c.codes, (k) => (k < 0 ? null : c.values[k]));

describe('readCodes', () => {
  it('unifies per-chunk dictionaries: the same chunk first (a block copy), a one-value chunk, a reordered one, nulls', () => {
    const parts = [['a', 'b', 'a'], ['b', 'b'], ['c', 'a', 'b'], ['a', null, 'c'], ['z']];
    const got = readCodes(chunked(parts), 'c');
    expect(texts(got)).toEqual(parts.flat());
    expect(got.values).toEqual(['a', 'b', 'c', 'z']);
  });

  it('reads plain Utf8 columns too', () => {
    const t = new arrow.Table({ c: arrow.vectorFromArray(['x', null, 'y', 'x'], new arrow.Utf8()) });
    expect(texts(readCodes(t, 'c'))).toEqual(['x', null, 'y', 'x']);
  });
});

describe('readFloats', () => {
  it('gives NaN for nulls, including a chunk that is all null, and reads Int64 as numbers', () => {
    const batches = [
      new arrow.Table({ v: arrow.vectorFromArray([1.5, null, 3], new arrow.Float64()) }),
      new arrow.Table({ v: arrow.vectorFromArray([null, null], new arrow.Float64()) }),
      new arrow.Table({ v: arrow.vectorFromArray([4], new arrow.Float64()) }),
    ].flatMap((t) => t.batches);
    expect(Array.from(readFloats(new arrow.Table(batches), 'v'))).toEqual([1.5, NaN, 3, NaN, NaN, 4]);
    const big = new arrow.Table({ v: arrow.vectorFromArray([1n, null, 2n ** 40n], new arrow.Int64()) });
    expect(Array.from(readFloats(big, 'v'))).toEqual([1, NaN, 2 ** 40]);
  });
});
