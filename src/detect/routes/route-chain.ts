import type { LegCube } from './leg-cube.ts';
import { logChange, windowMean } from './route-signals.ts';

/**
 * The chain of evidence behind a transshipment claim ("goods went O → H → D because of the control"), link by
 * link (docs/methods/transshipment.md). Each link is an effect with its uncertainty: a log change after the control
 * against the pre-control variation of that same flow, or, with fewer pre-control periods than
 * `minPrePeriods` (two annual years), against the variation of comparable flows (same code, size band). Pure.
 */

/** Settings of the chain (config `transshipment.chain`). */
export interface ChainParams {
  /** A required link holds when its effect reaches this many standard errors (default 2). */
  minLinkZ: number;
  /** A leg "rose" only when its log change also reaches this (default 0.5, a rise of about two thirds, whatever the noise: on seeds 1–5 of wild and hard, the highest recall with no false flag). */
  minLogRise: number;
  /** Pass-through balances when the first leg's rise covers at least this share of the second leg's (kg where both have weights, else USD; default 0.5). */
  passThroughMin: number;
  /** The counterfactual "did not rise alike" when the first leg's excess is at least this log above it (default 0.2; chosen on wild seeds 1–5). */
  counterfactualMinLog: number;
  /** Fewest pre-control periods with a record for a flow's own history to measure its noise (default 6). */
  minPrePeriods: number;
  /** Comparable flows: within this factor of the flow's size (default 4: a quarter to four times). */
  sizeBand: number;
  /** Fewest comparable flows to measure noise from them (default 8); fewer: the noise is unknown and the link says so. */
  minComparableFlows: number;
  /** Fewest other codes the hub bought from the origin for their median to be a counterfactual (default 3). */
  minPlaceboCodes: number;
  /** Lowest standard deviation of a log change that a flow's history can give (default 0.05: a constant series is not noiseless). */
  minLogNoise: number;
}

/** Defaults of {@link ChainParams}. */
export const chainDefaults: ChainParams = {
  minLinkZ: 2,
  minLogRise: 0.5,
  passThroughMin: 0.5,
  counterfactualMinLog: 0.2,
  minPrePeriods: 6,
  sizeBand: 4,
  minComparableFlows: 8,
  minPlaceboCodes: 3,
  minLogNoise: 0.05,
};

/** How a change's noise was measured. */
export type NoiseBasis = 'own_history' | 'comparable_flows' | 'unknown';

/** A log change with its standard error and how that was measured. */
export interface Effect {
  /** Log change from the baseline's mean to the post window's. */
  logChange: number;
  /** Standard error of that change (NaN when unknown). */
  se: number;
  /** logChange / se (NaN when unknown). */
  z: number;
  basis: NoiseBasis;
}

/** Every exporter → importer flow of a cube: its size and log change between two windows, for comparable-flow noise. */
export class ComparableFlows {
  private readonly size: Float64Array;
  private readonly change: Float64Array;

  constructor(cube: LegCube, w: { pre: [number, number]; post: [number, number] }, floor: number, cifFob: number) {
    const sizes: number[] = [];
    const changes: number[] = [];
    for (const k of cube.pairKeys()) {
      const e = cube.countries.values[Math.floor(k / 4096)];
      const i = cube.countries.values[k % 4096];
      if (e === i) continue;
      const leg = cube.leg(e, i, cifFob);
      const a = windowMean(cube, leg, e, i, w.pre).mean;
      const b = windowMean(cube, leg, e, i, w.post).mean;
      const c = logChange(a, b, floor);
      if (c !== c || !(Math.max(a, b) >= floor)) continue;
      sizes.push(Math.max(a, b));
      changes.push(c);
    }
    const order = sizes.map((_, j) => j).sort((x, y) => sizes[x] - sizes[y]);
    this.size = Float64Array.from(order, (j) => sizes[j]);
    this.change = Float64Array.from(order, (j) => changes[j]);
  }

  /**
   * Robust standard deviation (1.4826 × median absolute log change) of the flows within `band` of `size`, or NaN
   * with fewer than `min` of them. About zero, not the median: how much flows of this size move between the windows.
   */
  spread(size: number, band: number, min: number): number {
    const lo = lowerBound(this.size, size / band);
    const hi = lowerBound(this.size, size * band * (1 + 1e-12));
    if (hi - lo < min) return NaN;
    const abs = Array.from(this.change.subarray(lo, hi), Math.abs).sort((a, b) => a - b);
    const m = abs.length;
    const med = m % 2 ? abs[(m - 1) / 2] : (abs[m / 2 - 1] + abs[m / 2]) / 2;
    return 1.4826 * med;
  }
}

