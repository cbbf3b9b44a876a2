import { Table } from 'apache-arrow';
import { Float64Builder, Int32Builder, Int8Builder, boolVector, dictionaryVector, float64Vector, int32Vector } from '../../table/columns.ts';
import { readCodes, readFloats } from '../../table/read.ts';
import { PairRecords, Published, countryIds, flowSides, periodIndex } from './published-records.ts';

/** Thresholds of {@link scoreCoverageMirrorThreshold}, a plain reference for the mirror-gap detector. */
export interface CoverageMirrorParams {
  /** A period is flagged when one side is more than this many times the other (FOB basis); ratio > 1 (default `2`). */
  gapRatio: number;
  /** Noise floor: the larger side (FOB basis) must reach this, USD per period of the comparison (month or year) (default `100_000`). */
  minValueUsd: number;
  /** Importers' CIF values are divided by this to put them on the exporters' FOB basis; ratio ≥ 1 (default `1.06`, IMF DOTS). */
  cifFobRatio: number;
  /** Sources left out, records and coverage alike: a reconciled dataset is nobody's record (default `['baci', 'mapped:atlas-baci']`). */
  excludeSources: string[];
}

/** Defaults of {@link CoverageMirrorParams}. */
export const coverageMirrorDefaults: CoverageMirrorParams = {
  gapRatio: 2,
  minValueUsd: 100_000,
  cifFobRatio: 1.06,
  excludeSources: ['baci', 'mapped:atlas-baci'],
};

/**
 * Baseline mirror detector: compares each exporter's X with its partner's M per exporter × importer × HS6 ×
 * period, scoring only periods both reporters published, and flags a gap over `gapRatio` above the noise floor.
 *
 * A reporter published a period when it has any record of that flow (X or M) then, any partner or product
 * (the excluded sources aside); a published side with no record of the pair says zero, so a one-sided flow
 * is a gap of its full value. The two sides are compared monthly when both report the pair monthly (a side
 * with no record of it: when its reporter publishes that flow monthly), otherwise on years: a side's annual
 * records, or the sum of its months over years whose twelve months it published. Only HS6-level rows
 * (`cmd_level` 6) between two countries count, one record per reporter × partner × flow × HS6 × period (the
 * first); a record without a value (null or negative) leaves its period uncompared; a pair with exporter =
 * importer is none. `all`: one row per pair with a record on either side,
 * sorted by exporter, importer, hs6; `score` is the largest |gap| over its flagged periods (0 when none),
 * `max_gap_usd` over every compared period (null when none was). `flagged`: the flagged rows by score,
 * highest first. Pure.
 */
