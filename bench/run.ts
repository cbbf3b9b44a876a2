/**
 * `npm run bench`: throughput of the hot paths on seeded, generated inputs (never timed in unit tests).
 * Each bench prints its own figures; the full DuckDB comparison comes with the performance work.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const benches = ['csv-scanner.bench.ts', 'ingest.bench.ts', 'mirror.bench.ts', 'isolation.bench.ts'];
let failed = 0;
for (const b of benches) {
  process.stdout.write(`\n== ${b}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, b), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
