import type { Table } from 'apache-arrow';
import type { RunManifest } from '../base/manifest.ts';
import { partitionOfInput, reportHref } from './anchors.ts';
import { Rows } from './cells.ts';
import type { ControlDate } from './control-dates.ts';
import { renderFlagTable } from './flag-table.ts';
import { PIPELINES, renderGlossary } from './glossary.ts';
import { esc, htmlPage, htmlTable } from './html.ts';
import { changesFromFlags, changesFromTable, renderChanges, type ChangeTarget, type FlagChange } from './render-changes.ts';
import { declarationLabel, renderFlaggedDeclarations } from './render-flagged-declarations.ts';
import { renderFlaggedRoutes, routeLabel } from './render-flagged-routes.ts';
import { renderCoverage } from './render-coverage.ts';
import { mirrorLabel, renderMirrorGaps } from './render-mirror-gaps.ts';

/** A flagged output to show, as a pipeline's `report` declares it: the table, its title and the columns read first. */
export interface ReportSection {
  output: string;
  title: string;
  columns: readonly string[];
}

/** Everything one run's report is made of. Only `manifest` is required. */
export interface RunReportInput {
  manifest: RunManifest;
  /** The run's output tables by name (flagged ones, and `mirror_pairs` for the mirror charts). */
  tables?: Readonly<Record<string, Table | undefined>>;
  /** The flagged outputs to show, in order. */
  sections?: readonly ReportSection[];
  /**
   * The comparison with the last run (`changes.parquet` as a table or rows, dropped flags included). When
   * absent, the flagged tables' own `change` column is used; with neither, the section is left out.
   */
  changes?: Table | readonly FlagChange[] | null;
  /** The control calendar (the catalog's intervals), to mark control dates on the charts. */
  controls?: readonly ControlDate[];
  /** ISO3 → country name. */
  countryNames?: ReadonlyMap<string, string>;
  /** What the pipeline does, when the report does not know it already. */
  description?: string;
  /** Rows, cards and charts shown at most per section. */
  limits?: { routes?: number; mirrorRows?: number; mirrorCharts?: number; declarations?: number; rows?: number; coverageRows?: number };
}

/**
 * A self-contained HTML page for one run, for analysts who never saw the code: what the pipeline does, then each
 * flagged output, its ranking first, with its reasons in words, charts (inline SVG) and evidence (the coverage
 * table for a coverage run); what changed since the last run; the headline figures, inputs and checks; a
 * glossary; and the run's technical details. No script, no network. Pure: the same input gives the same bytes.
 */
export function renderRunSummary(input: RunReportInput): string {
  const m = input.manifest;
  const tables = input.tables ?? {};
  const sections = (input.sections ?? []).filter((s) => tables[s.output]);
  const about = PIPELINES[m.pipeline];
  // an --as-of after the inputs, published as asked (run.allowAsOfAfterData): the data end earlier than the partition's name
  const title = `${about?.title ?? m.pipeline} — data up to ${m.data_through ?? m.as_of}`;
  const reasons = new Set<string>();
  for (const s of sections) {
    const r = new Rows(tables[s.output]!);
    for (let i = 0; i < r.length; i++) for (const x of r.list('reasons', i)) reasons.add(String(x));
  }
  const changes = changeList(input.changes, sections, tables);
  // a coverage table no section declares is shown as what the run is about
  const coverage = tables.coverage && !sections.some((s) => s.output === 'coverage') ? tables.coverage : null;
  const body: string[] = [];
  const nav = [
    ...sections.map((s) => [s.output, s.title]),
    ...(coverage ? [['coverage', 'Coverage']] : []),
    ...(changes ? [['changes', 'Changes since the last run']] : []),
    ['summary', 'Summary'],
    ...(sections.length ? [['glossary', 'What the words mean']] : []),
    ['details', 'Run details'],
  ];
  body.push(`<header><p class="muted small">tradewatch report · ${esc(m.pipeline)} · ${esc(m.partition)}</p>
<h1>${esc(title)}</h1>
<p class="lead">${esc(about?.text ?? input.description ?? '')}</p>
<nav class="toc">${nav.map(([id, label]) => `<a href="#${esc(id)}">${esc(label)}</a>`).join('')}</nav></header>`);
  // the flags first (each section opens with its ranking), then what changed, then the run's summary and checks
  for (const s of sections) body.push(section(s, tables, input));
  if (coverage) body.push(renderCoverage(coverage, { limit: input.limits?.coverageRows }));
  if (changes) body.push(renderChanges(changes, sections.map((s) => changeTarget(s, tables[s.output]!))));
  body.push(summary(m, sections, tables));
  if (sections.length) body.push(renderGlossary(reasons));
  body.push(details(m));
  return htmlPage(`tradewatch · ${title}`, body.join('\n'));
}

