import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInputs } from '../../src/io/inputs.ts';
import { writeParquet } from '../../src/io/parquet.ts';
import { ingestDefaults } from '../../src/ingest/params.ts';
import { withPartitionColumns } from '../../src/ingest/partition-columns.ts';
import { hashInputs, readTrade } from '../../src/run/trade.ts';
import { dictionaryVector, float64Vector, utf8Vector } from '../../src/table/columns.ts';
import { rowsOf } from '../helpers.ts';

/** A partition file as Spark or DuckDB write them: the partition columns only in the path. */
function partitionTable(rows: [reporter: string, partner: string, flow: string, value: number][]): Table {
  return new Table({
    reporter: utf8Vector(rows.map((r) => r[0])),
    partner: utf8Vector(rows.map((r) => r[1])),
    flow: dictionaryVector(Int32Array.from(rows, (r) => (r[2] === 'X' ? 0 : 1)), ['X', 'M']),
    value_usd: float64Vector(Float64Array.from(rows, (r) => r[3])),
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-hive-'));
  const lake = join(dir, 'lake');
  const parts: [string, string, Table][] = [
    ['year=2023', 'hs6=811292', partitionTable([['CHN', 'USA', 'X', 100], ['USA', 'CHN', 'M', 120]])],
    ['year=2024', 'hs6=811292', partitionTable([['CHN', 'THA', 'X', 50]])],
    ['year=2024', 'hs6=811010', partitionTable([['THA', 'USA', 'X', 7], ['USA', 'THA', 'M', 9]])],
  ];
  for (const [year, hs6, table] of parts) {
    await mkdir(join(lake, year, hs6), { recursive: true });
    await writeParquet(join(lake, year, hs6, 'part-0.parquet'), table);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Hive-partitioned Parquet folders', () => {
  it('takes partition values from the key=value folders of each path, whichever part of the dataset is given', async () => {
    const files = await resolveInputs(['lake'], dir);
    expect(files.map((f) => [f.display, f.partitions])).toEqual([
      [join('lake', 'year=2023', 'hs6=811292', 'part-0.parquet'), { year: '2023', hs6: '811292' }],
      [join('lake', 'year=2024', 'hs6=811010', 'part-0.parquet'), { year: '2024', hs6: '811010' }],
      [join('lake', 'year=2024', 'hs6=811292', 'part-0.parquet'), { year: '2024', hs6: '811292' }],
    ]);
    expect((await resolveInputs(['hs6=811292'], join(dir, 'lake', 'year=2024')))[0].partitions).toEqual({ year: '2024', hs6: '811292' });
    expect((await resolveInputs([join('lake', 'year=2024', 'hs6=811010', 'part-0.parquet')], dir))[0].partitions).toEqual({ year: '2024', hs6: '811010' });
  });

  it('reads them as canonical flows, period and product from the path', async () => {
    const { result } = await readTrade(await hashInputs('trade', ['lake'], dir), { params: { ...ingestDefaults, hs: '811292' }, log: () => {} });
    expect(rowsOf(result.flows, ['period', 'freq', 'reporter', 'partner', 'flow', 'cmd_code', 'hs6', 'value_usd', 'source_line'])).toEqual([
      { period: '2023', freq: 'A', reporter: 'CHN', partner: 'USA', flow: 'X', cmd_code: '811292', hs6: '811292', value_usd: 100, source_line: 1 },
      { period: '2023', freq: 'A', reporter: 'USA', partner: 'CHN', flow: 'M', cmd_code: '811292', hs6: '811292', value_usd: 120, source_line: 2 },
      { period: '2024', freq: 'A', reporter: 'CHN', partner: 'THA', flow: 'X', cmd_code: '811292', hs6: '811292', value_usd: 50, source_line: 1 },
    ]);
    expect(result.counts.filtered_hs).toBe(2);
    expect(Object.values(result.layouts)).toEqual(['canonical', 'canonical', 'canonical']);
  });

  it('keeps a column the file has over the path, and an exact name over an alias', () => {
    const t = new Table({ period: utf8Vector(['2022-05']), value_usd: float64Vector(new Float64Array([1])) });
    const out = withPartitionColumns(t, { year: '2024', period: '2023', hs6: '250410', cmd_code: '25041000', bucket: '7' });
    expect(rowsOf(out)).toEqual([{ period: '2022-05', value_usd: 1, cmd_code: '25041000' }]);
    expect(withPartitionColumns(t, { bucket: '7' })).toBe(t);
  });
});
