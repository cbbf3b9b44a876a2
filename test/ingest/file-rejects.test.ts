import { beforeAll, describe, expect, it } from 'vitest';
import { loadCountryResolver } from '../../src/io/reference.ts';
import { ingestTrade, type TradeSource } from '../../src/ingest/ingest-trade.ts';
import { FileRejectTracker } from '../../src/ingest/file-rejects.ts';
import { ingestDefaults } from '../../src/ingest/params.ts';
import type { CountryResolver } from '../../src/reference/countries.ts';
import { chunksOf } from '../helpers.ts';

let resolver: CountryResolver;
beforeAll(async () => {
  resolver = await loadCountryResolver();
});

const HEADER = 'freqCode,period,reporterCode,flowCode,partnerCode,partner2Code,classificationCode,cmdCode,customsCode,mosCode,motCode,qtyUnitAbbr,qty,isQtyEstimated,netWgt,isNetWgtEstimated,cifvalue,fobvalue,primaryValue';
/** USA imports of 811010 from a partner code in a month, `value` as text. */
const row = (partner: number, period: string, value: string) => `M,${period},842,M,${partner},0,H6,811010,C00,0,0,kg,1000,False,1000,False,${value},,${value}`;
const PARTNERS = [156, 764, 276, 392, 410, 124, 484, 76, 356, 704];
const PERIODS = Array.from({ length: 30 }, (_, k) => `${2022 + Math.floor(k / 10)}${String(1 + (k % 10)).padStart(2, '0')}`);
const csv = (display: string, lines: string[]): TradeSource => ({ display, kind: 'csv', chunks: chunksOf([HEADER, ...lines].join('\n'), 4096) });

describe('the reject rate holds for each file (#18 item 14)', () => {
  it('names a trade file whose every row is bad though all files together stay under --max-reject-rate', async () => {
    const good = Array.from({ length: 300 }, (_, i) => row(PARTNERS[i % 10], PERIODS[Math.floor(i / 10)], String(1000 + i)));
    const broken = [row(764, '202501', 'n/a'), row(156, '202501', 'n/a')];
    const sources = () => [csv('good.csv', good), csv('broken.csv', broken)];
    await expect(ingestTrade(sources(), { params: ingestDefaults, resolver, hsCodes: null })).rejects.toThrow(
      /^broken\.csv: 2 of 2 rows rejected \(100\.00% > --max-reject-rate 1\.00% for this file, 0\.66% over all files\); .*first reject: broken\.csv line 2/,
    );
    const r = await ingestTrade(sources(), { params: { ...ingestDefaults, maxRejectRate: 1 }, resolver, hsCodes: null });
    expect(r.counts.rejected_values).toBe(2);
  });

  it('FileRejectTracker: each file its own difference of the running counts, the first above the rate named', () => {
    const c = { examined: 0, rejected: 0 };
    const t = new FileRejectTracker(() => c.examined, () => c.rejected);
    t.begin();
    c.examined += 100;
    c.rejected += 1;
    t.end('a.csv');
    t.begin();
    c.examined += 10;
    c.rejected += 5;
    t.end('b.csv');
    expect(t.files).toEqual([{ file: 'a.csv', examined: 100, rejected: 1 }, { file: 'b.csv', examined: 10, rejected: 5 }]);
    expect(t.worst(0.01)).toEqual({ file: 'b.csv', examined: 10, rejected: 5, rate: 0.5 });
    expect(t.worst(0.5)).toBeNull();
  });
});
