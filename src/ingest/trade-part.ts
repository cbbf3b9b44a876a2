/**
 * One byte range of a trade CSV read on its own (in a worker thread), and its merge into the run's rows.
 * A part carries plain arrays only, so it crosses threads by structured clone with its typed arrays
 * transferred; merged in file order with line numbers offset, the parts give exactly the rows, rejects,
 * counts and dictionary contents of one sequential read.
 */
import { CsvScanner, CsvSyntaxError } from '../io/csv-scanner.ts';
import type { CountryNameIndex } from '../reference/country-names.ts';
import type { CountryResolver } from '../reference/countries.ts';
import { InputError } from '../base/errors.ts';
import type { Float64Builder, Int8Builder, Int32Builder, StringDictionary } from '../table/columns.ts';
import { IngestContext } from './context.ts';
import type { FlowRows } from './flow-rows.ts';
import type { CsvLayout } from './layout.ts';
import type { IngestParams } from './params.ts';

/** FlowRows dictionaries, by property name. */
const DICTIONARIES = ['periods', 'freqs', 'flows', 'cmds', 'revisions', 'qtyUnits', 'sources', 'files'] as const;
type DictionaryName = (typeof DICTIONARIES)[number];

/** FlowRows code columns and the dictionary their codes point into (null: country ids, the same in every thread). */
const CODE_COLUMNS = {
  period: 'periods',
  freq: 'freqs',
  reporter: null,
  partner: null,
  partner2: null,
  flow: 'flows',
  cmd: 'cmds',
  revision: 'revisions',
  qtyUnit: 'qtyUnits',
  source: 'sources',
  file: 'files',
} as const satisfies Record<string, DictionaryName | null>;
const INT8_COLUMNS = ['cmdLevel', 'kgEstimated', 'qtyEstimated', 'rowKind'] as const;
const FLOAT_COLUMNS = ['value', 'cif', 'fob', 'kg', 'qty'] as const;
type CodeColumn = keyof typeof CODE_COLUMNS;

/** What one range gave: rows, rejects and counts as plain data, or the error that stopped it. */
export interface TradePart {
  /** Line breaks in the range (inside quoted fields too): the next range's lines start this much later. */
  lineBreaks: number;
  /** True when the range ended at the end of a record; a part that is not clean must not be merged. */
  clean: boolean;
  /** The error the range stopped on, with the line (within the range) for CSV syntax errors. */
  error: { kind: 'input' | 'syntax' | 'other'; message: string; line: number } | null;
  rows: number;
  dictionaries: Record<DictionaryName, string[]>;
  codes: Record<CodeColumn, Int32Array>;
  int8: Record<(typeof INT8_COLUMNS)[number], Int8Array>;
  floats: Record<(typeof FLOAT_COLUMNS)[number], Float64Array>;
  /** Line of each row within the range (1 = the range's first line). */
  lines: Int32Array;
  rejects: { files: string[]; columns: string[]; reasons: string[]; file: Int32Array; line: Int32Array; column: Int32Array; reason: Int32Array; values: string[] };
  counts: Record<string, number>;
  notes: string[];
}

/** Options of {@link scanTradePart}. */
export interface TradePartOptions {
  /** The file's display path (the rows' `source_file`). */
  display: string;
  layout: CsvLayout;
  /** The file's header, for a range after it; null for the range that starts the file (its header is read from it). */
  header: string[] | null;
  /** True for the range that ends the file: a last record without a line break is read, and an open quote is an error. */
  last: boolean;
  params: IngestParams;
  hsCodes: readonly string[] | null;
  resolver: CountryResolver;
  names: CountryNameIndex | null;
}

/** Reads one byte range of a CSV file with the given layout into a {@link TradePart}; errors are returned, not thrown. */
export function scanTradePart(chunks: Iterable<Uint8Array>, o: TradePartOptions): TradePart {
  const ctx = new IngestContext(o.resolver, o.params, o.hsCodes, o.names);
  ctx.beginFile(o.display);
  let error: TradePart['error'] = null;
  let clean = false;
  let lineBreaks = 0;
  try {
    const scanner = new CsvScanner({ header: o.header ?? undefined, onHeader: (header) => o.layout.bind(header, ctx) });
    for (const chunk of chunks) scanner.push(chunk);
    clean = scanner.atRecordEnd;
    if (o.last) {
      scanner.end();
      clean = true;
    }
    lineBreaks = scanner.lineBreaks;
  } catch (e) {
    clean = true; // an error ends the file's read: the parts before decide whether it stands
    if (e instanceof CsvSyntaxError) error = { kind: 'syntax', message: e.message, line: e.line };
    else if (e instanceof InputError) error = { kind: 'input', message: e.message, line: 0 };
    else error = { kind: 'other', message: e instanceof Error ? (e.stack ?? e.message) : String(e), line: 0 };
  }
  return toPart(ctx, { clean, error, lineBreaks });
}

/** Grows every row column of `ctx` once to hold `extra` more rows (so appending parts never regrows them). */
export function reserveTradeRows(ctx: IngestContext, extra: number): void {
  const rows = ctx.rows;
  const need = rows.length + extra;
  for (const col of [...Object.keys(CODE_COLUMNS) as CodeColumn[], 'line'] as const) reserve(rows[col], need, true);
  for (const col of INT8_COLUMNS) reserve(rows[col], need, true);
  for (const col of FLOAT_COLUMNS) reserve(rows[col], need, true);
}

