import type { Table } from 'apache-arrow';
import { pairAnchor, routeAnchor } from './anchors.ts';
import { factorHtml, factorOfLog, formatNumber, percent, Rows, usdShort } from './cells.ts';
import { controlMarkers, controlName, type ControlDate } from './control-dates.ts';
import { changeBadge, verdictBadge } from './flag-status.ts';
import { emptyTable, renderFlagTable } from './flag-table.ts';
import { REASONS, reasonBadge } from './glossary.ts';
import { esc, htmlTable } from './html.ts';
import { dateOnAxis, periodRange, renderLineChart, type ChartBand, type ChartSeries } from './render-line-chart.ts';

/** Options of {@link renderFlaggedRoutes}. */
export interface RouteSectionOptions {
  title: string;
  /** Columns of the ranked overview table (the pipeline's `report` declaration). */
  columns: readonly string[];
  /** Routes drawn as cards with a chart, at most (default 25); the overview lists as many. */
  limit?: number;
  /** The control calendar, to mark the charts. */
  controls?: readonly ControlDate[];
  /** ISO3 → name. */
  countryNames?: ReadonlyMap<string, string>;
  /** Evidence records listed per route, at most (default 500). */
  evidenceLimit?: number;
  /**
   * The mirror-gaps report of the same data, relative to this page (`../../mirror-gaps/as_of=…/report.html`): each
   * route links its legs to their pairs there (anchors `pair-EXPORTER-IMPORTER-HS6`).
   */
  mirrorReport?: string;
}

/** Declared columns the ranking shows inside its route, score, why, control and chain columns. */
const FOLDED = [
  'origin', 'hub', 'hub_name', 'destination', 'hs6', 'mineral', 'reasons', 'control_id', 'period_start', 'period_end', 'at_stake_usd',
  'first_leg_excess', 'first_leg_surge', 'second_leg_surge', 'diversion', 'pass_through', 'weakest_link_z', 'links_missing', 'counterfactual_basis',
];

const LEGS = [
  // the first leg wider, drawn first: where both legs carry the same value (pass-through) it shows as a rim
  { leg: 'first_leg', label: 'first leg', color: '#1f6feb', dash: undefined, width: 4.5 },
  { leg: 'second_leg', label: 'second leg', color: '#cf4a0c', dash: undefined, width: 2 },
  { leg: 'direct', label: 'direct', color: '#6e7781', dash: '6 4', width: 2 },
  // the counterfactual: the same route in the uncontrolled comparator code, where the data has it
  { leg: 'comparator_first_leg', label: 'comparator first leg', color: '#8250df', dash: '2 3', width: 1.5 },
] as const;

/**
 * The flagged routes: what a route is, a ranked overview, then one card per route with its reasons in plain
 * words and the numbers behind them, a chart of both legs and the direct flow by period with the control
 * dates marked, its key numbers, and its evidence records. Pure.
 */
export function renderFlaggedRoutes(table: Table, o: RouteSectionOptions): string {
  const rows = new Rows(table);
  const limit = Math.min(rows.length, o.limit ?? 25);
  const head = `<h2>${esc(o.title)} — ${rows.length.toLocaleString('en-US')} flagged${rows.length > limit ? `, top ${limit} shown` : ''}</h2>`;
  const lead = `<p class="lead">A route is <b>origin → hub → destination</b> for one product around one export control. It is flagged when,
after the control, the product seems to travel from the origin through the hub to the destination instead of directly:
the hub buys more from the origin, sells more to the destination, and the direct flow falls. Most suspicious first.</p>`;
  if (!rows.length) return `<section id="flagged_routes">${head}${lead}<p>No route was flagged in this run.</p>${emptyTable(rows, o.columns)}</section>`;
  // the ranking first: rank, route, score and why, then the control and the numbers; long cells wrap
  const overview = renderFlagTable(rows, o.columns, {
    limit,
    cls: 'ranking',
    order: ['rank', 'route', 'score', 'why', 'control', 'chain'],
    folded: FOLDED,
    custom: {
      route: { label: 'route', wrap: true, cls: 'route', html: (i) => routeCell(rows, i, o) },
      score: { label: 'score', title: 'USD at stake × how far the weakest required link stands out of its noise', numeric: true, html: (i) => scoreCell(rows, i) },
      why: { label: 'why', wrap: 'wide', cls: 'why', html: (i) => whyCell(rows, i) },
      ...(rows.has('control_id') || rows.has('controls') ? { control: { label: 'control', wrap: true, html: (i: number) => controlCell(rows, i, o) } } : {}),
      ...(rows.has('weakest_link_z') || rows.has('links_missing') ? { chain: { label: 'chain of evidence', wrap: true, html: (i: number) => chainCell(rows, i) } } : {}),
    },
    cell: (c, i) => (c === 'rank' ? `<a href="#route-${i + 1}">${esc(String(rows.num('rank', i) ?? i + 1))}</a>` : undefined),
    rowId: (i) => {
      const id = rows.str('flag_id', i);
      return id ? routeAnchor(id) : undefined;
    },
  });
  const cards: string[] = [];
  for (let i = 0; i < limit; i++) cards.push(routeCard(rows, i, o));
  return `<section id="flagged_routes">${head}
<h3>Ranking</h3>
${overview}
${lead}
${cards.join('\n')}
</section>`;
}

