import type { Table } from 'apache-arrow';
import type { RunManifest } from '../run/manifest.ts';

/** A flagged table to show at the top of the report: its name and the rows, most suspicious first. */
export interface ReportHighlight {
  name: string;
  table: Table;
  /** Columns to show, in order (missing ones are skipped). */
  columns: readonly string[];
  /** Rows to show at most (default 25). */
  limit?: number;
}

/**
 * A self-contained HTML page summarising one run (inputs, stages, checks, outputs, counts): what an
 * analyst opens first. Pure; the same manifest gives the same bytes.
 */
export function renderRunSummary(m: RunManifest, highlights: readonly ReportHighlight[] = []): string {
  const rows = (cells: (string | number | null)[][]) =>
    cells.map((r) => `<tr>${r.map((c) => `<td>${esc(c === null ? '—' : String(c))}</td>`).join('')}</tr>`).join('\n');
  const table = (head: string[], body: (string | number | null)[][]) =>
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows(body)}</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tradewatch · ${esc(m.pipeline)} · ${esc(m.as_of)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:70rem;color:#1b1f24}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;margin:.4rem 0}td,th{border-bottom:1px solid #d8dee4;padding:.25rem .7rem;text-align:left}
td:nth-child(n+2){font-variant-numeric:tabular-nums}.fail{color:#b42318}.ok{color:#067647}
</style></head><body>
<h1>${esc(m.pipeline)} — partition ${esc(m.partition)}</h1>
<p>Run <code>${esc(m.run_id)}</code>, status <strong>${esc(m.status)}</strong>, ${m.duration_s} s, tradewatch ${esc(m.tradewatch_version)}.</p>
${highlights.map((h) => highlight(h)).join('\n')}
<h2>Checks</h2>
${table(['check', 'severity', 'result', 'detail'], m.checks.map((c) => [c.name, c.severity, c.passed ? 'passed' : 'FAILED', c.message]))}
<h2>Outputs</h2>
${table(['file', 'rows'], m.outputs.map((o) => [o.path, o.rows]))}
<h2>Stages</h2>
${table(['stage', 'seconds', 'rows'], m.stages.map((s) => [s.name, s.seconds, s.rows]))}
<h2>Inputs</h2>
${table(['file', 'layout', 'bytes'], m.inputs.map((i) => [i.path, i.layout ?? null, i.bytes]))}
<h2>Counts</h2>
${table(['count', 'value'], Object.entries(m.counts))}
</body></html>
`;
}

function highlight(h: ReportHighlight): string {
  const cols = h.columns.filter((c) => h.table.getChild(c));
  const n = Math.min(h.table.numRows, h.limit ?? 25);
  const vecs = cols.map((c) => h.table.getChild(c)!);
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '—';
    if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en') : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : v.toFixed(3);
    if (typeof v === 'object' && v !== null && 'toArray' in v) return [...(v as { toArray(): unknown[] }).toArray()].join(', ');
    return String(v);
  };
  const body = Array.from({ length: n }, (_, i) => `<tr>${vecs.map((v) => `<td>${esc(cell(v.get(i)))}</td>`).join('')}</tr>`).join('\n');
  return `<h2>${esc(h.name)} — ${h.table.numRows.toLocaleString('en')} flagged${h.table.numRows > n ? `, top ${n} shown` : ''}</h2>
<table><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
