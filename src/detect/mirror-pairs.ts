import type { Table } from 'apache-arrow';
import { StringDictionary } from '../table/columns.ts';
import { groupRows } from '../table/group.ts';
import { NumberMap } from '../table/number-map.ts';
import { readCodes, readFloats, type CodedColumn } from '../table/read.ts';
import { PairBuffers, PairBuilder, emitWindow } from './mirror-windows.ts';

export { PAIR_STATUS } from './mirror-windows.ts';

/** Settings of {@link matchMirrorFlows}. */
export interface MirrorMatchParams {
  /** Windows computed on monthly data: `M` the month, `R3`/`R12` rolling 3/12 months ending at it, `Y` calendar years (default all four). Annual data gives `Y` only. */
  windows: ('M' | 'R3' | 'R12' | 'Y')[];
  /** Sources left out of mirror matching: reconciled datasets are nobody's record (default `['baci', 'mapped:atlas-baci']`). */
  excludeSources: string[];
  /** A missing side is explained by confidentiality when the reporter's residual is at least this share of the other side's value (0–1, default 0.5: mirror values are noisy and CIF). */
  confidentialCoverShare: number;
}

/** Defaults for {@link MirrorMatchParams}. */
export const mirrorMatchDefaults: MirrorMatchParams = {
  windows: ['M', 'R3', 'R12', 'Y'],
  excludeSources: ['baci', 'mapped:atlas-baci'],
  confidentialCoverShare: 0.5,
};

const WINDOW_LEN = { M: 1, R3: 3, R12: 12 } as const;
const ANNUAL_WINDOWS = ['Y'] as const; // annual data has calendar years only

/** Counts of what {@link matchMirrorFlows} left out, for the manifest. */
export interface MirrorMatchCounts {
  rows_used: number;
  rows_not_hs6_level: number;
  rows_excluded_source: number;
  rows_duplicate_source: number;
}

/**
 * Puts both sides of every exporter → importer × HS6 flow side by side, per window: the exporter's X
 * (FOB, by last known destination) and the importer's M (CIF, by origin), with each side's coverage
 * (did its reporter publish every period of the window) and its confidentiality residual: World minus
 * country partners (which already holds 899, 837, 838, 839), or the non-country rows alone when there
 * is no World row. Monthly and annual data are never mixed. Rows of one pair
 * window each; `status` says what the two sides allow one to conclude:
 * matched, ghost (the counterpart published, has no record and no residual to hide it),
 * possibly_confidential, counterpart_not_reporting, unobserved (both sides have records but a period of
 * the window is unpublished on one side), and exporter_only / importer_only (one side only, the other
 * published, but a zero value on the present side). Pure. Strings are read once per dictionary code;
 * rows are deduplicated and paired by grouping their packed codes (see groupRows).
 */
