import { openInput } from '../io/inputs.ts';
import { readParquet } from '../io/parquet.ts';
import { loadCountryCodeIndex } from '../io/reference.ts';
import type { DeclarationIngestParams } from '../ingest/declaration-params.ts';
import { readDeclarations, type DeclarationReadResult, type DeclarationSource } from '../ingest/declarations.ts';
import type { Log } from '../base/log.ts';
import type { HashedInputs } from './trade.ts';

/**
 * Reads `--declarations` inputs (found and hashed by `hashInputs('declarations', …)`) into the canonical
 * declaration table with the given settings; records each file's layout on its manifest input.
 */
export async function readDeclarationInputs(
  inputs: HashedInputs,
  opts: { format?: string; params: DeclarationIngestParams; log: Log },
): Promise<DeclarationReadResult> {
  const countries = await loadCountryCodeIndex();
  if (inputs.skipped?.length) opts.log('declarations.files_skipped', { level: 'warn', files: inputs.skipped, reason: 'not .csv, .csv.gz or .parquet' });
  async function* sources(): AsyncIterable<DeclarationSource> {
    for (const f of inputs.files) {
      opts.log('declarations.file', { file: f.display, bytes: f.bytes });
      if (f.format === 'parquet') yield { display: f.display, kind: 'parquet', table: await readParquet(f.path) };
      else yield { display: f.display, kind: 'csv', chunks: openInput(f) };
    }
  }
  const result = await readDeclarations(sources(), { format: opts.format, params: opts.params, countries });
  for (const r of inputs.records) r.layout = result.layouts[r.path] ?? null;
  return result;
}
