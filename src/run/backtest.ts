import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Table } from 'apache-arrow';
import { metricEntries } from '../detect/backtest-metrics.ts';
import { readConfigFile } from '../io/config-file.ts';
import { writeParquet } from '../io/parquet.ts';
import { StringDictionary, dictionaryVector, float64Vector, int32Vector } from '../table/columns.ts';
import { datasetLoaders, evaluateDataset, loadReference, type BacktestSourceArgs, type TargetResult } from './backtest-data.ts';
import type { Config } from './config.ts';
import { silentLog, type Log } from './log.ts';
import { loadPipelines } from './registry.ts';
import { resolvedRunConfig } from './runner.ts';

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
  path: string;
}

/**
 * `tradewatch backtest`: reads the data once, runs the pipelines in memory (nothing under OUT/<pipeline>),
 * judges routes, mirror gaps and declarations against the truth (or the declarations' labels), and writes
 * `OUT/backtest.parquet` (seed, target, metric, value, truth_source).
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
  return { results, rows, path };
}

/** The config of a backtest or sweep: defaults ← `--config` ← `--hs` ← `--set`, as `run` resolves it. */
export async function backtestConfig(args: { out: string; hs?: string; config?: string; set?: string[] }, extraSets: string[] = []): Promise<Config> {
  const file = args.config ? await readConfigFile(args.config) : undefined;
  return resolvedRunConfig({ out: args.out, hs: args.hs, config: args.config, set: [...(args.set ?? []), ...extraSets] }, file);
}

/** A data set's figures as long rows: the metrics, then the extra counts. */
export function backtestRows(seed: number | null, targets: readonly TargetResult[]): BacktestRow[] {
  return targets.flatMap((t) => [
    ...metricEntries(t.metrics).map(([metric, value]) => ({ seed, target: t.target, metric, value, truth_source: t.source })),
    ...Object.entries(t.extra).map(([metric, value]) => ({ seed, target: t.target, metric, value, truth_source: t.source })),
  ]);
}

/** The figures as a table for people: one line per data set and target. */
export function formatBacktest(summary: BacktestSummary): string {
  const head = ['seed', 'target', 'flagged', 'tp', 'fp', 'fn', 'precision', 'recall', 'f1', 'p@k', 'k', 'truth'];
  const lines = [head];
  for (const r of summary.results) {
    for (const t of r.targets) {
      const m = t.metrics;
      lines.push([r.seed === null ? '-' : String(r.seed), t.target, ...[m.flagged, m.tp, m.fp, m.fn].map(String), ...[m.precision, m.recall, m.f1, m.precisionAtK].map(fixed3), String(m.k), t.source]);
    }
  }
  // what the figures leave out, and what must not be flagged but was
  const notes = summary.results.flatMap((r) =>
    r.targets.flatMap((t) => {
      const xs = Object.entries(t.extra).filter(([, v]) => v > 0);
      return xs.length ? [`  ${r.seed === null ? '' : `seed ${r.seed} `}${t.target}: ${xs.map(([k, v]) => `${k} ${v}`).join(', ')}`] : [];
    }),
  );
  return alignColumns(lines) + (notes.length ? `beside the figures:\n${notes.join('\n')}\n` : '');
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

/** Long rows as an Arrow table: seed (Int32, null when none), target, metric, value, truth_source. */
function longTable(rows: readonly BacktestRow[]): Table {
  const dict = (f: (r: BacktestRow) => string) => {
    const d = new StringDictionary();
    const codes = Int32Array.from(rows, (r) => d.code(f(r)));
    return dictionaryVector(codes, d.values);
  };
  return new Table({
    seed: int32Vector(Int32Array.from(rows, (r) => r.seed ?? -1), -1),
    target: dict((r) => r.target),
    metric: dict((r) => r.metric),
    value: float64Vector(Float64Array.from(rows, (r) => r.value)),
    truth_source: dict((r) => r.truth_source),
  });
}
