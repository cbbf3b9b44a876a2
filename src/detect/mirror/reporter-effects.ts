import { Table } from 'apache-arrow';
import { StringDictionary, dictionaryVector, float64Vector, int32Vector } from '../../table/columns.ts';
import { groupRows } from '../../table/group.ts';
import { readCodes, readFloats } from '../../table/read.ts';

/** Settings of {@link fitReporterEffects}; all in |log ratio| units unless said. */
export interface ReporterEffectsParams {
  /** Smallest σ a side can have (default 0.05, about 5 %: rounding, timing and valuation noise no reporter avoids); `expected` is floored at twice it. */
  floor: number;
  /** A reporter-year side (as exporter, or as importer) with fewer matched observations than this gets no effect, NaN (default 3, at least 1). */
  minObservations: number;
  /** Backfitting stops after this many rounds even when not converged (default 10,000; a round costs one pass over the pair-year cells, not the rows). */
  maxIterations: number;
  /** …and stops once no effect moved by more than this in a round (default 1e-12). */
  tolerance: number;
}

/** Defaults for {@link ReporterEffectsParams}. */
export const reporterEffectsDefaults: ReporterEffectsParams = {
  floor: 0.05,
  minObservations: 3,
  maxIterations: 10_000,
  tolerance: 1e-12,
};

/** Exporter and importer effects per reporter and year, from {@link fitReporterEffects} or {@link reporterEffectsFromTable}. */
export interface ReporterEffects {
  /** Fitted expected |log ratio| of a pair e → i in year y: μ + a + b, floored at 2·floor; the year's μ alone (floored) when an effect is unknown; 2·floor for a year with no fit. */
  expected(e: number, i: number, y: number): number;
  /** σ of the exporter side: its effect above the year's most reliable exporter, plus half of what no reporter explains (see `Split`), floored; the floor for a year with no fit. */
  exporterSigma(c: number, y: number): number;
  /** σ of the importer side, as {@link exporterSigma}. */
  importerSigma(c: number, y: number): number;
  /**
   * One row per reporter × year seen in the input, by year then country code (`countryNames[code]`): reporter, year,
   * exporter_observations, importer_observations (valid rows, before thin sides are dropped), exporter_effect,
   * importer_effect (null when unknown), grand_mean (μ), exporter_sigma, importer_sigma, exporter_reliability,
   * importer_reliability. Read back by {@link reporterEffectsFromTable}.
   */
  table(countryNames: readonly string[]): Table;
}

/** Matched pair-periods over every product: row k is one flow e → i in year y. Arrays align 1:1. */
export interface ReporterEffectsObservations {
  /** Dense country code of the exporter (0…n−1; a negative code skips the row). */
  exporter: Int32Array;
  /** Dense country code of the importer. */
  importer: Int32Array;
  year: Int32Array;
  /** |ln(M_fob / X)| after CIF/FOB (the absolute value is taken here too); a NaN or infinite one skips the row. */
  absLogRatio: Float64Array;
  /** The pair-period's value in USD, the mean of the two sides (X + M_fob)/2 (see {@link fitReporterEffects}); ≤ 0 or NaN skips the row. */
  weight: Float64Array;
}

/**
 * BACI's reporter reliability (Gaulier & Zignago 2010, CEPII WP 2010-23, §2.4; the abstract: "we decompose
 * the absolute value of the ratios of mirror flows using a (weighted) variance analysis"), per year y over
 * every product:
 *
 *   |ln(M_fob / X)|_k ≈ μ_y + a_{e,y} + b_{i,y}
 *
 * by weighted least squares, weight w_k the flow's value. a is the exporter's effect, b the importer's, kept
 * apart: a country's export records can be good while its import records are not.
 *
 * Normalisation (a, b and μ are identified only up to shifts between them): in each year the value-weighted
 * means of a and of b over the observations are both zero, Σ_k w_k a_{e_k} = Σ_k w_k b_{i_k} = 0, so μ_y is the
 * year's value-weighted mean |log ratio|. When a year's pairs fall into groups that share no exporter or
 * importer, each group's offset from μ is split evenly between its a's and its b's.
 *
 * Weight: the paper's analysis is value-weighted; which value is not in the text we could check, so the caller
 * passes the mean of the two reports, (X + M_fob)/2, so that neither reporter's figure alone sets a pair's weight.
 *
 * Rows are first summed into cells (year, exporter, importer): the fit only sees each cell's total weight and
 * weighted mean, so 1 M rows cost one grouping pass. Reporter-year sides with fewer than `minObservations`
 * rows are dropped with their rows (repeatedly, as that can thin their partners) and get NaN effects. The fit
 * is backfitting (alternating weighted means of the residuals) until no effect moves by `tolerance`. Pure.
 */
