import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { coverageMirrorDefaults, scoreCoverageMirrorThreshold } from '../../../src/evaluate/baselines/coverage-mirror-threshold.ts';
import { float64Vector, int8Vector } from '../../../src/table/columns.ts';
import { dictColumn, flowKeyColumns, rowsOf } from '../../helpers.ts';

/** A `period reporter partner flow value` row of HS6 811010 (Comtrade), or with its own code and source. */
type Row = [string, string, string, 'X' | 'M', number, { hs6?: string; level?: number; source?: string }?];

/** A canonical-enough flow table (the columns the baseline reads) from rows. */
function flows(rows: Row[]): Table {
  return new Table({
    ...flowKeyColumns(rows),
    hs6: dictColumn(rows.map((r) => r[5]?.hs6 ?? '811010')),
    cmd_level: int8Vector(Int8Array.from(rows, (r) => r[5]?.level ?? 6)),
    value_usd: float64Vector(Float64Array.from(rows, (r) => r[4])),
    source: dictColumn(rows.map((r) => r[5]?.source ?? 'comtrade')),
  });
}

const COLUMNS = ['exporter', 'importer', 'hs6', 'score', 'max_gap_usd', 'periods_compared', 'periods_flagged', 'flagged', 'freq'];
const months = (year: number, n: number) => Array.from({ length: n }, (_, k) => `${year}-${String(k + 1).padStart(2, '0')}`);

