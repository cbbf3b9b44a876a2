import { z } from 'zod';

/** Where one canonical field of a mapped layout comes from; the first that applies wins: column, const, file name. */
export const fieldSpecSchema = z
  .object({
    /** Source column (header name, matched case-insensitively). Used when the file has it. */
    column: z.string().min(1).optional(),
    /** A constant for every row (e.g. the year of a file without a year column). */
    const: z.union([z.string(), z.number()]).optional(),
    /** A regular expression with one capture group, applied to the file's base name. */
    fromFileName: z.string().min(1).optional(),
    /** Multiplies a numeric field (e.g. 1000 for thousand USD); powers of ten are applied exactly on the decimal text. */
    multiplier: z.number().positive().optional(),
    /** Translates source values (e.g. `{ "1": "M", "2": "X" }` for flows); a value not listed passes through. */
    values: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/** A named column mapping for a CSV layout tradewatch does not know. */
export const mappingSchema = z
  .object({
    /** What the layout is, for people. */
    description: z.string().default(''),
    /**
     * Header columns that identify this layout when `--format` is not given (case-insensitive): a file whose header
     * has all of them, and that no built-in layout reads, is read with this mapping, noted in the manifest. Absent
     * or empty: only by `--format mapped:<name>`.
     */
    detect: z.array(z.string().min(1)).optional(),
    /** How the reporter and partner columns are coded. */
    countryCodes: z.enum(['comtrade', 'baci', 'iso3', 'name']),
    /** HS revision of the product codes (`HS2012`, `HS2017`, `HS2022`, …). */
    hsRevision: z.string().regex(/^HS\d{4}$/),
    /** For a source that spans a change of revision: revision → first period it applies to (`YYYY` or `YYYY-MM`), e.g. `{ HS2022: '2022-01' }`. */
    hsRevisionFrom: z.record(z.string().regex(/^HS\d{4}$/), z.string().regex(/^\d{4}(-\d{2})?$/)).optional(),
    fields: z
      .object({
        period: fieldSpecSchema,
        reporter: fieldSpecSchema,
        partner: fieldSpecSchema,
        partner2: fieldSpecSchema.optional(),
        flow: fieldSpecSchema,
        cmd_code: fieldSpecSchema,
        value_usd: fieldSpecSchema,
        cif_usd: fieldSpecSchema.optional(),
        fob_usd: fieldSpecSchema.optional(),
        net_weight_kg: fieldSpecSchema.optional(),
        qty: fieldSpecSchema.optional(),
        qty_unit: fieldSpecSchema.optional(),
        net_weight_estimated: fieldSpecSchema.optional(),
        qty_estimated: fieldSpecSchema.optional(),
      })
      .strict(),
  })
  .strict();

/** Settings of `tradewatch ingest` and of the ingest stage of every pipeline. */
export const ingestParamsSchema = z
  .object({
    /** Product selector: `all`, `@catalog`, `@<mineral>` or a list `811292,811010` (default `all` for ingest). */
    hs: z.string().min(1),
    /** Share of data rows that may be rejected for bad values before the run fails with exit 2 (0–1, default 0.01). */
    maxRejectRate: z.number().min(0).max(1),
    /**
     * Share of the rows examined that a rule may drop from keys that should be there — a key with two totals in
     * one input (`conflicting_totals`), breakdowns without their total (`total_missing`) — before the run fails
     * its `policy_drops` data check with exit 2 (0–1, default 0.01). Exclusions by design (an aggregate reporter,
     * the TOTAL code) and rows superseded by a later input (`superseded_by_later_input`, warned about) are not.
     */
    maxPolicyDropRate: z.number().min(0).max(1),
    /** Tolerance when checking that breakdown rows sum to a multiple of the largest row. */
    totals: z
      .object({
        /** Absolute tolerance, USD (default 1). */
        toleranceUsd: z.number().min(0),
        /** Relative tolerance (default 1e-6). */
        toleranceRelative: z.number().min(0),
      })
      .strict(),
    /** HS revision of BACI files whose name does not say it (`BACI_HS17_…` does; default `HS2017`). */
    baciHsRevision: z.string().regex(/^HS\d{4}$/),
    /** Column mappings usable as `--format mapped:<name>`. */
    mappings: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), mappingSchema),
  })
  .strict();

