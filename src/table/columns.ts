import {
  Bool,
  Dictionary,
  Float64,
  Int8,
  Int32,
  Utf8,
  makeData,
  makeVector,
  type Vector,
} from 'apache-arrow';

/**
 * Growable typed columns and their conversion to Arrow vectors.
 *
 * Hot loops write numbers into these (dictionary codes, NaN for a missing float, -1 for a missing
 * code); Arrow vectors are made once at the end, with validity bitmaps built from those sentinels.
 */

/** A Float64 column under construction; NaN marks null. */
export class Float64Builder {
  data: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float64Array(Math.max(16, capacity));
  }
  /** Appends one value (NaN = null). */
  push(v: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, Float64Array);
    this.data[this.length++] = v;
  }
  /** The filled part of the buffer (a view, no copy). */
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** An Int32 column under construction (codes, line numbers); the caller picks the null sentinel. */
export class Int32Builder {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  /** Appends one value. */
  push(v: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, Int32Array);
    this.data[this.length++] = v;
  }
  /** The filled part of the buffer (a view, no copy). */
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/** An Int8 column under construction (small enums and tri-state booleans; -1 = null). */
export class Int8Builder {
  data: Int8Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int8Array(Math.max(16, capacity));
  }
  /** Appends one value. */
  push(v: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, Int8Array);
    this.data[this.length++] = v;
  }
  /** The filled part of the buffer (a view, no copy). */
  view(): Int8Array {
    return this.data.subarray(0, this.length);
  }
}

/** A string dictionary: each distinct value gets the next code, in first-seen order (deterministic). */
export class StringDictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  /** The code of `s`, adding it when new. */
  code(s: string): number {
    let c = this.index.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(s);
      this.index.set(s, c);
    }
    return c;
  }
  /** The code of `s`, or -1 when absent (does not add). */
  find(s: string): number {
    return this.index.get(s) ?? -1;
  }
  get size(): number {
    return this.values.length;
  }
}

type TypedCtor<T> = { new (n: number): T };
function grow<T extends Float64Array | Int32Array | Int8Array>(a: T, ctor: TypedCtor<T>): T {
  const b = new ctor(a.length * 2);
  (b as unknown as { set(x: T): void }).set(a);
  return b;
}

/** Builds a validity bitmap from a predicate over row indexes; returns null when nothing is null. */
function validity(n: number, isValid: (i: number) => boolean): { bitmap: Uint8Array | undefined; nulls: number } {
  let nulls = 0;
  const bitmap = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    if (isValid(i)) bitmap[i >> 3] |= 1 << (i & 7);
    else nulls++;
  }
  return { bitmap: nulls ? bitmap : undefined, nulls };
}

/** A Float64 vector from values where NaN means null. Copies `values`. */
export function float64Vector(values: Float64Array): Vector<Float64> {
  const n = values.length;
  const data = Float64Array.from(values);
  const { bitmap, nulls } = validity(n, (i) => data[i] === data[i]);
  // nulls are stored as 0 so that files do not carry NaN payloads for missing numbers
  if (nulls) for (let i = 0; i < n; i++) if (data[i] !== data[i]) data[i] = 0;
  return makeVector(makeData({ type: new Float64(), length: n, nullCount: nulls, nullBitmap: bitmap, data }));
}

/** An Int32 vector; rows equal to `nullValue` (when given) become null. Copies `values`. */
export function int32Vector(values: Int32Array, nullValue?: number): Vector<Int32> {
  const n = values.length;
  const data = Int32Array.from(values);
  const { bitmap, nulls } =
    nullValue === undefined ? { bitmap: undefined, nulls: 0 } : validity(n, (i) => data[i] !== nullValue);
  return makeVector(makeData({ type: new Int32(), length: n, nullCount: nulls, nullBitmap: bitmap, data }));
}

/** An Int8 vector; rows equal to `nullValue` (when given) become null. Copies `values`. */
export function int8Vector(values: Int8Array, nullValue?: number): Vector<Int8> {
  const n = values.length;
  const data = Int8Array.from(values);
  const { bitmap, nulls } =
    nullValue === undefined ? { bitmap: undefined, nulls: 0 } : validity(n, (i) => data[i] !== nullValue);
  return makeVector(makeData({ type: new Int8(), length: n, nullCount: nulls, nullBitmap: bitmap, data }));
}

/** A Bool vector from tri-state Int8 values (1 true, 0 false, -1 null). */
export function boolVector(values: Int8Array): Vector<Bool> {
  const n = values.length;
  const data = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (values[i] === 1) data[i >> 3] |= 1 << (i & 7);
  const { bitmap, nulls } = validity(n, (i) => values[i] >= 0);
  return makeVector(makeData({ type: new Bool(), length: n, nullCount: nulls, nullBitmap: bitmap, data }));
}

/** A plain Utf8 vector from a small string array (dictionaries, not row data). */
export function utf8Vector(values: readonly (string | null)[]): Vector<Utf8> {
  const enc = new TextEncoder();
  const parts = values.map((v) => (v === null ? new Uint8Array(0) : enc.encode(v)));
  const offsets = new Int32Array(values.length + 1);
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i] + parts[i].length;
  const data = new Uint8Array(offsets[values.length]);
  for (let i = 0; i < parts.length; i++) data.set(parts[i], offsets[i]);
  const { bitmap, nulls } = validity(values.length, (i) => values[i] !== null);
  return makeVector(
    makeData({ type: new Utf8(), length: values.length, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, data }),
  );
}

/**
 * A Dictionary<Utf8, Int32> vector from codes into `dictionary`; code -1 is null.
 * Codes are compacted to the values actually used, in order of first use, so that a filtered column
 * does not carry the whole source dictionary and the same rows always give the same bytes.
 */
export function dictionaryVector(codes: Int32Array, dictionary: readonly string[]): Vector<Dictionary<Utf8, Int32>> {
  const n = codes.length;
  const remap = new Int32Array(dictionary.length).fill(-1);
  const used: string[] = [];
  const data = new Int32Array(n);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    if (c < 0) {
      data[i] = 0;
      nulls++;
      continue;
    }
    let r = remap[c];
    if (r < 0) {
      r = remap[c] = used.length;
      used.push(dictionary[c]);
    }
    data[i] = r;
  }
  const { bitmap } = nulls ? validity(n, (i) => codes[i] >= 0) : { bitmap: undefined };
  const type = new Dictionary(new Utf8(), new Int32());
  return makeVector(
    makeData({ type, length: n, nullCount: nulls, nullBitmap: bitmap, data, dictionary: utf8Vector(used) }),
  );
}

/** Gathers `src[rows[i]]` into a new array of the same kind (a columnar `take`). */
export function take<T extends Float64Array | Int32Array | Int8Array>(src: T, rows: Int32Array): T {
  const out = new (src.constructor as TypedCtor<T>)(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = src[rows[i]];
  return out;
}
