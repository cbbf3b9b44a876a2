import { SYNTH_FAMILIES } from '../synth/wild-knobs.ts';
import { UNEXPLAINED } from './backtest-families.ts';

/** Version of `backtest.json`; a reader of another version refuses it. */
export const BACKTEST_RESULTS_SCHEMA = 'tradewatch/backtest/v1';

/** `backtest.json`: the long rows of `backtest.parquet` with what they were run on. */
export interface BacktestResults {
  schema: typeof BACKTEST_RESULTS_SCHEMA;
  version: string;
  config_hash: string;
  /** The synthetic preset (`--seeds` runs), else null. */
  preset: string | null;
  seeds: number[];
  tuning_seeds: number[];
  /** Families left out of the tuning seeds' worlds. */
  hold_out: string[];
  rows: { seed: number | null; target: string; detector: string; family: string | null; metric: string; value: number | null; truth_source: string }[];
}

/** Which seeds a figure sums: the tuning seeds or the test seeds. */
export type SeedGroup = 'tuning' | 'test';

/** One detector's figures on one target over a group of seeds. */
export interface OverallFigure {
  target: string;
  detector: string;
  group: SeedGroup;
  seeds: number;
  /** Σ tp / Σ positives over the seeds. */
  recall: number;
  /** Mean over the seeds of precision@k (k = the seed's true items). */
  precisionAtK: number;
  /** Σ flagged, Σ fp over the seeds. */
  flagged: number;
  fp: number;
  /** Σ distractors with a false flag about them (families of role distractor, unexplained flags left out). */
  distractorsFlagged: number;
  /** Seeds on which at least one distractor had a false flag about it. */
  seedsWithDistractorFlagged: number;
}

/** One family's count for one detector and target over a group of seeds. */
export interface FamilyTotal {
  target: string;
  detector: string;
  family: string;
  group: SeedGroup;
  present: number;
  flagged: number;
}

/** Overall figures and family totals of a backtest, per detector × target × seed group. Pure. */
export function summarizeBacktest(res: BacktestResults): { overall: OverallFigure[]; families: FamilyTotal[] } {
  const groupOf = (seed: number | null): SeedGroup => (seed !== null && res.tuning_seeds.includes(seed) ? 'tuning' : 'test');
  const num = (v: number | null) => (v === null || v !== v ? NaN : v);
  const overall = new Map<string, OverallFigure & { tp: number; positives: number; pks: number[]; distractorSeeds: Set<number | null> }>();
  const families = new Map<string, FamilyTotal>();
  const roleOf = new Map(SYNTH_FAMILIES.map((f) => [f.name, f.role]));
  for (const r of res.rows) {
    const group = groupOf(r.seed);
    const key = `${r.target}|${r.detector}|${group}`;
    let o = overall.get(key);
    if (!o) {
      o = {
        target: r.target, detector: r.detector, group, seeds: 0, recall: NaN, precisionAtK: NaN, flagged: 0, fp: 0, distractorsFlagged: 0,
        seedsWithDistractorFlagged: 0, tp: 0, positives: 0, pks: [], distractorSeeds: new Set(),
      };
      overall.set(key, o);
    }
    if (r.family === null) {
      const v = num(r.value);
      if (r.metric === 'tp') o.tp += v;
      else if (r.metric === 'positives') o.positives += v;
      else if (r.metric === 'flagged') o.flagged += v;
      else if (r.metric === 'fp') o.fp += v;
      else if (r.metric === 'precision_at_k') {
        o.seeds++;
        if (v === v) o.pks.push(v);
      }
      continue;
    }
    const fkey = `${key}|${r.family}`;
    const f = families.get(fkey) ?? { target: r.target, detector: r.detector, family: r.family, group, present: 0, flagged: 0 };
    if (r.metric === 'present') f.present += num(r.value);
    if (r.metric === 'flagged') {
      f.flagged += num(r.value);
      if (roleOf.get(r.family) === 'distractor' && num(r.value) > 0) {
        o.distractorsFlagged += num(r.value);
        o.distractorSeeds.add(r.seed);
      }
    }
    families.set(fkey, f);
  }
  return {
    overall: [...overall.values()].map(({ tp, positives, pks, distractorSeeds, ...o }) => ({
      ...o,
      seedsWithDistractorFlagged: distractorSeeds.size,
      recall: positives > 0 ? tp / positives : NaN,
      precisionAtK: pks.length ? pks.reduce((a, b) => a + b, 0) / pks.length : NaN,
    })),
    families: [...families.values()],
  };
}

/** The order families are listed in: the truth's families in {@link SYNTH_FAMILIES}' order, then the unexplained flags. */
export function familyOrder(name: string): number {
  const i = SYNTH_FAMILIES.findIndex((f) => f.name === name);
  return i >= 0 ? i : name === UNEXPLAINED ? SYNTH_FAMILIES.length : SYNTH_FAMILIES.length + 1;
}

/** The detectors of some figures, tradewatch first, then the baselines by name. */
export function detectorsOf(xs: readonly { detector: string }[]): string[] {
  return [...new Set(xs.map((x) => x.detector))].sort((a, b) => (a === 'tradewatch' ? -1 : b === 'tradewatch' ? 1 : a < b ? -1 : 1));
}

/**
 * The by-family table as text: per target and family, `flagged/present` for each detector on the tuning seeds
 * and on the test seeds side by side (a true family's found share, a distractor's flagged count).
 */
export function formatFamilyTable(res: BacktestResults): string {
  const { families } = summarizeBacktest(res);
  const detectors = detectorsOf(families);
  const lines: string[][] = [['target', 'family', ...detectors.flatMap((d) => [`${d} tuning`, `${d} test`])]];
  const targets = [...new Set(families.map((f) => f.target))];
  for (const target of targets) {
    const names = [...new Set(families.filter((f) => f.target === target).map((f) => f.family))].sort((a, b) => familyOrder(a) - familyOrder(b));
    for (const name of names) {
      const cell = (d: string, g: SeedGroup) => {
        const f = families.find((x) => x.target === target && x.detector === d && x.family === name && x.group === g);
        return !f ? '-' : name === UNEXPLAINED ? String(f.flagged) : `${f.flagged}/${f.present}`;
      };
      lines.push([target, name, ...detectors.flatMap((d) => [cell(d, 'tuning'), cell(d, 'test')])]);
    }
  }
  const widths = lines[0].map((_, j) => Math.max(...lines.map((r) => r[j].length)));
  return lines.map((r) => r.map((c, j) => (j < 2 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ').trimEnd()).join('\n') + '\n';
}
