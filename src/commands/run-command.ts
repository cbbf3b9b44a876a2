import { HANDOFFS, HANDOFF_KEYS, handoffFile } from '../datasets.ts';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { writeCombinedReport } from '../report/combined-report.ts';
import { exitCodeOf, InterruptedError, UsageError } from '../base/errors.ts';
import type { Log } from '../base/log.ts';
import type { PipelineDef } from '../pipeline.ts';
import { dependencyLevels, loadPipelines, pickPipeline } from '../run/registry.ts';
import { runPipeline, type RunArgs, type RunEffects, type RunResult } from '../run/runner.ts';

/** How a whole `run` ended, in its `run.result` event. */
export type RunOutcome = 'succeeded' | 'skipped' | 'no_new_data' | 'failed' | 'interrupted';

/**
 * `tradewatch run PIPELINE|all`: one pipeline, or every pipeline in dependency order (independent ones in
 * parallel up to `concurrency`); after either, the combined `OUT/report/as_of=…/report.html` is rewritten. Ends with one
 * `run.result` event, whether it published, skipped, found no data for the `--as-of`, failed or was stopped.
 */
export async function runCommand(name: string, args: RunArgs, fx: RunEffects & { log: Log; concurrency?: number }): Promise<RunResult[]> {
  const results: RunResult[] = [];
  const state: { report: string | null; all: Map<string, PipelineDef> | null } = { report: null, all: null };
  try {
    await runPipelines(name, args, fx, results, state);
  } catch (e) {
    const interrupted = e instanceof InterruptedError;
    fx.log('run.result', {
      ...runResultFields(name, results, state.all, null),
      level: interrupted ? 'warn' : 'error',
      status: interrupted ? 'interrupted' : 'failed',
      exit_code: exitCodeOf(e),
      error: e instanceof Error ? e.message : String(e),
    });
    throw e;
  }
  fx.log('run.result', { ...runResultFields(name, results, state.all, state.report), status: outcomeOf(results), exit_code: 0 });
  return results;
}

async function runPipelines(
  name: string,
  args: RunArgs,
  fx: RunEffects & { log: Log; concurrency?: number },
  results: RunResult[],
  state: { report: string | null; all: Map<string, PipelineDef> | null },
): Promise<void> {
  const all = await loadPipelines();
  state.all = all;
  if (name !== 'all') {
    results.push(await runPipeline(pickPipeline(all, name), args, fx));
    const [r] = results;
    if (r.status !== 'no_data') state.report = join(r.path, 'report.html');
    // the combined report of that as-of is rewritten after a single pipeline's run too, so it never goes stale
    if (r.status !== 'no_data') await writeCombined(all, args, fx, r.manifest.as_of, results);
    return;
  }
  const limit = pLimit(fx.concurrency ?? 2);
  let levelArgs = args;
  for (const level of dependencyLevels(all)) {
    // a stop between levels: the pipelines before it are published, the later ones not run
    if (fx.signal?.aborted) {
      const e = new InterruptedError(fx.signal.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM', 'run all');
      fx.log('run.interrupted', { level: 'warn', signal: e.signal, note: 'between pipelines: nothing to clean', not_run: level.map((d) => d.name) });
      throw e;
    }
    // a pipeline whose required input was not given is left out of `all`, and the log says so
    const missingOf = (def: PipelineDef) => (['trade', 'declarations'] as const).filter((k) => def.inputs[k] === 'required' && !args[k]?.length);
    const runnable = level.filter((def) => {
      const missing = missingOf(def);
      if (missing.length) fx.log('run.not_run', { pipeline: def.name, reason: `no --${missing.join(', --')} given` });
      return !missing.length;
    });
    // every sibling finishes (publishes or fails) before the command decides: a failure of one never leaves another
    // publishing after the command has exited; the summary says which published
    const settled = await Promise.allSettled(runnable.map((def) => limit(() => runPipeline(def, levelArgs, fx))));
    const done = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    results.push(...done);
    const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ pipeline: runnable[i].name, error: s.reason as unknown }] : []));
    // stopped by a signal: each stopped pipeline cleaned up and logged run.interrupted; the command stops
    const stop = failed.find((f) => f.error instanceof InterruptedError);
    if (stop) throw stop.error;
    if (failed.length) {
      const later = dependencyLevels(all)
        .flat()
        .filter((d) => !missingOf(d).length && !results.some((r) => r.pipeline === d.name) && !failed.some((f) => f.pipeline === d.name));
      fx.log('run.all_failed', {
        level: 'error',
        published: results.filter((r) => r.status === 'succeeded').map((r) => `${r.pipeline}/${r.partition}`),
        skipped: results.filter((r) => r.status === 'skipped').map((r) => `${r.pipeline}/${r.partition}`),
        failed: failed.map((f) => `${f.pipeline}: ${f.error instanceof Error ? f.error.message : String(f.error)}`),
        not_run: later.map((d) => d.name),
      });
      throw failed[0].error;
    }
    // later pipelines read the datasets this run wrote (src/datasets.ts), not whatever partition happens to be newest
    // (a pipeline with no data for the --as-of published nothing to hand on); one given on the command line stays
    for (const k of HANDOFF_KEYS) {
      const wrote = done.find((r) => r.pipeline === HANDOFFS[k].producer && r.status !== 'no_data');
      if (wrote && !args[k]) levelArgs = { ...levelArgs, [k]: join(wrote.path, handoffFile(k)) };
    }
  }
  if (!results.length) throw new UsageError(`run all: no pipeline has its inputs (give --trade and/or --declarations)`);
  // the combined report covers the partitions that exist; with no data yet for the --as-of there is none to write
  const there = results.filter((r) => r.status !== 'no_data');
  if (!there.length) return;
  const asOf = there.map((r) => r.manifest.as_of).sort().at(-1)!;
  state.report = await writeCombined(all, args, fx, asOf, there);
}

