import { loadCatalog } from '../io/catalog.ts';
import { openInput, resolveInputs, sha256File, type InputFile } from '../io/inputs.ts';
import { progressBar } from '../io/progress.ts';
import { readParquet } from '../io/parquet.ts';
import { loadCountryNameIndex, loadCountryResolver } from '../io/reference.ts';
import { ingestTrade, type IngestResult, type TradeSource } from '../ingest/ingest-trade.ts';
import type { IngestParams } from '../ingest/params.ts';
import { resolveHsSelector } from '../reference/catalog.ts';
import type { Log } from './log.ts';
import type { ManifestInput } from './manifest.ts';

/** Input files with their hashes, found before anything is read (so a run can be skipped early). */
export interface HashedInputs {
  files: InputFile[];
  records: ManifestInput[];
}

/** Resolves `--trade`-style paths and hashes every file (sha256 of its bytes as stored). */
export async function hashInputs(kind: string, paths: readonly string[], cwd: string): Promise<HashedInputs> {
  const files = await resolveInputs(paths, cwd);
  const records: ManifestInput[] = [];
  for (const f of files) records.push({ kind, path: f.display, bytes: f.bytes, sha256: await sha256File(f.path) });
  return { files, records };
}

/** Reads trade inputs into the canonical tables with the given ingest settings; records each file's layout. */
export async function readTrade(
  inputs: HashedInputs,
  opts: { format?: string; params: IngestParams; log: Log },
): Promise<{ result: IngestResult; hsCodes: string[] | null }> {
  const catalog = await loadCatalog();
  const hsCodes = resolveHsSelector(opts.params.hs, catalog);
  const resolver = await loadCountryResolver();
  const names = await loadCountryNameIndex();
  const bar = progressBar('ingest', inputs.files.reduce((a, f) => a + f.bytes, 0), 'bytes');
  async function* counted(f: InputFile): AsyncIterable<Uint8Array> {
    let seen = 0;
    for await (const chunk of openInput(f)) {
      // a .gz file yields decompressed bytes: it advances by its stored size once read
      const step = f.format === 'csv.gz' ? 0 : chunk.length;
      seen += step;
      bar.add(step);
      yield chunk;
    }
    bar.add(f.bytes - seen);
  }
  async function* sources(): AsyncIterable<TradeSource> {
    for (const f of inputs.files) {
      opts.log('ingest.file', { file: f.display, bytes: f.bytes });
      if (f.format === 'parquet') {
        yield { display: f.display, kind: 'parquet', table: await readParquet(f.path) };
        bar.add(f.bytes);
      } else yield { display: f.display, kind: 'csv', chunks: counted(f) };
    }
  }
  let result;
  try {
    result = await ingestTrade(sources(), { format: opts.format, hsCodes, params: opts.params, resolver, names });
  } finally {
    bar.stop();
  }
  for (const r of inputs.records) r.layout = result.layouts[r.path] ?? null;
  return { result, hsCodes };
}
