import { loadReference } from './reference-input.ts';
import { GLOBAL_DATASETS, HANDOFFS, HANDOFF_KEYS, handoffFile, type HandoffKey } from '../datasets.ts';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Table } from 'apache-arrow';
import { writeFileAtomic } from '../io/atomic.ts';
import { readConfigFile } from '../io/config-file.ts';
import { acquireLock, LockHeldError } from '../io/lock.ts';
import { encodeParquetInSlices, readParquet, readParquetSchema } from '../io/parquet.ts';
import {
  cleanStagingBriefly,
  listPartitions,
  partitionPaths,
  prunePartitions,
  publishPartition,
  readJsonIfExists,
  recoverPartition,
} from '../io/partitions.ts';
import { renderRunSummary } from '../report/render-run-summary.ts';
import { dropRowsByValue } from '../table/take-table.ts';
import { readCodes } from '../table/read.ts';
import { hashConfig, resolveConfig, stableStringify, type Config } from '../config/config.ts';
import { exitCodeOf, InputError, InterruptedError, throwIfInterrupted, UsageError } from '../base/errors.ts';
import { clearFailedRuns, recordFailedRun } from './failed-runs.ts';
import { silentLog, type Log } from '../base/log.ts';
import { checkManifest, MANIFEST_SCHEMA, type DataCheck, type ManifestInput, type RunManifest } from '../base/manifest.ts';
import { tradeInScope, type GlobalTables, type PipelineDef, type TradeInput } from '../pipeline.ts';
import { RejectRows } from '../ingest/flow-rows.ts';
import { buildRejectTable } from '../ingest/flow-table.ts';
import { policyDropCheck } from '../ingest/ingest-trade.ts';
import type { IngestParams } from '../ingest/params.ts';
import { readDeclarationInputs } from './declarations-input.ts';
import { reviewAndCompare } from './flags.ts';
import { hashInputs, readTrade, sourcePathsOf, type HashedInputs } from './trade.ts';
import { finishOutputs } from './output-types.ts';
import { VERSION } from './version.ts';
import { AVAILABILITY_COLUMNS } from '../schema.ts';

/** Arguments of `tradewatch run <pipeline>` (see the contracts). */
/**
 * What a run is asked to do. Beside these, a key of `src/datasets.ts` per dataset another pipeline writes
 * (`mirror`, `routes`, …): the file, the producer's partition folder or an output root holding one, for the
 * pipelines that read it.
 */
export type RunArgs = RunArgsBase & { [K in HandoffKey]?: string };

interface RunArgsBase {
  out: string;
  trade?: string[];
  /**
   * The output root (or a folder holding the files) of a run over every product whose coverage, reporter
   * reliability and CIF/FOB observations a partition run uses instead of estimating its own.
   */
  global?: string;
  /**
   * Comtrade's data-availability table (the `availability.parquet` `tradewatch fetch` writes): what each reporter
   * published per period, which mirror matching takes as coverage over what the rows show.
   */
  availability?: string;
  /** Customs declarations to screen: files, folders or globs. */
  declarations?: string[];
  /** Earlier declarations with inspection outcomes, to learn from. */
  history?: string[];
  /** Analysts' verdicts on flags (CSV or Parquet: flag_id, verdict, note, reviewer, date[, score]). */
  reviews?: string;
  format?: string;
  asOf?: string;
  hs?: string;
  config?: string;
  set?: string[];
  force?: boolean;
  keep?: number;
  maxRejectRate?: number;
  /** Publish an `--as-of` after the last period of the inputs anyway (config `run.allowAsOfAfterData`). */
  allowAsOfAfterData?: boolean;
}

/** Effects a run needs, injected so tests fix the clock and run id, or make a write fail. */
export interface RunEffects {
  log?: Log;
  now?: () => Date;
  runId?: () => string;
  cwd?: string;
  /** Writes one output file; tests replace it to simulate a crash mid-write. */
  writeFile?: (path: string, data: Uint8Array | string) => Promise<void>;
  /** Whether a pid is alive (tests simulate dead lock holders). */
  isAlive?: (pid: number) => boolean;
  /**
   * Aborted (reason `SIGINT` or `SIGTERM`) to stop the run at its next safe point: before the lock, between stages,
   * around each write, before `_SUCCESS`. The run then removes its staging folder, releases its lock, logs
   * `run.interrupted` and throws {@link InterruptedError}; once `_SUCCESS` is written it publishes.
   */
  signal?: AbortSignal;
}

