import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Table, type Vector } from 'apache-arrow';
import pLimit from 'p-limit';
import { metricEntries, type BacktestMetrics } from '../evaluate/backtest-metrics.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { writeParquet } from '../io/parquet.ts';
import { renderTunePlot, type TuneCurve } from '../report/render-tune-plot.ts';
import { StringDictionary, dictionaryVector, float64Vector, int32Vector } from '../table/columns.ts';
import { alignColumns, backtestConfig } from './backtest.ts';
import { BACKTEST_TARGETS, datasetLoaders, evaluateDataset, type BacktestSourceArgs, type BacktestTarget, type PipelineMemo } from './backtest-data.ts';
import { loadReference } from '../run/reference-input.ts';
import type { Config } from '../config/config.ts';
import { UsageError } from '../base/errors.ts';
import { silentLog, type Log } from '../base/log.ts';
import { loadPipelines } from '../run/registry.ts';
import { expandGrid, paramColumn, parseParamSpec, type ParamSweep } from './tune-grid.ts';

/** Arguments of `tradewatch tune`. */
export interface TuneArgs extends BacktestSourceArgs {
  out: string;
  /** `key=from:to:step`, `key=a,b,c` or `key=v`; one per swept key. */
  params: string[];
  hs?: string;
  config?: string;
  set?: string[];
  /** Grid points evaluated at once (default config `run.concurrency`). */
  concurrency?: number;
}

/** One grid point on one data set, one target. */
export interface TuneRun {
  /** Index into the grid. */
  point: number;
  seed: number | null;
  target: BacktestTarget;
  metrics: BacktestMetrics;
  extra: Record<string, number>;
}

/** The figures of one grid point and target over the data sets: mean and standard deviation (n − 1; NaN for one data set). */
export interface TuneRow {
  point: number;
  values: Record<string, number>;
  target: BacktestTarget;
  /** Data sets (seeds) measured. */
  seeds: number;
  flagged_mean: number;
  precision_mean: number;
  precision_sd: number;
  recall_mean: number;
  recall_sd: number;
  f1_mean: number;
  f1_sd: number;
  precision_at_k_mean: number;
  precision_at_k_sd: number;
}

/** What `tradewatch tune` did. */
export interface TuneSummary {
  sweeps: ParamSweep[];
  grid: Record<string, number>[];
  runs: TuneRun[];
  rows: TuneRow[];
  /** The SVG written to tune.svg. */
  plot: string;
  paths: { parquet: string; csv: string; svg: string; runs: string };
}

const STATS = ['precision', 'recall', 'f1', 'precision_at_k'] as const;

/**
 * `tradewatch tune`: sweeps the grid of `--param` ranges over each data set (read or generated once), the grid
 * points of a data set in parallel with p-limit (pipeline outputs whose config slice did not change are
 * shared), and writes `OUT/tune.parquet` and `tune.csv` (per point and target: mean and sd over seeds),
 * `tune_runs.parquet` (every seed's figures, long) and `tune.svg` (precision–recall per target over the first
 * swept key). Bad keys, values or combinations are {@link UsageError}s (exit 2) before anything is read.
 */
