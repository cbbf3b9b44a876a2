import {
  Bool,
  DateDay,
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
  // rows up to the first null need no write (often all of them: then no bitmap)
  let i = 0;
  while (i < n && data[i] === data[i]) i++;
  let nulls = 0;
  let bitmap: Uint8Array | undefined;
  if (i < n) {
    bitmap = new Uint8Array((n + 7) >> 3);
    bitmap.fill(255, 0, i >> 3);
    const from = i & ~7;
    let valid = 0;
    for (i = from; i < n; i++) {
      const v = data[i];
      const ok = v === v ? 1 : 0;
      data[i] = ok ? v : 0; // nulls are stored as 0 so that files do not carry NaN payloads for missing numbers
      bitmap[i >> 3] |= ok << (i & 7);
      valid += ok;
    }
    nulls = n - from - valid;
  }
  return makeVector(makeData({ type: new Float64(), length: n, nullCount: nulls, nullBitmap: bitmap, data }));
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

/** Days since 1970-01-01 of a `YYYY-MM-DD` text (a real calendar day), else NaN. */
export function epochDayOf(text: string | null | undefined): number {
  if (typeof text !== 'string') return NaN;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return NaN;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2024-02-30 over into March: only a day that reads back the same is a date
  return new Date(ms).toISOString().slice(0, 10) === text ? ms / 86_400_000 : NaN;
}

/** `YYYY-MM-DD` of a day count since 1970-01-01. */
export function isoDayOf(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** An Arrow Date32 (days since 1970-01-01) vector from day counts where NaN means null. Copies `days`. */
export function dateVector(days: Float64Array): Vector<DateDay> {
  const n = days.length;
  const data = new Int32Array(n);
  const { bitmap, nulls } = validity(n, (i) => days[i] === days[i]);
  for (let i = 0; i < n; i++) data[i] = days[i] === days[i] ? days[i] : 0;
  return makeVector(makeData({ type: new DateDay(), length: n, nullCount: nulls, nullBitmap: bitmap, data }));
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
 * does not carry the whole source dictionary and the same rows always give the same bytes. Copies `codes`
 * ({@link dictionaryVectorInPlace} takes them over).
 */
export function dictionaryVector(codes: Int32Array, dictionary: readonly string[]): Vector<Dictionary<Utf8, Int32>> {
  return dictionaryVectorInPlace(codes.slice(), dictionary);
}

/**
 * The vector {@link dictionaryVector} makes, from codes that are already compacted (0… in order of first use
 * into `used`, -1 null), taking `codes` over. `nulls`: whether any code may be -1 (else no pass over the rows).
 */
export function compactDictionaryVector(codes: Int32Array, used: readonly string[], nulls: boolean): Vector<Dictionary<Utf8, Int32>> {
  const n = codes.length;
  let nullCount = 0;
  let bitmap: Uint8Array | undefined;
  if (nulls) {
    bitmap = new Uint8Array((n + 7) >> 3);
    nullCount = nullsToZero(codes, bitmap);
    if (!nullCount) bitmap = undefined;
  }
  const type = new Dictionary(new Utf8(), new Int32());
  return makeVector(makeData({ type, length: n, nullCount, nullBitmap: bitmap, data: codes, dictionary: utf8Vector(used) }));
}

/**
 * {@link dictionaryVector}, taking `codes` over and rewriting them: codes with no null are remapped with no
 * test per row, nulls are handled without a branch per row.
 */
export function dictionaryVectorInPlace(codes: Int32Array, dictionary: readonly string[]): Vector<Dictionary<Utf8, Int32>> {
  const n = codes.length;
  // output code of code + 1 (slot 0: null, written as 0); -1 until first used
  const remap = new Int32Array(dictionary.length + 1).fill(-1);
  remap[0] = 0;
  const used: number[] = [];
  let nullCount = 0;
  let bitmap: Uint8Array | undefined;
  let i = 0;
  for (; i < n; i++) {
    const c = codes[i];
    if (c < 0) break;
    let r = remap[c + 1];
    if (r < 0) r = remap[c + 1] = used.push(c) - 1;
    codes[i] = r;
  }
  if (i < n) {
    // the first null, at i: rows before it are valid
    bitmap = new Uint8Array((n + 7) >> 3);
    bitmap.fill(255, 0, i >> 3);
    for (let j = i & ~7; j < i; j++) bitmap[j >> 3] |= 1 << (j & 7);
    const from = i;
    let valid = 0;
    for (; i < n; i++) {
      const c = codes[i];
      let r = remap[c + 1];
      if (r < 0) r = remap[c + 1] = used.push(c) - 1;
      codes[i] = r;
      const ok = (~c >>> 31) & 1;
      bitmap[i >> 3] |= ok << (i & 7);
      valid += ok;
    }
    nullCount = n - from - valid;
  }
  const type = new Dictionary(new Utf8(), new Int32());
  return makeVector(
    makeData({ type, length: n, nullCount, nullBitmap: nullCount ? bitmap : undefined, data: codes, dictionary: utf8Vector(used.map((c) => dictionary[c])) }),
  );
}

/** Writes 0 over the negative codes and sets the validity bits of the others; returns the number of nulls. */
function nullsToZero(codes: Int32Array, bitmap: Uint8Array): number {
  const n = codes.length;
  let valid = 0;
  for (let i = 0; i < n; i += 8) {
    let byte = 0;
    const m = n - i < 8 ? n - i : 8;
    for (let bit = 0; bit < m; bit++) {
      const c = codes[i + bit];
      const ok = (~c >>> 31) & 1;
      codes[i + bit] = c & -ok;
      byte |= ok << bit;
      valid += ok;
    }
    bitmap[i >> 3] = byte;
  }
  return n - valid;
}

/** Gathers `src[rows[i]]` into a new array of the same kind (a columnar `take`). */
export function take<T extends Float64Array | Int32Array | Int8Array>(src: T, rows: Int32Array): T {
  const out = new (src.constructor as TypedCtor<T>)(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = src[rows[i]];
  return out;
}
