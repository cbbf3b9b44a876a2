import { UsageError } from '../base/errors.ts';
import { SYNTH_COUNTRIES } from './countries.ts';
import { MonthAxis } from './month-axis.ts';
import { synthProduct } from './products.ts';
import { Rng } from './random.ts';
import { WILD_OFF, type WildKnobs, drawWildKnobs, holdOutOverrides } from './wild-knobs.ts';

/** The generator's presets: `easy` and `hard` are fixed layouts; `wild` draws its knobs per seed. */
export type SynthPreset = 'easy' | 'hard' | 'wild';

/** Every preset name, in the order help texts list them. */
export const SYNTH_PRESET_NAMES: readonly SynthPreset[] = ['easy', 'hard', 'wild'];

/** A `[low, high]` range a value is drawn from uniformly. */
export type Range = readonly [number, number];

/**
 * Every knob of the synthetic world; `docs/synth.md` lists each with its easy and hard value. The
 * {@link WildKnobs} are optional: `easy` and `hard` leave them out (their files stay as they were), `wild`
 * sets them all; code reads them through {@link wildKnobs}.
 */
export interface SynthKnobs extends Partial<WildKnobs> {
  /** First month of the panel, `YYYY-MM`. */
  startPeriod: string;
  /** Last month of the panel, `YYYY-MM`. */
  endPeriod: string;
  /** HS6 codes in the trade panel (controlled ones take their controls from the catalog). */
  codes: readonly string[];
  /** Countries in play: the first N of the generator's 40 (20 hold the origin, buyers, entrepôts, hubs). */
  countryCount: number;
  /** Buyers drawn per code (China sells to all of them). */
  buyersPerCode: number;
  /** Producers per code besides China (the largest in play). */
  producersPerCode: number;
  /** Buyers each producer other than China sells to. */
  producerLinks: number;
  /** σ of the monthly lognormal noise of every flow. */
  flowSigma: number;
  /** σ of the recording noise that makes the two sides of one shipment differ (each side draws its own). */
  mirrorSigma: number;
  /** Amplitude of the yearly seasonal cycle (0.1 = ±10 %). */
  seasonalAmplitude: number;
  /** Yearly growth of a pair's trade, drawn per pair (0.05 = +5 %/year). */
  annualGrowth: Range;
  /** CIF/FOB − 1 of a pair less than 2,500 km apart (drawn once per pair). */
  cifMarginNear: Range;
  /** CIF/FOB − 1 of a pair 2,500–8,000 km apart. */
  cifMarginMid: Range;
  /** CIF/FOB − 1 of a pair farther than 8,000 km apart. */
  cifMarginFar: Range;
  /** Share of pairs whose importer records a shipment one month after the exporter. */
  importLagShare: number;
  /** Share of importers that also report `fobvalue` on their imports. */
  importerFobShare: number;
  /** Countries that never report, besides Taiwan (Comtrade publishes no Taiwan reporter) and silent hubs. */
  nonReporterCount: number;
  /** Countries whose newest months are missing. */
  lateReporterCount: number;
  /** How many newest months a late reporter lacks. */
  lateMonths: Range;
  /** Reporters whose records carry extra noise. */
  noisyReporterCount: number;
  /** σ of a noisy reporter's extra noise (value and weight drawn apart, so unit values are noisy too). */
  noisyReporterSigma: number;
  /** China's exports of a controlled code to every destination in the month before the control, × this. */
  stockpileFactor: Range;
  /** Months of licensing pause after a control starts. */
  pauseMonths: Range;
  /** Level of China's exports during the pause, × the uncontrolled flow. */
  pauseLevel: Range;
  /** Level China's exports recover to after the pause, × the uncontrolled flow. */
  recoveryLevel: Range;
  /** Level of China's exports to a banned destination while the ban is in force. */
  banLevel: Range;
  /** Transshipment routes O → H → D injected around controls. */
  routeCount: number;
  /** Months from the control (or the ban, for the USA) to the route's first diverted shipment. */
  routeLagMonths: Range;
  /** Share of the uncontrolled direct flow O → D diverted via the hub. */
  divertedShare: Range;
  /** Months between a diverted lot leaving O and leaving H. */
  legGapMonths: Range;
  /** H → D unit value over O → H unit value (no processing in the hub). */
  unitValueMarkup: Range;
  /** Share of hubs that do not report at all. */
  hubNonReportingShare: number;
  /** Share of reporting hubs whose imports of diverted goods go through a free zone they do not record. */
  freeZoneShare: number;
  /** Share of routes whose destination records the diverted goods by origin (from O, not from H). */
  originKeptShare: number;
  /** Share of destinations that publish partner2 (country of consignment) rows on their imports. */
  consignmentShare: number;
  /** Share of routes that are small: a hub with large trade of its own and a small destination. */
  smallRouteShare: number;
  /** Share of routes with a reporting hub whose diverted exports also appear as re-exports (RX). */
  hubReexportShare: number;
  /** Pairs whose exporter under-declares (X ≪ M) from some month on. */
  underDeclaredCount: number;
  /** The under-declaring exporter's records, × this. */
  underDeclaredFactor: Range;
  /** Pairs where the importer records imports the (publishing) exporter never recorded. */
  ghostImportCount: number;
  /** Pairs the exporter hides as confidential (in World, and in 899 Areas nes for about half). */
  confidentialCount: number;
  /** Entrepôts with steady re-export trade (distractors). */
  entrepots: readonly string[];
  /** Chance that a code gets a steady entrepôt. */
  entrepotShare: number;
  /** Producers whose own exports rise after a control (distractors). */
  producerHubCount: number;
  /** How much a producer hub's exports rise (reached over four months). */
  producerHubRise: Range;
  /** Destinations whose imports from every source grow (distractors). */
  demandGrowthCount: number;
  /** How much a growing destination's imports rise (reached over six months). */
  demandGrowthFactor: Range;
  /** Share of total rows that also get mode-of-transport rows (1000 air, 2000 water, 9000 other). */
  motBreakdownShare: number;
  /** Share of total rows written twice (exact duplicates). */
  duplicateShare: number;
  /** Share of rows whose net weight is flagged estimated (and is off by up to ±30 %). */
  estimatedWeightShare: number;
  /** Share of rows without a net weight. */
  missingWeightShare: number;
  /** Country (ISO3) whose customs declarations are generated. */
  declarationsCountry: string;
  /** Mean declarations per pair and month into or out of that country (Poisson, at least one). */
  declarationsPerFlow: number;
  /** Controlled goods declared under an uncontrolled neighbouring code. */
  misclassificationCount: number;
  /**
   * Share of misclassified declarations whose description still names the mineral (else only the unit
   * value tells; always described when the neighbour's unit values overlap the good's).
   */
  misclassificationDescribedShare: number;
  /** Declarations valued far below their code's range. */
  undervaluationCount: number;
  /** An under-valued declaration's unit value, × the low end of its line's range. */
  undervaluationFactor: Range;
  /** Parties that split one consignment into many shipments just under a threshold. */
  splitShipmentGroups: number;
  /** Shipments per split group. */
  splitShipments: Range;
  /** Value threshold the split shipments stay under, USD. */
  splitThresholdUsd: number;
  /** Fewest origin ≠ departure declarations through a route hub (added when routes bring fewer). */
  originMismatchMin: number;
  /** Share of descriptions in Chinese for goods of Chinese origin. */
  chineseDescriptionShare: number;
  /** Share of declarations invoiced in the exporter's own currency (EUR, CNY) where it has one. */
  foreignCurrencyShare: number;
  /** Share of the panel's months, from the start, whose declarations carry a label (history). */
  labelledShare: number;
}

