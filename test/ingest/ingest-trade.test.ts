import { beforeAll, describe, expect, it } from 'vitest';
import { loadCountryResolver } from '../../src/io/reference.ts';
import { ingestTrade, type TradeSource } from '../../src/ingest/ingest-trade.ts';
import { ingestDefaults, type IngestParams } from '../../src/ingest/params.ts';
import type { CountryResolver } from '../../src/reference/countries.ts';
import { InputError, UsageError } from '../../src/base/errors.ts';
import { PLUS_HEADER, plus } from './plus-rows.ts';
import { chunksOf, rowsOf } from '../helpers.ts';

let resolver: CountryResolver;
beforeAll(async () => {
  resolver = await loadCountryResolver();
});

function csv(display: string, text: string, chunk = 64 * 1024): TradeSource {
  return { display, kind: 'csv', chunks: chunksOf(text, chunk) };
}

async function run(sources: TradeSource[], params: Partial<IngestParams> = {}, format?: string, hsCodes: string[] | null = null) {
  return ingestTrade(sources, { params: { ...ingestDefaults, ...params }, resolver, format, hsCodes });
}

describe('ingest: Comtrade Plus', () => {
  const text = [
    PLUS_HEADER,
    plus({}), // 2 total USA←THA
    plus({ motCode: 1000, primaryValue: 3000 }), // 3 breakdown by sea
    plus({ motCode: 2000, primaryValue: 2000 }), // 4 breakdown by air
    plus({}), // 5 exact duplicate of line 2
    plus({ partner2Code: 156, primaryValue: 1200 }), // 6 consigned from CHN
    plus({ partnerCode: 0, primaryValue: 9000 }), // 7 World
    plus({ partnerCode: 899, primaryValue: 400 }), // 8 Areas nes
    plus({ flowCode: 'RX', reporterCode: 764, partnerCode: 842, primaryValue: 700 }), // 9 re-export
    plus({ reporterCode: 251, partnerCode: 490, primaryValue: 10, netWgt: 0 }), // 10 FRA←TWN, weight 0 → null
    plus({ reporterCode: 97, primaryValue: 11 }), // 11 EU aggregate reporter
    plus({ reporterCode: 699, partnerCode: 156, motCode: 1000, primaryValue: 50 }), // 12 breakdown without a total
    plus({ reporterCode: 757, partnerCode: 579, cmdCode: '250490', primaryValue: 77 }), // 13 another code
  ].join('\r\n');

  it('keeps the reported totals and routes areas, sub-flows and consignment rows', async () => {
    const r = await run([csv('plus.csv', text, 7)]);
    expect(rowsOf(r.flows, ['reporter', 'partner', 'flow', 'value_usd', 'total_basis', 'source_line'])).toEqual([
      { reporter: 'USA', partner: 'THA', flow: 'M', value_usd: 5000, total_basis: 'reported', source_line: 2 },
      { reporter: 'FRA', partner: 'TWN', flow: 'M', value_usd: 10, total_basis: 'reported', source_line: 10 },
      { reporter: 'CHE', partner: 'NOR', flow: 'M', value_usd: 77, total_basis: 'reported', source_line: 13 },
    ]);
    expect(rowsOf(r.consignment, ['reporter', 'partner', 'partner2', 'value_usd'])).toEqual([
      { reporter: 'USA', partner: 'THA', partner2: 'CHN', value_usd: 1200 },
    ]);
    expect(rowsOf(r.areas, ['partner', 'area_kind', 'value_usd'])).toEqual([
      { partner: 'WLD', area_kind: 'world', value_usd: 9000 },
      { partner: '_899', area_kind: 'non_country', value_usd: 400 },
    ]);
    expect(rowsOf(r.subflows, ['reporter', 'flow', 'value_usd'])).toEqual([{ reporter: 'THA', flow: 'RX', value_usd: 700 }]);
    expect(r.counts).toMatchObject({
      rows_read: 12,
      duplicate_exact: 1,
      breakdown_row: 2,
      zero_weight_nulled: 1,
      'rejected.aggregate_reporter': 1,
      'rejected.total_missing': 1,
      'out.flows': 3,
    });
    expect(rowsOf(r.rejects, ['source_line', 'column', 'reason'])).toEqual([
      { source_line: 11, column: 'reporterCode', reason: 'aggregate_reporter' },
      { source_line: 12, column: '(key)', reason: 'total_missing' },
    ]);
  });

  it('carries the canonical columns with types, units and flags', async () => {
    const r = await run([csv('plus.csv', text)]);
    const first = rowsOf(r.flows)[0];
    expect(first).toMatchObject({
      period: '2024-01', freq: 'M', partner2: null, cmd_code: '811010', cmd_level: 6, hs6: '811010', hs_revision: 'HS2022',
      cif_usd: 5000, fob_usd: null, net_weight_kg: 1000, qty: 1000, qty_unit: 'kg', net_weight_estimated: false,
      qty_estimated: false, source: 'comtrade', source_file: 'plus.csv',
    });
    expect(rowsOf(r.flows)[1].net_weight_kg).toBeNull();
    expect(r.flows.schema.fields.map((f) => f.name)).toContain('source_line');
    expect(String(r.flows.schema.fields.find((f) => f.name === 'reporter')!.type)).toBe('Dictionary<Int32, Utf8>');
  });

  it('filters on the product code before reading the rest of the row', async () => {
    const r = await run([csv('plus.csv', text)], {}, undefined, ['2504']);
    expect(rowsOf(r.flows, ['cmd_code'])).toEqual([{ cmd_code: '250490' }]);
    expect(r.counts.filtered_hs).toBe(11);
  });

  it('gives the same tables whatever the chunk size', async () => {
    const a = await run([csv('plus.csv', text, 1)]);
    const b = await run([csv('plus.csv', text)]);
    expect(rowsOf(a.flows)).toEqual(rowsOf(b.flows));
    expect(rowsOf(a.rejects)).toEqual(rowsOf(b.rejects));
  });

  it('rejects bad values with file, line, column and value, and fails above the reject rate', async () => {
    const bad = [PLUS_HEADER, plus({ primaryValue: 'abc' }), plus({ reporterCode: 12345 }), plus({ period: '2024-13' }), plus({})].join('\n');
    const r = await run([csv('bad.csv', bad)], { maxRejectRate: 1 });
    expect(rowsOf(r.rejects)).toEqual([
      { source_file: 'bad.csv', source_line: 2, column: 'primaryValue', value: 'abc', reason: 'invalid_number' },
      { source_file: 'bad.csv', source_line: 3, column: 'reporterCode', value: '12345', reason: 'unknown_country' },
      { source_file: 'bad.csv', source_line: 4, column: 'period', value: '2024-13', reason: 'invalid_period' },
    ]);
    await expect(run([csv('bad.csv', bad)])).rejects.toThrow(
      /3 of 4 rows rejected \(75\.00% > --max-reject-rate 1\.00%\).*nothing written.*bad\.csv line 2, column 'primaryValue', value 'abc'/,
    );
  });

  it('does not count policy rejects (aggregates) towards the reject rate', async () => {
    const t = [PLUS_HEADER, plus({ reporterCode: 97 }), plus({})].join('\n');
    const r = await run([csv('eu.csv', t)], { maxRejectRate: 0 });
    expect(r.flows.numRows).toBe(1);
    expect(r.counts['rejected.aggregate_reporter']).toBe(1);
  });

  it('names the file and the missing columns', async () => {
    const t = PLUS_HEADER.replace(',motCode', '') + '\n';
    await expect(run([csv('short.csv', t)])).rejects.toThrow("short.csv: missing required column 'motCode' for the Comtrade Plus layout");
  });
});

