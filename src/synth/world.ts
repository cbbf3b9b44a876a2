import { synthCountry } from './countries.ts';
import { type SynthKnobs, type SynthPreset, wildKnobs } from './knobs.ts';
import type { MonthAxis } from './month-axis.ts';
import type { SynthProduct } from './products.ts';
import type { Rng } from './random.ts';
import type { ControlTruth, DistractorTruth, MirrorAnomalyTruth, RouteTruth } from './truth.ts';

/**
 * What a stream of shipments is in the story: ordinary trade, an entrepôt's legs, a route's legs, or a
 * ghost (imports only the importer records; the exporter, which publishes, never shipped them).
 */
export type ComponentKind =
  | 'base' | 'entrepot_in' | 'entrepot_out' | 'route_leg1' | 'route_leg2' | 'ghost'
  /** Only the exporter records it (the importer publishes, but never records these goods). */
  | 'ghost_export'
  /** A hub's exports the destination books as imports from the goods' origin (`origin`). */
  | 'rerouted'
  /** A country's imports of its own goods (exporter = importer): recorded with itself as partner. */
  | 'reimport';

/**
 * One stream of true shipments exporter → importer of one code, month by month. Several streams may
 * share a pair (China → hub: its own trade and a route's first leg); records add them up.
 */
export interface Component {
  exporter: string;
  importer: string;
  hs6: string;
  /** Country of origin of the goods (China for a route's second leg and an entrepôt's re-exports). */
  origin: string;
  kind: ComponentKind;
  routeId: string | null;
  /** FOB unit value of the stream, USD/kg. */
  uvUsdPerKg: number;
  /**
   * Uncontrolled FOB value per month, USD: trend × season × noise; slot t+1 holds month t, so slot 0 is
   * the month before the panel (importers with a one-month lag record it in month 0).
   */
  raw: Float64Array;
  /** Multiplier per slot from controls, diversion and distractors; shipped value = raw × mult. */
  mult: Float64Array;
}

/** Who reports what. */
export interface Reporting {
  /** ISO3 → reason; these countries have no row as reporter. */
  nonReporters: Map<string, 'not_published' | 'hub' | 'never'>;
  /** ISO3 → newest months missing. */
  lateMonths: Map<string, number>;
  /** ISO3 → σ of extra noise on its records. */
  noisySigma: Map<string, number>;
  fobImporters: Set<string>;
  partner2Reporters: Set<string>;
  /** Reporters that publish annual totals only (whole calendar years inside the panel). */
  annual: Set<string>;
  /** ISO3 → the months it publishes, [from, to): a reporter that starts or stops mid-series. */
  windows: Map<string, { from: number; to: number }>;
  /** ISO3 → months in which it publishes only part of its partners, and the partners it leaves out. */
  partial: Map<string, { months: Set<number>; dropped: Set<string> }>;
}

/** The synthetic world while it is being built: settings, true shipments and everything injected. */
export interface World {
  seed: number;
  preset: SynthPreset;
  knobs: SynthKnobs;
  axis: MonthAxis;
  rng: Rng;
  /** ISO3 of the countries in play, in the generator's priority order. */
  countries: string[];
  /** Products of the trade panel. */
  products: SynthProduct[];
  /** hs6 → the producers exporting it and their shares of world exports. */
  producers: Map<string, [string, number][]>;
  controls: ControlTruth[];
  components: Component[];
  routes: RouteTruth[];
  distractors: DistractorTruth[];
  mirror: MirrorAnomalyTruth[];
  reporting: Reporting;
  /** `exporter|importer|hs6` of pairs whose importer records one month late. */
  lagPairs: Set<string>;
  /** `exporter|importer|hs6` triples that carry an injected pattern, so no other is put on them. */
  used: Set<string>;
  /** `exporter|importer` → CIF/FOB − 1 set by a pattern (legitimate wide margins) instead of drawn. */
  marginOverride: Map<string, number>;
}

/** Whether a country can serve as a transshipment hub in this world (the wild preset draws the set). */
export function isHub(world: World, iso3: string): boolean {
  return world.knobs.hubCountries ? world.knobs.hubCountries.includes(iso3) : synthCountry(iso3).hub;
}

/** The world's wild knobs (off values for `easy` and `hard`). */
export function wildOf(world: World): ReturnType<typeof wildKnobs> {
  return wildKnobs(world.knobs);
}

/** Key of a pair of one code. */
export function pairKey(exporter: string, importer: string, hs6: string): string {
  return `${exporter}|${importer}|${hs6}`;
}

/** Shipped FOB value of a component in month t (t = -1 … length-1), USD. */
export function shipped(c: Component, t: number): number {
  return c.raw[t + 1] * c.mult[t + 1];
}

/** Rounds to `digits` decimals (for the numbers written to truth.json). */
export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Options of one component's series. */
interface ComponentSpec {
  exporter: string;
  importer: string;
  hs6: string;
  origin: string;
  kind: Component['kind'];
  uv: number;
  /** USD in month 0 before season and noise. */
  base: number;
  /** Months the seasonal cycle is shifted by. */
  phase: number;
  /** Yearly log growth; drawn from `annualGrowth` when absent. */
  growth?: number;
  /** Seasonal amplitude; `seasonalAmplitude` when absent. */
  amplitude?: number;
}

/** A component with its uncontrolled series drawn: base × growth × season × lognormal noise. */
export function makeComponent(world: World, r: Rng, s: ComponentSpec): Component {
  const { knobs, axis } = world;
  const n = axis.length + 1;
  const growth = s.growth ?? r.within(knobs.annualGrowth);
  const amplitude = s.amplitude ?? knobs.seasonalAmplitude;
  const raw = new Float64Array(n);
  const mult = new Float64Array(n).fill(1);
  for (let slot = 0; slot < n; slot++) {
    const t = slot - 1;
    const season = 1 + amplitude * Math.sin((2 * Math.PI * (t + s.phase)) / 12);
    raw[slot] = s.base * Math.exp((growth * t) / 12) * season * r.noise(knobs.flowSigma);
  }
  return {
    exporter: s.exporter, importer: s.importer, hs6: s.hs6, origin: s.origin, kind: s.kind, routeId: null,
    uvUsdPerKg: s.uv, raw, mult,
  };
}
