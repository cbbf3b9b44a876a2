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

/** Validity of an Int32/Int8 column whose null rows hold `nullValue` (bitmap undefined when none is null). */
function sentinelValidity(data: Int32Array | Int8Array, nullValue: number): { bitmap: Uint8Array | undefined; nulls: number } {
  const n = data.length;
  let nulls = 0;
  for (let i = 0; i < n; i++) if (data[i] === nullValue) nulls++;
  if (!nulls) return { bitmap: undefined, nulls };
  const bitmap = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (data[i] !== nullValue) bitmap[i >> 3] |= 1 << (i & 7);
  return { bitmap, nulls };
}

/** A Float64 vector from values where NaN means null. Copies `values`, unless `inPlace` (the vector then takes them over: nulls are zeroed in place). */
export function float64Vector(values: Float64Array, inPlace = false): Vector<Float64> {
  const n = values.length;
  const data = inPlace ? values : values.slice();
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0, b = 0; i < n; b++) {
    let byte = 0;
    for (let bit = 0; bit < 8 && i < n; bit++, i++) {
      if (data[i] === data[i]) byte |= 1 << bit;
      else {
        data[i] = 0; // nulls are stored as 0 so that files do not carry NaN payloads for missing numbers
        nulls++;
      }
    }
    bitmap[b] = byte;
  }
  return makeVector(makeData({ type: new Float64(), length: n, nullCount: nulls, nullBitmap: nulls ? bitmap : undefined, data }));
}

/** An Int32 vector; rows equal to `nullValue` (when given) become null. Copies `values`. */
export function int32Vector(values: Int32Array, nullValue?: number): Vector<Int32> {
  const n = values.length;
  const data = values.slice();
  const { bitmap, nulls } = nullValue === undefined ? { bitmap: undefined, nulls: 0 } : sentinelValidity(data, nullValue);
  return makeVector(makeData({ type: new Int32(), length: n, nullCount: nulls, nullBitmap: bitmap, data }));
}

/** An Int8 vector; rows equal to `nullValue` (when given) become null. Copies `values`. */
export function int8Vector(values: Int8Array, nullValue?: number): Vector<Int8> {
  const n = values.length;
  const data = values.slice();
  const { bitmap, nulls } = nullValue === undefined ? { bitmap: undefined, nulls: 0 } : sentinelValidity(data, nullValue);
  return makeVector(makeData({ type: new Int8(), length: n, nullCount: nulls, nullBitmap: bitmap, data }));
}

/** A Bool vector from tri-state Int8 values (1 true, 0 false, -1 null). */
export function boolVector(values: Int8Array): Vector<Bool> {
  const n = values.length;
  const data = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (values[i] === 1) data[i >> 3] |= 1 << (i & 7);
    else if (values[i] < 0) nulls++;
  }
  let bitmap: Uint8Array | undefined;
  if (nulls) {
    bitmap = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < n; i++) if (values[i] >= 0) bitmap[i >> 3] |= 1 << (i & 7);
  }
  return makeVector(makeData({ type: new Bool(), length: n, nullCount: nulls, nullBitmap: bitmap, data }));
}

/** A plain Utf8 vector from a small string array (dictionaries, not row data). */
export function utf8Vector(values: readonly (string | null)[]): Vector<Utf8> {
  let capacity = 0;
  for (const v of values) if (v !== null) capacity += 3 * v.length; // UTF-8 takes at most 3 bytes per UTF-16 unit
  const bytes = new Uint8Array(capacity);
  const offsets = new Int32Array(values.length + 1);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null) at = writeUtf8(v, bytes, at);
    offsets[i + 1] = at;
  }
  const data = bytes.slice(0, at);
  const { bitmap, nulls } = validity(values.length, (i) => values[i] !== null);
  return makeVector(
    makeData({ type: new Utf8(), length: values.length, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, data }),
  );
}

const utf8 = new TextEncoder();

/** Writes `s` as UTF-8 at `at` and returns the end: ASCII byte by byte, the rest through the encoder (no copy per string). */
function writeUtf8(s: string, out: Uint8Array, at: number): number {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0x80) return at + utf8.encodeInto(s, out.subarray(at)).written;
    out[at + k] = c;
  }
  return at + s.length;
}

/**
 * A Dictionary<Utf8, Int32> vector from codes into `dictionary`; code -1 is null.
 * Codes are compacted to the values actually used, in order of first use, so that a filtered column
 * does not carry the whole source dictionary and the same rows always give the same bytes.
 * `inPlace`: the vector takes `codes` over and rewrites them, rather than writing a copy.
 */
export function dictionaryVector(codes: Int32Array, dictionary: readonly string[], inPlace = false): Vector<Dictionary<Utf8, Int32>> {
  const n = codes.length;
  const remap = new Int32Array(dictionary.length).fill(-1);
  const used: string[] = [];
  const data = inPlace ? codes : new Int32Array(n);
  let nulls = 0;
  let bitmap: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    if (c < 0) {
      if (!nulls++) {
        // the first null: rows before it were all valid
        bitmap = new Uint8Array((n + 7) >> 3);
        for (let j = 0; j < i; j++) bitmap[j >> 3] |= 1 << (j & 7);
      }
      data[i] = 0;
      continue;
    }
    let r = remap[c];
    if (r < 0) {
      r = remap[c] = used.length;
      used.push(dictionary[c]);
    }
    data[i] = r;
    if (nulls) bitmap![i >> 3] |= 1 << (i & 7);
  }
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
