/** The hold-out protocol's pure parts: grids, the choice of a point, and the results `npm run evaluation` keeps. */

/** A grid of `mirror.gaps` thresholds: each key's values (camelCase keys of `mirror.gaps`). */
export type MirrorGrid = Record<string, readonly number[]>;

/** How the mirror detector does on a set of worlds at one point of the grid. */
export interface MirrorPointFigures {
  /** Means over the worlds. */
  recall: number;
  precision_at_k: number;
  /** Summed over the worlds. */
  false_flags: number;
  /** Per family: its items flagged (found; for a legitimate gap or distractor, wrongly flagged) and present, summed over the worlds. */
  families: Record<string, { flagged: number; present: number }>;
}

/** One tuning: the point chosen on the tuning worlds (without `family`, or with every family when null) and what it does on the test worlds. */
export interface MirrorHoldOutRow {
  /** The family left out of the tuning worlds; null: none (the full tuning, for comparison). */
  family: string | null;
  role: string | null;
  /** The grid point chosen on the tuning worlds. */
  chosen: Record<string, number>;
  tuning: MirrorPointFigures;
  test: MirrorPointFigures;
}

/** What `npm run evaluation` keeps of the mirror hold-out (docs/evaluation/mirror-holdout.json). */
export interface MirrorHoldOutResults {
  schema: 'tradewatch/mirror-holdout/v1';
  preset: string;
  tuning_seeds: number[];
  test_seeds: number[];
  grid: MirrorGrid;
  rows: MirrorHoldOutRow[];
}

/** Every grid point, in key order then value order: the first key varies slowest. */
export function gridPoints(grid: MirrorGrid): Record<string, number>[] {
  let out: Record<string, number>[] = [{}];
  for (const [k, vs] of Object.entries(grid)) out = out.flatMap((p) => vs.map((v) => ({ ...p, [k]: v })));
  return out;
}

/**
 * The point to keep: the best mean precision@k; among ties, the fewer false flags; then the first in grid order.
 * The rule the thresholds of `mirror.gaps` were chosen by. Pure.
 */
export function choosePoint<T extends { precision_at_k: number; false_flags: number }>(figures: readonly T[]): number {
  if (!figures.length) throw new Error('choosePoint: no grid point');
  let best = 0;
  for (let k = 1; k < figures.length; k++) {
    const a = figures[k];
    const b = figures[best];
    if (a.precision_at_k > b.precision_at_k + 1e-12 || (Math.abs(a.precision_at_k - b.precision_at_k) <= 1e-12 && a.false_flags < b.false_flags)) best = k;
  }
  return best;
}
