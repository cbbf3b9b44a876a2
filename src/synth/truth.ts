import type { SynthControl } from './controls.ts';
import type { SynthKnobs, SynthPreset } from './knobs.ts';

/** Version of the `truth.json` layout; a reader of another version should refuse it. */
export const SYNTH_TRUTH_SCHEMA = 'tradewatch/synth-truth/v1';

/** A control as the world applied it: the catalog interval plus the drawn shape of its effect. */
export interface ControlTruth extends SynthControl {
  /** Month of the pre-control spike (licensing only; null when before the panel). */
  stockpile_period: string | null;
  stockpile_factor: number | null;
  /** Months of near-zero exports after the start (licensing only). */
  pause_months: number | null;
  pause_level: number | null;
  /** Level China's exports settle at after the pause, × the uncontrolled flow (licensing only). */
  recovery_level: number | null;
  /** Level of China's exports to the banned destinations (bans only). */
  ban_level: number | null;
}

/** An injected transshipment route O → H → D for one code. */
export interface RouteTruth {
  id: string;
  origin: string;
  hub: string;
  destination: string;
  hs6: string;
  control_id: string;
  control_kind: 'licensing' | 'ban';
  /** First month of the control the route answers (the ban's, for a banned destination). */
  control_start_period: string;
  /** First month of the first leg O → H; the second leg H → D starts `leg_gap_months` later. */
  start_period: string;
  lag_months: number;
  leg_gap_months: number;
  /** Share of the uncontrolled direct flow O → D sent via H instead. */
  diverted_share: number;
  unit_value_markup: number;
  /** Mean monthly diverted value from the start, USD FOB. */
  mean_diverted_usd: number;
  hub_reports: boolean;
  /** The hub's records of its imports from O leave out `free_zone_hidden_share` of the diverted goods. */
  free_zone: boolean;
  free_zone_hidden_share: number;
  /** D records the diverted goods as imports from O (by origin), not from H. */
  origin_kept: boolean;
  /** D's partner2 rows show the goods of origin O consigned from H. */
  consignment_rows: boolean;
  /** The hub also publishes the diverted exports as re-exports (RX). */
  reexport_rows: boolean;
  /** The diverted volume is small beside the hub's own imports of the code from O. */
  small: boolean;
  /** Wild only: the route multiplies an existing small trade O → H → D by this factor (absent: from zero). */
  existing_trade_rise?: number;
  /** Wild only: the route's families ({@link routeFamilies}); for other presets derive them with that function. */
  families?: string[];
}

/** An injected disagreement between the two sides of a pair (or a legitimate one, `confidential`). */
export interface MirrorAnomalyTruth {
  id: string;
  kind:
    | 'under_declared_exports' | 'ghost_imports' | 'confidential'
    | 'ghost_exports' | 'origin_recorded_imports' | 'booked_elsewhere' | 'weight_gap' | 'timing' | 'cif_fob';
  exporter: string;
  importer: string;
  hs6: string;
  from_period: string;
  /** under_declared_exports: the exporter's records × this; weight_gap: its weights × this; cif_fob: CIF/FOB − 1; else null. */
  factor: number | null;
  /** confidential: where the hidden value still shows, `world` only or `areas_nes` (899) too; else null. */
  carrier: 'world' | 'areas_nes' | null;
  /** Mean monthly value concerned from `from_period`, USD FOB. */
  mean_monthly_usd: number;
}

/** An injected anomaly in the declarations, with the declarations that carry it. */
export interface DeclarationAnomalyTruth {
  id: string;
  kind: 'misclassification' | 'undervaluation' | 'split_shipment' | 'origin_mismatch';
  declaration_ids: string[];
  /** The true HS6 of the goods. */
  hs6: string;
  /** The code declared (for misclassification, the uncontrolled neighbour). */
  declared_code: string;
  /** What gives it away: `description`, `unit_value`, `threshold`, `origin_departure`. */
  signal: 'description' | 'unit_value' | 'threshold' | 'origin_departure';
  /** The importer party (split shipments, origin mismatch) or null. */
  party: string | null;
  /** The route whose goods these are (origin mismatch) or null. */
  route_id: string | null;
}

