import type { Table } from 'apache-arrow';
import { CsvSyntaxError, scanCsv } from '../io/csv-scanner.ts';
import type { CountryNameIndex } from '../reference/country-names.ts';
import type { CountryResolver } from '../reference/countries.ts';
import { InputError, UsageError } from '../base/errors.ts';
import type { AreaFlowTable, RejectTable, TradeFlowTable } from '../schema.ts';
import { baciLayout } from './baci.ts';
import { appendCanonical } from './canonical.ts';
import { comtradeLegacyLayout } from './comtrade-legacy.ts';
import { comtradePlusLayout } from './comtrade-plus.ts';
import { IngestContext, VALUE_REJECTS } from './context.ts';
import { FileRejectTracker, rejectedFor } from './file-rejects.ts';
import { buildFlowTable, buildRejectTable } from './flow-table.ts';
import { hasColumns, headerExcerpt, missingColumns, type CsvLayout } from './layout.ts';
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

/**
 * Reasons by which a rule drops rows of a key that should have been there: they count towards `policy_drops`.
 * Exclusions by design (an aggregate or non-country reporter, the TOTAL code) are rejected and counted too, not here.
 */
export const POLICY_LOSSES: ReadonlySet<string> = new Set(['conflicting_totals', 'total_missing']);

/**
 * The `policy_drops` check over an ingest's counts: the share of rows examined that a rule dropped
 * (`rejected_policy`) against `maxPolicyDropRate`, with a message naming the reasons.
 */
