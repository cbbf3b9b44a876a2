import { z } from 'zod';
import { fieldSpecSchema } from './params.ts';

/**
 * Where each canonical declaration field comes from in a CSV layout: a `column`, else a `const`, else a capture
 * group of `fromFileName` (the trade mapping's field spec: `multiplier` scales numbers, `values` translates
 * codes). The six fields without `.optional()` are required; a missing optional column gives nulls.
 */
export const declarationFieldsSchema = z
  .object({
    declaration_id: fieldSpecSchema,
    /** `YYYY-MM-DD` (also `YYYYMMDD`, `YYYY/MM/DD`; a time after it is ignored). */
    date: fieldSpecSchema,
    /** `import` or `export` after `values` (case ignored). */
    direction: fieldSpecSchema,
    declarant: fieldSpecSchema.optional(),
    exporter: fieldSpecSchema.optional(),
    importer: fieldSpecSchema.optional(),
    seller: fieldSpecSchema.optional(),
    /** The declared code, 6–10 digits, kept as text (leading zeros; dots are removed). */
    declared_code: fieldSpecSchema,
    description: fieldSpecSchema.optional(),
    origin: fieldSpecSchema.optional(),
    departure: fieldSpecSchema.optional(),
    destination: fieldSpecSchema.optional(),
    transport_mode: fieldSpecSchema.optional(),
    net_mass_kg: fieldSpecSchema.optional(),
    quantity: fieldSpecSchema.optional(),
    quantity_unit: fieldSpecSchema.optional(),
    /** Declared value in `currency`. */
    value: fieldSpecSchema,
    /** ISO 4217 code; must be in `currencyRatesUsd`. */
    currency: fieldSpecSchema,
    office: fieldSpecSchema.optional(),
    tax_rate_pct: fieldSpecSchema.optional(),
    /** `1` fraud found, `0` inspected and clean, empty unknown (after `values`). */
    label: fieldSpecSchema.optional(),
  })
  .strict();

/** A source column kept beside the canonical ones (e.g. Korea Customs' `Process Type`), under its snake_case name. */
export const extraColumnSchema = z
  .object({
    /** Source column (header name, case-insensitive); a file without it gives nulls. */
    column: z.string().min(1),
    /** `text` (dictionary), `int8` (integers −128…127) or `float64`. */
    type: z.enum(['text', 'int8', 'float64']),
  })
  .strict();

/** A named column mapping for a declaration layout tradewatch does not know. */
export const declarationMappingSchema = z
  .object({
    /** What the layout is, for people. */
    description: z.string().default(''),
    /** How the country columns are coded: `iso3` or `iso2` (ISO 3166-1 alpha-2, converted with `data/reference/iso2_countries.csv`). */
    countryCodes: z.enum(['iso3', 'iso2']),
    /** Header columns that identify this layout when `--format` is not given (empty: only by `--format`). */
    detect: z.array(z.string().min(1)).default([]),
    fields: declarationFieldsSchema,
    /** Extra columns, by output name (snake_case), written after the canonical columns. */
    extras: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), extraColumnSchema).default({}),
  })
  .strict();

/** Settings of the declaration readers. */
export const declarationIngestSchema = z
  .object({
    /** Share of rows that may be rejected before the read fails with exit 2 (0–1, default 0.01). */
    maxRejectRate: z.number().min(0).max(1),
    /**
     * USD per unit of each currency (ISO 4217 → positive number). A fixed table, not dated: set the rates
     * of the period screened. A currency not listed rejects the row (`unknown_currency`).
     */
    currencyRatesUsd: z.record(z.string().regex(/^[A-Z]{3}$/), z.number().positive()),
    /** Country codes that mean "unknown" and read as null, counted (default `ZZ`, `XX`, `ZZZ`, `XXX`). */
    nullCountryCodes: z.array(z.string().regex(/^[A-Za-z]{2,3}$/)),
    /** Column mappings usable as `--format mapped:<name>` (and detected from the header by their `detect` columns). */
    mappings: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), declarationMappingSchema),
  })
  .strict();

export type DeclarationFields = z.infer<typeof declarationFieldsSchema>;
export type DeclarationMapping = z.infer<typeof declarationMappingSchema>;
/** Resolved settings of the declaration readers. */
export type DeclarationIngestParams = z.infer<typeof declarationIngestSchema>;

