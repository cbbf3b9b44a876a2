import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Table } from 'apache-arrow';
import { metricEntries } from '../evaluate/backtest-metrics.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { readConfigFile } from '../io/config-file.ts';
import { writeParquet } from '../io/parquet.ts';
import { StringDictionary, dictionaryVector, float64Vector, int32Vector } from '../table/columns.ts';
import { TUNING_SEEDS, datasetLoaders, evaluateDataset, type BacktestSourceArgs, type TargetResult } from './backtest-data.ts';
import { loadReference } from '../run/reference-input.ts';
import { type BacktestResults, BACKTEST_RESULTS_SCHEMA, formatFamilyTable } from '../evaluate/backtest-summary.ts';
import { hashConfig, type Config } from '../config/config.ts';
import { silentLog, type Log } from '../base/log.ts';
import { loadPipelines } from '../run/registry.ts';
import { resolvedRunConfig } from '../run/runner.ts';
import { VERSION } from '../run/version.ts';

/** Arguments of `tradewatch backtest`. */
export interface BacktestArgs extends BacktestSourceArgs {
  out: string;
  hs?: string;
  config?: string;
  set?: string[];
}

/** One figure of a backtest, in the long layout of `backtest.parquet`. */
export interface BacktestRow {
  /** The world's seed, or null. */
  seed: number | null;
  target: string;
  /** `tradewatch`, or a baseline: `two_leg_rule` (routes), `mirror_threshold` (mirror gaps). */
  detector: string;
  /** The family of the truth a `present`/`flagged` figure counts; null for the metrics over the whole target. */
  family: string | null;
  metric: string;
  /** NaN when undefined (precision with nothing flagged); null in the file. */
  value: number;
  /** `truth` (truth.json) or `labels`. */
  truth_source: string;
}

/** What `tradewatch backtest` did: the figures per data set and target, and the file written. */
export interface BacktestSummary {
  results: { seed: number | null; name: string; targets: TargetResult[] }[];
  rows: BacktestRow[];
  /** `backtest.parquet`. */
  path: string;
  /** `backtest.json`: the same rows with what they were run on, for docs/evaluation.md. */
  jsonPath: string;
  json: BacktestResults;
}

/**
 * `tradewatch backtest`: reads the data once, runs the pipelines in memory (nothing under OUT/<pipeline>),
 * judges routes, mirror gaps and declarations against the truth (or the declarations' labels) — tradewatch and,
 * beside it, the plain baselines on the same data — and writes `OUT/backtest.parquet` (seed, target, detector,
 * family, metric, value, truth_source) and `OUT/backtest.json` (the same rows with the seeds, preset, hold-out,
 * config hash and version they come from).
 */
export async function runBacktest(args: BacktestArgs, fx: { log?: Log; cwd?: string } = {}): Promise<BacktestSummary> {
  const log = fx.log ?? silentLog;
  const cwd = fx.cwd ?? process.cwd();
  const config = await backtestConfig(args);
  const loaders = datasetLoaders(args, config, { cwd, log, command: 'backtest' });
  const pipelines = await loadPipelines();
  const reference = await loadReference();
  const results: BacktestSummary['results'] = [];
  for (const load of loaders) {
    const ds = await load();
    log('backtest.dataset', { dataset: ds.name });
    results.push({ seed: ds.seed, name: ds.name, targets: await evaluateDataset(ds, config, { pipelines, reference }) });
  }
  const rows = results.flatMap((r) => backtestRows(r.seed, r.targets));
  const out = resolve(cwd, args.out);
  await mkdir(out, { recursive: true });
  const path = join(out, 'backtest.parquet');
  await writeParquet(path, longTable(rows));
  const json: BacktestResults = {
    schema: BACKTEST_RESULTS_SCHEMA,
    version: VERSION,
    config_hash: hashConfig(config),
    preset: args.seeds?.length ? (args.preset ?? 'easy') : null,
    seeds: results.map((r) => r.seed).filter((x): x is number => x !== null),
    tuning_seeds: [...TUNING_SEEDS],
    hold_out: args.holdOut ?? [],
    rows,
  };
  const jsonPath = join(out, 'backtest.json');
  await writeFileAtomic(jsonPath, `${JSON.stringify(json, null, 1)}\n`);
  return { results, rows, path, jsonPath, json };
}

