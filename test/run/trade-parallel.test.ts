import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineAlignedRanges, readCsvHeader } from '../../src/io/byte-ranges.ts';
import { encodeParquet } from '../../src/io/parquet.ts';
import { ingestDefaults, type IngestParams } from '../../src/ingest/params.ts';
import { InputError } from '../../src/base/errors.ts';
import { hashInputs, readTrade } from '../../src/run/trade.ts';
import { parallelIngestDefaults } from '../../src/run/trade-parallel.ts';
import { rowsOf } from '../helpers.ts';

const HEADER =
  'freqCode,period,reporterCode,flowCode,partnerCode,partner2Code,classificationCode,cmdCode,cmdDesc,customsCode,mosCode,motCode,qtyUnitAbbr,qty,isQtyEstimated,netWgt,isNetWgtEstimated,cifvalue,fobvalue,primaryValue';

/** A Comtrade Plus row with totals defaults; override by name. */
function plus(o: Record<string, string | number>): string {
  const d: Record<string, string | number> = {
    freqCode: 'M', period: '202401', reporterCode: 842, flowCode: 'M', partnerCode: 764, partner2Code: 0,
    classificationCode: 'H6', cmdCode: '811010', cmdDesc: '"Antimony; unwrought, powders"', customsCode: 'C00', mosCode: 0, motCode: 0,
    qtyUnitAbbr: 'kg', qty: 1000, isQtyEstimated: 'False', netWgt: 1000, isNetWgtEstimated: 'False', cifvalue: 5000, fobvalue: '', primaryValue: 5000,
    ...o,
  };
  return HEADER.split(',').map((k) => d[k]).join(',');
}

const PARTNERS = [764, 156, 410, 392, 276, 251, 0, 899];
const PERIODS = ['202401', '202402', '202403', '202404', '202405', '202406'];

/**
 * ~600 rows: totals with breakdowns, duplicates far apart (so they land in different ranges), World and
 * 899 rows, a re-export, bad values (rejects), an EU reporter, a quoted description with a comma, CRLF and
 * blank lines.
 */
