import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Table } from 'apache-arrow';
import { loadCatalog } from '../io/catalog.ts';
import { readCsvHeader } from '../io/byte-ranges.ts';
import { findInputs, openInput, sha256File, type InputFile } from '../io/inputs.ts';
import { progressBar } from '../io/progress.ts';
import { readParquet } from '../io/parquet.ts';
import { loadCountryNameIndex, loadCountryResolver } from '../io/reference.ts';
import { ingestTrade, type IngestResult, type TradeSource } from '../ingest/ingest-trade.ts';
import type { IngestParams } from '../ingest/params.ts';
import { comparatorCodesFor, resolveHsSelector } from '../reference/catalog.ts';
import { readCodes } from '../table/read.ts';
import type { Log } from '../base/log.ts';
import type { ManifestInput } from '../base/manifest.ts';
import { parallelIngestDefaults, TradeWorkerPool, type ParallelIngestOptions } from './trade-parallel.ts';

/** Input files with their hashes, found before anything is read (so a run can be skipped early). */
export interface HashedInputs {
  files: InputFile[];
  records: ManifestInput[];
  /** Files in a given folder left out for their extension (display paths): the read warns about them. */
  skipped?: string[];
}

/** Resolves `--trade`-style paths and hashes every file (sha256 of its bytes as stored). */
export async function hashInputs(kind: string, paths: readonly string[], cwd: string): Promise<HashedInputs> {
  const { files, skipped } = await findInputs(paths, cwd);
  const records: ManifestInput[] = [];
  for (const f of files) records.push({ kind, path: f.display, bytes: f.bytes, sha256: await sha256File(f.path) });
  return { files, records, skipped };
}

/**
 * Absolute paths of the files a flow table's `source_file` names, for evidence that resolves from any working
 * directory: an input file of this run by its display path; another name (rows re-read from canonical Parquet keep
 * the file they were first read from) when it is absolute or resolves from `cwd` to a file. Names that resolve to
 * nothing are left out.
 */
export async function sourcePathsOf(flows: Table, files: readonly InputFile[], cwd: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!flows.getChild('source_file')) return out;
  const inputs = new Map(files.map((f) => [f.display, f.path]));
  for (const name of readCodes(flows, 'source_file', 'sourcePathsOf').values) {
    const known = inputs.get(name);
    if (known) {
      out.set(name, known);
      continue;
    }
    const path = resolve(cwd, name);
    if ((await stat(path).catch(() => null))?.isFile()) out.set(name, path);
  }
  return out;
}

/** Options of {@link readTrade}. */
export interface ReadTradeOptions {
  format?: string;
  params: IngestParams;
  log: Log;
  /** Worker threads and the file size from which they are used (default {@link parallelIngestDefaults}). */
  parallel?: ParallelIngestOptions;
}

/**
 * The last read, so that the pipelines of one `run all` (which read the same inputs with the same settings,
 * two of them at once) ingest once. One slot: a later read of other inputs replaces it.
 */
let lastRead: { key: string; result: Promise<TradeRead & { layouts: Record<string, string> }> } | null = null;

/** What a read gives: the tables, the `--hs` selection and the comparator codes read beside it. */
export interface TradeRead {
  result: IngestResult;
  /** The selected codes (null: every code). */
  hsCodes: string[] | null;
  /** Uncontrolled comparators of the selected codes, read too as context (empty with `--hs all`). */
  comparators: string[];
}

/**
 * Reads trade inputs into the canonical tables with the given ingest settings; records each file's layout.
 * Uncompressed CSV files from `parallel.minFileBytes` are scanned in byte ranges by worker threads, with
 * the same tables, rejects, counts and line numbers as a read on one thread. A read of the same files (by
 * hash) with the same settings as the previous one in this process returns its result.
 */