/** The config of a backtest or sweep: defaults ← `--config` ← `--hs` ← `--set`, as `run` resolves it. */
export async function backtestConfig(args: { out: string; hs?: string; config?: string; set?: string[] }, extraSets: string[] = []): Promise<Config> {
  const file = args.config ? await readConfigFile(args.config) : undefined;
  return resolvedRunConfig({ out: args.out, hs: args.hs, config: args.config, set: [...(args.set ?? []), ...extraSets] }, file);
}

/** A data set's figures as long rows: the metrics, the extra counts, then each family's `present` and `flagged`. */
export function backtestRows(seed: number | null, targets: readonly TargetResult[]): BacktestRow[] {
  return targets.flatMap((t) => {
    const row = (metric: string, value: number, family: string | null = null): BacktestRow => ({ seed, target: t.target, detector: t.detector, family, metric, value, truth_source: t.source });
    return [
      ...metricEntries(t.metrics).map(([metric, value]) => row(metric, value)),
      ...Object.entries(t.extra).map(([metric, value]) => row(metric, value)),
      ...t.families.flatMap((f) => [row('present', f.present, f.family), row('flagged', f.flagged, f.family)]),
    ];
  });
}

/** The figures as a table for people: one line per data set and target. */
export function formatBacktest(summary: BacktestSummary): string {
  const head = ['seed', 'target', 'detector', 'flagged', 'tp', 'fp', 'fn', 'precision', 'recall', 'f1', 'p@k', 'k', 'truth'];
  const lines = [head];
  for (const r of summary.results) {
    for (const t of r.targets) {
      const m = t.metrics;
      lines.push([r.seed === null ? '-' : String(r.seed), t.target, t.detector, ...[m.flagged, m.tp, m.fp, m.fn].map(String), ...[m.precision, m.recall, m.f1, m.precisionAtK].map(fixed3), String(m.k), t.source]);
    }
  }
  // what the figures leave out, and what must not be flagged but was
  const notes = summary.results.flatMap((r) =>
    r.targets.flatMap((t) => {
      const xs = Object.entries(t.extra).filter(([, v]) => v > 0);
      return xs.length ? [`  ${r.seed === null ? '' : `seed ${r.seed} `}${t.target} (${t.detector}): ${xs.map(([k, v]) => `${k} ${v}`).join(', ')}`] : [];
    }),
  );
  const families = summary.rows.some((r) => r.family !== null) ? `\nby family (found or flagged / present, summed over seeds):\n${formatFamilyTable(summary.json)}` : '';
  return alignColumns(lines) + (notes.length ? `beside the figures:\n${notes.join('\n')}\n` : '') + families;
}

/** Rows of text cells as aligned columns (numbers right-aligned). */
export function alignColumns(rows: string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const numeric = rows[0].map((_, j) => rows.slice(1).every((r) => /^[-\d.±\s]*$|^-$/.test(r[j])));
  return rows.map((r) => r.map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  ').trimEnd()).join('\n') + '\n';
}

/** A number with three decimals, `-` when undefined. */
export function fixed3(v: number): string {
  return v === v ? v.toFixed(3) : '-';
}

/** Long rows as an Arrow table: seed (Int32, null when none), target, detector, family (null over the whole target), metric, value, truth_source. */
function longTable(rows: readonly BacktestRow[]): Table {
  const dict = (f: (r: BacktestRow) => string | null) => {
    const d = new StringDictionary();
    const codes = Int32Array.from(rows, (r) => {
      const v = f(r);
      return v === null ? -1 : d.code(v);
    });
    return dictionaryVector(codes, d.values);
  };
  return new Table({
    seed: int32Vector(Int32Array.from(rows, (r) => r.seed ?? -1), -1),
    target: dict((r) => r.target),
    detector: dict((r) => r.detector),
    family: dict((r) => r.family),
    metric: dict((r) => r.metric),
    value: float64Vector(Float64Array.from(rows, (r) => r.value)),
    truth_source: dict((r) => r.truth_source),
  });
}
