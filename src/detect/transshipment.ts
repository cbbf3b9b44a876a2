import { createHash } from 'node:crypto';
import { Field, Float64, Int32, List, Struct, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import type { Catalog, ControlInterval } from '../reference/catalog.ts';
import { StringDictionary, dictionaryVector, float64Vector, int32Vector } from '../table/columns.ts';
import { listVector } from '../table/list.ts';
import { readCodes } from '../table/read.ts';
import { fitIsolationForest, isolationDefaults, scoreIsolation, type IsolationParams } from './isolation.ts';
import { buildLegCube, type LegCube } from './leg-cube.ts';
import type { MirrorEvidence } from './mirror-evidence.ts';
import { controlWindows, yearShareInForce, legLag, logChange, windowMean, windowUnitValue, type WindowParams } from './route-signals.ts';

/** Settings of {@link scoreTransshipmentRoutes}; all live in config under `transshipment`. */
/** Gates and scales of the transshipment composite (config `transshipment.gates`). */
export interface RouteGates {
  /** A log change counting in full (surges, diversion, controlled against comparator): ln 4, a four-fold change (default). */
  surgeFullLog: number;
  /** |ln(unit value H → D / O → H)| at which the unit-value match falls to 0 (default ln 2: twice or half). */
  unitValueZeroLog: number;
  /** `origin_kept_log_ratio` counting in full as mirror evidence (default ln 2: the destination books twice what the origin sent). */
  originKeptFullLog: number;
  /** Hub's prior export share at which "new exporter" falls to 0 (default 0.5: 1 − 2·share). */
  newExporterZeroShare: number;
  /** A term at or above this (0–1) names its reason (default 0.5). */
  reasonCutoff: number;
  /** Second-leg surge from which the composite counts in full (default ln 2, a doubling; below it, in proportion). */
  secondLegFullLog: number;
  /** The composite's factor when the second leg did not grow (default 0.25: a steady leg cannot carry diverted goods). */
  noSecondLegFactor: number;
  /** The composite's factor when nothing shows the origin's goods reaching the hub (default 0.5). */
  notReachingHubFactor: number;
  /** Hub ghost share from which the hub is taken not to record what it receives (default 0.25). */
  ghostShareGate: number;
  /** Lowest correlation of the legs at which a lag is reported (default 0.2: below it the legs do not move together). */
  lagMinCorrelation: number;
}

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
  /**
   * A hub that already sold at least this share of its later exports to the destination before the control
   * (`hub_prior_export_share`), and whose imports from the origin did not rise in USD, is taken for a producer
   * expanding its own supply: nothing shows the origin's goods reaching it (default `0.2`).
   */
  producerPriorShare: number;
  /** Weights of the composite score. */
  weights: {
    secondLegSurge: number;
    firstLegSurge: number;
    diversion: number;
    passThrough: number;
    newExporter: number;
    unitValue: number;
    mirror: number;
    consignment: number;
    comparator: number;
  };
  /** Flagged means score ≥ this (chosen on synthetic seeds 1–5, then frozen). */
  flagThreshold: number;
  /** The gates and scales of the composite, each with what it means (the factors that were constants in the code). */
  gates: RouteGates;
  /** How much the isolation-forest score over the routes' signal vectors moves the composite (0–1, default 0.2). */
  isolationWeight: number;
  /** Isolation forest settings (seeded; see src/detect/isolation.ts). */
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
  producerPriorShare: 0.2,
  baselineMonths: 12,
  postMonths: 12,
  stockpileMonths: 1,
  pauseMonths: 2,
  minPostYearShare: 0.5,
  hsRevision: 'HS2022',
  weights: {
    secondLegSurge: 0.25,
    firstLegSurge: 0.1,
    diversion: 0.15,
    passThrough: 0.1,
    newExporter: 0.15,
    unitValue: 0.05,
    mirror: 0.05,
    consignment: 0.1,
    comparator: 0.05,
  },
  flagThreshold: 0.4,
  gates: {
    surgeFullLog: Math.log(4), unitValueZeroLog: Math.log(2), originKeptFullLog: Math.log(2), newExporterZeroShare: 0.5,
    reasonCutoff: 0.5, secondLegFullLog: Math.log(2), noSecondLegFactor: 0.25, notReachingHubFactor: 0.5, ghostShareGate: 0.25,
    lagMinCorrelation: 0.2,
  },
  isolationWeight: 0.2,
  isolation: isolationDefaults,
};