/**
 * What a run reports. `no_data`: the `--as-of` asked for is after the last period of the inputs, and nothing was
 * published (`path` is where the partition would be; `manifest` is what the run found, never written, its
 * `data_through` the inputs' last period).
 */
export interface RunResult {
  status: 'succeeded' | 'skipped' | 'no_data';
  pipeline: string;
  partition: string;
  path: string;
  manifest: RunManifest;
}

/**
 * Runs one pipeline for one partition, the way schedulers expect: a partition that already succeeded
 * with the same inputs, config and tradewatch version is skipped (unless `force`); otherwise the lock is taken (exit 3 if
 * held by a live run), outputs are written to `OUT/.staging/` and swapped in whole with `_SUCCESS`
 * last, so a failed or killed run leaves the previous partition untouched.
 */
export async function runPipeline(def: PipelineDef, args: RunArgs, fx: RunEffects = {}): Promise<RunResult> {
  const log = fx.log ?? silentLog;
  const now = fx.now ?? (() => new Date());
  const runId = fx.runId?.() ?? randomUUID();
  const cwd = fx.cwd ?? process.cwd();
  const rawWrite = fx.writeFile ?? writeFileAtomic;
  const started = now();
  const out = resolve(cwd, args.out);
  if (args.asOf !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(args.asOf)) throw new UsageError(`--as-of ${args.asOf}: expected YYYY-MM`);
  if (args.keep !== undefined && !(Number.isInteger(args.keep) && args.keep >= 1)) {
    throw new UsageError(
      `--keep ${args.keep}: --keep N keeps the newest N complete partitions of the pipeline (and always the one this run writes) ` +
        'and removes older ones, so N must be 1 or more; to keep every partition leave --keep out (config run.keep: 0, the default)',
    );
  }
  const config = resolvedRunConfig(args, args.config ? await readConfigFile(args.config) : undefined);
  const params = def.params(config);
  const configSlice = { ingest: config.ingest, run: config.run, pipeline: params };
  const configSha = hashConfig(configSlice);
  const ctx = { run_id: runId, pipeline: def.name };
  const checkpoint = () => throwIfInterrupted(fx.signal, `run ${def.name}`);
  // a stop asked for while a file is written takes effect as soon as the write ends
  const write = async (path: string, data: Uint8Array | string) => {
    checkpoint();
    await rawWrite(path, data);
    checkpoint();
  };
  const lockOptions = (pctx: Record<string, unknown>) => ({
    runId,
    now,
    isAlive: fx.isAlive,
    heartbeatMs: config.run.heartbeatSeconds * 1000,
    staleMs: config.run.staleLockMinutes * 60_000,
    onTakeover: (prev: { run_id: string } | null, why: string) => log('lock.takeover', { ...pctx, level: 'warn', previous_run: prev?.run_id ?? null, why }),
  });

  if (def.inputs.trade === 'required' && !args.trade?.length) throw new UsageError(`run ${def.name}: give --trade PATH…`);
  // only what the pipeline declared is read (run all hands every pipeline the same arguments)
  const inputs = def.inputs.trade && args.trade?.length ? await hashInputs('trade', args.trade, cwd) : { files: [], records: [] as ManifestInput[] };
  const extra = await optionalInputs(def, args, cwd);
  inputs.records.push(...extra.records);
  const inputsSha = hashOf(inputs.records.map((r) => `${r.kind}:${r.sha256}`).join('\n'));
  const asOfRequested = args.asOf ?? 'latest';

  if (!args.force) {
    const done = await findSucceeded(out, def.name, inputsSha, configSha, asOfRequested);
    if (done) {
      log('run.skipped', { ...ctx, partition: done.partition, reason: 'already succeeded with the same inputs, config and tradewatch version (use --force to redo)' });
      // staging folders that crashed runs left for this partition: cleaned under the lock taken briefly, or reported
      const sctx = { ...ctx, partition: done.partition };
      try {
        const tidy = await cleanStagingBriefly(partitionPaths(out, def.name, done.as_of, runId), def.name, out, lockOptions(sctx));
        for (const what of tidy.done) log('staging.cleaned', { ...sctx, level: 'warn', what });
        if (tidy.left.length) log('staging.left', { ...sctx, level: 'warn', paths: tidy.left, why: `a live run may own them: ${tidy.heldBy}` });
      } catch (e) {
        log('staging.left', { ...sctx, level: 'warn', why: `could not clean staging folders: ${(e as Error).message}` }); // the skip stands
      }
      return { status: 'skipped', pipeline: def.name, partition: done.partition, path: join(out, def.name, done.partition), manifest: { ...done, status: 'skipped' } };
    }
  }

  // a failed run publishes nothing: it is recorded so that `status` can say the newest partition failed
  const noteFailure = async (e: unknown, asOf: string | null) => {
    if (e instanceof LockHeldError || e instanceof InterruptedError) return;
    try {
      await recordFailedRun(out, {
        pipeline: def.name, partition: asOf ? `as_of=${asOf}` : null, as_of: asOf, as_of_requested: asOfRequested, run_id: runId,
        started_at: started.toISOString(), failed_at: now().toISOString(), exit_code: exitCodeOf(e), error: e instanceof Error ? e.message : String(e),
      });
    } catch (w) {
      log('run.failure_not_recorded', { ...ctx, level: 'warn', error: (w as Error).message });
    }
  };

  // read and cut the inputs
  const stages: RunManifest['stages'] = [];
  const counts: Record<string, number> = {};
  let trade: TradeInput | undefined;
  let rejects: Table | undefined;
  let asOf = args.asOf ?? '';
  let declarations: Table | undefined;
  let history: Table | undefined;
  /** The last period of the inputs before the cut (`YYYY-MM`; '' when they hold none). */
  let dataEnd = '';
  try {
    if (inputs.files.length) {
      const t0 = performance.now();
      const { result, comparators } = await readTrade(inputs, { format: args.format, params: config.ingest, log: (e, f) => log(e, { ...ctx, ...f }) });
      for (const [k, v] of Object.entries(result.counts)) counts[`ingest.${k}`] = v;
      // the comparators read beside the selection go to the pipeline that uses them, and are counted out of the others
      const scoped = tradeInScope({ flows: result.flows, areas: result.areas, subflows: result.subflows, consignment: result.consignment, comparators }, def);
      if (scoped.left) counts['ingest.comparator_rows_left_out'] = scoped.left;
      const read = scoped.trade;
      dataEnd = latestPeriod(read.flows);
      asOf = args.asOf ?? dataEnd;
      const cut = (t: Table, name: string) => cutAfter(t, asOf, (n) => (counts[`ingest.after_as_of.${name}`] = n));
      trade = {
        flows: cut(read.flows, 'flows'), areas: cut(read.areas, 'areas'), subflows: cut(read.subflows, 'subflows'), consignment: cut(read.consignment, 'consignment'), comparators,
        sourcePaths: await sourcePathsOf(read.flows, inputs.files, cwd),
      };
      stages.push({ name: 'ingest', seconds: round3((performance.now() - t0) / 1000), rows: trade.flows.numRows });
      log('stage.done', { ...ctx, stage: 'ingest', rows: trade.flows.numRows, seconds: stages[0].seconds });
      rejects = result.rejects;
    }
    if (extra.declarations) {
      const t0 = performance.now();
      const read = await readDeclarationInputs(extra.declarations, { params: config.declarations.ingest, log: (e, f) => log(e, { ...ctx, ...f }) });
      for (const [k, v] of Object.entries(read.counts)) counts[`declarations.${k}`] = v;
      const last = latestPeriod(read.table);
      if (last > dataEnd) dataEnd = last;
      asOf ||= last;
      declarations = cutAfter(read.table, asOf, (k) => (counts['declarations.after_as_of'] = k));
      rejects = rejects ? concatRejects(rejects, read.rejects) : read.rejects;
      if (extra.history) {
        const h = await readDeclarationInputs(extra.history, { params: config.declarations.ingest, log: (e, f) => log(e, { ...ctx, ...f }) });
        for (const [k, v] of Object.entries(h.counts)) counts[`history.${k}`] = v;
        history = h.table;
        rejects = concatRejects(rejects, h.rejects);
      }
      stages.push({ name: 'read_declarations', seconds: round3((performance.now() - t0) / 1000), rows: declarations.numRows });
    }
    if (!asOf) throw new UsageError(`run ${def.name}: no period in the inputs; give --as-of YYYY-MM`);
    checkpoint();
  } catch (e) {
    if (e instanceof InterruptedError) log('run.interrupted', { ...ctx, level: 'warn', signal: e.signal, note: 'stopped while reading the inputs, before taking the lock: nothing to clean' });
    await noteFailure(e, asOf || null);
    throw e;
  }
  const partition = `as_of=${asOf}`;
  const paths = partitionPaths(out, def.name, asOf, runId);
  const pctx = { ...ctx, partition };
  /** The last period of the inputs after the cut: what the partition holds data up to. */
  const dataThrough = [trade ? latestPeriod(trade.flows) : '', declarations ? latestPeriod(declarations) : ''].sort().at(-1) ?? '';
  const base = {
    schema: MANIFEST_SCHEMA,
    kind: 'pipeline',
    tradewatch_version: VERSION,
    pipeline: def.name,
    partition,
    as_of: asOf,
    as_of_requested: asOfRequested,
    ...(dataThrough ? { data_through: dataThrough } : {}),
    run_id: runId,
    started_at: started.toISOString(),
    inputs: inputs.records,
    inputs_sha256: inputsSha,
    config: configSlice,
    config_sha256: configSha,
  } as const;

  // an --as-of after the data: nothing to publish yet (a partition named for a month the inputs do not reach would
  // claim data it does not hold), unless asked to publish anyway
  const afterData = args.asOf !== undefined && dataEnd !== '' && args.asOf > dataEnd;
  if (afterData && !config.run.allowAsOfAfterData) {
    const message =
      `no data yet for ${partition}: the inputs end at ${dataEnd}; nothing published ` +
      '(--allow-as-of-after-data or config run.allowAsOfAfterData: true publishes it anyway)';
    log('run.no_new_data', { ...pctx, as_of: asOf, data_through: dataEnd, message });
    const finished = now();
    const manifest: RunManifest = {
      ...base, data_through: dataEnd, status: 'no_data', finished_at: finished.toISOString(), duration_s: round3((finished.getTime() - started.getTime()) / 1000),
      counts: sortKeys(counts), stages, checks: [], outputs: [],
    };
    return { status: 'no_data', pipeline: def.name, partition, path: paths.final, manifest };
  }

  const lock = await acquireLock(paths.lock, lockOptions(pctx));
  let interrupted: InterruptedError | null = null;
  try {
    for (const what of await recoverPartition(paths, def.name, out)) log('staging.cleaned', { ...pctx, level: 'warn', what });
    await mkdir(paths.staging, { recursive: true });
    const stage = <T>(name: string, fn: () => T): T => {
      if (!def.stages.some((s) => s.name === name)) throw new Error(`pipeline '${def.name}' ran undeclared stage '${name}'`);
      checkpoint();
      const t0 = performance.now();
      log('stage.start', { ...pctx, stage: name });
      const value = fn();
      const seconds = round3((performance.now() - t0) / 1000);
      const rows = rowsOf(value);
      stages.push({ name, seconds, rows });
      log('stage.done', { ...pctx, stage: name, rows, seconds });
      return value;
    };
    const reference = await loadReference();
    const count = (key: string, n: number) => (counts[`${def.name}.${key}`] = (counts[`${def.name}.${key}`] ?? 0) + n);
    const handed: { [K in HandoffKey]?: Table } = {};
    for (const k of HANDOFF_KEYS) if (extra.handoffs[k]) handed[k] = await readColumns(extra.handoffs[k], def.columns?.[k]);
    const global = extra.global ? await readGlobalTables(extra.global) : undefined;
    const availability = extra.availability ? await readParquet(extra.availability) : undefined;
    const produced = await def.run({ trade, ...handed, declarations, history, global, availability, reference }, params, stage, count);
    // verdicts and the comparison with the previous run, on every flagged output
    const flagged = (def.report ?? []).map((r) => r.output);
    const reviewed = await reviewAndCompare(def.name, produced, { out, asOf, flagged, reviewsPath: extra.reviews, reviews: config.run.reviews });
    // as written: calendar days as Date32, ISO3 origin/departure/destination with their names (src/run/output-types.ts)
    const tables = finishOutputs(reviewed.tables, reference.countryNames);
    Object.assign(counts, reviewed.counts);
    const missing = def.outputs.filter((o) => !(o in tables));
    if (missing.length) throw new Error(`pipeline '${def.name}' did not produce ${missing.join(', ')}`);

    const outputs: RunManifest['outputs'] = [];
    const toWrite: [string, Table][] = [...def.outputs.map((o) => [o, tables[o]] as [string, Table])];
    if (rejects) toWrite.push(['rejects', rejects]);
    if (reviewed.changes) toWrite.push(['changes', reviewed.changes]);
    for (const [name, table] of toWrite) {
      const bytes = await encodeParquetInSlices(table);
      await write(join(paths.staging, `${name}.parquet`), bytes);
      outputs.push({ path: `${name}.parquet`, rows: table.numRows, sha256: hashOf(bytes) });
      counts[`out.${name}`] = table.numRows;
    }
    const checks = dataChecks(trade, counts, declarations, config.ingest);
    if (afterData) {
      // published as asked (run.allowAsOfAfterData): the manifest and the report say where the data end
      checks.push({
        name: 'as_of_after_data', severity: 'warn', passed: false,
        message: `as_of=${asOf} is after the last period of the inputs (${dataEnd}): this partition holds data up to ${dataThrough || dataEnd} only`,
      });
    }
    for (const c of checks) if (!c.passed && c.severity === 'warn') log('check.warn', { ...pctx, level: 'warn', check: c.name, message: c.message });
    const finished = now();
    const manifest: RunManifest = {
      ...base,
      status: 'succeeded',
      finished_at: finished.toISOString(),
      duration_s: round3((finished.getTime() - started.getTime()) / 1000),
      counts: sortKeys(counts),
      stages,
      checks,
      outputs,
    };
    const failedCheck = checks.find((c) => c.severity === 'error' && !c.passed);
    if (failedCheck) {
      await write(join(paths.staging, 'manifest.json'), stableStringify({ ...manifest, status: 'failed', error: failedCheck.message }, 2) + '\n');
      // a check over the input fails on the data, not on tradewatch: exit 2
      throw new InputError(`run ${def.name} ${partition}: data check '${failedCheck.name}' failed: ${failedCheck.message}; the previous partition is kept`);
    }
    await write(join(paths.staging, 'manifest.json'), stableStringify(manifest, 2) + '\n');
    const report = renderRunSummary({
      manifest, tables, sections: def.report ?? [], changes: reviewed.changes, description: def.description,
      controls: reference.catalog.intervals, countryNames: reference.countryNames,
    });
    await write(join(paths.staging, 'report.html'), report);
    checkpoint(); // the last safe point: once _SUCCESS is written the partition is published
    await writeFile(join(paths.staging, '_SUCCESS'), '');
    await publishPartition(paths);
    log('run.published', { ...pctx, path: paths.final, seconds: manifest.duration_s });
    await clearFailedRuns(out, def.name, asOf, asOfRequested).catch((e: Error) => log('run.failure_not_cleared', { ...pctx, level: 'warn', error: e.message }));
    const keep = args.keep ?? config.run.keep;
    // never this run's own partition, even on a backfill (see prunePartitions)
    for (const p of await prunePartitions(out, def.name, keep, asOf)) log('partition.removed', { ...pctx, path: p, keep });
    return { status: 'succeeded', pipeline: def.name, partition, path: paths.final, manifest };
  } catch (e) {
    if (e instanceof InterruptedError) {
      interrupted = e;
      await rm(paths.staging, { recursive: true, force: true });
    } else {
      log('run.failed', { ...pctx, level: 'error', error: (e as Error).message, staging: paths.staging });
      await noteFailure(e, asOf);
    }
    throw e;
  } finally {
    await lock.release();
    if (interrupted) {
      log('run.interrupted', { ...pctx, level: 'warn', signal: interrupted.signal, lock_released: paths.lock, staging_removed: paths.staging });
    }
  }
}

