import { DECLARATION_RULES } from '../detect/declarations/declaration-rules.ts';
import { REASONS } from './glossary.ts';

/**
 * What every column of every table tradewatch writes means: its unit and one plain sentence. docs/outputs.md is
 * generated from these and from the written files' own schemas (scripts/write-outputs-doc.ts), and
 * test/report/columns.test.ts fails when a written column has no description here, when a description names a
 * column no table has, or when the page differs from what the generator writes now.
 *
 * A column is looked up in its table's own descriptions first, then in {@link SHARED_COLUMNS} (a column that means
 * the same in several tables is described once). A nested field (`evidence[].path`: a field of the structs of a
 * list column) is looked up by its full name, then by its own name, first in its table's descriptions, then in the
 * shared ones.
 */
export interface ColumnDoc {
  /** USD, kg, log ratio, share 0–1, count, ISO3, `YYYY-MM`, … ('' when a unit would say nothing: a flag, free text, a date, a list). */
  unit: string;
  /** One plain sentence. */
  meaning: string;
}

/** Where a table is written, by which command or pipeline, and what one row is. */
export interface TableDoc {
  /** The command or pipeline that writes it. */
  writer: string;
  /** Where the file is, relative to `--out` (several places when several commands write it). */
  file: readonly string[];
  /** One row per … */
  grain: string;
  /** More about the table, when a reader needs it (optional). */
  note?: string;
  /** Descriptions that hold for this table only (or differ from the shared one). */
  columns: Readonly<Record<string, ColumnDoc>>;
}

const doc = (unit: string, meaning: string): ColumnDoc => ({ unit, meaning });

const PERIOD = '`YYYY-MM` or `YYYY`';

