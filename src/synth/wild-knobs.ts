import type { Range, SynthKnobs } from './knobs.ts';
import { SYNTH_COUNTRIES } from './countries.ts';
import type { Rng } from './random.ts';

/**
 * Knobs only the `wild` preset sets: which countries may serve as hubs, annual reporters, and the families
 * of routes, distractors and mirror anomalies that `easy` and `hard` do not hold. Each is off in
 * {@link WILD_OFF}, so a world without them is the world of before.
 */
export interface WildKnobs {
  /** Countries that can serve as transshipment hubs (replaces the generator's fixed hub flags). */
  hubCountries: readonly string[];
  /** Share of reporters other than the origin and the USA that publish annual totals only. */
  annualReporterShare: number;
  /** Share of the diverted goods a free zone keeps out of the hub's import records. */
  freeZoneHidden: Range;
  /** Share of routes laid over an existing small trade (O → H and H → D before the control) instead of from zero. */
  existingTradeShare: number;
  /** How many times the existing trade a route over it reaches (×2–4). */
  existingTradeRise: Range;
  /** Months from the control to the start of a producer hub's rise (negative: before it). */
  producerHubOffset: Range;
  /** A producer hub's own imports from the origin rise too, by this factor (its industry grows). */
  producerHubImportRise: Range;
  /** Months from the control to the start of a growing destination's rise. */
  demandGrowthOffset: Range;
  /** Countries that start exporting a controlled code from new mines (no imports from the origin). */
  newMineCount: number;
  /** A new mine's exports at full output, × the code's world exports per month. */
  newMineScale: Range;
  /** Months from the control to a new mine's first exports. */
  newMineOffset: Range;
  /** Hubs whose trade grows alike in every code, controlled or not (both legs). */
  broadGrowthCount: number;
  /** How much such a hub's trade grows (reached over six months). */
  broadGrowthFactor: Range;
  /** Reporters that start or stop publishing in the middle of the panel. */
  reportingChangeCount: number;
  /** Reporters that publish only part of their partners in some months. */
  partialPublicationCount: number;
  /** Share of a partial reporter's partners left out in those months. */
  partialPartnerShare: Range;
  /** Months a partial reporter publishes only part of its partners. */
  partialMonths: Range;
  /** Countries recorded as their own partner (re-imports of goods they exported). */
  reimportCount: number;
  /** Re-imports, × the country's exports of the code. */
  reimportShare: Range;
  /** Writes an HS2017 source (BACI layout) in which 811292 also holds hafnium (811231) and rhenium. */
  hs2017Source: boolean;
  /** Hafnium trade of one pair rises by this factor over the panel (the HS2017 trap). */
  hafniumRise: Range;
  /** Pairs where the origin records exports the (publishing) importer never records. */
  ghostExportCount: number;
  /** Pairs where a hub exports to a destination that books the goods from their origin instead. */
  originRecordedCount: number;
  /** Pairs whose exporter records the same value at a very different weight. */
  weightGapCount: number;
  /** That exporter's weights, × this (values unchanged). */
  weightGapFactor: Range;
  /** Lumpy pairs shipped in December and recorded by the importer in January (legitimate). */
  timingCount: number;
  /** Far pairs with a CIF/FOB margin at the top of the published range (legitimate). */
  wideCifCount: number;
  /** CIF/FOB − 1 of those pairs. */
  wideCifMargin: Range;
  /** Families left out of this world (the hold-out protocol: tune without them, test with them). */
  holdOut: readonly string[];
}

/** Every wild knob switched off: a world with these is the world of `easy`/`hard`. */
export const WILD_OFF: Readonly<WildKnobs> = Object.freeze({
  hubCountries: SYNTH_COUNTRIES.filter((c) => c.hub).map((c) => c.iso3),
  annualReporterShare: 0,
  freeZoneHidden: [0.7, 1],
  existingTradeShare: 0,
  existingTradeRise: [2, 4],
  producerHubOffset: [0, 2],
  producerHubImportRise: [1, 1],
  demandGrowthOffset: [-2, 2],
  newMineCount: 0,
  newMineScale: [0.03, 0.1],
  newMineOffset: [0, 6],
  broadGrowthCount: 0,
  broadGrowthFactor: [1.8, 2.5],
  reportingChangeCount: 0,
  partialPublicationCount: 0,
  partialPartnerShare: [0.5, 0.8],
  partialMonths: [2, 6],
  reimportCount: 0,
  reimportShare: [0.02, 0.1],
  hs2017Source: false,
  hafniumRise: [2, 4],
  ghostExportCount: 0,
  originRecordedCount: 0,
  weightGapCount: 0,
  weightGapFactor: [0.25, 0.4],
  timingCount: 0,
  wideCifCount: 0,
  wideCifMargin: [0.15, 0.2],
  holdOut: [],
} satisfies WildKnobs);

