import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { MirrorEvidence } from '../../../src/detect/mirror/mirror-evidence.ts';
import { dictionaryVector, float64Vector } from '../../../src/table/columns.ts';

/** A mirror-pairs table from rows [exporter, importer, window, period, status, X, M, M FOB?]. */
function pairs(rows: [string, string, string, string, string, number, number, number?][], withFob = false): Table {
  const dict = (k: number) => {
    const values = [...new Set(rows.map((r) => r[k] as string))];
    return dictionaryVector(Int32Array.from(rows.map((r) => values.indexOf(r[k] as string))), values);
  };
  const cols: Record<string, ReturnType<typeof dict> | ReturnType<typeof float64Vector>> = {
    exporter: dict(0), importer: dict(1), hs6: dictionaryVector(new Int32Array(rows.length), ['811292']), window: dict(2),
    period_start: dict(3), status: dict(4),
    exporter_value_usd: float64Vector(Float64Array.from(rows.map((r) => r[5]))),
    importer_value_usd: float64Vector(Float64Array.from(rows.map((r) => r[6]))),
  };
  if (withFob) cols.importer_value_fob_usd = float64Vector(Float64Array.from(rows.map((r) => r[7] ?? NaN)));
  return new Table(cols);
}

describe('MirrorEvidence', () => {
  it('nets the two sides over the window, so a shipment booked a month apart is not a ghost', () => {
    const ev = new MirrorEvidence(pairs([
      ['CHN', 'THA', 'M', '2024-01', 'exporter_only', 100, NaN],
      ['CHN', 'THA', 'M', '2024-02', 'importer_only', NaN, 106],
      ['CHN', 'THA', 'R3', '2024-01', 'matched', 100, 106], // wider windows are not read
    ]), 1.06);
    const e = ev.leg('CHN', 'THA', '811292', ['2024-01', '2024-02']);
    expect(e.ghostShare).toBe(0);
    expect(e.keptLogRatio).toBeCloseTo(0, 12);
    expect(ev.size).toBe(2);
  });

  it('counts a ghost month (the hub published, recorded nothing) and leaves confidential and unpublished months out', () => {
    const ev = new MirrorEvidence(pairs([
      ['CHN', 'THA', 'M', '2024-01', 'matched', 100, 53], // 53 CIF / 1.06 = 50 FOB
      ['CHN', 'THA', 'M', '2024-02', 'ghost', 100, NaN],
      ['CHN', 'THA', 'M', '2024-03', 'possibly_confidential', 500, NaN],
      ['CHN', 'THA', 'M', '2024-04', 'counterpart_not_reporting', 500, NaN],
    ]), 1.06);
    const e = ev.leg('CHN', 'THA', '811292', ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05']);
    expect(e.ghostShare).toBeCloseTo(150 / 200, 12);
    expect(e.periodsNotJudged).toBe(2);
    expect(e.keptLogRatio).toBeCloseTo(Math.log(51 / 201), 12);
  });

  it("uses the pair's own FOB value when the table has one, the flat ratio otherwise", () => {
    const rows: [string, string, string, string, string, number, number, number?][] = [['CHN', 'USA', 'Y', '2024', 'matched', 100, 130, 120]];
    expect(new MirrorEvidence(pairs(rows, true), 1.3).leg('CHN', 'USA', '811292', ['2024']).keptLogRatio).toBeCloseTo(Math.log(121 / 101), 12);
    expect(new MirrorEvidence(pairs(rows), 1.3).leg('CHN', 'USA', '811292', ['2024']).keptLogRatio).toBeCloseTo(0, 12);
  });

  it('gives NaN where nothing could be judged, and names an unknown status', () => {
    const ev = new MirrorEvidence(pairs([]), 1.06);
    expect(ev.leg('CHN', 'THA', '811292', ['2024-01'])).toEqual({ ghostShare: NaN, keptLogRatio: NaN, periodsNotJudged: 0 });
    expect(() => new MirrorEvidence(pairs([['CHN', 'THA', 'M', '2024-01', 'lost', 1, 1]]), 1.06)).toThrow(
      "MirrorEvidence: unknown pair status 'lost' in column 'status' (expected one of matched, exporter_only, importer_only, ghost, possibly_confidential, counterpart_not_reporting, unobserved, partially_published)",
    );
    expect(() => new MirrorEvidence(new Table({ exporter: dictionaryVector(new Int32Array(0), []) }), 1.06)).toThrow(/importer/);
  });
});
