import type { Table } from 'apache-arrow';
import { CsvSyntaxError, scanCsv } from '../io/csv-scanner.ts';
import type { CountryCodeIndex } from '../reference/country-codes.ts';
import { InputError, UsageError } from '../base/errors.ts';
import type { DeclarationTable, RejectTable } from '../schema.ts';
import { DECLARATION_VALUE_REJECTS, DeclarationContext } from './declaration-context.ts';
import { FileRejectTracker, rejectedFor } from './file-rejects.ts';
import { bindDeclarationCsv, declarationLayoutByName, detectDeclarationLayout } from './declaration-layouts.ts';
import type { DeclarationIngestParams } from './declaration-params.ts';
import { appendDeclarationTable } from './declaration-parquet.ts';
import { dropDuplicateDeclarations } from './declaration-duplicates.ts';
import { buildRejectTable } from './flow-table.ts';

/** One declarations input as the edges hand it over: a CSV byte stream, or a Parquet file already decoded to Arrow. */
export type DeclarationSource =
  | { display: string; kind: 'csv'; chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>; /** overrides the read's format for this file */ format?: string }
  | { display: string; kind: 'parquet'; table: Table };

/** Options of {@link readDeclarations}. */
export interface DeclarationReadOptions {
  /** `canonical`, `kcs` or `mapped:<name>`; detected from each CSV header when absent. Parquet is always canonical. */
  format?: string;
  params: DeclarationIngestParams;
  /** ISO3/ISO2 country codes (`loadCountryCodeIndex()`). */
  countries: CountryCodeIndex;
}

/** What the readers produce: the canonical declaration table, the rejects and the counts for the manifest. */
export interface DeclarationReadResult {
  /** Canonical columns (`DECLARATION_COLUMNS`), then any extra columns of the layouts read (e.g. the Korea Customs ones). */
  table: DeclarationTable;
  rejects: RejectTable;
  /** Counts by reason: `rows_read`, `rejected.<reason>`, `rejected_values`, `zero_mass_nulled`, `country_unknown_nulled`, `value_missing`, `out.*`. */
  counts: Record<string, number>;
  /** Layout used for each input, by display path. */
  layouts: Record<string, string>;
}

/**
 * Reads customs declarations in the canonical CSV or Parquet layout, the Korea Customs layout, or any layout
 * through a mapping in config, into one canonical table: codes kept as text, countries ISO3, values converted
 * to USD at `params.currencyRatesUsd`, `period` = the month of `date`. A bad value rejects its row (file, line,
 * column, value, reason) and the read goes on; throws {@link InputError} (exit 2) for an unreadable file, an
 * unknown layout, a missing required column, or a reject rate above `params.maxRejectRate`.
 */
export async function readDeclarations(
  sources: AsyncIterable<DeclarationSource> | Iterable<DeclarationSource>,
  opts: DeclarationReadOptions,
): Promise<DeclarationReadResult> {
  const ctx = new DeclarationContext(opts.params, opts.countries);
  const forced = opts.format ? declarationLayoutByName(opts.format, opts.params) : null;
  const layouts: Record<string, string> = {};
  const perFile = new FileRejectTracker(() => ctx.counts.rows_read ?? 0, () => rejectedFor(ctx.counts, DECLARATION_VALUE_REJECTS));
  for await (const src of sources) {
    ctx.fileName = src.display;
    perFile.begin();
    await readOne(src);
    perFile.end(src.display);
  }
  async function readOne(src: DeclarationSource): Promise<void> {
    if (src.kind === 'parquet') {
      if (forced && forced.name !== 'canonical') throw new UsageError(`${src.display}: a Parquet file can only be read as --format canonical`);
      layouts[src.display] = 'canonical';
      appendDeclarationTable(src.table, ctx);
      return;
    }
    try {
      await scanCsv(src.chunks, {
        onHeader(header) {
          const layout = src.format ? declarationLayoutByName(src.format, opts.params) : (forced ?? detectDeclarationLayout(header, src.display, opts.params));
          layouts[src.display] = layout.name;
          return bindDeclarationCsv(layout, header, ctx);
        },
      });
    } catch (e) {
      if (e instanceof CsvSyntaxError) throw new InputError(`${src.display}: line ${e.line}: ${e.message}`);
      throw e;
    }
    if (!(src.display in layouts)) throw new InputError(`${src.display}: empty file (no header)`);
  }
  const rate = ctx.rejectRate();
  // each file on its own too: one broken file among good ones is named, not averaged away
  const worst = perFile.worst(opts.params.maxRejectRate);
  if (worst && rate <= opts.params.maxRejectRate) {
    throw new InputError(
      `${worst.file}: ${worst.rejected} of ${worst.examined} declarations rejected (${(worst.rate * 100).toFixed(2)}% > maxRejectRate ` +
        `${(opts.params.maxRejectRate * 100).toFixed(2)}% for this file, ${(rate * 100).toFixed(2)}% over all files); nothing written — check that file's layout or mapping`,
    );
  }
  if (rate > opts.params.maxRejectRate) {
    const r = ctx.rejects;
    const first = `${r.files.values[r.file.data[0]]} line ${r.line.data[0]}, column '${r.columns.values[r.column.data[0]]}', value '${r.values[0]}': ${r.reasons.values[r.reason.data[0]]}`;
    throw new InputError(
      `${ctx.counts.rejected_values} of ${ctx.counts.rows_read} declarations rejected (${(rate * 100).toFixed(2)}% > maxRejectRate ` +
        `${(opts.params.maxRejectRate * 100).toFixed(2)}%); nothing written — check the layout or mapping (first reject: ${first})`,
    );
  }
  // the same declarations read from two files (one file in two folders): counted and collapsed, never flagged twice
  const { table, dropped } = dropDuplicateDeclarations(ctx.rows.toTable(opts.countries.iso3));
  if (dropped) ctx.counts.duplicate_across_files = dropped;
  const rejects = buildRejectTable(ctx.rejects);
  ctx.counts['out.declarations'] = table.numRows;
  ctx.counts['out.rejects'] = rejects.numRows;
  const counts: Record<string, number> = {};
  for (const k of Object.keys(ctx.counts).sort()) counts[k] = ctx.counts[k];
  return { table, rejects, counts, layouts };
}
