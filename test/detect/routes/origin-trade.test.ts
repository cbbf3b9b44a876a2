import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { OriginTrade } from '../../../src/detect/routes/origin-trade.ts';
import { float64Vector } from '../../../src/table/columns.ts';
import { dictColumn, flowKeyColumns } from '../../helpers.ts';

/** Annual rows [period, reporter, partner, flow, value, hs6]. */
function flows(rows: [string, string, string, 'X' | 'M', number, string][]): Table {
  return new Table({
    ...flowKeyColumns(rows),
    hs6: dictColumn(rows.map((r) => r[5])),
    value_usd: float64Vector(Float64Array.from(rows, (r) => r[4])),
  });
}

describe('OriginTrade.placeboExcess', () => {
  // China sells THA and KOR three uncontrolled codes and one controlled one, 2022 → 2024
  const rows: [string, string, string, 'X' | 'M', number, string][] = [];
  const code = (hs6: string, tha: [number, number], kor: [number, number]) => {
    rows.push(['2022', 'CHN', 'THA', 'X', tha[0], hs6], ['2024', 'CHN', 'THA', 'X', tha[1], hs6]);
    rows.push(['2022', 'CHN', 'KOR', 'X', kor[0], hs6], ['2024', 'CHN', 'KOR', 'X', kor[1], hs6]);
  };
  code('111111', [100, 200], [100, 100]); // THA ×2 while KOR flat: excess ln 2
  code('222222', [100, 400], [100, 200]); // THA ×4 while KOR ×2: excess ln 2
  code('333333', [100, 100], [100, 100]); // flat: excess 0
  code('811292', [100, 5000], [100, 10]); // controlled: left out
  const trade = new OriginTrade(flows(rows), 'CHN', true, 1.06);
  const w = { pre: [0, 0] as [number, number], post: [2, 2] as [number, number] };

  it('is the median of the hub\'s excess over the origin\'s trend in the uncontrolled codes', () => {
    const r = trade.placeboExcess('THA', new Set(['811292']), w, 2022, 50, 1e-9, 3);
    expect(r.codes).toBe(3);
    expect(r.median).toBeCloseTo(Math.log(2), 6);
  });

  it('is NaN with fewer codes than asked for, and counts the controlled code only when not excluded', () => {
    expect(Number.isNaN(trade.placeboExcess('THA', new Set(['811292']), w, 2022, 50, 1e-9, 4).median)).toBe(true);
    expect(trade.placeboExcess('THA', new Set(), w, 2022, 50, 1e-9, 3).codes).toBe(4);
  });
});