/** The canonical CSV layout (tradewatch's own and the synthetic declarations): every field under its own name. */
export const CANONICAL_DECLARATION_MAPPING: DeclarationMapping = {
  description: 'tradewatch canonical declarations CSV (docs/synth.md): ISO3 countries, codes as text, label empty = unknown',
  countryCodes: 'iso3',
  detect: ['declaration_id', 'date', 'direction', 'declared_code', 'value', 'currency'],
  fields: {
    declaration_id: { column: 'declaration_id' },
    date: { column: 'date' },
    direction: { column: 'direction' },
    declarant: { column: 'declarant' },
    exporter: { column: 'exporter' },
    importer: { column: 'importer' },
    seller: { column: 'seller' },
    declared_code: { column: 'declared_code' },
    description: { column: 'description' },
    origin: { column: 'origin' },
    departure: { column: 'departure' },
    destination: { column: 'destination' },
    transport_mode: { column: 'transport_mode' },
    net_mass_kg: { column: 'net_mass_kg' },
    quantity: { column: 'quantity' },
    quantity_unit: { column: 'quantity_unit' },
    value: { column: 'value' },
    currency: { column: 'currency' },
    office: { column: 'office' },
    tax_rate_pct: { column: 'tax_rate_pct' },
    label: { column: 'label' },
  },
  extras: {},
};

/** Output names of the Korea Customs columns kept beside the canonical ones, in order. */
export const KCS_EXTRA_COLUMNS = [
  'process_type',
  'import_type',
  'import_use',
  'payment_type',
  'courier',
  'tax_type',
  'origin_indicator',
  'critical_fraud',
] as const;

/**
 * The Korea Customs Service synthetic import declarations (`df_syn_{train,valid,test}_eng.csv`, Seondong/
 * Customs-Declaration-Datasets, MIT): imports into Korea, `Item Price` in KRW, ISO2 countries, HS6 codes,
 * label = `Fraud`. No exporter, description or quantity. Detected without the outcome columns `Fraud` and
 * `Critical Fraud` (new declarations have no outcome yet): a file without them reads with label null (unknown).
 */
export const KCS_DECLARATION_MAPPING: DeclarationMapping = {
  description: 'Korea Customs Service synthetic import declarations (KRW, ISO2 countries, HS6, Fraud label)',
  countryCodes: 'iso2',
  // not the outcome columns (`Fraud`, `Critical Fraud`): declarations still to screen have none, and read with
  // a null (unknown) label and critical_fraud
  detect: ['Declaration ID', 'HS6 Code', 'Country of Departure', 'Country of Origin', 'Item Price'],
  fields: {
    declaration_id: { column: 'Declaration ID' },
    date: { column: 'Date' },
    direction: { const: 'import' },
    declarant: { column: 'Declarant ID' },
    importer: { column: 'Importer ID' },
    seller: { column: 'Seller ID' },
    declared_code: { column: 'HS6 Code' },
    origin: { column: 'Country of Origin' },
    departure: { column: 'Country of Departure' },
    destination: { const: 'KR' },
    transport_mode: { column: 'Mode of Transport' },
    net_mass_kg: { column: 'Net Mass' },
    value: { column: 'Item Price' },
    currency: { const: 'KRW' },
    office: { column: 'Office ID' },
    tax_rate_pct: { column: 'Tax Rate' },
    label: { column: 'Fraud' },
  },
  extras: {
    process_type: { column: 'Process Type', type: 'text' },
    import_type: { column: 'Import Type', type: 'text' },
    import_use: { column: 'Import Use', type: 'text' },
    payment_type: { column: 'Payment Type', type: 'text' },
    courier: { column: 'Courier ID', type: 'text' },
    tax_type: { column: 'Tax Type', type: 'text' },
    origin_indicator: { column: 'Country of Origin Indicator', type: 'text' },
    critical_fraud: { column: 'Critical Fraud', type: 'int8' },
  },
};

/** Defaults for {@link DeclarationIngestParams}. */
export const declarationIngestDefaults: DeclarationIngestParams = {
  maxRejectRate: 0.01,
  currencyRatesUsd: {
    USD: 1,
    // EUR and CNY: the synthetic declarations' fixed rates (docs/synth.md, truth.currencies_usd)
    EUR: 1.08,
    CNY: 0.14,
    // KRW: ≈ 1/1,180, the won's 2020 annual average against the dollar (Bank of Korea and Federal Reserve H.10
    // series, ≈ 1,180 KRW per USD), the Korea Customs data's main year; H1 2021 averaged ≈ 1,120, so 2021
    // values read ≈ 5% low. Rounded; ranking features use logs, where a constant rate cancels.
    KRW: 0.00085,
    // 2023 annual averages (Federal Reserve H.10), rounded
    GBP: 1.24,
    JPY: 0.0071,
    HKD: 0.128,
    CHF: 1.11,
  },
  nullCountryCodes: ['ZZ', 'XX', 'ZZZ', 'XXX'],
  mappings: {},
};
