import type { RunManifest } from '../run/manifest.ts';

/** The combined report of `run all`: one line per pipeline partition, linking each run's own report. Pure. */
export function renderRunIndex(manifests: readonly RunManifest[]): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const rows = manifests
    .map((m) => {
      const href = `../../${m.pipeline}/${m.partition}/report.html`; // OUT/report/as_of=…/ → OUT/<pipeline>/<partition>/
      const outputs = m.outputs.map((o) => `${esc(o.path)} (${o.rows})`).join(', ');
      return `<tr><td><a href="${esc(href)}">${esc(m.pipeline)}</a></td><td>${esc(m.partition)}</td><td>${esc(m.status)}</td><td>${outputs}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tradewatch · all pipelines</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse}td,th{border-bottom:1px solid #d8dee4;padding:.25rem .7rem;text-align:left}</style>
</head><body><h1>tradewatch — all pipelines</h1>
<table><thead><tr><th>pipeline</th><th>partition</th><th>status</th><th>outputs (rows)</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
