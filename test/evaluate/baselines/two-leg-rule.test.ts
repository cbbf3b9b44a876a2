import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { scoreTwoLegRule, twoLegRuleDefaults, type TwoLegControl } from '../../../src/evaluate/baselines/two-leg-rule.ts';
import { float64Vector, int8Vector } from '../../../src/table/columns.ts';
import { dictColumn, flowKeyColumns, rowsOf } from '../../helpers.ts';

/** `period reporter partner flow value` of HS6 811010 (antimony metal). */
type Row = [string, string, string, 'X' | 'M', number];

/** A canonical-enough flow table (the columns the rule reads), HS6 level. */
function flows(rows: Row[]): Table {
  return new Table({
    ...flowKeyColumns(rows),
    hs6: dictColumn(rows.map(() => '811010')),
    cmd_level: int8Vector(Int8Array.from(rows, () => 6)),
    value_usd: float64Vector(Float64Array.from(rows, (r) => r[4])),
  });
}

/** `YYYY-MM` from 2024-01 + k. */
const month = (k: number) => `${2024 + Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;

/**
 * One side's monthly records 2024-01 … 2025-06 around the antimony control (2024-09-15): `pre` in Jan–Jul, `post`
 * from October on, and August (the stockpiling month) and September (the start month) as given (default `pre`,
 * `post`). A value of null leaves the month without a record.
 */
function series(reporter: string, partner: string, flow: 'X' | 'M', pre: number | null, post: number | null, aug: number | null = pre, sep: number | null = post): Row[] {
  const out: Row[] = [];
  for (let k = 0; k < 18; k++) {
    const v = k <= 6 ? pre : k === 7 ? aug : k === 8 ? sep : post;
    if (v !== null) out.push([month(k), reporter, partner, flow, v]);
  }
  return out;
}

const ANTIMONY: TwoLegControl = { hs6: '811010', origin: 'CHN', destinations: '*', start: '2024-09-15', end: null, status: 'active' };
const COLUMNS = ['origin', 'hub', 'destination', 'hs6', 'score', 'leg1_rise_usd', 'leg2_rise_usd', 'pass_through', 'flagged', 'freq', 'control_start', 'control_end'];
const KEY = ['origin', 'hub', 'destination', 'score', 'leg1_rise_usd', 'leg2_rise_usd', 'pass_through', 'flagged'];
const route = (t: Table, hub: string, destination: string) => rowsOf(t, KEY).find((r) => r.hub === hub && r.destination === destination);

describe('scoreTwoLegRule', () => {
  it('flags a route whose two legs rose together, scored by the smaller rise (USD per month)', () => {
    const t = flows([
      // CHN → THA 20,000 → 80,000 a month; THA → USA from nothing (Thailand published: it exports to Japan) to 50,000
      ...series('CHN', 'THA', 'X', 20_000, 80_000),
      ...series('THA', 'USA', 'X', null, 50_000),
      ...series('THA', 'JPN', 'X', 1_000, 1_000),
      // Thailand's sales back to China are no route (the destination is the origin)
      ...series('THA', 'CHN', 'X', 1_000, 90_000),
    ]);
    const { all, flagged } = scoreTwoLegRule(t, [ANTIMONY], twoLegRuleDefaults);
    expect(rowsOf(all, ['destination']).map((r) => r.destination)).toEqual(['JPN', 'USA']);
    expect(all.schema.fields.map((f) => f.name)).toEqual(COLUMNS);
    expect(rowsOf(flagged)).toEqual([
      {
        origin: 'CHN', hub: 'THA', destination: 'USA', hs6: '811010', score: 50_000, leg1_rise_usd: 60_000, leg2_rise_usd: 50_000,
        pass_through: 50_000 / 60_000, flagged: true, freq: 'M', control_start: '2024-09-15', control_end: null,
      },
    ]);
    // THA → JPN did not rise: scored, not flagged
    expect(route(all, 'THA', 'JPN')).toMatchObject({ score: 0, flagged: false });
  });

  it('takes the larger of the two records of a leg, as reported (no CIF/FOB adjustment)', () => {
    const t = flows([
      ...series('CHN', 'THA', 'X', 20_000, 80_000),
      // Thailand records more from China after the control than China says it sent
      ...series('THA', 'CHN', 'M', 20_000, 92_000),
      ...series('THA', 'USA', 'X', 10_000, 60_000),
    ]);
    expect(route(scoreTwoLegRule(t, [ANTIMONY], twoLegRuleDefaults).all, 'THA', 'USA')).toMatchObject({ leg1_rise_usd: 72_000, leg2_rise_usd: 50_000, score: 50_000, flagged: true });
  });

  it('does not flag a producer hub (second leg ×5, its imports from the origin ×1.1) or a pass-through outside the tolerance', () => {
    const t = flows([
      ...series('CHN', 'KAZ', 'X', 100_000, 110_000),
      ...series('KAZ', 'USA', 'X', 20_000, 100_000),
      // CHN → VNM rose by 20,000, VNM → USA by 90,000: 4.5 times, over 3; VNM → KOR by 60,000, exactly 3 times: flagged
      ...series('CHN', 'VNM', 'X', 10_000, 30_000),
      ...series('VNM', 'USA', 'X', 10_000, 100_000),
      ...series('VNM', 'KOR', 'X', 10_000, 70_000),
    ]);
    const { all } = scoreTwoLegRule(t, [ANTIMONY], twoLegRuleDefaults);
    expect(route(all, 'KAZ', 'USA')).toMatchObject({ leg1_rise_usd: 10_000, leg2_rise_usd: 80_000, score: 10_000, flagged: false });
    expect(route(all, 'VNM', 'USA')).toMatchObject({ leg1_rise_usd: 20_000, leg2_rise_usd: 90_000, pass_through: 4.5, flagged: false });
    expect(route(all, 'VNM', 'KOR')).toMatchObject({ pass_through: 3, score: 20_000, flagged: true });
  });

  it('flags a rise exactly at minRiseUsd and minRiseRatio (20,000 → 30,000), not one a dollar under', () => {
    const t = flows([
      ...series('CHN', 'MYS', 'X', 20_000, 30_000),
      ...series('MYS', 'SGP', 'X', 20_000, 30_000),
      ...series('MYS', 'IND', 'X', 20_000, 29_999),
    ]);
    const { all } = scoreTwoLegRule(t, [ANTIMONY], twoLegRuleDefaults);
    expect(route(all, 'MYS', 'SGP')).toMatchObject({ score: 10_000, flagged: true });
    expect(route(all, 'MYS', 'IND')).toMatchObject({ score: 9_999, flagged: false });
  });

  it('leaves the month before the start (stockpiling) and the start month out of both windows', () => {
    const t = flows([
      // 1,000,000 in 2024-08 and 500,000 in 2024-09 would sink the rise if either counted
      ...series('CHN', 'MYS', 'X', 10_000, 30_000, 1_000_000, 500_000),
      ...series('MYS', 'DEU', 'X', 10_000, 30_000, 0, 0),
    ]);
    expect(route(scoreTwoLegRule(t, [ANTIMONY], twoLegRuleDefaults).all, 'MYS', 'DEU')).toMatchObject({ leg1_rise_usd: 20_000, leg2_rise_usd: 20_000, flagged: true });
  });

  it('does not count periods neither reporter of a leg published: missing is not zero', () => {
    // China and Thailand publish from the start month on only (Korea, every month): no baseline, nothing judged
    const t = flows([...series('CHN', 'THA', 'X', null, 80_000, null), ...series('THA', 'USA', 'X', null, 50_000, null), ...series('KOR', 'JPN', 'X', 1, 1)]);
    expect(route(scoreTwoLegRule(t, [ANTIMONY], twoLegRuleDefaults).all, 'THA', 'USA')).toMatchObject({ score: null, leg1_rise_usd: null, flagged: false });
  });

  describe('on annual data', () => {
    // 2024 is the antimony control's year (in force from 2024-09-15: 108 of 366 days)
    const t = flows([
      ['2022', 'CHN', 'THA', 'X', 100_000], ['2023', 'CHN', 'THA', 'X', 100_000], ['2024', 'CHN', 'THA', 'X', 10_000_000], ['2025', 'CHN', 'THA', 'X', 400_000],
      ['2022', 'THA', 'USA', 'X', 50_000], ['2023', 'THA', 'USA', 'X', 50_000], ['2024', 'THA', 'USA', 'X', 5_000_000], ['2025', 'THA', 'USA', 'X', 350_000],
    ]);
    const at = (start: string) => route(scoreTwoLegRule(t, [{ ...ANTIMONY, start }], twoLegRuleDefaults).all, 'THA', 'USA');

    it('puts a year the control was in force for less than half of in neither window', () => {
      expect(at('2024-09-15')).toMatchObject({ leg1_rise_usd: 300_000, leg2_rise_usd: 300_000, score: 300_000, flagged: true });
    });

    it('counts a year in force for exactly half its days as post (2024-07-02: 183 of 366), one day less as neither', () => {
      expect(at('2024-07-02')).toMatchObject({ leg1_rise_usd: 5_100_000, leg2_rise_usd: 2_625_000, score: 2_625_000 });
      expect(at('2024-07-03')).toMatchObject({ score: 300_000 });
    });

    it('compares a leg whose sides report monthly and annually on annual sums (years with all twelve months only)', () => {
      const chinaMonthly = (y: number, v: number, n = 12): Row[] => Array.from({ length: n }, (_, m) => [`${y}-${String(m + 1).padStart(2, '0')}`, 'CHN', 'THA', 'X', v]);
      const rows: Row[] = [
        ...chinaMonthly(2022, 10_000), ...chinaMonthly(2023, 10_000), ...chinaMonthly(2024, 10_000), ...chinaMonthly(2025, 40_000),
        // Thailand records imports from China annually: 127,200 beats China's 120,000 before; 300,000 after, under China's 480,000
        ['2022', 'THA', 'CHN', 'M', 127_200], ['2023', 'THA', 'CHN', 'M', 127_200], ['2025', 'THA', 'CHN', 'M', 300_000],
        ['2022', 'THA', 'USA', 'X', 50_000], ['2023', 'THA', 'USA', 'X', 50_000], ['2025', 'THA', 'USA', 'X', 400_000],
      ];
      const full = route(scoreTwoLegRule(flows(rows), [ANTIMONY], twoLegRuleDefaults).all, 'THA', 'USA');
      expect(full).toMatchObject({ leg1_rise_usd: 480_000 - 127_200, leg2_rise_usd: 350_000, score: 350_000, flagged: true });
      // China published eleven months of 2025: its year is unknown and Thailand's record stands alone
      const partial = rows.filter((r) => r[0] !== '2025-12');
      const scored = scoreTwoLegRule(flows(partial), [ANTIMONY], twoLegRuleDefaults).all;
      expect(route(scored, 'THA', 'USA')).toMatchObject({ leg1_rise_usd: 300_000 - 127_200, score: 172_800, flagged: true });
      expect(rowsOf(scored, ['freq'])).toEqual([{ freq: 'A' }]);
    });
  });

  it("ends the post window at the interval's end (a month only when wholly in force), scores only its destinations, skips suspended intervals", () => {
    const rows: Row[] = [];
    for (let k = 0; k < 24; k++) {
      // the US ban from 2024-12-03: post is January on; May 2025 holds a spike on the first leg
      const post = k >= 12 && k <= 16;
      rows.push([month(k), 'CHN', 'THA', 'X', post ? (k === 16 ? 1_000_000 : 40_000) : 10_000]);
      rows.push([month(k), 'THA', 'USA', 'X', post ? 40_000 : 10_000]);
      rows.push([month(k), 'THA', 'DEU', 'X', post ? 40_000 : 10_000]);
    }
    const ban: TwoLegControl = { hs6: '811010', origin: 'CHN', destinations: ['USA'], start: '2024-12-03', end: '2025-05-15', status: 'active' };
    const suspended: TwoLegControl = { ...ban, start: '2025-05-16', end: '2025-12-31', status: 'suspended' };
    const mid = scoreTwoLegRule(flows(rows), [ban, suspended], twoLegRuleDefaults);
    // May 2025 is in force until the 15th only: January–April
    expect(rowsOf(mid.all, ['hub', 'destination', 'leg1_rise_usd', 'leg2_rise_usd', 'flagged', 'control_end'])).toEqual([
      { hub: 'THA', destination: 'USA', leg1_rise_usd: 30_000, leg2_rise_usd: 30_000, flagged: true, control_end: '2025-05-15' },
    ]);
    // to 2025-05-31, May counts: (4 × 40,000 + 1,000,000) / 5 − 10,000 on the first leg, far above the second
    const toMonthEnd = scoreTwoLegRule(flows(rows), [{ ...ban, end: '2025-05-31' }], twoLegRuleDefaults).all;
    expect(route(toMonthEnd, 'THA', 'USA')).toMatchObject({ leg1_rise_usd: 222_000, leg2_rise_usd: 30_000, flagged: false });
  });

  it('keeps one row per route over several intervals of its code: the flagged one', () => {
    const t = flows([...series('CHN', 'THA', 'X', 20_000, 80_000), ...series('THA', 'USA', 'X', 10_000, 60_000)]);
    // from 2025-05-01 the pre window holds most of the rise: not flagged under that interval
    const late: TwoLegControl = { ...ANTIMONY, start: '2025-05-01', destinations: ['USA'] };
    const { all, flagged } = scoreTwoLegRule(t, [late, ANTIMONY], twoLegRuleDefaults);
    expect(rowsOf(all, ['destination', 'score', 'flagged', 'control_start'])).toEqual([{ destination: 'USA', score: 50_000, flagged: true, control_start: '2024-09-15' }]);
    expect(flagged.numRows).toBe(1);
  });

  it('gives empty tables with every column for an empty table', () => {
    const { all, flagged } = scoreTwoLegRule(flows([]), [ANTIMONY], twoLegRuleDefaults);
    expect([all.numRows, flagged.numRows]).toEqual([0, 0]);
    expect(flagged.schema.fields.map((f) => f.name)).toEqual(COLUMNS);
  });

  it('names a missing column and a malformed control date', () => {
    const t = flows(series('CHN', 'THA', 'X', 1, 1));
    const noValue = new Table({ period: t.getChild('period')!, reporter: t.getChild('reporter')!, partner: t.getChild('partner')!, flow: t.getChild('flow')!, hs6: t.getChild('hs6')!, cmd_level: t.getChild('cmd_level')! });
    expect(() => scoreTwoLegRule(noValue, [ANTIMONY], twoLegRuleDefaults)).toThrow(
      "scoreTwoLegRule: missing column 'value_usd' (has: period, reporter, partner, flow, hs6, cmd_level)",
    );
    const withHub = flows([...series('CHN', 'THA', 'X', 1, 1), ...series('THA', 'USA', 'X', 1, 1)]);
    expect(() => scoreTwoLegRule(withHub, [{ ...ANTIMONY, start: '2024-09-31' }], twoLegRuleDefaults)).toThrow(
      "scoreTwoLegRule: control 811010 from CHN: start '2024-09-31' is not a date YYYY-MM-DD",
    );
  });
});
