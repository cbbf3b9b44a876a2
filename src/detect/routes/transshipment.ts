import { createHash } from 'node:crypto';
import { Bool, Field, Float64, Int32, List, Struct, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import type { Catalog, ControlInterval } from '../../reference/catalog.ts';
import { StringDictionary, dictionaryVector, float64Vector, int32Vector } from '../../table/columns.ts';
import { listVector } from '../../table/list.ts';
import { readCodes } from '../../table/read.ts';
import { fitIsolationForest, isolationDefaults, scoreIsolation, type IsolationParams } from '../ml/isolation.ts';
import { buildLegCube, type LegCube } from './leg-cube.ts';
import { OriginTrade } from './origin-trade.ts';
import type { MirrorEvidence } from '../mirror/mirror-evidence.ts';
import { chainDefaults, ComparableFlows, excessOverTrend, flowEffect, judgeChain, type ChainParams, type Effect, type Link } from './route-chain.ts';
import { controlWindows, yearShareInForce, legLag, logChange, windowMean, windowUnitValue, type WindowParams } from './route-signals.ts';

/** Gates and scales of the chain's links (config `transshipment.gates`). */
export interface RouteGates {
  /** |ln(unit value H → D / O → H)| within which the unit values match (default ln 2: twice or half). */
  unitValueZeroLog: number;
  /** `destination_origin_kept_log_ratio` from which D is taken to book the origin's goods as the origin's (default ln 2: twice what the origin sent). */
  originKeptFullLog: number;
  /** Hub's prior export share below which it is a new exporter to the destination (default 0.5). */
  newExporterZeroShare: number;
  /** Hub ghost share from which the hub is taken not to record what it receives (default 0.25). */
  ghostShareGate: number;
  /** Lowest correlation of the legs at which a lag is reported (default 0.2: below it the legs do not move together). */
  lagMinCorrelation: number;
}

/** Settings of {@link scoreTransshipmentRoutes}; all live in config under `transshipment`. */
export interface TransshipmentParams extends WindowParams {
  /** Origin under control (default `CHN`). */
  origin: string;
  /** A leg counts when its mean per period reaches this, USD (monthly data; annual data × 12) (default 20,000). */
  minLegUsdPerMonth: number;
  /** Score basket codes too (default false: basket codes are marked and opt-in). */
  includeBaskets: boolean;
  /**
   * The HS revision the control catalog's codes are of (default `HS2022`): a code's rows in a revision where its
   * scope differs (811292 in HS2017 also holds hafnium and rhenium) are left out of its legs.
   */
  hsRevision: string;
  /** CIF/FOB ratio used to put importers' records on the exporters' basis (default 1.06). */
  cifFobRatio: number;
  /** Longest lag between legs considered, months (default 3). */
  maxLagMonths: number;
  /** Log-change floor, as a share of the noise floor (default 1). */
  surgeFloorShare: number;
  /** The chain of evidence: when a link holds, how noise is measured (src/detect/routes/route-chain.ts). */
  chain: ChainParams;
  /** The gates of the supporting links and of a hub that hides its imports, each with what it means. */
  gates: RouteGates;
  /** Isolation forest over the routes' signal vectors (seeded; see src/detect/ml/isolation.ts): the `isolation_score` column. */
  isolation: IsolationParams;
}

/** Defaults for {@link TransshipmentParams}. */
export const transshipmentDefaults: TransshipmentParams = {
  origin: 'CHN',
  minLegUsdPerMonth: 20_000,
  includeBaskets: false,
  cifFobRatio: 1.06,
  maxLagMonths: 3,
  surgeFloorShare: 1,
  baselineMonths: 12,
  postMonths: 12,
  stockpileMonths: 1,
  pauseMonths: 2,
  minPostYearShare: 0.5,
  hsRevision: 'HS2022',
  chain: chainDefaults,
  gates: { unitValueZeroLog: Math.log(2), originKeptFullLog: Math.log(2), newExporterZeroShare: 0.5, ghostShareGate: 0.25, lagMinCorrelation: 0.2 },
  isolation: isolationDefaults,
};

/** Numeric signal columns of the route table, in output order. */
export const ROUTE_SIGNALS = [
  'first_leg_pre_usd', 'first_leg_post_usd', 'first_leg_surge', 'first_leg_excess', 'first_leg_z',
  'second_leg_pre_usd', 'second_leg_post_usd', 'second_leg_surge', 'second_leg_z',
  'direct_pre_usd', 'direct_post_usd', 'diversion',
  'pass_through', 'hub_prior_export_share', 'hub_balance', 're_export_share', 'lag_months', 'unit_value_ratio',
  'hub_ghost_share', 'destination_origin_kept_log_ratio', 'consignment_usd', 'comparator_first_leg_surge', 'controlled_minus_comparator',
  'counterfactual_log_difference', 'counterfactual_z', 'weakest_link_z', 'at_stake_usd',
  'unpublished_periods',
] as const;

/**
 * Scores every origin → hub → destination route around every control in the catalog (destination-specific
 * intervals such as the US ban separately): destinations are the control's named ones plus every country
 * that bought the code from the origin above the noise floor before; hubs every other country with either
 * leg above it. Each of the signals of domain.md §3 is a column with the numbers behind it; the score is a
 * transparent weighted composite of bounded signal terms. Rows: every candidate (`routes`) and the flagged
 * ones ranked (`flagged`, with the records behind each leg in `evidence` and each leg by period in `series`). Pure.
 */
export function scoreTransshipmentRoutes(
  trade: { flows: Table; consignment: Table | null; subflows?: Table | null; mirror?: MirrorEvidence | null },
  catalog: Catalog,
  p: TransshipmentParams,
  names: {
    country?: ReadonlyMap<string, string>;
    hs6?: ReadonlyMap<string, string>;
    /** Whether the code's scope differs between two HS revisions (the HS correspondence); unknown: taken as the same. */
    scopeChanged?: (hs6: string, a: string, b: string) => boolean;
    /** Absolute path of each `source_file` of the flows that names a file here (see `TradeInput.sourcePaths`): the evidence's `path`. */
    sourcePaths?: ReadonlyMap<string, string>;
  } = {},
): { routes: Table; flagged: Table; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const bump = (k: string, n = 1) => (counts[k] = (counts[k] ?? 0) + n);
  const out = new RouteRows(p.hsRevision);
  const comparators = new Map(catalog.comparators.flatMap((c) => c.comparesTo.map((k) => [k, c.hs6] as const)));
  const events = controlEvents(catalog.intervals, p);
  const cubes = new Map<string, LegCube>();
  const cubeOf = (hs6: string, annual: boolean) => {
    const k = `${hs6}|${annual}`;
    let c = cubes.get(k);
    if (!c) {
      // the control's lines are of the current revision: rows of a revision where the code holds other goods too
      // (811292 in HS2017: hafnium, rhenium) are left out, never compared with the current ones
      const sameScope = (rev: string) => rev === p.hsRevision || names.scopeChanged?.(hs6, rev, p.hsRevision) !== true;
      cubes.set(k, (c = buildLegCube(trade.flows, trade.consignment, hs6, annual, sameScope)));
      if (c.rowsOtherScope) bump('rows_left_out_hs_scope', c.rowsOtherScope);
    }
    return c;
  };
  const annualData = hasAnnual(trade.flows);
  const monthlyToo = annualData.includes(false);
  // the placebo codes are the uncontrolled ones: a hub may carry diverted goods of several controlled codes at once
  const controlled = new Set(catalog.intervals.map((iv) => iv.hs6));
  const originTrade = new Map<boolean, OriginTrade>();
  const originTradeOf = (annual: boolean) => {
    let t = originTrade.get(annual);
    if (!t) originTrade.set(annual, (t = new OriginTrade(trade.flows, p.origin, annual, p.cifFobRatio)));
    return t;
  };
  for (const ev of events) {
    if (ev.specificity === 'basket' && !p.includeBaskets) {
      bump('controls_skipped_basket');
      continue;
    }
    for (const annual of annualData) {
      const cube = cubeOf(ev.hs6, annual);
      if (!cube.length) continue;
      if (!cube.x.size && !cube.m.size) {
        // the data hold no row of the control's code: nothing to score, and said
        bump('controls_no_rows');
        continue;
      }
      const w = controlWindows(cube, ev.start, p, ev.end);
      if (!w) {
        // annual data whose only year from the control on had it in force for under half of it: nothing to score
        bump(annual && yearShareInForce(ev.start, Number(ev.start.slice(0, 4)), ev.end) < p.minPostYearShare ? 'controls_no_post_year' : 'controls_outside_data');
        continue;
      }
      const floor = p.minLegUsdPerMonth * (annual ? 12 : 1);
      const O = p.origin;
      const others = cube.countries.values.filter((c) => c !== O);
      const direct = new Map(others.map((c) => [c, cube.leg(O, c, p.cifFobRatio)]));
      // destinations: named ones plus every baseline buyer from the origin
      const dests = new Set<string>(ev.destinations === '*' ? [] : ev.destinations);
      for (const c of others) if (ev.destinations === '*' && windowMean(cube, direct.get(c)!, O, c, w.pre).mean >= floor) dests.add(c);
      const originExports = cube.exportsOf(O);
      const compCube = comparators.has(ev.hs6) ? cubeOf(comparators.get(ev.hs6)!, annual) : null;
      for (const D of dests) {
        for (const H of others) {
          if (H === D) continue;
          const first = direct.get(H)!;
          const second = cube.leg(H, D, p.cifFobRatio);
          // the destination's records of goods of origin O consigned from H are the second leg too (a silent hub,
          // a destination that records by origin)
          const viaConsignment = cube.consigned.get(`${O}|${H}|${D}`);
          if (viaConsignment) for (let t = 0; t < cube.length; t++) if (viaConsignment[t] > 0) second[t] = Math.max(second[t] || 0, viaConsignment[t] / p.cifFobRatio);
          const f0 = windowMean(cube, first, O, H, w.pre);
          const f1 = windowMean(cube, first, O, H, w.post);
          const s0 = windowMean(cube, second, H, D, w.pre);
          const s1 = windowMean(cube, second, H, D, w.post);
          if (!(Math.max(f0.mean || 0, f1.mean || 0, s0.mean || 0, s1.mean || 0) >= floor)) {
            bump('candidates_pruned_below_floor');
            continue;
          }
          // an annual cube sums monthly records into years: a route whose legs are all monthly is judged on the months
          if (annual && monthlyToo && !hasYearlyRecord(cube, [[O, H], [H, D]])) {
            bump('candidates_left_to_monthly');
            continue;
          }
          bump('candidates_kept');
          const fl = floor * p.surgeFloorShare;
          const comparable = comparableOf(cube, w, fl);
          const firstE = flowEffect(cube, first, O, H, w, fl, comparable, p.chain);
          const secondE = flowEffect(cube, second, H, D, w, fl, comparable, p.chain);
          const directLeg = direct.get(D) ?? new Float64Array(cube.length).fill(NaN);
          const d0 = windowMean(cube, directLeg, O, D, w.pre);
          const d1 = windowMean(cube, directLeg, O, D, w.post);
          const diversion = logChange(d0.mean, d1.mean, fl);
          // the origin's exports of the code to its other destinations, the trend the first leg is held against: under a
          // licence they fall for every buyer, so a hub whose imports fell less than the rest took diverted goods
          const rest0 = mean(originExports, w.pre) - (f0.mean || 0);
          const rest1 = mean(originExports, w.post) - (f1.mean || 0);
          const { excess, trend } = excessOverTrend(f0.mean, f1.mean, rest0, rest1, floor, fl);
          const firstExcess = { ...firstE, logChange: excess, z: firstE.se === firstE.se ? excess / firstE.se : NaN };
          // pass-through in kg where both legs carry weights in every period they have value, else USD; the first leg's
          // rise is what it carries above the origin's trend
          const kgFirst = legKg(cube, O, H, first, w);
          const kgSecond = legKg(cube, H, D, second, w);
          const inKg = [kgFirst.pre, kgFirst.post, kgSecond.pre, kgSecond.post].every((v) => v === v);
          const dFirst = (f1.mean || 0) - (f0.mean || 0) * trend;
          const dSecond = (s1.mean || 0) - (s0.mean || 0);
          const priorShare = (s0.mean || 0) / Math.max(s1.mean || 0, floor);
          // timing is read after the control only: how the second leg follows the first once goods were diverted
          const lag = annual ? NaN : legLag(first, second, w.post[0], w.post[1], p.maxLagMonths, p.gates.lagMinCorrelation);
          const uvFirst = windowUnitValue(cube, O, H, 'x', w.post) || windowUnitValue(cube, O, H, 'm', w.post);
          const uvSecond = windowUnitValue(cube, H, D, 'x', w.post) || windowUnitValue(cube, H, D, 'm', w.post);
          const uvRatio = uvSecond / uvFirst;
          let hubGhost: number;
          let originKept: number;
          if (trade.mirror) {
            // the mirror run's statuses: a confidential or unpublished period is not evidence either way
            const post = periodsOf(cube, w.post);
            const atHub = trade.mirror.leg(O, H, ev.hs6, post);
            hubGhost = atHub.ghostShare;
            originKept = trade.mirror.leg(O, D, ev.hs6, post).keptLogRatio;
            if (atHub.periodsNotJudged) bump('mirror_periods_not_judged', atHub.periodsNotJudged);
          } else {
            hubGhost = sideGap(cube, O, H, w.post, p.cifFobRatio);
            originKept = keptRatio(cube, O, D, w.post, p.cifFobRatio);
          }
          const consigned = sumWindow(cube.consigned.get(`${O}|${H}|${D}`), w.post);
          const consignedMean = consigned / (w.post[1] - w.post[0] + 1);
          // counterfactuals of the first leg's excess: the same route in the uncontrolled comparator (its excess over the
          // origin's comparator trend), and the hub's imports of the code from its other origins; the one that rose more
          // is the one compared with (a hub whose demand rose from everyone, or that grew in every good, did not divert)
          const comp = compCube ? comparatorEffect(compCube, O, H, ev, p, fl, { cube, leg: first }) : null;
          const hubOthers = otherOriginsChange(cube, O, H, w, p.cifFobRatio, floor, fl);
          const cands: [string, number, number][] = [];
          if (comp) cands.push(['comparator', comp.excess, comp.se]);
          if (hubOthers === hubOthers) cands.push(['hub_other_origins', hubOthers, firstE.se]);
          const placebo = originTradeOf(annual).placeboExcess(H, controlled, w, cube.t0, floor, fl, p.chain.minPlaceboCodes);
          if (placebo.median === placebo.median) cands.push(['origin_other_codes', placebo.median, firstE.se]);
          const cf = cands.length ? cands.reduce((a, b) => (b[1] > a[1] ? b : a)) : null;
          const cfBasis = cf ? cf[0] : 'unavailable';
          const cfSe = cf ? Math.hypot(firstE.se, cf[2]) : NaN;
          const cfDiff = cf ? excess - cf[1] : NaN;
          const compSurge = comp ? comp.logChange : NaN;
          const reShare = reExportShare(trade.subflows ?? null, H, D, ev.hs6, cube, w.post, s1.mean);
          const balance = hubBalance(cube, H, w.post, p.cifFobRatio);
          const verdict = judgeChain(
            {
              origin: O, hub: H, destination: D, first: firstExcess, firstRecorded: firstE.logChange, second: secondE,
              firstRise: inKg ? kgFirst.post - kgFirst.pre * trend : dFirst, secondRise: inKg ? kgSecond.post - kgSecond.pre : dSecond, riseUnit: inKg ? 'kg' : 'usd',
              firstRiseUsd: dFirst, secondRiseUsd: dSecond, firstRiseSeUsd: ((f0.mean || 0) * trend + fl) * (firstE.se === firstE.se ? firstE.se : 0),
              consignedPostMean: consignedMean, hubGhostShare: hubGhost,
              counterfactual: { logDifference: cfDiff, z: cfSe === cfSe && cfSe > 0 ? cfDiff / cfSe : NaN, basis: cfBasis },
              diversion, lagMonths: lag, unitValueRatio: uvRatio, consignmentUsd: consigned, originKeptLogRatio: originKept,
              hubPriorExportShare: priorShare, hubBalance: balance,
            },
            p.chain,
            p.gates,
          );
          const postPeriods = windowMean(cube, second, H, D, w.post).periods;
          const atStake = Math.max(0, dSecond) * postPeriods;
          const sig: Signals = {
            first_leg_pre_usd: f0.mean, first_leg_post_usd: f1.mean, first_leg_surge: firstE.logChange, first_leg_z: firstExcess.z,
            second_leg_pre_usd: s0.mean, second_leg_post_usd: s1.mean, second_leg_surge: secondE.logChange, second_leg_z: secondE.z,
            direct_pre_usd: d0.mean, direct_post_usd: d1.mean, diversion,
            pass_through: verdict.links[2].value, hub_prior_export_share: priorShare, hub_balance: balance, re_export_share: reShare,
            lag_months: lag, unit_value_ratio: uvRatio,
            hub_ghost_share: hubGhost, destination_origin_kept_log_ratio: originKept, consignment_usd: consigned,
            comparator_first_leg_surge: compSurge, controlled_minus_comparator: comp ? excess - comp.excess : NaN, first_leg_excess: excess,
            counterfactual_log_difference: cfDiff, counterfactual_z: verdict.links[3].z,
            weakest_link_z: verdict.weakestZ, at_stake_usd: atStake,
            unpublished_periods: f1.unpublished + s1.unpublished,
          };
          const reasons = verdict.links.filter((l) => l.status === 'holds').map((l) => l.name as string);
          if (annual) reasons.push('needs_monthly');
          if (w.partialYear) reasons.push('control_year_partial');
          const text = { firstNoise: firstE.basis, secondNoise: secondE.basis, counterfactualBasis: verdict.links[3].basis, passThroughUnit: inKg ? 'kg' : 'usd', explanation: verdict.explanation };
          // the records behind each leg and each leg by period, for the analyst (flagged routes only: few)
          const evidence = verdict.flagged ? evidenceOf(cube, [['first_leg', O, H], ['second_leg', H, D], ['direct', O, D]], w) : [];
          const series = verdict.flagged
            ? seriesOf(cube, [['first_leg', first, O, H], ['second_leg', second, H, D], ['direct', direct.get(D) ?? null, O, D], ...(comp ? [['comparator_first_leg', comp.leg, O, H] as [string, Float64Array, string, string]] : [])], w)
            : [];
          out.add(ev, O, H, D, cube.periodOf(w.post[0]), cube.periodOf(w.post[1]), annual, sig, atStake * verdict.strength, verdict.flagged, reasons, verdict.missing, verdict.links, text, evidence, series);
        }
      }
    }
  }
  out.applyIsolation(p);
  return { ...out.tables(trade.flows, names), counts };
}

/** Signals the isolation forest sees (consignment on a log scale, unit-value ratio as a log). */
const ISOLATION_FEATURES = ['first_leg_surge', 'second_leg_surge', 'diversion', 'pass_through', 'hub_prior_export_share', 'unit_value_ratio',
  'hub_ghost_share', 'destination_origin_kept_log_ratio', 'consignment_usd'] as const;

type Signals = Record<(typeof ROUTE_SIGNALS)[number], number>;

interface ControlEvent {
  controlId: string;
  hs6: string;
  mineral: string;
  specificity: string;
  start: string;
  /** Last day in force of that interval (a suspension ends it), YYYY-MM-DD; null while open. */
  end: string | null;
  destinations: '*' | string[];
}

/** One event per control and code: the first active interval, its start and end (destination-specific controls separately). */
function controlEvents(intervals: readonly ControlInterval[], p: TransshipmentParams): ControlEvent[] {
  const seen = new Map<string, ControlEvent>();
  for (const iv of intervals) {
    if (iv.status !== 'active' || iv.origin !== p.origin || !iv.verified) continue;
    const k = `${iv.controlId}|${iv.hs6}`;
    const prev = seen.get(k);
    if (!prev || iv.start < prev.start) {
      seen.set(k, { controlId: iv.controlId, hs6: iv.hs6, mineral: iv.mineral, specificity: iv.specificity, start: iv.start, end: iv.end, destinations: iv.destinations });
    }
  }
  return [...seen.values()].sort((a, b) => (a.controlId + a.hs6 < b.controlId + b.hs6 ? -1 : 1));
}

/** Whether any side of these legs was recorded yearly (not summed from months) in an annual cube. */
function hasYearlyRecord(cube: LegCube, legs: [string, string][]): boolean {
  for (const [e, i] of legs) {
    const ei = cube.countries.find(e);
    const ii = cube.countries.find(i);
    if (ei < 0 || ii < 0) continue;
    const k = cube.key(ei, ii);
    if ((cube.x.has(k) && !cube.fromMonths.has(k * 2)) || (cube.m.has(k) && !cube.fromMonths.has(k * 2 + 1))) return true;
  }
  return false;
}

/** The frequencies the flows hold (false: monthly, true: annual), from every row's period code. */
function hasAnnual(flows: Table): boolean[] {
  if (!flows.numRows || !flows.getChild('period')) return [];
  const period = readCodes(flows, 'period', 'scoreTransshipmentRoutes');
  const used = new Uint8Array(period.values.length);
  for (let i = 0; i < period.codes.length; i++) if (period.codes[i] >= 0) used[period.codes[i]] = 1;
  const set = new Set<boolean>();
  used.forEach((u, c) => u && set.add(period.values[c].length === 4));
  return [...set].sort();
}

function mean(x: Float64Array, w: [number, number]): number {
  let s = 0;
  for (let t = w[0]; t <= w[1]; t++) if (x[t] === x[t]) s += x[t];
  return s / (w[1] - w[0] + 1);
}

function sumWindow(x: Float64Array | undefined, w: [number, number]): number {
  if (!x) return 0;
  let s = 0;
  for (let t = w[0]; t <= w[1]; t++) s += x[t];
  return s;
}

/** The cube's period labels over window [a, b]. */
function periodsOf(cube: LegCube, w: [number, number]): string[] {
  const out: string[] = [];
  for (let t = w[0]; t <= w[1]; t++) out.push(cube.periodOf(t));
  return out;
}

/** Share of what the origin says it sent that the hub does not record (free zones, ghost trade): 0–1, NaN if unknown. */
function sideGap(cube: LegCube, o: string, h: string, w: [number, number], ratio: number): number {
  const x = cube.side(o, h, 'x');
  if (!x) return NaN;
  const m = cube.side(o, h, 'm');
  let xs = 0;
  let ms = 0;
  for (let t = w[0]; t <= w[1]; t++) {
    if (!cube.didPublish(h, 1, t)) continue; // the hub says nothing for an unpublished period
    xs += x.value[t] || 0;
    ms += (m?.value[t] || 0) / ratio;
  }
  return xs > 0 ? Math.max(0, (xs - ms) / xs) : NaN;
}

/** ln(destination's imports from the origin / origin's exports to it): origin kept in origin-based records. */
function keptRatio(cube: LegCube, o: string, d: string, w: [number, number], ratio: number): number {
  const x = cube.side(o, d, 'x');
  const m = cube.side(o, d, 'm');
  if (!m) return NaN;
  let xs = 0;
  let ms = 0;
  for (let t = w[0]; t <= w[1]; t++) {
    xs += x?.value[t] || 0;
    ms += (m.value[t] || 0) / ratio;
  }
  return ms > 0 ? Math.log((ms + 1) / (xs + 1)) : NaN;
}

/**
 * The route's first leg O → H in the uncontrolled comparator code, around the same control, with its noise; null
 * when the comparator has no such flow in either window or its own pre-control trend differs from the controlled
 * code's (monthly data: the log change from the baseline's first half to its second differs by more than
 * `chain.counterfactualMinLog`): then it is no counterfactual.
 */
function comparatorEffect(cube: LegCube, o: string, h: string, ev: ControlEvent, p: TransshipmentParams, floor: number, controlled: { cube: LegCube; leg: Float64Array }): (Effect & { leg: Float64Array; excess: number }) | null {
  const w = controlWindows(cube, ev.start, p, ev.end);
  if (!w) return null;
  const leg = cube.leg(o, h, p.cifFobRatio);
  const e = flowEffect(cube, leg, o, h, w, floor, comparableOf(cube, w, floor), p.chain);
  if (!(Math.max(e.pre || 0, e.post || 0) >= floor)) return null;
  if (w.pre[1] - w.pre[0] >= 3) {
    const mid = Math.floor((w.pre[0] + w.pre[1]) / 2);
    const slope = (c: LegCube, x: Float64Array) =>
      logChange(windowMean(c, x, o, h, [w.pre[0], mid]).mean, windowMean(c, x, o, h, [mid + 1, w.pre[1]]).mean, floor);
    if (Math.abs(slope(cube, leg) - slope(controlled.cube, controlled.leg)) > p.chain.counterfactualMinLog) return null;
  }
  // its excess over the origin's comparator exports to everyone else, as the controlled leg's
  const all = cube.exportsOf(o);
  return { ...e, leg, excess: excessOverTrend(e.pre, e.post, mean(all, w.pre) - (e.pre || 0), mean(all, w.post) - (e.post || 0), floor, floor).excess };
}

const comparableCache = new WeakMap<LegCube, Map<string, ComparableFlows>>();
/** Every flow of the cube's code with its change between the windows (for comparable-flow noise), built once per cube and window. */
function comparableOf(cube: LegCube, w: { pre: [number, number]; post: [number, number] }, floor: number): ComparableFlows {
  let m = comparableCache.get(cube);
  if (!m) comparableCache.set(cube, (m = new Map()));
  const k = `${w.pre}|${w.post}|${floor}`;
  let c = m.get(k);
  if (!c) m.set(k, (c = new ComparableFlows(cube, w, floor, 1)));
  return c;
}

/**
 * A leg's mean weight per period over the baseline and the post window, kg: the larger of the two sides' weights per
 * period. NaN when a period with value has no weight on either side (then compare USD).
 */
function legKg(cube: LegCube, e: string, i: string, usd: Float64Array, w: { pre: [number, number]; post: [number, number] }): { pre: number; post: number } {
  const x = cube.side(e, i, 'x');
  const m = cube.side(e, i, 'm');
  const meanKg = (win: [number, number]) => {
    let s = 0;
    let n = 0;
    for (let t = win[0]; t <= win[1]; t++) {
      if (!cube.didPublish(e, 0, t) && !cube.didPublish(i, 1, t)) continue;
      n++;
      if (!(usd[t] > 0)) continue;
      const a = x ? x.kg[t] : NaN;
      const b = m ? m.kg[t] : NaN;
      const kg = a === a && b === b ? Math.max(a, b) : a === a ? a : b;
      if (!(kg > 0)) return NaN;
      s += kg;
    }
    return n ? s / n : NaN;
  };
  return { pre: meanKg(w.pre), post: meanKg(w.post) };
}

/** Log change of the hub's imports of the code from every origin but `o` (NaN when they stay below the floor in both windows). */
const otherOriginsCache = new WeakMap<LegCube, Map<string, number>>();
function otherOriginsChange(cube: LegCube, o: string, h: string, w: { pre: [number, number]; post: [number, number] }, cif: number, floor: number, fl: number): number {
  let cache = otherOriginsCache.get(cube);
  if (!cache) otherOriginsCache.set(cube, (cache = new Map()));
  const key = `${o}|${h}|${w.pre}|${w.post}|${floor}|${fl}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const v = otherOriginsChangeOf(cube, o, h, w, cif, floor, fl);
  cache.set(key, v);
  return v;
}

function otherOriginsChangeOf(cube: LegCube, o: string, h: string, w: { pre: [number, number]; post: [number, number] }, cif: number, floor: number, fl: number): number {
  const hc = cube.countries.find(h);
  const oc = cube.countries.find(o);
  if (hc < 0) return NaN;
  let a = 0;
  let b = 0;
  for (const key of cube.pairKeys()) {
    if (key % 4096 !== hc) continue;
    const e = Math.floor(key / 4096);
    if (e === hc || e === oc) continue;
    const name = cube.countries.values[e];
    const leg = cube.leg(name, h, cif);
    a += windowMean(cube, leg, name, h, w.pre).mean || 0;
    b += windowMean(cube, leg, name, h, w.post).mean || 0;
  }
  return Math.max(a, b) >= floor ? logChange(a, b, fl) : NaN;
}

const balanceCache = new WeakMap<LegCube, Map<string, number>>();
/** The hub's exports of the code to every partner over its imports of it from every partner, post window (legs as the scorer reads them). */
function hubBalance(cube: LegCube, h: string, w: [number, number], cif: number): number {
  let m = balanceCache.get(cube);
  if (!m) balanceCache.set(cube, (m = new Map()));
  const k = `${h}|${w}`;
  const hit = m.get(k);
  if (hit !== undefined) return hit;
  const hc = cube.countries.find(h);
  let ex = 0;
  let im = 0;
  if (hc >= 0) {
    for (const key of cube.pairKeys()) {
      const e = Math.floor(key / 4096);
      const i = key % 4096;
      if (e === i || (e !== hc && i !== hc)) continue;
      const leg = cube.leg(cube.countries.values[e], cube.countries.values[i], cif);
      let s = 0;
      for (let t = w[0]; t <= w[1]; t++) if (leg[t] === leg[t]) s += leg[t];
      if (e === hc) ex += s;
      else im += s;
    }
  }
  const v = im > 0 ? ex / im : ex > 0 ? Infinity : NaN;
  m.set(k, v);
  return v;
}

/** The hub's re-exports (RX) of the code to the destination over its exports there, where reported. */
function reExportShare(subflows: Table | null, h: string, d: string, hs6: string, cube: LegCube, w: [number, number], secondLegMean: number): number {
  if (!subflows || !subflows.numRows || !(secondLegMean > 0)) return NaN;
  const rep = subflows.getChild('reporter')!, par = subflows.getChild('partner')!, fl = subflows.getChild('flow')!;
  const hs = subflows.getChild('hs6')!, per = subflows.getChild('period')!, val = subflows.getChild('value_usd')!;
  let s = 0;
  let any = false;
  for (let i = 0; i < subflows.numRows; i++) {
    if (rep.get(i) !== h || par.get(i) !== d || fl.get(i) !== 'RX' || hs.get(i) !== hs6) continue;
    const t = cube.indexOf(String(per.get(i)));
    if (t < w[0] || t > w[1]) continue;
    s += Number(val.get(i)) || 0;
    any = true;
  }
  return any ? s / (secondLegMean * (w[1] - w[0] + 1)) : NaN;
}

/** One record behind a leg: which leg, which side recorded it, the period, and its row in the flow table. */
interface EvidenceRef {
  leg: string;
  side: 'X' | 'M';
  period: string;
  row: number;
}

function evidenceOf(cube: LegCube, legs: [string, string, string][], w: { pre: [number, number]; post: [number, number] }): EvidenceRef[] {
  const refs: EvidenceRef[] = [];
  for (const [leg, e, i] of legs) {
    for (const side of ['x', 'm'] as const) {
      const s = cube.side(e, i, side);
      // a year summed from monthly records has no one record behind it: the route's monthly row lists them
      if (!s || (cube.annual && cube.fromMonths.has(cube.key(cube.countries.find(e), cube.countries.find(i)) * 2 + (side === 'x' ? 0 : 1)))) continue;
      for (const win of [w.pre, w.post]) {
        for (let t = win[0]; t <= win[1]; t++) if (s.row[t] >= 0) refs.push({ leg, side: side === 'x' ? 'X' : 'M', period: cube.periodOf(t), row: s.row[t] });
      }
    }
  }
  return refs;
}

/** One leg's value in one period of a route's chart: USD per period, null when neither side's reporter published it. */
interface SeriesPoint {
  leg: string;
  period: string;
  /** `baseline`, `excluded` (stockpiling month, licensing pause) or `post`. */
  window: string;
  value_usd: number | null;
}

/** Each leg per period from the baseline's start to the post window's end (the months between included), as the signals read it. */
function seriesOf(cube: LegCube, legs: [string, Float64Array | null, string, string][], w: { pre: [number, number]; post: [number, number] }): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (const [leg, values, e, i] of legs) {
    for (let t = w.pre[0]; t <= w.post[1]; t++) {
      const window = t <= w.pre[1] ? 'baseline' : t < w.post[0] ? 'excluded' : 'post';
      // as windowMean reads it: a period nobody published is unknown, a published one without a record is 0
      const published = cube.didPublish(e, 0, t) || cube.didPublish(i, 1, t);
      const v = values ? values[t] : NaN;
      points.push({ leg, period: cube.periodOf(t), window, value_usd: published ? (v === v ? v : 0) : null });
    }
  }
  return points;
}

const SERIES_TYPE = new List(
  new Field(
    'item',
    new Struct([new Field('leg', new Utf8()), new Field('period', new Utf8()), new Field('window', new Utf8()), new Field('value_usd', new Float64(), true)]),
  ),
);

const EVIDENCE_TYPE = new List(
  new Field(
    'item',
    new Struct([
      new Field('leg', new Utf8()),
      new Field('side', new Utf8()),
      new Field('reporter', new Utf8(), true),
      new Field('partner', new Utf8(), true),
      new Field('flow', new Utf8(), true),
      new Field('source', new Utf8(), true),
      new Field('file', new Utf8(), true),
      new Field('line', new Int32(), true),
      new Field('path', new Utf8(), true),
      new Field('period', new Utf8()),
      new Field('value_usd', new Float64(), true),
    ]),
  ),
);

/**
 * `evidence`: per flagged route, the flow records behind its legs — who recorded each (reporter, partner, flow),
 * where it was read (source, file and line as the flow table has them, and `path`, the file's absolute path when
 * it is known here), its period and value.
 */
function evidenceVector(refs: EvidenceRef[][], flows: Table, sourcePaths: ReadonlyMap<string, string> | undefined): Vector {
  const text = (name: string) => {
    const v = flows.getChild(name);
    return (row: number) => (v ? ((v.get(row) as string | null) ?? null) : null);
  };
  const reporter = text('reporter');
  const partner = text('partner');
  const flow = text('flow');
  const src = text('source');
  const file = text('source_file');
  const line = flows.getChild('source_line');
  const value = flows.getChild('value_usd')!;
  const rows = refs.map((list) =>
    list.map((r) => {
      const f = file(r.row);
      return {
        leg: r.leg,
        side: r.side,
        reporter: reporter(r.row),
        partner: partner(r.row),
        flow: flow(r.row),
        source: src(r.row),
        file: f,
        line: line ? (line.get(r.row) as number | null) : null,
        path: f === null ? null : (sourcePaths?.get(f) ?? null),
        period: r.period,
        value_usd: value.get(r.row) as number | null,
      };
    }),
  );
  return vectorFromArray(rows, EVIDENCE_TYPE);
}

const CHAIN_TYPE = new List(
  new Field(
    'item',
    new Struct([
      new Field('link', new Utf8()), new Field('role', new Utf8()), new Field('status', new Utf8()),
      new Field('value', new Float64(), true), new Field('z', new Float64(), true), new Field('basis', new Utf8()),
    ]),
  ),
);

/** The controls a route was judged under, one item each (a frequency judged apart is an item of its own). */
const CONTROLS_TYPE = new List(
  new Field(
    'item',
    new Struct([
      new Field('control_id', new Utf8()), new Field('destinations', new Utf8()), new Field('freq', new Utf8()),
      new Field('period_start', new Utf8()), new Field('period_end', new Utf8()), new Field('flagged', new Bool()),
      new Field('score', new Float64()), new Field('at_stake_usd', new Float64()), new Field('weakest_link_z', new Float64(), true),
      new Field('links_missing', new Utf8()),
    ]),
  ),
);

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Text columns of a route: how each leg's noise was measured, the counterfactual's basis, pass-through's unit, the explanation. */
interface RouteText {
  firstNoise: string;
  secondNoise: string;
  counterfactualBasis: string;
  passThroughUnit: string;
  explanation: string;
}

/** Column-wise route rows (one small record per candidate route; candidates are thousands, not millions). */
class RouteRows {
  constructor(
    /** The HS revision routes are scored in (`hsRevision`): part of a route's grain. */
    private readonly hsRevision: string,
  ) {}

  private readonly destinations: string[] = [];
  private readonly text = {
    control: new StringDictionary(), country: new StringDictionary(), hs6: new StringDictionary(), mineral: new StringDictionary(), period: new StringDictionary(),
    freq: new StringDictionary(), basis: new StringDictionary(),
  };
  private readonly cols = {
    control: [] as number[], origin: [] as number[], hub: [] as number[], dest: [] as number[], hs6: [] as number[], mineral: [] as number[],
    ps: [] as number[], pe: [] as number[], freq: [] as number[], score: [] as number[], flagged: [] as boolean[],
    firstNoise: [] as number[], secondNoise: [] as number[], cfBasis: [] as number[], unit: [] as number[],
  };
  private readonly signals: Record<string, number[]> = Object.fromEntries(ROUTE_SIGNALS.map((s) => [s, []]));
  private readonly reasons: string[][] = [];
  private readonly missing: string[][] = [];
  private readonly chains: Link[][] = [];
  private readonly explanations: string[] = [];
  private readonly evidence: EvidenceRef[][] = [];
  private readonly series: SeriesPoint[][] = [];
  private isolation: Float64Array = new Float64Array(0);

  add(
    ev: ControlEvent, o: string, h: string, d: string, ps: string, pe: string, annual: boolean, sig: Signals, score: number, flagged: boolean,
    reasons: string[], missing: string[], chain: Link[], text: RouteText, evidence: EvidenceRef[], series: SeriesPoint[],
  ): void {
    const t = this.text;
    const c = this.cols;
    c.control.push(t.control.code(ev.controlId));
    this.destinations.push(ev.destinations === '*' ? '*' : ev.destinations.join(','));
    c.origin.push(t.country.code(o));
    c.hub.push(t.country.code(h));
    c.dest.push(t.country.code(d));
    c.hs6.push(t.hs6.code(ev.hs6));
    c.mineral.push(t.mineral.code(ev.mineral));
    c.ps.push(t.period.code(ps));
    c.pe.push(t.period.code(pe));
    c.freq.push(t.freq.code(annual ? 'A' : 'M'));
    c.score.push(score);
    c.flagged.push(flagged);
    c.firstNoise.push(t.basis.code(text.firstNoise));
    c.secondNoise.push(t.basis.code(text.secondNoise));
    c.cfBasis.push(t.basis.code(text.counterfactualBasis));
    c.unit.push(t.basis.code(text.passThroughUnit));
    for (const s of ROUTE_SIGNALS) this.signals[s].push(sig[s]);
    this.reasons.push(reasons);
    this.missing.push(missing);
    this.chains.push(chain);
    this.explanations.push(text.explanation);
    this.evidence.push(evidence);
    this.series.push(series);
  }

  /** Scores every route's signal vector with a seeded isolation forest: a column of its own to sort by, never a factor of the score. */
  applyIsolation(p: TransshipmentParams): void {
    const n = this.cols.score.length;
    this.isolation = new Float64Array(n).fill(NaN) as Float64Array;
    if (n === 0) return;
    const features = ISOLATION_FEATURES.map((f) => Float64Array.from(this.signals[f], (v) => (f === 'consignment_usd' ? Math.log1p(v) : f === 'unit_value_ratio' ? Math.log(v) : v)));
    this.isolation = scoreIsolation(fitIsolationForest(features, p.isolation), features);
  }

  tables(
    flows: Table,
    names: { country?: ReadonlyMap<string, string>; hs6?: ReadonlyMap<string, string>; sourcePaths?: ReadonlyMap<string, string> },
  ): { routes: Table; flagged: Table } {
    const n = this.cols.score.length;
    const all = Array.from({ length: n }, (_, i) => i);
    // one row per route (origin × hub × destination × HS6 × revision); each control and frequency it was judged
    // under is one item of its `controls` list, the lead first: flagged before not, then by score
    const ids = all.map((i) => this.flagId(i));
    const evals = all.map((i) => this.evaluationKey(i));
    const f = this.cols.flagged;
    all.sort((a, b) => Number(f[b]) - Number(f[a]) || this.cols.score[b] - this.cols.score[a] || (evals[a] < evals[b] ? -1 : evals[a] > evals[b] ? 1 : 0));
    const members = new Map<string, number[]>();
    for (const i of all) (members.get(ids[i]) ?? members.set(ids[i], []).get(ids[i])!).push(i);
    // flagged routes first, each group by score (USD at stake × the weakest required link's strength)
    const order = [...members.values()].map((m) => m[0]);
    order.sort((a, b) => Number(f[b]) - Number(f[a]) || this.cols.score[b] - this.cols.score[a] || (ids[a] < ids[b] ? -1 : 1));
    const build = (rows: number[]): Table => {
      const t = this.text;
      const c = this.cols;
      const pick = (a: number[]) => Int32Array.from(rows, (i) => a[i]);
      const countryName = t.country.values.map((v) => names.country?.get(v) ?? v);
      const cols: Record<string, Vector> = {
        origin: dictionaryVector(pick(c.origin), t.country.values),
        origin_name: dictionaryVector(pick(c.origin), countryName),
        hub: dictionaryVector(pick(c.hub), t.country.values),
        hub_name: dictionaryVector(pick(c.hub), countryName),
        destination: dictionaryVector(pick(c.dest), t.country.values),
        destination_name: dictionaryVector(pick(c.dest), countryName),
        hs6: dictionaryVector(pick(c.hs6), t.hs6.values),
        hs6_description: dictionaryVector(pick(c.hs6), t.hs6.values.map((v) => names.hs6?.get(v) ?? '')),
        mineral: dictionaryVector(pick(c.mineral), t.mineral.values),
        hs_revision: dictionaryVector(new Int32Array(rows.length), [this.hsRevision]),
        control_id: dictionaryVector(pick(c.control), t.control.values),
        freq: dictionaryVector(pick(c.freq), t.freq.values),
        period_start: dictionaryVector(pick(c.ps), t.period.values),
        period_end: dictionaryVector(pick(c.pe), t.period.values),
        flagged: vectorFromArray(rows.map((i) => c.flagged[i]), new Bool()),
      };
      for (const s of ROUTE_SIGNALS) cols[s] = float64Vector(Float64Array.from(rows, (i) => this.signals[s][i]));
      cols.first_leg_noise = dictionaryVector(pick(c.firstNoise), t.basis.values);
      cols.second_leg_noise = dictionaryVector(pick(c.secondNoise), t.basis.values);
      cols.counterfactual_basis = dictionaryVector(pick(c.cfBasis), t.basis.values);
      cols.pass_through_unit = dictionaryVector(pick(c.unit), t.basis.values);
      cols.isolation_score = float64Vector(Float64Array.from(rows, (i) => this.isolation[i] ?? NaN));
      cols.score = float64Vector(Float64Array.from(rows, (i) => c.score[i]));
      cols.rank = int32Vector(Int32Array.from(rows, (_, k) => k + 1));
      cols.reasons = listVector(rows.length, new Map(rows.map((i, k) => [k, this.reasons[i]])));
      cols.links_missing = listVector(rows.length, new Map(rows.map((i, k) => [k, this.missing[i]])));
      cols.chain = vectorFromArray(
        rows.map((i) => this.chains[i].map((l) => ({ link: l.name, role: l.role, status: l.status, value: l.value === l.value && Number.isFinite(l.value) ? l.value : null, z: l.z === l.z ? l.z : null, basis: l.basis }))),
        CHAIN_TYPE,
      );
      cols.explanation = vectorFromArray(rows.map((i) => this.explanations[i]), new Utf8());
      cols.controls = vectorFromArray(
        rows.map((i) =>
          members.get(ids[i])!.map((j) => ({
            control_id: t.control.values[c.control[j]], destinations: this.destinations[j], freq: t.freq.values[c.freq[j]],
            period_start: t.period.values[c.ps[j]], period_end: t.period.values[c.pe[j]], flagged: c.flagged[j], score: c.score[j],
            at_stake_usd: this.signals.at_stake_usd[j], weakest_link_z: finiteOrNull(this.signals.weakest_link_z[j]),
            links_missing: this.missing[j].join(','),
          })),
        ),
        CONTROLS_TYPE,
      );
      const fid = new StringDictionary();
      cols.flag_id = dictionaryVector(Int32Array.from(rows, (i) => fid.code(ids[i])), fid.values);
      return new Table(cols);
    };
    const flaggedRows = order.filter((i) => this.cols.flagged[i]);
    const flagged = build(flaggedRows);
    const withEvidence: Record<string, Vector> = Object.fromEntries(flagged.schema.fields.map((f) => [f.name, flagged.getChild(f.name)!]));
    withEvidence.evidence = evidenceVector(flaggedRows.map((i) => this.evidence[i]), flows, names.sourcePaths);
    withEvidence.series = vectorFromArray(flaggedRows.map((i) => this.series[i]), SERIES_TYPE);
    return { routes: build(order), flagged: new Table(withEvidence) };
  }

  /** The route's id: a hash of its grain (origin, hub, destination, HS6, revision), not of a control or frequency. */
  private flagId(i: number): string {
    const t = this.text;
    const c = this.cols;
    const what = `route|${t.hs6.values[c.hs6[i]]}|${this.hsRevision}|${t.country.values[c.origin[i]]}|${t.country.values[c.hub[i]]}|${t.country.values[c.dest[i]]}`;
    return createHash('sha256').update(what).digest('hex').slice(0, 16);
  }

  /** One judgement of a route: the control and the frequency (ties of the lead broken by it, stably). */
  private evaluationKey(i: number): string {
    return `${this.text.control.values[this.cols.control[i]]}|${this.text.freq.values[this.cols.freq[i]]}`;
  }
}