function bigText(eol = '\n'): { text: string; lines: Map<string, number> } {
  const rows: string[] = [HEADER];
  const lines = new Map<string, number>();
  const mark = (name: string) => lines.set(name, rows.length + 1); // the line the next row gets
  for (const period of PERIODS) {
    for (const partner of PARTNERS) {
      for (const cmd of ['811010', '811292', '250410', '720299']) {
        const v = 1000 + rows.length * 7;
        rows.push(plus({ period, partnerCode: partner, cmdCode: cmd, primaryValue: v, cifvalue: v }));
        if (rows.length % 5 === 0) {
          rows.push(plus({ period, partnerCode: partner, cmdCode: cmd, motCode: 1000, primaryValue: v - 100, cifvalue: '' }));
          rows.push(plus({ period, partnerCode: partner, cmdCode: cmd, motCode: 2000, primaryValue: 100, cifvalue: '' }));
        }
        rows.push(plus({ period, partnerCode: partner, cmdCode: cmd, flowCode: 'X', reporterCode: 156, partner2Code: 0, primaryValue: v, cifvalue: '', fobvalue: v }));
      }
    }
    if (period === '202402') {
      mark('bad_number');
      rows.push(plus({ period, primaryValue: '12x', cmdCode: '811299' }));
      mark('eu');
      rows.push(plus({ period, reporterCode: 97, cmdCode: '811299' }));
      rows.push('');
    }
    if (period === '202405') {
      mark('bad_code');
      rows.push(plus({ period, cmdCode: '81A010' }));
      rows.push(plus({ period: '202401', partnerCode: 764, cmdCode: '811010', primaryValue: 1007, cifvalue: 1007 })); // a duplicate of the first row
      rows.push(plus({ period, cmdDesc: '"Antimony ""pure"", in lumps"', cmdCode: '811090', reporterCode: 410 }));
      rows.push(plus({ period, flowCode: 'RX', reporterCode: 764, partnerCode: 842, primaryValue: 700 }));
      mark('missing_total');
      rows.push(plus({ period, reporterCode: 699, partnerCode: 156, motCode: 1000, primaryValue: 50 }));
    }
  }
  return { text: rows.join(eol) + eol, lines };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-parallel-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TABLES = ['flows', 'subflows', 'areas', 'consignment', 'rejects'] as const;

/** Reads a file with the given number of workers; the tables as Parquet hashes, and the rest. */
async function read(path: string, workers: number, params: Partial<IngestParams> = {}, events: string[] = []) {
  const inputs = await hashInputs('trade', [path], dir);
  const { result } = await readTrade(
    // a record without a hash is never reused from the last read
    { files: inputs.files, records: inputs.records.map((r) => ({ ...r, sha256: '' })) },
    { params: { ...ingestDefaults, ...params }, log: (e) => events.push(e), parallel: { workers, minFileBytes: 1 } },
  );
  const hashes: Record<string, string> = {};
  for (const t of TABLES) hashes[t] = createHash('sha256').update(encodeParquet(result[t] as Table)).digest('hex');
  return { result, hashes, layouts: result.layouts, counts: result.counts, notes: result.notes };
}

describe('readTrade in byte ranges (worker threads)', () => {
  it('gives byte-identical tables, the same rejects with their lines, counts and layouts as one thread', async () => {
    for (const eol of ['\n', '\r\n']) {
      const { text, lines } = bigText(eol);
      const path = join(dir, `plus${eol.length}.csv`);
      await writeFile(path, text);
      expect((await lineAlignedRanges(path, Buffer.byteLength(text), 3)).length).toBe(3);
      const events: string[] = [];
      const one = await read(path, 1);
      const three = await read(path, 3, {}, events);
      expect(events).not.toContain('ingest.sequential');
      expect(three.hashes).toEqual(one.hashes);
      expect(three.counts).toEqual(one.counts);
      expect(three.layouts).toEqual(one.layouts);
      expect(three.notes).toEqual(one.notes);
      // known answers: the rejects point at their lines, and the duplicate across ranges collapsed
      expect(rowsOf(three.result.rejects, ['source_line', 'reason'])).toEqual([
        { source_line: lines.get('bad_number'), reason: 'invalid_number' },
        { source_line: lines.get('eu'), reason: 'aggregate_reporter' },
        { source_line: lines.get('bad_code'), reason: 'invalid_code' },
        { source_line: lines.get('missing_total'), reason: 'total_missing' },
      ]);
      expect(three.counts.duplicate_exact).toBe(1);
      // 6 months × 6 country partners × 4 codes × X and M, and the KOR row with the escaped quotes
      expect([three.result.flows.numRows, three.result.areas.numRows, three.result.subflows.numRows]).toEqual([289, 96, 1]);
    }
  });

  it('selects by --hs the same way', async () => {
    const path = join(dir, 'plus-hs.csv');
    await writeFile(path, bigText().text);
    const params = { hs: '811010,2504' };
    expect((await read(path, 2, params)).hashes).toEqual((await read(path, 1, params)).hashes);
  });

  it('reads the file in one piece when a boundary falls inside a quoted field with line breaks', async () => {
    const { text } = bigText();
    const rows = text.split('\n');
    // a description spanning many lines around the middle of the file
    const mid = rows.length >> 1;
    rows[mid] = plus({ cmdDesc: `"Antimony,${'\nline'.repeat(400)}\nend"`, cmdCode: '811010', period: '202412' });
    const path = join(dir, 'plus-multiline.csv');
    await writeFile(path, rows.join('\n'));
    const events: string[] = [];
    const two = await read(path, 2, {}, events);
    expect(events).toContain('ingest.sequential');
    const one = await read(path, 1);
    expect(two.hashes).toEqual(one.hashes);
    expect(two.counts).toEqual(one.counts);
  });

  it('reports an unterminated quote at the end with the line a single thread gives', async () => {
    const { text } = bigText();
    const path = join(dir, 'plus-open-quote.csv');
    await writeFile(path, text + plus({ cmdDesc: '"never closed' }) + '\n');
    const message = (e: unknown) => (e instanceof InputError ? e.message : String(e));
    const one = await read(path, 1).catch(message);
    const three = await read(path, 3).catch(message);
    expect(one).toMatch(/plus-open-quote\.csv: line \d+: unterminated quoted field/);
    expect(three).toBe(one);
  });

  it('fails like a single thread on a missing column, before any range is read', async () => {
    const path = join(dir, 'plus-no-value.csv');
    await writeFile(path, bigText().text.replace('mosCode', 'mosCod'));
    const message = (e: unknown) => (e instanceof InputError ? e.message : String(e));
    const one = await read(path, 1).catch(message);
    expect(one).toMatch(/missing required column 'mosCode'/);
    expect(await read(path, 2).catch(message)).toBe(one);
  });

  it('reuses the previous read of the same hashed files and settings', async () => {
    const path = join(dir, 'plus-reuse.csv');
    await writeFile(path, bigText().text);
    const inputs = await hashInputs('trade', [path], dir);
    const events: string[] = [];
    const opts = { params: ingestDefaults, log: (e: string) => events.push(e), parallel: { workers: 2, minFileBytes: 1 } };
    const [a, b] = await Promise.all([readTrade(inputs, opts), readTrade(inputs, opts)]);
    expect(b.result).toBe(a.result);
    expect(events.filter((e) => e === 'ingest.reused')).toHaveLength(1);
    const c = await readTrade(inputs, { ...opts, params: { ...ingestDefaults, hs: '811010' } });
    expect(c.result).not.toBe(a.result);
  });

  it('reads the header ahead, and takes its settings from the environment', async () => {
    const path = join(dir, 'bom.csv');
    await writeFile(path, '\uFEFF\n\na,"b,c"\n1,2\n');
    expect(await readCsvHeader(path)).toEqual(['a', 'b,c']);
    expect(parallelIngestDefaults({ TRADEWATCH_INGEST_WORKERS: '1', TRADEWATCH_INGEST_PARALLEL_MIN_BYTES: '1000' })).toEqual({ workers: 1, minFileBytes: 1000 });
  });
});
