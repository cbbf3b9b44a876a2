import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { writeFileAtomic } from '../io/atomic.ts';
import { renderRunIndex } from '../report/render-run-index.ts';
import { UsageError } from './errors.ts';
import type { Log } from './log.ts';
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
    const runnable = level.filter((def) => {
      const missing = (['trade', 'declarations'] as const).filter((k) => def.inputs[k] === 'required' && !args[k]?.length);
      if (missing.length) fx.log('run.not_run', { pipeline: def.name, reason: `no --${missing.join(', --')} given` });
      return !missing.length;
    });
    const done = await Promise.all(runnable.map((def) => limit(() => runPipeline(def, levelArgs, fx))));
    results.push(...done);
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