/** Numeric signal columns of the route table, in output order. */
export const ROUTE_SIGNALS = [
  'first_leg_pre_usd', 'first_leg_post_usd', 'first_leg_surge',
  'second_leg_pre_usd', 'second_leg_post_usd', 'second_leg_surge',
  'direct_pre_usd', 'direct_post_usd', 'diversion',
  'pass_through', 'hub_prior_export_share', 're_export_share', 'lag_months', 'unit_value_ratio',
  'hub_ghost_share', 'origin_kept_log_ratio', 'consignment_usd', 'comparator_first_leg_surge', 'controlled_minus_comparator',
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
  } = {},
): { routes: Table; flagged: Table; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const bump = (k: string, n = 1) => (counts[k] = (counts[k] ?? 0) + n);
  const out = new RouteRows();
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
  for (const ev of events) {
    if (ev.specificity === 'basket' && !p.includeBaskets) {
      bump('controls_skipped_basket');
      continue;
    }
    for (const annual of annualData) {
      const cube = cubeOf(ev.hs6, annual);
      if (!cube.length) continue;
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
          bump('candidates_kept');
          const d0 = windowMean(cube, direct.get(D) ?? new Float64Array(cube.length).fill(NaN), O, D, w.pre);
          const d1 = windowMean(cube, direct.get(D) ?? new Float64Array(cube.length).fill(NaN), O, D, w.post);
          const rest0 = mean(originExports, w.pre) - (f0.mean || 0);
          const rest1 = mean(originExports, w.post) - (f1.mean || 0);
          const fl = floor * p.surgeFloorShare;
          const firstSurge = logChange(f0.mean, f1.mean, fl) - logChange(rest0, rest1, fl);
          const secondSurge = logChange(s0.mean, s1.mean, fl);
          const diversion = logChange(d0.mean, d1.mean, fl);
          const dFirst = (f1.mean || 0) - (f0.mean || 0);
          const dSecond = (s1.mean || 0) - (s0.mean || 0);
          const passThrough = dFirst > 0 && dSecond > 0 ? Math.min(dFirst, dSecond) / Math.max(dFirst, dSecond) : dSecond > 0 ? 0 : NaN;
          const priorShare = (s0.mean || 0) / Math.max(s1.mean || 0, floor);
          const lag = annual ? NaN : legLag(first, second, w.pre[0], w.post[1], p.maxLagMonths, p.gates.lagMinCorrelation);
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
          const compSurge = compCube ? comparatorSurge(compCube, O, H, ev.start, p, fl) : NaN;
          const reShare = reExportShare(trade.subflows ?? null, H, D, ev.hs6, cube, w.post, s1.mean);
          const sig = {
            first_leg_pre_usd: f0.mean, first_leg_post_usd: f1.mean, first_leg_surge: firstSurge,
            second_leg_pre_usd: s0.mean, second_leg_post_usd: s1.mean, second_leg_surge: secondSurge,
            direct_pre_usd: d0.mean, direct_post_usd: d1.mean, diversion,
            pass_through: passThrough, hub_prior_export_share: priorShare, re_export_share: reShare, lag_months: lag, unit_value_ratio: uvRatio,
            hub_ghost_share: hubGhost, origin_kept_log_ratio: originKept, consignment_usd: consigned,
            comparator_first_leg_surge: compSurge, controlled_minus_comparator: compSurge === compSurge ? firstSurge - compSurge : NaN,
            unpublished_periods: f1.unpublished + s1.unpublished,
          };
          const { score, reasons } = composite(sig, p, annual);
          if (w.partialYear) reasons.push('control_year_partial');
          // the records behind each leg and each leg by period, for the analyst (routes that can be flagged: few;
          // the isolation score lifts a composite by at most 1 + isolationWeight)
          const mayFlag = score * (1 + p.isolationWeight) >= p.flagThreshold;
          const evidence = mayFlag ? evidenceOf(cube, [['first_leg', O, H], ['second_leg', H, D], ['direct', O, D]], w) : [];
          const series = mayFlag ? seriesOf(cube, [['first_leg', first, O, H], ['second_leg', second, H, D], ['direct', direct.get(D) ?? null, O, D]], w) : [];
          out.add(ev, O, H, D, cube.periodOf(w.post[0]), cube.periodOf(w.post[1]), annual, sig, score, reasons, evidence, series);
        }
      }
    }
  }
  out.applyIsolation(p);
  return { ...out.tables(p.flagThreshold, trade.flows, names), counts };
}

