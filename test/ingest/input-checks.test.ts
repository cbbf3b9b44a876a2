/**
 * Input faults found by the fault-injection pass of issue 18: each test feeds one fault and checks the
 * known answer (a padded code, a reject with its reason and column, an error naming file and column, a note).
 */
import { tableFromArrays } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCountryCodeIndex, loadCountryResolver } from '../../src/io/reference.ts';
import { declarationIngestDefaults } from '../../src/ingest/declaration-params.ts';
import { readDeclarations } from '../../src/ingest/declarations.ts';
import { ingestTrade, type TradeSource } from '../../src/ingest/ingest-trade.ts';
import { ingestDefaults, type IngestParams } from '../../src/ingest/params.ts';
import type { CountryCodeIndex } from '../../src/reference/country-codes.ts';
import type { CountryResolver } from '../../src/reference/countries.ts';
import { InputError } from '../../src/base/errors.ts';
import { rowsOf } from '../helpers.ts';

let resolver: CountryResolver;
let countries: CountryCodeIndex;
beforeAll(async () => {
  [resolver, countries] = await Promise.all([loadCountryResolver(), loadCountryCodeIndex()]);
});

const PLUS_HEADER =
  'period,reporterCode,flowCode,partnerCode,partner2Code,classificationCode,cmdCode,aggrLevel,customsCode,mosCode,motCode,netWgt,primaryValue';

/** A Comtrade Plus total row USA ← THA, 811010 at level 6; override by name. */
function plus(o: Record<string, string | number>): string {
  const d: Record<string, string | number> = {
    period: '202401', reporterCode: 842, flowCode: 'M', partnerCode: 764, partner2Code: 0, classificationCode: 'H6',
    cmdCode: '811010', aggrLevel: 6, customsCode: 'C00', mosCode: 0, motCode: 0, netWgt: 1000, primaryValue: 5000, ...o,
  };
  return PLUS_HEADER.split(',').map((k) => d[k]).join(',');
}

const LEGACY_HEADER =
  'Classification,Year,Period,Aggregate Level,Trade Flow Code,Reporter Code,Partner Code,Commodity Code,Netweight (kg),Trade Value (US$),Flag';

/** A legacy Comtrade row: UK imports from the USA, 2012, 72 at level 2; override by name. */
function legacy(o: Record<string, string | number>): string {
  const d: Record<string, string | number> = {
    Classification: 'H4', Year: 2012, Period: 2012, 'Aggregate Level': 2, 'Trade Flow Code': 1, 'Reporter Code': 826,
    'Partner Code': 842, 'Commodity Code': '72', 'Netweight (kg)': 10, 'Trade Value (US$)': 100, Flag: 0, ...o,
  };
  return LEGACY_HEADER.split(',').map((k) => d[k]).join(',');
}

function csv(display: string, text: string): TradeSource {
  return { display, kind: 'csv', chunks: [new TextEncoder().encode(text)] };
}

async function run(sources: TradeSource[], params: Partial<IngestParams> = {}, format?: string) {
  return ingestTrade(sources, { params: { ...ingestDefaults, ...params }, resolver, format, hsCodes: null });
}