export function fitReporterEffects(obs: ReporterEffectsObservations, p: ReporterEffectsParams): ReporterEffects & { iterations: number; converged: boolean } {
  const who = 'fitReporterEffects';
  const n = obs.absLogRatio.length;
  for (const [name, col] of Object.entries(obs) as [string, ArrayLike<number>][]) {
    if (col.length !== n) throw new Error(`${who}: '${name}' has ${col.length} rows, 'absLogRatio' has ${n}`);
  }
  const { exporter: ex, importer: im, year, absLogRatio: lr, weight: w } = obs;
  const rows = new Int32Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    if (Number.isFinite(lr[k]) && w[k] > 0 && w[k] < Infinity && ex[k] >= 0 && im[k] >= 0) rows[m++] = k;
  }
  const sel = rows.subarray(0, m);

  // cells: per (year, exporter, importer) total weight, weighted mean |lr| and row count
  const cg = groupRows([year, ex, im], n, sel);
  const cells = cg.groups;
  const cW = new Float64Array(cells);
  const cY = new Float64Array(cells);
  const cN = new Int32Array(cells);
  for (let s = 0; s < m; s++) {
    const c = cg.groupOf[s];
    const k = sel[s];
    cW[c] += w[k];
    cY[c] += w[k] * Math.abs(lr[k]);
    cN[c]++;
  }
  for (let c = 0; c < cells; c++) cY[c] /= cW[c];
  const cYear = Int32Array.from(cg.firstRow, (k) => year[k]);
  const cEx = Int32Array.from(cg.firstRow, (k) => ex[k]);
  const cIm = Int32Array.from(cg.firstRow, (k) => im[k]);
  const exG = groupRows([cYear, cEx], cells); // exporter-year of each cell
  const imG = groupRows([cYear, cIm], cells);
  const nEx = exG.groups;
  const nIm = imG.groups;

  // drop thin sides until every side left has enough rows
  const active = new Uint8Array(cells).fill(1);
  const exLive = new Float64Array(nEx); // rows of each side still in the fit
  const imLive = new Float64Array(nIm);
  const minObs = Math.max(1, p.minObservations);
  for (let changed = true; changed; ) {
    exLive.fill(0);
    imLive.fill(0);
    for (let c = 0; c < cells; c++) if (active[c]) (exLive[exG.groupOf[c]] += cN[c]), (imLive[imG.groupOf[c]] += cN[c]);
    changed = false;
    for (let c = 0; c < cells; c++) {
      if (active[c] && (exLive[exG.groupOf[c]] < minObs || imLive[imG.groupOf[c]] < minObs)) (active[c] = 0), (changed = true);
    }
  }

  // the active cells, packed, with μ per year and z = mean |lr| − μ
  const live: number[] = [];
  for (let c = 0; c < cells; c++) if (active[c]) live.push(c);
  const L = live.length;
  const W = Float64Array.from(live, (c) => cW[c]);
  const lEx = Int32Array.from(live, (c) => exG.groupOf[c]);
  const lIm = Int32Array.from(live, (c) => imG.groupOf[c]);
  const lYear = Int32Array.from(live, (c) => cYear[c]);
  const yg = groupRows([lYear], L);
  const yW = new Float64Array(yg.groups);
  const yWY = new Float64Array(yg.groups);
  for (let q = 0; q < L; q++) (yW[yg.groupOf[q]] += W[q]), (yWY[yg.groupOf[q]] += W[q] * cY[live[q]]);
  const z = Float64Array.from(live, (c, q) => cY[c] - yWY[yg.groupOf[q]] / yW[yg.groupOf[q]]);

  const { a, b, iterations, converged } = backfit(W, z, lEx, lIm, nEx, nIm, p);
  normalise(a, b, W, z, lEx, lIm, nEx, nIm);

  // per year and country: μ, effects (NaN for a thin or absent side) and row counts
  let countries = 0;
  for (let c = 0; c < cells; c++) countries = Math.max(countries, cEx[c] + 1, cIm[c] + 1);
  const years = new Map<number, YearFit>();
  const yearFit = (y: number) => {
    let f = years.get(y);
    if (!f) years.set(y, (f = { mu: NaN, a: new Float64Array(countries).fill(NaN), b: new Float64Array(countries).fill(NaN), exN: new Int32Array(countries), imN: new Int32Array(countries) }));
    return f;
  };
  for (let c = 0; c < cells; c++) (yearFit(cYear[c]).exN[cEx[c]] += cN[c]), (yearFit(cYear[c]).imN[cIm[c]] += cN[c]);
  for (let q = 0; q < yg.groups; q++) yearFit(lYear[yg.firstRow[q]]).mu = yWY[q] / yW[q];
  for (let g = 0; g < nEx; g++) if (exLive[g] > 0) yearFit(cYear[exG.firstRow[g]]).a[cEx[exG.firstRow[g]]] = a[g];
  for (let g = 0; g < nIm; g++) if (imLive[g] > 0) yearFit(cYear[imG.firstRow[g]]).b[cIm[imG.firstRow[g]]] = b[g];
  const effects = makeEffects(years, p.floor, (names) => effectsTable(years, names, p.floor));
  return Object.assign(effects, { iterations, converged });
}