/** The two presets: `easy` (the bundled sample: small, clear signals) and `hard` (larger, noisy, subtle). */
export const SYNTH_PRESETS: Readonly<Record<'easy' | 'hard', Readonly<SynthKnobs>>> = Object.freeze({
  easy: Object.freeze<SynthKnobs>({
    startPeriod: '2022-10', endPeriod: '2025-06',
    codes: ['811292', '811231', '250410', '250490', '811010'],
    countryCount: 20, buyersPerCode: 6, producersPerCode: 2, producerLinks: 2,
    flowSigma: 0.1, mirrorSigma: 0.02, seasonalAmplitude: 0.1, annualGrowth: [-0.02, 0.08],
    cifMarginNear: [0.02, 0.04], cifMarginMid: [0.04, 0.08], cifMarginFar: [0.07, 0.12],
    importLagShare: 0.15, importerFobShare: 0.3,
    nonReporterCount: 1, lateReporterCount: 1, lateMonths: [1, 2], noisyReporterCount: 1, noisyReporterSigma: 0.25,
    stockpileFactor: [1.8, 2.5], pauseMonths: [1, 2], pauseLevel: [0.02, 0.08], recoveryLevel: [0.5, 0.7], banLevel: [0.01, 0.03],
    routeCount: 3, routeLagMonths: [0, 3], divertedShare: [0.4, 0.6], legGapMonths: [0, 0], unitValueMarkup: [1.01, 1.05],
    hubNonReportingShare: 0, freeZoneShare: 0.34, originKeptShare: 0.34, consignmentShare: 0.5, smallRouteShare: 0,
    hubReexportShare: 0.5,
    underDeclaredCount: 1, underDeclaredFactor: [0.2, 0.35], ghostImportCount: 1, confidentialCount: 1,
    entrepots: ['NLD', 'BEL', 'SGP', 'HKG'], entrepotShare: 0.5,
    producerHubCount: 1, producerHubRise: [2, 2.5], demandGrowthCount: 1, demandGrowthFactor: [1.8, 2.2],
    motBreakdownShare: 0.05, duplicateShare: 0.01, estimatedWeightShare: 0, missingWeightShare: 0,
    declarationsCountry: 'USA', declarationsPerFlow: 1.5,
    misclassificationCount: 6, misclassificationDescribedShare: 1, undervaluationCount: 6, undervaluationFactor: [0.05, 0.2],
    splitShipmentGroups: 2, splitShipments: [6, 10], splitThresholdUsd: 2500, originMismatchMin: 4,
    chineseDescriptionShare: 0.2, foreignCurrencyShare: 0.1, labelledShare: 0.5,
  }),
  hard: Object.freeze<SynthKnobs>({
    startPeriod: '2021-01', endPeriod: '2025-12',
    codes: ['811292', '811231', '250410', '250490', '811010', '282580', '810194', '750210', '810890'],
    countryCount: 40, buyersPerCode: 14, producersPerCode: 5, producerLinks: 4,
    flowSigma: 0.3, mirrorSigma: 0.08, seasonalAmplitude: 0.2, annualGrowth: [-0.05, 0.12],
    cifMarginNear: [0.02, 0.05], cifMarginMid: [0.04, 0.09], cifMarginFar: [0.06, 0.12],
    importLagShare: 0.35, importerFobShare: 0.3,
    nonReporterCount: 3, lateReporterCount: 4, lateMonths: [1, 3], noisyReporterCount: 3, noisyReporterSigma: 0.4,
    stockpileFactor: [1.5, 2.5], pauseMonths: [1, 2], pauseLevel: [0.03, 0.15], recoveryLevel: [0.5, 0.8], banLevel: [0.02, 0.08],
    routeCount: 10, routeLagMonths: [0, 3], divertedShare: [0.2, 0.6], legGapMonths: [0, 1], unitValueMarkup: [1, 1.08],
    hubNonReportingShare: 0.5, freeZoneShare: 0.5, originKeptShare: 0.5, consignmentShare: 0.5, smallRouteShare: 0.5,
    hubReexportShare: 0.3,
    underDeclaredCount: 4, underDeclaredFactor: [0.4, 0.6], ghostImportCount: 4, confidentialCount: 4,
    entrepots: ['NLD', 'BEL', 'SGP', 'HKG'], entrepotShare: 0.8,
    producerHubCount: 2, producerHubRise: [1.5, 2.2], demandGrowthCount: 2, demandGrowthFactor: [1.6, 2.2],
    motBreakdownShare: 0.2, duplicateShare: 0.02, estimatedWeightShare: 0.03, missingWeightShare: 0.01,
    declarationsCountry: 'USA', declarationsPerFlow: 3,
    misclassificationCount: 30, misclassificationDescribedShare: 0.5, undervaluationCount: 30, undervaluationFactor: [0.25, 0.5],
    splitShipmentGroups: 6, splitShipments: [5, 12], splitThresholdUsd: 2500, originMismatchMin: 10,
    chineseDescriptionShare: 0.4, foreignCurrencyShare: 0.2, labelledShare: 0.5,
  }),
});

