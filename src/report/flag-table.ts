import { DataType } from 'apache-arrow';
import { factorHtml, formatNumber, type Rows } from './cells.ts';
import { changeBadge, statusColumns, verdictBadge } from './flag-status.ts';
import { reasonBadge } from './glossary.ts';
import { esc, htmlTable, type TableHead } from './html.ts';

/** Plain headers for the columns flagged tables declare; a column not listed shows its own name. */
const LABELS: Readonly<Record<string, string>> = {
  hub_name: 'hub name',
  hs6: 'product (HS6)',
  control_id: 'control',
  period_start: 'from',
  period_end: 'to',
  first_leg_surge: 'first leg rise',
  first_leg_excess: 'first leg above trend',
  at_stake_usd: 'at stake (USD)',
  weakest_link_z: 'weakest link (z)',
  links_missing: 'links missing',
  counterfactual_basis: 'counterfactual',
  second_leg_surge: 'second leg rise',
  diversion: 'direct flow change',
  comparator_first_leg_surge: 'comparator first leg rise',
  controlled_minus_comparator: 'first leg against comparator',
  destination_origin_kept_log_ratio: 'destination books origin',
  pass_through: 'pass-through',
  hub_prior_export_share: "hub's earlier share",
  consignment_usd: 'consigned via hub (USD)',
  exporter_value_usd: 'exporter says (USD, FOB)',
  importer_value_fob_usd: 'importer says (USD, as FOB)',
  importer_value_usd: 'importer says (USD, CIF)',
  gap_usd: 'gap (USD)',
  log_ratio: 'importer ÷ exporter',
  log_ratio_lag_tolerant: 'importer ÷ exporter (a month’s lag allowed)',
  robust_z: 'unusualness (z)',
  exporter_reliability: 'exporter reliability',
  importer_reliability: 'importer reliability',
  declaration_id: 'declaration',
  declared_code: 'declared code',
  value_usd: 'value (USD)',
  unit_value_robust_z: 'price z',
  isolation_score: 'isolation score',
  model_score: 'model score',
};

/** Columns of long text, whose cells may wrap. */
const WRAP = new Set(['description', 'hs6_description', 'verdict_note', 'links_missing', 'counterfactual_basis', 'noise_source']);

/**
 * Columns holding a natural log of a ratio or change: shown as the factor people read (`×6.5`), the log in the
 * tooltip.
 */
export const LOG_COLUMNS: ReadonlySet<string> = new Set([
  'first_leg_surge', 'first_leg_excess', 'second_leg_surge', 'diversion', 'comparator_first_leg_surge', 'controlled_minus_comparator',
  'destination_origin_kept_log_ratio', 'counterfactual_log_difference', 'log_ratio', 'log_ratio_lag_tolerant',
]);

/** A column a table builds itself (not read from one table column): its header and HTML per row. */
export interface CustomColumn extends TableHead {
  html: (i: number) => string;
}

/** Options of {@link renderFlagTable}. */
export interface FlagTableOptions {
  /** Rows shown at most. */
  limit: number;
  /** Custom HTML for a cell (already escaped), or undefined for the default. */
  cell?: (column: string, i: number) => string | undefined;
  /** Extra columns after the declared ones: header and HTML per row. */
  extra?: readonly CustomColumn[];
  /** Columns built by the caller, by key: a key in `order` places one; a key equal to a declared column replaces it. */
  custom?: Readonly<Record<string, CustomColumn>>;
  /**
   * The columns to show first, in this order (declared or custom keys; those the table lacks are skipped), then the
   * other declared ones. Without it, `reasons` goes before the first numeric column after the rank.
   */
  order?: readonly string[];
  /** Declared columns left out (shown inside a custom column). */
  folded?: readonly string[];
  /** An id per row, for anchors other pages link to. */
  rowId?: (i: number) => string | undefined;
  /** Class of the `<table>`. */
  cls?: string;
}