/** The same effects read back from a table written by `table()` (for `--global`), countries mapped through `codeOf`; its `table()` returns `t`. */
export function reporterEffectsFromTable(t: Table, codeOf: (iso3: string) => number, p: ReporterEffectsParams): ReporterEffects {
  const who = 'reporterEffectsFromTable';
  const reporter = readCodes(t, 'reporter', who);
  const year = readFloats(t, 'year', who);
  const ea = readFloats(t, 'exporter_effect', who);
  const ib = readFloats(t, 'importer_effect', who);
  const mu = readFloats(t, 'grand_mean', who);
  const code = reporter.values.map((v) => codeOf(v));
  const ok = (r: number) => reporter.codes[r] >= 0 && Number.isInteger(code[reporter.codes[r]]) && code[reporter.codes[r]] >= 0 && Number.isInteger(year[r]) && mu[r] === mu[r];
  let countries = 0;
  for (let r = 0; r < t.numRows; r++) if (ok(r)) countries = Math.max(countries, code[reporter.codes[r]] + 1);
  const years = new Map<number, YearFit>();
  for (let r = 0; r < t.numRows; r++) {
    if (!ok(r)) continue; // a country the caller does not know, or a year with no fit: as if absent
    let f = years.get(year[r]);
    if (!f) years.set(year[r], (f = { mu: mu[r], a: new Float64Array(countries).fill(NaN), b: new Float64Array(countries).fill(NaN), exN: new Int32Array(0), imN: new Int32Array(0) }));
    f.a[code[reporter.codes[r]]] = ea[r];
    f.b[code[reporter.codes[r]]] = ib[r];
  }
  return makeEffects(years, p.floor, () => t);
}

/** Reliability in (0, 1] of a side with σ: 1 at the floor, floor/σ above it (½ at twice the floor); NaN for a NaN σ. */
export function reliabilityOf(sigma: number, floor: number): number {
  if (sigma !== sigma) return NaN;
  return sigma > floor ? floor / sigma : 1;
}

/** A year's fit by country code: μ, effects (NaN unknown) and, when fitted here, the row counts per side. */
interface YearFit {
  mu: number;
  a: Float64Array;
  b: Float64Array;
  exN: Int32Array;
  imN: Int32Array;
  /** The σ split, set on first use by {@link splitOf}. */
  split?: Split;
}

