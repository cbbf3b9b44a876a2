import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Field, Float64, Int32, Struct, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { readParquet } from '../../src/io/parquet.ts';
import { controlMarkers, type ControlDate } from '../../src/report/control-dates.ts';
import { dateOnAxis, renderLineChart } from '../../src/report/render-line-chart.ts';
import { renderRunIndex } from '../../src/report/render-run-index.ts';
import { renderRunSummary, type ReportSection } from '../../src/report/render-run-summary.ts';
import { memoryLog } from '../../src/base/log.ts';
import { runCommand } from '../../src/commands/run-command.ts';
import { list, manifest, num, text } from './report-fixtures.ts';

const SERIES = new Struct([new Field('leg', new Utf8()), new Field('period', new Utf8()), new Field('window', new Utf8()), new Field('value_usd', new Float64(), true)]);
const EVIDENCE = new Struct([
  new Field('leg', new Utf8()), new Field('side', new Utf8()), new Field('source', new Utf8(), true), new Field('file', new Utf8(), true),
  new Field('line', new Int32(), true), new Field('period', new Utf8()), new Field('value_usd', new Float64(), true),
]);
const ROUTE_COLUMNS = ['rank', 'origin', 'hub', 'destination', 'hs6', 'score', 'reasons'];
const ROUTES: ReportSection = { output: 'flagged_routes', title: 'Flagged routes', columns: ROUTE_COLUMNS };

/** One flagged route CHN → VNM → USA 811292 over four months: first leg, second leg (one month unpublished) and direct. */
function oneRoute(extra: Record<string, Vector> = {}): Table {
  const periods = ['2024-10', '2024-11', '2024-12', '2025-01'];
  const windows = ['baseline', 'excluded', 'post', 'post'];
  const legs: [string, (number | null)[]][] = [['first_leg', [0, 100, 500, 600]], ['second_leg', [0, null, 450, 580]], ['direct', [900, 800, 100, 50]]];
  const series = legs.flatMap(([leg, vs]) => vs.map((v, k) => ({ leg, period: periods[k], window: windows[k], value_usd: v })));
  return new Table({
    rank: vectorFromArray([1], new Int32()), origin: text(['CHN']), hub: text(['VNM']), hub_name: text(['Viet Nam']), destination: text(['USA']),
    hs6: text(['811292']), mineral: text(['gallium']), control_id: text(['cn-2024-46']), freq: text(['M']), period_start: text(['2024-12']), period_end: text(['2025-01']),
    first_leg_pre_usd: num([0]), first_leg_post_usd: num([550]), second_leg_pre_usd: num([0]), second_leg_post_usd: num([515]),
    direct_pre_usd: num([900]), direct_post_usd: num([75]), pass_through: num([0.94]), score: num([0.91]),
    reasons: list([['second_leg_rose', 'diversion']], new Utf8()), flag_id: text(['3de90246b25c64b7']),
    series: list([series], SERIES),
    ...extra,
  });
}

const BAN: ControlDate[] = [
  { controlId: 'cn-2024-46', hs6: '811292', origin: 'CHN', destinations: ['USA'], start: '2024-12-03', end: '2025-11-08', status: 'active' },
  { controlId: 'cn-2024-46', hs6: '811292', origin: 'CHN', destinations: ['USA'], start: '2025-11-09', end: '2026-11-27', status: 'suspended' },
  { controlId: 'cn-2023-23', hs6: '811292', origin: 'CHN', destinations: '*', start: '2023-08-01', end: null, status: 'active' },
  { controlId: 'cn-2023-39', hs6: '250410', origin: 'CHN', destinations: '*', start: '2023-12-01', end: null, status: 'active' },
];

