import { createHash, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Table } from 'apache-arrow';
import { readConfigFile } from '../io/config-file.ts';
import { encodeParquetInSlices } from '../io/parquet.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import type { IngestResult } from '../ingest/ingest-trade.ts';
import { hashConfig, resolveConfig, stableStringify, type Config } from './config.ts';
import { UsageError } from './errors.ts';
import { silentLog, type Log } from './log.ts';
import type { ManifestInput } from './manifest.ts';
import { hashInputs, readTrade } from './trade.ts';
import { VERSION } from './version.ts';

/** Arguments of `tradewatch ingest`. */
export interface IngestArgs {
  trade: string[];
  out: string;
  format?: string;
  hs?: string;
  config?: string;
  set?: string[];
  maxRejectRate?: number;
}

/** Effects the command needs, passed in so tests can fix the clock and the run id. */
export interface IngestEffects {
  log?: Log;
  now?: () => Date;
  runId?: () => string;
  cwd?: string;
}

/** What a finished ingest reports: where it wrote and the counts. */
export interface IngestSummary {
  outDir: string;
  outputs: { path: string; rows: number; sha256: string }[];
  counts: Record<string, number>;
}

const TABLES = ['flows', 'subflows', 'areas', 'consignment', 'rejects'] as const;

/**
 * `tradewatch ingest`: reads the inputs, writes the canonical tables, the rejects and a manifest to
 * `--out`. Every check runs before the first write, so a bad input (exit 2) writes nothing; each file is
 * written to a temporary name and renamed, and the manifest comes last.
 */
export async function runIngest(args: IngestArgs, fx: IngestEffects = {}): Promise<IngestSummary> {
  const log = fx.log ?? silentLog;
  const now = fx.now ?? (() => new Date());
  const started = now();
  const runId = fx.runId?.() ?? randomUUID();
  const cwd = fx.cwd ?? process.cwd();
  if (!args.trade.length) throw new UsageError('ingest: give at least one --trade PATH');
  const sets = [...(args.set ?? [])];
  if (args.hs !== undefined) sets.push(`ingest.hs=${JSON.stringify(args.hs)}`);
  if (args.maxRejectRate !== undefined) sets.push(`ingest.maxRejectRate=${args.maxRejectRate}`);
  const config = resolveConfig({
    file: args.config ? await readConfigFile(args.config) : undefined,
    fileName: args.config,
    sets,
  });
  const params = config.ingest;
  const inputs = await hashInputs('trade', args.trade, cwd);
  log('ingest.start', { run_id: runId, inputs: inputs.files.length, bytes: inputs.files.reduce((a, f) => a + f.bytes, 0), hs: params.hs });
  const { result, hsCodes, comparators } = await readTrade(inputs, { format: args.format, params, log });

  const outDir = resolve(cwd, args.out);
  await mkdir(outDir, { recursive: true });
  const outputs = await writeTables(outDir, result);
  const finished = now();
  const manifest = ingestManifest({ runId, started, finished, inputs: inputs.records, config, hsCodes, comparators, result, outputs, args });
  await writeFileAtomic(join(outDir, 'manifest.json'), stableStringify(manifest, 2) + '\n');
  log('ingest.done', { out: outDir, flows: result.flows.numRows, rejects: result.rejects.numRows, seconds: (finished.getTime() - started.getTime()) / 1000 });
  return { outDir, outputs, counts: result.counts };
}

async function writeTables(outDir: string, result: IngestResult) {
  const outputs: { path: string; rows: number; sha256: string }[] = [];
  for (const name of TABLES) {
    const table = result[name] as Table;
    const bytes = await encodeParquetInSlices(table);
    await writeFileAtomic(join(outDir, `${name}.parquet`), bytes);
    outputs.push({ path: `${name}.parquet`, rows: table.numRows, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return outputs;
}

function ingestManifest(m: {
  runId: string;
  started: Date;
  finished: Date;
  inputs: ManifestInput[];
  config: Config;
  hsCodes: string[] | null;
  comparators: string[];
  result: IngestResult;
  outputs: { path: string; rows: number; sha256: string }[];
  args: IngestArgs;
}) {
  return {
    schema: 'tradewatch/run-manifest/v1',
    tradewatch_version: VERSION,
    command: 'ingest',
    run_id: m.runId,
    status: 'succeeded',
    started_at: m.started.toISOString(),
    finished_at: m.finished.toISOString(),
    duration_s: (m.finished.getTime() - m.started.getTime()) / 1000,
    inputs: m.inputs,
    format: m.args.format ?? 'detected',
    // the comparators are in the tables too: a later run with the same selection finds them
    hs: { selector: m.config.ingest.hs, codes: m.hsCodes, comparators: m.comparators },
    config: m.config,
    config_sha256: hashConfig(m.config),
    counts: m.result.counts,
    notes: m.result.notes,
    outputs: m.outputs,
  };
}