export async function runTune(args: TuneArgs, fx: { log?: Log; cwd?: string } = {}): Promise<TuneSummary> {
  const log = fx.log ?? silentLog;
  const cwd = fx.cwd ?? process.cwd();
  const sweeps = args.params.map(parseParamSpec);
  const grid = expandGrid(sweeps);
  const base = await backtestConfig(args);
  // every point's config resolved (and so checked) before any data is read
  const configs: Config[] = [];
  for (const point of grid) {
    const sets = Object.entries(point).map(([k, v]) => `${k}=${v}`);
    try {
      configs.push(await backtestConfig(args, sets));
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`--param ${sets.join(' ')}: ${e.message}`);
      throw e;
    }
  }
  const loaders = datasetLoaders(args, base, { cwd, log, command: 'tune' });
  if (args.seeds?.some((s) => s >= 101 && s <= 110)) log('tune.test_seeds', { level: 'warn', note: 'seeds 101–110 measure detection quality; tune on others (1–5) and test there' });
  const pipelines = await loadPipelines();
  const reference = await loadReference();
  const limit = pLimit(args.concurrency ?? base.run.concurrency);
  const runs: TuneRun[] = [];
  for (const load of loaders) {
    const ds = await load();
    const memo: PipelineMemo = new Map();
    const t0 = performance.now();
    const done = await Promise.all(configs.map((config) => limit(() => evaluateDataset(ds, config, { pipelines, reference, memo, baselines: false }))));
    done.forEach((targets, point) => {
      for (const t of targets) runs.push({ point, seed: ds.seed, target: t.target, metrics: t.metrics, extra: t.extra });
    });
    log('tune.dataset', { dataset: ds.name, points: grid.length, seconds: Math.round(performance.now() - t0) / 1000 });
  }
  const rows = summarizeTune(grid, runs);
  const first = sweeps[0].key;
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const others = sweeps.slice(1).map((s) => s.key);
  const what = args.seeds?.length ? `mean ± sd over ${seeds} seed${seeds > 1 ? 's' : ''} (${args.preset ?? 'easy'})` : `one data set (${args.truth ?? 'labels'})`;
  const plot = renderTunePlot(tuneCurves(rows, first, others), {
    param: first,
    title: `Precision–recall over ${first}`,
    note: `${what}${others.length ? `; ${others.join(', ')} at each target's best F1` : ''}`,
  });

  const out = resolve(cwd, args.out);
  await mkdir(out, { recursive: true });
  const paths = { parquet: join(out, 'tune.parquet'), csv: join(out, 'tune.csv'), svg: join(out, 'tune.svg'), runs: join(out, 'tune_runs.parquet') };
  const keys = sweeps.map((s) => s.key);
  await writeParquet(paths.parquet, summaryTable(rows, keys));
  await writeFileAtomic(paths.csv, summaryCsv(rows, keys));
  await writeParquet(paths.runs, runsTable(runs, grid, keys));
  await writeFileAtomic(paths.svg, plot);
  return { sweeps, grid, runs, rows, plot, paths };
}

/** Mean and sd (n − 1) over data sets per grid point and target; NaN figures (nothing flagged) are left out of both. Pure. */
export function summarizeTune(grid: readonly Record<string, number>[], runs: readonly TuneRun[]): TuneRow[] {
  const rows: TuneRow[] = [];
  grid.forEach((values, point) => {
    for (const target of BACKTEST_TARGETS) {
      const mine = runs.filter((r) => r.point === point && r.target === target);
      if (!mine.length) continue;
      const of = (name: 'flagged' | (typeof STATS)[number]) => mine.map((r) => metricEntries(r.metrics).find(([m]) => m === name)![1]);
      const row: TuneRow = {
        point, values, target, seeds: mine.length, flagged_mean: meanSd(of('flagged'))[0],
        precision_mean: NaN, precision_sd: NaN, recall_mean: NaN, recall_sd: NaN, f1_mean: NaN, f1_sd: NaN, precision_at_k_mean: NaN, precision_at_k_sd: NaN,
      };
      for (const s of STATS) [row[`${s}_mean`], row[`${s}_sd`]] = meanSd(of(s));
      rows.push(row);
    }
  });
  return rows;
}

/** Per target, its points over `first`; other swept keys held at the values of the target's best mean F1. Pure. */
export function tuneCurves(rows: readonly TuneRow[], first: string, others: readonly string[]): TuneCurve[] {
  const curves: TuneCurve[] = [];
  for (const target of BACKTEST_TARGETS) {
    const mine = rows.filter((r) => r.target === target);
    if (!mine.length) continue;
    const best = mine.reduce((a, b) => (b.f1_mean > a.f1_mean || (a.f1_mean !== a.f1_mean && b.f1_mean === b.f1_mean) ? b : a));
    const on = mine.filter((r) => others.every((k) => r.values[k] === best.values[k])).sort((a, b) => a.values[first] - b.values[first]);
    curves.push({
      target,
      points: on.map((r) => ({ value: r.values[first], precision: r.precision_mean, recall: r.recall_mean, precisionSd: r.precision_sd, recallSd: r.recall_sd })),
    });
  }
  return curves;
}