/** A family of things a world holds: what it is, and whether a detector must find it or must leave it alone. */
export interface SynthFamily {
  name: string;
  /** `route`: a true route's kind; `distractor`: must not be flagged; `mirror`: a mirror anomaly to find; `legitimate_gap`: a mirror gap that must not be flagged. */
  role: 'route' | 'distractor' | 'mirror' | 'legitimate_gap';
  /** What it is, in a line. */
  about: string;
}

/** The families of `truth.json` (routes by their traits, distractors and mirror anomalies by kind), in the order tables give them. */
export const SYNTH_FAMILIES: readonly SynthFamily[] = Object.freeze([
  { name: 'hub_records_all', role: 'route', about: 'the hub records every import of the diverted goods' },
  { name: 'hub_records_part', role: 'route', about: 'a free zone keeps part of the diverted goods out of the hub\'s import records' },
  { name: 'hub_records_none', role: 'route', about: 'the hub does not report, or its free zone hides (almost) all of the goods' },
  { name: 'origin_kept', role: 'route', about: 'the destination records the goods from their origin, not from the hub' },
  { name: 'over_existing_trade', role: 'route', about: 'the route multiplies an existing small trade (×2–4) instead of starting from zero' },
  { name: 'annual_leg', role: 'route', about: 'a party of the route publishes annual totals only' },
  { name: 'small', role: 'route', about: 'the diverted goods are small beside the hub\'s own imports from the origin' },
  { name: 'ban', role: 'route', about: 'the route answers a destination ban (the USA), not licensing' },
  { name: 'steady_entrepot', role: 'distractor', about: 'an entrepôt re-exports steadily, unchanged by the controls' },
  { name: 'producer_hub', role: 'distractor', about: 'a producer\'s exports rise far more than its (also rising) imports from the origin' },
  { name: 'new_mine', role: 'distractor', about: 'a country starts exporting from a new mine, with no imports from the origin' },
  { name: 'demand_growth', role: 'distractor', about: 'a destination buys more from every source, the origin included' },
  { name: 'broad_growth', role: 'distractor', about: 'a hub\'s trade grows alike in every code, the uncontrolled comparators included' },
  { name: 'stockpiling', role: 'distractor', about: 'the origin\'s exports spike in the month before a licensing control' },
  { name: 'reporting_change', role: 'distractor', about: 'a reporter starts or stops publishing in the middle of the panel' },
  { name: 'partial_publication', role: 'distractor', about: 'a reporter publishes only part of its partners in some months' },
  { name: 'reimport', role: 'distractor', about: 'a country is recorded as its own partner (re-imports)' },
  { name: 'hs2017_scope', role: 'distractor', about: 'an HS2017 source whose 811292 also holds hafnium and rhenium, with hafnium trade growing' },
  { name: 'under_declared_exports', role: 'mirror', about: 'the exporter records a fraction of what the importer records' },
  { name: 'ghost_imports', role: 'mirror', about: 'the importer records imports the (publishing) exporter never shipped' },
  { name: 'ghost_exports', role: 'mirror', about: 'the origin records exports the (publishing) importer never records' },
  { name: 'origin_recorded_imports', role: 'mirror', about: 'the destination books a hub\'s goods as imports from their origin' },
  { name: 'booked_elsewhere', role: 'mirror', about: 'a hub\'s exports the destination books under another partner (the origin)' },
  { name: 'weight_gap', role: 'mirror', about: 'the same value at a very different weight on the two sides' },
  { name: 'confidential', role: 'legitimate_gap', about: 'the exporter hides the partner; the value stays in World (and in 899 for some)' },
  { name: 'timing', role: 'legitimate_gap', about: 'December shipments the importer records in January' },
  { name: 'cif_fob', role: 'legitimate_gap', about: 'a far pair whose CIF/FOB margin is at the top of the published range' },
]);

