import { Dictionary, Field, Int32, List, Struct, Utf8, makeData, makeVector, type Vector } from 'apache-arrow';
import { StringDictionary } from './columns.ts';

/**
 * A List<Dictionary<Utf8>> vector (e.g. `reasons`) of `n` rows from a sparse map row → items; rows not
 * in the map are empty lists. Items are dictionary-encoded, so short repeated codes cost little.
 */
export function listVector(n: number, items: ReadonlyMap<number, readonly string[]>): Vector<List<Dictionary<Utf8, Int32>>> {
  const offsets = new Int32Array(n + 1);
  for (const [i, list] of items) if (Number.isInteger(i) && i >= 0 && i < n) offsets[i + 1] = list.length; // rows outside 0…n-1 have no slot
  for (let i = 0; i < n; i++) offsets[i + 1] += offsets[i];
  const dict = new StringDictionary();
  const codes = new Int32Array(offsets[n]);
  for (const [i, list] of items) for (let k = 0; k < list.length; k++) codes[offsets[i] + k] = dict.code(list[k]);
  const valueType = new Dictionary(new Utf8(), new Int32());
  const enc = new TextEncoder();
  const bytes = dict.values.map((v) => enc.encode(v));
  const vOffsets = new Int32Array(bytes.length + 1);
  bytes.forEach((b, k) => (vOffsets[k + 1] = vOffsets[k] + b.length));
  const data = new Uint8Array(vOffsets[bytes.length]);
  bytes.forEach((b, k) => data.set(b, vOffsets[k]));
  const dictVec = makeVector(makeData({ type: new Utf8(), length: bytes.length, valueOffsets: vOffsets, data }));
  const child = makeData({ type: valueType, length: codes.length, data: codes, dictionary: dictVec });
  const type = new List(new Field('item', valueType, false));
  return makeVector(makeData({ type, length: n, nullCount: 0, valueOffsets: offsets, child }));
}

/**
 * A List<Struct> vector of `n` rows: row i holds the struct rows `offsets[i]…offsets[i+1]-1` of `fields`
 * (child vectors all of length `offsets[n]`), e.g. a flagged pair's windows nested under it. No copy of the children.
 */
export function structListVector(offsets: Int32Array, fields: Readonly<Record<string, Vector>>): Vector<List<Struct>> {
  const n = offsets.length - 1;
  const names = Object.keys(fields);
  const len = offsets[n];
  for (const k of names) if (fields[k].length !== len) throw new Error(`structListVector: field ${k} has ${fields[k].length} values, the offsets ${len}`);
  const structType = new Struct(names.map((k) => new Field(k, fields[k].type, true)));
  const child = makeData({ type: structType, length: len, nullCount: 0, children: names.map((k) => fields[k].data[0]) });
  const type = new List(new Field('item', structType, false));
  return makeVector(makeData({ type, length: n, nullCount: 0, valueOffsets: offsets, child }));
}