export function matchMirrorFlows(
  flows: Table,
  areas: Table | null,
  p: MirrorMatchParams,
  shared: {
    /**
     * A `coverage` table of a run over every product (reporter, flow, period): what each reporter published
     * at all, added to what these rows show — from one product's rows alone, a reporter that published
     * other products that month would read as not reporting.
     */
    coverage?: Table | null;
  } = {},
): { pairs: Table; counts: MirrorMatchCounts } {
  const who = 'matchMirrorFlows';
  const reporter = readCodes(flows, 'reporter', who);
  const partner = readCodes(flows, 'partner', who);
  const flow = readCodes(flows, 'flow', who);
  const hs6 = readCodes(flows, 'hs6', who);
  const period = readCodes(flows, 'period', who);
  const source = readCodes(flows, 'source', who);
  const level = readFloats(flows, 'cmd_level', who);
  const revision = readCodes(flows, 'hs_revision', who);
  const value = readFloats(flows, 'value_usd', who);
  const fob = readFloats(flows, 'fob_usd', who);
  const kg = readFloats(flows, 'net_weight_kg', who);
  const n = flows.numRows;

  // everything per row below is a typed-array read: strings are looked at once per dictionary code
  const countries = new StringDictionary();
  const rep = remap(reporter, countries);
  const par = remap(partner, countries);
  const time = periodIndex(period.values);
  const sideOf = flowSides(flow.values);
  const excluded = Uint8Array.from(source.values, (s) => (p.excludeSources.includes(s) ? 1 : 0));

  // coverage: reporter × flow × frequency × time published (flows and areas both count)
  const published = new NumberMap(1024);
  const counts: MirrorMatchCounts = { rows_used: 0, rows_not_hs6_level: 0, rows_excluded_source: 0, rows_duplicate_source: 0 };
  const sel = new Int32Array(n);
  let nSel = 0;
  for (let i = 0; i < n; i++) {
    const f = flow.codes[i];
    const pc = period.codes[i];
    if (f < 0 || sideOf[f] < 0 || pc < 0) continue;
    if (excluded[source.codes[i]]) {
      counts.rows_excluded_source++;
      continue;
    }
    published.set(pubKey(rep[i], sideOf[f], time.annual[pc], time.t[pc]), 1);
    if (hs6.codes[i] < 0 || level[i] !== 6) {
      counts.rows_not_hs6_level++;
      continue;
    }
    sel[nSel++] = i;
  }

  // residual evidence from areas: World and non-country rows by reporter × flow × hs6 × frequency × time
  const world = new NumberMap();
  const nonCountry = new NumberMap();
  const countrySum = new NumberMap();
  const hsDict = new StringDictionary();
  const hsOf = Int32Array.from(hs6.values, (h) => hsDict.code(h));
  if (areas && areas.numRows) {
    const aRep = remap(readCodes(areas, 'reporter', who), countries);
    const aPar = readCodes(areas, 'partner', who);
    const aFlow = readCodes(areas, 'flow', who);
    const aHs = readCodes(areas, 'hs6', who);
    const aPer = readCodes(areas, 'period', who);
    const aSrc = readCodes(areas, 'source', who);
    const aVal = readFloats(areas, 'value_usd', who);
    const aTime = periodIndex(aPer.values);
    const aHsOf = Int32Array.from(aHs.values, (h) => hsDict.code(h));
    const aSide = flowSides(aFlow.values);
    const aExcluded = Uint8Array.from(aSrc.values, (s) => (p.excludeSources.includes(s) ? 1 : 0));
    const isWorld = Uint8Array.from(aPar.values, (v) => (v === 'WLD' ? 1 : 0));
    for (let i = 0; i < areas.numRows; i++) {
      const f = aFlow.codes[i];
      const pc = aPer.codes[i];
      if (f < 0 || pc < 0 || aSrc.codes[i] < 0 || aExcluded[aSrc.codes[i]]) continue;
      const fx = aSide[f];
      if (fx < 0) continue;
      const t = aTime.t[pc];
      const annual = aTime.annual[pc];
      published.set(pubKey(aRep[i], fx, annual, t), 1);
      if (aHs.codes[i] < 0 || !(aVal[i] >= 0)) continue;
      (isWorld[aPar.codes[i]] ? world : nonCountry).add(resKey(aRep[i], fx, aHsOf[aHs.codes[i]], annual, t), aVal[i]);
    }
  }

  if (shared.coverage && shared.coverage.numRows) {
    const cRep = remap(readCodes(shared.coverage, 'reporter', who), countries);
    const cFlow = readCodes(shared.coverage, 'flow', who);
    const cPer = readCodes(shared.coverage, 'period', who);
    const cTime = periodIndex(cPer.values);
    const cSide = flowSides(cFlow.values);
    for (let i = 0; i < shared.coverage.numRows; i++) {
      const f = cFlow.codes[i];
      const pc = cPer.codes[i];
      if (cRep[i] < 0 || f < 0 || cSide[f] < 0 || pc < 0) continue;
      published.set(pubKey(cRep[i], cSide[f], cTime.annual[pc], cTime.t[pc]), 1);
    }
  }

  // one record per reporter × partner × flow × hs6 × period (several sources: the first is kept)
  const rows = sel.subarray(0, nSel);
  const dedup = groupRows([rep, par, flow.codes, hs6.codes, period.codes], n, rows);
  counts.rows_duplicate_source = rows.length - dedup.groups;
  const keep = dedup.firstRow;
  counts.rows_used = keep.length;
  const exporter = new Int32Array(n);
  const importer = new Int32Array(n);
  const side = new Int8Array(n);
  const annualOf = new Int8Array(n);
  const tOf = new Float64Array(n);
  for (let k = 0; k < keep.length; k++) {
    const i = keep[k];
    const s = sideOf[flow.codes[i]];
    exporter[i] = s === 0 ? rep[i] : par[i];
    importer[i] = s === 0 ? par[i] : rep[i];
    side[i] = s;
    annualOf[i] = time.annual[period.codes[i]];
    tOf[i] = time.t[period.codes[i]];
    if (world.size === 0 || !(value[i] >= 0)) continue; // country sums only matter against a World row
    const key = resKey(rep[i], s, hsOf[hs6.codes[i]], annualOf[i], tOf[i]);
    if (world.has(key)) countrySum.add(key, value[i]);
  }
  const pairsG = groupRows([exporter, importer, hs6.codes, annualOf], n, keep);
  // bucket rows by pair
  const start = new Int32Array(pairsG.groups + 1);
  for (let k = 0; k < keep.length; k++) start[pairsG.groupOf[k] + 1]++;
  for (let g = 0; g < pairsG.groups; g++) start[g + 1] += start[g];
  const cursor = start.slice(0, pairsG.groups);
  const order = new Int32Array(keep.length);
  for (let k = 0; k < keep.length; k++) order[cursor[pairsG.groupOf[k]]++] = keep[k];

  const out = new PairBuilder(keep.length);
  const revDict = new StringDictionary();
  const revOf = Int32Array.from(revision.values, (r) => revDict.code(r));
  const kgEstimated = flows.getChild('net_weight_estimated') ? readFloats(flows, 'net_weight_estimated', who) : null;
  // per-pair working buffers, reused across pairs (grown when a pair spans more months)
  const buf = new PairBuffers();
  const noResidual = world.size === 0 && nonCountry.size === 0;
  const residual = (c: number, fx: number, hh: number, annual: number, t: number): number => {
    const k = resKey(c, fx, hh, annual, t);
    const nc = nonCountry.get(k, 0);
    // World already contains the non-country rows, so World − countries covers them; without World, they are all there is
    return world.has(k) ? Math.max(world.get(k, 0) - countrySum.get(k, 0), nc) : nc;
  };
  for (let g = 0; g < pairsG.groups; g++) {
    const first = order[start[g]];
    const e = exporter[first];
    const im = importer[first];
    const h = hs6.codes[first];
    const hh = hsOf[h];
    const annual = annualOf[first];
    let tMin = Infinity;
    let tMax = -Infinity;
    for (let k = start[g]; k < start[g + 1]; k++) {
      const t = tOf[order[k]];
      if (t < tMin) tMin = t;
      if (t > tMax) tMax = t;
    }
    // months the windows can reach: [lo, lo + width)
    const pad = annual ? 0 : 11;
    const lo = tMin - pad;
    const width = tMax - tMin + 1 + 2 * pad;
    buf.reset(width);
    const rev = buf.rev;
    rev[0] = rev[1] = -1;
    for (let k = start[g]; k < start[g + 1]; k++) {
      const i = order[k];
      const o = tOf[i] - lo;
      const s = side[i];
      (s ? buf.mv : buf.xv)[o] = value[i];
      (s ? buf.mk : buf.xk)[o] = kgEstimated && kgEstimated[i] === 1 ? Infinity : kg[i]; // Infinity marks an estimate: left out of weight tests
      if (s === 1) buf.mf[o] = fob[i];
      if (revision.codes[i] >= 0) rev[s] = revOf[revision.codes[i]];
    }
    // coverage and residuals of both reporters, once per month (no lookups per window)
    for (let o = 0; o < width; o++) {
      const t = lo + o;
      buf.pubX[o] = published.has(pubKey(e, 0, annual, t)) ? 1 : 0;
      buf.pubM[o] = published.has(pubKey(im, 1, annual, t)) ? 1 : 0;
      buf.resX[o] = noResidual ? 0 : residual(e, 0, hh, annual, t);
      buf.resM[o] = noResidual ? 0 : residual(im, 1, hh, annual, t);
    }
    const r = out.scratch; // one reused record, not an object per row
    r.e = e; r.im = im; r.h = h; r.annual = annual; r.xRev = rev[0]; r.mRev = rev[1];
    for (const w of annual ? ANNUAL_WINDOWS : p.windows) {
      r.w = w;
      if (w === 'Y' && !annual) {
        for (let y = Math.floor(tMin / 12); y <= Math.floor(tMax / 12); y++) emitWindow(buf, lo, y * 12, y * 12 + 11, out, p.confidentialCoverShare);
      } else if (w === 'Y') {
        for (let t = tMin; t <= tMax; t++) emitWindow(buf, lo, t, t, out, p.confidentialCoverShare);
      } else {
        const len = WINDOW_LEN[w];
        for (let t = tMin; t <= tMax + len - 1; t++) emitWindow(buf, lo, t - len + 1, t, out, p.confidentialCoverShare);
      }
    }
  }
  return { pairs: out.table(countries.values, hs6.values, revDict.values), counts };
}