/** The route in a ranking cell: the codes (names in the tooltip), then the product and the hub's name. */
function routeCell(rows: Rows, i: number, o: RouteSectionOptions): string {
  const codes = ['origin', 'hub', 'destination'].map((c) => rows.str(c, i) ?? '?');
  const names = codes.map((c, k) => (k === 1 ? (rows.str('hub_name', i) ?? o.countryNames?.get(c) ?? c) : (o.countryNames?.get(c) ?? c)));
  const product = [rows.str('mineral', i), rows.str('hs6', i)].filter(Boolean).join(' ');
  return `<span title="${esc(names.join(' → '))}">${esc(codes.join(' → '))}</span><br><span class="small muted">${esc(product)}${names[1] !== codes[1] ? ` · via ${esc(names[1])}` : ''}</span>`;
}

/** Route i's score, and under it the USD at stake it weighs. */
function scoreCell(rows: Rows, i: number): string {
  const stake = rows.num('at_stake_usd', i);
  return `${esc(formatNumber(rows.num('score', i)))}${stake !== null ? `<br><span class="small muted">at stake ${esc(usdShort(stake))}</span>` : ''}`;
}

/**
 * Why route i was flagged, in the ranking: its reasons as explained badges, then how each leg moved as factors
 * (the first leg against the origin's trend, the log in the tooltip) and how much of the second leg the first covers.
 */
function whyCell(rows: Rows, i: number): string {
  const badges = rows.list<string>('reasons', i).map((r) => reasonBadge(String(r))).join(' ');
  const [O, H, D] = ['origin', 'hub', 'destination'].map((c) => rows.str(c, i) ?? '?');
  const move = (col: string, label: string) => {
    const x = rows.num(col, i);
    return x === null ? '' : `${esc(label)} ${factorHtml(x)}`;
  };
  const pass = rows.num('pass_through', i);
  const moves = [
    move('first_leg_excess', `${O} → ${H}`) || move('first_leg_surge', `${O} → ${H}`),
    move('second_leg_surge', `${H} → ${D}`),
    move('diversion', `${O} → ${D}`),
    pass !== null ? `passed on ${esc(percent(pass))}` : '',
  ].filter(Boolean);
  return `${badges}${moves.length ? `<br><span class="small">${moves.join('; ')}</span>` : ''}`;
}

/** The chain of evidence of route i in the ranking: its weakest required link, the links that do not hold, the counterfactual's basis. */
function chainCell(rows: Rows, i: number): string {
  const z = rows.num('weakest_link_z', i);
  const missing = rows.list<string>('links_missing', i).map(String);
  const cf = rows.str('counterfactual_basis', i);
  return [
    z !== null ? `weakest link z ${esc(formatNumber(z))}` : '',
    missing.length ? `<span class="small">missing: ${esc(missing.join(', ').replace(/_/g, ' '))}</span>` : '',
    cf ? `<span class="small muted">counterfactual: ${esc(cf.replace(/_/g, ' '))}</span>` : '',
  ].filter(Boolean).join('<br>');
}