export function scoreCoverageMirrorThreshold(flows: Table, p: CoverageMirrorParams): { all: Table; flagged: Table } {
  const who = 'scoreCoverageMirrorThreshold';
  const rep = readCodes(flows, 'reporter', who);
  const par = readCodes(flows, 'partner', who);
  const flow = readCodes(flows, 'flow', who);
  const hs6 = readCodes(flows, 'hs6', who);
  const period = readCodes(flows, 'period', who);
  const source = readCodes(flows, 'source', who);
  const level = readFloats(flows, 'cmd_level', who);
  const value = readFloats(flows, 'value_usd', who);
  const n = flows.numRows;

  // strings are looked at once per dictionary code; reporters and partners share country codes
  const { countries, repOf, parOf, isCountry: country } = countryIds(rep, par);
  const sideOf = flowSides(flow.values);
  const skip = Uint8Array.from(source.values, (s) => (p.excludeSources.includes(s) ? 1 : 0));
  const per = periodIndex(period.values, who);

  const pub = new Published(countries.size);
  const pairs = new PairRecords(countries.size, pub);
  const rPair = new Int32Builder(), rAnnual = new Int8Builder(), rTime = new Float64Builder();
  for (let i = 0; i < n; i++) {
    const f = flow.codes[i], pc = period.codes[i], sc = source.codes[i], rc = rep.codes[i];
    if (f < 0 || pc < 0 || rc < 0 || sideOf[f] < 0 || (sc >= 0 && skip[sc])) continue;
    const s = sideOf[f], a = per.annual[pc], t = per.t[pc];
    const r = repOf[rc];
    pub.mark(r, s, a, t);
    const q = par.codes[i] >= 0 ? parOf[par.codes[i]] : -1;
    if (q < 0 || q === r || !country[r] || !country[q] || hs6.codes[i] < 0 || level[i] !== 6) continue;
    const g = pairs.add(hs6.codes[i], r, q, s, a, t, value[i]);
    if (g < 0) continue; // several sources: the first record is kept
    rPair.push(g);
    rAnnual.push(a);
    rTime.push(t);
  }

  // each pair's records together (a counting sort), then one pass per pair over the periods either side recorded
  const groups = pairs.size;
  const pe = pairs.exporter.data, pi = pairs.importer.data, ph = pairs.hs6.data;
  const recPair = rPair.view(), recAnnual = rAnnual.view(), rT = rTime.view();
  const start = new Int32Array(groups + 1);
  for (let k = 0; k < recPair.length; k++) start[recPair[k] + 1]++;
  for (let g = 0; g < groups; g++) start[g + 1] += start[g];
  const order = new Int32Array(recPair.length);
  const fill = start.slice(0, groups);
  for (let k = 0; k < recPair.length; k++) order[fill[recPair[k]]++] = k;

  const score = new Float64Array(groups);
  const maxGap = new Float64Array(groups).fill(NaN);
  const compared = new Int32Array(groups);
  const flaggedN = new Int32Array(groups);
  const annualMode = new Int8Array(groups);
  const periods: number[] = [];
  for (let g = 0; g < groups; g++) {
    const annual = pairs.monthly(g) ? 0 : 1;
    annualMode[g] = annual;
    periods.length = 0;
    for (let k = start[g]; k < start[g + 1]; k++) {
      const r = order[k];
      if (annual) periods.push(recAnnual[r] ? rT[r] : Math.floor(rT[r] / 12));
      else if (!recAnnual[r]) periods.push(rT[r]);
    }
    periods.sort((a, b) => a - b);
    for (let k = 0; k < periods.length; k++) {
      const t = periods[k];
      if (k > 0 && t === periods[k - 1]) continue;
      const x = pairs.sideValue(g, 0, annual, t);
      const m = pairs.sideValue(g, 1, annual, t);
      if (x < 0 || m < 0) continue; // a side did not publish the period: unobserved
      if (x !== x || m !== m) continue; // a record without a value: nothing to compare
      const b = m / p.cifFobRatio;
      const gap = Math.abs(b - x);
      const big = Math.max(x, b), small = Math.min(x, b);
      compared[g]++;
      if (!(maxGap[g] >= gap)) maxGap[g] = gap;
      // |ln(b / x)| > ln(gapRatio), written without a division: a one-sided flow (small = 0) passes
      if (big >= p.minValueUsd && big > p.gapRatio * small) {
        flaggedN[g]++;
        if (gap > score[g]) score[g] = gap;
      }
    }
  }

  const text = (codes: Int32Array, values: readonly string[]) => (g: number) => values[codes[g]];
  const ex = text(pe, countries.values), im = text(pi, countries.values), hs = text(ph, hs6.values);
  const all = Array.from({ length: groups }, (_, g) => g);
  all.sort((a, b) => cmp(ex(a), ex(b)) || cmp(im(a), im(b)) || cmp(hs(a), hs(b)));
  const rank = new Int32Array(groups);
  all.forEach((g, k) => (rank[g] = k));
  const flagged = all.filter((g) => flaggedN[g] > 0).sort((a, b) => score[b] - score[a] || rank[a] - rank[b]);
  const table = (rows: number[]) => {
    const at = Int32Array.from(rows);
    const pick = (src: Int32Array) => Int32Array.from(at, (g) => src[g]);
    return new Table({
      exporter: dictionaryVector(pick(pe), countries.values),
      importer: dictionaryVector(pick(pi), countries.values),
      hs6: dictionaryVector(pick(ph), hs6.values),
      score: float64Vector(Float64Array.from(at, (g) => score[g])),
      max_gap_usd: float64Vector(Float64Array.from(at, (g) => maxGap[g])),
      periods_compared: int32Vector(Int32Array.from(at, (g) => compared[g])),
      periods_flagged: int32Vector(Int32Array.from(at, (g) => flaggedN[g])),
      flagged: boolVector(Int8Array.from(at, (g) => (flaggedN[g] > 0 ? 1 : 0))),
      freq: dictionaryVector(Int32Array.from(at, (g) => annualMode[g]), ['M', 'A']),
    });
  };
  return { all: table(all), flagged: table(flagged) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
