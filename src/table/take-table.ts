import { readCodes } from './read.ts';
import { DataType, Table, makeData, makeVector, vectorFromArray, type Data, type Vector } from 'apache-arrow';

/**
 * Keeps the rows of `table` at the given indexes (in that order): dictionary columns gather their codes
 * and keep their dictionary, fixed-width columns gather values and validity, lists and structs gather their
 * children the same way; other types go through values. One pass per column, no per-row objects for the common types.
 */
export function takeTable(table: Table, rows: Int32Array): Table {
  const order = readOrder(rows, table.numRows);
  const cols: Record<string, Vector> = {};
  for (const field of table.schema.fields) {
    const vec = table.getChild(field.name)!;
    cols[field.name] = takeVector(vec, rows, order);
  }
  return new Table(cols);
}

/** Where a gather reads from and writes to, in ascending read order; see {@link readOrder}. */
interface ReadOrder {
  from: Int32Array;
  to: Int32Array;
}

/**
 * For a large selection in no particular order (rows ranked by score, say), the same rows sorted by
 * index with the output position of each (a counting sort): gathers then stream through the source
 * columns instead of missing the cache on every row. Null when the rows are few, already ascending
 * or out of range.
 */
function readOrder(rows: Int32Array, numRows: number): ReadOrder | null {
  const n = rows.length;
  if (n < 4096 || n * 16 < numRows) return null;
  let ascending = true;
  for (let i = 0; i < n; i++) {
    if (!(rows[i] >= 0 && rows[i] < numRows)) return null;
    if (i > 0 && rows[i] < rows[i - 1]) ascending = false;
  }
  if (ascending) return null;
  const start = new Int32Array(numRows + 1);
  for (let i = 0; i < n; i++) start[rows[i] + 1]++;
  for (let r = 0; r < numRows; r++) start[r + 1] += start[r];
  const from = new Int32Array(n);
  const to = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = start[rows[i]]++;
    from[k] = rows[i];
    to[k] = i;
  }
  return { from, to };
}

/**
 * `table` without the rows whose text column `name` holds a value `drop` says yes to (null is kept), and how many
 * rows that dropped; the table itself when none. `drop` is asked once per dictionary value, not per row.
 */
export function dropRowsByValue(table: Table, name: string, drop: (value: string) => boolean, who = 'dropRowsByValue'): { table: Table; dropped: number } {
  if (!table.numRows) return { table, dropped: 0 };
  const { codes, values } = readCodes(table, name, who);
  const out = values.map(drop);
  if (!out.some(Boolean)) return { table, dropped: 0 };
  const rows = rowsWhere(table.numRows, (i) => codes[i] < 0 || !out[codes[i]]);
  return { table: takeTable(table, rows), dropped: table.numRows - rows.length };
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

function takeVector(vec: Vector, rows: Int32Array, order: ReadOrder | null = null): Vector {
  const type = vec.type;
  const n = rows.length;
  const single = vec.data.length === 1 ? (vec.data[0] as Data) : null;
  const fixed = DataType.isFloat(type) || DataType.isInt(type);
  if (single && (fixed || DataType.isDictionary(type))) {
    const src = single.values as unknown as ArrayLike<number> & { constructor: new (n: number) => ArrayLike<number> & { [i: number]: number } };
    const data = new src.constructor(n);
    const bitmap = new Uint8Array((n + 7) >> 3);
    let nulls = 0;
    // validity read from the bitmap as Data.getValid does, without a call per row
    const bits = single.nullable && single.nullCount > 0 ? (single.nullBitmap as Uint8Array) : null;
    const at = single.offset;
    const from = order ? order.from : rows;
    for (let k = 0; k < n; k++) {
      const r = from[k];
      const i = order ? order.to[k] : k;
      if (!bits || bits[(at + r) >> 3] & (1 << ((at + r) & 7))) {
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
  if (single && DataType.isStruct(type)) {
    // each field gathered as a column of its own: a dictionary field keeps its dictionary (rebuilt through values it
    // would get a new one under the same dictionary id as a column that shares its type, and the table would not write)
    const bitmap = new Uint8Array((n + 7) >> 3);
    let nulls = 0;
    for (let i = 0; i < n; i++) {
      if (single.getValid(rows[i])) bitmap[i >> 3] |= 1 << (i & 7);
      else nulls++;
    }
    const children = single.children.map((c) => takeVector(makeVector(c), rows).data[0]);
    return makeVector(makeData({ type, length: n, nullCount: nulls, nullBitmap: nulls ? bitmap : undefined, children } as never));
  }
  const values = new Array(n);
  for (let i = 0; i < n; i++) values[i] = vec.get(rows[i]);
  return vectorFromArray(values, type);
}