/** The `<svg class="chart">…</svg>` blocks of a page. */
const charts = (html: string): string[] => [...html.matchAll(/<svg class="chart"[\s\S]*?<\/svg>/g)].map((m) => m[0]);
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe('renderRunSummary', () => {
  it('escapes every text that comes from data or the manifest', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const t = oneRoute({ hub_name: text([evil]), reasons: list([['"><script>alert(2)</script>']], new Utf8()) });
    const html = renderRunSummary({
      manifest: manifest({ run_id: '<script>alert(3)</script>', inputs: [{ kind: 'trade', path: 'a&b<c>.csv', bytes: 10, sha256: 'c'.repeat(64) }] }),
      tables: { flagged_routes: t }, sections: [ROUTES], countryNames: new Map([['CHN', "China's <b>"]]),
    });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain("China's <b>");
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(html).toContain('a&amp;b&lt;c&gt;.csv');
    expect(html).toContain('China&#39;s &lt;b&gt;');
  });

  it('renders an empty run: the summary, no chart, no changes section, and says nothing was flagged', () => {
    const empty = new Table({ rank: vectorFromArray([], new Int32()), reasons: list([], new Utf8()), score: num([]) });
    const html = renderRunSummary({ manifest: manifest(), tables: { flagged_routes: empty }, sections: [ROUTES] });
    expect(html).toMatch(/<h2>Flagged routes — 0 flagged<\/h2>/);
    expect(html).toContain('No route was flagged in this run.');
    expect(charts(html)).toEqual([]);
    expect(html).not.toContain('Changes since the last run');
    expect(html).toContain('<h2>Summary</h2>');
    expect(html).toContain('id="glossary"');
    // only the manifest: still a page, with the run details; no flags, so no glossary of them
    const bare = renderRunSummary({ manifest: manifest({ pipeline: 'coverage' }) });
    expect(bare).toContain('<h1>Reporting coverage — data up to 2024-06</h1>');
    expect(bare).toContain('id="details"');
    expect(bare).not.toContain('id="glossary"');
    expect(bare).toMatch(/<\/html>\n$/);
  });

  it("draws a route's chart with three series and a point per known value, the baseline and post windows, and the control dates in range", () => {
    const html = renderRunSummary({ manifest: manifest(), tables: { flagged_routes: oneRoute() }, sections: [ROUTES], controls: BAN });
    const [svg, ...more] = charts(html);
    expect(more).toEqual([]);
    expect(svg).toContain('data-series-count="3"');
    const groups = [...svg.matchAll(/<g class="series-group" data-series="(\w+)" data-points="(\d+)">/g)].map((m) => [m[1], Number(m[2])]);
    expect(groups).toEqual([['first_leg', 4], ['second_leg', 3], ['direct', 4]]);
    expect(count(svg, /<circle class="point"/g)).toBe(11);
    expect(count(svg, /<path class="series"/g)).toBe(3);
    // the second leg breaks at the unpublished month: two pen-downs
    const second = svg.match(/data-series="second_leg"[^>]*>\s*<path class="series" d="([^"]+)"/)![1];
    expect(count(second, /M/g)).toBe(2);
    expect(count(svg, /<rect class="band"/g)).toBe(2); // baseline and after control
    // the ban (2024-12-03) is on the axis; licensing (2023-08) and the suspension (2025-11) are not
    expect(count(svg, /<line class="marker"/g)).toBe(1);
    expect(svg).toContain('cn-2024-46 ban to USA');
    expect(html).toContain('outside the chart: cn-2023-23 licensing 2023-08-01; cn-2024-46 suspended 2025-11-09; cn-2024-46 suspension ends 2026-11-28');
    expect(html).toContain('(VNM → USA: USD 0 → USD 515 a month)'); // second_leg_surge with its numbers
  });

  it('rebuilds the series from the evidence records when the table has none (the larger side, imports at CIF/1.06)', () => {
    const evidence = [
      { leg: 'second_leg', side: 'X', source: 'comtrade', file: 'a.csv', line: 2, period: '2024-12', value_usd: 100 },
      { leg: 'second_leg', side: 'M', source: 'comtrade', file: 'a.csv', line: 3, period: '2024-12', value_usd: 212 },
      { leg: 'second_leg', side: 'X', source: 'comtrade', file: 'a.csv', line: 4, period: '2025-02', value_usd: 50 },
    ];
    const html = renderRunSummary({ manifest: manifest(), tables: { flagged_routes: oneRoute({ series: list([[]], SERIES), evidence: list([evidence], EVIDENCE) }) }, sections: [ROUTES] });
    const svg = charts(html)[0];
    expect([...svg.matchAll(/data-series="(\w+)" data-points="(\d+)"/g)].map((m) => [m[1], Number(m[2])])).toEqual([['first_leg', 0], ['second_leg', 2], ['direct', 0]]);
    expect(svg).toContain('second leg VNM → USA, 2024-12: USD 200'); // 212 / 1.06 beats 100
    expect(html).toContain('Evidence: 3 trade records behind the legs');
    expect(html).toContain('a.csv:3');
  });

  it('charts both sides of each flagged mirror pair from the pair table, flagged windows shaded', () => {
    const months = ['2024-01', '2024-02', '2024-03', '2024-04'];
    const pairs = new Table({
      exporter: text([...months.map(() => 'JPN'), 'JPN', 'KOR']), importer: text([...months.map(() => 'USA'), 'USA', 'USA']),
      hs6: text([...months.map(() => '811292'), '811292', '811292']), window: text([...months.map(() => 'M'), 'R3', 'M']),
      period_start: text([...months, '2024-01', '2024-01']),
      exporter_value_usd: num([100, 110, null, 90, 300, 5]), importer_value_fob_usd: num([100, 300, 320, 100, 720, 5]),
    });
    const gaps = new Table({
      rank: vectorFromArray([1], new Int32()), exporter: text(['JPN']), importer: text(['USA']), hs6: text(['811292']), window: text(['R3']),
      period_start: text(['2024-02']), period_end: text(['2024-04']), exporter_value_usd: num([200]), importer_value_fob_usd: num([720]), gap_usd: num([520]),
      score: num([2.5]), reasons: list([['importer_exceeds']], new Utf8()), flag_id: text(['50ef3f93ef5a0def']),
    });
    const html = renderRunSummary({
      manifest: manifest({ pipeline: 'mirror-gaps' }), tables: { mirror_gaps: gaps, mirror_pairs: pairs },
      sections: [{ output: 'mirror_gaps', title: 'Mirror gaps', columns: ['rank', 'exporter', 'importer', 'window', 'gap_usd', 'reasons'] }],
    });
    const all = charts(html);
    expect(all.length).toBe(1);
    expect([...all[0].matchAll(/data-series="(\w+)" data-points="(\d+)"/g)].map((m) => [m[1], Number(m[2])])).toEqual([['exporter', 3], ['importer', 4]]);
    expect(count(all[0], /<rect class="band"/g)).toBe(1);
    expect(html).toContain('<th>reasons</th>');
  });

  it('shows the changes since the last run from a change list, dropped flags included, or from the tables’ change column', () => {
    const t = oneRoute({ change: text(['persisting']), score_change: num([0.12]) });
    const changes = [
      { output: 'flagged_routes', flag_id: '3de90246b25c64b7', change: 'persisting', score: 0.91, previous_score: 0.79, score_change: 0.12 },
      { output: 'flagged_routes', flag_id: 'ffff000011112222', change: 'dropped', score: null, previous_score: 0.55, score_change: null },
    ];
    const html = renderRunSummary({ manifest: manifest(), tables: { flagged_routes: t }, sections: [ROUTES], changes });
    expect(html).toContain('<h2>Changes since the last run</h2>');
    expect(html).toMatch(/0 new<\/span> <span class="badge b-persisting">1 persisting<\/span> <span class="badge b-dropped">1 dropped/);
    expect(html).toContain('flag ffff000011112222 <span class="muted">score was 0.55</span>');
    expect(html).toContain('<a href="#route-1">CHN → VNM → USA · 811292 (gallium)</a>');
    expect(html).toContain('<span class="badge b-persisting" title="flagged in the last run too; the number is the change of score">persisting +0.12</span>');
    // no list given: the table's own column
    const fromTable = renderRunSummary({ manifest: manifest(), tables: { flagged_routes: t }, sections: [ROUTES] });
    expect(fromTable).toMatch(/0 new<\/span> <span class="badge b-persisting">1 persisting<\/span> <span class="badge b-dropped">0 dropped/);
  });

  it('shows verdicts when the table carries them', () => {
    const t = oneRoute({ verdict: text(['confirmed']), verdict_reviewer: text(['ben']), verdict_date: text(['2026-01-14']), verdict_note: text(['matches the bill of lading']) });
    const html = renderRunSummary({ manifest: manifest(), tables: { flagged_routes: t }, sections: [ROUTES] });
    expect(html).toContain('<th>review</th>');
    expect(html).toContain('<span class="badge b-confirmed" title="by ben, 2026-01-14: matches the bill of lading">confirmed</span>');
    expect(renderRunSummary({ manifest: manifest(), tables: { flagged_routes: oneRoute() }, sections: [ROUTES] })).not.toContain('<th>review</th>');
  });

  it('gives each flagged declaration its reasons with the numbers behind them and the record it came from', () => {
    const t = new Table({
      rank: vectorFromArray([1, 2], new Int32()), declaration_id: text(['D-1', 'D-2']), description: text(['Natural flake graphite', 'Gallium']),
      destination: text(['USA', 'USA']), value_usd: num([203215, 2500]), unit_value_robust_z: num([4.104, 0.1]), log_unit_value: num([Math.log(12.5), 0]),
      split_lots_in_window: num([null, 5]), misclassified_mineral: text([null, null]), score: num([0.8, 0.6]),
      reasons: list([['unit_value_outlier'], ['split_shipment']], new Utf8()), source_file: text(['d.csv', 'd.csv']), source_line: vectorFromArray([7, 9], new Int32()),
    });
    const html = renderRunSummary({
      manifest: manifest({ pipeline: 'declarations' }), tables: { flagged_declarations: t },
      sections: [{ output: 'flagged_declarations', title: 'Flagged declarations', columns: ['rank', 'declaration_id', 'description', 'value_usd', 'score', 'reasons'] }],
    });
    expect(html).toContain('price z 4.10, USD 12.50/kg');
    expect(html).toContain('5 lots within the window');
    expect(html).toContain('d.csv:9');
    expect(html).toContain('<dt>split_shipment</dt>'); // the glossary explains the reasons on the page
    expect(html).not.toContain('<dt>ghost</dt>'); // … and only those
  });
});

