import { DataType, type Data, type Table } from 'apache-arrow';
import { StringDictionary } from '../../table/columns.ts';
import { groupRows } from '../../table/group.ts';
import { NumberMap } from '../../table/number-map.ts';
import { readCodes, readFloats, requireColumn, type CodedColumn } from '../../table/read.ts';
import { PairBuffers, PairBuilder, PUB, emitPeriod, emitWindow, flowSides, periodIndex, pubKey } from './mirror-windows.ts';
import { markPartialPublication, publicationStatsOfCoverage, publicationStatsOfRows } from './partial-publication.ts';

export { PAIR_STATUS } from './mirror-windows.ts';

/** Settings of {@link matchMirrorFlows}. */
export interface MirrorMatchParams {
  /** Windows computed on monthly data: `M` the month, `R3`/`R12` rolling 3/12 months ending at it, `Y` calendar years (default all four). Annual data gives `Y` only. */
  windows: ('M' | 'R3' | 'R12' | 'Y')[];
  /** Sources left out of mirror matching: reconciled datasets are nobody's record (default `['baci', 'mapped:atlas-baci']`). */
  excludeSources: string[];
  /** A missing side is explained by confidentiality when the reporter's residual is at least this share of the other side's value (0–1, default 0.5: mirror values are noisy and CIF). */
  confidentialCoverShare: number;
  /**
   * A reporter × flow × period is published only in part when its partner count (over every product of the
   * table, or `--global`'s coverage) is at most this share of the median of its other periods of the same
   * frequency (0–1, default 0.5: half its usual partners or fewer, so one of two counts); 0 turns this test off.
   */
  partialPublicationShare: number;
  /**
   * …or when its total value is below this share of that median (0–1, default 0.2). Stricter than the partner
   * test: value moves with trade itself (a control's licensing pause is a fall in value, not a partial release),
   * and on wild worlds 0.5 marked about 7% of reporter-months; 0 turns this test off.
   */
  partialPublicationValueShare: number;
  /** Fewest other periods of the same reporter, flow and frequency for a usual to compare with (whole number ≥ 1, default 6: half a year of months). */
  minPeriodsForUsual: number;
}

/** Defaults for {@link MirrorMatchParams}. */
export const mirrorMatchDefaults: MirrorMatchParams = {
  windows: ['M', 'R3', 'R12', 'Y'],
  excludeSources: ['baci', 'mapped:atlas-baci'],
  confidentialCoverShare: 0.5,
  partialPublicationShare: 0.5,
  partialPublicationValueShare: 0.2,
  minPeriodsForUsual: 6,
};

const WINDOW_LEN = { M: 1, R3: 3, R12: 12 } as const;
const ANNUAL_WINDOWS = ['Y'] as const; // annual data has calendar years only

/** Counts of what {@link matchMirrorFlows} left out or inferred, for the manifest. */
export interface MirrorMatchCounts {
  rows_used: number;
  rows_not_hs6_level: number;
  rows_excluded_source: number;
  rows_duplicate_source: number;
  /** Rows whose partner is their reporter (re-imports, re-exports to itself): no mirror, left out of pairs (they still show the reporter published). */
  rows_self_partner: number;
  /** Reporter × flow × period cells found published only in part (see `partialPublicationShare`; availability-stated ones are never counted). */
  periods_partially_published: number;
  /** Years of annual pairs whose other side is the sum of its reporter's twelve published months. */
  years_from_monthly_sums: number;
  /**
   * Years of monthly pairs set beside a counterpart that published the flow annually only and has no record
   * of the pair: one side's twelve published months summed, the other side's annual zero (a `Y` window).
   */
  years_from_monthly_sums_one_sided: number;
}

