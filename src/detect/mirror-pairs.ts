import { DataType, type Data, type Table } from 'apache-arrow';
import { StringDictionary } from '../table/columns.ts';
import { groupRows } from '../table/group.ts';
import { NumberMap } from '../table/number-map.ts';
import { readCodes, readFloats, requireColumn, type CodedColumn } from '../table/read.ts';
import { PairBuffers, PairBuilder, emitPeriod, emitWindow } from './mirror-windows.ts';

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
 * rows are paired by grouping their packed codes (see groupPairsByKey), then deduplicated pair by pair.
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
  const level = isLevel6(flows, who);
  const revision = readCodes(flows, 'hs_revision', who);
  const value = readFloats(flows, 'value_usd', who);
  const fob = readFloats(flows, 'fob_usd', who);
  const kg = readFloats(flows, 'net_weight_kg', who);
  const n = flows.numRows;

  // everything per row below is a typed-array read: strings are looked at once per dictionary code
  const countries = new StringDictionary();
  // country code of reporter/partner code + 1 (slot 0: null), rather than a remapped copy of each column
  const repOf = codeMap(reporter, countries);
  const parOf = codeMap(partner, countries);
  const repCodes = reporter.codes, parCodes = partner.codes, flowCodes = flow.codes, hsCodes = hs6.codes, perCodes = period.codes;
  const srcCodes = source.codes;
  const time = periodIndex(period.values);
  const sideOf = flowSides(flow.values);
  // excluded source of code + 1 (slot 0: null, never excluded)
  const excluded = new Uint8Array(source.values.length + 1);
  for (let k = 0; k < source.values.length; k++) excluded[k + 1] = p.excludeSources.includes(source.values[k]) ? 1 : 0;

  // coverage: reporter × flow × frequency × time published (flows and areas both count)
  const published = new NumberMap(1024);
  const counts: MirrorMatchCounts = { rows_used: 0, rows_not_hs6_level: 0, rows_excluded_source: 0, rows_duplicate_source: 0 };
  // what the rows show is marked per reporter × side × period code first (one byte per cell, no hashing per row)
  const nPer = period.values.length;
  const nCountries = countries.size;
  const pubCells = (nCountries + 1) * 2 * nPer;
  const pubSeen = pubCells <= 1 << 24 ? new Uint8Array(pubCells) : null;
  // the pair key (exporter × importer × hs6 × frequency) packed from dictionary sizes, computed while selecting
  // when that space is small enough to index a table by it (see groupPairsByKey)
  const c1 = nCountries + 1; // country codes -1…nCountries-1, offset by one
  const hsCount = hs6.values.length;
  const span = c1 * c1 * hsCount * 2;
  const pairKey = span <= 4 * n + 4096 ? new Int32Array(n) : null;
  const annualOf = time.annual;
  const rc: RowCodes = { rep: repCodes, par: parCodes, flow: flowCodes, hs6: hsCodes, period: perCodes, source: srcCodes, level, repOf, parOf, sideOf, excluded, annualOf };
  const { sel, nSel, nExcluded, nNotHs6 } = selectRows(rc, n, pubSeen, nPer, (r, s, pc) => published.set(pubKey(r, s, time.annual[pc], time.t[pc]), 1), pairKey, c1, hsCount);
  counts.rows_excluded_source = nExcluded;
  counts.rows_not_hs6_level = nNotHs6;
  if (pubSeen) {
    for (let r = -1; r < nCountries; r++) {
      for (let s = 0; s < 2; s++) {
        const at = ((r + 1) * 2 + s) * nPer;
        for (let pc = 0; pc < nPer; pc++) if (pubSeen[at + pc]) published.set(pubKey(r, s, time.annual[pc], time.t[pc]), 1);
      }
    }
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

  // pairs (exporter × importer × hs6 × frequency), in order of first appearance, each pair's rows in row order
  const pg = pairKey
    ? groupPairsByKey(pairKey, span, sel, nSel, rc)
    : groupPairs(sel, nSel, rc);
  const { groups, order, slot, end } = pg;
  // one record per reporter × partner × flow × hs6 × period (several sources: the first is kept); within a
  // pair that key is side × period code, so duplicates are dropped pair by pair, keeping the first row
  // (in the pair loop below, unless country sums need the kept rows first)
  const stamp = new Int32Array(2 * nPer).fill(-1);
  let kept = 0;
  const dedupFirst = world.size > 0;
  if (dedupFirst) {
    for (let g = 0, a = 0; g < groups; g++) {
      const b = end[g];
      kept = dropDuplicates(g, a, b, kept, slot, order, stamp);
      end[g] = kept;
      a = b;
    }
    // country sums only matter against a World row; summed in row order
    const isKept = new Uint8Array(n);
    for (let k = 0; k < kept; k++) isKept[order[k]] = 1;
    for (let k = 0; k < nSel; k++) {
      const i = sel[k];
      const v = value[i];
      if (!isKept[i] || !(v >= 0)) continue;
      const pc = perCodes[i];
      const key = resKey(repOf[repCodes[i] + 1], sideOf[flowCodes[i]], hsOf[hsCodes[i]], time.annual[pc], time.t[pc]);
      if (world.has(key)) countrySum.add(key, v);
    }
  }

  const out = new PairBuilder(dedupFirst ? kept : groups);
  const revDict = new StringDictionary();
  const revOf = Int32Array.from(revision.values, (r) => revDict.code(r));
  const revCodes = revision.codes;
  const kgEstimated = flows.getChild('net_weight_estimated') ? readFloats(flows, 'net_weight_estimated', who) : null;
  const noResidual = world.size === 0 && nonCountry.size === 0;
  const residual = (c: number, fx: number, hh: number, annual: number, t: number): number => {
    const k = resKey(c, fx, hh, annual, t);
    const nc = nonCountry.get(k, 0);
    // World already contains the non-country rows, so World − countries covers them; without World, they are all there is
    return world.has(k) ? Math.max(world.get(k, 0) - countrySum.get(k, 0), nc) : nc;
  };
  const pr: PairRows = { value, kg, fob, kgEstimated, revCodes, revOf, tOf: time.t, hsOf };
  kept += emitPairs(pg, pr, dedupFirst ? null : stamp, published, noResidual ? null : residual, out, p);
  counts.rows_duplicate_source = nSel - kept;
  counts.rows_used = kept;
  return { pairs: out.table(countries.values, hs6.values, revDict.values), counts };
}

