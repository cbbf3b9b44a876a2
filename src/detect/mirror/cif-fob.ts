/**
 * The CIF/FOB margin model (domain.md §2): ln(CIF/FOB) regressed across pairs on distance, contiguity,
 * landlockedness and product unit value, as CEPII BACI does. A pair is never scored from its own history
 * (that would absorb persistent misinvoicing, the thing to detect), hence {@link predictCifFobLeaveOut}.
 * Pure: typed arrays in, typed arrays out.
 */

/**
 * Settings of the CIF/FOB model. The fit always leaves out the scored pair's own observations
 * ({@link predictCifFobLeaveOut}); that is the method, not a setting, so it has no switch here.
 */
export interface CifFobParams {
  /** Ratio CIF/FOB used when no model can be fitted or a pair's distance is unknown; unitless, > 0 (default `1.06`, IMF DOTS). */
  flatRatio: number;
  /** Lower clip of the predicted margin τ = (CIF−FOB)/FOB; unitless, ≤ `maxMargin` (default `0`). */
  minMargin: number;
  /** Upper clip of the predicted margin τ; unitless, ≥ `minMargin` (default `0.20`, Harvard Growth Lab's clip). */
  maxMargin: number;
  /** An observation enters the fit only when both its CIF and FOB values are at least this, USD, ≥ 0 (default `1_000`). */
  minValueUsd: number;
  /** Fewest usable observations (after the value and outlier filters) to fit a model, else the flat ratio; integer ≥ 1 (default `30`). */
  minFitPairs: number;
  /** Observations with |ln(CIF/FOB)| above this are outliers left out of the fit; log points, > 0 (default `0.5`). */
  maxAbsLogRatioForFit: number;
}

/** Defaults of {@link CifFobParams}. */
export const cifFobDefaults: CifFobParams = {
  flatRatio: 1.06,
  minMargin: 0,
  maxMargin: 0.2,
  minValueUsd: 1_000,
  minFitPairs: 30,
  maxAbsLogRatioForFit: 0.5,
};

/** Regressors of one flow each, rows aligned; booleans as 0/1. */
export interface CifFobFeatures {
  /** Great-circle distance between importer and exporter, km; NaN when unknown (then the flat ratio). */
  distKm: Float64Array;
  /** 1 when the two countries share a land border. */
  contig: Uint8Array;
  /** 1 when the importer is landlocked. */
  llImporter: Uint8Array;
  /** 1 when the exporter is landlocked. */
  llExporter: Uint8Array;
  /** Product unit value, USD/kg; NaN (or ≤ 0) when unknown, then the fit sample's mean ln unit value stands in. */
  unitValue: Float64Array;
}

/** Fit observations: flows where the importer reported both CIF and FOB (Comtrade `cif_usd` and `fob_usd` on an M row). */
export interface CifFobObservations extends CifFobFeatures {
  /** CIF value, USD. */
  cif: Float64Array;
  /** FOB value, USD. */
  fob: Float64Array;
}

/** A fitted model of ln(CIF/FOB). */
export interface CifFobModel {
  /** Coefficients b0 (intercept), b1 ln(distance km), b2 contiguity, b3 landlocked importer, b4 landlocked exporter, b5 ln(unit value USD/kg). */
  coef: Float64Array;
  /** Usable observations the model was fitted on. */
  n: number;
  /** In-sample root mean squared residual, log points. */
  rmse: number;
  /** Mean ln(unit value) of the fit sample, the stand-in for an unknown unit value. */
  meanLnUnitValue: number;
  /** Predicted ratio CIF/FOB, clipped to [1+minMargin, 1+maxMargin]; the flat ratio when `distKm` is not a number ≥ 0. */
  predict(distKm: number, contig: boolean, llImp: boolean, llExp: boolean, unitValue: number): number;
}

