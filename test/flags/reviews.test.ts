import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { compareFlags } from '../../src/flags/flag-changes.ts';
import { applyVerdicts, type Verdict } from '../../src/flags/reviews.ts';
import { dictionaryVector, float64Vector, int32Vector } from '../../src/table/columns.ts';
import { rowsOf } from '../helpers.ts';

/** A flagged table of (flag_id, score), ranked in the given order. */
function flagged(rows: [string, number][]): Table {
  return new Table({
    flag_id: dictionaryVector(Int32Array.from(rows, (_, i) => i), rows.map((r) => r[0])),
    score: float64Vector(Float64Array.from(rows, (r) => r[1])),
    rank: int32Vector(Int32Array.from(rows, (_, i) => i + 1)),
  });
}
const v = (flagId: string, verdict: Verdict['verdict'], date: string, scoreAtVerdict = NaN): Verdict => ({ flagId, verdict, note: `n-${flagId}`, reviewer: 'ana', date, scoreAtVerdict });

describe('applyVerdicts', () => {
  it('keeps confirmed and watched flags with their verdict, suppresses dismissed ones, and brings back one whose score rose beyond the margin', () => {
    const t = flagged([['a', 0.9], ['b', 0.8], ['c', 0.7], ['d', 0.6], ['e', 0.5], ['f', 0.4]]);
    const r = applyVerdicts(t, [
      v('a', 'confirmed', '2026-01-02'),
      v('b', 'dismissed', '2026-01-02', 0.75), // rose 0.05: stays suppressed
      v('c', 'dismissed', '2026-01-02', 0.55), // rose 0.15 > 0.1: back
      v('d', 'dismissed', '2026-01-02'), // score at the verdict unknown: suppressed
      v('e', 'watch', '2026-01-02'),
      v('zz', 'confirmed', '2026-01-02'), // not flagged in this run
    ], { resurfaceMargin: 0.1 });
    expect(rowsOf(r.table, ['flag_id', 'rank', 'verdict', 'verdict_note', 'score_at_verdict'])).toEqual([
      { flag_id: 'a', rank: 1, verdict: 'confirmed', verdict_note: 'n-a', score_at_verdict: null },
      { flag_id: 'c', rank: 2, verdict: 'dismissed_resurfaced', verdict_note: 'n-c', score_at_verdict: 0.55 },
      { flag_id: 'e', rank: 3, verdict: 'watch', verdict_note: 'n-e', score_at_verdict: null },
      { flag_id: 'f', rank: 4, verdict: null, verdict_note: null, score_at_verdict: null },
    ]);
    expect(r.counts).toEqual({ confirmed: 1, watch: 1, dismissed_suppressed: 2, dismissed_resurfaced: 1, unknown_flag_ids: 1 });
  });

  it('takes the latest verdict on a flag, and a rise exactly at the margin does not bring it back', () => {
    const t = flagged([['a', 0.6]]);
    expect(applyVerdicts(t, [v('a', 'dismissed', '2026-01-01', 0.5), v('a', 'confirmed', '2026-02-01')], { resurfaceMargin: 0.1 }).table.numRows).toBe(1);
    expect(applyVerdicts(t, [v('a', 'confirmed', '2026-01-01'), v('a', 'dismissed', '2026-02-01', 0.5)], { resurfaceMargin: 0.1 + 1e-12 }).table.numRows).toBe(0);
  });
});

describe('compareFlags', () => {
  it('marks new and persisting flags with the score change, and lists dropped ones', () => {
    const now = flagged([['a', 0.9], ['b', 0.5]]);
    const before = flagged([['b', 0.7], ['c', 0.6]]);
    const r = compareFlags('flagged_routes', now, before);
    expect(rowsOf(r.table, ['flag_id', 'change', 'score_change']).map((x) => ({ ...x, score_change: x.score_change === null ? null : Math.round((x.score_change as number) * 1e9) / 1e9 }))).toEqual([
      { flag_id: 'a', change: 'new', score_change: null },
      { flag_id: 'b', change: 'persisting', score_change: -0.2 },
    ]);
    expect(rowsOf(r.changes, ['output', 'flag_id', 'change', 'previous_score'])).toEqual([
      { output: 'flagged_routes', flag_id: 'a', change: 'new', previous_score: null },
      { output: 'flagged_routes', flag_id: 'b', change: 'persisting', previous_score: 0.7 },
      { output: 'flagged_routes', flag_id: 'c', change: 'dropped', previous_score: 0.6 },
    ]);
    expect(r.counts).toEqual({ new: 1, persisting: 1, dropped: 1 });
  });

  it('calls every flag new without a previous run, and names a missing column', () => {
    expect(compareFlags('x', flagged([['a', 1]]), null).counts).toEqual({ new: 1, persisting: 0, dropped: 0 });
    expect(() => compareFlags('x', new Table({ score: float64Vector(Float64Array.of(1)) }), null)).toThrow(/flag_id/);
  });
});