/**
 * Moves pair `g`'s rows [a, b) down to [to, …), leaving out a row whose side and period (`slot`) an earlier row
 * of the pair already has: one record per reporter × partner × flow × hs6 × period, the first kept. Returns
 * the new end. `stamp[slot]` holds the last pair that saw the slot.
 */
function dropDuplicates(g: number, a: number, b: number, to: number, slot: Int32Array, order: Int32Array, stamp: Int32Array): number {
  for (let k = a; k < b; k++) {
    const d = slot[k];
    if (stamp[d] === g) continue;
    stamp[d] = g;
    slot[to] = d;
    order[to++] = order[k];
  }
  return to;
}

/** Per row values the pair loop reads, and lookups of codes. */
interface PairRows {
  value: Float64Array; kg: Float64Array; fob: Float64Array; kgEstimated: Float64Array | null;
  revCodes: Int32Array; revOf: Int32Array; tOf: Float64Array; hsOf: Int32Array;
}

/**
 * Emits every window of every pair into `out`, pair by pair in group order: the pair's months in working
 * arrays, coverage and residuals once per month, then the windows. With `stamp`, duplicate rows (same side
 * and period code) are dropped on the way, keeping the first; returns the number of rows kept that way.
 */
function emitPairs(
  pg: PairGroups, pr: PairRows, stamp: Int32Array | null, published: NumberMap,
  residual: ((c: number, fx: number, hh: number, annual: number, t: number) => number) | null, out: PairBuilder, p: MirrorMatchParams,
): number {
  const { groups, order, slot, end } = pg;
  const { value, kg, fob, kgEstimated, revCodes, revOf, tOf, hsOf } = pr;
  const buf = new PairBuffers(); // reused across pairs (grown when a pair spans more months)
  let kept = 0;
  for (let g = 0, a = 0; g < groups; a = end[g], g++) {
    const e = pg.exporter[g];
    const im = pg.importer[g];
    const h = pg.hs6[g];
    const hh = hsOf[h];
    const annual = pg.annual[g];
    let tMin = Infinity;
    let tMax = -Infinity;
    let b = end[g];
    if (stamp) {
      b = dropDuplicates(g, a, b, a, slot, order, stamp);
      kept += b - a;
    }
    for (let k = a; k < b; k++) {
      const t = tOf[slot[k] >> 1];
      if (t < tMin) tMin = t;
      if (t > tMax) tMax = t;
    }
    if (annual && tMin === tMax) {
      // one year (the usual annual pair): its one window straight from the rows, no working arrays
      let x = NaN, m = NaN, f = NaN, kx = NaN, km = NaN, xRev = -1, mRev = -1;
      for (let k = a; k < b; k++) {
        const i = order[k];
        const kv = kgEstimated && kgEstimated[i] === 1 ? Infinity : kg[i]; // Infinity marks an estimate, as below
        const r = revCodes[i];
        if (slot[k] & 1) {
          m = value[i];
          km = kv;
          f = fob[i];
          if (r >= 0) mRev = revOf[r];
        } else {
          x = value[i];
          kx = kv;
          if (r >= 0) xRev = revOf[r];
        }
      }
      out.pair(e, im, h, annual, xRev, mRev);
      out.setWindow('Y');
      const t = tMin;
      emitPeriod(
        out, t, p.confidentialCoverShare, x, m, f, kx, km, published.has(pubKey(e, 0, annual, t)), published.has(pubKey(im, 1, annual, t)),
        residual ? residual(e, 0, hh, annual, t) : 0, residual ? residual(im, 1, hh, annual, t) : 0,
      );
      continue;
    }
    // months the windows can reach: [lo, lo + width)
    const pad = annual ? 0 : 11;
    const lo = tMin - pad;
    const width = tMax - tMin + 1 + 2 * pad;
    buf.reset(width);
    const rev = buf.rev;
    rev[0] = rev[1] = -1;
    for (let k = a; k < b; k++) {
      const i = order[k];
      const d = slot[k];
      const o = tOf[d >> 1] - lo;
      const s = d & 1;
      (s ? buf.mv : buf.xv)[o] = value[i];
      (s ? buf.mk : buf.xk)[o] = kgEstimated && kgEstimated[i] === 1 ? Infinity : kg[i]; // Infinity marks an estimate: left out of weight tests
      if (s === 1) buf.mf[o] = fob[i];
      if (revCodes[i] >= 0) rev[s] = revOf[revCodes[i]];
    }
    // coverage and residuals of both reporters, once per month (no lookups per window)
    for (let o = 0; o < width; o++) {
      const t = lo + o;
      buf.pubX[o] = published.has(pubKey(e, 0, annual, t)) ? 1 : 0;
      buf.pubM[o] = published.has(pubKey(im, 1, annual, t)) ? 1 : 0;
      buf.resX[o] = residual ? residual(e, 0, hh, annual, t) : 0;
      buf.resM[o] = residual ? residual(im, 1, hh, annual, t) : 0;
    }
    out.pair(e, im, h, annual, rev[0], rev[1]); // what the pair's rows share, set once
    for (const w of annual ? ANNUAL_WINDOWS : p.windows) {
      out.setWindow(w);
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
  return kept;
}

/** Key of "reporter `c` published flow side `fx` for period `t`" (months since year 0 stay below 40,000). */
function pubKey(c: number, fx: number, annual: number, t: number): number {
  return ((c * 2 + fx) * 2 + annual) * 40000 + t;
}

/** Key of one reporter × flow side × HS6 × period residual. */
function resKey(c: number, fx: number, h: number, annual: number, t: number): number {
  return (((c * 2 + fx) * 8192 + h) * 2 + annual) * 40000 + t;
}

/** The flow columns as codes, and what their codes map to. */
interface RowCodes {
  rep: Int32Array; par: Int32Array; flow: Int32Array; hs6: Int32Array; period: Int32Array; source: Int32Array;
  /** 1 where `cmd_level` is 6. */
  level: Uint8Array;
  /** Country code of reporter / partner code + 1 (slot 0: null). */
  repOf: Int32Array; parOf: Int32Array;
  /** Flow side of a flow code; excluded source of source code + 1; annual of a period code. */
  sideOf: Int8Array; excluded: Uint8Array; annualOf: Int8Array;
}

/**
 * Rows with an export or import flow, a period and a source not excluded (what their reporters published is
 * marked in `pubSeen`, or given to `publish` when that is null), then at HS6 level: the selected rows, in
 * order, with their packed pair key in `pairKey` when given.
 */
function selectRows(
  rc: RowCodes, n: number, pubSeen: Uint8Array | null, nPer: number, publish: (r: number, s: number, pc: number) => void,
  pairKey: Int32Array | null, c1: number, hsCount: number,
): { sel: Int32Array; nSel: number; nExcluded: number; nNotHs6: number } {
  const { rep, par, flow, hs6, period, source, level, repOf, parOf, sideOf, excluded, annualOf } = rc;
  const sel = new Int32Array(n);
  let nSel = 0;
  let nExcluded = 0;
  let nNotHs6 = 0;
  for (let i = 0; i < n; i++) {
    const f = flow[i];
    const pc = period[i];
    if (f < 0 || pc < 0) continue;
    const s = sideOf[f];
    if (s < 0) continue;
    if (excluded[source[i] + 1]) {
      nExcluded++;
      continue;
    }
    const r = repOf[rep[i] + 1];
    if (pubSeen) pubSeen[((r + 1) * 2 + s) * nPer + pc] = 1;
    else publish(r, s, pc);
    const h = hs6[i];
    if (h < 0 || !level[i]) {
      nNotHs6++;
      continue;
    }
    if (pairKey) {
      const r1 = r + 1;
      const q1 = parOf[par[i] + 1] + 1;
      pairKey[nSel] = (((s === 0 ? r1 : q1) * c1 + (s === 0 ? q1 : r1)) * hsCount + h) * 2 + annualOf[pc];
    }
    sel[nSel++] = i;
  }
  return { sel, nSel, nExcluded, nNotHs6 };
}

/**
 * 1 where `cmd_level` is 6, as `readFloats(…) === 6` tells, without a Float64 copy of the column when its
 * chunks are plain numbers with no nulls (bytes, not eight-byte floats, for the selection to read).
 */
function isLevel6(flows: Table, who: string): Uint8Array {
  const vec = requireColumn(flows, 'cmd_level', who);
  const out = new Uint8Array(flows.numRows);
  const chunks = vec.data as Data[];
  const plain = chunks.every(
    (d) => (DataType.isInt(d.type) || DataType.isFloat(d.type)) && !(d.values instanceof BigInt64Array || d.values instanceof BigUint64Array) && !(d.nullable && d.nullCount > 0),
  );
  if (!plain) {
    const level = readFloats(flows, 'cmd_level', who);
    for (let i = 0; i < out.length; i++) out[i] = level[i] === 6 ? 1 : 0;
    return out;
  }
  let offset = 0;
  for (const d of chunks) {
    const values = d.values as ArrayLike<number>;
    for (let i = 0; i < d.length; i++) out[offset + i] = values[i] === 6 ? 1 : 0;
    offset += d.length;
  }
  return out;
}

/** Per code + 1 of a coded column, its code in a shared dictionary (slot 0: null, -1); reporters and partners share country codes. */
function codeMap(col: CodedColumn, dict: StringDictionary): Int32Array {
  const m = new Int32Array(col.values.length + 1);
  m[0] = -1;
  for (let k = 0; k < col.values.length; k++) m[k + 1] = dict.code(col.values[k]);
  return m;
}

/** Pairs of {@link groupPairs}: per group its exporter, importer, hs6 code and frequency; rows bucketed by group. */
interface PairGroups {
  groups: number;
  exporter: Int32Array; importer: Int32Array; hs6: Int32Array; annual: Int8Array;
  /** Selected rows bucketed by group, each group's rows in row order; group g ends at `end[g]`. */
  order: Int32Array;
  /** Per entry of `order`, its row's side within the pair: period code × 2 + flow side (written while bucketing, read in order). */
  slot: Int32Array;
  end: Int32Array;
}

/**
 * Groups the selected rows by their packed pair key (`key[k]` for `sel[k]`, below `span`) with a table indexed
 * by the key, group ids in order of first appearance (as groupRows numbers them), and buckets them.
 * `key` is reused for the group ids.
 */
function groupPairsByKey(key: Int32Array, span: number, sel: Int32Array, m: number, rc: RowCodes): PairGroups {
  const { rep: repCodes, par: parCodes, flow: flowCodes, hs6: hsCodes, period: perCodes, repOf, parOf, sideOf, annualOf } = rc;
  const size = new Int32Array(m + 1);
  // per group (at most m; pages past the group count are never touched); gi holds the first row until read
  const ge = new Int32Array(m), gi = new Int32Array(m), gh = new Int32Array(m), ga = new Int8Array(m);
  let groups = 0;
  // the first row of each key (stores only, written last to first), then the rows in order, with no branch on
  // what the (cache-missing) table reads give, so the reads of many rows overlap
  const firstOf = new Int32Array(span);
  for (let k = m - 1; k >= 0; k--) firstOf[key[k]] = k;
  for (let k = 0; k < m; k++) {
    const f = firstOf[key[k]];
    const isNew = f === k ? 1 : 0;
    const prev = key[f]; // the group id of row f < k (written below); row k's own key when new, unused
    const g = (prev & (isNew - 1)) | (groups & -isNew);
    gi[groups] = k; // kept only when the group is new (else overwritten by the next new group's first row)
    groups += isNew;
    key[k] = g;
    size[g]++;
  }
  // each group's exporter, importer, hs6 and frequency from its first row (read in row order, no divisions)
  for (let g = 0; g < groups; g++) {
    const i = sel[gi[g]];
    const r = repOf[repCodes[i] + 1];
    const q = parOf[parCodes[i] + 1];
    const x = sideOf[flowCodes[i]] === 0;
    ge[g] = x ? r : q;
    gi[g] = x ? q : r;
    gh[g] = hsCodes[i];
    ga[g] = annualOf[perCodes[i]];
  }
  return bucket(key, groups, size, sel, m, ge, gi, gh, ga, flowCodes, sideOf, perCodes);
}

/**
 * Groups the selected rows by exporter × importer × hs6 × frequency with {@link groupRows} (group ids in order
 * of first appearance), and buckets them: the path for key spaces too large to index a table by.
 */
function groupPairs(sel: Int32Array, m: number, rc: RowCodes): PairGroups {
  const { rep: repCodes, par: parCodes, flow: flowCodes, hs6: hsCodes, period: perCodes, repOf, parOf, sideOf, annualOf } = rc;
  const e = new Int32Array(m), im = new Int32Array(m), h = new Int32Array(m), an = new Int8Array(m);
  for (let k = 0; k < m; k++) {
    const i = sel[k];
    const r = repOf[repCodes[i] + 1];
    const q = parOf[parCodes[i] + 1];
    const x = sideOf[flowCodes[i]] === 0;
    e[k] = x ? r : q;
    im[k] = x ? q : r;
    h[k] = hsCodes[i];
    an[k] = annualOf[perCodes[i]];
  }
  const { groups, groupOf, firstRow } = groupRows([e, im, h, an], m);
  const size = new Int32Array(groups + 1);
  for (let k = 0; k < m; k++) size[groupOf[k]]++;
  const at = (col: Int32Array) => Int32Array.from(firstRow, (k) => col[k]);
  return bucket(groupOf, groups, size, sel, m, at(e), at(im), at(h), Int8Array.from(firstRow, (k) => an[k]), flowCodes, sideOf, perCodes);
}

/** Buckets the selected rows by group (a counting sort: each group's rows stay in row order). `size` holds the rows per group and becomes `end`. */
function bucket(
  groupOf: Int32Array, groups: number, size: Int32Array, sel: Int32Array, m: number,
  ge: Int32Array, gi: Int32Array, gh: Int32Array, ga: Int8Array, flowCodes: Int32Array, sideOf: Int8Array, perCodes: Int32Array,
): PairGroups {
  const end = size.subarray(0, groups);
  let at = 0;
  for (let g = 0; g < groups; g++) {
    const c = end[g];
    end[g] = at;
    at += c;
  }
  const order = new Int32Array(m);
  const slot = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const i = sel[k];
    const to = end[groupOf[k]]++;
    order[to] = i;
    slot[to] = perCodes[i] * 2 + sideOf[flowCodes[i]];
  }
  return { groups, exporter: ge, importer: gi, hs6: gh, annual: ga, order, slot, end };
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