function summary(m: RunManifest, sections: readonly ReportSection[], tables: Readonly<Record<string, Table | undefined>>): string {
  const c = m.counts;
  const figure = (value: string, label: string) => `<div class="figure"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
  const figures: string[] = [];
  for (const s of sections) {
    figures.push(figure(tables[s.output]!.numRows.toLocaleString('en-US'), /flag/i.test(s.title) ? s.title.toLowerCase() : `${s.title.toLowerCase()} flagged`));
    const nw = c[`changes.${s.output}.new`];
    if (nw !== undefined) figures.push(figure(nw.toLocaleString('en-US'), 'new since the last run'));
  }
  const read = c['ingest.rows_read'] ?? c['declarations.rows_read'];
  if (read !== undefined) figures.push(figure(read.toLocaleString('en-US'), 'input rows read'));
  const rejected = (c['ingest.rejected_values'] ?? 0) + (c['declarations.rejected_values'] ?? 0);
  figures.push(figure(rejected.toLocaleString('en-US'), 'rows rejected for bad values'));
  const failed = m.checks.filter((k) => !k.passed);
  figures.push(figure(`${m.checks.length - failed.length} of ${m.checks.length}`, 'data checks passed'));
  const through = m.data_through ?? m.as_of;
  const asOf =
    through < m.as_of
      ? `${through} (the inputs end there; partition ${m.partition} as asked, published with run.allowAsOfAfterData)`
      : m.as_of_requested === 'latest' ? `${m.as_of} (the latest period in the inputs)` : `${m.as_of} (as asked)`;
  const reviews = Object.entries(c).filter(([k]) => k.startsWith('reviews.'));
  const size = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : b >= 1e3 ? `${(b / 1e3).toFixed(0)} kB` : `${b} B`);
  return `<section id="summary"><h2>Summary</h2>
<p>Data up to <b>${esc(asOf)}</b>. Run <code>${esc(m.run_id)}</code> ${esc(m.status)}${m.finished_at ? `, finished ${esc(m.finished_at.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'))}` : ''}, took ${esc(String(m.duration_s))} s (tradewatch ${esc(m.tradewatch_version)}).</p>
<div class="figures">${figures.join('')}</div>
${reviews.length ? `<p>Analysts' verdicts applied: ${reviews.map(([k, v]) => `${esc(k.replace(/^reviews\./, '').replace(/\./g, ' · ').replace(/_/g, ' '))} ${v}`).join('; ')}.</p>` : ''}
<h3>Data checks</h3>
${htmlTable(
    [{ label: 'check' }, { label: 'if it fails' }, { label: 'result' }, { label: 'detail', wrap: true }],
    m.checks.map((k) => [esc(k.name), esc(k.severity === 'error' ? 'nothing is published' : 'a warning'), k.passed ? '<span class="pass">passed</span>' : `<span class="${k.severity === 'error' ? 'fail' : 'warn'}">FAILED</span>`, esc(k.message)]),
  )}
<h3>Inputs</h3>
${m.inputs.length ? htmlTable(
    [{ label: 'what' }, { label: 'file', wrap: true }, { label: 'layout' }, { label: 'size', numeric: true }],
    m.inputs.map((i) => [esc(i.kind), `<code>${esc(i.path)}</code>`, esc(i.layout ?? '—'), esc(size(i.bytes))]),
  ) : '<p class="muted">No input files recorded.</p>'}
</section>`;
}

function section(s: ReportSection, tables: Readonly<Record<string, Table | undefined>>, input: RunReportInput): string {
  const t = tables[s.output]!;
  const l = input.limits ?? {};
  switch (s.output) {
    case 'flagged_routes':
      return renderFlaggedRoutes(t, {
        title: s.title, columns: s.columns, limit: l.routes, controls: input.controls, countryNames: input.countryNames,
        mirrorReport: inputReport(input.manifest, 'mirror', 'mirror-gaps'),
      });
    case 'mirror_gaps':
      return renderMirrorGaps(t, tables.mirror_pairs ?? null, { title: s.title, columns: s.columns, limit: l.mirrorRows, chartLimit: l.mirrorCharts, controls: input.controls });
    case 'flagged_declarations':
      return renderFlaggedDeclarations(t, { title: s.title, columns: s.columns, limit: l.declarations, routesReport: inputReport(input.manifest, 'routes', 'transshipment') });
    default: {
      const limit = Math.min(t.numRows, l.rows ?? 50);
      return `<section id="${esc(s.output)}"><h2>${esc(s.title)} — ${t.numRows.toLocaleString('en-US')} flagged${t.numRows > limit ? `, top ${limit} shown` : ''}</h2>
${renderFlagTable(new Rows(t), s.columns, { limit })}</section>`;
    }
  }
}

/**
 * The report of the partition an input of kind `kind` was read from (`--mirror`, `--routes` pointing into
 * `OUT/<pipeline>/as_of=…/`), relative to this run's report; undefined when the run read no such input.
 */
function inputReport(m: RunManifest, kind: string, pipeline: string): string | undefined {
  for (const i of m.inputs) {
    if (i.kind !== kind) continue;
    const partition = partitionOfInput(i.path, pipeline);
    if (partition) return reportHref(pipeline, partition);
  }
  return undefined;
}

/** The change list to show: the one given, else the flagged tables' `change` columns; null when neither is there. */
function changeList(given: RunReportInput['changes'], sections: readonly ReportSection[], tables: Readonly<Record<string, Table | undefined>>): FlagChange[] | null {
  if (given) return Array.isArray(given) ? [...given] : changesFromTable(given as Table);
  const fromFlags = sections.flatMap((s) => changesFromFlags(s.output, tables[s.output]!));
  return sections.some((s) => new Rows(tables[s.output]!).has('change')) ? fromFlags : null;
}

function changeTarget(s: ReportSection, t: Table): ChangeTarget {
  const r = new Rows(t);
  const flags = new Map<string, { label: string; href?: string }>();
  for (let i = 0; i < r.length; i++) {
    const id = r.str('flag_id', i);
    if (!id) continue;
    const label = s.output === 'flagged_routes' ? routeLabel(r, i) : s.output === 'mirror_gaps' ? mirrorLabel(r, i) : s.output === 'flagged_declarations' ? declarationLabel(r, i) : id;
    flags.set(id, { label, href: s.output === 'flagged_routes' ? `#route-${i + 1}` : undefined });
  }
  return { output: s.output, title: s.title, flags };
}

