import { DataType, Table, makeData, makeVector, vectorFromArray, type Data, type Vector } from 'apache-arrow';

/**
 * Keeps the rows of `table` at the given indexes (in that order): dictionary columns gather their codes
 * and keep their dictionary, fixed-width columns gather values and validity; other types go through
 * values. One pass per column, no per-row objects for the common types.
 */
export function takeTable(table: Table, rows: Int32Array): Table {
  const cols: Record<string, Vector> = {};
  for (const field of table.schema.fields) {
    const vec = table.getChild(field.name)!;
    cols[field.name] = takeVector(vec, rows);
  }
  return new Table(cols);
}

/** Row indexes where `keep` is true. */
export function rowsWhere(n: number, keep: (i: number) => boolean): Int32Array {
  let m = 0;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (keep(i)) (mask[i] = 1), m++;
  const out = new Int32Array(m);
  for (let i = 0, k = 0; i < n; i++) if (mask[i]) out[k++] = i;
  return out;
}

function takeVector(vec: Vector, rows: Int32Array): Vector {
  const type = vec.type;
  const n = rows.length;
  const single = vec.data.length === 1 ? (vec.data[0] as Data) : null;
  const fixed = DataType.isFloat(type) || DataType.isInt(type);
  if (single && (fixed || DataType.isDictionary(type))) {
    const src = single.values as unknown as ArrayLike<number> & { constructor: new (n: number) => ArrayLike<number> & { [i: number]: number } };
    const data = new src.constructor(n);
    const bitmap = new Uint8Array((n + 7) >> 3);
    let nulls = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      if (single.getValid(r)) {
        data[i] = src[r];
        bitmap[i >> 3] |= 1 << (i & 7);
      } else nulls++;
    }
    return makeVector(
      makeData({
        type,
        length: n,
        nullCount: nulls,
        nullBitmap: nulls ? bitmap : undefined,
        data: data as never,
        dictionary: single.dictionary,
      } as never),
    );
  }
  if (single && DataType.isList(type)) {
    // gather each row's slice of the child, then the child itself
    const offs = single.valueOffsets as Int32Array;
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + (single.getValid(rows[i]) ? offs[rows[i] + 1] - offs[rows[i]] : 0);
    const childRows = new Int32Array(offsets[n]);
    for (let i = 0, k = 0; i < n; i++) {
      if (!single.getValid(rows[i])) continue;
      for (let j = offs[rows[i]]; j < offs[rows[i] + 1]; j++) childRows[k++] = j;
    }
    const child = takeVector(makeVector(single.children[0]), childRows);
    return makeVector(makeData({ type, length: n, nullCount: 0, valueOffsets: offsets, child: child.data[0] } as never));
  }
  const values = new Array(n);
  for (let i = 0; i < n; i++) values[i] = vec.get(rows[i]);
  return vectorFromArray(values, type);
}
