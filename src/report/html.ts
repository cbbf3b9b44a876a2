/** Escapes text for HTML (and SVG) content and attribute values: every `& < > " '`. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A column of {@link htmlTable}: its header, the header's tooltip, and how its cells sit. */
export interface TableHead {
  label: string;
  title?: string;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
  /** Long text: cells may wrap (others stay on one line); `wide` for lists of badges. */
  wrap?: boolean | 'wide';
  /** Extra class of the column's cells. */
  cls?: string;
}

/** Options of {@link htmlTable}. */
export interface TableOptions {
  /** Class of the `<table>`. */
  cls?: string;
  /** An `id` per body row (an anchor other pages link to), or undefined for none. */
  rowId?: (row: number) => string | undefined;
}

/** A table from a header row and body cells that are already HTML (escape text with {@link esc} first). */
export function htmlTable(head: readonly TableHead[], rows: readonly string[][], opts: string | TableOptions = {}): string {
  const { cls = '', rowId } = typeof opts === 'string' ? { cls: opts } : opts;
  const th = head.map((h) => `<th${h.title ? ` title="${esc(h.title)}"` : ''}${h.numeric ? ' class="num"' : ''}>${esc(h.label)}</th>`).join('');
  const td = head.map((h) => {
    const c = [h.numeric ? 'num' : h.wrap ? `wrap${h.wrap === 'wide' ? ' wide' : ''}` : '', h.cls ?? ''].filter(Boolean).join(' ');
    return c ? ` class="${esc(c)}"` : '';
  });
  const body = rows.map((r, i) => {
    const id = rowId?.(i);
    return `<tr${id ? ` id="${esc(id)}"` : ''}>${r.map((c, k) => `<td${td[k] ?? ''}>${c}</td>`).join('')}</tr>`;
  }).join('\n');
  return `<div class="scroll"><table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/**
 * The font stack of the report: the system's UI font, then CJK fonts (Chinese goods descriptions render as
 * empty boxes without one), then the generic family.
 */
export const FONT_STACK =
  'system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","PingFang SC","Hiragino Sans GB","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif';

/**
 * A whole self-contained page: inline CSS only, no script, no external resource (a Content-Security-Policy
 * says so to the browser too).
 */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head><body>
${body}
</body></html>
`;
}

const REPORT_CSS = `
body{font:14px/1.45 ${FONT_STACK};margin:0 auto;padding:1.5rem 2rem 3rem;max-width:86rem;color:#1b1f24;background:#fff}
h1{font-size:1.5rem;margin:.2rem 0 .3rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;padding-top:.6rem;border-top:2px solid #d8dee4}
h3{font-size:1.02rem;margin:1.1rem 0 .3rem}p{margin:.35rem 0}.lead{color:#424a53;max-width:60rem}
.muted{color:#59636e}.small{font-size:12px}code{font-size:12px;background:#f3f5f7;padding:0 .25rem;border-radius:3px}
nav.toc{margin:.6rem 0 0;font-size:13px}nav.toc a{margin-right:1rem}
a{color:#0a58ca}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.4rem 0;font-size:12.5px}
td,th{border-bottom:1px solid #d8dee4;padding:.2rem .45rem;text-align:left;vertical-align:top}
td{white-space:nowrap}td.wrap{white-space:normal;min-width:8rem;overflow-wrap:anywhere}td.wide{min-width:11rem}
table.ranking td,table.ranking th{padding:.2rem .35rem}table.ranking td.wrap{min-width:0;overflow-wrap:normal}table.ranking td.wide{min-width:9rem}
table.ranking td.route{min-width:7rem}table.ranking td.why{min-width:12rem}
td.path{white-space:normal;overflow-wrap:anywhere;min-width:7rem}
tr:target td{background:#fff8c5}.nw{white-space:nowrap}
th{background:#f6f8fa;font-weight:600;vertical-align:bottom}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.figures{display:flex;flex-wrap:wrap;gap:.6rem;margin:.8rem 0}
.figure{border:1px solid #d8dee4;border-radius:6px;padding:.45rem .8rem;min-width:9rem}
.figure b{display:block;font-size:1.35rem;font-variant-numeric:tabular-nums}.figure span{color:#59636e;font-size:12px}
.badge{display:inline-block;border-radius:9px;padding:0 .45rem;font-size:11px;font-weight:600;white-space:nowrap;margin:1px 2px 1px 0}
.b-new{background:#fff1c2;color:#7a4d00}.b-persisting{background:#e7ecf0;color:#424a53}.b-dropped{background:#ffe0dd;color:#8c1d13}
.b-confirmed{background:#ffd8d3;color:#8c1d13}.b-watch{background:#fff1c2;color:#7a4d00}.b-dismissed{background:#e7ecf0;color:#424a53}
.b-reason{background:#eef2ff;color:#253a8a;font-weight:500}
.pass{color:#067647;font-weight:600}.fail{color:#b42318;font-weight:600}.warn{color:#9a6700;font-weight:600}
.card{border:1px solid #d8dee4;border-radius:8px;padding:.7rem 1rem;margin:1rem 0;break-inside:avoid}
.card h3{margin-top:.1rem}
.grid{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
.grid>div{flex:1 1 22rem;min-width:0}
ul.reasons{margin:.3rem 0;padding-left:1.1rem}ul.reasons li{margin:.15rem 0}
svg.chart{display:block;max-width:100%;height:auto}
details{margin:.4rem 0}summary{cursor:pointer;color:#0a58ca}
dl.glossary{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.4rem 0}
dl.glossary dt{font-family:ui-monospace,monospace;font-size:12px}dl.glossary dd{margin:0}
`;
