import type { RunManifest } from '../base/manifest.ts';
import { PIPELINES } from './glossary.ts';
import { esc, htmlPage, htmlTable } from './html.ts';

/** One pipeline run of `run all`: its manifest and, when known, the flagged outputs its `report` declares. */
export interface RunIndexEntry {
  manifest: RunManifest;
  sections?: readonly { output: string; title: string }[];
}

/** Options of {@link renderRunIndex}. */
export interface RunIndexOptions {
  /** When the page was written (shown as `generated 2026-01-01 00:00:00 UTC`). */
  generatedAt?: Date;
}

/**
 * The combined report of an output root for one as-of: what each pipeline does, its status, data date, headline
 * counts (flagged, new since the last run, checks), when it ran, and a link to its own report. Pure.
 */
export function renderRunIndex(entries: readonly (RunIndexEntry | RunManifest)[], opts: RunIndexOptions = {}): string {
  const runs = entries.map((e) => ('manifest' in e ? e : { manifest: e }));
  const asOf = runs.map((r) => r.manifest.data_through ?? r.manifest.as_of).sort().at(-1) ?? '';
  const figures: string[] = [];
  const rows = runs.map(({ manifest: m, sections }) => {
    const href = `../../${m.pipeline}/${m.partition}/report.html`; // OUT/report/as_of=…/ → OUT/<pipeline>/<partition>/
    const about = PIPELINES[m.pipeline];
    const flagged = (sections ?? []).map((s) => {
      const n = m.counts[`out.${s.output}`] ?? m.outputs.find((o) => o.path === `${s.output}.parquet`)?.rows ?? null;
      const nw = m.counts[`changes.${s.output}.new`];
      const dropped = m.counts[`changes.${s.output}.dropped`];
      if (n !== null) figures.push(`<div class="figure"><b>${esc(n.toLocaleString('en-US'))}</b><span>${esc(/flag/i.test(s.title) ? s.title.toLowerCase() : `${s.title.toLowerCase()} flagged`)}${nw !== undefined ? `, ${nw} new since the last run` : ''}</span></div>`);
      const change = nw !== undefined ? ` <span class="badge b-new">${nw} new</span>${dropped ? ` <span class="badge b-dropped">${dropped} dropped</span>` : ''}` : '';
      return `${esc(s.title)}: <b>${n === null ? '—' : esc(n.toLocaleString('en-US'))}</b>${change}`;
    });
    const failed = m.checks.filter((c) => !c.passed).length;
    const checks = failed ? `<span class="fail">${failed} of ${m.checks.length} failed</span>` : `<span class="pass">${m.checks.length} passed</span>`;
    const ran = m.finished_at ?? m.started_at;
    return [
      `<a href="${esc(href)}">${esc(about?.title ?? m.pipeline)}</a><br><span class="muted small">${esc(m.pipeline)}</span>`,
      esc(about?.text ?? ''),
      esc(m.data_through ?? m.as_of), // earlier than the partition's as-of when published past the inputs
      `${esc(m.status === 'skipped' ? 'unchanged (inputs and config as before)' : m.status)}${ran ? `<br><span class="muted small">${esc(utc(ran))}</span>` : ''}`,
      flagged.length ? flagged.join('<br>') : `<span class="muted">${esc(m.outputs.filter((o) => o.path !== 'rejects.parquet').map((o) => `${o.path.replace('.parquet', '')} ${o.rows ?? '—'} rows`).join(', '))}</span>`,
      checks,
    ];
  });
  const body = `<header><p class="muted small">tradewatch report · all pipelines</p>
<h1>tradewatch — all pipelines, data up to ${esc(asOf)}</h1>
<p class="lead">Each pipeline looks for a different sign of export controls being evaded. Open a pipeline's report for the flags,
the reasons behind each, charts and the records they come from.</p>
${opts.generatedAt ? `<p class="muted small" id="generated">Generated ${esc(utc(opts.generatedAt.toISOString()))} from the newest complete partition of each pipeline up to ${esc(asOf)}.</p>` : ''}</header>
<section id="summary"><h2>Headline</h2>
<div class="figures">${figures.join('')}</div>
${htmlTable(
    [{ label: 'pipeline' }, { label: 'what it does', wrap: true }, { label: 'data up to' }, { label: 'status', wrap: true }, { label: 'flagged', wrap: true }, { label: 'data checks' }],
    rows,
    'ranking',
  )}
</section>`;
  return htmlPage(`tradewatch · all pipelines · ${asOf}`, body);
}

/** An ISO time as `2026-01-01 00:00:00 UTC`. */
function utc(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}