/**
 * The flagged rows as a table: the columns in `order` first (declared ones, or the caller's `custom` ones that fold
 * several declared columns into one cell), then the other declared columns that exist, with plain headers (the
 * column's own name as tooltip), numbers formatted, log ratios as factors (`×6.5`, the log in the tooltip),
 * reasons as explained badges, then a `change` and a `review` column when the table carries run-to-run changes or
 * verdicts. Without `order`, reasons go before the numbers.
 */
export function renderFlagTable(rows: Rows, columns: readonly string[], opts: FlagTableOptions): string {
  const numeric = new Set(rows.table.schema.fields.filter((f) => DataType.isFloat(f.type) || DataType.isInt(f.type)).map((f) => f.name));
  const custom = opts.custom ?? {};
  const folded = new Set(opts.folded ?? []);
  const exists = (c: string) => c in custom || rows.has(c);
  let cols: string[];
  if (opts.order) {
    const first = opts.order.filter((c) => exists(c) && (c in custom || columns.includes(c)));
    cols = [...first, ...columns.filter((c) => rows.has(c) && !folded.has(c) && !first.includes(c))];
  } else {
    // what, then why, then the numbers: reasons go before the first numeric column after the rank
    cols = columns.filter((c) => rows.has(c) && c !== 'reasons' && !folded.has(c));
    if (columns.includes('reasons') && rows.has('reasons') && !folded.has('reasons')) {
      const at = cols.findIndex((c) => c !== 'rank' && numeric.has(c));
      cols.splice(at < 0 ? cols.length : at, 0, 'reasons');
    }
  }
  const status = statusColumns(rows);
  const headOf = (c: string): TableHead => {
    const k = custom[c];
    if (k) return { label: k.label, title: k.title, numeric: k.numeric, wrap: k.wrap, cls: k.cls };
    return { label: LABELS[c] ?? c, title: LABELS[c] ? c : undefined, numeric: numeric.has(c), wrap: c === 'reasons' ? ('wide' as const) : WRAP.has(c) };
  };
  const head = [
    ...cols.map(headOf),
    ...(opts.extra ?? []).map((e): TableHead => ({ label: e.label, title: e.title, numeric: e.numeric, wrap: e.wrap, cls: e.cls })),
    ...(status.change ? [{ label: 'since last run' }] : []),
    ...(status.verdict ? [{ label: 'review', wrap: true }] : []),
  ];
  const n = Math.min(rows.length, opts.limit);
  const body: string[][] = [];
  for (let i = 0; i < n; i++) {
    body.push([
      ...cols.map((c) => custom[c]?.html(i) ?? opts.cell?.(c, i) ?? defaultCell(rows, c, i)),
      ...(opts.extra ?? []).map((e) => e.html(i)),
      ...(status.change ? [changeBadge(rows, i)] : []),
      ...(status.verdict ? [verdictBadge(rows, i)] : []),
    ]);
  }
  return htmlTable(head, body, { cls: opts.cls, rowId: opts.rowId });
}

/** For a table without rows: its columns, folded away (what a flag would show). */
export function emptyTable(rows: Rows, columns: readonly string[]): string {
  return `<details><summary>Columns a flag would show</summary>${renderFlagTable(rows, columns, { limit: 0 })}</details>`;
}

/** A cell as the column's type suggests: reasons as badges, lists joined, numbers formatted, text escaped. */
function defaultCell(rows: Rows, column: string, i: number): string {
  if (column === 'reasons') return rows.list<string>(column, i).map((r) => reasonBadge(String(r))).join(' ');
  const v = rows.value(column, i);
  if (v === null) return '<span class="muted">—</span>';
  if (LOG_COLUMNS.has(column) && (typeof v === 'number' || typeof v === 'bigint')) return factorHtml(Number(v));
  if (typeof v === 'number' || typeof v === 'bigint') return esc(formatNumber(Number(v), column.endsWith('_usd') ? 0 : 2));
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'object' && 'toArray' in v) return esc(rows.list(column, i).map(String).join(', '));
  return esc(String(v));
}