/** Number of coefficients. */
const K = 6;
const UV = 5;
/** Distances are floored here before the log: main cities of two countries can be a few km apart (Rome–Vatican). */
const MIN_DISTANCE_KM = 10;
/**
 * Ridge on the centred slopes, relative to (column sum of squares + n): negligible for real data, but keeps
 * the solve defined when a regressor is constant in the sample (no contiguous pair, no landlocked importer).
 */
const RIDGE = 1e-8;

/**
 * Fits ln(CIF/FOB) = b0 + b1 ln(dist) + b2 contig + b3 landlocked importer + b4 landlocked exporter +
 * b5 ln(unit value) by ridge-stabilised least squares (6×6 normal equations), on the observations with
 * both values ≥ `minValueUsd` and |ln(CIF/FOB)| ≤ `maxAbsLogRatioForFit`; null when fewer than
 * `minFitPairs` remain. Callers leave out importers that record imports FOB (`reference.fobImportReporters`).
 */
export function fitCifFobModel(obs: CifFobObservations, p: CifFobParams): CifFobModel | null {
  checkParams(p);
  const n = checkLengths(obs, ['cif', 'fob', 'distKm', 'contig', 'llImporter', 'llExporter', 'unitValue'], 'fitCifFobModel');
  const d = prepare(obs, n, p);
  const fit = solve(d.all, p);
  if (!fit) return null;
  // Second pass for the residuals: the fit's own stand-in for unknown unit values.
  let ssr = 0;
  for (const i of d.use) {
    const e = d.y[i] - linear(fit.coef, d.ld[i], obs.contig[i], obs.llImporter[i], obs.llExporter[i], d.luv[i] === d.luv[i] ? d.luv[i] : fit.meanLnUnitValue);
    ssr += e * e;
  }
  return makeModel(fit.coef, fit.meanLnUnitValue, fit.n, Math.sqrt(ssr / fit.n), p);
}

/**
 * Leave-one-pair-out ratios CIF/FOB: row i of `targets` gets the prediction of a model fitted on `obs`
 * without the observations whose `group` equals `targets.group[i]` (exact, by downdating the normal
 * equations; the unit-value stand-in is recomputed without them too). A target whose group has no
 * observations gets the full model. The flat ratio where the remaining sample is too small or the
 * distance is unknown. Rows align 1:1 with `targets`. Where the importer reports its own FOB, callers use
 * that instead, and importers that record imports FOB (`reference.fobImportReporters`) take ratio 1: neither is decided here.
 */
export function predictCifFobLeaveOut(
  obs: CifFobObservations & { /** Pair id of each observation (any int32). */ group: Int32Array },
  targets: CifFobFeatures & { /** Pair id of each target, matched against `obs.group`; e.g. -1 for none. */ group: Int32Array },
  p: CifFobParams,
): Float64Array {
  checkParams(p);
  const n = checkLengths(obs, ['cif', 'fob', 'distKm', 'contig', 'llImporter', 'llExporter', 'unitValue', 'group'], 'predictCifFobLeaveOut obs');
  const m = checkLengths(targets, ['distKm', 'contig', 'llImporter', 'llExporter', 'unitValue', 'group'], 'predictCifFobLeaveOut targets');
  const d = prepare(obs, n, p);
  // Usable observations by group, so each group's statistics are one pass over its own rows.
  const rowsOf = new Map<number, number[]>();
  for (const i of d.use) {
    const g = obs.group[i];
    const rows = rowsOf.get(g);
    if (rows) rows.push(i);
    else rowsOf.set(g, [i]);
  }
  const full = solve(d.all, p);
  const fits = new Map<number, Fit | null>();
  const part = d.all.like();
  const rest = d.all.like();
  const out = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    const g = targets.group[t];
    const rows = rowsOf.get(g);
    let fit: Fit | null = full;
    if (rows) {
      if (!fits.has(g)) {
        part.clear();
        for (const i of rows) part.add(d, obs, i);
        rest.copyFrom(d.all).subtract(part);
        fits.set(g, solve(rest, p));
      }
      fit = fits.get(g)!;
    }
    out[t] = fit
      ? predictOne(fit.coef, fit.meanLnUnitValue, targets.distKm[t], targets.contig[t], targets.llImporter[t], targets.llExporter[t], targets.unitValue[t], p)
      : p.flatRatio;
  }
  return out;
}

