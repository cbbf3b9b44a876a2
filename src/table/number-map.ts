/**
 * A hash map from numbers to numbers over typed arrays (open addressing, linear probing): no boxed
 * keys and no per-entry objects, for the composite numeric keys detectors build per row. Keys compare
 * as `Map` keys do (NaN equals NaN, -0 equals 0).
 */
export class NumberMap {
  private keys: Float64Array;
  private vals: Float64Array;
  private used: Uint8Array;
  private mask: number;
  /** Number of keys held. */
  size = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap <<= 1;
    this.keys = new Float64Array(cap);
    this.vals = new Float64Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  /** The value of `k`, or `absent` when the map does not hold it. */
  get(k: number, absent: number): number {
    const s = this.slot(k);
    return this.used[s] ? this.vals[s] : absent;
  }

  /** Whether the map holds `k`. */
  has(k: number): boolean {
    return this.used[this.slot(k)] === 1;
  }

  /** Sets the value of `k`. */
  set(k: number, v: number): void {
    const s = this.claim(k);
    this.vals[s] = v;
  }

  /** Adds `v` to the value of `k` (a new key starts at 0). */
  add(k: number, v: number): void {
    const s = this.claim(k);
    this.vals[s] += v;
  }

  /** The slot holding `k`, or the empty slot where it would go. */
  private slot(k: number): number {
    const { keys, used, mask } = this;
    let s = hashNumber(k) & mask;
    while (used[s] && !(keys[s] === k || (k !== k && keys[s] !== keys[s]))) s = (s + 1) & mask;
    return s;
  }

  /** The slot of `k`, inserting it with value 0 when new (grows at half full). */
  private claim(k: number): number {
    let s = this.slot(k);
    if (this.used[s]) return s;
    if (2 * (this.size + 1) > this.keys.length) {
      this.grow();
      s = this.slot(k);
    }
    this.used[s] = 1;
    this.keys[s] = k === 0 ? 0 : k;
    this.vals[s] = 0;
    this.size++;
    return s;
  }

  private grow(): void {
    const { keys, vals, used } = this;
    const cap = keys.length * 2;
    this.keys = new Float64Array(cap);
    this.vals = new Float64Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
    for (let s = 0; s < keys.length; s++) {
      if (!used[s]) continue;
      const t = this.slot(keys[s]);
      this.used[t] = 1;
      this.keys[t] = keys[s];
      this.vals[t] = vals[s];
    }
  }
}

/** A 32-bit hash of a number: every bit of an integer below 2^53 counts; keys that compare equal hash equally. */
function hashNumber(k: number): number {
  let h = Math.imul((k >>> 0) ^ Math.imul((k / 4294967296) | 0, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
