import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Schema } from 'apache-arrow';
import { glob } from 'tinyglobby';
import { buildAvailabilityTable } from '../ingest/availability.ts';
import { decodeParquet, encodeParquet, readParquetSchema } from '../io/parquet.ts';
import { loadCountryResolver } from '../io/reference.ts';
import { runIngest } from './ingest.ts';
import { silentLog } from '../base/log.ts';
import { runCommand } from './run-command.ts';

/** The repository root (where `data/sample/` is). */
const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * The schema of every table tradewatch writes, as read back from the files: `ingest` and `run all` on the bundled
 * sample (`data/sample/trade`, `data/sample/declarations`) in a temporary folder, and `fetch`'s availability table
 * built from two availability records (fetch needs the UN Comtrade API). A table written by several commands or
 * pipelines (`rejects`, `changes`) must have one schema everywhere; it is listed once. Keyed by table name.
 */
export async function collectOutputSchemas(): Promise<Map<string, Schema>> {
  const dir = await mkdtemp(join(tmpdir(), 'tradewatch-outputs-'));
  try {
    const sample = (p: string) => join(ROOT, 'data/sample', p);
    await runIngest({ trade: [sample('trade')], out: join(dir, 'ingest') }, { cwd: ROOT, log: silentLog });
    await runCommand('all', { out: join(dir, 'run'), trade: [sample('trade')], declarations: [sample('declarations')] }, { cwd: ROOT, log: silentLog });
    const schemas = new Map<string, Schema>();
    const add = (name: string, schema: Schema, where: string) => {
      const prev = schemas.get(name);
      const sig = (x: Schema) => x.fields.map((c) => `${c.name}: ${c.type}`).join(', ');
      if (prev && sig(prev) !== sig(schema)) throw new Error(`${name}: ${where} has other columns than an earlier ${name}`);
      schemas.set(name, prev ?? schema);
    };
    for (const f of (await glob(['ingest/*.parquet', 'run/*/as_of=*/*.parquet'], { cwd: dir, absolute: true })).sort()) {
      add(basename(f, '.parquet'), await readParquetSchema(f), f.slice(dir.length + 1));
    }
    const records = [{ reporterCode: 156, period: '202401', totalRecords: 10, firstReleased: '2024-02-20T00:00:00', lastReleased: '2024-03-01T00:00:00' }];
    const { table } = buildAvailabilityTable(records, { freq: 'M', periods: ['202401'], reporters: null }, await loadCountryResolver());
    add('availability', decodeParquet(encodeParquet(table)).schema, 'availability');
    return schemas;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
