/**
 * A seeded pseudo-random generator (sfc32, seeded by a 128-bit string hash) with the draws the synthetic
 * world needs. Pure and deterministic: the same label gives the same stream on every machine.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Starts the stream named `label` (e.g. `synth:101`); the label, not call order, fixes the stream. */
  constructor(readonly label: string) {
    [this.a, this.b, this.c, this.d] = hash128(label);
    for (let i = 0; i < 12; i++) this.next(); // sfc32 mixes poorly in its first outputs
  }

  /**
   * An independent stream for one concern (`rng.fork('routes')`): its draws never shift this stream's,
   * so adding a phenomenon does not reshuffle the others of a seed.
   */
  fork(label: string): Rng {
    return new Rng(`${this.label}/${label}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform in a `[lo, hi]` knob range. */
  within(range: readonly [number, number]): number {
    return this.uniform(range[0], range[1]);
  }

  /** Log-uniform in [lo, hi): for prices and sizes that span a factor rather than a difference. */
  logUniform(lo: number, hi: number): number {
    return Math.exp(this.uniform(Math.log(lo), Math.log(hi)));
  }

  /** Integer uniform in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Integer in a `[lo, hi]` knob range, both included. */
  intWithin(range: readonly [number, number]): number {
    return this.int(Math.round(range[0]), Math.round(range[1]));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Normal draw (Box–Muller; one draw per call, so the stream does not depend on a cached spare). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Lognormal draw exp(N(mu, sigma)). */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** Multiplicative noise with mean 1: exp(N(-sigma²/2, sigma)); exactly 1 when sigma is 0. */
  noise(sigma: number): number {
    return sigma === 0 ? 1 : Math.exp(this.normal(-(sigma * sigma) / 2, sigma));
  }

  /** Poisson count: Knuth's product method below 30, a rounded normal above (the tail matters little here). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda >= 30) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** One element, uniformly; throws on an empty list (a caller bug, not a data condition). */
  pick<T>(items: readonly T[]): T {
    if (!items.length) throw new Error(`Rng.pick: empty list (${this.label})`);
    return items[Math.floor(this.next() * items.length)];
  }

  /** One element with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    if (!items.length || !(total > 0)) throw new Error(`Rng.weighted: nothing to pick (${this.label})`);
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** Up to `k` distinct elements, drawn with probability proportional to weight, in draw order. */
  sampleWeighted<T>(items: readonly T[], weights: readonly number[], k: number): T[] {
    const pool = items.map((item, i) => ({ item, w: weights[i] }));
    const out: T[] = [];
    while (out.length < k && pool.length) {
      const i = this.weighted(
        pool.map((_, j) => j),
        pool.map((p) => p.w),
      );
      out.push(pool[i].item);
      pool.splice(i, 1);
    }
    return out;
  }
}

/** cyrb128: four 32-bit words from a string, enough to seed sfc32 apart for nearby labels. */
function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}