/** A pattern that must not be flagged. */
export interface DistractorTruth {
  id: string;
  kind:
    | 'steady_entrepot' | 'producer_hub' | 'demand_growth' | 'stockpiling'
    | 'new_mine' | 'broad_growth' | 'reporting_change' | 'partial_publication' | 'reimport' | 'hs2017_scope';
  /**
   * The entrepôt then its buyers, the producer, the growing destination, CHN (stockpiling), the new mine then
   * its buyers, the growing hub then its destination, the reporter (reporting change, partial publication,
   * re-import), or the exporter and importer of the hafnium trade (hs2017_scope).
   */
  countries: string[];
  /** The code, or `*` for a reporter's every code (reporting change, partial publication). */
  hs6: string;
  from_period: string;
  /** Rise (producer hub, demand growth, broad growth, hafnium) or spike (stockpiling) factor; null when none. */
  factor: number | null;
  /** Wild only: `starts`/`stops` (reporting change), the months (partial publication), the HS2017 file (hs2017_scope). */
  detail?: string;
}

/**
 * Families of a route, from its traits: how the hub records, and what else makes it harder to see
 * (`annual_leg` when its hub or destination is among `annualReporters`). Pure.
 */
export function routeFamilies(r: RouteTruth, annualReporters: readonly string[] = []): string[] {
  const out = [!r.hub_reports || (r.free_zone && r.free_zone_hidden_share >= 0.95) ? 'hub_records_none' : r.free_zone ? 'hub_records_part' : 'hub_records_all'];
  if (r.origin_kept) out.push('origin_kept');
  if (r.existing_trade_rise !== undefined) out.push('over_existing_trade');
  if (annualReporters.includes(r.hub) || annualReporters.includes(r.destination)) out.push('annual_leg');
  if (r.small) out.push('small');
  if (r.control_kind === 'ban') out.push('ban');
  return out;
}

/** Whether a mirror anomaly is a legitimate gap that must not be flagged. */
export function isLegitimateGap(kind: string): boolean {
  return kind === 'confidential' || kind === 'timing' || kind === 'cif_fob';
}

/** Everything injected into one synthetic world; serialised as `truth.json`. */
export interface SynthTruth {
  schema: typeof SYNTH_TRUTH_SCHEMA;
  seed: number;
  preset: SynthPreset;
  knobs: SynthKnobs;
  /** Months of the panel, `YYYY-MM`. */
  periods: string[];
  countries: { iso3: string; comtrade_code: number; name: string }[];
  codes: {
    hs6: string;
    mineral: string;
    role: 'controlled' | 'comparator' | 'uncontrolled';
    specificity: string | null;
    unit_value_usd_per_kg: [number, number];
  }[];
  controls: ControlTruth[];
  /** Country whose customs declarations the declarations file holds. */
  declarations_country: string;
  /** Fixed exchange rates used in the declarations, USD per unit. */
  currencies_usd: Record<string, number>;
  routes: RouteTruth[];
  mirror_anomalies: MirrorAnomalyTruth[];
  declaration_anomalies: DeclarationAnomalyTruth[];
  distractors: DistractorTruth[];
  /** Countries with no row as reporter: `not_published` (Taiwan), `hub` (a silent route hub), `never`. */
  non_reporters: { iso3: string; reason: 'not_published' | 'hub' | 'never' }[];
  late_reporters: { iso3: string; missing_months: number; last_period: string }[];
  noisy_reporters: { iso3: string; sigma: number }[];
  /** Importers that also write `fobvalue` on imports. */
  fob_importers: string[];
  /** Importers that write partner2 (consignment) rows. */
  partner2_reporters: string[];
  /** Wild only: reporters that publish annual totals only. */
  annual_reporters?: string[];
  /** Pairs whose importer records shipments one month after the exporter. */
  import_lag_pairs: { exporter: string; importer: string; hs6: string }[];
  /** Data rows of each generated CSV file. */
  row_counts: Record<string, number>;
}

/** `truth.json` text: two-space indent, keys in the declared order (objects are built in that order), final newline. */
export function formatTruthJson(truth: SynthTruth): string {
  return `${JSON.stringify(truth, null, 2)}\n`;
}
