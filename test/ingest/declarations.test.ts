import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { openInput, resolveInputs } from '../../src/io/inputs.ts';
import { decodeParquet, encodeParquet } from '../../src/io/parquet.ts';
import { REFERENCE_DIR } from '../../src/io/catalog.ts';
import { loadCountryCodeIndex } from '../../src/io/reference.ts';
import { declarationIngestDefaults, KCS_EXTRA_COLUMNS, type DeclarationIngestParams } from '../../src/ingest/declaration-params.ts';
import { readDeclarations, type DeclarationSource } from '../../src/ingest/declarations.ts';
import { parseIso2Table, type CountryCodeIndex } from '../../src/reference/country-codes.ts';
import { InputError, UsageError } from '../../src/base/errors.ts';
import { DECLARATION_COLUMNS } from '../../src/schema.ts';
import { REAL_DATA, chunksOf, realPath, rowsOf } from '../helpers.ts';

let countries: CountryCodeIndex;
beforeAll(async () => {
  countries = await loadCountryCodeIndex();
});

const CANONICAL_HEADER =
  'declaration_id,date,direction,declarant,exporter,importer,seller,declared_code,description,origin,departure,destination,transport_mode,net_mass_kg,quantity,quantity_unit,value,currency,office,label';

const KCS_HEADER =
  'Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,Net Mass,Item Price,Fraud,Critical Fraud';

function csv(display: string, text: string, chunk = 64 * 1024): DeclarationSource {
  return { display, kind: 'csv', chunks: chunksOf(text, chunk) };
}

async function read(sources: DeclarationSource[], params: Partial<DeclarationIngestParams> = {}, format?: string) {
  return readDeclarations(sources, { params: { ...declarationIngestDefaults, ...params }, countries, format });
}

