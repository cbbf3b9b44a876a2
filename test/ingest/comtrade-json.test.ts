import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { COMTRADE_PLUS_COLUMNS, comtradeJsonToCsv } from '../../src/ingest/comtrade-json.ts';

const text = (chunks: Iterable<Uint8Array>) => [...chunks].map((c) => new TextDecoder().decode(c));

describe('comtradeJsonToCsv', () => {
  it('writes the Comtrade Plus header and one line per record: null empty, text quoted when needed, unit and mode of supply filled in', () => {
    const records = [
      { period: '202401', reporterCode: 156, cmdCode: '811010', cmdDesc: 'Antimony; "unwrought", powders', qtyUnitCode: 8, qtyUnitAbbr: null, primaryValue: 1234.5, cifvalue: null, isNetWgtEstimated: false },
      { period: '202401', reporterCode: 156, cmdCode: '811292', mosCode: '3', qtyUnitCode: -1, primaryValue: 7 },
      { period: '202402', reporterCode: 764, cmdCode: '811292', qtyUnitCode: 5, qtyUnitAbbr: 'u', primaryValue: 0 },
    ];
    const chunks = text(comtradeJsonToCsv(records, 2));
    expect(chunks).toHaveLength(2); // the header and two records, then the third
    const rows = parse(chunks.join(''), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual([...COMTRADE_PLUS_COLUMNS]);
    expect(rows.map((r) => [r.period, r.reporterCode, r.cmdCode, r.cmdDesc, r.qtyUnitAbbr, r.mosCode, r.primaryValue, r.cifvalue, r.isNetWgtEstimated])).toEqual([
      ['202401', '156', '811010', 'Antimony; "unwrought", powders', 'kg', '0', '1234.5', '', 'false'],
      ['202401', '156', '811292', '', '', '3', '7', '', ''],
      ['202402', '764', '811292', '', 'u', '0', '0', '', ''],
    ]);
  });
});