describe('chart helpers', () => {
  it('places dates on a monthly and a yearly axis, and leaves out dates off the axis', () => {
    expect(dateOnAxis('2024-12-01', ['2024-11', '2024-12', '2025-01'])).toBe(0.5);
    expect(dateOnAxis('2024-12-16', ['2024-11', '2024-12', '2025-01'])).toBeCloseTo(0.5 + 15 / 31, 12); // day 16 of 31
    expect(dateOnAxis('2023-01-01', ['2022', '2023'])).toBe(0.5);
    expect(dateOnAxis('2025-02-01', ['2024-11', '2024-12', '2025-01'])).toBeNull();
    expect(dateOnAxis('2024-10-31', ['2024-11', '2024-12'])).toBeNull();
  });

  it('marks licensing for every destination, a ban only for its destinations, and a suspension’s start and end', () => {
    expect(controlMarkers(BAN, 'CHN', '811292', 'USA')).toEqual([
      { date: '2023-08-01', label: 'cn-2023-23 licensing' },
      { date: '2024-12-03', label: 'cn-2024-46 ban to USA' },
      { date: '2025-11-09', label: 'cn-2024-46 suspended' },
      { date: '2026-11-28', label: 'cn-2024-46 suspension ends' },
    ]);
    expect(controlMarkers(BAN, 'CHN', '811292', 'JPN')).toEqual([{ date: '2023-08-01', label: 'cn-2023-23 licensing' }]);
    expect(controlMarkers(BAN, 'THA', '811292', 'USA')).toEqual([]);
  });

  it('draws nothing for values it does not know, and an axis from 0 when every value is 0', () => {
    const svg = renderLineChart({ title: 't', periods: ['2024-01', '2024-02'], series: [{ name: 'a', label: 'a', color: '#000', values: [null, null] }, { name: 'b', label: 'b', color: '#111', values: [0, 0] }] });
    expect(svg).toContain('data-series="a" data-points="0"');
    expect(svg).toContain('data-series="b" data-points="2"');
    expect(count(svg, /<path class="series"/g)).toBe(1);
  });
});