/**
 * Typed-array core of {@link CifFobModel.predict}: the clipped ratio CIF/FOB for every row of `x` under
 * coefficients `coef`, into `out` (allocated when absent). Rows align 1:1 with `x`.
 */
export function cifFobRatioKernel(
  coef: Float64Array,
  meanLnUnitValue: number,
  x: CifFobFeatures,
  p: CifFobParams,
  out = new Float64Array(x.distKm.length),
): Float64Array {
  for (let i = 0; i < out.length; i++) {
    out[i] = predictOne(coef, meanLnUnitValue, x.distKm[i], x.contig[i], x.llImporter[i], x.llExporter[i], x.unitValue[i], p);
  }
  return out;
}

/** Observations after the filters, with the shifts that keep the normal equations well scaled. */
interface Prepared {
  /** Indices of usable observations. */
  use: Int32Array;
  /** ln(CIF/FOB), ln(floored distance), ln(unit value) (NaN = unknown), by observation. */
  y: Float64Array;
  ld: Float64Array;
  luv: Float64Array;
  /** Statistics of every usable observation; its shifts are the full-sample means. */
  all: Stats;
}

function prepare(obs: CifFobObservations, n: number, p: CifFobParams): Prepared {
  const y = new Float64Array(n).fill(NaN);
  const ld = new Float64Array(n).fill(NaN);
  const luv = new Float64Array(n).fill(NaN);
  const use: number[] = [];
  let sumLd = 0;
  let sumUv = 0;
  let nUv = 0;
  for (let i = 0; i < n; i++) {
    const cif = obs.cif[i];
    const fob = obs.fob[i];
    const dist = obs.distKm[i];
    // `>=` is false for NaN: a missing value or distance leaves the observation out.
    if (!(cif >= p.minValueUsd && fob >= p.minValueUsd && cif > 0 && fob > 0 && dist >= 0 && dist < Infinity)) continue;
    const r = Math.log(cif / fob);
    if (!(Math.abs(r) <= p.maxAbsLogRatioForFit)) continue;
    y[i] = r;
    ld[i] = Math.log(Math.max(dist, MIN_DISTANCE_KM));
    const uv = obs.unitValue[i];
    if (uv > 0 && uv < Infinity) {
      luv[i] = Math.log(uv);
      sumUv += luv[i];
      nUv++;
    }
    sumLd += ld[i];
    use.push(i);
  }
  const d: Prepared = {
    use: Int32Array.from(use),
    y,
    ld,
    luv,
    all: new Stats(use.length > 0 ? sumLd / use.length : 0, nUv > 0 ? sumUv / nUv : 0),
  };
  for (const i of d.use) d.all.add(d, obs, i);
  return d;
}

/**
 * Sufficient statistics of the regression, in two parts: rows with a known unit value (regressor
 * vector z = 1, ln d − shift, contig, llImp, llExp, ln uv − shift) and rows without (the same with 1 in
 * the unit-value slot), so the stand-in value can be chosen after a downdate.
 */
class Stats {
  /** Z'Z (K×K, row-major) and Z'y, known unit value. */
  readonly zzKnown = new Float64Array(K * K);
  readonly zyKnown = new Float64Array(K);
  /** The same for rows with an unknown unit value. */
  readonly zzMissing = new Float64Array(K * K);
  readonly zyMissing = new Float64Array(K);
  private readonly z = new Float64Array(K);

  /** `shiftLd`, `shiftUv`: constants subtracted from ln distance and ln unit value, so the sums stay well scaled. */
  constructor(
    readonly shiftLd: number,
    readonly shiftUv: number,
  ) {}

  /** Empty statistics with the same shifts. */
  like(): Stats {
    return new Stats(this.shiftLd, this.shiftUv);
  }