describe('scoreCoverageMirrorThreshold', () => {
  it('scores each exporter × importer × hs6 on the periods both sides published, one-sided flows at their full value', () => {
    const t = flows([
      // matched within the ratio (CIF 1.06 × FOB): compared, not flagged
      ['2024-01', 'CHN', 'USA', 'X', 1_000_000], ['2024-01', 'USA', 'CHN', 'M', 1_060_000],
      // the importer says 3× what the exporter says (318,000 / 1.06 = 300,000 against 100,000): flagged, gap 200,000
      ['2024-01', 'THA', 'USA', 'X', 100_000], ['2024-01', 'USA', 'THA', 'M', 318_000],
      // Mexico published nothing at all: unobserved, not scored
      ['2024-01', 'USA', 'MEX', 'X', 300_000],
      // Korea records 530,000 from Viet Nam; Viet Nam published exports that month (to Japan) but none to Korea
      ['2024-01', 'KOR', 'VNM', 'M', 530_000], ['2024-01', 'VNM', 'JPN', 'X', 5_000],
      // a self-pair is not a mirror pair
      ['2024-01', 'CHN', 'CHN', 'X', 900_000], ['2024-01', 'CHN', 'CHN', 'M', 1_000],
    ]);
    const { all, flagged } = scoreCoverageMirrorThreshold(t, coverageMirrorDefaults);
    expect(all.schema.fields.map((f) => f.name)).toEqual(COLUMNS);
    expect(rowsOf(all)).toEqual([
      { exporter: 'CHN', importer: 'USA', hs6: '811010', score: 0, max_gap_usd: 0, periods_compared: 1, periods_flagged: 0, flagged: false, freq: 'M' },
      { exporter: 'THA', importer: 'USA', hs6: '811010', score: 200_000, max_gap_usd: 200_000, periods_compared: 1, periods_flagged: 1, flagged: true, freq: 'M' },
      { exporter: 'USA', importer: 'MEX', hs6: '811010', score: 0, max_gap_usd: null, periods_compared: 0, periods_flagged: 0, flagged: false, freq: 'M' },
      // Japan published nothing: unobserved
      { exporter: 'VNM', importer: 'JPN', hs6: '811010', score: 0, max_gap_usd: null, periods_compared: 0, periods_flagged: 0, flagged: false, freq: 'M' },
      { exporter: 'VNM', importer: 'KOR', hs6: '811010', score: 500_000, max_gap_usd: 500_000, periods_compared: 1, periods_flagged: 1, flagged: true, freq: 'M' },
    ]);
    // flagged: highest score first
    expect(rowsOf(flagged, ['exporter', 'importer', 'score'])).toEqual([
      { exporter: 'VNM', importer: 'KOR', score: 500_000 },
      { exporter: 'THA', importer: 'USA', score: 200_000 },
    ]);
  });

  it('keeps the largest flagged gap as the score and the largest gap of any compared period as max_gap_usd', () => {
    const t = flows([
      // 1.5M against 1.0M: a gap of 500,000 but a ratio of 1.5, not flagged
      ['2024-01', 'THA', 'USA', 'X', 1_000_000], ['2024-01', 'USA', 'THA', 'M', 1_590_000],
      ['2024-02', 'THA', 'USA', 'X', 100_000], ['2024-02', 'USA', 'THA', 'M', 318_000],
      // Thailand published nothing in March: the importer's record alone is not compared
      ['2024-03', 'USA', 'THA', 'M', 5_000_000],
    ]);
    expect(rowsOf(scoreCoverageMirrorThreshold(t, coverageMirrorDefaults).all, ['score', 'max_gap_usd', 'periods_compared', 'periods_flagged', 'flagged'])).toEqual([
      { score: 200_000, max_gap_usd: 500_000, periods_compared: 2, periods_flagged: 1, flagged: true },
    ]);
  });

  it('flags a ratio above gapRatio only (exactly 2× is not), and a larger side from minValueUsd on (exactly 100,000 is)', () => {
    const t = flows([
      // 212,000 / 1.06 = 200,000: exactly twice the exporter's 100,000
      ['2024-01', 'DEU', 'FRA', 'X', 100_000], ['2024-01', 'FRA', 'DEU', 'M', 212_000],
      // one-sided, 106,000 / 1.06 = 100,000 on the FOB basis: at the noise floor, flagged
      ['2024-01', 'ITA', 'DEU', 'M', 106_000], ['2024-01', 'DEU', 'ESP', 'X', 1],
      // one-sided, 99,999 (exporter's side): under the floor
      ['2024-01', 'FRA', 'ITA', 'X', 99_999],
    ]);
    const rows = rowsOf(scoreCoverageMirrorThreshold(t, coverageMirrorDefaults).all, ['exporter', 'importer', 'score', 'periods_compared', 'flagged']);
    expect(rows.filter((r) => r.importer !== 'ESP')).toEqual([
      { exporter: 'DEU', importer: 'FRA', score: 0, periods_compared: 1, flagged: false },
      { exporter: 'DEU', importer: 'ITA', score: 100_000, periods_compared: 1, flagged: true },
      { exporter: 'FRA', importer: 'ITA', score: 0, periods_compared: 1, flagged: false },
    ]);
  });

  it('compares on annual sums when the two sides report at different frequencies, only over years with all twelve months published', () => {
    const exports = months(2023, 12).map((m): Row => [m, 'DEU', 'USA', 'X', 10_000]);
    // 12 × 10,000 = 120,000 against the US's annual 127,200 CIF (= 120,000 FOB): matched
    const matched = scoreCoverageMirrorThreshold(flows([...exports, ['2023', 'USA', 'DEU', 'M', 127_200]]), coverageMirrorDefaults).all;
    expect(rowsOf(matched, ['freq', 'periods_compared', 'max_gap_usd', 'flagged'])).toEqual([{ freq: 'A', periods_compared: 1, max_gap_usd: 0, flagged: false }]);
    // 381,600 CIF = 360,000 FOB: three times the summed 120,000, flagged with its gap
    const gap = scoreCoverageMirrorThreshold(flows([...exports, ['2023', 'USA', 'DEU', 'M', 381_600]]), coverageMirrorDefaults).all;
    expect(rowsOf(gap, ['freq', 'score', 'flagged'])).toEqual([{ freq: 'A', score: 240_000, flagged: true }]);
    // Germany published eleven months of 2023: its year is not known, so not compared
    const partial = scoreCoverageMirrorThreshold(flows([...exports.slice(0, 11), ['2023', 'USA', 'DEU', 'M', 381_600]]), coverageMirrorDefaults).all;
    expect(rowsOf(partial, ['freq', 'periods_compared', 'flagged'])).toEqual([{ freq: 'A', periods_compared: 0, flagged: false }]);
  });

  it('compares months when a side with no record of the pair publishes monthly, years when it publishes annually only', () => {
    const exports = months(2023, 12).map((m): Row => [m, 'DEU', 'USA', 'X', 10_000]);
    // the US publishes monthly (other partners) and has no record from Germany: twelve one-sided months under the floor
    const monthly = flows([...exports, ...months(2023, 12).map((m): Row => [m, 'USA', 'JPN', 'M', 1])]);
    expect(rowsOf(scoreCoverageMirrorThreshold(monthly, coverageMirrorDefaults).all, ['exporter', 'freq', 'periods_compared', 'flagged'])[0]).toEqual({ exporter: 'DEU', freq: 'M', periods_compared: 12, flagged: false });
    // the US publishes 2023 annually only: one year, 120,000 one-sided, flagged
    const annual = flows([...exports, ['2023', 'USA', 'JPN', 'M', 1]]);
    expect(rowsOf(scoreCoverageMirrorThreshold(annual, coverageMirrorDefaults).all, ['exporter', 'freq', 'periods_compared', 'score', 'flagged'])[0]).toEqual({ exporter: 'DEU', freq: 'A', periods_compared: 1, score: 120_000, flagged: true });
  });

  it('leaves out excluded sources (records and coverage) and rows below HS6 level', () => {
    const t = flows([
      // a reconciled BACI row is nobody's record: Australia has not published, so Britain's record is not compared
      ['2024', 'AUS', 'GBR', 'X', 500_000, { source: 'baci' }], ['2024', 'GBR', 'AUS', 'M', 2_000_000],
      // an 8-digit national line under 811010 is not the HS6 total (nor a second record of it)
      ['2024', 'JPN', 'CHN', 'M', 900_000, { level: 8 }], ['2024', 'CHN', 'JPN', 'X', 100_000], ['2024', 'JPN', 'CHN', 'M', 106_000],
    ]);
    expect(rowsOf(scoreCoverageMirrorThreshold(t, coverageMirrorDefaults).all, ['exporter', 'importer', 'periods_compared', 'max_gap_usd', 'flagged'])).toEqual([
      { exporter: 'AUS', importer: 'GBR', periods_compared: 0, max_gap_usd: null, flagged: false },
      { exporter: 'CHN', importer: 'JPN', periods_compared: 1, max_gap_usd: 0, flagged: false },
    ]);
  });

  it('gives empty tables with every column for an empty table', () => {
    const { all, flagged } = scoreCoverageMirrorThreshold(flows([]), coverageMirrorDefaults);
    expect([all.numRows, flagged.numRows]).toEqual([0, 0]);
    expect(flagged.schema.fields.map((f) => f.name)).toEqual(COLUMNS);
  });

  it('names a missing column', () => {
    const t = flows([['2024-01', 'CHN', 'USA', 'X', 1]]);
    const noSource = new Table({ period: t.getChild('period')!, reporter: t.getChild('reporter')!, partner: t.getChild('partner')!, flow: t.getChild('flow')!, hs6: t.getChild('hs6')!, cmd_level: t.getChild('cmd_level')!, value_usd: t.getChild('value_usd')! });
    expect(() => scoreCoverageMirrorThreshold(noSource, coverageMirrorDefaults)).toThrow(
      "scoreCoverageMirrorThreshold: missing column 'source' (has: period, reporter, partner, flow, hs6, cmd_level, value_usd)",
    );
  });
});
