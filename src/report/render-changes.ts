import type { Table } from 'apache-arrow';
import { formatNumber, Rows } from './cells.ts';
import { esc, htmlTable } from './html.ts';

/** One flag compared with the last run (a row of `changes.parquet`). */
export interface FlagChange {
  /** The flagged output, e.g. `flagged_routes`. */
  output: string;
  flag_id: string;
  /** `new`, `persisting` or `dropped`. */
  change: string;
  score: number | null;
  previous_score: number | null;
  score_change: number | null;
  /** What the flag is about, when the caller knows (a dropped flag is not in this run's tables). */
  label?: string;
}

/** The rows of a changes table (`output, flag_id, change, score, previous_score, score_change`). */
export function changesFromTable(t: Table): FlagChange[] {
  const r = new Rows(t);
  return Array.from({ length: r.length }, (_, i) => ({
    output: r.str('output', i) ?? '',
    flag_id: r.str('flag_id', i) ?? '',
    change: r.str('change', i) ?? '',
    score: r.num('score', i),
    previous_score: r.num('previous_score', i),
    score_change: r.num('score_change', i),
  }));
}

/** New and persisting flags from a flagged table's own `change` and `score_change` columns (dropped ones are not there); [] without them. */
export function changesFromFlags(output: string, t: Table): FlagChange[] {
  const r = new Rows(t);
  if (!r.has('change')) return [];
  return Array.from({ length: r.length }, (_, i) => {
    const score = r.num('score', i);
    const d = r.num('score_change', i);
    return { output, flag_id: r.str('flag_id', i) ?? '', change: r.str('change', i) ?? '', score, previous_score: score !== null && d !== null ? score - d : null, score_change: d };
  });
}

/** A flagged output as the changes section names and links it. */
export interface ChangeTarget {
  output: string;
  title: string;
  /** flag_id → what it is about and, when it has one on the page, its anchor. */
  flags: ReadonlyMap<string, { label: string; href?: string }>;
}

/**
 * "Changes since the last run": per flagged output, how many flags are new, persisting and dropped, which are
 * new, which were dropped, and the largest score moves among the persisting ones. Pure.
 */
export function renderChanges(changes: readonly FlagChange[], targets: readonly ChangeTarget[], opts: { listLimit?: number } = {}): string {
  const limit = opts.listLimit ?? 20;
  const parts: string[] = [];
  const known = new Set(targets.map((t) => t.output));
  const others = [...new Set(changes.map((c) => c.output))].filter((o) => !known.has(o)).map((o) => ({ output: o, title: o, flags: new Map() }));
  for (const t of [...targets, ...others]) {
    const mine = changes.filter((c) => c.output === t.output);
    if (!mine.length) continue;
    const of = (k: string) => mine.filter((c) => c.change === k);
    const [nw, keep, drop] = [of('new'), of('persisting'), of('dropped')];
    const name = (c: FlagChange) => {
      const f = t.flags.get(c.flag_id);
      const label = esc(f?.label ?? c.label ?? `flag ${c.flag_id}`);
      return f?.href ? `<a href="${esc(f.href)}">${label}</a>` : label;
    };
    const list = (xs: FlagChange[], text: (c: FlagChange) => string) =>
      `<ul>${xs.slice(0, limit).map((c) => `<li>${text(c)}</li>`).join('')}${xs.length > limit ? `<li class="muted">… and ${xs.length - limit} more (changes.parquet)</li>` : ''}</ul>`;
    const head = `<h3>${esc(t.title)}: <span class="badge b-new">${nw.length} new</span> <span class="badge b-persisting">${keep.length} persisting</span> <span class="badge b-dropped">${drop.length} dropped</span></h3>`;
    const body: string[] = [];
    const firstRun = nw.length > 0 && !keep.length && !drop.length;
    // on a first run every flag is new: the ranking below lists them already
    if (firstRun) body.push('<p class="muted">Every flag is new: nothing was flagged in the last run, or there is no earlier run to compare with.</p>');
    else if (nw.length) body.push(`<p><b>New</b> (most suspicious first)</p>${list(nw, (c) => `${name(c)} <span class="muted">score ${esc(formatNumber(c.score))}</span>`)}`);
    if (drop.length) body.push(`<p><b>Dropped</b> (flagged last time, not now)</p>${list(drop, (c) => `${name(c)} <span class="muted">score was ${esc(formatNumber(c.previous_score))}</span>`)}`);
    const moved = keep.filter((c) => c.score_change !== null && Math.abs(c.score_change) >= 0.005).sort((a, b) => Math.abs(b.score_change!) - Math.abs(a.score_change!));
    if (moved.length) {
      body.push(`<p><b>Largest score changes</b> among persisting flags</p>${htmlTable(
        [{ label: 'flag' }, { label: 'score before', numeric: true }, { label: 'score now', numeric: true }, { label: 'change', numeric: true }],
        moved.slice(0, 10).map((c) => [name(c), esc(formatNumber(c.previous_score)), esc(formatNumber(c.score)), esc(`${c.score_change! > 0 ? '+' : '−'}${formatNumber(Math.abs(c.score_change!))}`)]),
      )}`);
    } else if (keep.length) body.push('<p class="muted">The persisting flags kept their scores.</p>');
    parts.push(head + body.join('\n'));
  }
  const content = parts.length ? parts.join('\n') : '<p>No flags in this run or the last one.</p>';
  return `<section id="changes"><h2>Changes since the last run</h2>
<p class="lead">Each flag is compared by its <code>flag_id</code> with the previous successful run of this pipeline.</p>
${content}
</section>`;
}