  clear(): void {
    this.zzKnown.fill(0);
    this.zyKnown.fill(0);
    this.zzMissing.fill(0);
    this.zyMissing.fill(0);
  }

  add(d: Prepared, obs: CifFobFeatures, i: number): void {
    const z = this.z;
    const known = d.luv[i] === d.luv[i];
    z[0] = 1;
    z[1] = d.ld[i] - this.shiftLd;
    z[2] = obs.contig[i] ? 1 : 0;
    z[3] = obs.llImporter[i] ? 1 : 0;
    z[4] = obs.llExporter[i] ? 1 : 0;
    z[UV] = known ? d.luv[i] - this.shiftUv : 1;
    const zz = known ? this.zzKnown : this.zzMissing;
    const zy = known ? this.zyKnown : this.zyMissing;
    for (let j = 0; j < K; j++) {
      zy[j] += z[j] * d.y[i];
      for (let k = 0; k < K; k++) zz[j * K + k] += z[j] * z[k];
    }
  }

  copyFrom(o: Stats): this {
    this.zzKnown.set(o.zzKnown);
    this.zyKnown.set(o.zyKnown);
    this.zzMissing.set(o.zzMissing);
    this.zyMissing.set(o.zyMissing);
    return this;
  }

  subtract(o: Stats): this {
    for (let j = 0; j < K * K; j++) {
      this.zzKnown[j] -= o.zzKnown[j];
      this.zzMissing[j] -= o.zzMissing[j];
    }
    for (let j = 0; j < K; j++) {
      this.zyKnown[j] -= o.zyKnown[j];
      this.zyMissing[j] -= o.zyMissing[j];
    }
    return this;
  }
}

/** A solved model: coefficients on the unshifted regressors, the unit-value stand-in, the sample size. */
interface Fit {
  coef: Float64Array;
  meanLnUnitValue: number;
  n: number;
}

/** Least squares from statistics: centre, add the ridge, solve the 5×5 slopes by Cholesky; null when too few rows. */
function solve(s: Stats, p: CifFobParams): Fit | null {
  const nKnown = Math.round(s.zzKnown[0]);
  const n = nKnown + Math.round(s.zzMissing[0]);
  if (n < p.minFitPairs || n < 1) return null;
  // Unknown unit values stand in at the sample's mean (shifted scale): the missing rows' slot 1 becomes v.
  const v = nKnown > 0 ? s.zzKnown[UV] / nKnown : 0;
  const scale = (j: number) => (j === UV ? v : 1);
  const zz = new Float64Array(K * K);
  const zy = new Float64Array(K);
  for (let j = 0; j < K; j++) {
    zy[j] = s.zyKnown[j] + s.zyMissing[j] * scale(j);
    for (let k = 0; k < K; k++) zz[j * K + k] = s.zzKnown[j * K + k] + s.zzMissing[j * K + k] * scale(j) * scale(k);
  }
  // Centred cross-products of the slopes (the intercept is not penalised, so shifts do not change the fit).
  const m = K - 1;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m);
  for (let j = 1; j < K; j++) {
    b[j - 1] = zy[j] - (zz[j] * zy[0]) / n;
    for (let k = 1; k < K; k++) a[(j - 1) * m + (k - 1)] = zz[j * K + k] - (zz[j] * zz[k]) / n;
  }
  for (let j = 0; j < m; j++) a[j * m + j] += RIDGE * (Math.max(0, a[j * m + j]) + n);
  const slopes = choleskySolve(a, b, m);
  if (!slopes) return null;
  const coef = new Float64Array(K);
  let b0 = zy[0] / n;
  for (let j = 1; j < K; j++) {
    coef[j] = slopes[j - 1];
    b0 -= (coef[j] * zz[j]) / n;
  }
  // Back to unshifted regressors: b0 absorbs the shifts of ln distance and ln unit value.
  coef[0] = b0 - coef[1] * s.shiftLd - coef[UV] * s.shiftUv;
  return { coef, meanLnUnitValue: s.shiftUv + v, n };
}