/** Columns that mean the same wherever they appear. */
export const SHARED_COLUMNS: Readonly<Record<string, ColumnDoc>> = {
  // the canonical flow table (src/schema.ts)
  period: doc(PERIOD, 'The period the record covers: a month (monthly data) or a year (annual data).'),
  freq: doc('`A` or `M`', 'Frequency of the data: annual or monthly.'),
  reporter: doc('ISO3', 'The country whose records these are (the reporting country).'),
  partner: doc('ISO3', "The reporter's trade partner: the destination of its exports, the origin of its imports."),
  partner2: doc('ISO3', 'The second partner, the country of consignment, when the source gives one; else null.'),
  flow: doc('code', '`X` exports, `M` imports; in `subflows` `RX` re-exports, `RM` re-imports and the other sub-flows of the source.'),
  cmd_code: doc('HS code', 'The product code as reported, 2 to 10 digits, as text (leading zeros kept).'),
  cmd_level: doc('digits', 'Number of digits of `cmd_code`.'),
  hs6: doc('HS6 code', 'The six-digit Harmonized System subheading of the product.'),
  hs_revision: doc('`HS2012`, `HS2017`, `HS2022`, …', 'The HS revision the product code is of.'),
  value_usd: doc('USD', "The reporter's primary value: CIF for imports, FOB for exports, unless the reporter says otherwise."),
  cif_usd: doc('USD', 'The CIF value (cost, insurance and freight to the importer\'s border) when the source states it separately; else null.'),
  fob_usd: doc('USD', 'The FOB value (free on board at the exporter\'s border) when the source states it separately (Comtrade `fobvalue` on imports); else null.'),
  net_weight_kg: doc('kg', 'Net weight of the goods; null when missing, and when the source gives 0 with a positive value.'),
  qty: doc('`qty_unit`', 'Quantity in the supplementary unit of `qty_unit`.'),
  qty_unit: doc('code', 'Unit of `qty` as the source gives it (e.g. `kg`, `u` for units, `m3`).'),
  net_weight_estimated: doc('', 'The source marks the net weight as estimated.'),
  qty_estimated: doc('', 'The source marks the quantity as estimated.'),
  total_basis: doc(
    '`reported`, `single`, `confirmed`, `inferred`',
    'How the row was established as the total of its key: marked by the source, the only row of its key, or the largest row with the others summing to a whole multiple of it (confirmed) or not (inferred).',
  ),
  source: doc('code', 'The input layout the row was read with: `comtrade`, `comtrade-legacy`, `baci`, `canonical`, `mapped:<name>` (declarations: `canonical`, `kcs`, `mapped:<name>`).'),
  source_file: doc(
    'path',
    'The input file the row was read from, relative to the working directory of the command that read it (a row re-read from canonical Parquet keeps its original file; `fetch`: the cached answer `responses/<sha256>.json`, relative to `--cache`).',
  ),
  source_line: doc('line number', "The row's 1-based line in `source_file` (the header is line 1), or its row in a Parquet file."),
  // countries and parties
  exporter: doc('ISO3', 'The exporting country: the reporter of the `X` side, the partner of the `M` side.'),
  importer: doc('ISO3', 'The importing country: the reporter of the `M` side, the partner of the `X` side.'),
  origin: doc('ISO3', 'The country of origin of the goods.'),
  origin_name: doc('', "The origin's name (the code itself when the reference table has no name)."),
  departure: doc('ISO3', 'The country the goods were consigned or shipped from.'),
  departure_name: doc('', "The departure country's name (the code itself when the reference table has no name)."),
  destination: doc('ISO3', 'The country of destination.'),
  destination_name: doc('', "The destination's name (the code itself when the reference table has no name)."),
  // flags
  flag_id: doc('id (16 hex digits)', 'A fixed id of what the flag is about (a pair, a route, a declaration): the same in every run, so verdicts carry over; null on rows that are not flagged.'),
  rank: doc('count', 'Position in the ranking by `score`, 1 the most suspicious.'),
  change: doc('`new`, `persisting`', 'Whether the flag is new in this run or was flagged in the previous complete run of the pipeline too.'),
  score_change: doc('score units', "This run's score minus the previous run's; null for a new flag."),
  verdict: doc(
    '`confirmed`, `watch`, `dismissed_resurfaced`',
    "An analyst's latest verdict on the flag from `--reviews` (a dismissed flag is left out unless its score rose since); null when none, and in every row of a run without `--reviews`.",
  ),
  verdict_note: doc('', "The note of the verdict; null when there is no verdict."),
  verdict_reviewer: doc('', 'Who gave the verdict; null when there is no verdict.'),
  verdict_date: doc('', 'The day the verdict was given; null when there is no verdict.'),
  score_at_verdict: doc('score units', 'The flag\'s score when the verdict was given (from the reviews file, else from the newest run finished by that day); null when unknown or no verdict.'),
  // mirror pairs and gaps
  window: doc('`M`, `R3`, `R12`, `Y`', 'The span compared: a month, rolling 3 or 12 months ending at `period_end`, or a calendar year.'),
  exporter_value_usd: doc('USD', "The exporter's `X` records of the pair summed over the window (FOB); 0 when it published and has no record, null when it did not publish."),
  importer_value_usd: doc('USD', "The importer's `M` records of the pair summed over the window, as recorded (CIF); 0 when it published and has no record, null when it did not publish."),
  importer_reported_fob_usd: doc('USD', "The importer's own FOB value of the window, when it states one for every period with value; else null."),
  exporter_kg: doc('kg', "The exporter's net weight over the window; null when, on either side, a period with value has no weight or an estimated one."),
  importer_kg: doc('kg', "The importer's net weight over the window; null when, on either side, a period with value has no weight or an estimated one."),
  exporter_published: doc('', 'The exporter published the flow (any record of it, or the availability table says so) in every period of the window.'),
  importer_published: doc('', 'The importer published the flow in every period of the window.'),
  exporter_residual_usd: doc('USD', "The exporter's confidentiality residual over the window: its exports to World minus its country partners (else its rows to 899, 837, 838, 839), the value that could hide this pair."),
  importer_residual_usd: doc('USD', "The importer's confidentiality residual over the window: its imports from World minus its country partners (else its non-country rows)."),
  exporter_hs_revision: doc('HS revision', "The HS revision of the exporter's records."),
  importer_hs_revision: doc('HS revision', "The HS revision of the importer's records."),
  status: doc(
    'code',
    'What the two sides allow one to conclude: `matched`, `ghost`, `possibly_confidential`, `partially_published`, `counterpart_not_reporting`, `unobserved`, `exporter_only`, `importer_only` (docs/methods/mirror-gaps.md).',
  ),
  missing_side: doc('`exporter`, `importer`', 'The side without a record, for a `ghost`, `possibly_confidential`, `partially_published` or `counterpart_not_reporting` window; else null.'),
  importer_value_fob_usd: doc('USD', "The importer's value put on the exporter's FOB basis: its own FOB, else its CIF divided by `cif_fob_ratio` (as recorded for reporters that record imports FOB)."),
  cif_fob_ratio: doc('ratio', "The CIF/FOB ratio used for the window: the importer's own CIF/FOB, else the fitted margin model's, else the flat 1.06; 1 for reporters that record imports FOB."),
  gap_usd: doc('USD', "`importer_value_fob_usd` − `exporter_value_usd`: positive when the importer recorded more."),
  log_ratio: doc('log ratio', 'ln(importer FOB / exporter) of a matched window; null otherwise.'),
  log_ratio_lag_tolerant: doc('log ratio', "The log ratio that tolerates the importer booking a month late: on rolling windows, the smaller in size of the aligned one and the one against the importer's next window."),
  log_kg_ratio: doc('log ratio', 'ln(importer kg / exporter kg); null when a side has no weight.'),
  z_kg: doc('standard deviations', "The lag-tolerant weight log ratio over the weights' own noise, measured as for `z`."),
  exporter_unit_value_usd_per_kg: doc('USD/kg', "The exporter's value over its net weight."),
  importer_unit_value_usd_per_kg: doc('USD/kg', "The importer's FOB value over its net weight."),
  robust_z: doc('robust z', 'How unusual the log ratio is among every pair of the same HS6, window and period: (value − median) / (1.4826 × MAD); null in smaller groups.'),
  noise_sigma: doc('log units', "The window's noise σ: from the pair's own history, else its two reporters' expected ratio, else the same product and size band (`noise_source`)."),
  noise_source: doc('`pair_history`, `reporters`, `product`, `floor`', 'Where `noise_sigma` comes from.'),
  z: doc('standard deviations', '`log_ratio_lag_tolerant` / `noise_sigma`: how far the gap stands out of the noise.'),
  exporter_sigma: doc('log units', "σ of the exporter's records as exporter that year (its reporter effect, see `reporter_reliability`)."),
  importer_sigma: doc('log units', "σ of the importer's records as importer that year."),
  exporter_reliability: doc('share 0–1', "Reliability of the exporter's records as exporter: floor / σ (1 at the 0.05 floor)."),
  importer_reliability: doc('share 0–1', "Reliability of the importer's records as importer: floor / σ."),
  reconciled_value_usd: doc('USD', 'The best estimate of the trade (FOB): both sides weighted by 1/σ on a matched window, else the side that has a value.'),
  value_at_stake_usd: doc('USD a year', "What the flagged window puts at stake, on a yearly scale: the gap beyond what CIF/FOB and a month's lag explain, a ghost's whole value, or the value a weight gap leaves unaccounted for; 0 when not flagged."),
  believability: doc('share 0–1', "The share of the gap, in log terms, that the two reporters' own σ does not explain: gap² / (gap² + σe² + σi²); null when not flagged."),
  // routes and declarations
  hub_prior_export_share: doc('share', "The hub's exports of the product to the destination before the control over those after it (baseline mean / post-window mean, the latter at least the noise floor): low for a new exporter."),
  isolation_score: doc('score 0–1', "How isolated the row's numbers are among all rows' (seeded isolation forest): about 0.5 typical, higher unusual; a column to sort by, not part of `score`."),
};