/** The knobs that switch one family off: the hold-out protocol's `--hold-out FAMILY`. Throws for an unknown family. */
export function holdOutOverrides(families: readonly string[]): Partial<SynthKnobs> {
  const out: Partial<SynthKnobs> = {};
  for (const f of families) {
    const o = HOLD_OUT[f];
    if (!o) throw new Error(`unknown family '${f}' (known: ${Object.keys(HOLD_OUT).join(', ')})`);
    Object.assign(out, o);
  }
  return out;
}

const HOLD_OUT: Record<string, Partial<SynthKnobs>> = {
  hub_records_part: { freeZoneShare: 0 },
  hub_records_none: { hubNonReportingShare: 0, freeZoneHidden: [0.3, 0.9] },
  origin_kept: { originKeptShare: 0 },
  over_existing_trade: { existingTradeShare: 0 },
  annual_leg: { annualReporterShare: 0 },
  small: { smallRouteShare: 0 },
  steady_entrepot: { entrepotShare: 0 },
  producer_hub: { producerHubCount: 0 },
  new_mine: { newMineCount: 0 },
  demand_growth: { demandGrowthCount: 0 },
  broad_growth: { broadGrowthCount: 0 },
  stockpiling: { stockpileFactor: [1, 1] },
  reporting_change: { reportingChangeCount: 0 },
  partial_publication: { partialPublicationCount: 0 },
  reimport: { reimportCount: 0 },
  hs2017_scope: { hs2017Source: false },
  under_declared_exports: { underDeclaredCount: 0 },
  ghost_imports: { ghostImportCount: 0 },
  ghost_exports: { ghostExportCount: 0 },
  origin_recorded_imports: { originRecordedCount: 0 },
  booked_elsewhere: { originRecordedCount: 0 },
  weight_gap: { weightGapCount: 0 },
  confidential: { confidentialCount: 0 },
  timing: { timingCount: 0 },
  cif_fob: { wideCifCount: 0 },
};

/** How one knob of the wild preset is drawn per seed, and where its range comes from. */
export interface WildDraw {
  /** The range or choice, as `docs/synth.md` prints it. */
  range: string;
  /** Where the range comes from: a series in ../shared/data, a fact of domain.md, or a stated judgement. */
  source: string;
  draw(r: Rng, k: Partial<SynthKnobs>): unknown;
}

const between = (lo: number, hi: number, source: string): WildDraw => ({ range: `${lo}–${hi}`, source, draw: (r) => round4(r.uniform(lo, hi)) });
const whole = (lo: number, hi: number, source: string): WildDraw => ({ range: `${lo}–${hi} (whole)`, source, draw: (r) => r.int(lo, hi) });
/** A range [a, b] drawn inside [lo, hi], at least `width` wide. */
const span = (lo: number, hi: number, width: number, source: string): WildDraw => ({
  range: `a range within ${lo}–${hi}, at least ${width} wide`,
  source,
  draw: (r) => {
    const a = r.uniform(lo, hi - width);
    return [round4(a), round4(r.uniform(a + width, hi))];
  },
});
const fixed = (value: unknown, source: string): WildDraw => ({ range: JSON.stringify(value), source, draw: () => structuredClone(value) });
const oneOf = <T>(values: readonly T[], source: string): WildDraw => ({ range: `one of ${values.join(', ')}`, source, draw: (r) => r.pick(values) });

const CONTROLLED = ['811292', '250410', '811010', '282580', '810194'] as const;
const COMPARATOR_OF: Record<string, string> = { '811292': '811231', '250410': '250490' };
const ENTREPOTS = ['NLD', 'BEL', 'SGP', 'HKG', 'ARE', 'CHE'] as const;
const JUDGEMENT = 'judgement';

