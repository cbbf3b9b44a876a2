import { describe, expect, it } from 'vitest';
import {
  type CifFobParams,
  cifFobDefaults,
  cifFobRatioKernel,
  fitCifFobModel,
  predictCifFobLeaveOut,
} from '../../../src/detect/mirror/cif-fob.ts';

/** One observation or target as a plain row; booleans default to false, unit value to unknown, group to 0. */
interface Row {
  cif?: number;
  fob?: number;
  dist: number;
  contig?: boolean;
  llImp?: boolean;
  llExp?: boolean;
  uv?: number;
  group?: number;
}

/** Column arrays from rows, the shape the kernels take. */
function columns(rows: readonly Row[]) {
  return {
    cif: Float64Array.from(rows, (r) => r.cif ?? NaN),
    fob: Float64Array.from(rows, (r) => r.fob ?? NaN),
    distKm: Float64Array.from(rows, (r) => r.dist),
    contig: Uint8Array.from(rows, (r) => (r.contig ? 1 : 0)),
    llImporter: Uint8Array.from(rows, (r) => (r.llImp ? 1 : 0)),
    llExporter: Uint8Array.from(rows, (r) => (r.llExp ? 1 : 0)),
    unitValue: Float64Array.from(rows, (r) => r.uv ?? NaN),
    group: Int32Array.from(rows, (r) => r.group ?? 0),
  };
}

/** mulberry32: a small seeded generator, so the synthetic data is the same on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return { next, normal };
}

/** The coefficients the synthetic world is drawn from: b0, ln dist, contig, ll importer, ll exporter, ln uv. */
const TRUE = [-0.1, 0.02, -0.02, 0.03, 0.02, -0.01];

/** `pairs` pairs with `perPair` observations each, ln(CIF/FOB) = TRUE·x + N(0, sigma²); some unit values unknown. */
function synth(seed: number, pairs: number, perPair: number, sigma = 0.01): Row[] {
  const r = rng(seed);
  const rows: Row[] = [];
  for (let g = 0; g < pairs; g++) {
    const dist = Math.exp(5 + 4.5 * r.next());
    const contig = r.next() < 0.15;
    const llImp = r.next() < 0.1;
    const llExp = r.next() < 0.1;
    for (let k = 0; k < perPair; k++) {
      const uv = Math.exp(-2 + 10 * r.next());
      const fob = 1e4 * Math.exp(5 * r.next());
      const y = TRUE[0] + TRUE[1] * Math.log(dist) + TRUE[2] * +contig + TRUE[3] * +llImp + TRUE[4] * +llExp + TRUE[5] * Math.log(uv) + sigma * r.normal();
      rows.push({ cif: fob * Math.exp(y), fob, dist, contig, llImp, llExp, uv: r.next() < 0.1 ? NaN : uv, group: g });
    }
  }
  return rows;
}

/** Wide clips, so comparisons see the raw model rather than the clip. */
const wide: CifFobParams = { ...cifFobDefaults, minMargin: -0.9, maxMargin: 9 };

describe('cifFobDefaults', () => {
  it('hold the documented values', () => {
    expect(cifFobDefaults).toEqual({ flatRatio: 1.06, minMargin: 0, maxMargin: 0.2, minValueUsd: 1000, minFitPairs: 30, maxAbsLogRatioForFit: 0.5 });
  });
});