/** `mirror_pairs` and `mirror_gaps`: the columns a pair window has in both. */
const MIRROR_WINDOW: Readonly<Record<string, ColumnDoc>> = {
  hs6: doc('HS6 code', 'The product, HS6.'),
  period_start: doc(PERIOD, 'The first period of the window.'),
  period_end: doc(PERIOD, 'The last period of the window.'),
  score: doc('USD a year', '`value_at_stake_usd` × `believability`: one scale for matched gaps, ghosts and weight gaps; 0 when not flagged.'),
};

/** Routes: the columns `routes_all` and `flagged_routes` share. */
const ROUTE: Readonly<Record<string, ColumnDoc>> = {
  origin: doc('ISO3', 'The country under export control the goods come from (config `transshipment.origin`, China).'),
  hub: doc('ISO3', 'The third country the goods may pass through.'),
  hub_name: doc('', "The hub's name (the code itself when the reference table has no name)."),
  destination: doc('ISO3', 'The country the goods end up in.'),
  hs6_description: doc('', 'Plain description of the HS6 code (catalog and comparator codes; empty for others).'),
  mineral: doc('', 'The controlled mineral the code stands for in the control catalog (`data/reference/controls.csv`).'),
  hs_revision: doc('HS revision', 'The HS revision the route is scored in (config `transshipment.hsRevision`); part of the route.'),
  control_id: doc('id', "The lead control the route was judged under (catalog `control_id`, e.g. `cn-2023-23`); every one is an item of `controls`."),
  freq: doc('`A` or `M`', "Frequency of the lead judgement's data."),
  period_start: doc(PERIOD, 'First period of the post-control window of the lead judgement (after the licensing pause).'),
  period_end: doc(PERIOD, 'Last period of that post-control window.'),
  flagged: doc('', 'The route is flagged: under some control no required link fails and the goods are seen reaching the hub and going on to the destination.'),
  first_leg_pre_usd: doc('USD per period', 'Origin → hub, mean per period over the baseline (each period the larger of the exporter\'s FOB and the importer\'s CIF / 1.06).'),
  first_leg_post_usd: doc('USD per period', 'Origin → hub, mean per period over the post-control window.'),
  first_leg_surge: doc('log change', 'ln of the first leg\'s post-window mean over its baseline mean (with a floor): the recorded change.'),
  first_leg_excess: doc('log change', "The first leg's change above the trend of the origin's exports of the code to everyone else."),
  first_leg_z: doc('standard errors', "`first_leg_excess` over its standard error (`first_leg_noise`); null when the noise is unknown."),
  second_leg_pre_usd: doc('USD per period', 'Hub → destination, mean per period over the baseline (consignment records of the origin\'s goods from the hub count too).'),
  second_leg_post_usd: doc('USD per period', 'Hub → destination, mean per period over the post-control window.'),
  second_leg_surge: doc('log change', "ln of the second leg's post-window mean over its baseline mean (with a floor)."),
  second_leg_z: doc('standard errors', '`second_leg_surge` over its standard error (`second_leg_noise`); null when the noise is unknown.'),
  direct_pre_usd: doc('USD per period', 'Origin → destination directly, mean per period over the baseline.'),
  direct_post_usd: doc('USD per period', 'Origin → destination directly, mean per period over the post-control window.'),
  diversion: doc('log change', 'Log change of the direct flow origin → destination: negative when it fell.'),
  pass_through: doc('share', "How much of the second leg's rise the first leg's rise above trend covers (in `pass_through_unit`; in USD the destination's consignment records from the hub count too); 1 or more: all of it."),
  hub_balance: doc('ratio', "The hub's exports of the code to every partner over its imports of it from every partner, post-control window: near 1 for a pass-through hub."),
  re_export_share: doc('share', "The hub's re-exports (`RX`) of the code to the destination over its exports there, post-control window, where reported; else null."),
  lag_months: doc('months', "The lag (0 to `maxLagMonths`) at which the second leg's increases best follow the first leg's after the control; null on annual data or when they do not move together."),
  unit_value_ratio: doc('ratio', "Unit value (USD/kg) of hub → destination over that of origin → hub, post-control window: near 1 when goods pass through unchanged."),
  hub_ghost_share: doc('share 0–1', 'The share of what the origin says it sent the hub that the hub does not record (post-control window; from the mirror pairs when given).'),
  destination_origin_kept_log_ratio: doc('log ratio', "ln(the destination's imports from the origin on FOB / the origin's exports to it), post-control window: high when the destination books goods by origin."),
  consignment_usd: doc('USD', "The destination's records of the origin's goods consigned from the hub, summed over the post-control window (as recorded)."),
  comparator_first_leg_surge: doc('log change', 'The first leg\'s log change in the uncontrolled comparator code (e.g. 811231 beside 811292); null without a usable comparator.'),
  controlled_minus_comparator: doc('log change', "`first_leg_excess` minus the comparator's own excess over its trend; null without a usable comparator."),
  counterfactual_log_difference: doc('log change', "`first_leg_excess` minus the largest of its counterfactuals' changes (the comparator's excess, the hub's imports from its other origins, the median of the hub's imports of the origin's uncontrolled codes; `counterfactual_basis` says which)."),
  counterfactual_z: doc('standard errors', 'The counterfactual difference over its standard error; null when unknown.'),
  weakest_link_z: doc('standard errors', 'The smallest z among the required links; a link that does not hold counts at most `chain.minLinkZ`, and one without a z at `chain.minLinkZ` when it cannot be judged, 0 when it fails.'),
  at_stake_usd: doc('USD', 'What moved through the hub above its baseline: the rise of the second leg per period × the post-control periods.'),
  unpublished_periods: doc('count', 'Post-control periods of the two legs in which neither side of the leg published (not counted as zero).'),
  first_leg_noise: doc('`own_history`, `comparable_flows`, `unknown`', "How the first leg's standard error was measured."),
  second_leg_noise: doc('`own_history`, `comparable_flows`, `unknown`', "How the second leg's standard error was measured."),
  counterfactual_basis: doc(
    '`comparator`, `hub_other_origins`, `origin_other_codes`, `unavailable`, `first_leg_did_not_rise`',
    'What the first leg was compared with in the counterfactual link.',
  ),
  pass_through_unit: doc('`kg` or `usd`', '`kg` when both legs carry weights in every period with value, else `usd`.'),
  score: doc('USD', '`at_stake_usd` × z²/(z² + 1) of `weakest_link_z`: the largest leak whose weakest required link stands clearest first.'),
  reasons: doc('list of codes', 'The links of the chain that hold (`goods_reach_hub`, `second_leg_rose`, `pass_through`, …), plus `needs_monthly` on annual data and `control_year_partial`.'),
  links_missing: doc('list of codes', 'The links that do not hold: failed, not judgeable from the data, or supporting links that do not show.'),
  chain: doc('', 'Every link of the chain of evidence (docs/methods/transshipment.md), one struct each.'),
  'chain[].link': doc('code', 'The link: `goods_reach_hub`, `second_leg_rose`, `pass_through`, `counterfactual`, `diversion`, `timing`, `unit_value`, `consignment`, `origin_kept`, `new_exporter`, `hub_balance`.'),
  'chain[].role': doc('`required`, `supporting`', 'Required links decide the flag; supporting ones only explain.'),
  'chain[].status': doc('`holds`, `fails`, `unavailable`', 'Whether the link holds, fails, or cannot be judged from the data.'),
  'chain[].value': doc('per link', "The link's measure: a log change, a share, a ratio, months or USD, as the link's signal column."),
  'chain[].z': doc('standard errors', "The link's effect over its noise, where it has one."),
  'chain[].basis': doc('code', 'How its noise or its data was had: `own_history`, `comparable_flows`, `comparator`, `hub_ghost_share`, `consignment`, `kg`, `usd`, …'),
  explanation: doc('', 'The chain in plain words, with numbers.'),
  flag_id: doc('id (16 hex digits)', 'A fixed id of the route (a hash of origin, hub, destination, HS6 and revision), the same in every run and on every route, flagged or not: verdicts on it carry over.'),
  controls: doc('', 'Every control (and frequency) the route was judged under, the lead first: flagged before not, then by score.'),
  'controls[].control_id': doc('id', 'The control (catalog `control_id`).'),
  'controls[].destinations': doc('ISO3 list', 'The destinations the control names, comma-separated, or `*` for every destination.'),
  'controls[].freq': doc('`A` or `M`', 'Frequency of the data of this judgement.'),
  'controls[].period_start': doc(PERIOD, 'First period of its post-control window.'),
  'controls[].period_end': doc(PERIOD, 'Last period of its post-control window.'),
  'controls[].flagged': doc('', 'The route is flagged under this control.'),
  'controls[].score': doc('USD', 'Its score, as `score`.'),
  'controls[].at_stake_usd': doc('USD', 'Its `at_stake_usd`.'),
  'controls[].weakest_link_z': doc('standard errors', 'Its `weakest_link_z`.'),
  'controls[].links_missing': doc('codes, comma-separated', 'Its `links_missing`.'),
};