/** The wild knobs of a world: its own where set, else the off values (`easy` and `hard` set none). */
export function wildKnobs(k: SynthKnobs): WildKnobs {
  return { ...WILD_OFF, ...Object.fromEntries(Object.keys(WILD_OFF).filter((key) => k[key as keyof WildKnobs] !== undefined).map((key) => [key, k[key as keyof WildKnobs]])) };
}

/**
 * The preset's knobs with `overrides` applied, checked: throws {@link UsageError} naming the knob for an
 * unknown key, a share outside [0, 1], a negative count, a range with low > high, a malformed month, an
 * unknown code or country. `wild` draws its knobs from the seed (`synth:<seed>:wild/knobs`), so it needs one;
 * its `holdOut` families (from the overrides) are switched off after the overrides apply.
 */
export function resolveSynthKnobs(preset: SynthPreset, overrides: Partial<SynthKnobs> = {}, seed?: number): SynthKnobs {
  if (!SYNTH_PRESET_NAMES.includes(preset)) throw new UsageError(`synth: unknown preset '${String(preset)}' (known: ${SYNTH_PRESET_NAMES.join(', ')})`);
  let base: Readonly<SynthKnobs>;
  if (preset === 'wild') {
    if (seed === undefined) throw new Error('resolveSynthKnobs: the wild preset draws its knobs from a seed');
    base = drawWildKnobs(new Rng(`synth:${seed}:wild`).fork('knobs'));
  } else base = SYNTH_PRESETS[preset];
  for (const key of Object.keys(overrides)) {
    if (!(key in base) && !(key in WILD_OFF)) throw new UsageError(`synth: unknown knob '${key}' (known: ${[...Object.keys(base), ...Object.keys(WILD_OFF).filter((x) => !(x in base))].join(', ')})`);
    const want = key in base ? base[key as keyof SynthKnobs] : WILD_OFF[key as keyof WildKnobs];
    const got: unknown = overrides[key as keyof SynthKnobs];
    const sameShape = isRange(want) ? isRange(got) : Array.isArray(want) ? Array.isArray(got) : typeof got === typeof want;
    if (!sameShape) throw new UsageError(`synth: knob ${key} = ${JSON.stringify(got)} is not of the preset's shape (${JSON.stringify(want)})`);
  }
  let k: SynthKnobs = structuredClone({ ...base, ...overrides }); // the truth carries it: no shared arrays
  if (k.holdOut?.length) k = { ...k, ...holdOutOverrides(k.holdOut) };
  checkKnobs(k);
  return k;
}

