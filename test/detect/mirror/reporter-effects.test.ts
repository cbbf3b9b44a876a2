import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  fitReporterEffects,
  reliabilityOf,
  reporterEffectsDefaults,
  reporterEffectsFromTable,
  type ReporterEffectsObservations,
  type ReporterEffectsParams,
} from '../../../src/detect/mirror/reporter-effects.ts';
import { mulberry32 } from '../../../src/table/mulberry32.ts';
import { rowsOf } from '../../helpers.ts';

const P = reporterEffectsDefaults;
const NAMES = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF', 'GGG', 'HHH', 'III', 'JJJ'];
const COLUMNS = ['reporter', 'year', 'exporter_observations', 'importer_observations', 'exporter_effect', 'importer_effect',
  'grand_mean', 'exporter_sigma', 'importer_sigma', 'exporter_reliability', 'importer_reliability'];

type Row = [e: number, i: number, y: number, absLogRatio: number, weight: number];

function obs(rows: readonly Row[]): ReporterEffectsObservations {
  return {
    exporter: Int32Array.from(rows, (r) => r[0]),
    importer: Int32Array.from(rows, (r) => r[1]),
    year: Int32Array.from(rows, (r) => r[2]),
    absLogRatio: Float64Array.from(rows, (r) => r[3]),
    weight: Float64Array.from(rows, (r) => r[4]),
  };
}

/** A year's true model: |lr| = mu + a[e] + b[i] exactly (a, b indexed by country code). */
interface Truth {
  year: number;
  mu: number;
  a: number[];
  b: number[];
}

const EXPORTERS = [0, 1, 2, 3, 4];
const IMPORTERS = [1, 2, 3, 4, 5, 6]; // 1–4 trade both ways; no self-pairs: 26 pairs a year

/** Rows of every pair of the 5 × 6 design, one to three products each with weights spread over 10^2…10^6. */
function exactRows(truths: readonly Truth[], seed: number): Row[] {
  const rnd = mulberry32(seed);
  const rows: Row[] = [];
  for (const t of truths) {
    for (const e of EXPORTERS) {
      for (const i of IMPORTERS) {
        if (e === i) continue;
        const products = 1 + Math.floor(rnd() * 3);
        for (let k = 0; k < products; k++) rows.push([e, i, t.year, t.mu + t.a[e] + t.b[i], 10 ** (2 + 4 * rnd())]);
      }
    }
  }
  return rows;
}

/** The stated normalisation applied to a truth over `rows`: value-weighted means of a and of b zero, μ takes both. */
function normalised(t: Truth, rows: readonly Row[]): Truth {
  let w = 0;
  let wa = 0;
  let wb = 0;
  for (const [e, i, y, , v] of rows) if (y === t.year) (w += v), (wa += v * t.a[e]), (wb += v * t.b[i]);
  return { year: t.year, mu: t.mu + wa / w + wb / w, a: t.a.map((x) => x - wa / w), b: t.b.map((x) => x - wb / w) };
}

function tableRows(t: Table) {
  return rowsOf(t) as { reporter: string; year: number; exporter_effect: number | null; importer_effect: number | null; grand_mean: number; [k: string]: unknown }[];
}

/** Effects of the table by year and country name. */
function effectsOf(t: Table) {
  const out = new Map<string, { a: number | null; b: number | null; mu: number }>();
  for (const r of tableRows(t)) out.set(`${r.year} ${r.reporter}`, { a: r.exporter_effect, b: r.importer_effect, mu: r.grand_mean });
  return out;
}

// two years with different effects, drawn away from zero so every fitted pair lies above 2·floor
const TRUTH: Truth[] = [
  { year: 2022, mu: 0.6, a: [0.21, -0.05, 0.13, 0.02, -0.17, 0, 0], b: [0, 0.08, -0.12, 0.19, -0.03, 0.11, -0.2] },
  { year: 2023, mu: 0.45, a: [-0.1, 0.16, -0.02, 0.07, 0.12, 0, 0], b: [0, -0.15, 0.04, 0.09, 0.2, -0.06, 0.01] },
];