describe('product codes that lost their leading zeros (item 8)', () => {
  it('pads a Comtrade Plus cmdCode to its aggrLevel, counts it, and rejects a code that cannot be that level', async () => {
    const t = [
      PLUS_HEADER,
      plus({ cmdCode: '81010' }), // 2 meant 081010
      plus({ cmdCode: '811010', reporterCode: 764, partnerCode: 842 }), // 3 as written
      plus({ cmdCode: '8110101' }), // 4 longer than level 6
      plus({ cmdCode: '1010' }), // 5 two digits short: would be chapter 00
      plus({ cmdCode: '81A010' }), // 6 not digits
    ].join('\n');
    const r = await run([csv('plus.csv', t)], { maxRejectRate: 1 });
    expect(rowsOf(r.flows, ['reporter', 'cmd_code', 'cmd_level', 'hs6'])).toEqual([
      { reporter: 'USA', cmd_code: '081010', cmd_level: 6, hs6: '081010' },
      { reporter: 'THA', cmd_code: '811010', cmd_level: 6, hs6: '811010' },
    ]);
    expect(r.counts.hs_code_zero_padded).toBe(1);
    expect(rowsOf(r.rejects, ['source_line', 'column', 'value', 'reason'])).toEqual([
      { source_line: 4, column: 'cmdCode', value: '8110101', reason: 'code_level_mismatch' },
      { source_line: 5, column: 'cmdCode', value: '1010', reason: 'code_level_mismatch' },
      { source_line: 6, column: 'cmdCode', value: '81A010', reason: 'invalid_code' },
    ]);
    expect(r.counts.rejected_values).toBe(3);
  });

  it('pads a legacy Commodity Code to its Aggregate Level', async () => {
    const t = [LEGACY_HEADER, legacy({ 'Aggregate Level': 4, 'Commodity Code': '101' }), legacy({ 'Aggregate Level': 6, 'Commodity Code': '81010' })].join('\n');
    const r = await run([csv('legacy.csv', t)]);
    expect(rowsOf(r.flows, ['cmd_code', 'cmd_level', 'hs6'])).toEqual([
      { cmd_code: '0101', cmd_level: 4, hs6: null },
      { cmd_code: '081010', cmd_level: 6, hs6: '081010' },
    ]);
    expect(r.counts.hs_code_zero_padded).toBe(2);
  });
});

describe('numbers that are not finite (item 9)', () => {
  it('rejects 1e400 and -1e400 in Comtrade Plus values and weights as invalid_number', async () => {
    const t = [PLUS_HEADER, plus({ primaryValue: '1e400' }), plus({ netWgt: '-1e400', reporterCode: 764, partnerCode: 842 }), plus({ reporterCode: 156 })].join('\n');
    const r = await run([csv('inf.csv', t)], { maxRejectRate: 1 });
    expect(rowsOf(r.rejects, ['source_line', 'column', 'value', 'reason'])).toEqual([
      { source_line: 2, column: 'primaryValue', value: '1e400', reason: 'invalid_number' },
      { source_line: 3, column: 'netWgt', value: '-1e400', reason: 'invalid_number' },
    ]);
    expect(rowsOf(r.flows, ['reporter', 'value_usd'])).toEqual([{ reporter: 'CHN', value_usd: 5000 }]);
    expect(r.counts.rejected_values).toBe(2);
  });

  it('rejects a BACI value that is finite as written but not once scaled to USD', async () => {
    const t = ['t,i,j,k,v,q', '2022,156,842,811292,1e306,1', '2022,156,842,811010,1,1'].join('\n');
    const r = await run([csv('BACI_HS17_Y2022_V202601.csv', t)], { maxRejectRate: 1 });
    expect(rowsOf(r.rejects, ['source_line', 'column', 'reason'])).toEqual([{ source_line: 2, column: 'v', reason: 'invalid_number' }]);
    expect(rowsOf(r.flows, ['cmd_code', 'value_usd'])).toEqual([{ cmd_code: '811010', value_usd: 1000 }]);
  });

  it('rejects an infinite amount in a canonical table', async () => {
    const table = tableFromArrays({
      period: ['2024', '2024'], reporter: ['USA', 'THA'], partner: ['THA', 'USA'], flow: ['M', 'X'], cmd_code: ['811010', '811010'],
      value_usd: Float64Array.of(Infinity, 7),
    });
    const r = await run([{ display: 'c.parquet', kind: 'parquet', table }], { maxRejectRate: 1 });
    expect(rowsOf(r.rejects, ['source_line', 'column', 'reason'])).toEqual([{ source_line: 1, column: 'value_usd', reason: 'invalid_number' }]);
    expect(rowsOf(r.flows, ['reporter', 'value_usd'])).toEqual([{ reporter: 'THA', value_usd: 7 }]);
  });
});

