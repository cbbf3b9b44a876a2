import type { Table } from 'apache-arrow';
import { formatNumber, Rows, usdShort } from './cells.ts';
import { esc, htmlTable } from './html.ts';
import { periodRange } from './render-line-chart.ts';

/** Options of {@link renderCoverage}. */
export interface CoverageSectionOptions {
  /** Rows of the full reporter × flow × period table shown at most (default 2,000; coverage.parquet has them all). */
  limit?: number;
}

const FLOWS: Readonly<Record<string, string>> = { X: 'exports', M: 'imports', RX: 're-exports', RM: 're-imports' };

/**
 * The coverage table (`coverage.parquet`: reporter × flow × period with rows, partners, products and value): one
 * line per reporter and direction — periods published, first and last, the periods missing in between, rows,
 * the most partners and products of a period, the value — then every reporter × flow × period, folded. Pure.
 */
export function renderCoverage(table: Table, o: CoverageSectionOptions = {}): string {
  const rows = new Rows(table);
  const groups = new Map<string, { reporter: string; flow: string; periods: string[]; rows: number; partners: number; products: number; value: number }>();
  for (let i = 0; i < rows.length; i++) {
    const reporter = rows.str('reporter', i) ?? '?';
    const flow = rows.str('flow', i) ?? '?';
    const k = `${reporter}|${flow}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { reporter, flow, periods: [], rows: 0, partners: 0, products: 0, value: 0 }));
    const p = rows.str('period', i);
    if (p) g.periods.push(p);
    g.rows += rows.num('rows', i) ?? 0;
    g.partners = Math.max(g.partners, rows.num('partners', i) ?? 0);
    g.products = Math.max(g.products, rows.num('products', i) ?? 0);
    g.value += rows.num('value_usd', i) ?? 0;
  }
  const reporters = new Set([...groups.values()].map((g) => g.reporter)).size;
  const head = `<h2>Coverage — ${reporters.toLocaleString('en-US')} reporter${reporters === 1 ? '' : 's'}, ${rows.length.toLocaleString('en-US')} reporter × flow × period rows</h2>`;
  const lead = `<p class="lead">What each country published, by direction and period: how many rows, partners and products, and
their value. A period missing between a reporter's first and last one is a gap: a flag that needs that period cannot be judged there.</p>`;
  if (!rows.length) return `<section id="coverage">${head}${lead}<p>The inputs held no trade rows.</p></section>`;
  const summary = htmlTable(
    [
      { label: 'reporter' }, { label: 'flow' }, { label: 'periods', numeric: true }, { label: 'first' }, { label: 'last' },
      { label: 'missing in between', wrap: true }, { label: 'rows', numeric: true }, { label: 'partners (most in a period)', numeric: true },
      { label: 'products (most in a period)', numeric: true }, { label: 'value', numeric: true },
    ],
    [...groups.values()].map((g) => {
      const ps = [...new Set(g.periods)].sort();
      const have = new Set(ps);
      const missing = ps.length ? periodRange(ps[0], ps[ps.length - 1]).filter((p) => !have.has(p)) : [];
      return [
        esc(g.reporter), esc(FLOWS[g.flow] ?? g.flow), esc(formatNumber(ps.length, 0)), esc(ps[0] ?? '—'), esc(ps[ps.length - 1] ?? '—'),
        missing.length ? esc(missingText(missing)) : '<span class="muted">none</span>',
        esc(formatNumber(g.rows, 0)), esc(formatNumber(g.partners, 0)), esc(formatNumber(g.products, 0)), esc(usdShort(g.value)),
      ];
    }),
    'ranking',
  );
  const limit = Math.min(rows.length, o.limit ?? 2000);
  const all = htmlTable(
    [
      { label: 'reporter' }, { label: 'flow' }, { label: 'period' }, { label: 'rows', numeric: true }, { label: 'partners', numeric: true },
      { label: 'products', numeric: true }, { label: 'value (USD)', numeric: true },
    ],
    Array.from({ length: limit }, (_, i) => [
      esc(rows.str('reporter', i) ?? '—'), esc(FLOWS[rows.str('flow', i) ?? ''] ?? rows.str('flow', i) ?? '—'), esc(rows.str('period', i) ?? '—'),
      esc(formatNumber(rows.num('rows', i), 0)), esc(formatNumber(rows.num('partners', i), 0)), esc(formatNumber(rows.num('products', i), 0)),
      esc(formatNumber(rows.num('value_usd', i), 0)),
    ]),
  );
  return `<section id="coverage">${head}
<h3>By reporter and direction</h3>
${summary}
${lead}
<details><summary>Every reporter × flow × period${rows.length > limit ? ` (the first ${limit.toLocaleString('en-US')} of ${rows.length.toLocaleString('en-US')}; coverage.parquet has them all)` : ''}</summary>
${all}
</details>
</section>`;
}

/** Missing periods in words, runs joined: `2023-03, 2023-07–2023-09`. */
function missingText(missing: readonly string[]): string {
  const runs: [string, string][] = [];
  for (const p of missing) {
    const last = runs[runs.length - 1];
    if (last && periodRange(last[1], p).length === 2) last[1] = p;
    else runs.push([p, p]);
  }
  return runs.map(([a, b]) => (a === b ? a : `${a}–${b}`)).join(', ');
}