/** The controls route i was flagged under, by name (`MOFCOM/GAC 2023 No. 39 (from 2023-12-01)`), and the months after. */
function controlCell(rows: Rows, i: number, o: RouteSectionOptions): string {
  type C = { control_id: string; period_start?: string | null; period_end?: string | null; flagged?: boolean };
  // the controls it was flagged under (its `controls` list), else every one listed, else the lead control's columns
  const listed = rows.list<C>('controls', i);
  const flagged = listed.filter((c) => c.flagged !== false);
  const lead: C = { control_id: rows.str('control_id', i) ?? '', period_start: rows.str('period_start', i), period_end: rows.str('period_end', i) };
  const items = flagged.length ? flagged : listed.length ? listed : [lead];
  const shown = new Map<string, C>();
  for (const c of items) if (c.control_id && !shown.has(`${c.control_id}|${c.period_start}`)) shown.set(`${c.control_id}|${c.period_start}`, c);
  return [...shown.values()]
    .map((c) => {
      const name = controlName(o.controls, c.control_id, rows.str('hs6', i), rows.str('destination', i));
      const after = c.period_start ? `<br><span class="small muted">after: ${esc(c.period_start)}–${esc(c.period_end ?? '?')}</span>` : '';
      return `<span title="${esc(c.control_id)}">${esc(name)}</span>${after}`;
    })
    .join('<br>');
}

/** What route i is about, in a few words: `CHN → IND → USA · 250410 (graphite)`. */
export function routeLabel(rows: Rows, i: number): string {
  const mineral = rows.str('mineral', i);
  return `${rows.str('origin', i) ?? '?'} → ${rows.str('hub', i) ?? '?'} → ${rows.str('destination', i) ?? '?'} · ${rows.str('hs6', i) ?? ''}${mineral ? ` (${mineral})` : ''}`;
}

function routeCard(rows: Rows, i: number, o: RouteSectionOptions): string {
  const name = (c: string | null) => (c ? (o.countryNames?.get(c) ?? c) : '?');
  const O = rows.str('origin', i);
  const H = rows.str('hub', i);
  const D = rows.str('destination', i);
  const hs6 = rows.str('hs6', i) ?? '';
  const hubName = rows.str('hub_name', i) ?? name(H);
  const rank = rows.num('rank', i) ?? i + 1;
  const series = routeSeries(rows, i);
  const per = rows.str('freq', i) === 'A' ? 'a year' : 'a month';
  const baseline = series?.windows.baseline;
  const controlId = rows.str('control_id', i);
  const when = [
    controlId && `control ${controlName(o.controls, controlId, hs6, D)}`,
    baseline && `baseline ${baseline[0]}–${baseline[1]}`,
    `after the control ${rows.str('period_start', i) ?? '?'}–${rows.str('period_end', i) ?? '?'}`,
  ].filter(Boolean).join(' · ');
  const title = `#${rank} ${name(O)} → ${hubName} → ${name(D)} · ${rows.str('mineral', i) ?? ''} ${hs6}`;
  const badges = [changeBadge(rows, i), verdictBadge(rows, i)].filter(Boolean).join(' ');
  const reasons = rows.list<string>('reasons', i).map(String);
  const item = (r: string) => {
    const d = detailOf(r, rows, i, per, { O, H, D });
    return `<li>${reasonBadge(r)} ${esc(REASONS[r] ?? '')}${d ? ` <span class="muted">(${esc(d)})</span>` : ''}</li>`;
  };
  const explanation = rows.str('explanation', i);
  const why = `${explanation ? `<p>${esc(explanation)}</p>` : ''}${chainTable(rows, i)}${reasons.length ? `<ul class="reasons">${reasons.map(item).join('')}</ul>` : ''}`;
  const chart = series ? routeChart(series, rows, i, o, { O, H, D, hs6 }) : '<p class="muted">No per-period values in this table to draw.</p>';
  return `<article class="card route" id="route-${i + 1}">
<h3>${esc(title)} <span class="muted small">score ${esc(formatNumber(rows.num('score', i)))}</span> ${badges}</h3>
<p class="muted small">${esc(rows.str('hs6_description', i) ?? '')}${rows.str('hs6_description', i) ? ' · ' : ''}${esc(when)} · flag <code>${esc(rows.str('flag_id', i) ?? '')}</code></p>
<div class="grid"><div>${chart}
${legTable(rows, i, per, { O, H, D })}</div><div>
<b>Why it was flagged</b>${why}
${signalTable(rows, i)}
</div></div>
${mirrorLinks(o, { O, H, D, hs6 })}
${evidenceList(rows, i, o.evidenceLimit ?? 500)}
</article>`;
}