describe('ingest: layouts and errors', () => {
  it('refuses an unknown layout, naming the file and suggesting a mapping', async () => {
    await expect(run([csv('x.csv', 'a,b,c\n1,2,3\n')])).rejects.toThrow(/x\.csv: unknown layout \(header: a,b,c\)/);
    // the columns comtrade-atlas needs, but not all its detect columns (netwgt is missing): suggested, not read
    await expect(run([csv('atlas.csv', 'reporter,partner,cmd,flow,value\n')])).rejects.toThrow(
      /try --format mapped:comtrade-atlas/,
    );
  });

  it("reads a header that one mapping's detect columns match with that mapping, and notes it (issue 19 item 5)", async () => {
    // the atlas 2024 layout: no year column, the year from the file name
    const t = ['reporter,partner,cmd,flow,value,netwgt', '764,842,811010,X,22722446.5,1118407', '842,764,811010,M,30178779,1782467'].join('\n');
    const r = await run([csv('comtrade_2024.csv', t)]);
    expect(r.layouts).toEqual({ 'comtrade_2024.csv': 'mapped:comtrade-atlas' });
    expect(rowsOf(r.flows, ['period', 'reporter', 'partner', 'flow', 'cmd_code', 'value_usd', 'source'])).toEqual([
      { period: '2024', reporter: 'THA', partner: 'USA', flow: 'X', cmd_code: '811010', value_usd: 22722446.5, source: 'mapped:comtrade-atlas' },
      { period: '2024', reporter: 'USA', partner: 'THA', flow: 'M', cmd_code: '811010', value_usd: 30178779, source: 'mapped:comtrade-atlas' },
    ]);
    expect(r.notes).toEqual(['comtrade_2024.csv: read with mapping mapped:comtrade-atlas: its detect columns matched (reporter,partner,cmd,flow,value,netwgt)']);
    // a mapping of one's own is detected the same way; a built-in layout still wins over any mapping
    const mine = {
      mappings: {
        mine: {
          description: '', detect: ['EXP', 'imp', 'code', 'kusd'], countryCodes: 'iso3' as const, hsRevision: 'HS2022',
          fields: { period: { const: 2023 }, reporter: { column: 'exp' }, partner: { column: 'imp' }, flow: { const: 'X' }, cmd_code: { column: 'code' }, value_usd: { column: 'kusd', multiplier: 1000 } },
        },
      },
    };
    const m = await run([csv('m.csv', 'exp,imp,code,kusd\nCHN,USA,811292,2\n')], mine);
    expect(m.layouts).toEqual({ 'm.csv': 'mapped:mine' });
    expect(rowsOf(m.flows, ['reporter', 'value_usd'])).toEqual([{ reporter: 'CHN', value_usd: 2000 }]);
    const plusHeader = await run([csv('p.csv', `${PLUS_HEADER}\n${plus({})}\n`)], { mappings: { ...mine.mappings, wide: { ...mine.mappings.mine, detect: ['reporterCode'] } } });
    expect(plusHeader.layouts).toEqual({ 'p.csv': 'comtrade' });
    expect(plusHeader.notes).toEqual([]);
  });

  it("refuses a header that several mappings' detect columns match, naming them (issue 19 item 5)", async () => {
    const mapping = {
      description: '', countryCodes: 'iso3' as const, hsRevision: 'HS2022',
      fields: { period: { const: 2023 }, reporter: { column: 'exp' }, partner: { column: 'imp' }, flow: { const: 'X' }, cmd_code: { column: 'code' }, value_usd: { column: 'usd' } },
    };
    const params = { mappings: { ...ingestDefaults.mappings, first: { ...mapping, detect: ['exp', 'imp'] }, second: { ...mapping, detect: ['code', 'usd'] } } };
    await expect(run([csv('two.csv', 'exp,imp,code,usd\nCHN,USA,811292,1\n')], params)).rejects.toThrow(
      /^two\.csv: the detect columns of several mappings match its header \(header: exp,imp,code,usd\): mapped:first \(exp,imp\), mapped:second \(code,usd\); pass --format with one of them$/,
    );
    // --format settles it
    const r = await run([csv('two.csv', 'exp,imp,code,usd\nCHN,USA,811292,1\n')], params, 'mapped:second');
    expect(r.layouts).toEqual({ 'two.csv': 'mapped:second' });
  });

  it('refuses an unknown --format, listing the known ones', async () => {
    await expect(run([csv('x.csv', 'a\n')], {}, 'mapped:nope')).rejects.toThrow(UsageError);
    await expect(run([csv('x.csv', 'a\n')], {}, 'csvish')).rejects.toThrow(/known: comtrade, comtrade-legacy, baci, canonical/);
  });

  it('reports an unterminated quote with its line as bad input', async () => {
    const t = [PLUS_HEADER, plus({}), 'M,"202401'].join('\n');
    await expect(run([csv('q.csv', t)])).rejects.toThrow(InputError);
  });

  it('reads BACI: values × 1000 exactly, tonnes to kg, NA as null, padded codes, S19/490 as Taiwan', async () => {
    const t = ['t,i,j,k,v,q', '2022,490,842,10121,0.235,NA', '2022,156,842,811292,1234.567,0.5', '2022,711,842,811292,1,1'].join('\n');
    const r = await run([csv('BACI_HS17_Y2022_V202601.csv', t)], { maxRejectRate: 1 });
    expect(rowsOf(r.flows, ['reporter', 'partner', 'flow', 'cmd_code', 'value_usd', 'fob_usd', 'net_weight_kg', 'hs_revision', 'period'])).toEqual([
      { reporter: 'TWN', partner: 'USA', flow: 'X', cmd_code: '010121', value_usd: 235, fob_usd: 235, net_weight_kg: null, hs_revision: 'HS2017', period: '2022' },
      { reporter: 'CHN', partner: 'USA', flow: 'X', cmd_code: '811292', value_usd: 1234567, fob_usd: 1234567, net_weight_kg: 500, hs_revision: 'HS2017', period: '2022' },
    ]);
    expect(r.counts['rejected.aggregate_reporter']).toBe(1);
  });

  it('reads a mapped layout with a constant year, ISO3 codes and a value translation', async () => {
    const params = {
      ...ingestDefaults,
      mappings: {
        mine: {
          description: '',
          countryCodes: 'iso3' as const,
          hsRevision: 'HS2022',
          fields: {
            period: { const: 2023 },
            reporter: { column: 'exp' },
            partner: { column: 'imp' },
            flow: { column: 'dir', values: { out: 'X', in: 'M' } },
            cmd_code: { column: 'code' },
            value_usd: { column: 'kusd', multiplier: 1000 },
          },
        },
      },
    };
    const t = ['exp,imp,dir,code,kusd', 'CHN,S19,out,811292,0.1', 'THA,USA,in,811010,2'].join('\n');
    const r = await run([csv('m.csv', t)], params, 'mapped:mine');
    expect(rowsOf(r.flows, ['period', 'reporter', 'partner', 'flow', 'value_usd', 'source', 'total_basis'])).toEqual([
      { period: '2023', reporter: 'CHN', partner: 'TWN', flow: 'X', value_usd: 100, source: 'mapped:mine', total_basis: 'single' },
      { period: '2023', reporter: 'THA', partner: 'USA', flow: 'M', value_usd: 2000, source: 'mapped:mine', total_basis: 'single' },
    ]);
  });

  it('keeps the largest row of a key: confirmed when the rest sum to a multiple of it, else inferred', async () => {
    const t = [
      'year,reporter,partner,cmd,flow,value,netwgt',
      // confirmed: 60 + 40 = 100
      '2024,764,842,811010,X,100,10', '2024,764,842,811010,X,60,6', '2024,764,842,811010,X,40,4',
      // confirmed twice over (mode and procedure breakdowns): 60+40+70+30 = 2 × 100
      '2024,156,842,811010,X,100,1', '2024,156,842,811010,X,60,1', '2024,156,842,811010,X,40,1', '2024,156,842,811010,X,70,1', '2024,156,842,811010,X,30,1',
      // inferred: 60 + 30 ≠ k × 100
      '2024,484,842,811010,X,100,1', '2024,484,842,811010,X,60,1', '2024,484,842,811010,X,30,1',
      // single, with an exact duplicate
      '2024,410,842,811010,X,5,1', '2024,410,842,811010,X,5,1',
    ].join('\n');
    const r = await run([csv('c.csv', t)], {}, 'mapped:comtrade-atlas');
    expect(rowsOf(r.flows, ['reporter', 'value_usd', 'total_basis', 'source_line'])).toEqual([
      { reporter: 'THA', value_usd: 100, total_basis: 'confirmed', source_line: 2 },
      { reporter: 'CHN', value_usd: 100, total_basis: 'confirmed', source_line: 5 },
      { reporter: 'MEX', value_usd: 100, total_basis: 'inferred', source_line: 10 },
      { reporter: 'KOR', value_usd: 5, total_basis: 'single', source_line: 13 },
    ]);
    expect(r.counts).toMatchObject({ keys_total_confirmed: 2, keys_total_inferred: 1, breakdown_collapsed: 8, duplicate_exact: 1 });
  });

  it('confirms a total within the tolerance and not beyond it', async () => {
    const within = await run([csv('c.csv', ['year,reporter,partner,cmd,flow,value,netwgt', '2024,764,842,811010,X,1000000000,1', '2024,764,842,811010,X,999999001,1', '2024,764,842,811010,X,998,1'].join('\n'))], {}, 'mapped:comtrade-atlas');
    expect(rowsOf(within.flows)[0].total_basis).toBe('confirmed'); // off by 1 USD ≤ max(1, 1e-6 × 1e9 = 1000)
    const beyond = await run([csv('c.csv', ['year,reporter,partner,cmd,flow,value,netwgt', '2024,764,842,811010,X,1000000000,1', '2024,764,842,811010,X,999998000,1'].join('\n'))], {}, 'mapped:comtrade-atlas');
    expect(rowsOf(beyond.flows)[0].total_basis).toBe('inferred'); // off by 2,000 USD > 1,000
  });
});
