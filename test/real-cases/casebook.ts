/**
 * The real-data casebook's one shared step: ingest a set of files from the shared real data once, run
 * mirror-gaps and then transshipment on it in memory as `run all` chains them (transshipment reads this
 * run's mirror pairs), and keep the result in a module-level promise so every case of a file reads the
 * same tables. Nothing is written to disk.
 */
import { resolve } from 'node:path';
import type { Table } from 'apache-arrow';
import mirrorGaps from '../../pipelines/mirror-gaps.ts';
import transshipment from '../../pipelines/transshipment.ts';
import { ingestTrade, type IngestResult } from '../../src/ingest/ingest-trade.ts';
import type { IngestParams } from '../../src/ingest/params.ts';
import { openInput, resolveInputs } from '../../src/io/inputs.ts';
import { loadCountryNameIndex, loadCountryResolver } from '../../src/io/reference.ts';
import { resolveHsSelector } from '../../src/reference/catalog.ts';
import { loadReference } from '../../src/run/reference-input.ts';
import type { Config } from '../../src/config/config.ts';
import type { PipelineDef, PipelineInputs, ReferenceInput, StageFn } from '../../src/pipeline.ts';
import { resolvedRunConfig } from '../../src/run/runner.ts';
import { hashInputs, readTrade } from '../../src/run/trade.ts';
import { REAL_DATA, realPath, rowsOf } from '../helpers.ts';

/**
 * The casebook is skipped (with a warning) when the real-data folder is absent, except under CI
 * (`process.env.CI`), where its absence must fail the suite: see {@link requireRealData}.
 */
export const SKIP_CASEBOOK = REAL_DATA === null && !process.env.CI;

/**
 * Called in each casebook describe body: nothing when the real data is there; under CI without it, throws
 * (the suite fails: CI always runs the casebook); otherwise warns, naming the folder and the variable.
 */
export function requireRealData(file: string): void {
  if (REAL_DATA !== null) return;
  const wanted = resolve(process.env.TRADEWATCH_REAL_DATA ?? '../shared/data');
  const msg = `${file}: real-data folder ${wanted} not found (set TRADEWATCH_REAL_DATA to the shared data folder)`;
  if (process.env.CI) throw new Error(`${msg}; CI must run the real-data casebook`);
  console.warn(`${msg}: casebook skipped`);
}

/** Everything the cases of one data set read. */
export interface CaseRun {
  ingest: IngestResult;
  /** mirror-gaps outputs: every pair window with its measures, and the flagged ones ranked. */
  mirrorPairs: Table;
  mirrorGaps: Table;
  /** transshipment outputs: every candidate route, and the flagged ones ranked. */
  routesAll: Table;
  flaggedRoutes: Table;
  config: Config;
}

const runs = new Map<string, Promise<CaseRun>>();

/** One input of a case run: a path inside the real-data folder and the layout it is read with. */
export interface CaseFile {
  path: string;
  format: string;
}

/**
 * The files ingested (each with its own format) and run through mirror-gaps and then transshipment with
 * the defaults of `tradewatch run all` (products `@catalog`); computed once per process for the same inputs.
 */
export function caseRun(files: CaseFile[]): Promise<CaseRun> {
  const key = JSON.stringify(files);
  let r = runs.get(key);
  if (!r) {
    r = runOnce(files);
    runs.set(key, r);
  }
  return r;
}

/** The config `tradewatch run all` resolves with no flags and no config file: defaults, and ingest follows `run.hs` (`@catalog`). */
export function runConfig(): Config {
  return resolvedRunConfig({ out: '' }, undefined); // `out` is where a run writes, which resolving the config does not read
}

let referenceOnce: Promise<ReferenceInput> | null = null;
/** The reference tables the pipelines read, as a backtest loads them (loaded once). */
export function reference(): Promise<ReferenceInput> {
  referenceOnce ??= loadReference();
  return referenceOnce;
}

/**
 * Ingests files as a run does: one format for all goes through readTrade (the `--trade … --format …` path);
 * files of different layouts through ingestTrade with each source's own format (one ingest, as when the
 * canonical outputs of two ingests are run together).
 */
export async function ingestCase(files: CaseFile[], params: IngestParams): Promise<IngestResult> {
  const formats = new Set(files.map((f) => f.format));
  if (formats.size === 1) {
    const inputs = await hashInputs('trade', files.map((f) => realPath(f.path)), process.cwd());
    // on the main thread (the files are a few MB): the tables do not depend on it
    const { result } = await readTrade(inputs, { format: files[0].format, params, log: () => {}, parallel: { workers: 0, minFileBytes: Infinity } });
    return result;
  }
  const found = await resolveInputs(files.map((f) => realPath(f.path)));
  const sources = found.map((input) => ({
    display: input.display,
    kind: 'csv' as const,
    chunks: openInput(input),
    format: files.find((f) => realPath(f.path) === input.path)!.format,
  }));
  const catalog = (await reference()).catalog;
  return ingestTrade(sources, { params, hsCodes: resolveHsSelector(params.hs, catalog), resolver: await loadCountryResolver(), names: await loadCountryNameIndex() });
}

async function runOnce(files: CaseFile[]): Promise<CaseRun> {
  const config = runConfig();
  const result = await ingestCase(files, config.ingest);
  const ref = await reference();
  const trade = { flows: result.flows, areas: result.areas, subflows: result.subflows, consignment: result.consignment };
  // as evaluateDataset runs a pipeline in memory: stages only run, counts are dropped
  const run = async <P>(def: PipelineDef<P>, extra: Partial<PipelineInputs>) => {
    const stage: StageFn = (_s, fn) => fn();
    return def.run({ trade, ...extra, reference: ref }, def.params(config), stage, () => {});
  };
  const mg = await run(mirrorGaps, {});
  // transshipment reads this run's mirror pairs, as `run all` chains them
  const ts = await run(transshipment, { mirror: mg.mirror_pairs });
  return { ingest: result, mirrorPairs: mg.mirror_pairs, mirrorGaps: mg.mirror_gaps, routesAll: ts.routes_all, flaggedRoutes: ts.flagged_routes, config };
}