describe('readDeclarations: canonical CSV', () => {
  const text = [
    CANONICAL_HEADER,
    'D1,2024-03-05,import,DCL-01,CHN-001,IMP-001,CHN-001,0301110000,"Live fish, ornamental",CHN,CHN,USA,sea,120.5,120.5,kg,1000,USD,USA-01,0', // 2
    'D2,2024-03-31,import,DCL-01,DEU-001,IMP-002,DEU-001,8112929010,Gallium ingots,DEU,NLD,USA,air,10,10,kg,2500,EUR,USA-02,1', // 3 EUR
    'D3,2024-04-01,export,DCL-02,USA-001,CHN-009,USA-001,8112921010,Germanium,USA,USA,CHN,sea,1,,,700,CNY,USA-03,', // 4 CNY, label unknown
    'D4,2024-04-02,import,DCL-02,CHN-001,IMP-001,CHN-001,8112929010,Gallium,CHN,CHN,USA,sea,abc,1,kg,100,USD,USA-01,0', // 5 bad mass
    'D5,2024-04-03,import,DCL-02,CHN-001,IMP-001,CHN-001,8112929010,Gallium,CHN,CHN,USA,sea,5,5,kg,100,GBX,USA-01,0', // 6 unknown currency
    'D6,2024-02-30,import,DCL-02,CHN-001,IMP-001,CHN-001,8112929010,Gallium,CHN,CHN,USA,sea,5,5,kg,100,USD,USA-01,0', // 7 no such date
    'D7,2024-04-04,import,DCL-02,CHN-001,IMP-001,CHN-001,81129,Gallium,CHN,CHN,USA,sea,5,5,kg,100,USD,USA-01,0', // 8 code too short
    'D8,2024-04-05,import,DCL-02,CHN-001,IMP-001,CHN-001,8112929010,Gallium,CHX,CHN,USA,sea,5,5,kg,100,USD,USA-01,0', // 9 unknown country
    'D9,2024-04-06,import,DCL-02,CHN-001,IMP-001,CHN-001,8112929010,Gallium,ZZZ,S19,USA,sea,0,5,kg,100,USD,USA-01,1', // 10 ZZZ → null, S19 → TWN, 0 kg → null
  ].join('\n');

  it('reads values, converts currencies to USD and keeps codes as text', async () => {
    const r = await read([csv('decl.csv', text, 13)], { maxRejectRate: 1 });
    expect(r.layouts).toEqual({ 'decl.csv': 'canonical' });
    expect(r.table.schema.fields.map((f) => f.name)).toEqual([...DECLARATION_COLUMNS]);
    expect(
      rowsOf(r.table, ['declaration_id', 'period', 'direction', 'declared_code', 'hs6', 'origin', 'departure', 'net_mass_kg', 'quantity_unit', 'value', 'currency', 'value_usd', 'label', 'source_line']),
    ).toEqual([
      { declaration_id: 'D1', period: '2024-03', direction: 'import', declared_code: '0301110000', hs6: '030111', origin: 'CHN', departure: 'CHN', net_mass_kg: 120.5, quantity_unit: 'kg', value: 1000, currency: 'USD', value_usd: 1000, label: 0, source_line: 2 },
      { declaration_id: 'D2', period: '2024-03', direction: 'import', declared_code: '8112929010', hs6: '811292', origin: 'DEU', departure: 'NLD', net_mass_kg: 10, quantity_unit: 'kg', value: 2500, currency: 'EUR', value_usd: 2700, label: 1, source_line: 3 },
      { declaration_id: 'D3', period: '2024-04', direction: 'export', declared_code: '8112921010', hs6: '811292', origin: 'USA', departure: 'USA', net_mass_kg: 1, quantity_unit: null, value: 700, currency: 'CNY', value_usd: 98.00000000000001, label: null, source_line: 4 },
      { declaration_id: 'D9', period: '2024-04', direction: 'import', declared_code: '8112929010', hs6: '811292', origin: null, departure: 'TWN', net_mass_kg: null, quantity_unit: 'kg', value: 100, currency: 'USD', value_usd: 100, label: 1, source_line: 10 },
    ]);
    expect(rowsOf(r.table, ['description'])[0]).toEqual({ description: 'Live fish, ornamental' });
  });

  it('rejects bad rows with file, line, column, value and reason, and counts them', async () => {
    const r = await read([csv('decl.csv', text)], { maxRejectRate: 1 });
    expect(rowsOf(r.rejects)).toEqual([
      { source_file: 'decl.csv', source_line: 5, column: 'net_mass_kg', value: 'abc', reason: 'invalid_number' },
      { source_file: 'decl.csv', source_line: 6, column: 'currency', value: 'GBX', reason: 'unknown_currency' },
      { source_file: 'decl.csv', source_line: 7, column: 'date', value: '2024-02-30', reason: 'invalid_date' },
      { source_file: 'decl.csv', source_line: 8, column: 'declared_code', value: '81129', reason: 'invalid_code' },
      { source_file: 'decl.csv', source_line: 9, column: 'origin', value: 'CHX', reason: 'unknown_country' },
    ]);
    expect(r.counts).toEqual({
      country_unknown_nulled: 1,
      'out.declarations': 4,
      'out.rejects': 5,
      'rejected.invalid_code': 1,
      'rejected.invalid_date': 1,
      'rejected.invalid_number': 1,
      'rejected.unknown_country': 1,
      'rejected.unknown_currency': 1,
      rejected_values: 5,
      rows_read: 9,
      zero_mass_nulled: 1,
    });
  });

  it('fails naming the first reject when more rows than maxRejectRate are bad', async () => {
    await expect(read([csv('decl.csv', text)])).rejects.toThrow(
      /5 of 9 declarations rejected \(55\.56% > maxRejectRate 1\.00%\).*decl\.csv line 5, column 'net_mass_kg', value 'abc': invalid_number/,
    );
  });

  it('a rate added in config makes a currency known', async () => {
    const r = await read([csv('decl.csv', text)], { maxRejectRate: 1, currencyRatesUsd: { ...declarationIngestDefaults.currencyRatesUsd, GBX: 0.0124 } });
    expect(rowsOf(r.table, ['declaration_id', 'value_usd']).find((x) => x.declaration_id === 'D5')).toEqual({ declaration_id: 'D5', value_usd: 1.24 });
  });

  it('names the file and the missing columns of a layout', async () => {
    const noCurrency = 'declaration_id,date,direction,declared_code,value\nD1,2024-01-01,import,811292,1';
    await expect(read([csv('x.csv', noCurrency)])).rejects.toThrow(/x\.csv: unknown declaration layout \(header: declaration_id,date,direction,declared_code,value\)/);
    await expect(read([csv('x.csv', noCurrency)], {}, 'canonical')).rejects.toThrow(
      new InputError("x.csv: layout 'canonical' gives no value for 'currency': column 'currency' is not in the header"),
    );
    await expect(read([csv('x.csv', noCurrency)], {}, 'mapped:nope')).rejects.toThrow(UsageError);
  });

  it('rejects a row with too few fields as missing_fields', async () => {
    const r = await read([csv('short.csv', `${CANONICAL_HEADER}\nD1,2024-01-01,import`)], { maxRejectRate: 1 });
    expect(rowsOf(r.rejects)).toEqual([{ source_file: 'short.csv', source_line: 2, column: 'declarant', value: '', reason: 'missing_fields' }]);
  });
});

