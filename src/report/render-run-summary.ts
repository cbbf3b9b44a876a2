import type { RunManifest } from '../run/manifest.ts';

/**
 * A self-contained HTML page summarising one run (inputs, stages, checks, outputs, counts): what an
 * analyst opens first. Pure; the same manifest gives the same bytes.
 */
export function renderRunSummary(m: RunManifest): string {
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

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
