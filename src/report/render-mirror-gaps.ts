import type { Table } from 'apache-arrow';
import { readCodes, readFloats } from '../table/read.ts';
import { factorHtml, formatNumber, Rows, usdShort } from './cells.ts';
import { controlMarkers, type ControlDate } from './control-dates.ts';
import { emptyTable, renderFlagTable } from './flag-table.ts';
import { reasonBadge } from './glossary.ts';
import { esc } from './html.ts';
import { periodRange, renderLineChart, type ChartBand } from './render-line-chart.ts';
import { pairAnchor } from './anchors.ts';

/** Options of {@link renderMirrorGaps}. */
export interface MirrorSectionOptions {
  title: string;
  /** Columns of the table of flagged windows (the pipeline's `report` declaration). */
  columns: readonly string[];
  /** Rows of the table at most (default 50). */
  limit?: number;
  /** Pairs charted at most, best ranked first (default 12). */
  chartLimit?: number;
  controls?: readonly ControlDate[];
}

/**
 * The flagged mirror gaps: what a mirror gap is, one chart per flagged pair (exporter → importer × HS6) of
 * both sides by period from `pairs` (the exporter's FOB value and the importer's value put on FOB) with the
 * flagged windows shaded, then the flagged windows ranked. Without `pairs` there are no charts. Pure.
 */
export function renderMirrorGaps(gaps: Table, pairs: Table | null, o: MirrorSectionOptions): string {
  const rows = new Rows(gaps);
  const limit = Math.min(rows.length, o.limit ?? 50);
  const head = `<h2>${esc(o.title)} — ${rows.length.toLocaleString('en-US')} flagged${rows.length > limit ? `, top ${limit} shown` : ''}</h2>`;
  const lead = `<p class="lead">Every trade is recorded twice: the exporter reports what it sent (valued at its border, FOB) and the
importer what it received (with freight and insurance, CIF, here put back on FOB). A <b>mirror gap</b> is flagged when one side
is at least 1.5 times the other over 3 or 12 months or a year, the amounts are large, the gap is beyond the pair's usual noise and
persists into the next window; when only one side recorded the trade although the other published its figures; or when the
values agree but the weights do not. One flag is one pair and product, its flagged windows shaded; pairs are ranked by what is
at stake (the gap in USD a year) times how far the two reporters are to be believed.</p>`;
  if (!rows.length) return `<section id="mirror_gaps">${head}${lead}<p>No mirror gap was flagged in this run.</p>${emptyTable(rows, o.columns)}</section>`;
  const groups = pairGroups(rows);
  const charted = groups.slice(0, o.chartLimit ?? 12);
  const charts = pairs ? pairCharts(charted, pairs, o.controls) : '<p class="muted">The pair table (mirror_pairs) was not given: no charts.</p>';
  // the ranking first: rank, pair, score, reasons, then the windows and the numbers; each pair's first row is
  // the anchor a transshipment route's legs link to
  const anchored = new Set<string>();
  const table = renderFlagTable(rows, o.columns, {
    limit,
    cls: 'ranking',
    order: ['rank', 'pair', 'score', 'reasons', 'windows', 'sides', 'noise'],
    folded: [
      'exporter', 'importer', 'hs6', 'windows_flagged', 'first_flagged_period', 'last_flagged_period', 'window', 'period_end', 'value_at_stake_usd',
      'exporter_value_usd', 'importer_value_fob_usd', 'gap_usd', 'log_ratio', 'z', 'noise_source', 'exporter_reliability', 'importer_reliability',
    ],
    custom: {
      pair: { label: 'pair', wrap: true, cls: 'route', html: (i) => pairCell(rows, i) },
      ...(rows.has('value_at_stake_usd') ? { score: { label: 'score', numeric: true, html: (i: number) => scoreCell(rows, i) } } : {}),
      windows: { label: 'flagged windows', wrap: true, html: (i) => windowsCell(rows, i) },
      ...(rows.has('gap_usd') || rows.has('exporter_value_usd') ? { sides: { label: 'the two sides (best window)', wrap: true, html: (i: number) => sidesCell(rows, i) } } : {}),
      ...(rows.has('z') || rows.has('exporter_reliability') ? { noise: { label: 'beyond noise', wrap: true, html: (i: number) => noiseCell(rows, i) } } : {}),
    },
    rowId: (i) => {
      const a = pairAnchor(rows.str('exporter', i) ?? '', rows.str('importer', i) ?? '', rows.str('hs6', i) ?? '');
      if (anchored.has(a)) return undefined;
      anchored.add(a);
      return a;
    },
  });
  return `<section id="mirror_gaps">${head}
<h3>Flagged pairs, ranked (best window shown)</h3>
${table}
${lead}
<h3>Both sides, by period, for each flagged pair${groups.length > charted.length ? ` (the ${charted.length} best ranked of ${groups.length})` : ''}</h3>
${charts}
</section>`;
}