describe('renderRunIndex', () => {
  it("links each pipeline's report and gives its headline counts", () => {
    const html = renderRunIndex([
      { manifest: manifest({ counts: { 'out.flagged_routes': 3, 'changes.flagged_routes.new': 1, 'changes.flagged_routes.dropped': 2 } }), sections: [ROUTES] },
      manifest({ pipeline: 'coverage', outputs: [{ path: 'coverage.parquet', rows: 10, sha256: '' }, { path: 'rejects.parquet', rows: 0, sha256: '' }] }),
    ]);
    expect(html).toContain('<a href="../../transshipment/as_of=2024-06/report.html">Transshipment routes</a>');
    expect(html).toContain('Flagged routes: <b>3</b> <span class="badge b-new">1 new</span> <span class="badge b-dropped">2 dropped</span>');
    expect(html).toContain('coverage 10 rows');
    expect(html).not.toContain('rejects 0 rows');
  });
});

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
// CI installs Debian chromium (.ci/run) and sets this, so there the test never skips silently
const BROWSER_REQUIRED = process.env.TRADEWATCH_BROWSER_TESTS === '1' || /^(1|true)$/i.test(process.env.CI ?? '');
if (!HAVE_CHROMIUM && !BROWSER_REQUIRED) {
  console.warn(`browser test skipped: ${CHROMIUM} not found (apt-get install chromium; TRADEWATCH_BROWSER_TESTS=1 makes its absence a failure)`);
}

