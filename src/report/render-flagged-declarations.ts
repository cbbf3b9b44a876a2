import type { Table } from 'apache-arrow';
import { routeAnchor } from './anchors.ts';
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
  /**
   * The transshipment report whose flagged routes the screening read, relative to this page
   * (`../../transshipment/as_of=…/report.html`): a declaration's `route_flag_id` links to that route's row there.
   */
  routesReport?: string;
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
    [{ label: 'rule' }, { label: 'declarations', numeric: true }, { label: 'what it means', wrap: 'wide' }],
    [...counts].sort((a, b) => b[1] - a[1]).map(([r, n]) => [reasonBadge(r), esc(n.toLocaleString('en-US')), esc(REASONS[r] ?? '')]),
  );
  // the ranking first: rank, declaration, score, reasons, then the route and the goods
  const ranked = renderFlagTable(rows, o.columns, {
    limit,
    cls: 'ranking',
    order: ['rank', 'declaration', 'score', 'reasons', 'route'],
    folded: ['declaration_id', 'date', 'direction', 'declared_code', 'origin', 'departure', 'destination', 'isolation_score', 'model_score'],
    custom: {
      score: { label: 'score', numeric: true, html: (i) => scoreCell(rows, i) },
      declaration: { label: 'declaration', wrap: true, cls: 'route', html: (i) => declarationCell(rows, i) },
      route: { label: 'route', title: 'origin → departure → destination', wrap: true, html: (i) => esc(['origin', 'departure', 'destination'].map((c) => rows.str(c, i) ?? '?').join(' → ')) },
    },
    cell: (c, i) => (c === 'reasons' ? reasonsWithNumbers(rows, i, o.routesReport) : c === 'value_usd' ? esc(usdShort(rows.num(c, i))) : undefined),
  });
  return `<section id="flagged_declarations">${head}
<h3>Declarations, ranked</h3>
${ranked}
${lead}
<h3>What the rules caught</h3>
${byRule}
</section>`;
}

/** What declaration i is: `D7-000518 · 2024-01-05 · 681599`. */
export function declarationLabel(rows: Rows, i: number): string {
  return [rows.str('declaration_id', i), rows.str('date', i), rows.str('declared_code', i)].filter(Boolean).join(' · ');
}

/** Declaration i's score, and under it the isolation and model scores that went into it. */
function scoreCell(rows: Rows, i: number): string {
  const parts = [['isolation', rows.num('isolation_score', i)], ['model', rows.num('model_score', i)]] as const;
  const more = parts.filter(([, v]) => v !== null).map(([k, v]) => `${k} ${formatNumber(v)}`).join(' · ');
  return `${esc(formatNumber(rows.num('score', i)))}${more ? `<br><span class="small muted">${esc(more)}</span>` : ''}`;
}

/** Declaration i in a ranking cell: its id, then its date, direction and declared code, then the record it came from. */
function declarationCell(rows: Rows, i: number): string {
  const more = [rows.str('date', i), rows.str('direction', i), rows.str('declared_code', i)].filter(Boolean).join(' · ');
  return `${esc(rows.str('declaration_id', i) ?? '?')}${more ? `<br><span class="small muted">${esc(more)}</span>` : ''}${recordOf(rows, i)}`;
}

function reasonsWithNumbers(rows: Rows, i: number, routesReport: string | undefined): string {
  const reasons = rows.list<string>('reasons', i).map(String);
  if (!reasons.length) return `<span class="muted">high combined score</span>`;
  const route = rows.str('route_flag_id', i);
  return reasons.map((r) => {
    const d = numbersOf(r, rows, i);
    // the flagged route behind a via-hub reason, linked to its row in the transshipment report
    const link = route && (r === 'via_flagged_hub' || r === 'origin_flagged_hub')
      ? `, route ${routesReport ? `<a href="${esc(`${routesReport}#${routeAnchor(route)}`)}">${esc(route)}</a>` : `<code>${esc(route)}</code>`}`
      : '';
    return `${reasonBadge(r)}${d || link ? ` <span class="small">${esc(d)}${link}</span>` : ''}`;
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
    case 'banned_destination_via_third':
      return `${s('origin') ?? '?'} → ${s('departure') ?? '?'} → ${s('destination') ?? '?'}`;
    case 'via_flagged_hub':
      return `${s('origin') ?? '?'} → ${s('departure') ?? '?'} → ${s('destination') ?? '?'}`;
    case 'origin_flagged_hub':
      return `hub's earlier share ${percent(n('hub_prior_export_share'))}`;
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

/** The record declaration i came from: its file's name and line (the whole path in the tooltip); '' when unknown. */
function recordOf(rows: Rows, i: number): string {
  const f = rows.str('source_file', i);
  if (!f) return '';
  const line = rows.num('source_line', i);
  const at = line !== null ? `:${line}` : '';
  return `<br><span class="small" title="${esc(`${f}${at}`)}">${esc(`${f.split(/[\\/]/).pop()}${at}`)}</span>`;
}
