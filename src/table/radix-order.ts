/**
 * Indexes 0…n-1 ordered by `key` descending, equal keys in index order (stable), by an LSD radix sort
 * over the bits of the keys (four 16-bit digits, a digit every key shares is skipped): linear, no
 * comparator calls. -0 sorts just after 0; NaN keys are not ordered meaningfully, so callers check for
 * them first.
 */
export function radixOrderDescending(key: Float64Array): Int32Array {
  const n = key.length;
  // sortable unsigned words of −key: ascending words ⇔ descending keys
  const bits = new DataView(new ArrayBuffer(8));
  let hi = new Uint32Array(n);
  let lo = new Uint32Array(n);
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    bits.setFloat64(0, -key[i], true);
    const h = bits.getUint32(4, true);
    const l = bits.getUint32(0, true);
    const negative = h >>> 31 === 1; // negatives flip entirely, positives flip the sign bit
    hi[i] = negative ? ~h >>> 0 : (h | 0x80000000) >>> 0;
    lo[i] = negative ? ~l >>> 0 : l;
    order[i] = i;
  }
  // the words move with the order, so every pass reads its input front to back
  let hi2 = new Uint32Array(n);
  let lo2 = new Uint32Array(n);
  let order2 = new Int32Array(n);
  const count = new Int32Array(65537);
  for (let pass = 0; pass < 4; pass++) {
    const shift = (pass & 1) * 16;
    const word = pass < 2 ? lo : hi;
    count.fill(0);
    for (let k = 0; k < n; k++) count[((word[k] >>> shift) & 0xffff) + 1]++;
    if (n === 0 || count[((word[0] >>> shift) & 0xffff) + 1] === n) continue;
    for (let d = 0; d < 65536; d++) count[d + 1] += count[d];
    for (let k = 0; k < n; k++) {
      const at = count[(word[k] >>> shift) & 0xffff]++;
      hi2[at] = hi[k];
      lo2[at] = lo[k];
      order2[at] = order[k];
    }
    [hi, hi2, lo, lo2, order, order2] = [hi2, hi, lo2, lo, order2, order];
  }
  return order;
}