function expectRecovers(truths: readonly Truth[], rows: readonly Row[]) {
  const fit = fitReporterEffects(obs(rows), P);
  expect(fit.converged).toBe(true);
  const got = effectsOf(fit.table(NAMES));
  for (const t of truths) {
    const n = normalised(t, rows);
    for (const e of EXPORTERS) expect(got.get(`${t.year} ${NAMES[e]}`)!.a).toBeCloseTo(n.a[e], 9);
    for (const i of IMPORTERS) expect(got.get(`${t.year} ${NAMES[i]}`)!.b).toBeCloseTo(n.b[i], 9);
    expect(got.get(`${t.year} ${NAMES[0]}`)!.mu).toBeCloseTo(n.mu, 9);
    expect(got.get(`${t.year} ${NAMES[0]}`)!.b).toBeNull(); // country 0 never imports
    expect(got.get(`${t.year} ${NAMES[5]}`)!.a).toBeNull(); // 5 and 6 never export
    for (const e of EXPORTERS) for (const i of IMPORTERS) if (e !== i) expect(fit.expected(e, i, t.year)).toBeCloseTo(t.mu + t.a[e] + t.b[i], 9);
  }
  return fit;
}

describe('fitReporterEffects', () => {
  it('recovers effects, μ and expected() of data made exactly as μ + a_e + b_i, two years apart', () => {
    const rows = exactRows(TRUTH, 1);
    // the generator's own parameters already satisfy the normalisation: recovered as they are
    const truths = TRUTH.map((t) => normalised(t, rows));
    const fit = expectRecovers(truths, rows);
    for (const t of truths) {
      // μ is the year's value-weighted mean |log ratio|
      const year = rows.filter((r) => r[2] === t.year);
      const mean = year.reduce((s, r) => s + r[3] * r[4], 0) / year.reduce((s, r) => s + r[4], 0);
      expect(fit.table(NAMES).getChild('grand_mean')!.get(tableRows(fit.table(NAMES)).findIndex((r) => r.year === t.year))).toBeCloseTo(mean, 12);
    }
  });

  it('returns the normalised effects when the generator breaks the normalisation (+0.1 on every a, −0.1 on every b)', () => {
    const rows = exactRows(TRUTH, 2);
    const shifted = TRUTH.map((t) => ({ ...t, a: t.a.map((x) => x + 0.1), b: t.b.map((x) => x - 0.1) }));
    const fit = expectRecovers(shifted, rows); // compared against normalised(shifted): the shift goes to neither a nor b
    const plain = expectRecovers(TRUTH, rows);
    for (const t of TRUTH) for (const e of EXPORTERS) for (const i of IMPORTERS) expect(fit.expected(e, i, t.year)).toBeCloseTo(plain.expected(e, i, t.year), 12);
    // the weights matter for the normalisation: the plain mean of the exporter effects is not zero
    const a2022 = tableRows(fit.table(NAMES)).filter((r) => r.year === 2022 && r.exporter_effect !== null).map((r) => r.exporter_effect!);
    expect(Math.abs(a2022.reduce((s, x) => s + x, 0) / a2022.length)).toBeGreaterThan(1e-3);
  });

  it('lets one heavy pair pull the fit (2 × 2 by hand)', () => {
    // exporters 0, 1; importers 2, 3; |lr| 0.2 on three pairs, 0.501 on 1 → 3 of weight 100 (others 1).
    // A 2 × 2 additive fit leaves residuals r = t/w with signs (+ − − +): the interaction
    // I = y00 − y01 − y10 + y11 = 0.301 equals t·Σ 1/w = t·3.01, so t = 0.1 and the fitted values are
    // 0.2 − 0.1 = 0.1 (0→2), 0.2 + 0.1 = 0.3 (0→3, 1→2), 0.501 − 0.1/100 = 0.5 (1→3).
    // Unweighted, t = 0.301/4 = 0.07525 and 1→3 would be 0.42575.
    // μ = (3·0.2 + 100·0.501)/103 = 50.7/103; Σw·a = 0 with w(0) = 2, w(1) = 101 and a0 − a1 = 0.1 − 0.3:
    // a0 = −0.2·101/103 = −20.2/103, a1 = 0.4/103, and b the same by symmetry.
    const rows: Row[] = [[0, 2, 2024, 0.2, 1], [0, 3, 2024, 0.2, 1], [1, 2, 2024, 0.2, 1], [1, 3, 2024, 0.501, 100]];
    const p: ReporterEffectsParams = { ...P, minObservations: 1 };
    const fit = fitReporterEffects(obs(rows), p);
    expect(fit.expected(0, 2, 2024)).toBeCloseTo(0.1, 12);
    expect(fit.expected(0, 3, 2024)).toBeCloseTo(0.3, 12);
    expect(fit.expected(1, 2, 2024)).toBeCloseTo(0.3, 12);
    expect(fit.expected(1, 3, 2024)).toBeCloseTo(0.5, 12);
    const even = fitReporterEffects(obs(rows.map((r) => [r[0], r[1], r[2], r[3], 1] as Row)), p);
    expect(even.expected(1, 3, 2024)).toBeCloseTo(0.42575, 12);
    const t = rowsOf(fit.table(NAMES), ['reporter', 'exporter_observations', 'importer_observations', 'exporter_effect', 'importer_effect', 'grand_mean']);
    const want = [
      { reporter: 'AAA', exporter_observations: 2, importer_observations: 0, exporter_effect: -20.2 / 103, importer_effect: null, grand_mean: 50.7 / 103 },
      { reporter: 'BBB', exporter_observations: 2, importer_observations: 0, exporter_effect: 0.4 / 103, importer_effect: null, grand_mean: 50.7 / 103 },
      { reporter: 'CCC', exporter_observations: 0, importer_observations: 2, exporter_effect: null, importer_effect: -20.2 / 103, grand_mean: 50.7 / 103 },
      { reporter: 'DDD', exporter_observations: 0, importer_observations: 2, exporter_effect: null, importer_effect: 0.4 / 103, grand_mean: 50.7 / 103 },
    ];
    expect(t).toEqual(want.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? expect.closeTo(v, 12) : v]))));
  });

  it('keeps export and import apart: good exporter, bad importer', () => {
    // |lr| = σx[e] + σm[i]: country 0 records its exports exactly, its imports 0.6 off; the others 0.02 each way
    const rnd = mulberry32(3);
    const sx = [0, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02];
    const sm = [0.6, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02];
    const rows: Row[] = [];
    for (let e = 0; e < 7; e++) for (let i = 0; i < 7; i++) if (e !== i) for (let k = 0; k < 3; k++) rows.push([e, i, 2024, sx[e] + sm[i], 10 ** (3 + 3 * rnd())]);
    const fit = fitReporterEffects(obs(rows), P);
    const r = tableRows(fit.table(NAMES)).find((x) => x.reporter === 'AAA')!;
    expect(r.exporter_reliability).toBe(1);
    expect(r.importer_reliability).toBeLessThan(0.5);
    expect(r.exporter_effect!).toBeLessThan(0);
    expect(r.importer_effect!).toBeGreaterThan(0.4);
    expect(fit.exporterSigma(0, 2024)).toBe(P.floor);
    expect(fit.importerSigma(0, 2024)).toBeCloseTo(0.05 / (r.importer_reliability as number), 12);
  });

  it('floors: reliability 1 up to the floor, ½ at twice it', () => {
    expect(reliabilityOf(0.03, 0.05)).toBe(1);
    expect(reliabilityOf(0.05, 0.05)).toBe(1);
    expect(reliabilityOf(0.1, 0.05)).toBe(0.5);
    expect(reliabilityOf(0.5, 0.05)).toBeCloseTo(0.1, 15);
    expect(reliabilityOf(NaN, 0.05)).toBeNaN();
    // a fitted μ + a + b under 2·floor is floored there, and each side's σ under the floor is the floor
    const rows: Row[] = [[0, 2, 2024, 0.01, 1], [0, 3, 2024, 0.01, 1], [1, 2, 2024, 0.01, 1], [1, 3, 2024, 0.01, 1]];
    const fit = fitReporterEffects(obs(rows), { ...P, minObservations: 1 });
    expect(fit.expected(0, 2, 2024)).toBe(0.1);
    expect(fit.exporterSigma(0, 2024)).toBe(0.05);
  });

  it('gives a side below minObservations no effect, and expected() falls back to μ', () => {
    const base = exactRows(TRUTH.slice(0, 1), 4);
    // exporter 7 has two rows (wild ones), exporter 8 exactly three
    const thin: Row[] = [[7, 1, 2022, 3, 1e6], [7, 2, 2022, 2.5, 1e6]];
    const atThreshold: Row[] = [[8, 1, 2022, 0.7, 1e3], [8, 2, 2022, 0.5, 1e3], [8, 3, 2022, 0.9, 1e3]];
    const fit = fitReporterEffects(obs([...base, ...thin, ...atThreshold]), P);
    const rows = tableRows(fit.table(NAMES));
    const r7 = rows.find((r) => r.reporter === 'HHH')!;
    expect(r7.exporter_observations).toBe(2);
    expect(r7.exporter_effect).toBeNull();
    expect(rows.find((r) => r.reporter === 'III')!.exporter_effect).not.toBeNull();
    // the thin rows are out of the fit: everything else is as without them
    const without = fitReporterEffects(obs([...base, ...atThreshold]), P);
    const mu = rows[0].grand_mean;
    expect(mu).toBeCloseTo(tableRows(without.table(NAMES))[0].grand_mean, 12);
    for (let e = 0; e < 9; e++) for (let i = 0; i < 7; i++) if (e !== 7) expect(fit.expected(e, i, 2022)).toBeCloseTo(without.expected(e, i, 2022), 12);
    expect(fit.expected(7, 1, 2022)).toBe(mu);
    expect(fit.expected(7, 5, 2022)).toBe(mu);
    // σ of an unknown side: that side's median reporter, measured from its most reliable one, plus half of what no reporter explains
    const sorted = (k: 'exporter_effect' | 'importer_effect') => rows.map((r) => r[k] as number | null).filter((v): v is number => v !== null).sort((p, q) => p - q);
    const [a, b] = [sorted('exporter_effect'), sorted('importer_effect')];
    const tenth = (v: number[]) => v[Math.floor(0.1 * (v.length - 1))];
    const half = Math.max(0, mu + tenth(a) + tenth(b)) / 2;
    expect(fit.exporterSigma(7, 2022)).toBeCloseTo(Math.max(P.floor, half + a[a.length >> 1] - tenth(a)), 12);
    // a country never seen, or seen only one way, falls back the same way
    expect(fit.expected(9, 1, 2022)).toBe(mu);
    expect(fit.importerSigma(0, 2022)).toBeCloseTo(Math.max(P.floor, half + b[b.length >> 1] - tenth(b)), 12);
  });

  it('drops a side again when dropping a thin partner leaves it thin', () => {
    const base = exactRows(TRUTH.slice(0, 1), 5);
    // importer 9 has three rows, but two come from exporter 7, which has only those two
    const rows: Row[] = [...base, [7, 9, 2022, 0.4, 10], [7, 9, 2022, 0.4, 20], [1, 9, 2022, 0.4, 30]];
    const t = tableRows(fitReporterEffects(obs(rows), P).table(NAMES));
    const r9 = t.find((r) => r.reporter === 'JJJ')!;
    expect(r9.importer_observations).toBe(3);
    expect(r9.importer_effect).toBeNull();
  });

  it('skips rows with a NaN or infinite |log ratio|, a weight ≤ 0 or a negative code', () => {
    const rows = exactRows(TRUTH, 6);
    const junk: Row[] = [[0, 1, 2022, NaN, 10], [0, 1, 2022, Infinity, 10], [0, 1, 2022, 5, 0], [0, 1, 2022, 5, -3], [0, 1, 2022, 5, NaN], [-1, 1, 2022, 5, 10], [0, -1, 2022, 5, 10]];
    const a = fitReporterEffects(obs(rows), P).table(NAMES);
    const b = fitReporterEffects(obs([...junk, ...rows]), P).table(NAMES);
    expect(rowsOf(b)).toEqual(rowsOf(a));
  });

  it('takes the absolute value of a signed log ratio', () => {
    const rows = exactRows(TRUTH, 7);
    const signed = rows.map((r, k) => [r[0], r[1], r[2], k % 2 ? -r[3] : r[3], r[4]] as Row);
    expect(rowsOf(fitReporterEffects(obs(signed), P).table(NAMES))).toEqual(rowsOf(fitReporterEffects(obs(rows), P).table(NAMES)));
  });

  it('splits the offset of pairs that share no country with the rest evenly between a and b', () => {
    // block A: 0, 1 → 2, 3 around 0.3; block B: 4, 5 → 6, 7 around 0.9; both exactly additive
    const rnd = mulberry32(8);
    const rows: Row[] = [];
    const add = (es: number[], is: number[], m: number, a: number[], b: number[]) => {
      for (const [x, e] of es.entries()) for (const [y, i] of is.entries()) for (let k = 0; k < 3; k++) rows.push([e, i, 2024, m + a[x] + b[y], 10 ** (2 + 3 * rnd())]);
    };
    add([0, 1], [2, 3], 0.3, [0.05, -0.02], [0.01, 0.04]);
    add([4, 5], [6, 7], 0.9, [-0.1, 0.07], [0.03, -0.08]);
    const fit = fitReporterEffects(obs(rows), P);
    for (const r of rows) expect(fit.expected(r[0], r[1], 2024)).toBeCloseTo(r[3], 10);
    const t = tableRows(fit.table(NAMES));
    const mu = t[0].grand_mean;
    const wmean = (sel: (r: Row) => boolean, eff: (r: Row) => number) => {
      const s = rows.filter(sel);
      return s.reduce((x, r) => x + r[4] * eff(r), 0) / s.reduce((x, r) => x + r[4], 0);
    };
    const a = (c: number) => t.find((r) => r.reporter === NAMES[c])!.exporter_effect!;
    const b = (c: number) => t.find((r) => r.reporter === NAMES[c])!.importer_effect!;
    expect(wmean(() => true, (r) => a(r[0]))).toBeCloseTo(0, 12);
    expect(wmean(() => true, (r) => b(r[1]))).toBeCloseTo(0, 12);
    const inA = (r: Row) => r[0] < 2;
    const offsetA = wmean(inA, (r) => r[3]) - mu;
    expect(wmean(inA, (r) => a(r[0]))).toBeCloseTo(offsetA / 2, 12);
    expect(wmean(inA, (r) => b(r[1]))).toBeCloseTo(offsetA / 2, 12);
  });

  it('reports whether backfitting converged within maxIterations', () => {
    const rows = exactRows(TRUTH, 9);
    const one = fitReporterEffects(obs(rows), { ...P, maxIterations: 1 });
    expect(one.iterations).toBe(1);
    expect(one.converged).toBe(false);
    const full = fitReporterEffects(obs(rows), P);
    expect(full.converged).toBe(true);
    expect(full.iterations).toBeGreaterThan(1);
  });

  it('on empty input: a table with every column and no row; expected() is 2·floor, each σ the floor', () => {
    const fit = fitReporterEffects(obs([]), P);
    const t = fit.table(NAMES);
    expect(t.numRows).toBe(0);
    expect(t.schema.fields.map((f) => f.name)).toEqual(COLUMNS);
    expect(fit.expected(0, 1, 2024)).toBe(2 * P.floor);
    expect(fit.exporterSigma(0, 2024)).toBe(P.floor);
    expect(fit.importerSigma(1, 2024)).toBe(P.floor);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBe(0);
  });

  it('names the column whose length differs', () => {
    const o = obs([[0, 1, 2024, 0.1, 1], [1, 0, 2024, 0.2, 1], [0, 1, 2024, 0.3, 1]]);
    expect(() => fitReporterEffects({ ...o, weight: new Float64Array(2) }, P)).toThrow("fitReporterEffects: 'weight' has 2 rows, 'absLogRatio' has 3");
    expect(() => fitReporterEffects(o, P).table(['AAA'])).toThrow('reporterEffects.table: no name for country code 1 (1 names)');
  });
});