export function policyDropCheck(counts: Readonly<Record<string, number>>, params: Pick<IngestParams, 'maxPolicyDropRate'>): { passed: boolean; message: string } {
  const examined = counts.rows_examined ?? 0;
  const dropped = counts.rejected_policy ?? 0;
  const rate = examined > 0 ? dropped / examined : 0;
  const reasons = Object.entries(counts)
    .filter(([k, v]) => k.startsWith('rejected.') && POLICY_LOSSES.has(k.slice(9)) && v > 0)
    .map(([k, v]) => `${k.slice(9)} ${v}`)
    .join(', ');
  const share = `${(rate * 100).toFixed(2)}%`;
  return rate > params.maxPolicyDropRate
    ? { passed: false, message: `${dropped} of ${examined} rows dropped by policy (${share} > ingest.maxPolicyDropRate ${(params.maxPolicyDropRate * 100).toFixed(2)}%): ${reasons} (see rejects.parquet)` }
    : { passed: true, message: `${dropped} of ${examined} rows dropped by policy (${share})${reasons ? `: ${reasons}` : ''}` };
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
  // each file's own reject rate, beside all files': a broken file among good ones is named, not averaged away
  const perFile = new FileRejectTracker(() => (ctx.counts.rows_read ?? 0) - (ctx.counts.filtered_hs ?? 0), () => rejectedFor(ctx.counts, VALUE_REJECTS));
  for await (const src of sources) {
    ctx.beginFile(src.display);
    perFile.begin();
    const rowsBefore = ctx.counts.rows_read ?? 0;
    // a file with a header and no rows reads as nothing: the run stays green, the manifest says so
    const noteIfEmpty = () => {
      perFile.end(src.display);
      if ((ctx.counts.rows_read ?? 0) === rowsBefore) ctx.notes.push(`${src.display}: no data rows (header only); nothing read from it`);
    };
    if (src.kind === 'parquet') {
      if (forced && forced !== 'canonical') throw new InputError(`${src.display}: a Parquet file can only be read as --format canonical`);
      layouts[src.display] = 'canonical';
      appendCanonical(src.partitions ? withPartitionColumns(src.table, src.partitions) : src.table, ctx);
      noteIfEmpty();
      continue;
    }
    if (forced === 'canonical') throw new InputError(`${src.display}: --format canonical reads Parquet files only`);
    const layoutFor = (header: readonly string[]) => {
      const own = src.format ? layoutByName(src.format, opts.params) : null;
      const given = (own !== 'canonical' ? own : null) ?? forced;
      if (given) return given;
      const { layout, note } = detectLayout(header, src.display, opts.params);
      // a file read twice (a range boundary inside a quoted field) is noted once
      if (note && !ctx.notes.includes(note)) ctx.notes.push(note);
      return layout;
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
        noteIfEmpty();
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
    noteIfEmpty();
  }

  checkRejectRate(ctx);
  const worst = perFile.worst(ctx.params.maxRejectRate);
  if (worst) {
    throw new InputError(
      `${worst.file}: ${worst.rejected} of ${worst.examined} rows rejected (${(worst.rate * 100).toFixed(2)}% > --max-reject-rate ` +
        `${(ctx.params.maxRejectRate * 100).toFixed(2)}% for this file, ${(((ctx.counts.rejected_values ?? 0) / Math.max(1, ctx.counts.rows_examined ?? 0)) * 100).toFixed(2)}% over all files); ` +
        `nothing written — check that file's layout or mapping (first reject: ${firstReject(ctx, worst.file)})`,
    );
  }
  const { dest, basis } = resolveTotals(ctx);
  // rows of a key lost to a rule (two totals in one input, breakdowns without their total), not for a value that could
  // not be read nor by design (an aggregate reporter, the TOTAL code): the `policy_drops` data check
  ctx.counts.rejected_policy = rejectedFor(ctx.counts, POLICY_LOSSES);
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

/**
 * The layout of a header read without `--format`: a built-in layout that matches it, else the one mapping (shipped or
 * in config) whose `detect` columns the header all has, with a note for the manifest. Throws {@link InputError} when
 * several mappings' detect columns match (naming them), and for an unknown layout (naming a near miss or a mapping to try).
 */
export function detectLayout(header: readonly string[], file: string, params: IngestParams): { layout: CsvLayout; note?: string } {
  const layout = BUILT_IN.find((l) => l.matches(header));
  if (layout) return { layout };
  const detected = Object.entries(params.mappings).filter(([, m]) => m.detect?.length && hasColumns(header, m.detect));
  if (detected.length === 1) {
    const [key, mapping] = detected[0];
    return { layout: mappedLayout(key, mapping), note: `${file}: read with mapping mapped:${key}: its detect columns matched (${mapping.detect!.join(',')})` };
  }
  if (detected.length > 1) {
    throw new InputError(
      `${file}: the detect columns of several mappings match its header (${headerExcerpt(header)}): ` +
        `${detected.map(([k, m]) => `mapped:${k} (${m.detect!.join(',')})`).join(', ')}; pass --format with one of them`,
    );
  }
  // the columns a mapping cannot do without: required fields that have no constant or file-name fallback
  const mappings = Object.entries(params.mappings).map(([k, m]) => ({
    name: `mapped:${k}`,
    columns: REQUIRED_MAPPED_FIELDS.flatMap((f) => {
      const spec = m.fields[f];
      return spec.column && spec.const === undefined && !spec.fromFileName ? [spec.column] : [];
    }),
  }));
  // a header with most of one layout's columns is that layout's with a few missing: say which
  const near = [
    ...BUILT_IN.flatMap((l) => (l.required ? [{ name: l.name, title: `the ${l.required.title} layout`, columns: l.required.columns }] : [])),
    ...mappings.map((m) => ({ name: m.name, title: `'${m.name}' (--format ${m.name})`, columns: m.columns })),
  ]
    .map((l) => ({ ...l, missing: missingColumns(header, l.columns) }))
    .filter((l) => l.missing.length >= 1 && l.missing.length <= MAX_MISSING_NAMED && l.missing.length < l.columns.length - l.missing.length);
  if (near.length === 1) {
    const { title, missing } = near[0];
    throw new InputError(
      `${file}: missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} for ${title} ` +
        `(the header has its other columns; no layout matches without ${missing.length > 1 ? 'them' : 'it'})`,
    );
  }
  const candidates = mappings.filter((m) => hasColumns(header, m.columns)).map((m) => `--format ${m.name}`);
  throw new InputError(
    `${file}: unknown layout (${headerExcerpt(header)}); ` +
      (candidates.length ? `try ${candidates.join(' or ')}` : 'declare a column mapping in config and pass --format mapped:<name>'),
  );
}

/** At most this many missing columns let a header be named as a known layout's (else it is an unknown layout). */
const MAX_MISSING_NAMED = 3;

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
  const bad = rejectedFor(ctx.counts, VALUE_REJECTS);
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

/** The first reject (of `file` when given), as file, line, column, value and reason. */
function firstReject(ctx: IngestContext, file?: string): string {
  const r = ctx.rejects;
  let i = 0;
  if (file !== undefined) while (i < r.length && r.files.values[r.file.data[i]] !== file) i++;
  if (i >= r.length) return 'none';
  return `${r.files.values[r.file.data[i]]} line ${r.line.data[i]}, column '${r.columns.values[r.column.data[i]]}', value '${r.values[i]}': ${r.reasons.values[r.reason.data[i]]}`;
}

function sortedCounts(c: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(c).sort()) out[k] = c[k];
  return out;
}