describe('fitCifFobModel', () => {
  it('recovers known coefficients from seeded synthetic data', () => {
    const m = fitCifFobModel(columns(synth(42, 400, 5)), cifFobDefaults)!;
    expect(m.n).toBe(2000);
    expect(Math.abs(m.coef[0] - TRUE[0])).toBeLessThan(0.01);
    for (let k = 1; k < 6; k++) expect(Math.abs(m.coef[k] - TRUE[k]), `coef ${k}`).toBeLessThan(0.003);
    // σ = 0.01, plus the 10% of rows whose unknown unit value stands in at the mean: √(0.01² + 0.1·(0.01·2.9)²) ≈ 0.014
    expect(m.rmse).toBeGreaterThan(0.012);
    expect(m.rmse).toBeLessThan(0.016);
  });

  it('clips predictions to [1 + minMargin, 1 + maxMargin] = [1, 1.2]', () => {
    const m = fitCifFobModel(columns(synth(7, 100, 3)), cifFobDefaults)!;
    // 1e9 km: ln-distance term ≈ 0.41, ratio ≈ 1.37 unclipped; 10 km with a dear product: below 1.
    expect(m.predict(1e9, false, true, true, 1)).toBe(1.2);
    expect(m.predict(10, true, false, false, 1e4)).toBe(1);
    const mid = m.predict(5000, false, false, false, 10);
    expect(mid).toBeGreaterThan(1);
    expect(mid).toBeLessThan(1.2);
    expect(mid).toBeCloseTo(Math.exp(TRUE[0] + TRUE[1] * Math.log(5000) + TRUE[5] * Math.log(10)), 2);
  });

  it('uses the sample mean ln unit value for an unknown unit value, and the flat ratio for an unknown distance', () => {
    const m = fitCifFobModel(columns(synth(7, 100, 3)), wide)!;
    expect(m.predict(2000, false, false, false, NaN)).toBe(m.predict(2000, false, false, false, Math.exp(m.meanLnUnitValue)));
    expect(m.predict(2000, false, false, false, 0)).toBe(m.predict(2000, false, false, false, NaN));
    expect(m.predict(NaN, false, false, false, 1)).toBe(1.06);
  });

  it('returns null for empty input and for one observation too few; fits at exactly minFitPairs', () => {
    expect(fitCifFobModel(columns([]), cifFobDefaults)).toBeNull();
    const rows = synth(3, 30, 1);
    expect(fitCifFobModel(columns(rows.slice(0, 29)), cifFobDefaults)).toBeNull();
    expect(fitCifFobModel(columns(rows), cifFobDefaults)?.n).toBe(30);
  });

  it('counts a value exactly at minValueUsd and a log ratio exactly at the outlier bound, not just under or over', () => {
    const base = synth(5, 29, 1);
    const p = { ...cifFobDefaults, maxAbsLogRatioForFit: Math.log(1.5) };
    const n = (extra: Row) => fitCifFobModel(columns([...base, extra]), p)?.n ?? 0;
    expect(n({ cif: 1060, fob: 1000, dist: 800 })).toBe(30);
    expect(n({ cif: 1060, fob: 999.99, dist: 800 })).toBe(0);
    expect(n({ cif: 1.5e4, fob: 1e4, dist: 800 })).toBe(30);
    expect(n({ cif: 1.5001e4, fob: 1e4, dist: 800 })).toBe(0);
    expect(n({ cif: 1e4, fob: 1.49e4, dist: 800 })).toBe(30);
    expect(n({ cif: 1e4, fob: 1.51e4, dist: 800 })).toBe(0);
  });

  it('leaves outliers, missing values and unknown distances out of the fit', () => {
    const rows = synth(11, 60, 2);
    const base = fitCifFobModel(columns(rows), cifFobDefaults)!;
    const noisy = [
      ...rows,
      { cif: 5e4, fob: 1e4, dist: 300 }, // ln 5 ≈ 1.6, beyond 0.5
      { cif: NaN, fob: 1e4, dist: 300 },
      { cif: 1e4, fob: 0, dist: 300 },
      { cif: 1.1e4, fob: 1e4, dist: NaN },
    ];
    const m = fitCifFobModel(columns(noisy), cifFobDefaults)!;
    expect(m.n).toBe(base.n);
    expect([...m.coef]).toEqual([...base.coef]);
  });

  it('stays defined when a regressor never varies (no contiguous pair, no landlocked country): its coefficient is 0', () => {
    const rows = synth(13, 200, 1).map((r) => ({ ...r, contig: false, llImp: false }));
    const m = fitCifFobModel(columns(rows), cifFobDefaults)!;
    expect(m.coef[2]).toBe(0);
    expect(m.coef[3]).toBe(0);
    expect(Math.abs(m.coef[1] - TRUE[1])).toBeLessThan(0.003);
  });

  it('fits with every unit value unknown (the unit-value term drops out)', () => {
    const rows = synth(17, 200, 1).map((r) => ({ ...r, uv: NaN }));
    const m = fitCifFobModel(columns(rows), wide)!;
    expect(m.coef[5]).toBe(0);
    expect(m.predict(1000, false, false, false, 50)).toBe(m.predict(1000, false, false, false, NaN));
  });

  it('names the array whose length differs (a missing column)', () => {
    const c = columns(synth(1, 5, 1));
    expect(() => fitCifFobModel({ ...c, unitValue: new Float64Array(2) }, cifFobDefaults)).toThrow("fitCifFobModel: 'unitValue' has 2 rows, 'cif' has 5");
    expect(() => fitCifFobModel(c, { ...cifFobDefaults, minMargin: 0.3 })).toThrow('minMargin 0.3 must be ≤ maxMargin 0.2');
  });
});

