const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Dictionary codes for text given as UTF-8 byte ranges: each distinct byte string is decoded to a JS string
 * once, when first seen; repeats are found by hash and byte comparison against a byte arena, so a column of
 * millions of repeated values allocates nothing per row. Codes are given in first-seen order (deterministic).
 */
export class TextInterner {
  /** The distinct values, by code. */
  readonly values: string[] = [];
  private arena = new Uint8Array(4096);
  private arenaLen = 0;
  private starts = new Int32Array(256);
  private ends = new Int32Array(256);
  private hashes = new Int32Array(256);
  /** Open addressing: code + 1 per slot, 0 when empty. */
  private slots = new Int32Array(1024);

  get size(): number {
    return this.values.length;
  }

  /** The code of the bytes buf[s, e), adding them when new. */
  code(buf: Uint8Array, s: number, e: number): number {
    let h = 0x811c9dc5;
    for (let p = s; p < e; p++) h = Math.imul(h ^ buf[p], 0x01000193);
    const mask = this.slots.length - 1;
    let slot = h & mask;
    const len = e - s;
    for (;;) {
      const c = this.slots[slot] - 1;
      if (c < 0) break;
      if (this.hashes[c] === h && this.ends[c] - this.starts[c] === len && this.same(c, buf, s, len)) return c;
      slot = (slot + 1) & mask;
    }
    const code = this.values.length;
    this.values.push(decoder.decode(buf.subarray(s, e)));
    this.store(code, buf, s, e, h);
    this.slots[slot] = code + 1;
    if (code * 2 >= this.slots.length) this.rehash();
    return code;
  }

  /** The code of a JS string, adding it when new. */
  codeOf(text: string): number {
    const bytes = encoder.encode(text);
    return this.code(bytes, 0, bytes.length);
  }

  private same(c: number, buf: Uint8Array, s: number, len: number): boolean {
    const a = this.arena;
    const o = this.starts[c];
    for (let k = 0; k < len; k++) if (a[o + k] !== buf[s + k]) return false;
    return true;
  }

  private store(code: number, buf: Uint8Array, s: number, e: number, h: number): void {
    const len = e - s;
    if (this.arenaLen + len > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.arenaLen + len));
      bigger.set(this.arena.subarray(0, this.arenaLen));
      this.arena = bigger;
    }
    this.arena.set(buf.subarray(s, e), this.arenaLen);
    if (code === this.starts.length) {
      const n = code * 2;
      this.starts = grow(this.starts, n);
      this.ends = grow(this.ends, n);
      this.hashes = grow(this.hashes, n);
    }
    this.starts[code] = this.arenaLen;
    this.ends[code] = this.arenaLen + len;
    this.hashes[code] = h;
    this.arenaLen += len;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let c = 0; c < this.values.length; c++) {
      let slot = this.hashes[c] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = c + 1;
    }
    this.slots = slots;
  }
}

function grow(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
