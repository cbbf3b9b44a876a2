import type { Bool, DateDay, Dictionary, Float64, Int8, Int32, Table, Utf8 } from 'apache-arrow';

/** Dictionary-encoded text, the type of every code and label column. */
export type DictUtf8 = Dictionary<Utf8, Int32>;

/**
 * The canonical flow table: one row per reported total (reporter × partner × flow × product × period).
 * `flows`, `subflows`, `areas` and `consignment` all share it. Missing numbers are null, never 0.
 */
export type TradeFlowSchema = {
  /** `YYYY` (annual) or `YYYY-MM` (monthly). */
  period: DictUtf8;
  /** `A` or `M`. */
  freq: DictUtf8;
  /** ISO3 of the reporting country. */
  reporter: DictUtf8;
  /** ISO3 of the partner; in `areas`, a label: `WLD` for World, `_<code>` for a non-country area. */
  partner: DictUtf8;
  /** ISO3 of the second partner (country of consignment) when the source gives one, else null. */
  partner2: DictUtf8;
  /** `X`, `M` in flows; `RX`, `RM`, `DX`, `FM`, … in subflows. */
  flow: DictUtf8;
  /** Product code as reported, 2–10 digits. */
  cmd_code: DictUtf8;
  /** Number of digits of `cmd_code`. */
  cmd_level: Int8;
  /** First six digits when `cmd_level` ≥ 6, else null. */
  hs6: DictUtf8;
  /** `HS2012`, `HS2017`, `HS2022`, … */
  hs_revision: DictUtf8;
  /** The reporter's primary value: CIF for imports and FOB for exports unless the reporter says otherwise. */
  value_usd: Float64;
  /** The CIF value when the source states it separately. */
  cif_usd: Float64;
  /** The FOB value when the source states it separately (Comtrade `fobvalue` on imports). */
  fob_usd: Float64;
  net_weight_kg: Float64;
  qty: Float64;
  qty_unit: DictUtf8;
  /** The source marks the net weight as estimated. */
  net_weight_estimated: Bool;
  /** The source marks the quantity as estimated. */
  qty_estimated: Bool;
  /** How the total was established: `reported`, `single`, `confirmed` or `inferred` (see README). */
  total_basis: DictUtf8;
  /** `comtrade`, `comtrade-legacy`, `baci`, `canonical` or `mapped:<name>`. */
  source: DictUtf8;
  /** Input file the row came from. */
  source_file: DictUtf8;
  /** 1-based line (CSV) or row (Parquet) in `source_file`. */
  source_line: Int32;
};

/** Column order of the canonical flow table (also the order written to Parquet). */
export const TRADE_FLOW_COLUMNS = [
  'period',
  'freq',
  'reporter',
  'partner',
  'partner2',
  'flow',
  'cmd_code',
  'cmd_level',
  'hs6',
  'hs_revision',
  'value_usd',
  'cif_usd',
  'fob_usd',
  'net_weight_kg',
  'qty',
  'qty_unit',
  'net_weight_estimated',
  'qty_estimated',
  'total_basis',
  'source',
  'source_file',
  'source_line',
] as const satisfies readonly (keyof TradeFlowSchema)[];

/** `areas` adds the kind of the non-country partner to the flow columns. */
export type AreaFlowSchema = TradeFlowSchema & {
  /** `world`, `non_country` (899 Areas nes, 837 Bunkers, 838 Free zones, 839 Special categories, …) or `aggregate`. */
  area_kind: DictUtf8;
};

/** A row refused by ingest, with where it came from and why. */
export type RejectSchema = {
  source_file: DictUtf8;
  source_line: Int32;
  column: DictUtf8;
  value: Utf8;
  reason: DictUtf8;
};

export type TradeFlowTable = Table<TradeFlowSchema>;
export type AreaFlowTable = Table<AreaFlowSchema>;
export type RejectTable = Table<RejectSchema>;

/** Values of `total_basis`, by code. */
export const TOTAL_BASIS = ['reported', 'single', 'confirmed', 'inferred'] as const;
export type TotalBasis = (typeof TOTAL_BASIS)[number];

/**
 * The canonical declaration table: one row per customs declaration line. Parties, codes and countries are
 * dictionary text; missing numbers are null, never 0. Values are converted to USD at ingest (rate table in
 * config); the original value and currency are kept.
 */