describe('readDeclarations: Korea Customs layout', () => {
  const text = [
    KCS_HEADER,
    '41256141,2021-04-01,40,B,11,21,11,40,LPA7LKZ,Y3OM027,FQKH1PD,,420231,IT,RO,8.0,A,G,1.0,1248.7,0,0',
    '97061800,2020-01-01,30,B,11,21,11,10,ZZR1LT6,QLRUBN9,0VKY2BR,C01,440890,TW,PR,0.0,FEU1,G,108.0,372254.4,1,2',
    '85945189,2020-01-01,40,B,11,21,11,40,SWF9S4X,7JD1S2X,,,069072,ZZ,CN,8.0,A,Y,11352.0,375751.2,1,1',
  ].join('\n');

  it('is detected from the header: ISO2 → ISO3, KRW → USD, KOR imports, Fraud as the label, extras after the canonical columns', async () => {
    const r = await read([csv('df_syn_test_eng.csv', text, 17)]);
    expect(r.layouts).toEqual({ 'df_syn_test_eng.csv': 'kcs' });
    expect(r.table.schema.fields.map((f) => f.name)).toEqual([...DECLARATION_COLUMNS, ...KCS_EXTRA_COLUMNS]);
    expect(String(r.table.schema.fields.find((f) => f.name === 'critical_fraud')!.type)).toBe('Int8');
    expect(
      rowsOf(r.table, ['declaration_id', 'date', 'period', 'direction', 'declared_code', 'hs6', 'origin', 'departure', 'destination', 'seller', 'value', 'currency', 'value_usd', 'tax_rate_pct', 'label', 'office', 'transport_mode', 'source']),
    ).toEqual([
      { declaration_id: '41256141', date: '2021-04-01', period: '2021-04', direction: 'import', declared_code: '420231', hs6: '420231', origin: 'ROU', departure: 'ITA', destination: 'KOR', seller: 'FQKH1PD', value: 1248.7, currency: 'KRW', value_usd: 1248.7 * 0.00085, tax_rate_pct: 8, label: 0, office: '40', transport_mode: '40', source: 'kcs' },
      { declaration_id: '97061800', date: '2020-01-01', period: '2020-01', direction: 'import', declared_code: '440890', hs6: '440890', origin: 'PRI', departure: 'TWN', destination: 'KOR', seller: '0VKY2BR', value: 372254.4, currency: 'KRW', value_usd: 372254.4 * 0.00085, tax_rate_pct: 0, label: 1, office: '30', transport_mode: '10', source: 'kcs' },
      { declaration_id: '85945189', date: '2020-01-01', period: '2020-01', direction: 'import', declared_code: '069072', hs6: '069072', origin: 'CHN', departure: null, destination: 'KOR', seller: null, value: 375751.2, currency: 'KRW', value_usd: 375751.2 * 0.00085, tax_rate_pct: 8, label: 1, office: '40', transport_mode: '40', source: 'kcs' },
    ]);
    expect(rowsOf(r.table, [...KCS_EXTRA_COLUMNS])).toEqual([
      { process_type: 'B', import_type: '11', import_use: '21', payment_type: '11', courier: null, tax_type: 'A', origin_indicator: 'G', critical_fraud: 0 },
      { process_type: 'B', import_type: '11', import_use: '21', payment_type: '11', courier: 'C01', tax_type: 'FEU1', origin_indicator: 'G', critical_fraud: 2 },
      { process_type: 'B', import_type: '11', import_use: '21', payment_type: '11', courier: null, tax_type: 'A', origin_indicator: 'Y', critical_fraud: 1 },
    ]);
    expect(r.counts.country_unknown_nulled).toBe(1);
  });

  it('detects the layout of declarations still to screen, without the outcome columns Fraud and Critical Fraud: label null (issue 19 item 10)', async () => {
    const header = KCS_HEADER.replace(',Fraud,Critical Fraud', '');
    const rows = text.split('\n').slice(1).map((l) => l.split(',').slice(0, -2).join(','));
    const r = await read([csv('new_declarations.csv', [header, ...rows].join('\n'))]);
    expect(r.layouts).toEqual({ 'new_declarations.csv': 'kcs' });
    expect(r.counts).toMatchObject({ rows_read: 3, 'out.declarations': 3, 'out.rejects': 0 });
    expect(rowsOf(r.table, ['declaration_id', 'origin', 'departure', 'value_usd', 'label', 'critical_fraud', 'source'])).toEqual([
      { declaration_id: '41256141', origin: 'ROU', departure: 'ITA', value_usd: 1248.7 * 0.00085, label: null, critical_fraud: null, source: 'kcs' },
      { declaration_id: '97061800', origin: 'PRI', departure: 'TWN', value_usd: 372254.4 * 0.00085, label: null, critical_fraud: null, source: 'kcs' },
      { declaration_id: '85945189', origin: 'CHN', departure: null, value_usd: 375751.2 * 0.00085, label: null, critical_fraud: null, source: 'kcs' },
    ]);
    // with the outcomes beside it, the labelled file keeps its labels
    const both = await read([csv('new_declarations.csv', [header, ...rows].join('\n')), csv('df_syn_test_eng.csv', text)]);
    expect(rowsOf(both.table, ['label']).map((x) => x.label)).toEqual([null, null, null, 0, 1, 1]);
  });

  it('mixes with canonical files: rows of a layout without the extras get nulls there', async () => {
    const canonical = `${CANONICAL_HEADER}\nD1,2024-03-05,import,,,,,8112929010,,CHN,CHN,USA,sea,1,,,5,USD,,`;
    const r = await read([csv('a.csv', canonical), csv('b.csv', text)]);
    expect(rowsOf(r.table, ['declaration_id', 'source', 'courier', 'critical_fraud'])).toEqual([
      { declaration_id: 'D1', source: 'canonical', courier: null, critical_fraud: null },
      { declaration_id: '41256141', source: 'kcs', courier: null, critical_fraud: 0 },
      { declaration_id: '97061800', source: 'kcs', courier: 'C01', critical_fraud: 2 },
      { declaration_id: '85945189', source: 'kcs', courier: null, critical_fraud: 1 },
    ]);
  });
});

