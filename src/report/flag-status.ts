import { formatNumber, type Rows } from './cells.ts';
import { esc } from './html.ts';

/**
 * The run-to-run change of flagged row i (`change`, `score_change`) as a badge, or '' when the table has no
 * `change` column.
 */
export function changeBadge(rows: Rows, i: number): string {
  const c = rows.str('change', i);
  if (!c) return '';
  const d = rows.num('score_change', i);
  const moved = c === 'persisting' && d !== null && Math.abs(d) >= 0.005 ? ` ${d > 0 ? '+' : '−'}${formatNumber(Math.abs(d))}` : '';
  const title = c === 'new' ? 'flagged in this run, not in the last one' : c === 'persisting' ? 'flagged in the last run too; the number is the change of score' : c;
  return `<span class="badge b-${esc(c)}" title="${esc(title)}">${esc(c)}${esc(moved)}</span>`;
}

/** An analyst's verdict on flagged row i (`verdict`, `verdict_reviewer`, `verdict_date`, `verdict_note`) as a badge, or ''. */
export function verdictBadge(rows: Rows, i: number): string {
  const v = rows.str('verdict', i);
  if (!v) return '';
  const who = [rows.str('verdict_reviewer', i), rows.str('verdict_date', i)].filter(Boolean).join(', ');
  const note = rows.str('verdict_note', i);
  const cls = v.startsWith('dismissed') ? 'dismissed' : v === 'confirmed' ? 'confirmed' : 'watch';
  const label = v === 'dismissed_resurfaced' ? 'dismissed, score rose since' : v;
  const title = [who && `by ${who}`, note].filter(Boolean).join(': ');
  return `<span class="badge b-${cls}"${title ? ` title="${esc(title)}"` : ''}>${esc(label)}</span>${note ? ` <span class="muted small">${esc(note)}</span>` : ''}`;
}

/** Whether a flagged table carries run-to-run changes or verdicts: which extra columns the report shows. */
export function statusColumns(rows: Rows): { change: boolean; verdict: boolean } {
  return { change: rows.has('change'), verdict: rows.has('verdict') };
}