/** Signals the isolation forest sees (consignment on a log scale, unit-value ratio as a log). */
const ISOLATION_FEATURES = ['first_leg_surge', 'second_leg_surge', 'diversion', 'pass_through', 'hub_prior_export_share', 'unit_value_ratio',
  'hub_ghost_share', 'origin_kept_log_ratio', 'consignment_usd'] as const;

type Signals = Record<(typeof ROUTE_SIGNALS)[number], number>;

/** Bounded terms (0–1) weighted into the score; the reasons name the terms that fired. */
function composite(s: Signals, p: TransshipmentParams, annual: boolean): { score: number; reasons: string[] } {
  const w = p.weights;
  const g = p.gates;
  const clip = (x: number) => (x === x ? Math.max(0, Math.min(1, x)) : 0);
  const terms: [string, number, number][] = [
    ['second_leg_surge', w.secondLegSurge, clip(s.second_leg_surge / g.surgeFullLog)],
    ['first_leg_surge', w.firstLegSurge, clip(s.first_leg_surge / g.surgeFullLog)],
    ['diversion', w.diversion, clip(-s.diversion / g.surgeFullLog)],
    ['pass_through', w.passThrough, clip(s.pass_through)],
    ['new_exporter', w.newExporter, clip(1 - s.hub_prior_export_share / g.newExporterZeroShare)],
    ['unit_value_match', w.unitValue, s.unit_value_ratio > 0 ? clip(1 - Math.abs(Math.log(s.unit_value_ratio)) / g.unitValueZeroLog) : 0],
    ['mirror_evidence', w.mirror, Math.max(clip(s.hub_ghost_share), clip(s.origin_kept_log_ratio / g.originKeptFullLog))],
    ['consignment', w.consignment, s.consignment_usd > 0 ? 1 : 0],
    ['controlled_vs_comparator', w.comparator, clip(s.controlled_minus_comparator / g.surgeFullLog)],
  ];
  let score = 0;
  let total = 0;
  const reasons: string[] = [];
  for (const [name, weight, v] of terms) {
    score += weight * v;
    total += weight;
    if (v >= g.reasonCutoff && weight > 0) reasons.push(name);
  }
  if (annual) reasons.push('needs_monthly');
  // a route whose second leg did not grow is not a diversion through this hub, whatever else moved
  // a route is a change: a second leg that did not grow (a steady entrepôt) cannot carry diverted goods,
  // whatever else moved; full weight from a doubling on
  score *= s.second_leg_surge > 0 ? Math.min(1, s.second_leg_surge / g.secondLegFullLog) : g.noSecondLegFactor;
  // nothing shows the origin's goods reaching the hub (its imports from the origin did not rise, no
  // consignment rows, no goods the hub failed to record): a hub whose own output rose looks like this
  // nothing shows the origin's goods reaching the hub either when an established exporter to the destination
  // (a producer) took no more from the origin in USD: its rise is its own output
  const producer = s.hub_prior_export_share >= p.producerPriorShare && !((s.first_leg_post_usd || 0) > (s.first_leg_pre_usd || 0));
  const reachesHub = (s.first_leg_surge > 0 && !producer) || s.consignment_usd > 0 || s.hub_ghost_share >= g.ghostShareGate;
  if (!reachesHub) score *= g.notReachingHubFactor;
  return { score: total > 0 ? score / total : 0, reasons };
}

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