describe('readDeclarations: mappings and Parquet', () => {
  it('reads any layout through a mapping in config: columns, constants, file names, multipliers and value translations', async () => {
    const mappings: DeclarationIngestParams['mappings'] = {
      'my-customs': {
        description: 'test',
        countryCodes: 'iso2',
        detect: [],
        fields: {
          declaration_id: { column: 'ref' },
          date: { column: 'day' },
          direction: { column: 'dir', values: { I: 'import', E: 'export' } },
          declared_code: { column: 'tariff' },
          origin: { column: 'coo' },
          destination: { const: 'FR' },
          net_mass_kg: { column: 'tonnes', multiplier: 1000 },
          value: { column: 'amount' },
          currency: { fromFileName: '_([A-Z]{3})\\.csv$' },
          label: { column: 'hit', values: { Y: '1', N: '0' } },
        },
        extras: { lane: { column: 'lane', type: 'text' } },
      },
    };
    const text = 'ref,day,dir,tariff,coo,tonnes,amount,hit,lane\nA1,20240105,I,8112.92.90.10,cn,0.235,100,Y,red\nA2,2024/01/06 10:00,E,81129290,de,1,50,N,';
    const r = await read([csv('extract_EUR.csv', text)], { mappings }, 'mapped:my-customs');
    expect(r.layouts).toEqual({ 'extract_EUR.csv': 'mapped:my-customs' });
    expect(rowsOf(r.table, ['declaration_id', 'date', 'direction', 'declared_code', 'origin', 'destination', 'net_mass_kg', 'value_usd', 'currency', 'label', 'source', 'lane'])).toEqual([
      { declaration_id: 'A1', date: '2024-01-05', direction: 'import', declared_code: '8112929010', origin: 'CHN', destination: 'FRA', net_mass_kg: 235, value_usd: 108, currency: 'EUR', label: 1, source: 'mapped:my-customs', lane: 'red' },
      { declaration_id: 'A2', date: '2024-01-06', direction: 'export', declared_code: '81129290', origin: 'DEU', destination: 'FRA', net_mass_kg: 1000, value_usd: 54, currency: 'EUR', label: 0, source: 'mapped:my-customs', lane: null },
    ]);
  });

  it('a mapping with detect columns is found from the header', async () => {
    const mappings: DeclarationIngestParams['mappings'] = {
      tiny: {
        description: '',
        countryCodes: 'iso3',
        detect: ['ref', 'tariff'],
        fields: { declaration_id: { column: 'ref' }, date: { const: '2024-01-01' }, direction: { const: 'import' }, declared_code: { column: 'tariff' }, value: { column: 'usd' }, currency: { const: 'USD' } },
        extras: {},
      },
    };
    const r = await read([csv('t.csv', 'ref,tariff,usd\nX,811292,3')], { mappings });
    expect(r.layouts).toEqual({ 't.csv': 'mapped:tiny' });
    expect(rowsOf(r.table, ['declaration_id', 'period', 'value_usd'])).toEqual([{ declaration_id: 'X', period: '2024-01', value_usd: 3 }]);
    const bad = { tiny: { ...mappings.tiny, fields: { ...mappings.tiny.fields, tax_rate_pct: { const: 'eight' } } } };
    await expect(read([csv('t.csv', 'ref,tariff,usd\nX,811292,3')], { mappings: bad })).rejects.toThrow(
      new InputError("t.csv: layout 'mapped:tiny': 'eight' for 'tax_rate_pct' is not a number"),
    );
  });

  it('reads its own Parquet back (extras included), checking rows again and keeping their provenance', async () => {
    const kcs = `${KCS_HEADER}\n41256141,2021-04-01,40,B,11,21,11,40,LPA7LKZ,Y3OM027,FQKH1PD,,420231,IT,RO,8.0,A,G,1.0,1248.7,0,0`;
    const first = await read([csv('k.csv', kcs)]);
    const table = decodeParquet(encodeParquet(first.table));
    const again = await read([{ display: 'k.parquet', kind: 'parquet', table }]);
    expect(again.layouts).toEqual({ 'k.parquet': 'canonical' });
    expect(again.rejects.numRows).toBe(0);
    expect(rowsOf(again.table)).toEqual(rowsOf(first.table));
  });
});