/** Declarations: the canonical columns (src/schema.ts) and what screening adds. */
const DECLARATION: Readonly<Record<string, ColumnDoc>> = {
  declaration_id: doc('id', 'The declaration (line) id as the source gives it.'),
  date: doc('', 'The day of the declaration.'),
  period: doc('`YYYY-MM`', 'The month of `date`.'),
  direction: doc('`import`, `export`', 'Whether the declaration is an import or an export.'),
  declarant: doc('', 'Who filed the declaration.'),
  exporter: doc('', 'The exporting party (a company, not a country).'),
  importer: doc('', 'The importing party or consignee (a company, not a country).'),
  seller: doc('', 'The seller, when the source gives one.'),
  declared_code: doc('HS code', 'The product code as declared, 6 to 10 digits, as text.'),
  hs6: doc('HS6 code', 'The first six digits of `declared_code`.'),
  description: doc('', 'The goods description as declared (any language); null when the source has none.'),
  transport_mode: doc('code', '`sea`, `air`, `road`, `rail`, `post`, … or the source\'s own code.'),
  net_mass_kg: doc('kg', 'Net mass; null when missing, and when 0 with a positive value.'),
  quantity: doc('`quantity_unit`', 'The declared quantity.'),
  quantity_unit: doc('code', 'Unit of `quantity` (`kg`, `g`, `t`, `u`, `l`, …).'),
  value: doc('`currency`', 'The declared value in its own currency.'),
  currency: doc('ISO 4217', 'Currency of `value`.'),
  value_usd: doc('USD', '`value` in USD at the configured rate (`declarations.ingest.currencyRatesUsd`).'),
  office: doc('code', 'The customs office or port.'),
  tax_rate_pct: doc('percent', 'The duty rate when the source gives one (Korea Customs `Tax Rate`); else null.'),
  label: doc('1, 0, null', 'Inspection outcome: 1 fraud or violation found, 0 inspected and clean, null unknown.'),
  controlled: doc('', 'The declared HS6 was under an export control of the control origin (China) in force on `date` for `destination`.'),
  ...Object.fromEntries(DECLARATION_RULES.map((r) => [`rule_${r}`, doc('', `Rule \`${r}\` fired: ${(REASONS[r] ?? '').replace(/^./, (c) => c.toLowerCase())}`)])),
  log_unit_value: doc('log USD/kg', 'ln(`value_usd` / `net_mass_kg`); null without both.'),
  unit_value_robust_z: doc('robust z', 'How far the log unit value is from its group\'s (the first of line × description × origin, line × origin, line × description, line, HS6 with 20 declarations): (value − median) / spread.'),
  misclassified_mineral: doc('', 'The controlled mineral the description names, when `misclassified_description` fired; else null.'),
  looks_like_hs6: doc('HS6 code', "The controlled code whose price range the unit value fits, when `misclassified_unit_value` fired; else null."),
  looks_like_abs_z: doc('robust z', "|z| of the unit value under `looks_like_hs6`'s prices, when `misclassified_unit_value` fired; else null."),
  route_flag_id: doc('id', 'The `flag_id` of the flagged route (`--routes`) behind `via_flagged_hub` or `origin_flagged_hub`; else null.'),
  hub_prior_export_share: doc('share', "When `origin_flagged_hub` fired: the flagged route's `hub_prior_export_share` (the declared origin's exports to the destination before the control over after); else null."),
  mass_quantity_ratio: doc('ratio', 'Net mass over the quantity in kg, where the quantity is a mass (`kg`, `g`, `t`); else null.'),
  value_per_unit_robust_z: doc('robust z', 'How far the log value per unit (a quantity that is not a mass) is from that of its line × unit × origin, else line × unit; else null.'),
  split_lots_in_window: doc('count', "For a lot just under the simplified-entry limit: the most such lots of its party within the window days holding it; else null."),
  consignee_age_days: doc('days', 'When `new_consignee` fired: days since the importer was first seen (here or in `--history`); else null.'),
  rules_score: doc('score 0–1', '1 − Π(1 − weight) over the rules that fired (weights `declarations.rules.weights`); 0 when none fired.'),
  reasons: doc('list of codes', 'The rules that fired, by name; empty when none did.'),
  model_score: doc('probability 0–1', 'The learned model\'s fraud probability, when `--history` carries both outcomes; else null.'),
  score: doc('score 0–1', 'Weighted mean of `rules_score`, `isolation_score` and `model_score` (those present; `declarations.score.weights`).'),
};