/** Links from a route's legs to their pairs in the mirror-gaps report; '' without that report. */
function mirrorLinks(o: RouteSectionOptions, c: { O: string | null; H: string | null; D: string | null; hs6: string }): string {
  if (!o.mirrorReport || !c.O || !c.H || !c.D) return '';
  const legs: [string, string, string][] = [['first leg', c.O, c.H], ['second leg', c.H, c.D], ['direct', c.O, c.D]];
  const links = legs.map(([label, e, m]) => `${esc(label)} <a href="${esc(`${o.mirrorReport}#${pairAnchor(e, m, c.hs6)}`)}">${esc(`${e} → ${m}`)}</a>`);
  return `<p class="small">What each side recorded, in the mirror-gaps report: ${links.join(' · ')} <span class="muted">(a pair the mirror-gaps run did not flag has no entry there)</span></p>`;
}

interface RouteSeries {
  periods: string[];
  values: Map<string, (number | null)[]>;
  /** First and last period of each window (`baseline`, `post`). */
  windows: Record<string, [string, string]>;
  /** Where the values come from. */
  from: 'series' | 'evidence';
}

/** Each leg by period: the table's `series` column, else rebuilt from the evidence records (the larger side, imports at CIF/1.06). */
function routeSeries(rows: Rows, i: number): RouteSeries | null {
  type Point = { leg: string; period: string; window?: string; value_usd: number | null };
  let points = rows.list<Point>('series', i);
  let from: RouteSeries['from'] = 'series';
  if (!points.length) {
    from = 'evidence';
    const best = new Map<string, Point>();
    for (const e of rows.list<{ leg: string; side: string; period: string; value_usd: number | null }>('evidence', i)) {
      const v = e.value_usd === null ? null : e.side === 'M' ? e.value_usd / 1.06 : e.value_usd;
      const k = `${e.leg}|${e.period}`;
      const prev = best.get(k);
      if (!prev || (v !== null && (prev.value_usd === null || v > prev.value_usd))) best.set(k, { leg: e.leg, period: e.period, value_usd: v });
    }
    points = [...best.values()];
  }
  if (!points.length) return null;
  const ps = points.map((p) => p.period).sort();
  const periods = periodRange(ps[0], ps[ps.length - 1]);
  const index = new Map(periods.map((p, k) => [p, k]));
  // the three legs always (a leg nobody recorded shows as no line); the comparator only where the table has it
  const values = new Map(LEGS.filter((l) => l.leg !== 'comparator_first_leg').map((l) => [l.leg as string, periods.map(() => null as number | null)]));
  const windows: Record<string, [string, string]> = {};
  for (const p of points) {
    const k = index.get(p.period);
    if (k === undefined) continue;
    if (!values.has(p.leg)) values.set(p.leg, periods.map(() => null));
    values.get(p.leg)![k] = p.value_usd;
    if (p.window) {
      const w = windows[p.window];
      windows[p.window] = w ? [w[0] < p.period ? w[0] : p.period, w[1] > p.period ? w[1] : p.period] : [p.period, p.period];
    }
  }
  return { periods, values, windows, from };
}

function routeChart(s: RouteSeries, rows: Rows, i: number, o: RouteSectionOptions, c: { O: string | null; H: string | null; D: string | null; hs6: string }): string {
  const ends: Record<string, [string, string]> = { ...s.windows };
  const ps = rows.str('period_start', i);
  const pe = rows.str('period_end', i);
  if (!ends.post && ps && pe) ends.post = [ps, pe];
  const at = (p: string) => s.periods.indexOf(p);
  const bands: ChartBand[] = [];
  if (ends.baseline) bands.push({ from: at(ends.baseline[0]), to: at(ends.baseline[1]), label: 'baseline', fill: '#eaf5ea' });
  if (ends.post) bands.push({ from: at(ends.post[0]), to: at(ends.post[1]), label: 'after control', fill: '#fdf1e3' });
  const ends3: Record<string, string> = { first_leg: `${c.O} → ${c.H}`, second_leg: `${c.H} → ${c.D}`, direct: `${c.O} → ${c.D}`, comparator_first_leg: `${c.O} → ${c.H} (uncontrolled)` };
  const series: ChartSeries[] = LEGS.filter((l) => s.values.has(l.leg)).map((l) => ({
    name: l.leg, label: `${l.label} ${ends3[l.leg]}`, color: l.color, dash: l.dash, width: l.width, values: s.values.get(l.leg)!,
  }));
  const markers = o.controls ? controlMarkers(o.controls, c.O, c.hs6, c.D) : [];
  const svg = renderLineChart({ title: `${routeLabel(rows, i)}: both legs and the direct flow by period`, periods: s.periods, series, bands, markers });
  const drawn = markers.filter((m) => dateOnAxis(m.date, s.periods) !== null);
  const outside = markers.filter((m) => dateOnAxis(m.date, s.periods) === null);
  const dated = (ms: typeof markers) => ms.map((m) => `${m.label} ${m.date}`).join('; ');
  const note = [
    s.from === 'evidence' ? 'Drawn from the evidence records (the larger of the two sides; imports at CIF/1.06)' : 'Values as the detector read them (the larger of the two sides, imports put on FOB)',
    'a break in a line: nobody published that period',
    drawn.length ? `dashed red lines: ${dated(drawn)}` : o.controls ? '' : 'control dates not available',
    outside.length ? `outside the chart: ${dated(outside)}` : '',
  ].filter(Boolean).join('; ');
  return `${svg}<p class="muted small">${esc(note)}.</p>`;
}

/** The numbers behind reason r for route i, in words. */
function detailOf(r: string, rows: Rows, i: number, per: string, c: { O: string | null; H: string | null; D: string | null }): string {
  const n = (col: string) => rows.num(col, i);
  const move = (a: string, b: string) => `${usdShort(n(a))} → ${usdShort(n(b))} ${per}`;
  switch (r) {
    case 'second_leg_rose':
      return `${c.H} → ${c.D}: ${move('second_leg_pre_usd', 'second_leg_post_usd')}`;
    case 'goods_reach_hub':
      return `${c.O} → ${c.H}: ${move('first_leg_pre_usd', 'first_leg_post_usd')}; ${factorOfLog(n('first_leg_excess'))} against ${c.O}'s trend to its other buyers`;
    case 'diversion':
      return `${c.O} → ${c.D}: ${move('direct_pre_usd', 'direct_post_usd')}`;
    case 'pass_through':
      return `the first leg's rise covers ${percent(n('pass_through'))} of the second's`;
    case 'counterfactual':
      return `the first leg's excess is ${factorOfLog(n('counterfactual_log_difference'))} its counterfactual's (${rows.str('counterfactual_basis', i)?.replace(/_/g, ' ') ?? ''})`;
    case 'new_exporter':
      return `before the control ${c.H} sold ${c.D} ${percent(n('hub_prior_export_share'))} of what it sold after`;
    case 'unit_value':
      return `price per kg ${c.H} → ${c.D} is ${formatNumber(n('unit_value_ratio'))} × that of ${c.O} → ${c.H}`;
    case 'origin_kept': {
      const k = n('destination_origin_kept_log_ratio');
      return k === null ? '' : `${c.D} records ${factorOfLog(k)} what ${c.O} declares sending it`;
    }
    case 'consignment':
      return `${usdShort(n('consignment_usd'))} recorded by ${c.D} as goods of ${c.O} consigned from ${c.H}`;
    case 'hub_balance':
      return `${c.H} exports ${formatNumber(n('hub_balance'))} × what it imports of the code`;
    default:
      return '';
  }
}

/** The chain of evidence, link by link: required or supporting, whether it holds, its value, z and basis. */
function chainTable(rows: Rows, i: number): string {
  type L = { link: string; role: string; status: string; value: number | null; z: number | null; basis: string };
  const links = rows.list<L>('chain', i);
  if (!links.length) return '';
  const mark = (s: string) => (s === 'holds' ? '✔ holds' : s === 'fails' ? '✘ fails' : '? unjudged');
  const body = links.map((l) => [
    `${l.role === 'required' ? '<b>' : ''}${esc(l.link.replace(/_/g, ' '))}${l.role === 'required' ? '</b>' : ''}<br><span class="small muted">${esc(l.role)}</span>`,
    esc(mark(l.status)), linkValue(l), esc(l.z === null ? '–' : formatNumber(l.z)), esc(l.basis.replace(/_/g, ' ')),
  ]);
  return htmlTable([{ label: 'link', wrap: true }, { label: 'status' }, { label: 'value', numeric: true }, { label: 'z', numeric: true }, { label: 'measured against', wrap: true }], body, 'ranking');
}

/** A chain link's value as people read it: log changes and ratios as factors (the log in the tooltip), shares as percentages. */
function linkValue(l: { link: string; value: number | null; basis: string }): string {
  const v = l.value;
  if (v === null) return '–';
  switch (l.link) {
    case 'goods_reach_hub':
      return l.basis === 'hub_ghost_share' ? esc(percent(v)) : l.basis === 'consignment' ? esc(usdShort(v)) : factorHtml(v);
    case 'second_leg_rose':
    case 'counterfactual':
    case 'diversion':
    case 'origin_kept':
      return factorHtml(v);
    case 'pass_through':
    case 'new_exporter':
      return esc(percent(v));
    case 'consignment':
      return esc(usdShort(v));
    case 'timing':
      return esc(`${formatNumber(v, 0)} month${v === 1 ? '' : 's'}`);
    case 'unit_value':
    case 'hub_balance':
      return v > 0 ? esc(factorOfLog(Math.log(v))) : esc(formatNumber(v));
    default:
      return esc(formatNumber(v));
  }
}

function legTable(rows: Rows, i: number, per: string, c: { O: string | null; H: string | null; D: string | null }): string {
  const n = (col: string) => rows.num(col, i);
  const legs = [
    [`first leg ${c.O} → ${c.H}`, 'first_leg_pre_usd', 'first_leg_post_usd'],
    [`second leg ${c.H} → ${c.D}`, 'second_leg_pre_usd', 'second_leg_post_usd'],
    [`direct ${c.O} → ${c.D}`, 'direct_pre_usd', 'direct_post_usd'],
  ].map(([label, a, b]) => [esc(label), esc(usdShort(n(a))), esc(usdShort(n(b)))]);
  return htmlTable([{ label: `average ${per}` }, { label: 'baseline', numeric: true }, { label: 'after control', numeric: true }], legs);
}

function signalTable(rows: Rows, i: number): string {
  const n = (col: string) => rows.num(col, i);
  const more: [string, string][] = [
    ['pass-through (0–1)', formatNumber(n('pass_through'))],
    ["hub's earlier share of its later sales to the destination", percent(n('hub_prior_export_share'))],
    ["hub's re-exports as share of its exports there", percent(n('re_export_share'))],
    ['months from first leg to second leg', formatNumber(n('lag_months'), 0)],
    ['price ratio second leg / first leg', formatNumber(n('unit_value_ratio'))],
    ['share the hub did not record (ghost)', percent(n('hub_ghost_share'))],
    ['consigned from the hub (USD)', usdShort(n('consignment_usd'))],
    ['periods nobody published', formatNumber(n('unpublished_periods'), 0)],
    ['isolation score (0–1, unusual signal mix)', formatNumber(n('isolation_score'))],
  ];
  return htmlTable([{ label: 'other signals' }, { label: 'value', numeric: true }], more.filter(([, v]) => v !== '—').map(([k, v]) => [esc(k), esc(v)]));
}

function evidenceList(rows: Rows, i: number, limit: number): string {
  const ev = rows.list<{ leg: string; side: string; source: string | null; file: string | null; line: number | null; period: string; value_usd: number | null }>('evidence', i);
  if (!ev.length) return '';
  const side = (s: string) => (s === 'X' ? 'exporter (X)' : s === 'M' ? 'importer (M)' : s);
  const body = ev.slice(0, limit).map((e) => [
    esc(e.leg.replace('_', ' ')), esc(side(e.side)), esc(e.period), esc(formatNumber(e.value_usd, 0)), esc(e.source ?? '—'),
    esc(e.file ? `${e.file}${e.line !== null ? `:${e.line}` : ''}` : '—'),
  ]);
  return `<details><summary>Evidence: ${ev.length.toLocaleString('en-US')} trade records behind the legs${ev.length > limit ? ` (first ${limit} listed)` : ''}</summary>
${htmlTable([{ label: 'leg' }, { label: 'recorded by' }, { label: 'period' }, { label: 'value (USD)', numeric: true }, { label: 'source' }, { label: 'file:line' }], body)}
</details>`;
}