describe('ISO2 country table', () => {
  it('has the 249 ISO 3166-1 codes, each alpha-3 once', async () => {
    const rows = parseIso2Table(await readFile(`${REFERENCE_DIR}/iso2_countries.csv`, 'utf8'));
    expect(rows.length).toBe(249);
    expect(new Set(rows.map((r) => r.iso3)).size).toBe(249);
    expect(['CN', 'KR', 'TW', 'HK', 'GB', 'GG', 'PR'].map((c) => countries.iso3[countries.fromText(c, 'iso2')])).toEqual(['CHN', 'KOR', 'TWN', 'HKG', 'GBR', 'GGY', 'PRI']);
    expect(countries.fromText('S19', 'iso3')).toBe(countries.fromText('TWN', 'iso3'));
    expect(countries.fromText('WLD', 'iso3')).toBe(-1); // World is not a declaration country
  });
});

describe('readDeclarations: the bundled synthetic sample', () => {
  it('reads data/sample/declarations/declarations_7.csv with no reject, EUR and CNY at the synthetic rates', async () => {
    const files = await resolveInputs(['data/sample/declarations/declarations_7.csv']);
    const r = await read(files.map((f) => ({ display: f.display, kind: 'csv' as const, chunks: openInput(f) })));
    expect(r.rejects.numRows).toBe(0);
    expect(r.counts).toMatchObject({ rows_read: 1129, 'out.declarations': 1129, 'out.rejects': 0 });
    const rows = rowsOf(r.table, ['currency', 'value', 'value_usd', 'label']);
    const rate: Record<string, number> = { USD: 1, EUR: 1.08, CNY: 0.14 };
    expect(new Set(rows.map((x) => x.currency))).toEqual(new Set(['USD', 'EUR', 'CNY']));
    for (const x of rows) expect(x.value_usd).toBeCloseTo((x.value as number) * rate[x.currency as string], 6);
    expect(new Set(rows.map((x) => x.label))).toEqual(new Set([0, 1, null]));
  });
});

describe.skipIf(!REAL_DATA)('readDeclarations on the shared Korea Customs data', () => {
  it('reads the three files: 54,000 rows, no reject, 61 ZZ countries read as null', async () => {
    const files = await resolveInputs([realPath('kcs-declarations')]);
    const r = await read(files.map((f) => ({ display: f.display, kind: 'csv' as const, chunks: openInput(f) })));
    expect(Object.values(r.layouts)).toEqual(['kcs', 'kcs', 'kcs']);
    expect(r.counts).toEqual({ country_unknown_nulled: 61, 'out.declarations': 54_000, 'out.rejects': 0, rejected_values: 0, rows_read: 54_000 });
    const labels = rowsOf(r.table, ['label']).map((x) => x.label);
    expect(labels.filter((l) => l === 1).length).toBe(11_653);
  });
});
