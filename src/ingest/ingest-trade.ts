import type { Table } from 'apache-arrow';
import { CsvSyntaxError, scanCsv } from '../io/csv-scanner.ts';
import type { CountryNameIndex } from '../reference/country-names.ts';
import type { CountryResolver } from '../reference/countries.ts';
import { InputError, UsageError } from '../run/errors.ts';
import type { AreaFlowTable, RejectTable, TradeFlowTable } from '../schema.ts';
import { baciLayout } from './baci.ts';
import { appendCanonical } from './canonical.ts';
import { comtradeLegacyLayout } from './comtrade-legacy.ts';
import { comtradePlusLayout } from './comtrade-plus.ts';
import { IngestContext, VALUE_REJECTS } from './context.ts';
import { buildFlowTable, buildRejectTable } from './flow-table.ts';
import { hasColumns, type CsvLayout } from './layout.ts';
import { REQUIRED_FIELDS as REQUIRED_MAPPED_FIELDS, mappedLayout } from './mapped.ts';
import type { IngestParams } from './params.ts';
import { DEST, resolveTotals } from './totals.ts';
import { withPartitionColumns } from './partition-columns.ts';
import { appendTradePart, reserveTradeRows, type TradePart } from './trade-part.ts';

/**
 * One input as the edges hand it over: a CSV byte stream; a CSV file whose byte ranges are scanned apart
 * (in worker threads) once its layout is known; or a Parquet file already decoded to Arrow.
 */