/** What mirror gap i is about: `JPN → USA · 811292 · R3 2024-12–2025-02`. */
export function mirrorLabel(rows: Rows, i: number): string {
  return `${rows.str('exporter', i) ?? '?'} → ${rows.str('importer', i) ?? '?'} · ${rows.str('hs6', i) ?? ''} · ${rows.str('window', i) ?? ''} ${rows.str('period_start', i) ?? ''}–${rows.str('period_end', i) ?? ''}`;
}

/** The pair in a ranking cell: `JPN → USA`, then the product. */
function pairCell(rows: Rows, i: number): string {
  return `${esc(`${rows.str('exporter', i) ?? '?'} → ${rows.str('importer', i) ?? '?'}`)}<br><span class="small muted">${esc(rows.str('hs6', i) ?? '')}</span>`;
}

/** Row i's score, and under it the USD at stake a year. */
function scoreCell(rows: Rows, i: number): string {
  const stake = rows.num('value_at_stake_usd', i);
  return `${esc(formatNumber(rows.num('score', i)))}${stake !== null ? `<br><span class="small muted">at stake ${esc(usdShort(stake))} a year</span>` : ''}`;
}

/** What each side recorded over row i's best window, the gap, and importer ÷ exporter as a factor (the log in the tooltip). */
function sidesCell(rows: Rows, i: number): string {
  const lr = rows.num('log_ratio', i);
  const usd = (col: string) => `<span class="nw">${esc(usdShort(rows.num(col, i)))}</span>`;
  return [
    `exporter ${usd('exporter_value_usd')}`,
    `importer ${usd('importer_value_fob_usd')}${lr !== null ? ` (${factorHtml(lr)})` : ''}`,
    `<span class="small muted">gap ${usd('gap_usd')}</span>`,
  ].join('<br>');
}

/** How far row i's gap stands out of the pair's noise (z and where the noise came from) and how far each reporter is believed. */
function noiseCell(rows: Rows, i: number): string {
  const z = rows.num('z', i);
  const src = rows.str('noise_source', i);
  const ex = rows.num('exporter_reliability', i);
  const im = rows.num('importer_reliability', i);
  return [
    z !== null ? `z ${esc(formatNumber(z))}` : '',
    src ? `<span class="small muted">noise: ${esc(src.replace(/_/g, ' '))}</span>` : '',
    ex !== null || im !== null ? `<span class="small">believed: exporter ${esc(formatNumber(ex))}, importer ${esc(formatNumber(im))}</span>` : '',
  ].filter(Boolean).join('<br>');
}

/** The flagged windows of row i: how many, from when to when, and the best one (`R3 to 2024-04`). */
function windowsCell(rows: Rows, i: number): string {
  const n = rows.num('windows_flagged', i);
  const first = rows.str('first_flagged_period', i);
  const last = rows.str('last_flagged_period', i);
  const best = [rows.str('window', i), rows.str('period_end', i) && `to ${rows.str('period_end', i)}`].filter(Boolean).join(' ');
  const span = first || last ? `${first ?? '?'}–${last ?? '?'}` : '';
  return [n !== null ? `${formatNumber(n, 0)} ${n === 1 ? 'window' : 'windows'}` : '', span, best && `best ${best}`].filter(Boolean).map(esc).join('<br>');
}