/**
 * The optional file inputs a pipeline declared and the run was given (the datasets of `src/datasets.ts`, `--global`,
 * `--availability`), resolved and hashed so they count in the skip decision and the manifest. A pipeline that
 * does not take one ignores it.
 */
async function optionalInputs(
  def: PipelineDef,
  args: RunArgs,
  cwd: string,
): Promise<{
  records: ManifestInput[]; handoffs: { [K in HandoffKey]?: string }; global?: GlobalPaths; availability?: string; declarations?: HashedInputs; history?: HashedInputs; reviews?: string;
}> {
  const records: ManifestInput[] = [];
  let declarations: HashedInputs | undefined;
  let history: HashedInputs | undefined;
  if (def.inputs.declarations === 'required' && !args.declarations?.length) throw new UsageError(`run ${def.name}: give --declarations PATH…`);
  if (def.inputs.declarations && args.declarations?.length) {
    declarations = await hashInputs('declarations', args.declarations, cwd);
    records.push(...declarations.records);
  }
  let reviews: string | undefined;
  if (args.reviews) {
    reviews = resolve(cwd, args.reviews);
    if (!(await isFile(reviews))) throw new UsageError(`--reviews ${args.reviews}: no such file (CSV or Parquet: flag_id, verdict, note, reviewer, date)`);
    records.push(...(await hashInputs('reviews', [reviews], cwd)).records);
  }
  if (def.inputs.declarations && args.history?.length) {
    history = await hashInputs('history', args.history, cwd);
    records.push(...history.records);
  }
  // the datasets other pipelines write that this one reads: the file, the producer's partition, or under an output root its newest
  const handoffs: { [K in HandoffKey]?: string } = {};
  for (const k of HANDOFF_KEYS) {
    const given = args[k];
    if (!def.inputs[k] || !given) continue;
    const { producer } = HANDOFFS[k];
    const file = handoffFile(k);
    const at = resolve(cwd, given);
    const found = (await isFile(at)) ? at : await findOutput(at, producer, file, args.asOf);
    if (!found) throw new UsageError(`--${k} ${given}: no ${file} there nor a complete ${producer} partition under it${args.asOf ? ` up to as_of=${args.asOf}` : ''}`);
    handoffs[k] = found;
    records.push(...(await hashInputs(k, [found], cwd)).records);
  }
  let global: GlobalPaths | undefined;
  if (def.inputs.global && args.global) {
    global = await findGlobalTables(resolve(cwd, args.global), args.asOf);
    records.push(...(await hashInputs('global', [global.coverage, global.reliability, global.cifFobObservations], cwd)).records);
  }
  let availability: string | undefined;
  if (def.inputs.availability && args.availability) {
    availability = resolve(cwd, args.availability);
    if (!(await isFile(availability))) throw new UsageError(`--availability ${args.availability}: no such file (give the availability.parquet of 'tradewatch fetch')`);
    const have = new Set((await readParquetSchema(availability)).fields.map((f) => f.name));
    const missing = AVAILABILITY_NEEDS.filter((c) => !have.has(c));
    if (missing.length) throw new UsageError(`--availability ${args.availability}: no column ${missing.join(', ')} (expected the availability.parquet of 'tradewatch fetch': ${AVAILABILITY_COLUMNS.join(', ')})`);
    records.push(...(await hashInputs('availability', [availability], cwd)).records);
  }
  return { records, handoffs, global, availability, declarations, history, reviews };
}

