import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../io/project-paths.ts';
import { runIngest } from './ingest.ts';
import type { Log } from '../base/log.ts';
import { runCommand } from './run-command.ts';

/** The project's bundled sample (`data/sample/`), found from this file so it works from any working directory. */
export const SAMPLE_DIR = join(PROJECT_ROOT, 'data', 'sample');

/** `npm start`: ingests the bundled sample, runs every pipeline on it, and prints where the results are. */
export async function runDemo(outDir: string, log: Log): Promise<void> {
  const trade = [join(SAMPLE_DIR, 'trade')];
  const ingest = await runIngest({ trade, out: join(outDir, 'ingest') }, { log });
  const declarations = [join(SAMPLE_DIR, 'declarations')];
  const runs = await runCommand('all', { trade, declarations, out: outDir }, { log });
  const lines = [
    '',
    'tradewatch ran on the bundled sample. Results:',
    `  ingest        ${ingest.outDir}  (${ingest.outputs.map((o) => `${o.path.replace('.parquet', '')} ${o.rows}`).join(', ')})`,
    ...runs.map((r) => `  ${r.pipeline.padEnd(13)} ${r.path}  (${r.status}; ${r.manifest.outputs.map((o) => `${o.path.replace('.parquet', '')} ${o.rows}`).join(', ')})`),
    `  report        ${join(resolve(outDir), 'report', `as_of=${runs.map((r) => r.manifest.as_of).sort().at(-1)}`, 'report.html')}`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