/**
 * How a year's fit is split into one σ per side. The regression identifies a, b and μ only up to shifts, and
 * the share of μ that belongs to exporters rather than importers is not in the data. Each side's effects are
 * measured from its most reliable reporters of the year (the side's 10th-percentile effect, so that one odd
 * reporter does not set the base): those add nothing of their own, the others add their distance above them;
 * what no reporter explains — μ plus both bases, the noise every pair has — is split evenly between the two
 * sides. A side whose effect is unknown is taken as that side's median reporter.
 */
interface Split {
  baseA: number;
  baseB: number;
  /** Half of what no reporter explains: μ + both bases, at least 0. */
  half: number;
  medianA: number;
  medianB: number;
}

function splitOf(f: YearFit): Split {
  if (f.split) return f.split;
  const known = (v: Float64Array) => Float64Array.from(Array.from(v).filter((x) => x === x)).sort();
  const a = known(f.a);
  const b = known(f.b);
  const tenth = (v: Float64Array) => (v.length ? v[Math.floor(0.1 * (v.length - 1))] : 0);
  const baseA = tenth(a);
  const baseB = tenth(b);
  const med = (v: Float64Array, base: number) => (v.length ? v[v.length >> 1] : base);
  f.split = { baseA, baseB, half: Math.max(0, f.mu + baseA + baseB) / 2, medianA: med(a, baseA), medianB: med(b, baseB) };
  return f.split;
}

/** The effect of country `c` in `v` (NaN when out of range). */
function at(v: Float64Array, c: number): number {
  return c >= 0 && c < v.length ? v[c] : NaN;
}

/** σ of one side (see {@link Split}), floored; the floor for a year with no fit (μ NaN or absent). */
function sideSigma(f: YearFit | undefined, side: 'a' | 'b', c: number, floor: number): number {
  if (!f || f.mu !== f.mu) return floor;
  const sp = splitOf(f);
  const effect = at(f[side], c);
  const [base, median] = side === 'a' ? [sp.baseA, sp.medianA] : [sp.baseB, sp.medianB];
  return Math.max(floor, sp.half + (effect === effect ? effect : median) - base);
}

function makeEffects(years: Map<number, YearFit>, floor: number, table: (names: readonly string[]) => Table): ReporterEffects {
  return {
    expected(e, i, y) {
      const f = years.get(y);
      if (!f || f.mu !== f.mu) return 2 * floor; // no fit that year: nothing known, the smallest expected gap
      const s = f.mu + at(f.a, e) + at(f.b, i);
      return Math.max(2 * floor, s === s ? s : f.mu);
    },
    exporterSigma: (c, y) => sideSigma(years.get(y), 'a', c, floor),
    importerSigma: (c, y) => sideSigma(years.get(y), 'b', c, floor),
    table,
  };
}

function effectsTable(years: Map<number, YearFit>, names: readonly string[], floor: number): Table {
  const dict = new StringDictionary();
  const reporter: number[] = [];
  const yr: number[] = [];
  const cols = { exN: [] as number[], imN: [] as number[], a: [] as number[], b: [] as number[], mu: [] as number[], sa: [] as number[], sb: [] as number[] };
  for (const y of [...years.keys()].sort((x, z) => x - z)) {
    const f = years.get(y)!;
    for (let c = 0; c < f.exN.length; c++) {
      if (f.exN[c] === 0 && f.imN[c] === 0) continue;
      if (names[c] === undefined) throw new Error(`reporterEffects.table: no name for country code ${c} (${names.length} names)`);
      reporter.push(dict.code(names[c]));
      yr.push(y);
      cols.exN.push(f.exN[c]);
      cols.imN.push(f.imN[c]);
      cols.a.push(f.a[c]);
      cols.b.push(f.b[c]);
      cols.mu.push(f.mu);
      cols.sa.push(sideSigma(f, 'a', c, floor));
      cols.sb.push(sideSigma(f, 'b', c, floor));
    }
  }
  const f64 = (v: number[]) => float64Vector(Float64Array.from(v), true);
  return new Table({
    reporter: dictionaryVector(Int32Array.from(reporter), dict.values),
    year: int32Vector(Int32Array.from(yr)),
    exporter_observations: int32Vector(Int32Array.from(cols.exN)),
    importer_observations: int32Vector(Int32Array.from(cols.imN)),
    exporter_effect: f64(cols.a),
    importer_effect: f64(cols.b),
    grand_mean: f64(cols.mu),
    exporter_sigma: f64(cols.sa),
    importer_sigma: f64(cols.sb),
    exporter_reliability: f64(cols.sa.map((s) => reliabilityOf(s, floor))),
    importer_reliability: f64(cols.sb.map((s) => reliabilityOf(s, floor))),
  });
}

