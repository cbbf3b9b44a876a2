/** A key column for {@link groupRows}: dictionary codes, small ints or float values (NaN = null). */
export type KeyColumn = Int32Array | Int8Array | Float64Array;

/** Result of {@link groupRows}: rows align 1:1 with the input selection. */
export interface Grouping {
  /** Group id of each selected row (0-based, in order of first appearance). */
  groupOf: Int32Array;
  /** Number of distinct keys. */
  groups: number;
  /** The first selected row (an index into the key columns) of each group. */
  firstRow: Int32Array;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * Groups rows by equal values across `keys` with an open-addressing hash table over typed arrays
 * (no per-row objects, no string keys). `rows` selects and orders the rows to group (default: all).
 * Group ids follow first appearance in `rows`, so the result is deterministic. NaN equals NaN.
 * Integer keys whose value ranges multiply to under 2^53 are packed into one number per row first:
 * a direct-indexed table when that key space is small, else one hash probe with no per-column compare.
 */
export function groupRows(keys: readonly KeyColumn[], n: number, rows?: Int32Array): Grouping {
  const m = rows ? rows.length : n;
  const packed = packKeys(keys, m, rows);
  if (packed && packed.span <= 4 * m + 4096) return groupDirect(packed.key, packed.span, rows);
  if (packed) return groupPacked(packed.key, rows);
  return groupGeneric(keys, m, rows);
}

/** One key per selected row: the integer columns combined in mixed radix (offset by each column's minimum); null when a column is not integer or the product of ranges reaches 2^53. */
function packKeys(keys: readonly KeyColumn[], m: number, rows?: Int32Array): { key: Float64Array; span: number } | null {
  if (!keys.every((c) => c instanceof Int32Array || c instanceof Int8Array)) return null;
  const lo: number[] = [];
  const range: number[] = [];
  let span = 1;
  for (const col of keys) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < m; i++) {
      const v = col[rows ? rows[i] : i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (m === 0) min = max = 0;
    lo.push(min);
    range.push(max - min + 1);
    span *= max - min + 1;
    if (span >= 2 ** 53) return null;
  }
  const key = new Float64Array(m);
  for (let k = 0; k < keys.length; k++) {
    const col = keys[k];
    const min = lo[k];
    const r = range[k];
    for (let i = 0; i < m; i++) key[i] = key[i] * r + (col[rows ? rows[i] : i] - min);
  }
  return { key, span };
}

/** Grouping of packed keys by a table indexed by the key itself (no hashing). */
function groupDirect(key: Float64Array, span: number, rows?: Int32Array): Grouping {
  const m = key.length;
  const idOf = new Int32Array(span).fill(-1);
  const groupOf = new Int32Array(m);
  const first: number[] = [];
  for (let i = 0; i < m; i++) {
    const k = key[i] | 0; // below the span, so an int
    let g = idOf[k];
    if (g < 0) {
      g = idOf[k] = first.length;
      first.push(rows ? rows[i] : i);
    }
    groupOf[i] = g;
  }
  return { groupOf, groups: first.length, firstRow: Int32Array.from(first) };
}

/** Grouping of packed keys (integers below 2^53) with an open-addressing hash table. */
function groupPacked(key: Float64Array, rows?: Int32Array): Grouping {
  const m = key.length;
  let cap = 16;
  while (cap < m * 2) cap <<= 1;
  const mask = cap - 1;
  const slots = new Int32Array(cap).fill(-1); // group id per slot
  const groupKey: number[] = [];
  const groupOf = new Int32Array(m);
  const first: number[] = [];
  for (let i = 0; i < m; i++) {
    const k = key[i];
    let s = fmix(mix(k >>> 0, (k / 4294967296) | 0)) & mask;
    for (;;) {
      const g = slots[s];
      if (g < 0) {
        slots[s] = groupOf[i] = first.length;
        first.push(rows ? rows[i] : i);
        groupKey.push(k);
        break;
      }
      if (groupKey[g] === k) {
        groupOf[i] = g;
        break;
      }
      s = (s + 1) & mask;
    }
  }
  return { groupOf, groups: first.length, firstRow: Int32Array.from(first) };
}

function groupGeneric(keys: readonly KeyColumn[], m: number, rows?: Int32Array): Grouping {
  let cap = 16;
  while (cap < m * 2) cap <<= 1;
  const mask = cap - 1;
  const slots = new Int32Array(cap).fill(-1); // group id per slot
  const slotHash = new Int32Array(cap);
  const groupOf = new Int32Array(m);
  let firstRow = new Int32Array(Math.max(16, m >> 2));
  let groups = 0;
  for (let i = 0; i < m; i++) {
    const r = rows ? rows[i] : i;
    const h = hashRow(keys, r);
    let s = h & mask;
    for (;;) {
      const g = slots[s];
      if (g < 0) {
        if (groups === firstRow.length) {
          const bigger = new Int32Array(firstRow.length * 2);
          bigger.set(firstRow);
          firstRow = bigger;
        }
        firstRow[groups] = r;
        slots[s] = groups;
        slotHash[s] = h;
        groupOf[i] = groups++;
        break;
      }
      if (slotHash[s] === h && sameRow(keys, firstRow[g], r)) {
        groupOf[i] = g;
        break;
      }
      s = (s + 1) & mask;
    }
  }
  return { groupOf, groups, firstRow: firstRow.slice(0, groups) };
}
function hashRow(keys: readonly KeyColumn[], r: number): number {
  let h = 0x811c9dc5 | 0;
  for (let k = 0; k < keys.length; k++) {
    const col = keys[k];
    if (col instanceof Float64Array) {
      const v = col[r];
      f64[0] = v !== v ? NaN : v === 0 ? 0 : v; // one NaN and one zero, so equal values hash equally
      h = mix(h, u32[0]);
      h = mix(h, u32[1]);
    } else {
      h = mix(h, col[r]);
    }
  }
  return fmix(h);
}

function sameRow(keys: readonly KeyColumn[], a: number, b: number): boolean {
  for (let k = 0; k < keys.length; k++) {
    const col = keys[k];
    const x = col[a];
    const y = col[b];
    if (x !== y && !(x !== x && y !== y)) return false;
  }
  return true;
}

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x01000193);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
