import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { writeFileAtomic } from '../io/atomic.ts';
import { renderRunIndex } from '../report/render-run-index.ts';
import { UsageError } from './errors.ts';
import type { Log } from './log.ts';
import type { PipelineDef } from './pipeline.ts';
import { dependencyLevels, loadPipelines, pickPipeline } from './registry.ts';
import { runPipeline, type RunArgs, type RunEffects, type RunResult } from './runner.ts';

/**
 * `tradewatch run PIPELINE|all`: one pipeline, or every pipeline in dependency order (independent ones in
 * parallel up to `concurrency`), then a combined `OUT/report/as_of=…/report.html` for `all`.
 */
export async function runCommand(name: string, args: RunArgs, fx: RunEffects & { log: Log; concurrency?: number }): Promise<RunResult[]> {
  const all = await loadPipelines();
  if (name !== 'all') return [await runPipeline(pickPipeline(all, name), args, fx)];
  const limit = pLimit(fx.concurrency ?? 2);
  const results: RunResult[] = [];
  let levelArgs = args;
  for (const level of dependencyLevels(all)) {
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
    // later pipelines read this run's mirror pairs and flagged routes, not whatever partition happens to be newest
    const mirror = done.find((r) => r.pipeline === 'mirror-gaps');
    if (mirror && !args.mirror) levelArgs = { ...levelArgs, mirror: mirror.path };
    const routes = done.find((r) => r.pipeline === 'transshipment');
    if (routes && !args.routes) levelArgs = { ...levelArgs, routes: join(routes.path, 'flagged_routes.parquet') };
  }
  if (!results.length) throw new UsageError(`run all: no pipeline has its inputs (give --trade and/or --declarations)`);
  const asOf = results.map((r) => r.manifest.as_of).sort().at(-1)!;
  const dir = join(resolve(fx.cwd ?? process.cwd(), args.out), 'report', `as_of=${asOf}`);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, 'report.html'), renderRunIndex(results.map((r) => ({ manifest: r.manifest, sections: all.get(r.pipeline)?.report }))));
  fx.log('report.written', { path: join(dir, 'report.html') });
  return results;
}
