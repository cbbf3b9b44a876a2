import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Table } from 'apache-arrow';
import { readConfigFile } from '../io/config-file.ts';
import { encodeParquetInSlices } from '../io/parquet.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { swapFolderIn } from '../io/partitions.ts';
import { policyDropCheck, type IngestResult } from '../ingest/ingest-trade.ts';
import { hashConfig, resolveConfig, stableStringify, type Config } from '../config/config.ts';
import { InputError, InterruptedError, throwIfInterrupted, UsageError } from '../base/errors.ts';
import { silentLog, type Log } from '../base/log.ts';
import { MANIFEST_SCHEMA, type IngestManifest, type ManifestInput } from '../base/manifest.ts';
import { hashInputs, readTrade } from '../run/trade.ts';
import { VERSION } from '../run/version.ts';

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
  /** Writes one file (injected in tests to fail a write). */
  writeFile?: (path: string, data: Uint8Array | string) => Promise<void>;
  /**
   * Aborted (reason `SIGINT` or `SIGTERM`) to stop at the next safe point (after the read, around each write, before
   * the swap): the staging folder is removed, `--out` left as it was, `run.interrupted` logged, {@link InterruptedError} thrown.
   */
  signal?: AbortSignal;
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
 * `--out`. Every check runs before the first write, so a bad input (exit 2) writes nothing; the set is written
 * to a staging folder beside `--out` and swapped in whole, so a failed write leaves the previous set intact.
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
  const checkpoint = () => throwIfInterrupted(fx.signal, 'ingest');
  try {
    checkpoint();
  } catch (e) {
    log('run.interrupted', { level: 'warn', command: 'ingest', run_id: runId, signal: (e as InterruptedError).signal, note: 'stopped after reading the inputs: nothing written' });
    throw e;
  }
  // rows dropped by a rule (not for an unreadable value) above the limit: bad input, nothing written
  const policy = policyDropCheck(result.counts, params);
  if (!policy.passed) throw new InputError(`ingest: ${policy.message}; nothing written`);
  const superseded = result.counts.superseded_by_later_input ?? 0;
  if (superseded) log('ingest.superseded', { level: 'warn', rows: superseded, message: `${superseded} rows of a key also in a later input (a revised release) were superseded by it` });

  const outDir = resolve(cwd, args.out);
  await checkIngestFolder(outDir);
  for (const what of await recoverIngestFolder(outDir)) log('staging.cleaned', { level: 'warn', what });
  // the set is written to a staging folder beside --out and swapped in whole: a failure leaves the old set intact
  const staging = `${outDir}.staging-${runId}`;
  const rawWrite = fx.writeFile ?? writeFileAtomic;
  // a stop asked for while a file is written takes effect as soon as the write ends
  const write = async (path: string, data: Uint8Array | string) => {
    checkpoint();
    await rawWrite(path, data);
    checkpoint();
  };
  let outputs;
  const finished = now();
  let interrupted: InterruptedError | null = null;
  try {
    await mkdir(staging, { recursive: true });
    outputs = await writeTables(staging, result, write);
    const manifest = ingestManifest({ runId, started, finished, inputs: inputs.records, config, hsCodes, comparators, result, outputs, args });
    await write(join(staging, 'manifest.json'), stableStringify(manifest, 2) + '\n');
    checkpoint(); // the last safe point: the swap runs to its end
    await swapFolderIn(staging, outDir, `${outDir}.old-${runId}`);
  } catch (e) {
    if (e instanceof InterruptedError) interrupted = e;
    throw e;
  } finally {
    await rm(staging, { recursive: true, force: true });
    if (interrupted) log('run.interrupted', { level: 'warn', command: 'ingest', run_id: runId, signal: interrupted.signal, staging_removed: staging, out: outDir, note: '--out left as it was' });
  }
  log('ingest.done', { out: outDir, flows: result.flows.numRows, rejects: result.rejects.numRows, seconds: (finished.getTime() - started.getTime()) / 1000 });
  return { outDir, outputs, counts: result.counts };
}

/** The files an ingest writes: `--out` may hold these (an earlier ingest) or nothing. */
const INGEST_FILES = new Set([...TABLES.map((t) => `${t}.parquet`), 'manifest.json']);

/** Refuses an `--out` that holds anything an ingest did not write: the swap replaces the folder whole. */
async function checkIngestFolder(outDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') throw new UsageError(`ingest: --out ${outDir} is a file; give a folder`);
    throw e;
  }
  const foreign = names.filter((n) => !INGEST_FILES.has(n));
  if (foreign.length) {
    throw new UsageError(
      `ingest: --out ${outDir} holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ` and ${foreign.length - 3} more` : ''}, ` +
        'which an ingest did not write; the set is replaced whole, so give an empty or new folder, or an earlier ingest\'s',
    );
  }
}

/**
 * What killed ingests left beside `--out`: staging folders are removed, and a set moved aside but never
 * replaced (killed between the two renames) is put back. Returns what it did, for the log.
 */
async function recoverIngestFolder(outDir: string): Promise<string[]> {
  const parent = dirname(outDir);
  const base = basename(outDir);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const done: string[] = [];
  for (const n of names.sort()) {
    const path = join(parent, n);
    if (n.startsWith(`${base}.old-`) && !existsSync(outDir) && existsSync(join(path, 'manifest.json'))) {
      await rename(path, outDir);
      done.push(`restored ${outDir} from ${path}`);
    } else if (n.startsWith(`${base}.staging-`) || n.startsWith(`${base}.old-`)) {
      await rm(path, { recursive: true, force: true });
      done.push(`removed ${path}`);
    }
  }
  return done;
}

async function writeTables(outDir: string, result: IngestResult, write: (path: string, data: Uint8Array | string) => Promise<void>) {
  const outputs: { path: string; rows: number; sha256: string }[] = [];
  for (const name of TABLES) {
    const table = result[name] as Table;
    const bytes = await encodeParquetInSlices(table);
    await write(join(outDir, `${name}.parquet`), bytes);
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
}): IngestManifest {
  return {
    schema: MANIFEST_SCHEMA,
    kind: 'ingest',
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
