import { DataType } from 'apache-arrow';
import { formatNumber, type Rows } from './cells.ts';
import { changeBadge, statusColumns, verdictBadge } from './flag-status.ts';
import { reasonBadge } from './glossary.ts';
import { esc, htmlTable } from './html.ts';

/** Plain headers for the columns flagged tables declare; a column not listed shows its own name. */
const LABELS: Readonly<Record<string, string>> = {
  hub_name: 'hub name',
  hs6: 'product (HS6)',
  control_id: 'control',
  period_start: 'from',
  period_end: 'to',
  first_leg_surge: 'first leg rise (log)',
  first_leg_excess: 'first leg above trend (log)',
  at_stake_usd: 'at stake (USD)',
  weakest_link_z: 'weakest link (z)',
  links_missing: 'links missing',
  counterfactual_basis: 'counterfactual',
  second_leg_surge: 'second leg rise (log)',
  diversion: 'direct flow change (log)',
  pass_through: 'pass-through',
  hub_prior_export_share: "hub's earlier share",
  consignment_usd: 'consigned via hub (USD)',
  exporter_value_usd: 'exporter says (USD, FOB)',
  importer_value_fob_usd: 'importer says (USD, as FOB)',
  importer_value_usd: 'importer says (USD, CIF)',
  gap_usd: 'gap (USD)',
  log_ratio: 'log ratio',
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
const WRAP = new Set(['description', 'hs6_description', 'verdict_note']);

/** Options of {@link renderFlagTable}. */
export interface FlagTableOptions {
  /** Rows shown at most. */
  limit: number;
  /** Custom HTML for a cell (already escaped), or undefined for the default. */
  cell?: (column: string, i: number) => string | undefined;
  /** Extra columns after the declared ones: header and HTML per row. */
  extra?: readonly { label: string; html: (i: number) => string }[];
}

/**
 * The flagged rows as a table: the declared columns that exist, with plain headers (the column's own name as
 * tooltip), numbers formatted, reasons as explained badges placed before the numbers, then a `change` and a
 * `review` column when the table carries run-to-run changes or verdicts.
 */
export function renderFlagTable(rows: Rows, columns: readonly string[], opts: FlagTableOptions): string {
  const numeric = new Set(rows.table.schema.fields.filter((f) => DataType.isFloat(f.type) || DataType.isInt(f.type)).map((f) => f.name));
  // what, then why, then the numbers: reasons go before the first numeric column after the rank
  const cols = columns.filter((c) => rows.has(c) && c !== 'reasons');
  if (columns.includes('reasons') && rows.has('reasons')) {
    const at = cols.findIndex((c) => c !== 'rank' && numeric.has(c));
    cols.splice(at < 0 ? cols.length : at, 0, 'reasons');
  }
  const status = statusColumns(rows);
  const head = [
    ...cols.map((c) => ({ label: LABELS[c] ?? c, title: LABELS[c] ? c : undefined, numeric: numeric.has(c), wrap: c === 'reasons' ? ('wide' as const) : WRAP.has(c) })),
    ...(opts.extra ?? []).map((e) => ({ label: e.label })),
    ...(status.change ? [{ label: 'since last run' }] : []),
    ...(status.verdict ? [{ label: 'review', wrap: true }] : []),
  ];
  const n = Math.min(rows.length, opts.limit);
  const body: string[][] = [];
  for (let i = 0; i < n; i++) {
    body.push([
      ...cols.map((c) => opts.cell?.(c, i) ?? defaultCell(rows, c, i)),
      ...(opts.extra ?? []).map((e) => e.html(i)),
      ...(status.change ? [changeBadge(rows, i)] : []),
      ...(status.verdict ? [verdictBadge(rows, i)] : []),
    ]);
  }
  return htmlTable(head, body);
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
  if (typeof v === 'number' || typeof v === 'bigint') return esc(formatNumber(Number(v), column.endsWith('_usd') ? 0 : 2));
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'object' && 'toArray' in v) return esc(rows.list(column, i).map(String).join(', '));
  return esc(String(v));
}
