import { Table } from 'apache-arrow';
import { medianSorted } from 'simple-statistics';
import { StringDictionary, dictionaryVector, float64Vector, int32Vector } from '../../table/columns.ts';
import { groupRows } from '../../table/group.ts';

/** Per reporter and year, σ of {@link reporterReliability} and its table. */
export interface ReporterReliability {
  /** σ of country code `c` in year `y`; the floor when it has no observation. */
  sigma(c: number, y: number): number;
  /** One row per reporter-year: pairs, typical |log ratio| and reliability, by year then country code. */
  table(countryNames: readonly string[]): Table;
}

/** Reliability in (0, 1] from a reporter's typical |log ratio| σ: 1 at the floor, ½ at 2× … */
export function reliabilityOf(sigma: number): number {
  return Math.min(1, 0.05 / sigma);
}

/**
 * Per reporter and year, how far its records typically are from its partners': a robust two-way split
 * of |log ratio| into an exporter part and an importer part (median polish, 10 rounds), so a reporter
 * is not blamed for partners that are always off. Rows with a null `lr` or `use(i)` false are left out.
 * Returns σ per reporter-year (floored). Medians by selection, not sorting (see {@link Middles}).
 */
export function reporterReliability(e: Int32Array, im: Int32Array, year: Int32Array, lr: Float64Array, use: (i: number) => boolean, floor: number): ReporterReliability {
  const idx: number[] = [];
  for (let i = 0; i < lr.length; i++) if (lr[i] === lr[i] && use(i)) idx.push(i);
  const m = idx.length;
  // each observation counts for both reporters: slot 2k is the exporter's, 2k+1 the importer's
  const who = new Int32Array(2 * m);
  const yr = new Int32Array(2 * m);
  const absLr = new Float64Array(2 * m);
  for (let k = 0; k < m; k++) {
    who[2 * k] = e[idx[k]];
    who[2 * k + 1] = im[idx[k]];
    yr[2 * k] = yr[2 * k + 1] = year[idx[k]];
    absLr[2 * k] = absLr[2 * k + 1] = Math.abs(lr[idx[k]]);
  }
  const g = groupRows([who, yr], 2 * m);
  const start = new Int32Array(g.groups + 1);
  for (let s = 0; s < 2 * m; s++) start[g.groupOf[s] + 1]++;
  for (let q = 0; q < g.groups; q++) start[q + 1] += start[q];
  const cursor = start.slice(0, g.groups);
  const slots = new Int32Array(2 * m);
  for (let s = 0; s < 2 * m; s++) slots[cursor[g.groupOf[s]]++] = s;
  // the group of the partner's slot of the same observation, per slot in group order
  const otherGroup = new Int32Array(2 * m);
  for (let k = 0; k < 2 * m; k++) otherGroup[k] = g.groupOf[slots[k] ^ 1];
  const absInOrder = new Float64Array(2 * m);
  for (let k = 0; k < 2 * m; k++) absInOrder[k] = absLr[slots[k]];
  // effects of every round so far: round r uses effects[r] and gives effects[r + 1]
  const effects = [new Float64Array(g.groups)];
  const middles = new Middles(2 * m, g.groups);
  for (let round = 0; round < 10; round++) {
    const effect = effects[round];
    // the polish tends to alternate, so the round before last may be the nearer reference
    const ref = middles.reference(effects, round);
    const next = new Float64Array(g.groups);
    for (let q = 0; q < g.groups; q++) {
      next[q] = Math.max(0, middles.median(round, q, start[q], start[q + 1], absInOrder, otherGroup, effect, ref));
    }
    effects.push(next);
  }
  const effect = effects[10];
  const keyOf = new Map<number, number>();
  for (let q = 0; q < g.groups; q++) keyOf.set(yr[g.firstRow[q]] * 4096 + who[g.firstRow[q]], q);
  return {
    sigma: (c, y) => {
      const q = keyOf.get(y * 4096 + c);
      return q === undefined ? floor : Math.max(floor, effect[q]);
    },
    table(countryNames) {
      const order = [...keyOf.entries()].sort((x, z) => x[0] - z[0]).map(([, q]) => q);
      const dict = new StringDictionary();
      const rc = Int32Array.from(order, (q) => dict.code(countryNames[who[g.firstRow[q]]]));
      const sig = Float64Array.from(order, (q) => Math.max(floor, effect[q]));
      return new Table({
        reporter: dictionaryVector(rc, dict.values),
        year: int32Vector(Int32Array.from(order, (q) => yr[g.firstRow[q]])),
        pairs: int32Vector(Int32Array.from(order, (q) => start[q + 1] - start[q])),
        typical_abs_log_ratio: float64Vector(sig),
        reliability: float64Vector(Float64Array.from(sig, reliabilityOf)),
      });
    },
  };
}

