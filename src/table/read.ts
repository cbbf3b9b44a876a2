import { DataType, type Data, type Table, type Vector } from 'apache-arrow';
import { StringDictionary } from './columns.ts';

/** A text column as dictionary codes over one string list; -1 is null. */
export interface CodedColumn {
  codes: Int32Array;
  values: string[];
}

/** Throws naming the column when a table lacks it (detectors state what they need). */
export function requireColumn(table: Table, name: string, who: string): Vector {
  const v = table.getChild(name);
  if (!v) {
    const has = table.schema.fields.map((f) => f.name).join(', ');
    throw new Error(`${who}: missing column '${name}' (has: ${has || 'none'})`);
  }
  return v;
}

/**
 * Reads a text column (dictionary-encoded or plain Utf8; a Date32/Date64 column as `YYYY-MM-DD` text) as codes over one dictionary, unifying the
 * per-batch dictionaries a Parquet read may give. No per-row objects for dictionary columns.
 */
export function readCodes(table: Table, name: string, who = 'readCodes'): CodedColumn {
  const vec = requireColumn(table, name, who);
  const dict = new StringDictionary();
  const codes = new Int32Array(table.numRows);
  let offset = 0;
  for (const data of vec.data as Data[]) {
    const n = data.length;
    if (DataType.isDictionary(data.type)) {
      const d = data.dictionary!;
      const remap = new Int32Array(d.length);
      for (let k = 0; k < d.length; k++) remap[k] = dict.code(String(d.get(k)));
      const idx = data.values as Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array;
      const valid = validityOf(data);
      let identity = idx instanceof Int32Array;
      for (let k = 0; identity && k < remap.length; k++) identity = remap[k] === k;
      if (!valid && identity) codes.set((idx as Int32Array).subarray(0, n), offset); // the codes are the indices: a block copy
      else if (!valid && remap.length === 1) codes.fill(remap[0], offset, offset + n); // one value (a period, a source): every row has it
      else if (!valid) for (let i = 0; i < n; i++) codes[offset + i] = remap[idx[i]];
      else for (let i = 0; i < n; i++) codes[offset + i] = valid(i) ? remap[idx[i]] : -1;
    } else if (DataType.isDate(data.type)) {
      // a calendar date reads as its `YYYY-MM-DD` text (an output's Date32 `date` read back as input)
      const chunk = vec.data.length === 1 ? vec : null;
      const byDay = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const v = chunk ? chunk.get(i) : (vec.get(offset + i) as unknown);
        if (v === null || v === undefined) {
          codes[offset + i] = -1;
          continue;
        }
        const ms = Number(v);
        let c = byDay.get(ms);
        if (c === undefined) byDay.set(ms, (c = dict.code(new Date(ms).toISOString().slice(0, 10))));
        codes[offset + i] = c;
      }
    } else {
      const chunk = vec.data.length === 1 ? vec : null;
      for (let i = 0; i < n; i++) {
        const v = chunk ? chunk.get(i) : (vec.get(offset + i) as unknown);
        codes[offset + i] = v === null || v === undefined ? -1 : dict.code(String(v));
      }
    }
    offset += n;
  }
  return { codes, values: dict.values };
}

/** Reads a numeric column as Float64 with NaN for null (Int64 BigInts become numbers). */
export function readFloats(table: Table, name: string, who = 'readFloats'): Float64Array {
  const vec = requireColumn(table, name, who);
  const out = new Float64Array(table.numRows);
  let offset = 0;
  for (const data of vec.data as Data[]) {
    const n = data.length;
    const values = data.values as ArrayLike<number | bigint>;
    const plain = DataType.isFloat(data.type) || DataType.isInt(data.type);
    const valid = validityOf(data);
    if (plain && !(values instanceof BigInt64Array || values instanceof BigUint64Array)) {
      // numbers already: a typed copy converts exactly as Number() would
      if (valid && !DataType.isUnion(data.type) && data.nullCount >= n) out.fill(NaN, offset, offset + n); // all null (a column never filled)
      else {
        out.set((values as Float64Array).subarray(0, n), offset);
        if (valid) for (let i = 0; i < n; i++) if (!valid(i)) out[offset + i] = NaN;
      }
    } else {
      for (let i = 0; i < n; i++) {
        if (valid && !valid(i)) out[offset + i] = NaN;
        else out[offset + i] = plain ? Number(values[i]) : Number(vec.get(offset + i));
      }
    }
    offset += n;
  }
  return out;
}

/**
 * Validity test of one chunk read straight from its bitmap, as `Data.getValid` decides it; null when
 * every row is valid (the common case, no test per row).
 */
function validityOf(data: Data): ((i: number) => boolean) | null {
  if (DataType.isUnion(data.type)) return (i) => data.getValid(i);
  if (!(data.nullable && data.nullCount > 0)) return null;
  const bits = data.nullBitmap as Uint8Array;
  const at = data.offset;
  return (i) => (bits[(at + i) >> 3] & (1 << ((at + i) & 7))) !== 0;
}
