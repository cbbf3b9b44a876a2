import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { writeFileAtomic } from '../io/atomic.ts';
import { renderRunIndex } from '../report/render-run-index.ts';
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
    const done = await Promise.all(level.map((def) => limit(() => runPipeline(def, levelArgs, fx))));
    results.push(...done);
    // later pipelines read this run's mirror pairs, not whatever partition happens to be newest
    const mirror = done.find((r) => r.pipeline === 'mirror-gaps');
    if (mirror && !args.mirror) levelArgs = { ...levelArgs, mirror: mirror.path };
  }
  const asOf = results.map((r) => r.manifest.as_of).sort().at(-1)!;
  const dir = join(resolve(fx.cwd ?? process.cwd(), args.out), 'report', `as_of=${asOf}`);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, 'report.html'), renderRunIndex(results.map((r) => r.manifest)));
  fx.log('report.written', { path: join(dir, 'report.html') });
  return results;
}