function comparatorSurge(cube: LegCube, o: string, h: string, start: string, p: TransshipmentParams, floor: number): number {
  const w = controlWindows(cube, start, p);
  if (!w) return NaN;
  const leg = cube.leg(o, h, p.cifFobRatio);
  const a = windowMean(cube, leg, o, h, w.pre).mean;
  const b = windowMean(cube, leg, o, h, w.post).mean;
  const all = cube.exportsOf(o);
  return logChange(a, b, floor) - logChange(mean(all, w.pre) - (a || 0), mean(all, w.post) - (b || 0), floor);
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
      if (!s) continue;
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
      new Field('source', new Utf8(), true),
      new Field('file', new Utf8(), true),
      new Field('line', new Int32(), true),
      new Field('period', new Utf8()),
      new Field('value_usd', new Float64(), true),
    ]),
  ),
);

/** `evidence`: per flagged route, the flow records (source, file, line, period, value) behind its legs. */
function evidenceVector(refs: EvidenceRef[][], flows: Table): Vector {
  const src = flows.getChild('source');
  const file = flows.getChild('source_file');
  const line = flows.getChild('source_line');
  const value = flows.getChild('value_usd')!;
  const rows = refs.map((list) =>
    list.map((r) => ({
      leg: r.leg,
      side: r.side,
      source: src ? (src.get(r.row) as string | null) : null,
      file: file ? (file.get(r.row) as string | null) : null,
      line: line ? (line.get(r.row) as number | null) : null,
      period: r.period,
      value_usd: value.get(r.row) as number | null,
    })),
  );
  return vectorFromArray(rows, EVIDENCE_TYPE);
}

/** Column-wise route rows (one small record per candidate route; candidates are thousands, not millions). */
class RouteRows {
  private readonly text = { control: new StringDictionary(), country: new StringDictionary(), hs6: new StringDictionary(), mineral: new StringDictionary(), period: new StringDictionary(), freq: new StringDictionary() };
  private readonly cols = {
    control: [] as number[], origin: [] as number[], hub: [] as number[], dest: [] as number[], hs6: [] as number[], mineral: [] as number[],
    ps: [] as number[], pe: [] as number[], freq: [] as number[], score: [] as number[],
  };
  private readonly signals: Record<string, number[]> = Object.fromEntries(ROUTE_SIGNALS.map((s) => [s, []]));
  private readonly reasons: string[][] = [];
  private readonly evidence: EvidenceRef[][] = [];
  private readonly series: SeriesPoint[][] = [];
  private isolation: Float64Array = new Float64Array(0);

  add(ev: ControlEvent, o: string, h: string, d: string, ps: string, pe: string, annual: boolean, sig: Signals, score: number, reasons: string[], evidence: EvidenceRef[], series: SeriesPoint[]): void {
    const t = this.text;
    const c = this.cols;
    c.control.push(t.control.code(ev.controlId));
    c.origin.push(t.country.code(o));
    c.hub.push(t.country.code(h));
    c.dest.push(t.country.code(d));
    c.hs6.push(t.hs6.code(ev.hs6));
    c.mineral.push(t.mineral.code(ev.mineral));
    c.ps.push(t.period.code(ps));
    c.pe.push(t.period.code(pe));
    c.freq.push(t.freq.code(annual ? 'A' : 'M'));
    c.score.push(score);
    for (const s of ROUTE_SIGNALS) this.signals[s].push(sig[s]);
    this.reasons.push(reasons);
    this.evidence.push(evidence);
    this.series.push(series);
  }