/** The summary for people: one line per point and target (mean ± sd), then each target's best F1. */
export function formatTune(summary: TuneSummary): string {
  const keys = summary.sweeps.map((s) => s.key);
  const pm = (m: number, sd: number) => (m === m ? `${m.toFixed(3)}${sd === sd ? ` ± ${sd.toFixed(3)}` : ''}` : '-');
  const lines = [[...keys, 'target', 'seeds', 'flagged', 'precision', 'recall', 'f1', 'p@k']];
  for (const r of summary.rows) {
    lines.push([
      ...keys.map((k) => String(r.values[k])), r.target, String(r.seeds), r.flagged_mean.toFixed(1),
      pm(r.precision_mean, r.precision_sd), pm(r.recall_mean, r.recall_sd), pm(r.f1_mean, r.f1_sd), pm(r.precision_at_k_mean, r.precision_at_k_sd),
    ]);
  }
  const best = BACKTEST_TARGETS.flatMap((t) => {
    const mine = summary.rows.filter((r) => r.target === t && r.f1_mean === r.f1_mean);
    if (!mine.length) return [];
    const b = mine.reduce((a, x) => (x.f1_mean > a.f1_mean ? x : a));
    return [`  ${t}: ${keys.map((k) => `${k}=${b.values[k]}`).join(' ')}  f1 ${b.f1_mean.toFixed(3)}`];
  });
  return alignColumns(lines) + `best mean F1 (first on ties):\n${best.join('\n')}\n`;
}

/** Mean and sample sd of the finite values (sd NaN under two). */
function meanSd(v: readonly number[]): [number, number] {
  const x = v.filter((a) => a === a);
  if (!x.length) return [NaN, NaN];
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  if (x.length < 2) return [mean, NaN];
  return [mean, Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1))];
}

const SUMMARY_COLUMNS = ['seeds', 'flagged_mean', ...STATS.flatMap((s) => [`${s}_mean`, `${s}_sd`])] as const;

function summaryTable(rows: readonly TuneRow[], keys: readonly string[]): Table {
  const cols: Record<string, Vector> = {};
  for (const k of keys) cols[paramColumn(k)] = float64Vector(Float64Array.from(rows, (r) => r.values[k]));
  cols.target = dict(rows.map((r) => r.target));
  cols.seeds = int32Vector(Int32Array.from(rows, (r) => r.seeds));
  for (const c of SUMMARY_COLUMNS.slice(1)) cols[c] = float64Vector(Float64Array.from(rows, (r) => r[c as keyof TuneRow] as number));
  return new Table(cols);
}

function summaryCsv(rows: readonly TuneRow[], keys: readonly string[]): string {
  const head = [...keys.map(paramColumn), 'target', ...SUMMARY_COLUMNS];
  const num = (v: number) => (v === v ? String(Number(v.toFixed(6))) : '');
  const lines = rows.map((r) => [...keys.map((k) => num(r.values[k])), r.target, ...SUMMARY_COLUMNS.map((c) => num(r[c as keyof TuneRow] as number))].join(','));
  return [head.join(','), ...lines].join('\n') + '\n';
}

/** Every data set's figures, long: the swept values, seed, target, metric, value. */
function runsTable(runs: readonly TuneRun[], grid: readonly Record<string, number>[], keys: readonly string[]): Table {
  const flat = runs.flatMap((r) => [...metricEntries(r.metrics), ...Object.entries(r.extra)].map(([metric, value]) => ({ r, metric, value })));
  const cols: Record<string, Vector> = {};
  for (const k of keys) cols[paramColumn(k)] = float64Vector(Float64Array.from(flat, (x) => grid[x.r.point][k]));
  cols.seed = int32Vector(Int32Array.from(flat, (x) => x.r.seed ?? -1), -1);
  cols.target = dict(flat.map((x) => x.r.target));
  cols.metric = dict(flat.map((x) => x.metric));
  cols.value = float64Vector(Float64Array.from(flat, (x) => x.value));
  return new Table(cols);
}

function dict(values: readonly string[]): Vector {
  const d = new StringDictionary();
  return dictionaryVector(Int32Array.from(values, (v) => d.code(v)), d.values);
}