describe('reporterEffectsFromTable', () => {
  const rows: Row[] = [...exactRows(TRUTH, 10), [7, 1, 2022, 3, 1e6], [7, 2, 2022, 2.5, 1e6]]; // 7: a thin exporter (null effect)
  const fit = fitReporterEffects(obs(rows), P);
  const table = fit.table(NAMES);

  it('round-trips: the same expected() and σ for every pair, year and unknown country', () => {
    const back = reporterEffectsFromTable(table, (iso) => NAMES.indexOf(iso), P);
    for (const y of [2021, 2022, 2023]) {
      for (let e = 0; e < 10; e++) {
        expect(back.exporterSigma(e, y)).toBe(fit.exporterSigma(e, y));
        expect(back.importerSigma(e, y)).toBe(fit.importerSigma(e, y));
        for (let i = 0; i < 10; i++) expect(back.expected(e, i, y)).toBe(fit.expected(e, i, y));
      }
    }
    expect(back.table(NAMES)).toBe(table);
  });

  it('maps countries through codeOf, and leaves out those it does not know', () => {
    const perm = [3, 0, 4, 1, 5, 2, 6, 7, 8, 9]; // name k gets code perm[k]
    const back = reporterEffectsFromTable(table, (iso) => (iso === 'BBB' ? -1 : perm[NAMES.indexOf(iso)]), P);
    expect(back.expected(perm[0], perm[2], 2023)).toBe(fit.expected(0, 2, 2023));
    expect(back.expected(perm[1], perm[2], 2023)).toBe(fit.expected(99, 2, 2023)); // BBB unknown: μ alone
  });

  it('names a missing column', () => {
    const t = new Table({ reporter: table.getChild('reporter')!, year: table.getChild('year')! });
    expect(() => reporterEffectsFromTable(t, (iso) => NAMES.indexOf(iso), P)).toThrow("reporterEffectsFromTable: missing column 'exporter_effect'");
  });
});
