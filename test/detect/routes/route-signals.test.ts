import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { buildLegCube } from '../../../src/detect/routes/leg-cube.ts';
import { controlWindows, yearShareInForce, legLag, logChange, windowMean } from '../../../src/detect/routes/route-signals.ts';
import { transshipmentDefaults } from '../../../src/detect/routes/transshipment.ts';
import { float64Vector } from '../../../src/table/columns.ts';
import { dictColumn, flowKeyColumns } from '../../helpers.ts';

/** A canonical-enough flow table from [period, reporter, partner, flow, value] rows of one HS6. */
function flows(rows: [string, string, string, 'X' | 'M', number][]): Table {
  return new Table({
    ...flowKeyColumns(rows),
    hs6: dictColumn(rows.map(() => '250410')),
    value_usd: float64Vector(Float64Array.from(rows, (r) => r[4])),
    net_weight_kg: float64Vector(Float64Array.from(rows, (r) => r[4] / 10)),
  });
}

const months = (from: number, n: number) => Array.from({ length: n }, (_, k) => `${2022 + Math.floor((from + k) / 12)}-${String(((from + k) % 12) + 1).padStart(2, '0')}`);

describe('controlWindows', () => {
  it('leaves the stockpiling month and the licensing pause out (graphite control 2023-12-01)', () => {
    const cube = buildLegCube(flows(months(0, 36).map((m) => [m, 'CHN', 'KOR', 'X', 100])), null, '250410', false);
    const w = controlWindows(cube, '2023-12-01', transshipmentDefaults)!;
    expect(cube.periodOf(w.event)).toBe('2023-12');
    expect([cube.periodOf(w.pre[0]), cube.periodOf(w.pre[1])]).toEqual(['2022-11', '2023-10']);
    expect(w.excluded.map((t) => cube.periodOf(t))).toEqual(['2023-11', '2023-12', '2024-01']);
    expect([cube.periodOf(w.post[0]), cube.periodOf(w.post[1])]).toEqual(['2024-02', '2024-12']);
  });

  it('moves a control from after the 15th to the next month (antimony 2024-09-15 shapes September; 2024-09-16 would not)', () => {
    const cube = buildLegCube(flows(months(0, 36).map((m) => [m, 'CHN', 'KOR', 'X', 100])), null, '250410', false);
    expect(cube.periodOf(controlWindows(cube, '2024-09-15', transshipmentDefaults)!.event)).toBe('2024-09');
    expect(cube.periodOf(controlWindows(cube, '2024-09-16', transshipmentDefaults)!.event)).toBe('2024-10');
  });

  it('compares the last year before the control with the last post-control year, skipping years the data lacks', () => {
    const cube = buildLegCube(flows([['2022', 'CHN', 'THA', 'X', 1], ['2024', 'CHN', 'THA', 'X', 2]]), null, '250410', true);
    // graphite from 2023-12-01: 2024 is wholly post-control, 2023 (31 of 365 days) in neither window
    const w = controlWindows(cube, '2023-12-01', transshipmentDefaults)!;
    expect([cube.periodOf(w.pre[0]), cube.periodOf(w.post[0]), w.partialYear]).toEqual(['2022', '2024', true]);
    // Ga/Ge from 2023-08-01 (153 of 365 days): the same
    expect(controlWindows(cube, '2023-08-01', transshipmentDefaults)!.partialYear).toBe(true);
    expect(controlWindows(cube, '2021-01-01', transshipmentDefaults)).toBeNull();
  });

  it('leaves a year the control was in force for under half of it out of both windows: no post year, no window (#17 item 4)', () => {
    const cube = buildLegCube(flows([['2022', 'CHN', 'THA', 'X', 1], ['2024', 'CHN', 'THA', 'X', 2]]), null, '250410', true);
    // the antimony licence from 2024-09-15: 108 of 2024's 366 days; the US ban from 2024-12-03: 29
    expect(yearShareInForce('2024-09-15', 2024)).toBeCloseTo(108 / 366, 12);
    expect(yearShareInForce('2024-12-03', 2024)).toBeCloseTo(29 / 366, 12);
    expect(controlWindows(cube, '2024-09-15', transshipmentDefaults)).toBeNull();
    // exactly half counts: 2024-07-02 leaves 183 of 366 days
    expect(yearShareInForce('2024-07-02', 2024)).toBe(0.5);
    expect(controlWindows(cube, '2024-07-02', transshipmentDefaults)).toMatchObject({ post: [2, 2], partialYear: false });
    expect(controlWindows(cube, '2024-09-15', { ...transshipmentDefaults, minPostYearShare: 0.25 })).toMatchObject({ partialYear: false });
  });
});