export type DeclarationSchema = {
  declaration_id: DictUtf8;
  /** `YYYY-MM-DD`. */
  date: DictUtf8;
  /** `YYYY-MM` of `date`. */
  period: DictUtf8;
  /** `import` or `export`. */
  direction: DictUtf8;
  declarant: DictUtf8;
  exporter: DictUtf8;
  /** Importer or consignee. */
  importer: DictUtf8;
  seller: DictUtf8;
  /** The code as declared, 6–10 digits, text. */
  declared_code: DictUtf8;
  /** First six digits of `declared_code`. */
  hs6: DictUtf8;
  /** Goods description as declared (any language); null when the source has none. */
  description: DictUtf8;
  /** ISO3 of the country of origin. */
  origin: DictUtf8;
  /** ISO3 of the country of departure / consignment. */
  departure: DictUtf8;
  /** ISO3 of the country of destination. */
  destination: DictUtf8;
  /** `sea`, `air`, `road`, `rail`, `post`, … or the source's own code. */
  transport_mode: DictUtf8;
  net_mass_kg: Float64;
  quantity: Float64;
  quantity_unit: DictUtf8;
  /** Declared value in `currency`. */
  value: Float64;
  /** ISO 4217. */
  currency: DictUtf8;
  /** `value` in USD at the configured rate. */
  value_usd: Float64;
  /** Office or port. */
  office: DictUtf8;
  /** Duty rate, percent, when the source gives one (Korea Customs `Tax Rate`). */
  tax_rate_pct: Float64;
  /** Inspection outcome: 1 fraud/violation found, 0 inspected and clean, null unknown. */
  label: Int8;
  /** `canonical`, `kcs` or `mapped:<name>`. */
  source: DictUtf8;
  source_file: DictUtf8;
  /** 1-based line (CSV) or row (Parquet) in `source_file`. */
  source_line: Int32;
};

/** Column order of the canonical declaration table (also the order written to Parquet). */
export const DECLARATION_COLUMNS = [
  'declaration_id',
  'date',
  'period',
  'direction',
  'declarant',
  'exporter',
  'importer',
  'seller',
  'declared_code',
  'hs6',
  'description',
  'origin',
  'departure',
  'destination',
  'transport_mode',
  'net_mass_kg',
  'quantity',
  'quantity_unit',
  'value',
  'currency',
  'value_usd',
  'office',
  'tax_rate_pct',
  'label',
  'source',
  'source_file',
  'source_line',
] as const satisfies readonly (keyof DeclarationSchema)[];

export type DeclarationTable = Table<DeclarationSchema>;

/**
 * What each reporter published, from the UN Comtrade data-availability API (`tradewatch fetch`,
 * `availability.parquet`): one row per reporter × period asked, published or not.
 */
export type AvailabilitySchema = {
  /** ISO3 of the reporting country. */
  reporter: DictUtf8;
  /** `YYYY` (annual) or `YYYY-MM` (monthly). */
  period: DictUtf8;
  /** `A` or `M`. */
  freq: DictUtf8;
  /** The reporter has published this period. */
  published: Bool;
  /** Records in the published dataset (every product and breakdown); null when not published. */
  records: Float64;
  /** First release, a calendar date (Date32); null when not published or not stated. */
  first_released: DateDay;
  /** Latest revision, a calendar date (Date32); null when not published or not stated. */
  last_released: DateDay;
};

/** Column order of the availability table. */
export const AVAILABILITY_COLUMNS = [
  'reporter',
  'period',
  'freq',
  'published',
  'records',
  'first_released',
  'last_released',
] as const satisfies readonly (keyof AvailabilitySchema)[];

export type AvailabilityTable = Table<AvailabilitySchema>;

/**
 * Korea Customs declarations (the `kcs` layout): the canonical columns, then the source's own fields, in this
 * order (`KCS_EXTRA_COLUMNS` in src/ingest/declaration-params.ts). `critical_fraud` is the source's 0/1/2.
 */
export type KcsDeclarationSchema = DeclarationSchema & {
  process_type: DictUtf8;
  import_type: DictUtf8;
  import_use: DictUtf8;
  payment_type: DictUtf8;
  courier: DictUtf8;
  tax_type: DictUtf8;
  origin_indicator: DictUtf8;
  critical_fraud: Int8;
};