/**
 * Puts both sides of every exporter → importer × HS6 flow side by side, per window: the exporter's X
 * (FOB, by last known destination) and the importer's M (CIF, by origin), with each side's coverage
 * (did its reporter publish every period of the window) and its confidentiality residual: World minus
 * country partners (which already holds 899, 837, 838, 839), or the non-country rows alone when there
 * is no World row. Rows of one pair window each; `status` says what the two sides allow one to conclude:
 * matched, ghost (the counterpart published, has no record and no residual to hide it),
 * possibly_confidential, counterpart_not_reporting, unobserved (both sides have records but a period of
 * the window is unpublished on one side), partially_published (the side without a record published that
 * period only in part), and exporter_only / importer_only (one side only, the other published, but a zero
 * value on the present side).
 *
 * - A row whose partner is its reporter (re-imports: China's imports from China) has no mirror: it is left
 *   out of pairs (`rows_self_partner`) but still shows that its reporter published.
 * - Frequencies: a pair whose two sides both report monthly, or both annually, is matched on its own
 *   frequency as always. When one side of an exporter × importer × HS6 has an annual record for year Y, the
 *   other side none, and that side's reporter did not publish the flow annually for Y but did publish it
 *   monthly, its monthly records of the pair summed over Y become its annual record — only when its reporter
 *   published all twelve months of that flow (else the year is unpublished on that side: `unobserved` or
 *   `counterpart_not_reporting`); the result is the `Y` window of the annual pair (`years_from_monthly_sums`).
 *   The pair's monthly windows stay as they were. Likewise when neither side has an annual record for Y, one
 *   side has monthly records in Y and its reporter did not publish the flow annually for Y, and the other
 *   side's reporter published the flow annually for Y but none of its months (an annual-only counterpart with
 *   no record of the pair, whose monthly windows are all `counterpart_not_reporting`): the monthly side's
 *   records summed over Y, only when its reporter published all twelve months, are set beside the annual
 *   side's zero (with that side's annual residual, as for any annual window) as the annual pair's `Y`
 *   window — a ghost when nothing covers it (`years_from_monthly_sums_one_sided`). A year not wholly published
 *   on the monthly side gives no such window.
 * - Coverage: what the rows and areas show, plus `shared.coverage`; `shared.availability` overrides both for
 *   every reporter × period it lists. Without it, a reporter × flow × period that published far fewer
 *   partners or far less value than its usual is published in part (see `partialPublicationShare`).
 *
 * Pure. Strings are read once per dictionary code; rows are paired by grouping their packed codes (see
 * groupPairsByKey), then deduplicated pair by pair.
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
    /**
     * Comtrade's data-availability table (`availability.parquet` of `tradewatch fetch`: reporter, period,
     * published): per reporter × period, for both flows, its word wins over what the rows show, either way.
     * A period it calls unpublished stays unpublished even when an extract holds stray rows of it (preview
     * or provisional records are not the reporter's release, and reading them as published would make
     * every partner they omit a ghost); one it calls published is published even without a row (the
     * reporter released it; this extract's products simply had no trade). The periods it lists are not
     * tested for partial publication: the publisher's statement stands.
     */
    availability?: Table | null;
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
  const counts: MirrorMatchCounts = {
    rows_used: 0, rows_not_hs6_level: 0, rows_excluded_source: 0, rows_duplicate_source: 0, rows_self_partner: 0, periods_partially_published: 0, years_from_monthly_sums: 0,
    years_from_monthly_sums_one_sided: 0,
  };
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
  const { sel, nSel, nExcluded, nNotHs6, nSelf } = selectRows(rc, n, pubSeen, nPer, (r, s, pc) => published.set(pubKey(r, s, time.annual[pc], time.t[pc]), 1), pairKey, c1, hsCount);
  counts.rows_excluded_source = nExcluded;
  counts.rows_not_hs6_level = nNotHs6;
  counts.rows_self_partner = nSelf;
  if (pubSeen) {
    for (let r = -1; r < nCountries; r++) {
      for (let s = 0; s < 2; s++) {
        const at = ((r + 1) * 2 + s) * nPer;
        for (let pc = 0; pc < nPer; pc++) if (pubSeen[at + pc]) published.set(pubKey(r, s, time.annual[pc], time.t[pc]), 1);
      }
    }
  }

  let monthlyElsewhere = false; // a monthly period in areas or the shared tables
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
    monthlyElsewhere ||= hasMonthly(aTime.annual);
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
    monthlyElsewhere ||= hasMonthly(cTime.annual);
    const cSide = flowSides(cFlow.values);
    for (let i = 0; i < shared.coverage.numRows; i++) {
      const f = cFlow.codes[i];
      const pc = cPer.codes[i];
      if (cRep[i] < 0 || f < 0 || cSide[f] < 0 || pc < 0) continue;
      published.set(pubKey(cRep[i], cSide[f], cTime.annual[pc], cTime.t[pc]), 1);
    }
  }

  // the availability table's word, last: it wins over rows, areas and the shared coverage (see `shared.availability`)
  const stated = applyAvailability(shared.availability ?? null, countries, published, who);
  monthlyElsewhere ||= stated?.monthly === true;

  // partial publication: per reporter × flow × frequency, periods far below the usual (the shared coverage's
  // partners and value over every product when it has them, else this table's rows)
  if (p.partialPublicationShare > 0 || p.partialPublicationValueShare > 0) {
    const cov = shared.coverage;
    const fromCoverage = cov && cov.numRows && cov.getChild('partners') && cov.getChild('value_usd');
    // (the rows of a table with too few periods of either frequency give no usual to compare with)
    const stats = fromCoverage
      ? publicationStatsOfCoverage(cov, countries, who)
      : mostPeriods(time.annual) > p.minPeriodsForUsual ? publicationStatsOfRows(rc, sel, nSel, value, nPer, nCountries, time) : null;
    if (stats) counts.periods_partially_published = markPartialPublication(stats, published, stated?.keys ?? null, p);
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
    // a reporter's trade with itself is a country partner of World too (its first record per flow, hs6 and period)
    const selfSeen = new NumberMap();
    for (let k = 0; k < nSelf; k++) {
      const i = sel[n - 1 - k];
      const v = value[i];
      if (!(v >= 0)) continue;
      const pc = perCodes[i];
      const key = resKey(repOf[repCodes[i] + 1], sideOf[flowCodes[i]], hsOf[hsCodes[i]], time.annual[pc], time.t[pc]);
      if (!world.has(key) || selfSeen.has(key)) continue;
      selfSeen.set(key, 1);
      countrySum.add(key, v);
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
  // annual pairs may take a side from monthly coverage when some reporter published months (the rows, areas or
  // shared tables hold a monthly period); each annual pair's monthly twin (same exporter, importer and hs6) holds the months
  const monthly = hasMonthly(time.annual) || monthlyElsewhere;
  const twin = monthly ? monthlyTwins(pg, c1, hsCount) : null;
  const mix = twin ? { twin, stamp: new Int32Array(2 * nPer).fill(-1), years: 0 } : null;
  // monthly pairs may meet a counterpart that published the year annually only, with no record of them: each
  // reporter × side's annual publication over the years of the rows' months, and each monthly group's annual twin
  const yearly = annualPublication(published, countries.size, time);
  const one: OneSided | null = yearly ? { ...yearly, annualTwin: annualTwins(twin, groups), years: 0 } : null;
  kept += emitPairs(pg, pr, dedupFirst ? null : stamp, published, noResidual ? null : residual, out, p, mix, one);
  counts.years_from_monthly_sums = mix ? mix.years : 0;
  counts.years_from_monthly_sums_one_sided = one ? one.years : 0;
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

/** Residual lookup: reporter, flow side, hs6 (shared code), frequency, period. */
type ResidualFn = (c: number, fx: number, hh: number, annual: number, t: number) => number;

/** What annual pairs need to take a side from monthly coverage: each annual group's monthly twin (-1 none), a stamp per side × period code, and the years so filled. */
interface MonthlyMix {
  twin: Int32Array;
  stamp: Int32Array;
  years: number;
}

/**
 * What monthly pairs need to meet a counterpart that published a year annually only: per country code + 1 ×
 * flow side × year `y0 + j` (j < `span`: the years of the rows' months) the reporter's annual publication of
 * that flow (a {@link PUB} code, at `((c + 1) * 2 + side) * span + j`), per monthly group its annual twin (-1
 * none; null when no group is annual), and the pair-years so compared.
 */
interface OneSided {
  pub: Uint8Array;
  y0: number;
  span: number;
  annualTwin: Int32Array | null;
  years: number;
}

/**
 * Emits every window of every pair into `out`, pair by pair in group order: the pair's months in working
 * arrays, coverage and residuals once per month, then the windows. With `stamp`, duplicate rows (same side
 * and period code) are dropped on the way, keeping the first; returns the number of rows kept that way.
 * With `mix`, an annual pair takes a side it lacks from that side's reporter's months (see {@link annualFromMonths});
 * with `one`, a monthly pair gets `Y` windows of the annual pair in the years its counterpart published
 * annually only (see {@link annualOfOneSide}).
 */
function emitPairs(
  pg: PairGroups, pr: PairRows, stamp: Int32Array | null, published: NumberMap,
  residual: ResidualFn | null, out: PairBuilder, p: MirrorMatchParams, mix: MonthlyMix | null, one: OneSided | null,
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
    const twin = mix && annual ? mix.twin[g] : -1;
    if (annual && tMin === tMax && twin < 0) {
      // one year (the usual annual pair): its one window straight from the rows, no working arrays — unless a
      // side without a record may be taken from monthly coverage (then the path below)
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
      const t = tMin;
      const pubX = published.get(pubKey(e, 0, annual, t), PUB.no), pubM = published.get(pubKey(im, 1, annual, t), PUB.no);
      if (!(mix && (x === x) !== (m === m) && (x === x ? pubM : pubX) === PUB.no)) {
        out.pair(e, im, h, annual, xRev, mRev);
        out.setWindow('Y');
        emitPeriod(
          out, t, p.confidentialCoverShare, x, m, f, kx, km, pubX, pubM,
          residual ? residual(e, 0, hh, annual, t) : 0, residual ? residual(im, 1, hh, annual, t) : 0,
        );
        continue;
      }
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
      buf.pubX[o] = published.get(pubKey(e, 0, annual, t), PUB.no);
      buf.pubM[o] = published.get(pubKey(im, 1, annual, t), PUB.no);
      buf.resX[o] = residual ? residual(e, 0, hh, annual, t) : 0;
      buf.resM[o] = residual ? residual(im, 1, hh, annual, t) : 0;
    }
    if (annual && mix) mix.years += annualFromMonths(buf, lo, width, pg, twin, pr, mix.stamp, published, residual, e, im, hh);
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
    if (!annual && one) {
      // one typed-array read per side and year before any work: most pairs have no annual-only counterpart
      const { pub, y0, span } = one;
      const atX = (e + 1) * 2 * span - y0, atM = ((im + 1) * 2 + 1) * span - y0;
      for (let y = Math.floor(tMin / 12), yEnd = Math.floor(tMax / 12); y <= yEnd; y++) {
        const ax = pub[atX + y], am = pub[atM + y];
        if ((ax === PUB.no) !== (am === PUB.no)) one.years += annualOfOneSide(buf, lo, y, ax, am, g, pg, pr, one.annualTwin, residual, hh, out, p.confidentialCoverShare);
      }
    }
  }
  return kept;
}

/**
 * Year `y` of monthly pair `g` (its months in `buf` from `lo`, revisions in `buf.rev`) when exactly one side's
 * reporter published that flow annually for `y` (`ax`, `am`: the exporter's and the importer's annual
 * {@link PUB} codes): when that annual side has no month of its own in `y` (no record, no published month) and
 * the annual pair has no record for `y` (else the annual pair's own windows, with {@link annualFromMonths},
 * compare it), and the other side has a record in `y` and its reporter published all twelve months of that
 * flow, that side's months summed (value, weight and the importer's FOB with emitWindow's rules, the monthly
 * residuals; published in part when a month was) are set beside the annual side's zero (its annual residual)
 * as the annual pair's `Y` window of `y`. Returns 1 when it emitted that window, else 0.
 */
function annualOfOneSide(
  buf: PairBuffers, lo: number, y: number, ax: number, am: number, g: number, pg: PairGroups, pr: PairRows,
  annualTwin: Int32Array | null, residual: ResidualFn | null, hh: number, out: PairBuilder, coverShare: number,
): number {
  const s = ax === PUB.no ? 0 : 1; // the monthly side: the one whose reporter did not publish the year annually
  const mv = s ? buf.mv : buf.xv, mPub = s ? buf.pubM : buf.pubX;
  const av = s ? buf.xv : buf.mv, aPub = s ? buf.pubX : buf.pubM;
  const o0 = y * 12 - lo;
  let rec = false, partial = false;
  for (let o = o0; o < o0 + 12; o++) {
    // a month of the annual side's own (its monthly windows compare it), or a month the monthly side did not publish (no whole year)
    if (av[o] === av[o] || aPub[o] !== PUB.no || mPub[o] === PUB.no) return 0;
    if (mPub[o] === PUB.partial) partial = true;
    if (mv[o] === mv[o]) rec = true;
  }
  if (!rec) return 0;
  // the annual pair's record of the year, on either side: that pair's windows compare the year
  const a = annualTwin ? annualTwin[g] : -1;
  if (a >= 0) {
    const { order, slot, end } = pg;
    const { value, tOf } = pr;
    for (let q = a > 0 ? end[a - 1] : 0; q < end[a]; q++) if (tOf[slot[q] >> 1] === y && value[order[q]] === value[order[q]]) return 0;
  }
  const mk = s ? buf.mk : buf.xk, mRes = s ? buf.resM : buf.resX, mf = buf.mf;
  let v = 0, k = 0, f = 0, res = 0, kgOk = true, fAll = true;
  for (let o = o0; o < o0 + 12; o++) {
    res += mRes[o];
    const x = mv[o];
    if (x !== x) continue;
    v += x;
    const kv = mk[o];
    if (x > 0 && !(kv > 0 && kv < Infinity)) kgOk = false;
    else if (kv === kv) k += kv;
    if (s) {
      if (mf[o] === mf[o]) f += mf[o];
      else if (x > 0) fAll = false;
    }
  }
  const e = pg.exporter[g], im = pg.importer[g];
  const pub = partial ? PUB.partial : PUB.yes;
  const resA = residual ? residual(s ? e : im, 1 - s, hh, 1, y) : 0;
  out.pair(e, im, pg.hs6[g], 1, s ? -1 : buf.rev[0], s ? buf.rev[1] : -1);
  out.setWindow('Y');
  if (s) emitPeriod(out, y, coverShare, NaN, v, fAll ? f : NaN, NaN, kgOk ? k : NaN, ax, pub, resA, res);
  else emitPeriod(out, y, coverShare, v, NaN, NaN, kgOk ? k : NaN, NaN, pub, am, res, resA);
  return 1;
}

/**
 * Per reporter × flow side × year of the rows' months, its annual publication of that flow as `published`
 * holds it (see {@link OneSided}); null when the rows hold no month or no reporter published one of those years annually.
 */
function annualPublication(published: NumberMap, nCountries: number, time: { t: Float64Array; annual: Int8Array }): Pick<OneSided, 'pub' | 'y0' | 'span'> | null {
  let y0 = Infinity, y1 = -Infinity;
  for (let pc = 0; pc < time.t.length; pc++) {
    if (time.annual[pc] || time.t[pc] !== time.t[pc]) continue;
    const y = Math.floor(time.t[pc] / 12);
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (y1 < y0) return null;
  const span = y1 - y0 + 1;
  const pub = new Uint8Array((nCountries + 1) * 2 * span);
  let any = false;
  for (let c = -1, at = 0; c < nCountries; c++) {
    for (let s = 0; s < 2; s++) {
      for (let y = y0; y <= y1; y++, at++) {
        const v = published.get(pubKey(c, s, 1, y), PUB.no);
        pub[at] = v;
        if (v !== PUB.no) any = true;
      }
    }
  }
  return any ? { pub, y0, span } : null;
}

/** Per monthly group, its annual twin from {@link monthlyTwins}' annual → monthly twins (-1 none); null without them. */
function annualTwins(twin: Int32Array | null, groups: number): Int32Array | null {
  if (!twin) return null;
  const out = new Int32Array(groups).fill(-1);
  for (let g = 0; g < groups; g++) if (twin[g] >= 0) out[twin[g]] = g;
  return out;
}

/**
 * For each year [lo, lo + width) of an annual pair where one side has a record and the other none, and the
 * other side's reporter did not publish that flow annually but did publish it monthly: that side's record
 * becomes the sum of the monthly twin group `twin`'s records of the year (none when `twin` is -1: a zero once
 * published; value, weight with the estimate/missing rule of emitWindow, the importer's FOB, the residuals),
 * published when its reporter published all twelve months (in part when one of them was), else unpublished.
 * Writes into `buf`; returns the years filled from whole published years.
 */
function annualFromMonths(
  buf: PairBuffers, lo: number, width: number, pg: PairGroups, twin: number, pr: PairRows, stamp: Int32Array,
  published: NumberMap, residual: ResidualFn | null, e: number, im: number, hh: number,
): number {
  // which year × side takes the months: 1 + side, 0 none
  const want = new Int8Array(width);
  let any = false;
  for (let o = 0; o < width; o++) {
    const hasX = buf.xv[o] === buf.xv[o], hasM = buf.mv[o] === buf.mv[o];
    if (hasX === hasM) continue;
    const s = hasX ? 1 : 0;
    if ((s ? buf.pubM : buf.pubX)[o] !== PUB.no) continue; // its reporter published the year: its word (zero) stands
    want[o] = 1 + s;
    any = true;
  }
  if (!any) return 0;
  // the twin's rows, first row per side × period code (its own dedupe may not have run yet, or left copies behind)
  const { order, slot, end } = pg;
  const { value, kg, fob, kgEstimated, revCodes, revOf, tOf } = pr;
  const v = new Float64Array(width).fill(NaN), k = new Float64Array(width), f = new Float64Array(width);
  const kBad = new Uint8Array(width), fBad = new Uint8Array(width);
  const rev = [-1, -1];
  for (let q = twin > 0 ? end[twin - 1] : 0, z = twin >= 0 ? end[twin] : 0; q < z; q++) {
    const d = slot[q];
    if (stamp[d] === twin) continue;
    stamp[d] = twin;
    const t = tOf[d >> 1];
    const o = Math.floor(t / 12) - lo;
    if (o < 0 || o >= width || want[o] !== 1 + (d & 1)) continue;
    const i = order[q];
    const x = value[i];
    if (x !== x) continue; // no value: no record
    v[o] = v[o] === v[o] ? v[o] + x : x;
    const kv = kgEstimated && kgEstimated[i] === 1 ? Infinity : kg[i];
    if (x > 0 && !(kv > 0 && kv < Infinity)) kBad[o] = 1;
    else if (kv === kv) k[o] += kv;
    if (d & 1) {
      if (fob[i] === fob[i]) f[o] += fob[i];
      else if (x > 0) fBad[o] = 1;
    }
    if (revCodes[i] >= 0) rev[d & 1] = revOf[revCodes[i]];
  }
  let whole = 0;
  for (let o = 0; o < width; o++) {
    if (!want[o]) continue;
    const s = want[o] - 1;
    const c = s ? im : e;
    const y = lo + o;
    let months = 0, partial = false, res = 0;
    for (let mo = y * 12; mo < y * 12 + 12; mo++) {
      const pub = published.get(pubKey(c, s, 0, mo), PUB.no);
      if (pub !== PUB.no) months++;
      if (pub === PUB.partial) partial = true;
      if (residual) res += residual(c, s, hh, 0, mo);
    }
    if (months === 0) continue; // not a monthly publisher of that flow that year: nothing to sum
    const pub = months < 12 ? PUB.no : partial ? PUB.partial : PUB.yes;
    if (pub !== PUB.no) whole++;
    if (s) {
      buf.mv[o] = v[o];
      buf.mk[o] = kBad[o] ? NaN : k[o];
      buf.mf[o] = fBad[o] ? NaN : f[o];
      buf.pubM[o] = pub;
      buf.resM[o] = res;
    } else {
      buf.xv[o] = v[o];
      buf.xk[o] = kBad[o] ? NaN : k[o];
      buf.pubX[o] = pub;
      buf.resX[o] = res;
    }
    if (buf.rev[s] < 0) buf.rev[s] = rev[s];
  }
  return whole;
}

/** Per pair group, for an annual group, the monthly group of the same exporter, importer and hs6 (-1 none); null when no group is annual. */
function monthlyTwins(pg: PairGroups, c1: number, hsCount: number): Int32Array | null {
  const { groups, exporter, importer, hs6, annual } = pg;
  let nAnnual = 0;
  for (let g = 0; g < groups; g++) nAnnual += annual[g];
  if (nAnnual === 0) return null;
  const twin = new Int32Array(groups).fill(-1);
  if (nAnnual === groups) return twin;
  const key = (g: number) => ((exporter[g] + 1) * c1 + importer[g] + 1) * hsCount + hs6[g];
  const monthly = new NumberMap(groups - nAnnual);
  for (let g = 0; g < groups; g++) if (!annual[g]) monthly.set(key(g), g);
  for (let g = 0; g < groups; g++) if (annual[g]) twin[g] = monthly.get(key(g), -1);
  return twin;
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
 * marked in `pubSeen`, or given to `publish` when that is null), then at HS6 level and with a partner other
 * than the reporter: the selected rows, in order, with their packed pair key in `pairKey` when given. The
 * rows whose partner is their reporter fill `sel` from its end, the first at `n - 1`.
 */
function selectRows(
  rc: RowCodes, n: number, pubSeen: Uint8Array | null, nPer: number, publish: (r: number, s: number, pc: number) => void,
  pairKey: Int32Array | null, c1: number, hsCount: number,
): { sel: Int32Array; nSel: number; nExcluded: number; nNotHs6: number; nSelf: number } {
  const { rep, par, flow, hs6, period, source, level, repOf, parOf, sideOf, excluded, annualOf } = rc;
  const sel = new Int32Array(n);
  let nSel = 0;
  let nExcluded = 0;
  let nNotHs6 = 0;
  let nSelf = 0;
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
    const q = parOf[par[i] + 1];
    if (q === r && r >= 0) {
      sel[n - 1 - nSelf++] = i; // a country's trade with itself has no mirror (kept at the end: it is in World's total)
      continue;
    }
    if (pairKey) {
      const r1 = r + 1;
      const q1 = q + 1;
      pairKey[nSel] = (((s === 0 ? r1 : q1) * c1 + (s === 0 ? q1 : r1)) * hsCount + h) * 2 + annualOf[pc];
    }
    sel[nSel++] = i;
  }
  return { sel, nSel, nExcluded, nNotHs6, nSelf };
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

/**
 * Sets `published` from an availability table (reporter, period, published) for both flows of every reporter ×
 * period it lists, over what was there: 1 published, 0 not. Returns the keys it set and whether it lists a
 * month (null without a table).
 */
function applyAvailability(table: Table | null, countries: StringDictionary, published: NumberMap, who: string): { keys: NumberMap; monthly: boolean } | null {
  if (!table || !table.numRows) return null;
  const rep = remap(readCodes(table, 'reporter', who), countries);
  const per = readCodes(table, 'period', who);
  const pub = readFloats(table, 'published', who); // true 1, false 0, null NaN
  const time = periodIndex(per.values);
  const stated = new NumberMap(2 * table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const pc = per.codes[i];
    if (rep[i] < 0 || pc < 0 || pub[i] !== pub[i] || time.t[pc] !== time.t[pc]) continue; // a row that states nothing
    for (let s = 0; s < 2; s++) {
      const key = pubKey(rep[i], s, time.annual[pc], time.t[pc]);
      published.set(key, pub[i] ? PUB.yes : PUB.no);
      stated.set(key, 1);
    }
  }
  return { keys: stated, monthly: hasMonthly(time.annual) };
}

/** Whether a period dictionary (its `annual` flags) holds a month. */
function hasMonthly(annual: Int8Array): boolean {
  return annual.includes(0);
}

/** The larger of the numbers of monthly and of annual periods in a period dictionary (each text once). */
function mostPeriods(annual: Int8Array): number {
  let a = 0;
  for (let k = 0; k < annual.length; k++) a += annual[k];
  return Math.max(a, annual.length - a);
}

/** Maps a coded column into a shared dictionary (reporters and partners share country codes). */
function remap(col: CodedColumn, dict: StringDictionary): Int32Array {
  const m = col.values.map((v) => dict.code(v));
  const out = new Int32Array(col.codes.length);
  for (let i = 0; i < out.length; i++) out[i] = col.codes[i] < 0 ? -1 : m[col.codes[i]];
  return out;
}