/**
 * The wild preset: every knob with the range it is drawn from per seed and the source of that range. The
 * order matters where a draw reads an earlier one (hubs are drawn among the countries in play, outside the
 * entrepôts). Frozen with issue 15: later work changes detectors, not this world.
 */
export const WILD_DRAWS: Readonly<Record<keyof SynthKnobs, WildDraw>> = {
  startPeriod: oneOf(['2021-01', '2022-01'], 'January, so annual reporters publish whole years; 19–31 months before the first control (2023-08, domain.md §1)'),
  endPeriod: oneOf(['2025-06', '2025-12', '2026-06'], 'after the last control of domain.md §1 (2025-04); the later ends hold the US-ban suspension of 2025-11-09'),
  codes: {
    range: '3–5 of 811292, 250410, 811010, 282580, 810194, with their comparators (811231, 250490) and 750210, 810890',
    source: 'the dedicated and shared codes of domain.md §1 the generator knows; comparators from data/reference/comparators.csv',
    draw: (r) => {
      const picked = r.shuffle([...CONTROLLED]).slice(0, r.int(3, 5));
      const codes = CONTROLLED.filter((c) => picked.includes(c)).flatMap((c) => (COMPARATOR_OF[c] ? [c, COMPARATOR_OF[c]] : [c]));
      return [...codes, '750210', '810890'];
    },
  },
  countryCount: whole(30, 40, JUDGEMENT + ': enough countries that every part (hubs, producers, buyers, entrepôts) can be played by several'),
  entrepots: {
    range: '2–4 of NLD, BEL, SGP, HKG, ARE, CHE',
    source: 'the entrepôts of domain.md §2 (HK, SG, NL, BE, AE, CH)',
    draw: (r) => r.shuffle([...ENTREPOTS]).slice(0, r.int(2, 4)).sort(),
  },
  hubCountries: {
    range: '5–12 countries in play, not the origin, the USA, Taiwan or an entrepôt',
    source: JUDGEMENT + ': any third country can be a conduit (domain.md §3 names Thailand and Mexico; the EBRD study Armenia, Kazakhstan, Kyrgyzstan)',
    draw: (r, k) => {
      const inPlay = SYNTH_COUNTRIES.slice(0, k.countryCount!).map((c) => c.iso3);
      const pool = inPlay.filter((c) => !['CHN', 'USA', 'TWN'].includes(c) && !k.entrepots!.includes(c));
      const picked = r.shuffle(pool).slice(0, r.int(5, 12));
      return inPlay.filter((c) => picked.includes(c));
    },
  },
  buyersPerCode: whole(8, 16, JUDGEMENT + ': the atlas records have 10–40 importers per controlled code; the panel keeps the larger ones'),
  producersPerCode: whole(2, 5, 'the producer lists of src/synth/products.ts (USGS shares), 2–5 besides China'),
  producerLinks: whole(2, 5, JUDGEMENT),
  flowSigma: between(0.2, 0.6, 'china-exports-monthly/deep_dive_hs6_monthly.csv: σ of month-to-month log changes of China → partner series before 2023-07 is 0.4 (10th pct) to 1.0 (median) per √2; the panel keeps to the smoother, larger flows'),
  mirrorSigma: between(0.05, 0.25, 'comtrade-atlas raw_comtrade 2022: |ln(M/X)| of pairs over USD 100k has median 0.36; two sides at σ 0.25 give 0.24, noisy reporters add the tail'),
  seasonalAmplitude: between(0.05, 0.3, JUDGEMENT),
  annualGrowth: span(-0.1, 0.2, 0.08, JUDGEMENT + ': yearly growth of a pair, −10 % to +20 %'),
  cifMarginNear: span(0.01, 0.06, 0.01, 'domain.md §2: Growth Lab clips the per-pair margin to [0, 0.20]; IMF DOTS uses 0.06'),
  cifMarginMid: span(0.03, 0.1, 0.02, 'domain.md §2, as above'),
  cifMarginFar: span(0.05, 0.14, 0.02, 'domain.md §2, as above'),
  importLagShare: between(0.1, 0.5, 'domain.md §2: shipments cross month and year ends; ' + JUDGEMENT + ' on the share'),
  importerFobShare: between(0.1, 0.4, 'domain.md §2: some importers report FOB (Comtrade fobvalue); ' + JUDGEMENT),
  nonReporterCount: whole(1, 5, JUDGEMENT + ': a few partners never report'),
  lateReporterCount: whole(1, 6, 'domain.md §2: the newest months are published by some reporters only'),
  lateMonths: span(1, 4, 1, JUDGEMENT),
  noisyReporterCount: whole(1, 5, 'domain.md §2: reporter reliability differs (BACI, Growth Lab)'),
  noisyReporterSigma: between(0.3, 0.8, 'comtrade-atlas raw_comtrade 2022: 32 % of pairs over USD 100k differ by more than 2×'),
  stockpileFactor: span(1.3, 2.5, 0.2, 'domain.md §1: China\'s germanium exports in July 2023 were more than double June\'s'),
  pauseMonths: span(1, 3, 0, 'domain.md §1: licensing took about 45 days'),
  pauseLevel: span(0.02, 0.2, 0.03, 'domain.md §1: natural graphite 250410 fell from USD 49.5 m (2023-11) to 3.0 m (2023-12), 0.06 ×'),
  recoveryLevel: span(0.4, 0.9, 0.1, JUDGEMENT),
  banLevel: span(0.0, 0.1, 0.02, JUDGEMENT + ': a ban leaves little (811010 China → USA fell 30.5 m → 9.9 m from 2022 to 2024 in the atlas, before the ban)'),
  routeCount: whole(4, 12, JUDGEMENT),
  routeLagMonths: span(0, 3, 1, 'issue 15: lags of 0–3 months after the control'),
  divertedShare: span(0.1, 0.7, 0.15, JUDGEMENT),
  legGapMonths: span(0, 3, 0, 'domain.md §3: the second leg follows the first by zero to three months'),
  unitValueMarkup: span(0.97, 1.1, 0.03, 'domain.md §3: H → D unit value close to O → H (no processing)'),
  hubNonReportingShare: between(0, 0.5, JUDGEMENT),
  freeZoneShare: between(0.2, 0.6, 'domain.md §3 signal 7: free zones'),
  originKeptShare: between(0.2, 0.6, 'domain.md §2: importers record by country of origin'),
  consignmentShare: between(0.2, 0.7, 'domain.md §2: some importers record a country of consignment (partner2)'),
  smallRouteShare: between(0, 0.5, JUDGEMENT),
  hubReexportShare: between(0, 0.5, 'domain.md §2: a hub\'s RX to a destination is direct pass-through evidence; few publish it'),
  underDeclaredCount: whole(1, 5, JUDGEMENT),
  underDeclaredFactor: span(0.3, 0.7, 0.1, JUDGEMENT),
  ghostImportCount: whole(1, 5, 'domain.md §2: GFI\'s "lost" flows (only the partner declared)'),
  confidentialCount: whole(1, 5, 'domain.md §2: confidential flows show in World and 899'),
  entrepotShare: between(0.5, 1, 'domain.md §3: steady entrepôt trade (NL, BE, SG, HK)'),
  producerHubCount: whole(1, 3, 'domain.md §3: a producer hub whose own output rose'),
  producerHubRise: span(1.5, 4, 0.3, JUDGEMENT),
  demandGrowthCount: whole(1, 3, 'domain.md §3: a destination whose own demand grew'),
  demandGrowthFactor: span(1.4, 2.5, 0.2, JUDGEMENT),
  motBreakdownShare: between(0.05, 0.3, 'README of ../shared/data: totals sit beside their mode-of-transport breakdowns'),
  duplicateShare: between(0, 0.05, 'README of ../shared/data: about half the raw atlas rows are exact duplicates (kept low here)'),
  estimatedWeightShare: between(0, 0.06, 'domain.md §2: Comtrade flags estimated quantities'),
  missingWeightShare: between(0, 0.03, 'domain.md §2: a weight of 0 with a positive value means missing'),
  declarationsCountry: fixed('USA', 'the declarations pipeline\'s own world (declarations are not judged on wild)'),
  declarationsPerFlow: fixed(2, JUDGEMENT),
  misclassificationCount: fixed(10, JUDGEMENT),
  misclassificationDescribedShare: fixed(0.5, JUDGEMENT),
  undervaluationCount: fixed(10, JUDGEMENT),
  undervaluationFactor: fixed([0.25, 0.5], JUDGEMENT),
  splitShipmentGroups: fixed(3, JUDGEMENT),
  splitShipments: fixed([5, 12], JUDGEMENT),
  splitThresholdUsd: fixed(2500, JUDGEMENT),
  originMismatchMin: fixed(6, JUDGEMENT),
  chineseDescriptionShare: fixed(0.4, JUDGEMENT),
  foreignCurrencyShare: fixed(0.2, JUDGEMENT),
  labelledShare: fixed(0.5, JUDGEMENT),
  annualReporterShare: between(0.1, 0.4, 'Comtrade: many reporters publish annual data only; the atlas records are annual'),
  freeZoneHidden: span(0.3, 1, 0.2, 'issue 15: hubs that record all, part or none of what they import'),
  existingTradeShare: between(0.2, 0.5, 'issue 15: routes over an existing small trade (×2–4, not from zero)'),
  existingTradeRise: span(2, 4, 0.5, 'issue 15: ×2–4'),
  producerHubOffset: span(-4, 6, 2, JUDGEMENT + ': a producer\'s own rise need not start at the control'),
  producerHubImportRise: span(1.1, 1.8, 0.2, 'issue 15: producer hubs whose imports from the origin also rise while their exports rise far more'),
  demandGrowthOffset: span(-6, 6, 2, JUDGEMENT),
  newMineCount: whole(0, 2, 'issue 15: new mines'),
  newMineScale: span(0.02, 0.15, 0.02, JUDGEMENT),
  newMineOffset: span(-3, 9, 2, JUDGEMENT),
  broadGrowthCount: whole(0, 2, 'issue 15: hubs that grow in every good alike, the uncontrolled comparator codes included'),
  broadGrowthFactor: span(1.6, 3, 0.3, JUDGEMENT),
  reportingChangeCount: whole(1, 3, 'issue 15: a reporter that starts or stops reporting mid-series'),
  partialPublicationCount: whole(1, 2, 'issue 16: Myanmar → Thailand 811010, USD 70 m one-sided where Thailand published only part of its partners'),
  partialPartnerShare: span(0.4, 0.9, 0.2, JUDGEMENT),
  partialMonths: span(1, 6, 1, JUDGEMENT),
  reimportCount: whole(1, 2, 'issue 16: China reporting imports from China in the atlas records'),
  reimportShare: span(0.01, 0.1, 0.02, JUDGEMENT),
  hs2017Source: fixed(true, 'domain.md §1 and ../shared/data README: BACI HS17\'s 811292 holds hafnium (Germany → USA 32.7 → 135.9 m, mostly hafnium)'),
  hafniumRise: span(2, 4.5, 0.5, 'the same: ×4.2 from 2022 to 2024'),
  ghostExportCount: whole(1, 3, 'domain.md §2: ghost trade (exported, never recorded as imported; CEPR DP20097)'),
  originRecordedCount: whole(1, 3, 'domain.md §3 signal 7: D records imports from O that O never reported sending to D'),
  weightGapCount: whole(1, 3, 'issue 16: same value, very different kilograms is misdeclaration'),
  weightGapFactor: span(0.15, 0.45, 0.1, JUDGEMENT),
  timingCount: whole(1, 3, 'domain.md §2: timing (shipments cross month and year ends)'),
  wideCifCount: whole(1, 3, 'domain.md §2: CIF/FOB margins up to 0.20 (Growth Lab\'s clip)'),
  wideCifMargin: span(0.14, 0.2, 0.02, 'domain.md §2, as above'),
  holdOut: fixed([], 'set by --hold-out'),
};

/** Draws a wild world's knobs in {@link WILD_DRAWS}' order from `r`. Pure. */
export function drawWildKnobs(r: Rng): SynthKnobs {
  const k: Partial<SynthKnobs> = {};
  for (const [key, d] of Object.entries(WILD_DRAWS) as [keyof SynthKnobs, WildDraw][]) {
    (k as Record<string, unknown>)[key] = d.draw(r.fork(key), k);
  }
  return k as SynthKnobs;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