type GlobalPaths = Record<keyof GlobalTables, string>;

/** The columns of an availability table that mirror matching reads. */
const AVAILABILITY_NEEDS = ['reporter', 'period', 'published'] as const;

/** `--global`'s three files: in `dir` itself, or under an output root in the newest complete partition of their pipeline not after `asOf`. */
async function findGlobalTables(dir: string, asOf: string | undefined): Promise<GlobalPaths> {
  const found: Partial<GlobalPaths> = {};
  const missing: string[] = [];
  for (const [key, { producer, output }] of Object.entries(GLOBAL_DATASETS) as [keyof GlobalTables, { producer: string; output: string }][]) {
    const file = `${output}.parquet`;
    const path = await findOutput(dir, producer, file, asOf);
    if (path) found[key] = path;
    else missing.push(`${file} (${producer})`);
  }
  if (missing.length) {
    throw new UsageError(
      `--global ${dir}: no ${missing.join(', ')} there nor in a complete partition under it${asOf ? ` up to as_of=${asOf}` : ''} ` +
        `(run 'tradewatch run all' over every product with this --out first)`,
    );
  }
  return found as GlobalPaths;
}

async function readGlobalTables(paths: GlobalPaths): Promise<GlobalTables> {
  return { coverage: await readParquet(paths.coverage), reliability: await readParquet(paths.reliability), cifFobObservations: await readParquet(paths.cifFobObservations) };
}