describe('cifFobRatioKernel', () => {
  it.each([
    // [case, row, expected ratio] for coefficients b0 = 0, b1 = 0.01, the rest 0.05; clip [1, 1.2]
    ['1000 km, nothing else', { dist: 1000, uv: 1 }, Math.exp(0.01 * Math.log(1000))],
    ['floored at 10 km', { dist: 0, uv: 1 }, Math.exp(0.01 * Math.log(10))],
    ['contiguous and both landlocked', { dist: 1000, contig: true, llImp: true, llExp: true, uv: 1 }, 1.2],
    ['unknown unit value: the stand-in ln uv = 1', { dist: 1000, uv: NaN }, Math.exp(0.01 * Math.log(1000) + 0.05)],
    ['unknown distance: flat', { dist: NaN, uv: 1 }, 1.06],
    ['cheap product, clipped below at 1', { dist: 1000, uv: Math.exp(-10) }, 1],
  ] as const)('%s', (_, row, expected) => {
    const out = cifFobRatioKernel(Float64Array.of(0, 0.01, 0.05, 0.05, 0.05, 0.05), 1, columns([row]), cifFobDefaults);
    expect(out[0]).toBeCloseTo(expected, 12);
  });

  it('returns an empty array for no rows', () => {
    expect(cifFobRatioKernel(new Float64Array(6), 0, columns([]), cifFobDefaults)).toEqual(new Float64Array(0));
  });
});

describe('predictCifFobLeaveOut', () => {
  /** 60 pairs × 4 flows; pair 7 sits well above the model (ln ratio 0.45, inside the 0.5 outlier bound). */
  const rows = synth(99, 60, 4).map((r) => (r.group === 7 ? { ...r, cif: r.fob! * Math.exp(0.45) } : r));
  rows[29] = { ...rows[29], uv: NaN }; // pair 7 also holds an unknown unit value: the stand-in must be recomputed
  const obs = columns(rows);
  const target = (g: number) => rows.find((r) => r.group === g)!;
  const targetsOf = (gs: number[]) => columns(gs.map((g) => (g < 0 ? { ...target(0), group: g } : target(g))));

  it('equals an explicit refit without the scored pair, and differs from the in-sample fit for an outlying pair', () => {
    const out = predictCifFobLeaveOut(obs, targetsOf([7, 12]), wide);
    for (const [k, g] of [7, 12].entries()) {
      const refit = fitCifFobModel(columns(rows.filter((r) => r.group !== g)), wide)!;
      const t = target(g);
      expect(out[k]).toBeCloseTo(refit.predict(t.dist, !!t.contig, !!t.llImp, !!t.llExp, t.uv!), 10);
    }
    const inSample = fitCifFobModel(obs, wide)!;
    const t7 = target(7);
    const p7 = inSample.predict(t7.dist, !!t7.contig, !!t7.llImp, !!t7.llExp, t7.uv!);
    // The pair's own high ratios pull the in-sample prediction up; leaving them out removes that.
    expect(p7 - out[0]).toBeGreaterThan(1e-4);
  });

  it('gives a target whose pair has no observations the full-sample model', () => {
    const full = fitCifFobModel(obs, wide)!;
    const t = target(0);
    expect(predictCifFobLeaveOut(obs, targetsOf([-1]), wide)[0]).toBeCloseTo(full.predict(t.dist, !!t.contig, !!t.llImp, !!t.llExp, t.uv!), 12);
  });

  it('falls back to the flat ratio when leaving the pair out leaves fewer than minFitPairs observations', () => {
    const p = { ...cifFobDefaults, minFitPairs: 237 }; // 240 observations, 4 per pair: 236 remain
    const out = predictCifFobLeaveOut(obs, targetsOf([7, -1]), p);
    expect(out[0]).toBe(1.06);
    expect(out[1]).not.toBe(1.06);
    const atThreshold = predictCifFobLeaveOut(obs, targetsOf([7]), { ...p, minFitPairs: 236 });
    expect(atThreshold[0]).not.toBe(1.06);
  });

  it('returns the flat ratio for every target when there is nothing to fit, and an empty array for no targets', () => {
    const none = columns([]);
    expect([...predictCifFobLeaveOut(none, targetsOf([3, -1]), cifFobDefaults)]).toEqual([1.06, 1.06]);
    expect(predictCifFobLeaveOut(obs, none, cifFobDefaults)).toEqual(new Float64Array(0));
  });

  it('clips leave-out predictions to [1, 1.2] with the defaults', () => {
    const out = predictCifFobLeaveOut(obs, columns(Array.from({ length: 60 }, (_, g) => target(g))), cifFobDefaults);
    for (const r of out) {
      expect(r).toBeGreaterThanOrEqual(1);
      expect(r).toBeLessThanOrEqual(1.2);
    }
  });

  it('names a targets array whose length differs', () => {
    expect(() => predictCifFobLeaveOut(obs, { ...targetsOf([1, 2]), group: new Int32Array(1) }, cifFobDefaults)).toThrow(
      "predictCifFobLeaveOut targets: 'group' has 1 rows, 'distKm' has 2",
    );
  });
});