/** Weighted backfitting of z ≈ a[ex] + b[im]: each round sets every a to the weighted mean of z − b over its cells, then every b likewise. */
function backfit(W: Float64Array, z: Float64Array, ex: Int32Array, im: Int32Array, nEx: number, nIm: number, p: ReporterEffectsParams) {
  const L = W.length;
  const a = new Float64Array(nEx);
  const b = new Float64Array(nIm);
  const exW = new Float64Array(nEx);
  const imW = new Float64Array(nIm);
  for (let q = 0; q < L; q++) (exW[ex[q]] += W[q]), (imW[im[q]] += W[q]);
  const num = new Float64Array(Math.max(nEx, nIm));
  let iterations = 0;
  let converged = L === 0;
  while (!converged && iterations < p.maxIterations) {
    iterations++;
    let moved = 0;
    num.fill(0, 0, nEx);
    for (let q = 0; q < L; q++) num[ex[q]] += W[q] * (z[q] - b[im[q]]);
    for (let g = 0; g < nEx; g++) {
      if (!(exW[g] > 0)) continue; // a side with no active cell keeps 0 (reported as NaN)
      const v = num[g] / exW[g];
      moved = Math.max(moved, Math.abs(v - a[g]));
      a[g] = v;
    }
    num.fill(0, 0, nIm);
    for (let q = 0; q < L; q++) num[im[q]] += W[q] * (z[q] - a[ex[q]]);
    for (let g = 0; g < nIm; g++) {
      if (!(imW[g] > 0)) continue;
      const v = num[g] / imW[g];
      moved = Math.max(moved, Math.abs(v - b[g]));
      b[g] = v;
    }
    converged = moved <= p.tolerance;
  }
  return { a, b, iterations, converged };
}

/**
 * Moves each connected group of sides (exporters and importers linked by a cell) to the stated normalisation:
 * a shift s to its a's and −s to its b's (fitted values unchanged) so that Σ W·a over its cells is half its Σ W·z.
 * With one group per year that Σ W·z is zero (z is centred on μ), so both weighted means are zero.
 */
function normalise(a: Float64Array, b: Float64Array, W: Float64Array, z: Float64Array, ex: Int32Array, im: Int32Array, nEx: number, nIm: number): void {
  const parent = new Int32Array(nEx + nIm);
  for (let k = 0; k < parent.length; k++) parent[k] = k;
  const find = (k: number) => {
    while (parent[k] !== k) k = parent[k] = parent[parent[k]];
    return k;
  };
  for (let q = 0; q < W.length; q++) {
    const x = find(ex[q]);
    const y = find(nEx + im[q]);
    if (x !== y) parent[x] = y;
  }
  const sW = new Float64Array(nEx + nIm);
  const sWa = new Float64Array(nEx + nIm);
  const sWz = new Float64Array(nEx + nIm);
  for (let q = 0; q < W.length; q++) {
    const r = find(ex[q]);
    sW[r] += W[q];
    sWa[r] += W[q] * a[ex[q]];
    sWz[r] += W[q] * z[q];
  }
  const shift = (r: number) => (sW[r] > 0 ? (sWz[r] / 2 - sWa[r]) / sW[r] : 0);
  for (let g = 0; g < nEx; g++) a[g] += shift(find(g));
  for (let g = 0; g < nIm; g++) b[g] -= shift(find(nEx + g));
}