describe('headers, flows and revisions (item 11)', () => {
  it('refuses a header that gives a column the layout reads twice, naming the file, the column and both positions', async () => {
    const t = `${PLUS_HEADER},primaryValue\n${plus({})},9`;
    const err = await run([csv('dup.csv', t)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^dup\.csv: column 'primaryValue' appears 2 times in the header \('primaryValue' at column 13 and 'primaryValue' at column 14\)/);
  });

  it('reads a repeated column nobody reads as before', async () => {
    const t = `${PLUS_HEADER},note,note\n${plus({})},a,b`;
    const r = await run([csv('dup-ok.csv', t)]);
    expect(r.flows.numRows).toBe(1);
  });

  it('reads flow codes in any case and rejects an unknown one as unknown_flow', async () => {
    const t = [
      PLUS_HEADER,
      plus({ flowCode: 'x', reporterCode: 764, partnerCode: 842 }), // 2 → X
      plus({ flowCode: 'm' }), // 3 → M
      plus({ flowCode: 'rx', reporterCode: 156 }), // 4 → RX, a sub-flow
      plus({ flowCode: 'FOO', reporterCode: 251 }), // 5 unknown
    ].join('\n');
    const r = await run([csv('flows.csv', t)], { maxRejectRate: 1 });
    expect(rowsOf(r.flows, ['reporter', 'flow'])).toEqual([
      { reporter: 'THA', flow: 'X' },
      { reporter: 'USA', flow: 'M' },
    ]);
    expect(rowsOf(r.subflows, ['reporter', 'flow'])).toEqual([{ reporter: 'CHN', flow: 'RX' }]);
    expect(rowsOf(r.rejects, ['source_line', 'column', 'value', 'reason'])).toEqual([
      { source_line: 5, column: 'flowCode', value: 'FOO', reason: 'unknown_flow' },
    ]);
    expect(r.counts.rejected_values).toBe(1);
  });

  it('rejects a legacy Trade Flow Code other than 1–4', async () => {
    const t = [LEGACY_HEADER, legacy({}), legacy({ 'Trade Flow Code': 5, 'Partner Code': 156 })].join('\n');
    const r = await run([csv('legacy.csv', t)], { maxRejectRate: 1 });
    expect(rowsOf(r.rejects, ['source_line', 'column', 'value', 'reason'])).toEqual([
      { source_line: 3, column: 'Trade Flow Code', value: '5', reason: 'unknown_flow' },
    ]);
  });

  it('accepts the HS revisions only: S4 (SITC) is rejected as unknown_classification', async () => {
    const t = [
      PLUS_HEADER,
      plus({ classificationCode: 'H4' }), // 2
      plus({ classificationCode: 'S4', reporterCode: 764, partnerCode: 842 }), // 3 SITC Rev. 4
      plus({ classificationCode: 'h6', reporterCode: 156 }), // 4 any case
    ].join('\n');
    const r = await run([csv('rev.csv', t)], { maxRejectRate: 1 });
    expect(rowsOf(r.flows, ['reporter', 'hs_revision'])).toEqual([
      { reporter: 'USA', hs_revision: 'HS2012' },
      { reporter: 'CHN', hs_revision: 'HS2022' },
    ]);
    expect(rowsOf(r.rejects, ['source_line', 'column', 'value', 'reason'])).toEqual([
      { source_line: 3, column: 'classificationCode', value: 'S4', reason: 'unknown_classification' },
    ]);
    const l = await run([csv('legacy.csv', [LEGACY_HEADER, legacy({ Classification: 'S4' })].join('\n'))], { maxRejectRate: 1 });
    expect(rowsOf(l.rejects, ['column', 'value', 'reason'])).toEqual([{ column: 'Classification', value: 'S4', reason: 'unknown_classification' }]);
  });
});

describe('missing columns and empty files (item 13)', () => {
  it('names the layout and the missing column when a header has all but a few of a layout’s columns', async () => {
    const noFlow = PLUS_HEADER.replace('flowCode,', '');
    await expect(run([csv('noflow.csv', `${noFlow}\n`)])).rejects.toThrow(
      /^noflow\.csv: missing required column 'flowCode' for the Comtrade Plus layout/,
    );
    const noFlowNoValue = LEGACY_HEADER.replace('Trade Flow Code,', '').replace('Trade Value (US$),', '');
    await expect(run([csv('legacy.csv', `${noFlowNoValue}\n`)])).rejects.toThrow(
      /^legacy\.csv: missing required columns 'Trade Flow Code', 'Trade Value \(US\$\)' for the legacy Comtrade layout/,
    );
  });

  it('still calls a header with more than three of a layout’s columns missing an unknown layout', async () => {
    const t = 'period,reporterCode,partnerCode,partner2Code,cmdCode,customsCode,mosCode\n';
    await expect(run([csv('far.csv', t)])).rejects.toThrow(/^far\.csv: unknown layout \(header: period,reporterCode/);
  });

  it('reads a header-only file as empty and says so in the notes', async () => {
    const r = await run([csv('empty.csv', `${PLUS_HEADER}\n`), csv('full.csv', `${PLUS_HEADER}\n${plus({})}\n`)]);
    expect(r.flows.numRows).toBe(1);
    expect(r.notes).toEqual(['empty.csv: no data rows (header only); nothing read from it']);
  });
});

describe('dates and file contents in messages (item 15)', () => {
  it('rejects a period whose day is not in the calendar', async () => {
    const t = [
      PLUS_HEADER,
      plus({ period: '2024-01-99' }), // 2
      plus({ period: '2023-02-29', reporterCode: 764, partnerCode: 842 }), // 3 not a leap year
      plus({ period: '2024-02-29', reporterCode: 156 }), // 4 a leap day
    ].join('\n');
    const r = await run([csv('dates.csv', t)], { maxRejectRate: 1 });
    expect(rowsOf(r.rejects, ['source_line', 'column', 'value', 'reason'])).toEqual([
      { source_line: 2, column: 'period', value: '2024-01-99', reason: 'invalid_period' },
      { source_line: 3, column: 'period', value: '2023-02-29', reason: 'invalid_period' },
    ]);
    expect(rowsOf(r.flows, ['reporter', 'period'])).toEqual([{ reporter: 'CHN', period: '2024-02' }]);
  });

  it('refuses a mapping whose constant period is not a calendar date', async () => {
    const params = {
      mappings: {
        fixed: {
          description: '',
          countryCodes: 'iso3' as const,
          hsRevision: 'HS2022',
          fields: {
            period: { const: '2024-01-99' }, reporter: { column: 'exp' }, partner: { column: 'imp' }, flow: { const: 'X' },
            cmd_code: { column: 'code' }, value_usd: { column: 'usd' },
          },
        },
      },
    };
    await expect(run([csv('m.csv', 'exp,imp,code,usd\nCHN,USA,811292,1\n')], params, 'mapped:fixed')).rejects.toThrow(
      "m.csv: mapping 'fixed': '2024-01-99' for 'period' is not a calendar date",
    );
  });

  it('does not echo the first line of a file that is not CSV into the unknown-layout error', async () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n';
    const err = (await run([csv('/etc/passwd', passwd)]).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^\/etc\/passwd: unknown layout \(the first line is not a CSV header \(1 field; not shown\)\)/);
    expect(err.message).not.toContain('root');
    const decl = (await readDeclarations([{ display: 'secret.env', kind: 'csv', chunks: [new TextEncoder().encode('API_KEY=s3cr3t,TOKEN=abc\n')] }], {
      params: declarationIngestDefaults,
      countries,
    }).catch((e: unknown) => e)) as Error;
    expect(decl).toBeInstanceOf(InputError);
    expect(decl.message).toMatch(/^secret\.env: unknown declaration layout \(the first line is not a CSV header \(2 fields; not shown\)\)/);
    expect(decl.message).not.toContain('s3cr3t');
  });
});

describe('rows of products outside --hs are dropped after the product code (issue 21)', () => {
  it('counts a short row of an unselected product as filtered, a short row of a selected one as missing fields, and keeps the rest as before', async () => {
    const short = (cmd: string) => plus({ cmdCode: cmd }).split(',').slice(0, 12).join(','); // cut after qtyUnitAbbr
    const text = [PLUS_HEADER, plus({ cmdCode: '811010' }), plus({ cmdCode: '720110' }), short('720110'), short('811010'), plus({ cmdCode: '720110', partnerCode: 36 })].join('\n') + '\n';
    const r = await ingestTrade([csv('f.csv', text)], { params: { ...ingestDefaults, maxRejectRate: 1 }, resolver, hsCodes: ['811010'] });
    expect(r.flows.numRows).toBe(1);
    expect(r.counts).toMatchObject({ rows_read: 5, filtered_hs: 3, 'rejected.missing_fields': 1 });
    expect(rowsOf(r.rejects, ['source_line', 'reason'])).toEqual([{ source_line: 5, reason: 'missing_fields' }]);
  });
});