function checkKnobs(k: SynthKnobs): void {
  const bad = (key: keyof SynthKnobs, why: string) => new UsageError(`synth: knob ${key} = ${JSON.stringify(k[key])} ${why}`);
  for (const [key, v] of Object.entries(k) as [keyof SynthKnobs, unknown][]) {
    if (typeof v === 'number') {
      if (!Number.isFinite(v) || v < 0) throw bad(key, 'is not a finite number ≥ 0');
      if (key.endsWith('Share') && v > 1) throw bad(key, 'is a share and must be within [0, 1]');
      if ((key.endsWith('Count') || key.endsWith('Groups')) && !Number.isInteger(v)) throw bad(key, 'is a count and must be an integer');
    } else if (isRange(v)) {
      if (!(v[0] <= v[1])) throw bad(key, 'is a range whose low end is above its high end');
      if (key !== 'annualGrowth' && !key.endsWith('Offset') && v[0] < 0) throw bad(key, 'must not go below 0');
      if (key.endsWith('Share') && v[1] > 1) throw bad(key, 'is a range of shares and must be within [0, 1]');
    }
  }
  try {
    const axis = new MonthAxis(k.startPeriod, k.endPeriod);
    if (axis.length < 12) throw bad('endPeriod', `gives ${axis.length} months; the panel needs at least 12`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`synth: knobs startPeriod/endPeriod: ${(e as Error).message}`);
  }
  if (!k.codes.length) throw bad('codes', 'is empty');
  for (const c of k.codes) {
    let use: string;
    try {
      use = synthProduct(c).use;
    } catch (e) {
      throw new UsageError(`synth: knob codes: ${(e as Error).message}`);
    }
    if (use !== 'trade') throw bad('codes', `holds ${c}, a code only declarations use`);
  }
  if (k.countryCount < 12 || k.countryCount > SYNTH_COUNTRIES.length) throw bad('countryCount', `must be within [12, ${SYNTH_COUNTRIES.length}]`);
  const inPlay = new Set(SYNTH_COUNTRIES.slice(0, k.countryCount).map((c) => c.iso3));
  if (!inPlay.has(k.declarationsCountry) || k.declarationsCountry === 'CHN') {
    throw bad('declarationsCountry', 'must be a country in play other than CHN');
  }
  for (const e of k.entrepots) if (!SYNTH_COUNTRIES.some((c) => c.iso3 === e)) throw bad('entrepots', `holds unknown country ${e}`);
  for (const e of k.hubCountries ?? []) {
    if (!SYNTH_COUNTRIES.some((c) => c.iso3 === e)) throw bad('hubCountries', `holds unknown country ${e}`);
    if (e === 'CHN' || k.entrepots.includes(e)) throw bad('hubCountries', `holds ${e}, the origin or an entrepôt`);
  }
  if (k.lateMonths[0] < 1) throw bad('lateMonths', 'must start at 1 month or more');
  if (k.splitThresholdUsd <= 0) throw bad('splitThresholdUsd', 'must be above 0');
}

function isRange(v: unknown): v is Range {
  return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}