interface PairGroup {
  exporter: string;
  importer: string;
  hs6: string;
  /** Row indexes of its flagged windows, best ranked first. */
  rows: number[];
  flagged: Rows;
}

/** Flagged rows grouped by pair, in the order of each pair's best rank. */
function pairGroups(rows: Rows): PairGroup[] {
  const byKey = new Map<string, PairGroup>();
  for (let i = 0; i < rows.length; i++) {
    const [e, m, h] = [rows.str('exporter', i) ?? '', rows.str('importer', i) ?? '', rows.str('hs6', i) ?? ''];
    const k = `${e}|${m}|${h}`;
    let g = byKey.get(k);
    if (!g) byKey.set(k, (g = { exporter: e, importer: m, hs6: h, rows: [], flagged: rows }));
    g.rows.push(i);
  }
  return [...byKey.values()];
}

function pairCharts(groups: PairGroup[], pairs: Table, controls: readonly ControlDate[] | undefined): string {
  // one pass over the pair table (it may be large): only the charted pairs' rows are kept
  const want = new Map(groups.map((g, k) => [`${g.exporter}|${g.importer}|${g.hs6}`, k]));
  const ex = readCodes(pairs, 'exporter', 'renderMirrorGaps');
  const im = readCodes(pairs, 'importer', 'renderMirrorGaps');
  const hs = readCodes(pairs, 'hs6', 'renderMirrorGaps');
  const win = readCodes(pairs, 'window', 'renderMirrorGaps');
  const per = readCodes(pairs, 'period_start', 'renderMirrorGaps');
  const xv = readFloats(pairs, 'exporter_value_usd', 'renderMirrorGaps');
  const mv = readFloats(pairs, 'importer_value_fob_usd', 'renderMirrorGaps');
  const points = groups.map(() => ({ M: new Map<string, [number, number]>(), Y: new Map<string, [number, number]>() }));
  const keyOf = new Map<string, number>();
  for (let i = 0; i < pairs.numRows; i++) {
    if (ex.codes[i] < 0 || im.codes[i] < 0 || hs.codes[i] < 0 || win.codes[i] < 0 || per.codes[i] < 0) continue;
    const w = win.values[win.codes[i]];
    if (w !== 'M' && w !== 'Y') continue;
    const key = `${ex.codes[i]}|${im.codes[i]}|${hs.codes[i]}`;
    let g = keyOf.get(key);
    if (g === undefined) keyOf.set(key, (g = want.get(`${ex.values[ex.codes[i]]}|${im.values[im.codes[i]]}|${hs.values[hs.codes[i]]}`) ?? -1));
    if (g < 0) continue;
    points[g][w].set(per.values[per.codes[i]], [xv[i], mv[i]]);
  }
  const cards = groups.map((g, k) => {
    // monthly when the pair has months, else years
    const pts = points[k].M.size ? points[k].M : points[k].Y;
    if (!pts.size) return `<div class="card"><h3>${esc(`${g.exporter} → ${g.importer} · ${g.hs6}`)}</h3><p class="muted">No per-period rows in the pair table.</p></div>`;
    const ps = [...pts.keys()].sort();
    const periods = periodRange(ps[0], ps[ps.length - 1]);
    const side = (j: 0 | 1) => periods.map((p) => {
      const v = pts.get(p)?.[j];
      return v === undefined || v !== v ? null : v;
    });
    const bands: ChartBand[] = mergedWindows(g, periods).map(([a, b]) => ({ from: a, to: b, label: 'flagged', fill: '#fde8e6' }));
    const markers = controls ? controlMarkers(controls, null, g.hs6, g.importer) : [];
    const svg = renderLineChart({
      title: `${g.exporter} → ${g.importer} · ${g.hs6}: what each side recorded`,
      periods,
      series: [
        { name: 'exporter', label: `${g.exporter} says it sent (FOB)`, color: '#1f6feb', values: side(0) },
        { name: 'importer', label: `${g.importer} says it received (as FOB)`, color: '#cf4a0c', values: side(1) },
      ],
      bands,
      markers,
      width: 560,
      height: 240,
    });
    const r = g.flagged;
    const best = g.rows[0];
    const reasons = [...new Set(g.rows.flatMap((i) => r.list<string>('reasons', i).map(String)))];
    const largest = g.rows.reduce((a, i) => (Math.abs(r.num('gap_usd', i) ?? 0) > Math.abs(r.num('gap_usd', a) ?? 0) ? i : a), best);
    return `<div class="card mirror-pair"><h3>${esc(`${g.exporter} → ${g.importer} · ${g.hs6}`)} <span class="muted small">best rank ${esc(String(r.num('rank', best) ?? ''))}, score ${esc(formatNumber(r.num('score', best)))}</span></h3>
${svg}
<p class="small">${flaggedSpans(g).length} flagged window${flaggedSpans(g).length > 1 ? 's' : ''} (shaded) · ${reasons.map(reasonBadge).join(' ')}${r.num('value_at_stake_usd', best) !== null ? ` · at stake ${esc(usdShort(r.num('value_at_stake_usd', best)))} a year` : ''}<br>
Largest gap: ${esc(usdShort(r.num('gap_usd', largest)))} over ${esc(r.str('window', largest) ?? '')} ${esc(r.str('period_start', largest) ?? '')}–${esc(r.str('period_end', largest) ?? '')}
(exporter ${esc(usdShort(r.num('exporter_value_usd', largest)))}, importer ${esc(usdShort(r.num('importer_value_fob_usd', largest)))}).</p></div>`;
  });
  return `<div class="grid">${cards.map((c) => `<div>${c}</div>`).join('\n')}</div>`;
}