export async function readTrade(inputs: HashedInputs, opts: ReadTradeOptions): Promise<TradeRead> {
  if (inputs.skipped?.length) opts.log('ingest.files_skipped', { level: 'warn', files: inputs.skipped, reason: 'not .csv, .csv.gz or .parquet' });
  const hashes = inputs.files.map((f) => inputs.records.find((r) => r.path === f.display && r.bytes === f.bytes)?.sha256);
  const hashed = hashes.every((h) => typeof h === 'string' && h.length > 0);
  const key = JSON.stringify([inputs.files.map((f) => f.path), hashes, opts.format ?? null, opts.params]);
  let read;
  if (hashed && lastRead?.key === key) {
    opts.log('ingest.reused', { files: inputs.files.length, reason: 'same files and settings as the previous read in this process' });
    read = lastRead.result;
  } else {
    read = readTradeOnce(inputs.files, opts);
    if (hashed) {
      const entry = { key, result: read };
      lastRead = entry;
      read.catch(() => {
        if (lastRead === entry) lastRead = null; // a failed read is not kept
      });
    }
  }
  const { result, hsCodes, comparators, layouts } = await read;
  for (const r of inputs.records) r.layout = layouts[r.path] ?? null;
  return { result, hsCodes, comparators };
}

async function readTradeOnce(files: InputFile[], opts: ReadTradeOptions) {
  const parallel = opts.parallel ?? parallelIngestDefaults();
  const inRanges = (f: InputFile) => f.format === 'csv' && parallel.workers > 1 && f.bytes >= parallel.minFileBytes;
  // the workers start (and load the reference tables) while the main thread loads its own
  const pool = files.some(inRanges) ? TradeWorkerPool.start(parallel.workers) : Promise.resolve(null);
  try {
    const [catalog, resolver, names] = await Promise.all([loadCatalog(), loadCountryResolver(), loadCountryNameIndex()]);
    const hsCodes = resolveHsSelector(opts.params.hs, catalog);
    // the selected codes' uncontrolled comparators are read too: the transshipment counterfactual needs them
    const comparators = comparatorCodesFor(hsCodes, catalog);
    const readCodes = hsCodes && [...hsCodes, ...comparators].sort();
    const bar = progressBar('ingest', files.reduce((a, f) => a + f.bytes, 0), 'bytes');
    /** Advances the bar by a file's bytes read, never past its size (a file read twice counts once). */
    const tracker = (f: InputFile) => {
      let done = 0;
      return (n: number) => {
        const step = Math.min(n, f.bytes - done);
        done += step;
        bar.add(step);
      };
    };
    async function* counted(f: InputFile, advance: (n: number) => void): AsyncIterable<Uint8Array> {
      for await (const chunk of openInput(f)) {
        // a .gz file yields decompressed bytes: it advances by its stored size once read
        if (f.format !== 'csv.gz') advance(chunk.length);
        yield chunk;
      }
      advance(f.bytes);
    }
    async function* sources(): AsyncIterable<TradeSource> {
      for (const f of files) {
        opts.log('ingest.file', { file: f.display, bytes: f.bytes });
        const advance = tracker(f);
        if (f.format === 'parquet') {
          yield { display: f.display, kind: 'parquet', table: await readParquet(f.path), partitions: f.partitions };
          advance(f.bytes);
          continue;
        }
        const workers = inRanges(f) ? await pool : null;
        const header = workers ? await readCsvHeader(f.path) : null;
        if (!workers || !header) {
          yield { display: f.display, kind: 'csv', chunks: counted(f, advance) };
          continue;
        }
        yield {
          display: f.display,
          kind: 'csv-ranges',
          header,
          scan: async (layout) => {
            const parts = await workers.scan({ path: f.path, display: f.display, bytes: f.bytes, header, layout, params: opts.params, hsCodes: readCodes, onBytes: advance });
            if (!parts.every((p) => p.clean)) opts.log('ingest.sequential', { file: f.display, reason: 'a range boundary fell inside a quoted field' });
            return parts;
          },
          chunks: () => counted(f, advance),
        };
        advance(f.bytes);
      }
    }
    let result;
    try {
      result = await ingestTrade(sources(), { format: opts.format, hsCodes: readCodes, params: opts.params, resolver, names });
    } finally {
      bar.stop();
    }
    return { result, hsCodes, comparators, layouts: result.layouts };
  } finally {
    await (await pool)?.close();
  }
}