/** Every table tradewatch writes, in the page's order. */
export const OUTPUT_TABLES: Readonly<Record<string, TableDoc>> = {
  flows: {
    writer: '`ingest`, `fetch`',
    file: ['flows.parquet'],
    grain: 'reported total: reporter × partner × flow (`X` or `M`) × product × period, partner a country',
    note: 'The canonical flow table (`src/schema.ts`). `run` reads the same tables from `--trade` and does not write them.',
    columns: {},
  },
  subflows: {
    writer: '`ingest`, `fetch`',
    file: ['subflows.parquet'],
    grain: 'reported total of a sub-flow (`RX`, `RM`, `DX`, `FM`, …): reporter × partner × flow × product × period',
    columns: {},
  },
  areas: {
    writer: '`ingest`, `fetch`',
    file: ['areas.parquet'],
    grain: 'reported total whose partner is World or a non-country area (899 Areas nes, 837 Bunkers, 838 Free zones, 839 Special categories, …)',
    columns: {
      partner: doc('label', '`WLD` for World, `_<code>` for a non-country area (its Comtrade code).'),
      area_kind: doc('`world`, `non_country`, `aggregate`', 'What kind of partner the row has.'),
    },
  },
  consignment: {
    writer: '`ingest`, `fetch`',
    file: ['consignment.parquet'],
    grain: 'total by country of consignment: reporter × partner (origin) × partner2 (consignment) × flow × product × period',
    columns: {
      partner2: doc('ISO3', 'The country of consignment: where the goods of origin `partner` were shipped from.'),
    },
  },
  rejects: {
    writer: '`ingest`, `fetch`, and every `run` partition (trade and declaration inputs)',
    file: ['rejects.parquet', '<pipeline>/as_of=YYYY-MM/rejects.parquet'],
    grain: 'value refused: the row it was in is left out',
    columns: {
      column: doc('', 'The column (or field) the value was in.'),
      value: doc('', 'The value as read (cut short when long).'),
      reason: doc('code', 'Why: `invalid_number`, `invalid_code`, `invalid_period`, `unknown_country`, `negative_value`, `missing_value`, `aggregate_reporter`, `total_missing`, `invalid_date`, … (README).'),
    },
  },
  availability: {
    writer: '`fetch`',
    file: ['availability.parquet'],
    grain: 'reporting country × period asked, published or not',
    note: "From UN Comtrade's data-availability endpoint; give it to `run` as `--availability`.",
    columns: {
      published: doc('', 'The reporter has published this period.'),
      records: doc('count', 'Records in the published dataset (every product and breakdown); null when not published.'),
      first_released: doc('', 'Day of the first release; null when not published or not stated.'),
      last_released: doc('', 'Day of the latest revision; null when not published or not stated.'),
    },
  },
  coverage: {
    writer: '`run coverage`',
    file: ['coverage/as_of=YYYY-MM/coverage.parquet'],
    grain: 'reporter × flow × period: what the reporter published',
    columns: {
      flow: doc('`X` or `M`', 'Exports or imports.'),
      rows: doc('count', 'Flow rows the reporter published for the flow and period.'),
      partners: doc('count', 'Distinct partners among them.'),
      products: doc('count', 'Distinct product codes among them.'),
      value_usd: doc('USD', 'Their value, each partner\'s coarsest code only (a chapter, its heading and subheading are the same goods).'),
      rows_nested: doc('count', 'Rows inside a coarser code of the same partner, left out of `value_usd`.'),
    },
  },
  mirror_pairs: {
    writer: '`run mirror-gaps`',
    file: ['mirror-gaps/as_of=YYYY-MM/mirror_pairs.parquet'],
    grain: 'pair window: exporter → importer × HS6 × window kind × period_end, flagged or not',
    columns: {
      ...MIRROR_WINDOW,
      window_flagged: doc('', 'This window passed the flag tests (it may still be over the review budget).'),
      over_review_budget: doc('', 'The pair has flagged windows but ranks beyond `mirror.reviewBudget`: scored, not flagged.'),
      reasons: doc('list of codes', "Why the window is flagged (`importer_exceeds`, `exporter_exceeds`, `ghost`, `ghost_imports`, `ghost_exports`, `quantity_gap`, `booked_under_origin`, `weight_gap`, `weight_mismatch`, `unit_value_mismatch`, `entrepot`, `hs_scope_changed`); empty when not."),
      flag_id: doc('id (16 hex digits)', "The pair's `flag_id` when the pair is flagged (on every window of it); else null."),
    },
  },
  mirror_gaps: {
    writer: '`run mirror-gaps`',
    file: ['mirror-gaps/as_of=YYYY-MM/mirror_gaps.parquet'],
    grain: 'flagged pair (exporter → importer × HS6), ranked; its columns are those of its best-scored window',
    columns: {
      ...MIRROR_WINDOW,
      reasons: doc('list of codes', 'Why the pair is flagged, over all its flagged windows (the codes of `mirror_pairs.reasons`).'),
      windows_flagged: doc('count', 'How many windows of the pair are flagged.'),
      first_flagged_period: doc(PERIOD, 'The first period of its earliest flagged window.'),
      last_flagged_period: doc(PERIOD, 'The last period of its latest flagged window.'),
      windows: doc('', 'The flagged windows of the pair, one struct each, by period end then window.'),
      'windows[].reasons': doc('list of codes', 'Why this window is flagged.'),
    },
  },
  reporter_reliability: {
    writer: '`run mirror-gaps`',
    file: ['mirror-gaps/as_of=YYYY-MM/reporter_reliability.parquet'],
    grain: 'reporter × year',
    note: '|ln(importer FOB / exporter)| of the matched yearly windows, fitted as μ + a(exporter) + b(importer) by weighted least squares (Gaulier & Zignago 2010).',
    columns: {
      year: doc('`YYYY`', 'The year the effects are fitted for.'),
      exporter_observations: doc('count', 'Matched yearly pair windows (the larger side at least `mirror.gaps.minValueUsd`, every product) with the reporter as exporter.'),
      importer_observations: doc('count', 'The same with the reporter as importer.'),
      exporter_effect: doc('log units', 'a: how much the reporter adds, as exporter, to the expected |log ratio|; null with too few observations.'),
      importer_effect: doc('log units', 'b: the same as importer; null with too few observations.'),
      grand_mean: doc('log units', "μ: the year's value-weighted mean |log ratio|."),
      exporter_sigma: doc('log units', "σ of the reporter's records as exporter: its effect above the year's most reliable exporters, plus half of what no reporter explains, floored."),
      importer_sigma: doc('log units', "σ of the reporter's records as importer."),
      exporter_reliability: doc('share 0–1', 'floor / `exporter_sigma` (1 at the 0.05 floor).'),
      importer_reliability: doc('share 0–1', 'floor / `importer_sigma`.'),
    },
  },
  cif_fob_observations: {
    writer: '`run mirror-gaps`',
    file: ['mirror-gaps/as_of=YYYY-MM/cif_fob_observations.parquet'],
    grain: 'import record that states both CIF and FOB (the CIF/FOB margin model\'s fit sample; reporters that record imports FOB left out)',
    columns: {
      importer: doc('ISO3', 'The reporter of the import record.'),
      exporter: doc('ISO3', 'Its partner.'),
      cif_usd: doc('USD', 'The CIF value of the record.'),
      fob_usd: doc('USD', 'The FOB value of the same record.'),
    },
  },
  routes_all: {
    writer: '`run transshipment`',
    file: ['transshipment/as_of=YYYY-MM/routes_all.parquet'],
    grain: 'route: origin → hub → destination × HS6 × HS revision, every candidate, flagged first, then by score',
    note: 'Columns other than `controls` are those of the lead judgement (docs/methods/transshipment.md).',
    columns: { ...ROUTE },
  },
  flagged_routes: {
    writer: '`run transshipment`',
    file: ['transshipment/as_of=YYYY-MM/flagged_routes.parquet'],
    grain: 'flagged route, ranked: the columns of `routes_all`, the records behind each leg and each leg by period',
    columns: {
      ...ROUTE,
      evidence: doc('', 'The flow records behind the legs in the baseline and the post-control window, one struct each.'),
      'evidence[].leg': doc('`first_leg`, `second_leg`, `direct`', 'The leg the record is of: origin → hub, hub → destination, origin → destination.'),
      'evidence[].side': doc('`X` or `M`', "Whose record it is: the leg's exporter (`X`) or its importer (`M`)."),
      'evidence[].reporter': doc('ISO3', 'The country whose record it is.'),
      'evidence[].partner': doc('ISO3', "The record's partner."),
      'evidence[].flow': doc('`X` or `M`', "The record's flow."),
      'evidence[].file': doc('path', "The record's `source_file`: relative to the working directory of the command that read it."),
      'evidence[].line': doc('line number', "The record's `source_line` in that file."),
      'evidence[].path': doc('absolute path', 'The absolute path of that file, which resolves from any working directory; null when the file is not found on the machine that ran (a row re-read from canonical Parquet whose original file is elsewhere).'),
      'evidence[].period': doc(PERIOD, "The record's period."),
      'evidence[].value_usd': doc('USD', "The record's `value_usd` as recorded (FOB for `X`, CIF for `M`)."),
      series: doc('', 'Each leg per period from the baseline to the end of the post-control window, as the signals read it, one struct each.'),
      'series[].leg': doc('`first_leg`, `second_leg`, `direct`, `comparator_first_leg`', 'Which leg: origin → hub, hub → destination, origin → destination, or origin → hub in the uncontrolled comparator code.'),
      'series[].window': doc('`baseline`, `excluded`, `post`', 'Where the period falls: the baseline, the months left out (stockpiling, licensing pause), the post-control window.'),
      'series[].value_usd': doc('USD', "The leg's value that period (the larger of the exporter's FOB and the importer's CIF / 1.06); 0 when published without a record, null when neither side published."),
    },
  },
  declarations_scored: {
    writer: '`run declarations`',
    file: ['declarations/as_of=YYYY-MM/declarations_scored.parquet'],
    grain: 'declaration line, with every rule, its numbers and the score',
    note:
      'The canonical declaration columns (`src/schema.ts`) first; with `kcs` input the source\'s own fields (`process_type`, `import_type`, `import_use`, `payment_type`, `courier`, `tax_type`, `origin_indicator`, `critical_fraud`) follow them, and a `mapped:<name>` layout\'s `extras` likewise.',
    columns: { ...DECLARATION },
  },
  flagged_declarations: {
    writer: '`run declarations`',
    file: ['declarations/as_of=YYYY-MM/flagged_declarations.parquet'],
    grain: 'flagged declaration (a rule fired, or `score` ≥ `declarations.score.flagThreshold`), most suspicious first',
    columns: { ...DECLARATION },
  },
  changes: {
    writer: 'every `run` of a pipeline with flags (`mirror-gaps`, `transshipment`, `declarations`)',
    file: ['<pipeline>/as_of=YYYY-MM/changes.parquet'],
    grain: 'flag of this run or of the previous complete run of the pipeline, per flagged output',
    columns: {
      output: doc('', 'The flagged output the flag is in (`mirror_gaps`, `flagged_routes`, `flagged_declarations`).'),
      change: doc('`new`, `persisting`, `dropped`', 'Flagged in this run only, in both runs, or in the previous run only.'),
      score: doc('score units', "The flag's score in this run; null when dropped."),
      previous_score: doc('score units', "Its score in the previous run; null when new."),
      score_change: doc('score units', '`score` − `previous_score`; null when either is.'),
    },
  },
};

/** The description of a column (`name`, or `list[].field` for a field of a list's structs) in a table, or null. */
export function describeColumn(table: string, name: string): ColumnDoc | null {
  const own = OUTPUT_TABLES[table]?.columns ?? {};
  const leaf = name.includes('[].') ? name.slice(name.lastIndexOf('[].') + 3) : null;
  return own[name] ?? (leaf !== null ? own[leaf] : undefined) ?? SHARED_COLUMNS[name] ?? (leaf !== null ? SHARED_COLUMNS[leaf] : undefined) ?? null;
}