function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A flow's change above the trend of the flows it is held against (the origin's exports of the code to everyone
 * else): trend = rest post / rest pre (1 when the rest's baseline is under `restFloor`), excess = ln((post + fl) /
 * (pre × trend + fl)). A flow that stayed at 0 has excess 0, whatever the rest did.
 */
export function excessOverTrend(pre: number, post: number, restPre: number, restPost: number, restFloor: number, fl: number): { excess: number; trend: number } {
  const trend = restPre >= restFloor ? Math.max(0, restPost) / restPre : 1;
  return { excess: logChange((pre || 0) * trend, post, fl), trend };
}

/**
 * The change of one flow (series `leg` of exporter → importer) from the baseline to the post window, with its
 * standard error: from the flow's own pre-control periods (robust spread of ln(value + floor), scaled to the two
 * windows' means) when it has `minPrePeriods` published ones, else from comparable flows' changes.
 */
export function flowEffect(
  cube: LegCube,
  leg: Float64Array,
  exporter: string,
  importer: string,
  w: { pre: [number, number]; post: [number, number] },
  floor: number,
  comparable: ComparableFlows,
  p: ChainParams,
): Effect & { pre: number; post: number } {
  const a = windowMean(cube, leg, exporter, importer, w.pre);
  const b = windowMean(cube, leg, exporter, importer, w.post);
  const change = logChange(a.mean, b.mean, floor);
  let se = NaN;
  let basis: NoiseBasis = 'unknown';
  if (a.periods >= p.minPrePeriods && b.periods > 0) {
    const logs: number[] = [];
    for (let t = w.pre[0]; t <= w.pre[1]; t++) {
      if (!cube.didPublish(exporter, 0, t) && !cube.didPublish(importer, 1, t)) continue;
      logs.push(Math.log(Math.max(leg[t] === leg[t] ? leg[t] : 0, 0) + floor));
    }
    const sd = Math.max(p.minLogNoise, robustSd(logs));
    se = sd * Math.sqrt(1 / a.periods + 1 / b.periods);
    basis = 'own_history';
  } else {
    const s = comparable.spread(Math.max(a.mean || 0, b.mean || 0, floor), p.sizeBand, p.minComparableFlows);
    if (s === s) {
      se = Math.max(p.minLogNoise, s);
      basis = 'comparable_flows';
    }
  }
  return { logChange: change, se, z: se === se ? change / se : NaN, basis, pre: a.mean, post: b.mean };
}

/** 1.4826 × the median absolute deviation from the median (0 for fewer than two values). */
export function robustSd(x: readonly number[]): number {
  if (x.length < 2) return 0;
  const s = [...x].sort((a, b) => a - b);
  const med = median(s);
  return 1.4826 * median(s.map((v) => Math.abs(v - med)).sort((a, b) => a - b));
}

