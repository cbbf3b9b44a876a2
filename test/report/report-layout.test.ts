import { Bool, Field, Float64, Int32, Struct, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { ControlDate } from '../../src/report/control-dates.ts';
import { renderRunIndex } from '../../src/report/render-run-index.ts';
import { renderRunSummary, type ReportSection } from '../../src/report/render-run-summary.ts';
import { list, manifest, num, text } from './report-fixtures.ts';

// issue 19 item 7: the ranking first (rank, route, score, why), factors instead of logs, controls by name,
// the coverage table, links between the reports of one as-of, a CJK font, a combined report that says when

const CHAIN = new Struct([
  new Field('link', new Utf8()), new Field('role', new Utf8()), new Field('status', new Utf8()),
  new Field('value', new Float64(), true), new Field('z', new Float64(), true), new Field('basis', new Utf8()),
]);
const SERIES = new Struct([new Field('leg', new Utf8()), new Field('period', new Utf8()), new Field('window', new Utf8()), new Field('value_usd', new Float64(), true)]);
const CONTROLS = new Struct([
  new Field('control_id', new Utf8()), new Field('destinations', new Utf8()), new Field('freq', new Utf8()),
  new Field('period_start', new Utf8()), new Field('period_end', new Utf8()), new Field('flagged', new Bool()),
]);

/** The pipeline's own declaration of the ranking's columns (pipelines/transshipment.ts). */
const ROUTE_COLUMNS = ['rank', 'origin', 'hub', 'hub_name', 'destination', 'hs6', 'mineral', 'score', 'reasons', 'links_missing', 'at_stake_usd', 'weakest_link_z',
  'control_id', 'period_start', 'period_end', 'first_leg_excess', 'second_leg_surge', 'pass_through', 'counterfactual_basis'];
const ROUTES: ReportSection = { output: 'flagged_routes', title: 'Flagged routes', columns: ROUTE_COLUMNS };

/** The catalog's intervals of the graphite control, as the runner hands them over (with their announcement). */
const CATALOG: ControlDate[] = [
  { controlId: 'cn-2023-39', hs6: '250410', origin: 'CHN', destinations: '*', start: '2023-12-01', end: null, status: 'active', source: 'MOFCOM/GAC 2023 No. 39' },
  { controlId: 'cn-2024-46', hs6: '250410', origin: 'CHN', destinations: ['USA'], start: '2024-12-03', end: '2025-11-08', status: 'active', source: 'MOFCOM 2024 No. 46' },
  { controlId: 'cn-2024-46', hs6: '250410', origin: 'CHN', destinations: ['USA'], start: '2025-11-09', end: '2026-11-27', status: 'suspended', source: 'MOFCOM 2024 No. 46' },
];

/** One flagged graphite route CHN → IND → USA whose first leg rose log 1.87 (×6.5) above the origin's trend. */
function route(): Table {
  return new Table({
    rank: vectorFromArray([1], new Int32()), origin: text(['CHN']), hub: text(['IND']), hub_name: text(['India']), destination: text(['USA']),
    hs6: text(['250410']), mineral: text(['graphite']), control_id: text(['cn-2023-39']), freq: text(['M']), period_start: text(['2024-02']), period_end: text(['2025-01']),
    first_leg_excess: num([1.87]), second_leg_surge: num([Math.log(3)]), diversion: num([Math.log(0.5)]), pass_through: num([0.99]),
    at_stake_usd: num([85_213_918]), weakest_link_z: num([2]), links_missing: list([['counterfactual']], new Utf8()), counterfactual_basis: text(['unavailable']),
    score: num([68_171_135]), reasons: list([['goods_reach_hub', 'second_leg_rose']], new Utf8()), flag_id: text(['b88589501a894db3']),
    explanation: text(['Flagged: the first leg rose.']),
    chain: list([[{ link: 'goods_reach_hub', role: 'required', status: 'holds', value: 1.87, z: 286.08, basis: 'own_history' }]], CHAIN),
    controls: list([[{ control_id: 'cn-2023-39', destinations: '*', freq: 'M', period_start: '2024-02', period_end: '2025-01', flagged: true }]], CONTROLS),
    // around the control (2023-12-01): a baseline, then the months after
    series: list([['2023-10', '2023-11', '2024-02', '2024-03'].flatMap((period, k) => ['first_leg', 'second_leg', 'direct'].map((leg) => (
      { leg, period, window: k < 2 ? 'baseline' : 'post', value_usd: leg === 'direct' ? 100 - 20 * k : 10 + 50 * k }
    )))], SERIES),
  });
}

const NAMES = new Map([['CHN', 'China'], ['IND', 'India'], ['USA', 'United States']]);

/** The `<th>` labels of the first table after `from` in `html`. */
function headersAfter(html: string, from: string): string[] {
  const at = html.indexOf(from);
  const table = html.slice(at).match(/<thead><tr>([\s\S]*?)<\/tr><\/thead>/)![1];
  return [...table.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
}

describe('log ratios shown as factors', () => {
  it("shows a route's first leg, its chain link and a mirror gap's importer ÷ exporter as factors, not as logs", () => {
    const html = renderRunSummary({ manifest: manifest(), tables: { flagged_routes: route() }, sections: [ROUTES], controls: CATALOG });
    expect(html).toContain('CHN → IND <span title="log 1.87">×6.5</span>'); // the ranking's why
    expect(html).toContain('<td class="num"><span title="log 1.87">×6.5</span></td>'); // the chain of evidence
    expect(html).not.toMatch(/>1\.87</);
    const gaps = new Table({
      rank: vectorFromArray([1], new Int32()), exporter: text(['JPN']), importer: text(['USA']), hs6: text(['811292']), window: text(['R3']),
      period_end: text(['2024-04']), exporter_value_usd: num([200]), importer_value_fob_usd: num([1300]), gap_usd: num([1100]), log_ratio: num([1.87]),
      score: num([2.5]), reasons: list([['importer_exceeds']], new Utf8()), flag_id: text(['50ef3f93ef5a0def']),
    });
    const mirror = renderRunSummary({
      manifest: manifest({ pipeline: 'mirror-gaps' }), tables: { mirror_gaps: gaps },
      sections: [{ output: 'mirror_gaps', title: 'Mirror gaps', columns: ['rank', 'exporter', 'importer', 'hs6', 'window', 'period_end', 'exporter_value_usd', 'importer_value_fob_usd', 'gap_usd', 'log_ratio', 'score', 'reasons'] }],
    });
    expect(mirror).toContain('importer <span class="nw">USD 1.3 k</span> (<span title="log 1.87">×6.5</span>)');
    expect(mirror).not.toMatch(/>1\.87</);
  });
});

describe('controls by name', () => {
  it('shows the control in the ranking, the card and the chart by name, the id only in a tooltip', () => {
    const html = renderRunSummary({ manifest: manifest(), tables: { flagged_routes: route() }, sections: [ROUTES], controls: CATALOG });
    expect(html).toContain('<span title="cn-2023-39">MOFCOM/GAC 2023 No. 39 (from 2023-12-01)</span>'); // ranking
    expect(html).toContain('control MOFCOM/GAC 2023 No. 39 (from 2023-12-01) · baseline 2023-10–2023-11'); // card
    expect(html).toContain('<title>2023-12-01: MOFCOM/GAC 2023 No. 39 licensing</title>'); // the chart's marker
    expect(html).not.toMatch(/>cn-2023-39</);
    expect(html).not.toContain('control cn-2023-39');
  });
});

describe('the ranking first', () => {
  it('opens the page with the flagged routes, whose first table is the ranking: rank, route, score, why', () => {
    const html = renderRunSummary({ manifest: manifest(), tables: { flagged_routes: route() }, sections: [ROUTES], controls: CATALOG, countryNames: NAMES });
    const first = html.match(/<section id="([^"]+)"/)![1];
    expect(first).toBe('flagged_routes');
    expect(headersAfter(html, '<section id="flagged_routes"').slice(0, 4)).toEqual(['rank', 'route', 'score', 'why']);
    // the page's contents list the ranking first, the summary after it
    const nav = html.match(/<nav class="toc">([\s\S]*?)<\/nav>/)![1];
    expect([...nav.matchAll(/href="#([^"]+)"/g)].map((m) => m[1])).toEqual(['flagged_routes', 'summary', 'glossary', 'details']);
    // long cells wrap: the route, why and control columns
    expect(html).toContain('<td class="wrap route"><span title="China → India → United States">CHN → IND → USA</span><br><span class="small muted">graphite 250410 · via India</span></td>');
    expect(html).toContain('<td class="wrap wide why">');
  });

  it('puts the declarations and the mirror gaps ranking before the rest of their sections, rank, what, score, reasons', () => {
    const t = new Table({
      rank: vectorFromArray([1], new Int32()), declaration_id: text(['D-1']), date: text(['2025-06-05']), declared_code: text(['8112929010']),
      origin: text(['CHN']), departure: text(['VNM']), destination: text(['USA']), value_usd: num([603]), score: num([0.85]),
      reasons: list([['via_flagged_hub']], new Utf8()), route_flag_id: text(['cea9108eab618b8c']),
    });
    const html = renderRunSummary({
      manifest: manifest({ pipeline: 'declarations' }), tables: { flagged_declarations: t },
      sections: [{ output: 'flagged_declarations', title: 'Flagged declarations', columns: ['rank', 'declaration_id', 'date', 'declared_code', 'origin', 'departure', 'destination', 'value_usd', 'score', 'reasons'] }],
    });
    expect(html.match(/<section id="([^"]+)"/)![1]).toBe('flagged_declarations');
    expect(headersAfter(html, '<section id="flagged_declarations"').slice(0, 4)).toEqual(['rank', 'declaration', 'score', 'reasons']);
    expect(html.indexOf('Declarations, ranked')).toBeLessThan(html.indexOf('What the rules caught'));
  });
});

describe('links between the reports of one as-of', () => {
  it("links a declaration's route_flag_id to that route's row in the transshipment report it read", () => {
    const t = new Table({
      rank: vectorFromArray([1], new Int32()), declaration_id: text(['D-1']), origin: text(['CHN']), departure: text(['VNM']), destination: text(['USA']),
      score: num([0.85]), reasons: list([['via_flagged_hub']], new Utf8()), route_flag_id: text(['cea9108eab618b8c']),
    });
    const m = manifest({
      pipeline: 'declarations', partition: 'as_of=2025-06', as_of: '2025-06',
      inputs: [{ kind: 'routes', path: '../out/transshipment/as_of=2025-06/flagged_routes.parquet', bytes: 1, sha256: 'c'.repeat(64) }],
    });
    const html = renderRunSummary({ manifest: m, tables: { flagged_declarations: t }, sections: [{ output: 'flagged_declarations', title: 'Flagged declarations', columns: ['rank', 'declaration_id', 'score', 'reasons'] }] });
    expect(html).toContain('route <a href="../../transshipment/as_of=2025-06/report.html#flag-cea9108eab618b8c">cea9108eab618b8c</a>');
  });

  it("gives each ranked route the anchor declarations link to, and links its legs to their mirror pairs' anchors", () => {
    const m = manifest({ inputs: [{ kind: 'mirror', path: '/data/out/mirror-gaps/as_of=2024-06/mirror_pairs.parquet', bytes: 1, sha256: 'c'.repeat(64) }] });
    const html = renderRunSummary({ manifest: m, tables: { flagged_routes: route() }, sections: [ROUTES], controls: CATALOG });
    expect(html).toContain('<tr id="flag-b88589501a894db3">');
    const mirror = '../../mirror-gaps/as_of=2024-06/report.html';
    expect(html).toContain(`first leg <a href="${mirror}#pair-CHN-IND-250410">CHN → IND</a>`);
    expect(html).toContain(`second leg <a href="${mirror}#pair-IND-USA-250410">IND → USA</a>`);
    expect(html).toContain(`direct <a href="${mirror}#pair-CHN-USA-250410">CHN → USA</a>`);
    // the mirror-gaps ranking carries those anchors, one per pair
    const gaps = new Table({
      rank: vectorFromArray([1, 2], new Int32()), exporter: text(['CHN', 'CHN']), importer: text(['IND', 'IND']), hs6: text(['250410', '250410']),
      score: num([3, 2]), reasons: list([['importer_exceeds'], ['ghost']], new Utf8()),
    });
    const page = renderRunSummary({ manifest: manifest({ pipeline: 'mirror-gaps' }), tables: { mirror_gaps: gaps }, sections: [{ output: 'mirror_gaps', title: 'Mirror gaps', columns: ['rank', 'exporter', 'importer', 'hs6', 'score', 'reasons'] }] });
    expect((page.match(/<tr id="pair-CHN-IND-250410">/g) ?? []).length).toBe(1);
  });
});

describe('the coverage report', () => {
  it('shows the coverage table: per reporter and direction, then every reporter × flow × period', () => {
    const coverage = new Table({
      reporter: text(['BEL', 'BEL', 'BEL', 'USA']), flow: text(['M', 'M', 'M', 'X']), period: text(['2024-01', '2024-02', '2024-05', '2024-01']),
      rows: vectorFromArray([3, 4, 5, 7], new Int32()), partners: vectorFromArray([2, 3, 1, 6], new Int32()), products: vectorFromArray([1, 2, 2, 4], new Int32()),
      value_usd: num([1_000, 2_500, 500, 9_000_000]),
    });
    const html = renderRunSummary({ manifest: manifest({ pipeline: 'coverage' }), tables: { coverage } });
    expect(html.match(/<section id="([^"]+)"/)![1]).toBe('coverage');
    expect(html).toContain('<h2>Coverage — 2 reporters, 4 reporter × flow × period rows</h2>');
    // BEL imports: 3 periods, 2024-01 to 2024-05 with 2024-03–2024-04 missing, 12 rows, at most 3 partners and 2 products, USD 4.0 k
    expect(html).toContain('<tr><td>BEL</td><td>imports</td><td class="num">3</td><td>2024-01</td><td>2024-05</td><td class="wrap">2024-03–2024-04</td><td class="num">12</td><td class="num">3</td><td class="num">2</td><td class="num">USD 4.0 k</td></tr>');
    expect(html).toContain('<tr><td>USA</td><td>exports</td><td>2024-01</td><td class="num">7</td><td class="num">6</td><td class="num">4</td><td class="num">9,000,000</td></tr>');
  });
});

describe('fonts and the combined report', () => {
  it('names CJK fonts before the generic family, so Chinese goods descriptions do not render as boxes', () => {
    const html = renderRunSummary({ manifest: manifest() });
    const font = html.match(/body\{font:14px\/1\.45 ([^;]+);/)![1];
    expect(font).toContain('"Noto Sans CJK SC"');
    expect(font).toContain('"Microsoft YaHei"');
    expect(font.indexOf('"Noto Sans CJK SC"')).toBeLessThan(font.indexOf('sans-serif'));
  });

  it('says when the combined report was generated, and when each pipeline ran', () => {
    const html = renderRunIndex([manifest({ finished_at: '2026-01-01T00:00:01.000Z' })], { generatedAt: new Date('2026-01-02T03:04:05Z') });
    expect(html).toContain('Generated 2026-01-02 03:04:05 UTC');
    expect(html).toContain('succeeded<br><span class="muted small">2026-01-01 00:00:01 UTC</span>');
  });
});