/** The flagged windows of a pair's rows: those nested in `windows` (one flag per pair), else each row's own. */
function flaggedSpans(g: PairGroup): [string, string][] {
  const nested = g.flagged.has('windows') ? g.flagged.table.getChild('windows') : null;
  return g.rows.flatMap((i): [string, string][] => {
    const list = nested?.get(i) as { toArray(): { toJSON(): Record<string, unknown> }[] } | null | undefined;
    if (list) return list.toArray().map((w) => w.toJSON()).map((w) => [String(w.period_start ?? ''), String(w.period_end ?? '')]);
    return [[g.flagged.str('period_start', i) ?? '', g.flagged.str('period_end', i) ?? '']];
  });
}

/** The pair's flagged windows as merged [from, to] index spans on the axis. */
function mergedWindows(g: PairGroup, periods: string[]): [number, number][] {
  const monthly = periods[0]?.length === 7;
  const spans = flaggedSpans(g)
    .map(([start, end]) => {
      let a = start;
      let b = end;
      // a yearly window on a monthly axis covers its months
      if (monthly && a.length === 4) a = `${a}-01`;
      if (monthly && b.length === 4) b = `${b}-12`;
      if (!monthly) (a = a.slice(0, 4)), (b = b.slice(0, 4));
      return [Math.max(0, idx(periods, a, 'start')), Math.min(periods.length - 1, idx(periods, b, 'end'))] as [number, number];
    })
    .filter(([a, b]) => a <= b)
    .sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s[0] <= last[1] + 1) last[1] = Math.max(last[1], s[1]);
    else out.push([s[0], s[1]]);
  }
  return out;
}

/** Index of period p on the axis; before the axis −1 (or 0 for a start), after it the length. */
function idx(periods: string[], p: string, end: 'start' | 'end'): number {
  const k = periods.indexOf(p);
  if (k >= 0) return k;
  if (p < periods[0]) return end === 'start' ? 0 : -1;
  return end === 'end' ? periods.length - 1 : periods.length;
}
