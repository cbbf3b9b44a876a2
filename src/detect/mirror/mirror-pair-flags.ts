import { Table, type Vector } from 'apache-arrow';
import { StringDictionary, dictionaryVector, int32Vector } from '../../table/columns.ts';
import { listVector, structListVector } from '../../table/list.ts';
import { takeTable } from '../../table/take-table.ts';
import { rankFlags } from '../../flags/rank-flags.ts';

/** Columns of a flagged window nested under its pair in `mirror_gaps.windows`. */
export const NESTED_WINDOW_COLUMNS = [
  'window', 'period_start', 'period_end', 'status', 'exporter_value_usd', 'importer_value_fob_usd', 'gap_usd', 'log_ratio', 'z',
  'noise_sigma', 'noise_source', 'value_at_stake_usd', 'believability', 'score', 'reasons',
] as const;

/** What {@link flaggedPairs} decided: which pairs are flagged, their ranks and ids, and the table of them. */
export interface FlaggedPairs {
  /** Rank (1…) of each pair group, 0 when not flagged. */
  rankOf: Int32Array;
  /** Flag id of each flagged pair group. */
  idOfGroup: Map<number, string>;
  /** 1 for pairs with a flagged window that fell beyond the review budget. */
  overBudget: Uint8Array;
  /** Pairs with at least one flagged window; of them, flagged (within the budget). */
  candidates: number;
  flagged: number;
  /** `mirror_gaps`: one row per flagged pair from the scored windows `all` (aligned with the group ids). */
  table(all: Table): Table;
}

/**
 * One flag per pair: a pair with flagged windows (those in `reasons`) takes the score of its best one; pairs
 * are ranked by score, then flag id, and the first `budget` are flagged. The table has the best window's
 * columns, `reasons` over all its flagged windows (in order of first appearance), `windows_flagged`,
 * `first_flagged_period`, `last_flagged_period`, the flagged windows nested in `windows` (by period end, then
 * window), and `rank`. Pure.
 */
export function flaggedPairs(
  groupOf: Int32Array,
  groups: number,
  score: Float64Array,
  reasons: ReadonlyMap<number, readonly string[]>,
  idOf: (group: number) => string,
  budget: number,
): FlaggedPairs {
  const best = new Int32Array(groups).fill(-1);
  for (const i of reasons.keys()) {
    const g = groupOf[i];
    if (best[g] < 0 || score[i] > score[best[g]] || (score[i] === score[best[g]] && i < best[g])) best[g] = i;
  }
  const candidates: number[] = [];
  for (let g = 0; g < groups; g++) if (best[g] >= 0) candidates.push(g);
  const pairScore = new Float64Array(groups);
  const ids = new Map<number, string>();
  for (const g of candidates) {
    pairScore[g] = score[best[g]];
    ids.set(g, idOf(g));
  }
  rankFlags(candidates, pairScore, (g) => ids.get(g)!);
  const kept = candidates.slice(0, Math.max(0, Math.min(candidates.length, budget)));
  const rankOf = new Int32Array(groups);
  kept.forEach((g, k) => (rankOf[g] = k + 1));
  const overBudget = new Uint8Array(groups);
  for (const g of candidates.slice(kept.length)) overBudget[g] = 1;
  const idOfGroup = new Map(kept.map((g) => [g, ids.get(g)!]));
  return {
    rankOf, idOfGroup, overBudget, candidates: candidates.length, flagged: kept.length,
    table(all) {
      // the flagged windows of each kept pair, by period end then window
      const pEnd = all.getChild('period_end')!;
      const win = all.getChild('window')!;
      const byPair = new Map<number, number[]>(kept.map((g) => [g, []]));
      for (const i of reasons.keys()) byPair.get(groupOf[i])?.push(i);
      const offsets = new Int32Array(kept.length + 1);
      const nestedRows: number[] = [];
      kept.forEach((g, k) => {
        const rows = byPair.get(g)!.sort((a, b) => cmp(String(pEnd.get(a)), String(pEnd.get(b))) || cmp(String(win.get(a)), String(win.get(b))) || a - b);
        nestedRows.push(...rows);
        offsets[k + 1] = nestedRows.length;
      });
      const nested = takeTable(all.select([...NESTED_WINDOW_COLUMNS]), Int32Array.from(nestedRows));
      const children = Object.fromEntries(NESTED_WINDOW_COLUMNS.map((c) => [c, nested.getChild(c)!]));
      const bestRows = Int32Array.from(kept, (g) => best[g]);
      const head = takeTable(all, bestRows);
      const pairReasons = new Map<number, string[]>();
      const first: string[] = [];
      const last: string[] = [];
      kept.forEach((g, k) => {
        const rows = byPair.get(g)!;
        const union: string[] = [];
        for (const i of rows) for (const r of reasons.get(i)!) if (!union.includes(r)) union.push(r);
        pairReasons.set(k, union);
        first.push(String(all.getChild('period_start')!.get(rows[0])));
        last.push(String(pEnd.get(rows[rows.length - 1])));
      });
      const cols: Record<string, Vector> = {};
      for (const f of head.schema.fields) if (f.name !== 'window_flagged' && f.name !== 'over_review_budget') cols[f.name] = head.getChild(f.name)!;
      Object.assign(cols, {
        reasons: listVector(kept.length, pairReasons),
        windows_flagged: int32Vector(Int32Array.from(kept, (g) => byPair.get(g)!.length)),
        first_flagged_period: textVector(first),
        last_flagged_period: textVector(last),
        windows: structListVector(offsets, children),
        rank: int32Vector(Int32Array.from(kept, (_, k) => k + 1)),
      });
      return new Table(cols);
    },
  };
}

function textVector(values: readonly string[]): Vector {
  const dict = new StringDictionary();
  return dictionaryVector(Int32Array.from(values, (v) => dict.code(v)), dict.values);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