/** Solves A x = b for symmetric positive definite A (m×m, row-major; A is overwritten); null when not SPD. */
function choleskySolve(a: Float64Array, b: Float64Array, m: number): Float64Array | null {
  for (let j = 0; j < m; j++) {
    let s = a[j * m + j];
    for (let k = 0; k < j; k++) s -= a[j * m + k] * a[j * m + k];
    if (!(s > 0)) return null;
    const l = Math.sqrt(s);
    a[j * m + j] = l;
    for (let i = j + 1; i < m; i++) {
      let t = a[i * m + j];
      for (let k = 0; k < j; k++) t -= a[i * m + k] * a[j * m + k];
      a[i * m + j] = t / l;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < i; k++) x[i] -= a[i * m + k] * x[k];
    x[i] /= a[i * m + i];
  }
  for (let i = m - 1; i >= 0; i--) {
    for (let k = i + 1; k < m; k++) x[i] -= a[k * m + i] * x[k];
    x[i] /= a[i * m + i];
  }
  return x;
}

/** b'x for one row with the unit-value slot already resolved to a log value. */
function linear(coef: Float64Array, lnDist: number, contig: number, llImp: number, llExp: number, lnUv: number): number {
  return coef[0] + coef[1] * lnDist + coef[2] * (contig ? 1 : 0) + coef[3] * (llImp ? 1 : 0) + coef[4] * (llExp ? 1 : 0) + coef[UV] * lnUv;
}

/** The clipped ratio for one row; the flat ratio when the distance is unknown. */
function predictOne(
  coef: Float64Array,
  meanLnUv: number,
  distKm: number,
  contig: number,
  llImp: number,
  llExp: number,
  unitValue: number,
  p: CifFobParams,
): number {
  if (!(distKm >= 0 && distKm < Infinity)) return p.flatRatio;
  const lnUv = unitValue > 0 && unitValue < Infinity ? Math.log(unitValue) : meanLnUv;
  const ratio = Math.exp(linear(coef, Math.log(Math.max(distKm, MIN_DISTANCE_KM)), contig, llImp, llExp, lnUv));
  return Math.min(1 + p.maxMargin, Math.max(1 + p.minMargin, ratio));
}

function makeModel(coef: Float64Array, meanLnUnitValue: number, n: number, rmse: number, p: CifFobParams): CifFobModel {
  return {
    coef,
    n,
    rmse,
    meanLnUnitValue,
    predict: (distKm, contig, llImp, llExp, unitValue) =>
      predictOne(coef, meanLnUnitValue, distKm, contig ? 1 : 0, llImp ? 1 : 0, llExp ? 1 : 0, unitValue, p),
  };
}

function checkParams(p: CifFobParams): void {
  if (!(p.flatRatio > 0)) throw new RangeError(`cif-fob: flatRatio ${p.flatRatio} must be > 0`);
  if (!(p.minMargin <= p.maxMargin)) throw new RangeError(`cif-fob: minMargin ${p.minMargin} must be ≤ maxMargin ${p.maxMargin}`);
  if (!(p.minFitPairs >= 1)) throw new RangeError(`cif-fob: minFitPairs ${p.minFitPairs} must be ≥ 1`);
  if (!(p.maxAbsLogRatioForFit > 0)) throw new RangeError(`cif-fob: maxAbsLogRatioForFit ${p.maxAbsLogRatioForFit} must be > 0`);
}

/** The common length of the named arrays; throws naming the first that differs. */
function checkLengths<T extends object>(x: T, names: readonly (keyof T & string)[], who: string): number {
  const n = (x[names[0]] as ArrayLike<number>).length;
  for (const name of names) {
    const len = (x[name] as ArrayLike<number>).length;
    if (len !== n) throw new RangeError(`${who}: '${name}' has ${len} rows, '${names[0]}' has ${n}`);
  }
  return n;
}
