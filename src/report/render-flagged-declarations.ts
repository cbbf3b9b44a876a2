import type { Table } from 'apache-arrow';
import { formatNumber, percent, Rows, usdShort } from './cells.ts';
import { emptyTable, renderFlagTable } from './flag-table.ts';
import { REASONS, reasonBadge } from './glossary.ts';
import { esc, htmlTable } from './html.ts';

/** Options of {@link renderFlaggedDeclarations}. */
export interface DeclarationSectionOptions {
  title: string;
  /** Columns of the table (the pipeline's `report` declaration); `reasons` is shown with the numbers behind each. */
  columns: readonly string[];
  /** Rows shown at most (default 100). */
  limit?: number;
}

/**
 * The flagged declarations: what the screening does, how many declarations each rule caught, then the
 * declarations ranked, each reason with the number behind it and the record it came from. Pure.
 */
export function renderFlaggedDeclarations(table: Table, o: DeclarationSectionOptions): string {
  const rows = new Rows(table);
  const limit = Math.min(rows.length, o.limit ?? 100);
  const head = `<h2>${esc(o.title)} — ${rows.length.toLocaleString('en-US')} flagged${rows.length > limit ? `, top ${limit} shown` : ''}</h2>`;
  const lead = `<p class="lead">Customs declarations ranked for inspection. A declaration is flagged when one of the named rules
fires or its combined score (rules, how unusual its numbers are, and a model learned from earlier inspection outcomes when
given) is high. Each reason is shown with the number behind it.</p>`;
  if (!rows.length) return `<section id="flagged_declarations">${head}${lead}<p>No declaration was flagged in this run.</p>${emptyTable(rows, o.columns)}</section>`;
  const counts = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) for (const r of rows.list<string>('reasons', i)) counts.set(String(r), (counts.get(String(r)) ?? 0) + 1);
  const byRule = htmlTable(
    [{ label: 'rule' }, { label: 'declarations', numeric: true }, { label: 'what it means' }],
    [...counts].sort((a, b) => b[1] - a[1]).map(([r, n]) => [reasonBadge(r), esc(n.toLocaleString('en-US')), esc(REASONS[r] ?? '')]),
  );
  const ranked = renderFlagTable(rows, o.columns, {
    limit,
    cell: (c, i) => (c === 'reasons' ? reasonsWithNumbers(rows, i) : c === 'value_usd' ? esc(usdShort(rows.num(c, i))) : undefined),
    extra: rows.has('source_file') ? [{ label: 'record', html: (i) => recordOf(rows, i) }] : [],
  });
  return `<section id="flagged_declarations">${head}${lead}
<h3>What the rules caught</h3>
${byRule}
<h3>Declarations, ranked</h3>
${ranked}
</section>`;
}

/** What declaration i is: `D7-000518 · 2024-01-05 · 681599`. */
export function declarationLabel(rows: Rows, i: number): string {
  return [rows.str('declaration_id', i), rows.str('date', i), rows.str('declared_code', i)].filter(Boolean).join(' · ');
}

function reasonsWithNumbers(rows: Rows, i: number): string {
  const reasons = rows.list<string>('reasons', i).map(String);
  if (!reasons.length) return `<span class="muted">high combined score</span>`;
  return reasons.map((r) => {
    const d = numbersOf(r, rows, i);
    return `${reasonBadge(r)}${d ? ` <span class="small">${esc(d)}</span>` : ''}`;
  }).join('<br>');
}

/** The numbers behind rule r on declaration i, in words. */
function numbersOf(r: string, rows: Rows, i: number): string {
  const n = (c: string) => rows.num(c, i);
  const s = (c: string) => rows.str(c, i);
  switch (r) {
    case 'misclassified_description':
      return s('misclassified_mineral') ? `names ${s('misclassified_mineral')}` : '';
    case 'misclassified_unit_value':
      return `priced like ${s('looks_like_hs6') ?? '?'} (|z| ${formatNumber(n('looks_like_abs_z'))} there, ${formatNumber(n('unit_value_robust_z'))} under its own code)`;
    case 'banned_destination':
      return `to ${s('destination') ?? '?'}`;
    case 'via_flagged_hub':
      return `${s('origin') ?? '?'} → ${s('departure') ?? '?'} → ${s('destination') ?? '?'}${s('route_flag_id') ? `, route ${s('route_flag_id')}` : ''}`;
    case 'origin_flagged_hub':
      return `hub's earlier share ${percent(n('hub_prior_export_share'))}${s('route_flag_id') ? `, route ${s('route_flag_id')}` : ''}`;
    case 'unit_value_outlier': {
      const luv = n('log_unit_value');
      return `price z ${formatNumber(n('unit_value_robust_z'))}${luv !== null ? `, USD ${formatNumber(Math.exp(luv))}/kg` : ''}`;
    }
    case 'mass_quantity_mismatch':
      return `mass / quantity ${formatNumber(n('mass_quantity_ratio'))}`;
    case 'value_quantity_outlier':
      return `price per ${s('quantity_unit') ?? 'unit'} z ${formatNumber(n('value_per_unit_robust_z'))}`;
    case 'split_shipment':
      return `${formatNumber(n('split_lots_in_window'), 0)} lots within the window`;
    case 'new_consignee':
      return n('consignee_age_days') === 0 ? 'importer first seen on this day' : `importer first seen ${formatNumber(n('consignee_age_days'), 0)} days earlier`;
    default:
      return '';
  }
}

function recordOf(rows: Rows, i: number): string {
  const f = rows.str('source_file', i);
  if (!f) return '<span class="muted">—</span>';
  const line = rows.num('source_line', i);
  return `<span class="small">${esc(`${f}${line !== null ? `:${line}` : ''}`)}</span>`;
}
