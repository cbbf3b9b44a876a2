import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { summarizeCoverage } from '../../../src/detect/mirror/coverage.ts';
import { float64Vector } from '../../../src/table/columns.ts';
import { dictColumn, rowsOf } from '../../helpers.ts';

/** Flows of rows [reporter, flow, period, partner, cmd_code, value_usd]. */
function flows(rows: [string, string, string, string, string, number][]): Table {
  return new Table({
    reporter: dictColumn(rows.map((r) => r[0])),
    flow: dictColumn(rows.map((r) => r[1])),
    period: dictColumn(rows.map((r) => r[2])),
    partner: dictColumn(rows.map((r) => r[3])),
    cmd_code: dictColumn(rows.map((r) => r[4])),
    value_usd: float64Vector(Float64Array.from(rows, (r) => r[5])),
  });
}

describe('summarizeCoverage', () => {
  it('sums a chapter once, not with its heading and subheading inside it (#18 item 7)', () => {
    const t = summarizeCoverage(
      flows([
        ['USA', 'M', '2024-01', 'CHN', '81', 1000],
        ['USA', 'M', '2024-01', 'CHN', '8110', 600],
        ['USA', 'M', '2024-01', 'CHN', '811010', 400],
        // another partner's subheading alone counts in full; a code beside (not inside) the chapter too
        ['USA', 'M', '2024-01', 'THA', '811010', 250],
        ['USA', 'M', '2024-01', 'CHN', '250410', 70],
        ['USA', 'X', '2024-01', 'CAN', '811292', 30],
      ]),
    );
    expect(rowsOf(t)).toEqual([
      { reporter: 'USA', flow: 'M', period: '2024-01', rows: 5, partners: 2, products: 4, value_usd: 1320, rows_nested: 2 },
      { reporter: 'USA', flow: 'X', period: '2024-01', rows: 1, partners: 1, products: 1, value_usd: 30, rows_nested: 0 },
    ]);
  });
});