export type TradeSource =
  | { display: string; kind: 'csv'; chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>; /** overrides the run's format for this file */ format?: string }
  | {
      display: string;
      kind: 'csv-ranges';
      /** The file's header fields, read ahead. */
      header: string[];
      /** overrides the run's format for this file */
      format?: string;
      /** Scans the file's byte ranges with the named layout; the parts come back in file order. */
      scan(layout: string): Promise<TradePart[]>;
      /** The whole file as one stream, read instead when a range boundary fell inside a quoted field. */
      chunks(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
    }
  | { display: string; kind: 'parquet'; table: Table; /** Hive partition values of its path (`year=2024/hs6=811292/…`), for columns the file lacks */ partitions?: Record<string, string> };

/** Everything ingest produces: the four canonical tables, the rejects and the counts. */
export interface IngestResult {
  flows: TradeFlowTable;
  subflows: TradeFlowTable;
  areas: AreaFlowTable;
  consignment: TradeFlowTable;
  rejects: RejectTable;
  /** Counts by reason: rows read, filtered, duplicates, breakdowns, keys confirmed/inferred, rejects, outputs. */
  counts: Record<string, number>;
  /** Layout used for each input, by display path. */
  layouts: Record<string, string>;
  notes: string[];
}

/** Options of {@link ingestTrade}. */
export interface IngestOptions {
  /** `comtrade`, `comtrade-legacy`, `baci`, `canonical` or `mapped:<name>`; detected from the header when absent. */
  format?: string;
  /** Selected product codes (prefixes), or null for all. */
  hsCodes: readonly string[] | null;
  params: IngestParams;
  resolver: CountryResolver;
  /** Country names → ISO3, needed by mappings with `countryCodes: name`. */
  names?: CountryNameIndex;
}

const BUILT_IN: readonly CsvLayout[] = [comtradePlusLayout, comtradeLegacyLayout, baciLayout];

/**
 * Reads trade statistics in any supported layout into the canonical tables: one total per key,
 * duplicates collapsed, non-country partners, sub-flows and consignment rows set apart, bad rows
 * rejected with their reason. Throws {@link InputError} (exit 2) for an unreadable file, an unknown
 * layout, a missing column, or a reject rate above `params.maxRejectRate`.
 */
export async function ingestTrade(sources: AsyncIterable<TradeSource> | Iterable<TradeSource>, opts: IngestOptions): Promise<IngestResult> {
  const ctx = new IngestContext(opts.resolver, opts.params, opts.hsCodes, opts.names ?? null);
  const forced = opts.format ? layoutByName(opts.format, opts.params) : null;
  const layouts: Record<string, string> = {};
  for await (const src of sources) {
    ctx.beginFile(src.display);
    if (src.kind === 'parquet') {
      if (forced && forced !== 'canonical') throw new InputError(`${src.display}: a Parquet file can only be read as --format canonical`);
      layouts[src.display] = 'canonical';
      appendCanonical(src.partitions ? withPartitionColumns(src.table, src.partitions) : src.table, ctx);
      continue;
    }
    if (forced === 'canonical') throw new InputError(`${src.display}: --format canonical reads Parquet files only`);
    const layoutFor = (header: readonly string[]) => {
      const own = src.format ? layoutByName(src.format, opts.params) : null;
      return (own !== 'canonical' ? own : null) ?? forced ?? detectLayout(header, src.display, opts.params);
    };
    let chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
    if (src.kind === 'csv-ranges') {
      const layout = layoutFor(src.header);
      // the columns are checked here, as a sequential read would, before any range is scanned
      const probe = new IngestContext(opts.resolver, opts.params, opts.hsCodes, opts.names ?? null);
      probe.beginFile(src.display);
      layout.bind(src.header, probe);
      if (mergeParts(ctx, src.display, await src.scan(layout.name))) {
        layouts[src.display] = layout.name;
        continue;
      }
      chunks = src.chunks(); // a boundary fell inside a quoted field: the file is read in one piece
    } else chunks = src.chunks;
    try {
      await scanCsv(chunks, {
        onHeader(header) {
          const layout = layoutFor(header);
          layouts[src.display] = layout.name;
          return layout.bind(header, ctx);
        },
      });
    } catch (e) {
      if (e instanceof CsvSyntaxError) throw new InputError(`${src.display}: line ${e.line}: ${e.message}`);
      throw e;
    }
    if (!(src.display in layouts)) throw new InputError(`${src.display}: empty file (no header)`);
  }

  checkRejectRate(ctx);
  const { dest, basis } = resolveTotals(ctx);
  const sel = rowsByDestination(dest);
  const flows = buildFlowTable(ctx.rows, opts.resolver, basis, sel[DEST.flows]);
  const subflows = buildFlowTable(ctx.rows, opts.resolver, basis, sel[DEST.subflows]);
  const areas = buildFlowTable(ctx.rows, opts.resolver, basis, sel[DEST.areas], true);
  const consignment = buildFlowTable(ctx.rows, opts.resolver, basis, sel[DEST.consignment]);
  const rejects = buildRejectTable(ctx.rejects);
  ctx.counts['out.flows'] = flows.numRows;
  ctx.counts['out.subflows'] = subflows.numRows;
  ctx.counts['out.areas'] = areas.numRows;
  ctx.counts['out.consignment'] = consignment.numRows;
  ctx.counts['out.rejects'] = rejects.numRows;
  return { flows, subflows, areas, consignment, rejects, counts: sortedCounts(ctx.counts), layouts, notes: ctx.notes };
}

/** Row numbers going to each destination (0 … 3), in row order; dropped rows (-1) go nowhere. */
function rowsByDestination(dest: Int8Array): Int32Array[] {
  const counts = new Int32Array(4);
  for (let i = 0; i < dest.length; i++) if (dest[i] >= 0) counts[dest[i]]++;
  const out = Array.from(counts, (n) => new Int32Array(n));
  const at = new Int32Array(4);
  for (let i = 0; i < dest.length; i++) {
    const d = dest[i];
    if (d >= 0) out[d][at[d]++] = i;
  }
  return out;
}

/** The layout named by `--format`, or 'canonical'; throws {@link UsageError} listing the valid names. */
export function layoutByName(name: string, params: IngestParams): CsvLayout | 'canonical' {
  if (name === 'canonical') return 'canonical';
  const builtIn = BUILT_IN.find((l) => l.name === name);
  if (builtIn) return builtIn;
  if (name.startsWith('mapped:')) {
    const key = name.slice('mapped:'.length);
    const mapping = params.mappings[key];
    if (mapping) return mappedLayout(key, mapping);
    throw new UsageError(`--format ${name}: no mapping '${key}' in config (known: ${Object.keys(params.mappings).join(', ') || 'none'})`);
  }
  throw new UsageError(
    `--format ${name}: unknown format (known: ${[...BUILT_IN.map((l) => l.name), 'canonical', ...Object.keys(params.mappings).map((m) => `mapped:${m}`)].join(', ')})`,
  );
}

function detectLayout(header: readonly string[], file: string, params: IngestParams): CsvLayout {
  const layout = BUILT_IN.find((l) => l.matches(header));
  if (layout) return layout;
  const candidates = Object.entries(params.mappings)
    .filter(([, m]) => {
      // the columns a mapping cannot do without: required fields that have no constant or file-name fallback
      const cols = REQUIRED_MAPPED_FIELDS.flatMap((k) => {
        const f = m.fields[k];
        return f.column && f.const === undefined && !f.fromFileName ? [f.column] : [];
      });
      return hasColumns(header, cols);
    })
    .map(([k]) => `--format mapped:${k}`);
  const shown = header.slice(0, 8).join(',') + (header.length > 8 ? ',…' : '');
  throw new InputError(
    `${file}: unknown layout (header: ${shown}); ` +
      (candidates.length ? `try ${candidates.join(' or ')}` : 'declare a column mapping in config and pass --format mapped:<name>'),
  );
}

/**
 * Appends the parts of one file in order, lines offset by the line breaks of the parts before; false (and
 * nothing appended) when a part did not end at a record end, i.e. a boundary fell inside a quoted field.
 * A part's error stands when every part before it is sound: it is then the first error in file order.
 */
function mergeParts(ctx: IngestContext, display: string, parts: readonly TradePart[]): boolean {
  let offset = 0;
  for (const part of parts) {
    const err = part.error;
    if (err?.kind === 'syntax') throw new InputError(`${display}: line ${err.line + offset}: ${err.message}`);
    if (err?.kind === 'input') throw new InputError(err.message);
    if (err) throw new Error(`reading ${display} in a worker thread: ${err.message}`);
    if (!part.clean) return false;
    offset += part.lineBreaks;
  }
  reserveTradeRows(ctx, parts.reduce((a, p) => a + p.rows, 0));
  offset = 0;
  for (const part of parts) {
    appendTradePart(ctx, part, offset);
    offset += part.lineBreaks;
  }
  return true;
}

function checkRejectRate(ctx: IngestContext): void {
  const examined = (ctx.counts.rows_read ?? 0) - (ctx.counts.filtered_hs ?? 0);
  let bad = 0;
  for (const [k, v] of Object.entries(ctx.counts)) if (k.startsWith('rejected.') && VALUE_REJECTS.has(k.slice(9))) bad += v;
  ctx.counts.rows_examined = examined;
  ctx.counts.rejected_values = bad;
  const rate = examined > 0 ? bad / examined : 0;
  if (rate > ctx.params.maxRejectRate) {
    const top = Object.entries(ctx.counts)
      .filter(([k]) => k.startsWith('rejected.'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, v]) => `${k.slice(9)} ${v}`)
      .join(', ');
    throw new InputError(
      `${bad} of ${examined} rows rejected (${(rate * 100).toFixed(2)}% > --max-reject-rate ${(ctx.params.maxRejectRate * 100).toFixed(2)}%): ${top}; ` +
        `nothing written — check the layout or mapping (first reject: ${firstReject(ctx)})`,
    );
  }
}

function firstReject(ctx: IngestContext): string {
  const r = ctx.rejects;
  if (r.length === 0) return 'none';
  return `${r.files.values[r.file.data[0]]} line ${r.line.data[0]}, column '${r.columns.values[r.column.data[0]]}', value '${r.values[0]}': ${r.reasons.values[r.reason.data[0]]}`;
}

function sortedCounts(c: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(c).sort()) out[k] = c[k];
  return out;
}