function details(m: RunManifest): string {
  return `<section id="details"><h2>Run details</h2>
<p class="muted">For whoever maintains the pipeline: files written, stages with timings, and every count the run recorded.</p>
<details><summary>Outputs, stages and counts</summary>
<h3>Outputs</h3>
${htmlTable([{ label: 'file' }, { label: 'rows', numeric: true }, { label: 'sha256' }], m.outputs.map((o) => [`<code>${esc(o.path)}</code>`, esc(o.rows === null ? '—' : o.rows.toLocaleString('en-US')), `<code>${esc(o.sha256.slice(0, 16))}…</code>`]))}
<h3>Stages</h3>
${htmlTable([{ label: 'stage' }, { label: 'seconds', numeric: true }, { label: 'rows', numeric: true }], m.stages.map((s) => [esc(s.name), esc(String(s.seconds)), esc(s.rows === null ? '—' : s.rows.toLocaleString('en-US'))]))}
<h3>Counts</h3>
${htmlTable([{ label: 'count' }, { label: 'value', numeric: true }], Object.entries(m.counts).map(([k, v]) => [`<code>${esc(k)}</code>`, esc(v.toLocaleString('en-US'))]))}
<p class="muted small">Config hash <code>${esc(m.config_sha256)}</code> · inputs hash <code>${esc(m.inputs_sha256)}</code> · manifest schema ${esc(m.schema)}.</p>
</details>
</section>`;
}