/** The typed arrays of a part, for a transfer list (they are not copied between threads). */
export function partBuffers(part: TradePart): ArrayBuffer[] {
  const arrays = [...Object.values(part.codes), ...Object.values(part.int8), ...Object.values(part.floats), part.lines,
    part.rejects.file, part.rejects.line, part.rejects.column, part.rejects.reason];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

/**
 * Appends a part's rows, rejects, counts and notes to `ctx`, codes remapped into ctx's dictionaries and lines
 * shifted by `lineOffset` (the line breaks of the file before the range). Appending the parts of a file in
 * order gives the state one sequential read of it would: dictionaries fill in first-seen order either way.
 */
export function appendTradePart(ctx: IngestContext, part: TradePart, lineOffset: number): void {
  const rows = ctx.rows;
  const n = part.rows;
  const maps = {} as Record<DictionaryName, Int32Array>;
  for (const d of DICTIONARIES) maps[d] = Int32Array.from(part.dictionaries[d], (v) => (rows[d] as StringDictionary).code(v));
  for (const [col, dict] of Object.entries(CODE_COLUMNS) as [CodeColumn, DictionaryName | null][]) {
    appendInt32(rows[col], part.codes[col], dict ? maps[dict] : null, 0);
  }
  for (const col of INT8_COLUMNS) appendInt8(rows[col], part.int8[col]);
  for (const col of FLOAT_COLUMNS) appendFloat64(rows[col], part.floats[col]);
  appendInt32(rows.line, part.lines, null, lineOffset);
  if (rows.line.length !== rows.period.length || rows.period.length < n) throw new Error('appendTradePart: columns out of step');
  const r = part.rejects;
  for (let i = 0; i < r.file.length; i++) ctx.rejects.add(r.files[r.file[i]], r.line[i] + lineOffset, r.columns[r.column[i]], r.values[i], r.reasons[r.reason[i]]);
  for (const [k, v] of Object.entries(part.counts)) ctx.count(k, v);
  for (const note of part.notes) if (!ctx.notes.includes(note)) ctx.notes.push(note);
}

function toPart(ctx: IngestContext, s: Pick<TradePart, 'clean' | 'error' | 'lineBreaks'>): TradePart {
  const rows = ctx.rows;
  checkColumnsKnown(rows);
  const dictionaries = {} as TradePart['dictionaries'];
  for (const d of DICTIONARIES) dictionaries[d] = [...(rows[d] as StringDictionary).values];
  const codes = {} as TradePart['codes'];
  // views of the builders' own buffers: they are transferred, not copied (the context is not used again)
  for (const col of Object.keys(CODE_COLUMNS) as CodeColumn[]) codes[col] = rows[col].view();
  const int8 = {} as TradePart['int8'];
  for (const col of INT8_COLUMNS) int8[col] = rows[col].view();
  const floats = {} as TradePart['floats'];
  for (const col of FLOAT_COLUMNS) floats[col] = rows[col].view();
  const r = ctx.rejects;
  return {
    ...s,
    rows: rows.length,
    dictionaries,
    codes,
    int8,
    floats,
    lines: rows.line.view(),
    rejects: {
      files: [...r.files.values], columns: [...r.columns.values], reasons: [...r.reasons.values],
      file: r.file.view(), line: r.line.view(), column: r.column.view(), reason: r.reason.view(),
      values: [...r.values],
    },
    counts: { ...ctx.counts },
    notes: [...ctx.notes],
  };
}

/** Fails loudly when FlowRows grows a column this file does not carry across threads. */
function checkColumnsKnown(rows: FlowRows): void {
  const known = new Set<string>([...DICTIONARIES, ...Object.keys(CODE_COLUMNS), ...INT8_COLUMNS, ...FLOAT_COLUMNS, 'line', 'scratch']);
  for (const key of Object.keys(rows)) if (!known.has(key)) throw new Error(`trade-part: FlowRows.${key} is not carried between threads; add it to src/ingest/trade-part.ts`);
}

function appendInt32(b: Int32Builder, src: Int32Array, map: Int32Array | null, offset: number): void {
  const at = b.length;
  reserve(b, at + src.length);
  const data = b.data;
  if (map) for (let i = 0; i < src.length; i++) data[at + i] = src[i] < 0 ? src[i] : map[src[i]];
  else if (offset) for (let i = 0; i < src.length; i++) data[at + i] = src[i] + offset;
  else data.set(src, at);
  b.length = at + src.length;
}

function appendInt8(b: Int8Builder, src: Int8Array): void {
  const at = b.length;
  reserve(b, at + src.length);
  b.data.set(src, at);
  b.length = at + src.length;
}

function appendFloat64(b: Float64Builder, src: Float64Array): void {
  const at = b.length;
  reserve(b, at + src.length);
  b.data.set(src, at);
  b.length = at + src.length;
}

function reserve(b: Int32Builder | Int8Builder | Float64Builder, need: number, exact = false): void {
  if (b.data.length >= need) return;
  let size = Math.max(16, b.data.length);
  if (exact) size = need;
  else while (size < need) size *= 2;
  const bigger = new (b.data.constructor as { new (n: number): typeof b.data })(size);
  bigger.set(b.data.subarray(0, b.length) as never);
  b.data = bigger;
}