export type FieldSpec = z.infer<typeof fieldSpecSchema>;
export type Mapping = z.infer<typeof mappingSchema>;
/** Resolved ingest settings. */
export type IngestParams = z.infer<typeof ingestParamsSchema>;

/** Comtrade quantity unit codes → unit abbreviations (`-1` and `1` mean no quantity). */
export const COMTRADE_QTY_UNITS: Readonly<Record<string, string>> = {
  '-1': '',
  '1': '',
  '2': 'm2',
  '3': '1000kWh',
  '4': 'm',
  '5': 'u',
  '6': '2u',
  '7': 'l',
  '8': 'kg',
  '9': '1000u',
  '10': 'u(jeu/pack)',
  '11': '12u',
  '12': 'm3',
  '13': 'carat',
};

/** Defaults for {@link IngestParams}, with the mappings for the two shared re-cuts of the atlas data. */
export const ingestDefaults: IngestParams = {
  hs: 'all',
  maxRejectRate: 0.01,
  maxPolicyDropRate: 0.01,
  totals: { toleranceUsd: 1, toleranceRelative: 1e-6 },
  baciHsRevision: 'HS2017',
  mappings: {
    'comtrade-atlas': {
      description:
        'UN Comtrade annual records as re-cut by critical-materials-atlas (raw_comtrade/comtrade_YYYY.csv): ' +
        'year,reporter,partner,cmd,flow,value,netwgt[,qty,qtyunit]; Comtrade area codes; value = primaryValue USD; ' +
        'the 2024 file has no year column, so the year comes from the file name.',
      // both years' files have these (the 2022 one adds year, qty, qtyunit)
      detect: ['reporter', 'partner', 'cmd', 'flow', 'value', 'netwgt'],
      countryCodes: 'comtrade',
      hsRevision: 'HS2022',
      fields: {
        period: { column: 'year', fromFileName: '(\\d{4})' },
        reporter: { column: 'reporter' },
        partner: { column: 'partner' },
        flow: { column: 'flow' },
        cmd_code: { column: 'cmd' },
        value_usd: { column: 'value' },
        net_weight_kg: { column: 'netwgt' },
        qty: { column: 'qty' },
        qty_unit: { column: 'qtyunit', values: { ...COMTRADE_QTY_UNITS } },
      },
    },
    'atlas-baci': {
      description:
        'CEPII BACI (HS17) as re-cut by critical-materials-atlas (baci_recon/baci_YYYY.csv): i,j,cmd,value; ' +
        'ISO3 exporter and importer (S19 = Taiwan), value in USD; no year column: the year is a constant, ' +
        'taken from the file name unless set (--set ingest.mappings.atlas-baci.fields.period.const=2024).',
      detect: ['i', 'j', 'cmd', 'value'],
      countryCodes: 'iso3',
      hsRevision: 'HS2017',
      fields: {
        period: { fromFileName: '(\\d{4})' },
        reporter: { column: 'i' },
        partner: { column: 'j' },
        flow: { const: 'X' },
        cmd_code: { column: 'cmd' },
        value_usd: { column: 'value' },
      },
    },
    'china-monthly': {
      description:
        'China-reported monthly exports by partner name (china-exports-monthly/deep_dive_hs6_monthly.csv): ' +
        'period_dt (YYYY-MM-DD), partner_name, hs6, val (USD), qty (kg).',
      detect: ['period_dt', 'partner_name', 'hs6', 'val'],
      countryCodes: 'name',
      // China reports in HS2022 from January 2022 (in HS2017 before)
      hsRevision: 'HS2017',
      hsRevisionFrom: { HS2022: '2022-01' },
      fields: {
        period: { column: 'period_dt' },
        reporter: { const: 'China' },
        partner: { column: 'partner_name' },
        flow: { const: 'X' },
        cmd_code: { column: 'hs6' },
        value_usd: { column: 'val' },
        net_weight_kg: { column: 'qty' },
      },
    },
  },
};