describe('controlWindows: interval ends (#17 item 4)', () => {
  it("ends the post window at the interval's end: the US ban (2024-12-03 to 2025-11-08) is in force to October 2025", () => {
    const months = Array.from({ length: 36 }, (_, k) => `${2024 + Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`);
    const cube = buildLegCube(flows(months.map((m) => [m, 'CHN', 'USA', 'X', 1])), null, '811292', false);
    const open = controlWindows(cube, '2024-12-03', transshipmentDefaults)!;
    const ended = controlWindows(cube, '2024-12-03', transshipmentDefaults, '2025-11-08')!;
    expect([cube.periodOf(open.post[0]), cube.periodOf(open.post[1])]).toEqual(['2025-02', '2026-01']);
    expect([cube.periodOf(ended.post[0]), cube.periodOf(ended.post[1])]).toEqual(['2025-02', '2025-10']);
    // an end on the 15th or later keeps its month
    expect(cube.periodOf(controlWindows(cube, '2024-12-03', transshipmentDefaults, '2025-11-20')!.post[1])).toBe('2025-11');
    // an interval over before the pause is through has no post window
    expect(controlWindows(cube, '2024-12-03', transshipmentDefaults, '2025-01-20')).toBeNull();
  });

  it('on annual data, a year the interval was in force for under half of it is no post year', () => {
    expect(yearShareInForce('2024-12-03', 2025, '2025-11-08')).toBeCloseTo(312 / 365, 12);
    expect(yearShareInForce('2024-12-03', 2026, '2025-11-08')).toBe(0);
    const cube = buildLegCube(flows([['2023', 'CHN', 'USA', 'X', 1], ['2025', 'CHN', 'USA', 'X', 2], ['2026', 'CHN', 'USA', 'X', 2]]), null, '811292', true);
    const w = controlWindows(cube, '2024-12-03', transshipmentDefaults, '2025-11-08')!;
    expect([cube.periodOf(w.pre[0]), cube.periodOf(w.post[0])]).toEqual(['2023', '2025']);
    expect(cube.periodOf(controlWindows(cube, '2024-12-03', transshipmentDefaults)!.post[0])).toBe('2026');
  });
});

describe('windowMean', () => {
  it('counts a period only when a side published it, and reports the unpublished ones', () => {
    // CHN publishes Jan–Mar; Thailand (importer) publishes Jan only; the leg has a record in Feb
    const t = flows([['2022-01', 'CHN', 'USA', 'X', 0], ['2022-02', 'CHN', 'THA', 'X', 300], ['2022-03', 'CHN', 'USA', 'X', 5], ['2022-04', 'KOR', 'USA', 'X', 1]]);
    const cube = buildLegCube(t, null, '250410', false);
    const leg = cube.leg('CHN', 'THA', 1.06);
    expect(windowMean(cube, leg, 'CHN', 'THA', [0, 3])).toEqual({ mean: 100, periods: 3, unpublished: 1 });
  });
});

describe('logChange and legLag', () => {
  it('is finite from a zero baseline and NaN without data', () => {
    expect(logChange(0, 1000, 1000)).toBeCloseTo(Math.log(2), 12);
    expect(logChange(100, 100, 10)).toBe(0);
    expect(Number.isNaN(logChange(NaN, 1, 1))).toBe(true);
  });

  it('finds the months by which the second leg follows the first', () => {
    const first = Float64Array.from([0, 0, 5, 0, 9, 1, 0, 7, 0, 0, 3, 0, 0, 0]);
    const second = new Float64Array(first.length);
    for (let t = 2; t < first.length; t++) second[t] = first[t - 2];
    expect(legLag(first, second, 0, first.length - 1, 3)).toBe(2);
    expect(Number.isNaN(legLag(first, new Float64Array(first.length), 0, first.length - 1, 3))).toBe(true);
  });
});

describe('buildLegCube, annual, beside monthly records', () => {
  it("sums a monthly reporter's full years into the annual cube, keeps a yearly record first, and leaves a part year unpublished", () => {
    // China reports monthly 2022-01 → 2023-11 (2022 full, 2023 eleven months), 100 a month to THA; THA reports 2022 yearly
    const rows: [string, string, string, 'X' | 'M', number][] = [
      ...months(0, 23).map((m) => [m, 'CHN', 'THA', 'X', 100] as [string, string, string, 'X', number]),
      ['2022', 'THA', 'CHN', 'M', 1500],
      ['2023', 'THA', 'CHN', 'M', 1600],
      ['2022', 'CHN', 'KOR', 'X', 7],
    ];
    const cube = buildLegCube(flows(rows), null, '250410', true);
    expect([cube.t0, cube.length]).toEqual([2022, 2]);
    const x = cube.side('CHN', 'THA', 'x')!;
    expect(x.value[0]).toBe(1200); // twelve months of 100
    expect(x.kg[0]).toBe(120);
    expect(Number.isNaN(x.value[1])).toBe(true); // 2023: eleven months are no year
    expect(cube.didPublish('CHN', 0, 0)).toBe(true); // the yearly CHN → KOR record and the full months
    expect(cube.didPublish('CHN', 0, 1)).toBe(false);
    expect(cube.side('THA', 'CHN', 'm')).toBeNull();
    expect(cube.side('CHN', 'THA', 'm')!.value[0]).toBe(1500);
    const k = cube.key(cube.countries.find('CHN'), cube.countries.find('THA'));
    expect(cube.fromMonths.has(k * 2)).toBe(true); // the X side is summed from months
    expect(cube.fromMonths.has(k * 2 + 1)).toBe(false);
  });
});