/** Rewrites `OUT/report/as_of=…/report.html` from each pipeline's newest complete partition up to `asOf` (this run's results as they ran). */
async function writeCombined(all: Map<string, PipelineDef>, args: RunArgs, fx: RunEffects & { log: Log }, asOf: string, fresh: readonly RunResult[]): Promise<string> {
  const pipelines = dependencyLevels(all).flat().map((d) => ({ name: d.name, sections: d.report }));
  const written = await writeCombinedReport(resolve(fx.cwd ?? process.cwd(), args.out), asOf, pipelines, { generatedAt: (fx.now ?? (() => new Date()))(), fresh });
  for (const why of written.unreadable) fx.log('report.partition_left_out', { level: 'warn', why });
  fx.log('report.written', { path: written.path, partitions: written.listed });
  return written.path;
}

/** The outcome of a run that did not fail: published if anything was, else no data for the --as-of, else skipped. */
function outcomeOf(results: readonly RunResult[]): RunOutcome {
  if (results.some((r) => r.status === 'succeeded')) return 'succeeded';
  if (results.some((r) => r.status === 'no_data')) return 'no_new_data';
  return 'skipped';
}

/**
 * The fields of `run.result`: each partition with its status and flagged counts (the rows of the flagged outputs the
 * pipeline's report declares), the totals, and the report path (null when nothing was published or kept).
 */
function runResultFields(name: string, results: readonly RunResult[], all: Map<string, PipelineDef> | null, report: string | null): Record<string, unknown> {
  const partitions = results.map((r) => {
    const flagged: Record<string, number> = {};
    for (const s of all?.get(r.pipeline)?.report ?? []) {
      const n = r.manifest?.counts?.[`out.${s.output}`] ?? r.manifest?.outputs?.find((o) => o.path === `${s.output}.parquet`)?.rows;
      if (typeof n === 'number') flagged[s.output] = n;
    }
    return {
      pipeline: r.pipeline, partition: r.partition, status: r.status, path: r.status === 'no_data' ? null : r.path,
      data_through: r.manifest?.data_through ?? null, flagged,
    };
  });
  const flagged = partitions.reduce((a, p) => a + Object.values(p.flagged).reduce((x, y) => x + y, 0), 0);
  return { command: `run ${name}`, partitions, flagged, report };
}