/** The atlas re-cut of UN Comtrade, 2022 and 2024 (HS2022), read with `--format mapped:comtrade-atlas`. */
export const ATLAS_FILES: CaseFile[] = ['2022', '2024'].map((y) => ({ path: `comtrade-atlas/raw_comtrade/comtrade_${y}.csv`, format: 'mapped:comtrade-atlas' }));
/** The atlas re-cut of CEPII BACI, 2022 and 2024 (HS2017), read with `--format mapped:atlas-baci`. */
export const BACI_FILES: CaseFile[] = ['2022', '2024'].map((y) => ({ path: `comtrade-atlas/baci_recon/baci_${y}.csv`, format: 'mapped:atlas-baci' }));
/** China-reported monthly exports by partner name, 2017-01 to 2024-12, read with `--format mapped:china-monthly`. */
export const CHINA_MONTHLY_FILES: CaseFile[] = [{ path: 'china-exports-monthly/deep_dive_hs6_monthly.csv', format: 'mapped:china-monthly' }];

/** The atlas records through their mapping, run once. */
export const atlasRun = () => caseRun(ATLAS_FILES);
/** The BACI re-cut through its mapping, run once. */
export const baciRun = () => caseRun(BACI_FILES);
/** The atlas records and the BACI re-cut in one run (each file through its own mapping), run once. */
export const atlasWithBaciRun = () => caseRun([...ATLAS_FILES, ...BACI_FILES]);
/** China's monthly exports, run once. */
export const chinaMonthlyRun = () => caseRun(CHINA_MONTHLY_FILES);

/** Rows of a table as plain objects, with the list column `reasons` as a plain array. */
export function rows(t: Table, columns?: string[]): Record<string, unknown>[] {
  return rowsOf(t, columns).map((r) => ('reasons' in r && r.reasons != null ? { ...r, reasons: [...(r.reasons as Iterable<unknown>)] } : r));
}

/** Route rows with the columns the cases read. */
export const ROUTE_COLUMNS = ['rank', 'origin', 'hub', 'destination', 'hs6', 'mineral', 'control_id', 'freq', 'period_start', 'period_end',
  'first_leg_pre_usd', 'first_leg_post_usd', 'first_leg_surge', 'second_leg_pre_usd', 'second_leg_post_usd', 'second_leg_surge',
  'direct_pre_usd', 'direct_post_usd', 'diversion', 'pass_through', 'hub_prior_export_share', 'hub_ghost_share', 'consignment_usd', 'score', 'reasons'];

/** A route as `ORIGIN→HUB→DEST hs6 control period`, for readable failure messages. */
export function routeLabel(r: Record<string, unknown>): string {
  return `${r.origin}→${r.hub}→${r.destination} ${r.hs6} ${r.control_id} ${r.period_start}..${r.period_end}`;
}

/** A short message for an assertion on a list: how many, and the first few. */
export function sample(labels: string[], n = 8): string {
  return `${labels.length}: ${labels.slice(0, n).join('; ')}${labels.length > n ? '; …' : ''}`;
}

/**
 * Share of a period (`YYYY` or `YYYY-MM`) during which a control that starts on `start` (YYYY-MM-DD) was in
 * force: 0 before, 1 for a period after its start, and days in force / days in the period for the start's own
 * period. domain.md §6: a year in force for only a few months is mostly a pre-control year.
 */
export function shareInForce(period: string, start: string): number {
  const day = 86_400_000;
  const y = Number(period.slice(0, 4));
  const from = period.length === 4 ? Date.UTC(y, 0, 1) : Date.UTC(y, Number(period.slice(5, 7)) - 1, 1);
  const to = period.length === 4 ? Date.UTC(y + 1, 0, 1) : Date.UTC(y, Number(period.slice(5, 7)), 1);
  const s = Date.UTC(Number(start.slice(0, 4)), Number(start.slice(5, 7)) - 1, Number(start.slice(8, 10)));
  return Math.min(1, Math.max(0, (to - Math.max(s, from)) / day / ((to - from) / day)));
}

/**
 * Routes whose post window starts in a period the control was in force for less than half of (with `startMonth`,
 * also in or before the control's own month), or whose control × HS6 has no start in the calendar, each as
 * `route (from START)`.
 */
export async function routesPostTooEarly(routes: Record<string, unknown>[], opts: { startMonth?: boolean } = {}): Promise<string[]> {
  const starts = await controlStarts();
  const startOf = (r: Record<string, unknown>) => starts.get(`${r.control_id}|${r.hs6}`);
  return routes
    .filter((r) => {
      const start = startOf(r);
      return !start || (opts.startMonth === true && !((r.period_start as string) > start.slice(0, 7))) || shareInForce(r.period_start as string, start) < 0.5;
    })
    .map((r) => `${routeLabel(r)} (from ${startOf(r)})`);
}

/** First day in force of each control × HS6 in the project's calendar (data/reference/controls.csv): its earliest active interval. */
export async function controlStarts(): Promise<Map<string, string>> {
  const starts = new Map<string, string>();
  for (const iv of (await reference()).catalog.intervals) {
    if (iv.status !== 'active') continue;
    const k = `${iv.controlId}|${iv.hs6}`;
    const prev = starts.get(k);
    if (!prev || iv.start < prev) starts.set(k, iv.start);
  }
  return starts;
}