  /**
   * Scores every route's signal vector with a seeded isolation forest and lets it move the composite:
   * score × ((1 − w) + w · 2 · isolation), so a typical route (isolation ≈ 0.5) keeps its composite.
   */
  applyIsolation(p: TransshipmentParams): void {
    const n = this.cols.score.length;
    this.isolation = new Float64Array(n).fill(NaN) as Float64Array;
    if (n === 0) return;
    const features = ISOLATION_FEATURES.map((f) => Float64Array.from(this.signals[f], (v) => (f === 'consignment_usd' ? Math.log1p(v) : f === 'unit_value_ratio' ? Math.log(v) : v)));
    this.isolation = scoreIsolation(fitIsolationForest(features, p.isolation), features);
    const w = p.isolationWeight;
    for (let i = 0; i < n; i++) this.cols.score[i] *= 1 - w + w * 2 * this.isolation[i];
  }

  tables(threshold: number, flows: Table, names: { country?: ReadonlyMap<string, string>; hs6?: ReadonlyMap<string, string> }): { routes: Table; flagged: Table } {
    const n = this.cols.score.length;
    const order = Array.from({ length: n }, (_, i) => i);
    const ids = order.map((i) => this.flagId(i));
    order.sort((a, b) => this.cols.score[b] - this.cols.score[a] || (ids[a] < ids[b] ? -1 : 1));
    const build = (rows: number[]): Table => {
      const t = this.text;
      const c = this.cols;
      const pick = (a: number[]) => Int32Array.from(rows, (i) => a[i]);
      const cols: Record<string, Vector> = {
        origin: dictionaryVector(pick(c.origin), t.country.values),
        hub: dictionaryVector(pick(c.hub), t.country.values),
        hub_name: dictionaryVector(pick(c.hub), t.country.values.map((v) => names.country?.get(v) ?? v)),
        destination: dictionaryVector(pick(c.dest), t.country.values),
        hs6: dictionaryVector(pick(c.hs6), t.hs6.values),
        hs6_description: dictionaryVector(pick(c.hs6), t.hs6.values.map((v) => names.hs6?.get(v) ?? '')),
        mineral: dictionaryVector(pick(c.mineral), t.mineral.values),
        control_id: dictionaryVector(pick(c.control), t.control.values),
        freq: dictionaryVector(pick(c.freq), t.freq.values),
        period_start: dictionaryVector(pick(c.ps), t.period.values),
        period_end: dictionaryVector(pick(c.pe), t.period.values),
      };
      for (const s of ROUTE_SIGNALS) cols[s] = float64Vector(Float64Array.from(rows, (i) => this.signals[s][i]));
      cols.isolation_score = float64Vector(Float64Array.from(rows, (i) => this.isolation[i] ?? NaN));
      cols.score = float64Vector(Float64Array.from(rows, (i) => c.score[i]));
      cols.rank = int32Vector(Int32Array.from(rows, (_, k) => k + 1));
      cols.reasons = listVector(rows.length, new Map(rows.map((i, k) => [k, this.reasons[i]])));
      const fid = new StringDictionary();
      cols.flag_id = dictionaryVector(Int32Array.from(rows, (i) => fid.code(ids[i])), fid.values);
      return new Table(cols);
    };
    const flaggedRows = order.filter((i) => this.cols.score[i] >= threshold);
    const flagged = build(flaggedRows);
    const withEvidence: Record<string, Vector> = Object.fromEntries(flagged.schema.fields.map((f) => [f.name, flagged.getChild(f.name)!]));
    withEvidence.evidence = evidenceVector(flaggedRows.map((i) => this.evidence[i]), flows);
    withEvidence.series = vectorFromArray(flaggedRows.map((i) => this.series[i]), SERIES_TYPE);
    return { routes: build(order), flagged: new Table(withEvidence) };
  }

  private flagId(i: number): string {
    const t = this.text;
    const c = this.cols;
    const what = `route|${t.control.values[c.control[i]]}|${t.hs6.values[c.hs6[i]]}|${t.country.values[c.origin[i]]}|${t.country.values[c.hub[i]]}|${t.country.values[c.dest[i]]}|${t.freq.values[c.freq[i]]}`;
    return createHash('sha256').update(what).digest('hex').slice(0, 16);
  }
}