function median(sorted: readonly number[]): number {
  const m = sorted.length;
  return m % 2 ? sorted[(m - 1) / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
}

/** A link of the chain: required ones decide the flag, supporting ones only explain. */
export interface Link {
  name: LinkName;
  role: 'required' | 'supporting';
  status: 'holds' | 'fails' | 'unavailable';
  /** The link's measure (a log change, a share, a ratio; see {@link LINKS}). */
  value: number;
  /** Its effect in standard errors, where it has one. */
  z: number;
  /** How its noise (or its data) was had: `own_history`, `comparable_flows`, `comparator`, `origin_other_destinations`, `mirror`, … */
  basis: string;
}

/** The links, in the order the chain lists them, with what each measures. */
export const LINKS = {
  goods_reach_hub: 'required: the first leg O → H rose above the origin\'s trend to its other destinations (log, z), or the hub hides what it receives (ghost share in the mirror pairs, or consignment from H in D\'s records)',
  second_leg_rose: 'required: H → D rose (log change, z)',
  pass_through: 'required: the first leg\'s rise covers the second leg\'s (share, kg where both legs have weights, else USD)',
  counterfactual: 'required: the first leg\'s excess is above its counterfactual\'s (the uncontrolled comparator O → H, the hub\'s imports of the code from its other origins, the median of its imports of uncontrolled codes from the origin: the largest) (log difference, z); unavailable without either',
  diversion: 'supporting: the origin\'s direct exports to D fell (log change)',
  timing: 'supporting: the second leg follows the first (lag in months, monthly data only)',
  unit_value: 'supporting: the second leg\'s unit value is within a factor of the first\'s (ratio)',
  consignment: 'supporting: D records goods of origin O consigned from H (USD)',
  origin_kept: 'supporting: D books more from the origin than the origin says it sent D (log ratio)',
  new_exporter: 'supporting: H sold little of the code to D before (prior share)',
  hub_balance: 'supporting: H exports roughly what it imports of the code (all partners; exports / imports)',
} as const;

export type LinkName = keyof typeof LINKS;

/** What a route's chain is judged from (one candidate route, one control window). */
export interface ChainInput {
  origin: string;
  hub: string;
  destination: string;
  /** The first leg's excess over the origin's trend to its other destinations (log), with its noise. */
  first: Effect;
  /** The first leg's recorded log change. */
  firstRecorded: number;
  second: Effect;
  /** Rise of each leg between the windows' means, in `riseUnit` (kg or USD). */
  firstRise: number;
  secondRise: number;
  riseUnit: 'kg' | 'usd';
  /** The legs' rises in USD (the first above the origin's trend) and the first's standard error in USD: what its noise could hide. */
  firstRiseUsd: number;
  secondRiseUsd: number;
  firstRiseSeUsd: number;
  /** Post-window mean of D's records of O's goods consigned from H (USD), 0 when none. */
  consignedPostMean: number;
  /** Share of what O says it sent H that H does not record (mirror pairs), NaN unknown. */
  hubGhostShare: number;
  /** First leg's change minus its counterfactual's, with its z; basis `comparator`, `origin_other_destinations` or `unavailable`. */
  counterfactual: { logDifference: number; z: number; basis: string };
  diversion: number;
  lagMonths: number;
  unitValueRatio: number;
  consignmentUsd: number;
  originKeptLogRatio: number;
  hubPriorExportShare: number;
  hubBalance: number;
}

/** Gates the chain shares with the rest of the scorer. */
export interface ChainGates {
  /** Hub ghost share from which the hub is taken not to record what it receives. */
  ghostShareGate: number;
  /** |ln unit-value ratio| within which the unit values match. */
  unitValueZeroLog: number;
  /** Origin-kept log ratio from which D is taken to book the origin. */
  originKeptFullLog: number;
  /** Prior share below which H is a new exporter to D. */
  newExporterZeroShare: number;
}

/** The judged chain: its links, whether the required ones hold, the weakest required z and the plain-words explanation. */
export interface ChainVerdict {
  links: Link[];
  flagged: boolean;
  /** The smallest z among the required links (a link without one counts at `minLinkZ`). */
  weakestZ: number;
  /** z² / (z² + 1) of the weakest link: how far the weakest required link stands out of its noise (0–1). */
  strength: number;
  /** Required links that do not hold (failed or unavailable) and supporting ones that do not show. */
  missing: string[];
  explanation: string;
}

/** Judges one route's chain (docs/methods/transshipment.md). Pure. */
export function judgeChain(x: ChainInput, p: ChainParams, g: ChainGates): ChainVerdict {
  const rose = (e: Effect) => e.logChange >= p.minLogRise && (e.z !== e.z || e.z >= p.minLinkZ);
  const firstRose = rose(x.first);
  const links: Link[] = [];
  // the rise the second leg implies at the first (the pass-through share of it): when the first leg's own noise could
  // hide it, the first leg can neither show nor rule out the goods passing (the link is unavailable, not failed)
  const implied = p.passThroughMin * x.secondRiseUsd;
  const hidden = x.secondRiseUsd > 0 && !(implied >= p.minLinkZ * x.firstRiseSeUsd);
  // goods reach the hub: the first leg rose, or the hub hides what it receives
  if (firstRose) links.push({ name: 'goods_reach_hub', role: 'required', status: 'holds', value: x.first.logChange, z: x.first.z, basis: x.first.basis });
  else if (x.hubGhostShare >= g.ghostShareGate) links.push({ name: 'goods_reach_hub', role: 'required', status: 'holds', value: x.hubGhostShare, z: NaN, basis: 'hub_ghost_share' });
  else if (x.consignedPostMean > 0) links.push({ name: 'goods_reach_hub', role: 'required', status: 'holds', value: x.consignedPostMean, z: NaN, basis: 'consignment' });
  else if (hidden) links.push({ name: 'goods_reach_hub', role: 'required', status: 'unavailable', value: x.first.logChange, z: x.first.z, basis: 'first_leg_noise_hides_it' });
  else links.push({ name: 'goods_reach_hub', role: 'required', status: 'fails', value: x.first.logChange, z: x.first.z, basis: x.first.basis });
  links.push({ name: 'second_leg_rose', role: 'required', status: rose(x.second) ? 'holds' : 'fails', value: x.second.logChange, z: x.second.z, basis: x.second.basis });
  // pass-through: the goods the hub sent on came in through its first leg (or are recorded as the origin's by D); a
  // shortfall within the first leg's noise is no evidence either way
  const cover = x.secondRise > 0 ? (Math.max(0, x.firstRise) + (x.riseUnit === 'usd' ? x.consignedPostMean : 0)) / x.secondRise : NaN;
  const consignedCover = x.secondRise > 0 && x.riseUnit === 'kg' && x.consignedPostMean > 0;
  const shortfallUsd = implied - Math.max(0, x.firstRiseUsd) - x.consignedPostMean;
  const passStatus: Link['status'] = cover >= p.passThroughMin || consignedCover ? 'holds' : x.secondRise > 0 && shortfallUsd < p.minLinkZ * x.firstRiseSeUsd ? 'unavailable' : 'fails';
  links.push({ name: 'pass_through', role: 'required', status: passStatus, value: cover, z: NaN, basis: x.riseUnit === 'kg' ? 'kg' : 'usd' });
  // the counterfactual did not rise alike; a first leg that did not rise (a hub that hides its imports) has nothing to compare
  const cf = x.counterfactual;
  const cfStatus: Link['status'] = cf.basis === 'unavailable' || !firstRose ? 'unavailable'
    : cf.logDifference >= p.counterfactualMinLog && (cf.z !== cf.z || cf.z >= p.minLinkZ) ? 'holds' : 'fails';
  links.push({ name: 'counterfactual', role: 'required', status: cfStatus, value: cf.logDifference, z: cf.z, basis: firstRose ? cf.basis : 'first_leg_did_not_rise' });
  const sup = (name: LinkName, holds: boolean | null, value: number, basis = ''): Link =>
    ({ name, role: 'supporting', status: holds === null ? 'unavailable' : holds ? 'holds' : 'fails', value, z: NaN, basis });
  const known = (v: number) => v === v;
  links.push(
    sup('diversion', known(x.diversion) ? x.diversion <= -p.minLogRise : null, x.diversion),
    sup('timing', known(x.lagMonths) ? true : null, x.lagMonths),
    sup('unit_value', x.unitValueRatio > 0 ? Math.abs(Math.log(x.unitValueRatio)) <= g.unitValueZeroLog : null, x.unitValueRatio),
    sup('consignment', x.consignmentUsd > 0, x.consignmentUsd),
    sup('origin_kept', known(x.originKeptLogRatio) ? x.originKeptLogRatio >= g.originKeptFullLog : null, x.originKeptLogRatio),
    sup('new_exporter', known(x.hubPriorExportShare) ? x.hubPriorExportShare < g.newExporterZeroShare : null, x.hubPriorExportShare),
    sup('hub_balance', known(x.hubBalance) ? Math.abs(Math.log(x.hubBalance)) <= Math.log(2) : null, x.hubBalance),
  );
  const required = links.filter((l) => l.role === 'required');
  // flagged when no required link fails and both legs show the goods: a link the data cannot judge (the counterfactual
  // without one, a pass-through shortfall within noise) is named, not failed; goods the first leg's noise could hide are
  // no evidence that they reached the hub, so that route is not flagged (it says why)
  const flagged = required.every((l) => l.status !== 'fails') && links[0].status === 'holds' && links[1].status === 'holds';
  let weakest = Infinity;
  // the weakest required link: its z where it has one (capped at minLinkZ when it does not hold); an unjudged link
  // without one counts at minLinkZ, a failed one at 0; a link that holds without a z (pass-through, a hub that hides
  // its imports) adds nothing to weigh
  for (const l of required) {
    const z = l.z === l.z ? l.z : NaN;
    if (l.status === 'holds') {
      if (z === z) weakest = Math.min(weakest, z);
    } else weakest = Math.min(weakest, z === z ? Math.min(p.minLinkZ, z) : l.status === 'fails' ? 0 : p.minLinkZ);
  }
  if (weakest === Infinity) weakest = p.minLinkZ;
  const zw = Math.max(0, weakest);
  const missing = links.filter((l) => l.status !== 'holds').map((l) => l.name);
  return { links, flagged, weakestZ: weakest, strength: (zw * zw) / (zw * zw + 1), missing, explanation: explain(x, links, flagged, p) };
}

const times = (logChange: number) => (logChange === logChange ? `×${fmt(Math.exp(logChange))}` : 'unknown');
const pct = (share: number) => `${Math.round(share * 100)}%`;
function fmt(v: number): string {
  return v >= 100 ? String(Math.round(v)) : String(Number(v.toFixed(v >= 10 ? 1 : 2)));
}
const zText = (l: Link) => (l.z === l.z ? `, z ${l.z.toFixed(1)} against ${l.basis.replace(/_/g, ' ')}` : l.basis === 'unknown' ? ', noise unknown' : '');

/** The chain in plain words, with numbers: which required links hold, which fail or are missing, and the supporting ones that show. */
function explain(x: ChainInput, links: Link[], flagged: boolean, p: ChainParams): string {
  const [reach, second, pass, cf] = links;
  const { origin: O, hub: H, destination: D } = x;
  const parts: string[] = [];
  if (reach.basis === 'hub_ghost_share') parts.push(`${H} does not record ${pct(reach.value)} of what ${O} says it sent it`);
  else if (reach.basis === 'consignment') parts.push(`${D} records ${O}'s goods consigned from ${H}`);
  else if (reach.basis === 'first_leg_noise_hides_it') parts.push(`${O}→${H} ${times(x.firstRecorded)}, ${times(reach.value)} against ${O}'s exports to its other destinations: within its noise, which could hide goods of the second leg's size (unjudged)`);
  else parts.push(`${O}→${H} ${times(x.firstRecorded)}, ${times(reach.value)} against ${O}'s exports to its other destinations${zText(reach)}${reach.status === 'holds' ? '' : ' (not enough)'}`);
  parts.push(`${H}→${D} ${second.status === 'holds' ? 'rose' : 'did not rise enough:'} ${times(second.value)}${zText(second)}`);
  parts.push(
    pass.value === pass.value
      ? `the first leg's rise covers ${pct(pass.value)} of the second's (${pass.basis}; needs ${pct(p.passThroughMin)}${pass.status === 'unavailable' ? '; the shortfall is within the first leg\'s noise' : ''})`
      : `no rise of the second leg for the first to cover`,
  );
  if (cf.status === 'unavailable') parts.push(cf.basis === 'first_leg_did_not_rise' ? 'no counterfactual: the first leg did not rise to compare with one' : `no counterfactual: no comparator with data and no other origins of ${H}`);
  else parts.push(`that excess is ${times(cf.value)} ${cf.basis === 'comparator' ? 'the uncontrolled comparator\'s' : cf.basis === 'origin_other_codes' ? `the median of ${H}'s imports of uncontrolled codes from ${O}` : `${H}'s imports of the code from its other origins`}${cf.z === cf.z ? ` (z ${cf.z.toFixed(1)})` : ''}${cf.status === 'holds' ? '' : ' — they rose alike, not a diversion'}`);
  const shows: string[] = [];
  for (const l of links.slice(4)) {
    if (l.status !== 'holds') continue;
    if (l.name === 'diversion') shows.push(`${O}→${D} fell ${pct(1 - Math.exp(l.value))}`);
    else if (l.name === 'timing') shows.push(`lag ${l.value} month${l.value === 1 ? '' : 's'}`);
    else if (l.name === 'unit_value') shows.push(`unit value ${times(Math.log(l.value))} the first leg's`);
    else if (l.name === 'consignment') shows.push(`consignment rows`);
    else if (l.name === 'origin_kept') shows.push(`${D} books ${times(l.value)} what ${O} reports sending it`);
    else if (l.name === 'new_exporter') shows.push(`${H} sold ${pct(l.value)} of its later level to ${D} before`);
    else if (l.name === 'hub_balance') shows.push(`${H} exports ${times(Math.log(l.value))} what it imports of the code`);
  }
  const failed = links.slice(0, 4).filter((l) => l.status === 'fails').map((l) => l.name);
  const head = flagged ? 'Flagged' : `Not flagged (${failed.join(', ') || 'a required link'} fails)`;
  return `${head}: ${parts.join('; ')}.${shows.length ? ` Supporting: ${shows.join('; ')}.` : ''}`;
}