/**
 * Medians of the polish rounds, each exactly as `medianSorted` gives it on the sorted values of
 * `abs[k] − effect[other[k]]` over a group's slots (up to the sign of a zero, which the caller's
 * `max(0, ·)` erases). Between two rounds every value moves by at most the largest change of an
 * effect, so a group's two middle values stay that close to the earlier round's: one pass counts the
 * values below that bracket and selects among the few inside it. When the counts show the bracket
 * missed (and in the first round) the whole group is selected by quickselect, or sorted when it holds a NaN.
 */
class Middles {
  private readonly buf: Float64Array;
  private readonly lower: Float64Array[] = []; // per round, per group: the lower middle value
  private readonly upper: Float64Array[] = []; // … and the upper one (the same when the count is odd)
  constructor(slots: number, private readonly groups: number) {
    this.buf = new Float64Array(slots);
  }

  /** The earlier round (of the last two) whose effects are nearest those of `round`, with that distance; drift Infinity when none. */
  reference(effects: readonly Float64Array[], round: number): { round: number; drift: number } {
    let best = { round: -1, drift: Infinity };
    for (let r = Math.max(0, round - 2); r < round; r++) {
      let drift = 0;
      for (let q = 0; q < this.groups; q++) drift = Math.max(drift, Math.abs(effects[round][q] - effects[r][q]));
      if (drift < best.drift) best = { round: r, drift }; // a NaN drift is never below: no reference
    }
    return best;
  }

  median(round: number, q: number, from: number, to: number, abs: Float64Array, other: Int32Array, effect: Float64Array, ref: { round: number; drift: number }): number {
    if (!this.lower[round]) {
      this.lower[round] = new Float64Array(this.groups).fill(NaN);
      this.upper[round] = new Float64Array(this.groups).fill(NaN);
    }
    const len = to - from;
    const k = (len - 1) >> 1; // rank of the lower middle value; the upper one is k + 1 when len is even
    const last = len % 2 === 1 ? k : k + 1;
    const buf = this.buf;
    if (ref.round >= 0) {
      const a = this.lower[ref.round][q];
      const b = this.upper[ref.round][q];
      const slack = ref.drift + 1e-9 * (Math.abs(a) + Math.abs(b) + ref.drift); // room for rounding
      const lo = a - slack;
      const hi = b + slack;
      let below = 0;
      let inside = 0;
      // branch-free (the comparisons are coin flips): every value is written, only those inside are kept;
      // a NaN is neither below nor inside, so it counts as above, where sorting puts it too
      for (let j = from; j < to; j++) {
        const v = abs[j] - effect[other[j]];
        below += +(v < lo);
        buf[from + inside] = v;
        inside += +(v >= lo) & +(v <= hi);
      }
      if (below <= k && last < below + inside) return this.settle(round, q, from, from + inside - 1, from + k - below, len);
    }
    for (let j = from; j < to; j++) buf[j] = abs[j] - effect[other[j]];
    for (let j = from; j < to; j++) if (buf[j] !== buf[j]) return medianSorted(buf.subarray(from, to).sort() as unknown as number[]);
    return this.settle(round, q, from, to - 1, from + k, len);
  }

  /** Selects rank `at` of `buf[lo..hi]` (and the next value up when `len` is even), keeps both for later rounds, and interpolates as medianSorted does. */
  private settle(round: number, q: number, lo: number, hi: number, at: number, len: number): number {
    const x = select(this.buf, lo, hi, at);
    let y = x;
    if (len % 2 === 0) {
      y = Infinity; // the next value up: the smallest right of the selected one
      for (let j = at + 1; j <= hi; j++) if (this.buf[j] < y) y = this.buf[j];
    }
    this.lower[round][q] = x;
    this.upper[round][q] = y;
    return len % 2 === 1 ? x : x + 0.5 * (y - x); // medianSorted's interpolation, term for term
  }
}

/** Moves the k-th smallest of `a[lo..hi]` to index k, smaller ones left of it and larger right (Hoare). */
function select(a: Float64Array, lo: number, hi: number, k: number): number {
  while (lo < hi) {
    const p = median3(a[lo], a[(lo + hi) >> 1], a[hi]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break; // between j and i every value equals the pivot
  }
  return a[k];
}

function median3(x: number, y: number, z: number): number {
  return x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
}
