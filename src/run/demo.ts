import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runIngest } from './ingest.ts';
import type { Log } from './log.ts';

/** The project's bundled sample (`data/sample/`), found from this file so it works from any working directory. */
export const SAMPLE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../data/sample');

/**
 * `npm start`: runs every pipeline that exists on the bundled sample and prints where the results are.
 * Until the pipelines land this is the ingest of the sample's trade file.
 */
export async function runDemo(outDir: string, log: Log): Promise<void> {
  const ingestOut = join(outDir, 'ingest');
  const summary = await runIngest({ trade: [join(SAMPLE_DIR, 'trade')], out: ingestOut }, { log });
  const lines = [
    '',
    'tradewatch ran on the bundled sample. Results:',
    `  ingest: ${summary.outDir}`,
    ...summary.outputs.map((o) => `    ${o.path.padEnd(22)} ${String(o.rows).padStart(7)} rows`),
    `    manifest.json          counts by reason, inputs and outputs with sha256`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