/** `dir/file`, or under an output root the newest complete partition of `pipeline` not after `asOf` that holds `file`; null when neither. */
async function findOutput(dir: string, pipeline: string, file: string, asOf: string | undefined): Promise<string | null> {
  const direct = join(dir, file);
  if (await isFile(direct)) return direct;
  for (const p of await listPartitions(dir, pipeline)) {
    if (!p.complete || (asOf && p.asOf > asOf)) continue;
    if (await isFile(join(p.path, file))) return join(p.path, file);
  }
  return null;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

/** Resolves config for a run: defaults ← file ← flags ← `--set`. */
export function resolvedRunConfig(args: RunArgs, file: unknown): Config {
  const sets: string[] = [];
  if (args.hs !== undefined) sets.push(`run.hs=${JSON.stringify(args.hs)}`);
  // --max-reject-rate holds for every input a run reads: trade flows and declarations alike
  if (args.maxRejectRate !== undefined) sets.push(`ingest.maxRejectRate=${args.maxRejectRate}`, `declarations.ingest.maxRejectRate=${args.maxRejectRate}`);
  if (args.allowAsOfAfterData) sets.push('run.allowAsOfAfterData=true');
  sets.push(...(args.set ?? []));
  const c = resolveConfig({ file, fileName: args.config, sets });
  // pipelines select products with run.hs; the ingest stage inside a run follows it
  return resolveConfig({ file, fileName: args.config, sets: [...sets, `ingest.hs=${JSON.stringify(c.run.hs)}`] });
}

/**
 * The newest complete partition of `pipeline` with the same inputs, config and as-of request, written by this
 * tradewatch version (another version may compute or write something else: its partition is redone).
 */
async function findSucceeded(out: string, pipeline: string, inputsSha: string, configSha: string, asOfRequested: string): Promise<RunManifest | null> {
  for (const p of await listPartitions(out, pipeline)) {
    if (!p.complete) continue;
    const raw = await readJsonIfExists(join(p.path, 'manifest.json'));
    if (!raw) continue;
    const m = checkManifest(raw, join(p.path, 'manifest.json'));
    if (m.status !== 'succeeded' || m.tradewatch_version !== VERSION) continue;
    if (m.inputs_sha256 === inputsSha && m.config_sha256 === configSha && m.as_of_requested === asOfRequested) return m;
  }
  return null;
}

/** The latest period in the flows as `YYYY-MM` (an annual period `YYYY` counts as `YYYY-12`). */
export function latestPeriod(flows: Table): string {
  const { values } = readCodes(flows, 'period', 'latestPeriod');
  let best = '';
  for (const v of values) {
    const p = v.length === 4 ? `${v}-12` : v;
    if (p > best) best = p;
  }
  return best;
}

/** Drops rows whose period is after `asOf` (annual `YYYY` is complete at `YYYY-12`). */
function cutAfter(t: Table, asOf: string, count: (n: number) => void): Table {
  const { table, dropped } = dropRowsByValue(t, 'period', (v) => (v.length === 4 ? `${v}-12` : v) > asOf, 'cutAfter');
  if (dropped) count(dropped);
  return table;
}

function dataChecks(trade: TradeInput | undefined, counts: Record<string, number>, declarations: Table | undefined, ingest: IngestParams): DataCheck[] {
  const checks: DataCheck[] = [];
  if (declarations) {
    const n = declarations.numRows;
    checks.push({ name: 'declarations_not_empty', severity: 'error', passed: n > 0, message: n > 0 ? `${n} declarations` : 'no declarations left after --as-of' });
    const rejected = counts['declarations.rejected_values'] ?? 0;
    checks.push({ name: 'no_declaration_rejects', severity: 'warn', passed: rejected === 0, message: `${rejected} declarations rejected for bad values (see rejects.parquet)` });
    const twice = counts['declarations.duplicate_across_files'] ?? 0;
    checks.push({
      name: 'no_declarations_read_twice', severity: 'warn', passed: twice === 0,
      message: `${twice} declarations also in an earlier file (in path order) were dropped as copies; check that no file is given twice`,
    });
    // a --history that fits no model: the score is rules and isolation alone, and the run says so
    if ('declarations.history_rows_unlabelled' in counts) {
      const none = (counts['declarations.model_not_fitted_no_labels'] ?? 0) > 0;
      const one = (counts['declarations.model_not_fitted_one_class'] ?? 0) > 0;
      checks.push({
        name: 'history_has_labels', severity: 'warn', passed: !none && !one,
        message: none
          ? '--history holds no labelled declaration before the first one screened: no model fitted; the score is rules and isolation alone'
          : one
            ? '--history holds only one outcome (all fraud or all clean) before the first declaration screened: no model fitted'
            : 'a model was fitted on the labelled history',
      });
    }
  }
  if (trade) {
    const n = trade.flows.numRows;
    checks.push({ name: 'flows_not_empty', severity: 'error', passed: n > 0, message: n > 0 ? `${n} flows` : 'no flows left after --hs and --as-of' });
    const rejected = counts['ingest.rejected_values'] ?? 0;
    checks.push({ name: 'no_value_rejects', severity: 'warn', passed: rejected === 0, message: `${rejected} rows rejected for bad values (see rejects.parquet)` });
    const policy = policyDropCheck(
      Object.fromEntries(Object.entries(counts).filter(([k]) => k.startsWith('ingest.')).map(([k, v]) => [k.slice(7), v])),
      ingest,
    );
    checks.push({ name: 'policy_drops', severity: 'error', ...policy });
    const superseded = counts['ingest.superseded_by_later_input'] ?? 0;
    checks.push({
      name: 'no_superseded_rows', severity: 'warn', passed: superseded === 0,
      message: `${superseded} rows of a key also in a later input (a revised release) were superseded by it; give one release per period, or check that the later one is the one to keep`,
    });
  }
  return checks;
}

/** Rows a stage returned: a table's, or the first table's among an object's values; null otherwise. */
function rowsOf(value: unknown): number | null {
  if (!value || typeof value !== 'object') return null;
  if ('numRows' in value && typeof value.numRows === 'number') return value.numRows;
  for (const v of Object.values(value)) if (v && typeof v === 'object' && 'numRows' in v && typeof v.numRows === 'number') return v.numRows;
  return null;
}

function hashOf(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Two reject tables as one (few rows: read back through Arrow's row access). */
function concatRejects(a: Table, b: Table): Table {
  if (!b.numRows) return a;
  if (!a.numRows) return b;
  const out = new RejectRows();
  for (const t of [a, b]) {
    const [f, l, c, v, r] = ['source_file', 'source_line', 'column', 'value', 'reason'].map((k) => t.getChild(k)!);
    for (let i = 0; i < t.numRows; i++) out.add(f.get(i), l.get(i), c.get(i), v.get(i) ?? '', r.get(i));
  }
  return buildRejectTable(out);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A handed-on dataset, only the columns the pipeline uses (those the file has); every column when it names none. */
async function readColumns(path: string, columns: readonly string[] | undefined): Promise<Table> {
  if (!columns) return readParquet(path);
  const have = new Set((await readParquetSchema(path)).fields.map((f) => f.name));
  return readParquet(path, { columns: columns.filter((c) => have.has(c)) });
}