/** Key of "reporter `c` published flow side `fx` for period `t`" (months since year 0 stay below 40,000). */
function pubKey(c: number, fx: number, annual: number, t: number): number {
  return ((c * 2 + fx) * 2 + annual) * 40000 + t;
}

/** Key of one reporter × flow side × HS6 × period residual. */
function resKey(c: number, fx: number, h: number, annual: number, t: number): number {
  return (((c * 2 + fx) * 8192 + h) * 2 + annual) * 40000 + t;
}

/** Maps a coded column into a shared dictionary (reporters and partners share country codes). */
function remap(col: CodedColumn, dict: StringDictionary): Int32Array {
  const m = col.values.map((v) => dict.code(v));
  const out = new Int32Array(col.codes.length);
  for (let i = 0; i < out.length; i++) out[i] = col.codes[i] < 0 ? -1 : m[col.codes[i]];
  return out;
}

/** Per period code: `YYYY-MM` → t months since year 0 (annual 0); `YYYY` → t the year (annual 1). */
function periodIndex(values: readonly string[]): { t: Float64Array; annual: Int8Array } {
  const t = Float64Array.from(values, (v) => (v.length === 4 ? Number(v) : Number(v.slice(0, 4)) * 12 + Number(v.slice(5, 7)) - 1));
  return { t, annual: Int8Array.from(values, (v) => (v.length === 4 ? 1 : 0)) };
}

/** Per flow code: 0 for exports (`X`), 1 for imports (`M`), -1 for the rest. */
function flowSides(values: readonly string[]): Int8Array {
  return Int8Array.from(values, (f) => (f === 'X' ? 0 : f === 'M' ? 1 : -1));
}