describe.skipIf(!HAVE_CHROMIUM && !BROWSER_REQUIRED)('the reports of a real run in headless Chromium', () => {
  it('draw every chart, log nothing to the console, ask the network for nothing, and link each other', async () => {
    if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM} is missing but TRADEWATCH_BROWSER_TESTS=1 or CI is set: install Debian chromium (apt-get install -y chromium)`);
    const out = await mkdtemp(join(tmpdir(), 'tw-report-'));
    let n = 0;
    await runCommand('all', { trade: ['data/sample/trade'], declarations: ['data/sample/declarations'], out }, {
      now: () => new Date('2026-01-01T00:00:00Z'), runId: () => `run-${++n}`, log: memoryLog(),
    });
    const routes = (await readParquet(join(out, 'transshipment', 'as_of=2025-06', 'flagged_routes.parquet'))).numRows;
    expect(routes).toBe(3); // the sample's three injected routes
    const gaps = await readParquet(join(out, 'mirror-gaps', 'as_of=2025-06', 'mirror_gaps.parquet'));
    const pairs = new Set(Array.from({ length: gaps.numRows }, (_, i) => ['exporter', 'importer', 'hs6'].map((c) => gaps.getChild(c)!.get(i)).join('|'))).size;

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const messages: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') messages.push(`${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      const open = async (path: string) => {
        requests.length = 0;
        await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
        expect(requests).toEqual([pathToFileURL(path).href]); // the page itself and nothing else
      };
      /** Every chart's box, and every drawn series' box (a flat line has no height, never no width). */
      const drawn = () => page.locator('svg.chart').evaluateAll((charts) => charts.map((svg) => {
        const box = svg.getBoundingClientRect();
        const lines = [...svg.querySelectorAll('path.series')].map((p) => (p as unknown as { getBBox(): { width: number } }).getBBox());
        return { width: box.width, height: box.height, route: !!svg.closest('article.route'), series: lines.length, lineWidths: lines.map((b) => b.width) };
      }));

      await open(join(out, 'transshipment', 'as_of=2025-06', 'report.html'));
      const routeCharts = await drawn();
      expect(routeCharts.filter((c) => c.route).length).toBe(routes);
      for (const c of routeCharts) {
        expect(c.width).toBeGreaterThan(200);
        expect(c.height).toBeGreaterThan(100);
        expect(c.series).toBe(3); // first leg, second leg, direct
        for (const w of c.lineWidths) expect(w).toBeGreaterThan(0);
      }
      expect(await page.locator('svg.chart line.marker').count()).toBeGreaterThanOrEqual(routes); // each route's control start at least

      await open(join(out, 'mirror-gaps', 'as_of=2025-06', 'report.html'));
      const mirrorCharts = await drawn();
      expect(mirrorCharts.length).toBe(Math.min(pairs, 12));
      for (const c of mirrorCharts) {
        expect(c.width).toBeGreaterThan(200);
        expect(c.series).toBe(2); // exporter and importer
        for (const w of c.lineWidths) expect(w).toBeGreaterThan(0);
      }

      await open(join(out, 'declarations', 'as_of=2025-06', 'report.html'));
      expect(await page.locator('#flagged_declarations table').count()).toBe(2); // the rules caught, the declarations ranked

      await open(join(out, 'report', 'as_of=2025-06', 'report.html'));
      const links = await page.locator('a').evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
      expect(links.length).toBe(4);
      for (const href of links) expect(existsSync(new URL(href)), href).toBe(true);
      expect(messages).toEqual([]);
    } finally {
      await browser.close();
    }
    expect(readFileSync(join(out, 'transshipment', 'as_of=2025-06', 'report.html'), 'utf8')).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });
});
