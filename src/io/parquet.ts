import { openAsBlob } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import * as arrow from 'apache-arrow';
// The package's "node" export condition loads the Node build, which instantiates its WASM at import time (no initWasm()).
import * as pq from 'parquet-wasm';
import { InputError } from '../base/errors.ts';
import { writeFileAtomic } from './atomic.ts';

/*
 * Arrow tables cross into and out of parquet-wasm as Arrow IPC streams. parquet-wasm's writer stores
 * the Arrow schema in the file (the `ARROW:schema` key) and its reader applies it, so dictionary
 * columns, Int8/Int16/Int32, Bool, Float64 and List<Utf8> come back with their types and nulls.
 *
 * One exception is handled here: a dictionary with an 8- or 16-bit index type is read back as one
 * batch per row group (or per 262,144 rows), and when that batch holds more distinct values than the
 * index type can count, parquet-wasm fails — in the streaming reader with a WASM panic that kills the
 * process. So such columns are written with Int32 indices, the original index type is noted in the
 * field's metadata, and reads narrow the indices back when every batch's dictionary fits (otherwise
 * the column stays Int32).
 */

/** Options for writing Parquet. */
export interface ParquetWriteOptions {
  /** Page compression; ZSTD by default. */
  compression?: 'zstd' | 'snappy' | 'uncompressed';
  /** Maximum rows per row group (parquet-wasm's default is 1,048,576). */
  rowGroupSize?: number;
  /**
   * An extra key/value pair for the file footer; readers see it in the table's schema metadata. At most one:
   * parquet-wasm keeps footer keys in a hash map whose order changes from one write to the next within a
   * process, so with two keys the same table would not always give the same bytes.
   */
  metadata?: Record<string, string>;
}

/** Options for reading Parquet. */
export interface ParquetReadOptions {
  /** Only these columns, in this order; a name missing from the file is an {@link InputError}. */
  columns?: string[];
}

/**
 * Rows decoded at a time. Reading and matching the 2 M-row mirror bench file took 937 ms with 262,144 against
 * 991 ms with 65,536 (fewer batches, each with its own dictionaries) and 941 ms with 1,048,576, whose batches
 * need 4× the WASM memory (medians of 6 fresh processes).
 */
const BATCH_SIZE = 262_144;
const ARROW_SCHEMA_KEY = 'ARROW:schema';
const INDEX_TYPE_KEY = 'tradewatch:dictionary_index_type';
const MAGIC = 'PAR1';

const COMPRESSION: Record<NonNullable<ParquetWriteOptions['compression']>, pq.Compression> = {
  zstd: pq.Compression.ZSTD,
  snappy: pq.Compression.SNAPPY,
  uncompressed: pq.Compression.UNCOMPRESSED,
};

interface SmallIndex {
  type: () => arrow.Int8 | arrow.Int16 | arrow.Uint8 | arrow.Uint16;
  max: number;
  copy: (indices: ArrayLike<number>) => Int8Array | Int16Array | Uint8Array | Uint16Array;
}

const SMALL_INDEX: Record<string, SmallIndex> = {
  Int8: { type: () => new arrow.Int8(), max: 0x7f, copy: (v) => Int8Array.from(v) },
  Int16: { type: () => new arrow.Int16(), max: 0x7fff, copy: (v) => Int16Array.from(v) },
  Uint8: { type: () => new arrow.Uint8(), max: 0xff, copy: (v) => Uint8Array.from(v) },
  Uint16: { type: () => new arrow.Uint16(), max: 0xffff, copy: (v) => Uint16Array.from(v) },
};

/** Encodes an Arrow table as Parquet bytes (ZSTD by default, Arrow schema kept). Pure apart from WASM. */
export function encodeParquet(table: arrow.Table, opts: ParquetWriteOptions = {}): Uint8Array {
  const ipc = arrow.tableToIPC(widenDictionaryIndices(table), 'stream');
  const props = writerProperties(opts);
  let wasmTable: pq.Table;
  try {
    wasmTable = pq.Table.fromIPCStream(ipc);
  } catch (e) {
    props.free();
    throw new Error(`Parquet encode: parquet-wasm rejected the Arrow data (${messageOf(e)})`);
  }
  return pq.writeParquet(wasmTable, props); // consumes (frees) both WASM objects
}

/** Rows handed to parquet-wasm at a time by {@link encodeParquetInSlices}. */
const SLICE_ROWS = 65_536;

/**
 * {@link encodeParquet} for large tables, with bounded memory: the table crosses into parquet-wasm one
 * slice of rows at a time through its streaming writer, so WASM memory (which never shrinks) holds a slice
 * and the pages being written, not a copy of the whole table. A slice's dictionary columns carry only the
 * values its rows use (a flag-id column's dictionary is as long as the table). Row groups hold 131,072 rows
 * unless `rowGroupSize` says otherwise (not parquet-wasm's 1,048,576: the writer holds a row group's pages
 * in WASM memory until it is complete). Tables of one slice or less go through {@link encodeParquet}.
 */
export async function encodeParquetInSlices(table: arrow.Table, opts: ParquetWriteOptions = {}, sliceRows = SLICE_ROWS): Promise<Uint8Array> {
  if (table.numRows <= sliceRows) return encodeParquet(table, opts);
  const wide = widenDictionaryIndices(table);
  const props = writerProperties({ rowGroupSize: 2 * SLICE_ROWS, ...opts });
  let offset = 0;
  const batches = new ReadableStream<pq.RecordBatch>({
    pull(controller) {
      if (offset >= wide.numRows) return controller.close();
      const slice = compactDictionaries(wide.slice(offset, offset + sliceRows));
      offset += sliceRows;
      const wasmTable = pq.Table.fromIPCStream(arrow.tableToIPC(slice, 'stream'));
      try {
        for (const batch of wasmTable.recordBatches()) controller.enqueue(batch);
      } finally {
        wasmTable.free(); // the batches hold their own references; left to the finalizer, every slice would stay in WASM memory
      }
    },
  });
  const parts: Uint8Array[] = [];
  try {
    const reader = (await pq.transformParquetStream(batches, props)).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
    }
  } catch (e) {
    throw new Error(`Parquet encode: parquet-wasm rejected the Arrow data (${messageOf(e)})`);
  }
  return Buffer.concat(parts);
}

/** Writes an Arrow table to a Parquet file atomically (temporary file, then rename), large tables in slices. */
export async function writeParquet(path: string, table: arrow.Table, opts?: ParquetWriteOptions): Promise<void> {
  await writeFileAtomic(path, await encodeParquetInSlices(table, opts));
}

/**
 * Reads a Parquet file into an Arrow table (optionally only some columns). The file is read lazily and
 * decoded 262,144 rows at a time, so WASM memory (which never shrinks) holds one batch, not a copy of the
 * table; and only the requested columns' chunks are read from disk. A file from another writer whose Arrow
 * schema gives a requested column an 8- or 16-bit dictionary index is decoded whole instead: on a row group
 * with more values than that index counts, the streaming reader panics and takes the process with it, where
 * the whole-file decoder reports an error.
 */
export async function readParquet(path: string, opts: ParquetReadOptions = {}): Promise<arrow.Table> {
  const streamed = await withParquetFile(path, async (file) => {
    const schema = fileSchema(file, path);
    const names = opts.columns ? checkColumns(schema, opts.columns, path) : schema.fields.map((f) => f.name);
    if (names.some((n) => smallIndexName(schema.fields.find((f) => f.name === n)!.type))) return null;
    return restoreDictionaryIndices(assemble(schema, names, await streamBatches(file, names, path)));
  });
  if (streamed) return streamed;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read (${errorCode(e)})`);
  }
  const table = decode(bytes, path);
  return opts.columns ? table.select(checkColumns(table.schema, opts.columns, path)) : table;
}

/** Decodes Parquet bytes into an Arrow table. */
export function decodeParquet(bytes: Uint8Array, opts: ParquetReadOptions = {}): arrow.Table {
  const table = decode(bytes, 'Parquet data');
  // The synchronous reader has no working projection (it ignores `columns`), so select after decoding.
  return opts.columns ? table.select(checkColumns(table.schema, opts.columns, 'Parquet data')) : table;
}

/** Reads only the Arrow schema of a Parquet file (for layout detection). */
export async function readParquetSchema(path: string): Promise<arrow.Schema> {
  return withParquetFile(path, async (file) => restoreDictionaryIndices(new arrow.Table(fileSchema(file, path))).schema);
}

function writerProperties(opts: ParquetWriteOptions): pq.WriterProperties {
  // Validate everything first: each builder call consumes the previous builder, so throwing midway would leak it.
  const compression = COMPRESSION[opts.compression ?? 'zstd'];
  if (compression === undefined) throw new Error(`Parquet encode: unknown compression ${JSON.stringify(opts.compression)}`);
  const { rowGroupSize } = opts;
  if (rowGroupSize !== undefined && !(Number.isSafeInteger(rowGroupSize) && rowGroupSize > 0)) {
    throw new Error(`Parquet encode: rowGroupSize must be a positive integer, got ${rowGroupSize}`);
  }
  const metadata = Object.entries(opts.metadata ?? {});
  if (metadata.some(([k]) => k === ARROW_SCHEMA_KEY)) throw new Error(`Parquet encode: metadata key ${ARROW_SCHEMA_KEY} is reserved`);
  if (metadata.length > 1) throw new Error(`Parquet encode: at most one metadata key (their order in the footer would change between writes), got ${metadata.map(([k]) => k).join(', ')}`);
  let builder = new pq.WriterPropertiesBuilder().setCompression(compression);
  if (rowGroupSize !== undefined) builder = builder.setMaxRowGroupSize(rowGroupSize);
  if (metadata.length) builder = builder.setKeyValueMetadata(new Map(metadata));
  return builder.build();
}

function decode(bytes: Uint8Array, label: string): arrow.Table {
  checkMagic(bytes.subarray(0, 4), bytes.subarray(bytes.length - 4), bytes.length, label);
  let ipc: Uint8Array;
  try {
    ipc = pq.readParquet(bytes, { batchSize: BATCH_SIZE }).intoIPCStream(); // intoIPCStream frees the WASM table
  } catch (e) {
    throw new InputError(`${label}: corrupt or unsupported Parquet file (${messageOf(e)})`);
  }
  return restoreDictionaryIndices(arrow.tableFromIPC(ipc));
}

function checkMagic(head: Uint8Array, tail: Uint8Array, size: number, label: string): void {
  const text = (b: Uint8Array) => String.fromCharCode(...b);
  // 12 bytes = leading magic, footer length, trailing magic: the smallest possible Parquet file frame.
  if (size < 12 || text(head) !== MAGIC || text(tail) !== MAGIC) {
    throw new InputError(`${label}: not a Parquet file (no ${MAGIC} magic bytes at its start and end)`);
  }
}

/** Opens `path` lazily (only the byte ranges parquet-wasm asks for are read) and frees the WASM handle afterwards. */
async function withParquetFile<T>(path: string, use: (file: pq.ParquetFile) => Promise<T>): Promise<T> {
  let blob: Blob;
  let head: Uint8Array;
  let tail: Uint8Array;
  try {
    await stat(path); // openAsBlob reports a missing file as a bad argument; stat gives ENOENT
    blob = await openAsBlob(path);
    head = new Uint8Array(await blob.slice(0, 4).arrayBuffer());
    tail = new Uint8Array(await blob.slice(Math.max(0, blob.size - 4)).arrayBuffer());
  } catch (e) {
    throw new InputError(`${path}: cannot read (${errorCode(e)})`);
  }
  checkMagic(head, tail, blob.size, path);
  let file: pq.ParquetFile;
  try {
    file = await pq.ParquetFile.fromFile(blob);
  } catch (e) {
    throw new InputError(`${path}: corrupt or unsupported Parquet file (${messageOf(e)})`);
  }
  try {
    return await use(file);
  } finally {
    file.free();
  }
}

function fileSchema(file: pq.ParquetFile, path: string): arrow.Schema {
  try {
    return arrow.tableFromIPC(file.schema().intoIPCStream()).schema;
  } catch (e) {
    throw new InputError(`${path}: corrupt or unsupported Parquet file (${messageOf(e)})`);
  }
}

/** The requested names without repeats; throws for names not in `schema` (parquet-wasm's stream panics on them). */
function checkColumns(schema: arrow.Schema, columns: readonly string[], label: string): string[] {
  const names = [...new Set(columns)];
  if (names.length === 0) throw new Error(`${label}: columns must name at least one column`);
  const have = new Set(schema.fields.map((f) => f.name));
  const missing = names.filter((n) => !have.has(n));
  if (missing.length) {
    throw new InputError(`${label}: no column ${missing.map((n) => JSON.stringify(n)).join(', ')} (has ${[...have].join(', ')})`);
  }
  return names;
}

async function streamBatches(file: pq.ParquetFile, columns: string[], path: string): Promise<arrow.RecordBatch[]> {
  const out: arrow.RecordBatch[] = [];
  let reader: ReadableStreamDefaultReader<pq.RecordBatch> | undefined;
  try {
    const stream: ReadableStream<pq.RecordBatch> = await file.stream({ batchSize: BATCH_SIZE, columns });
    reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return out;
      out.push(...arrow.tableFromIPC(value.intoIPCStream()).batches); // intoIPCStream frees the WASM batch
    }
  } catch (e) {
    await reader?.cancel().catch(() => {});
    throw new InputError(`${path}: corrupt or unsupported Parquet file (${messageOf(e)})`);
  }
}

/**
 * One table from streamed batches, columns in the order asked. Streamed batches lose the schema's
 * metadata (footer key/values, field metadata), so it is copied from the file's schema.
 */
function assemble(schema: arrow.Schema, names: string[], batches: arrow.RecordBatch[]): arrow.Table {
  const fileFields = names.map((n) => schema.fields.find((f) => f.name === n) as arrow.Field);
  if (batches.length === 0) return new arrow.Table(new arrow.Schema(fileFields, schema.metadata));
  const streamed = batches[0].schema;
  const fields = names.map((n, i) => (streamed.fields.find((f) => f.name === n) as arrow.Field).clone({ metadata: fileFields[i].metadata }));
  const out = new arrow.Schema(fields, schema.metadata);
  const rebuilt = batches.map((b) => {
    const children = names.map((n) => b.data.children[b.schema.fields.findIndex((f) => f.name === n)]);
    return new arrow.RecordBatch(out, arrow.makeData({ type: new arrow.Struct(out.fields), length: b.numRows, children }));
  });
  return new arrow.Table(out, rebuilt);
}

interface ColumnChange {
  field: arrow.Field;
  chunk: (data: arrow.Data) => arrow.Data;
}

/** `table` with some columns replaced: `change` returns the new field and a per-chunk conversion, or null to keep a column. */
function mapColumns(table: arrow.Table, change: (field: arrow.Field, index: number) => ColumnChange | null): arrow.Table {
  const changes = table.schema.fields.map(change);
  if (changes.every((c) => c === null)) return table;
  const schema = new arrow.Schema(
    table.schema.fields.map((f, i) => changes[i]?.field ?? f),
    table.schema.metadata,
  );
  const batches = table.batches.map((b) => {
    const children = b.data.children.map((d, i) => changes[i]?.chunk(d) ?? d);
    return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: b.numRows, children }));
  });
  return new arrow.Table(schema, batches);
}

/** Top-level Utf8 dictionary columns with more than 1,024 values narrowed to the values their rows use, in order of first use. */
function compactDictionaries(table: arrow.Table): arrow.Table {
  return mapColumns(table, (field) => {
    const type = field.type;
    if (!arrow.DataType.isDictionary(type) || !arrow.DataType.isUtf8(type.dictionary) || type.indices.bitWidth !== 32 || !type.indices.isSigned) return null;
    return { field, chunk: (d) => compactDictionary(d as arrow.Data<arrow.Dictionary>) };
  });
}

function compactDictionary(d: arrow.Data<arrow.Dictionary>): arrow.Data {
  const dict = d.dictionary;
  if (!dict || dict.length <= 1024 || dict.data.length !== 1) return d;
  const words = dict.data[0] as arrow.Data<arrow.Utf8>;
  const offsets = words.valueOffsets;
  const bytes = words.values;
  const codes = d.values as ArrayLike<number>;
  const newCode = new Int32Array(dict.length).fill(-1);
  const used: number[] = [];
  let size = 0;
  for (let r = 0; r < d.length; r++) {
    const c = codes[r];
    if (c >= 0 && c < dict.length && newCode[c] < 0) {
      newCode[c] = used.length;
      used.push(c);
      size += offsets[c + 1] - offsets[c];
    }
  }
  const outOffsets = new Int32Array(used.length + 1);
  const outBytes = new Uint8Array(size);
  for (let k = 0, at = 0; k < used.length; k++) {
    const c = used[k];
    outBytes.set(bytes.subarray(offsets[c], offsets[c + 1]), at);
    at += offsets[c + 1] - offsets[c];
    outOffsets[k + 1] = at;
  }
  const indices = new Int32Array(d.length);
  for (let r = 0; r < d.length; r++) {
    const c = codes[r];
    indices[r] = c >= 0 && c < dict.length ? newCode[c] : 0; // out of range only under a null
  }
  const type = d.type;
  const dictionary = arrow.makeVector(arrow.makeData({ type: new arrow.Utf8(), length: used.length, valueOffsets: outOffsets, data: outBytes }));
  return arrow.makeData({ type, offset: d.offset, length: d.length, nullCount: d.nullCount, nullBitmap: d.nullBitmap, data: indices, dictionary });
}

function withIndices(data: arrow.Data, type: arrow.Dictionary, indices: ArrayLike<number> & ArrayBufferView): arrow.Data {
  // `values` is already shifted by the chunk's offset; `offset` still applies to the null bitmap.
  return arrow.makeData({
    type,
    offset: data.offset,
    length: data.length,
    nullCount: data.nullCount,
    nullBitmap: data.nullBitmap,
    data: indices,
    dictionary: data.dictionary,
  });
}

function smallIndexName(type: arrow.DataType): string | null {
  if (!arrow.DataType.isDictionary(type)) return null;
  const name = `${type.indices.isSigned ? 'Int' : 'Uint'}${type.indices.bitWidth}`;
  return name in SMALL_INDEX ? name : null;
}

function withoutKey(metadata: Map<string, string>, key: string): Map<string, string> {
  const out = new Map(metadata);
  out.delete(key);
  return out;
}

/** Top-level dictionaries with 8/16-bit indices get Int32 indices, the original type noted in field metadata. */
function widenDictionaryIndices(table: arrow.Table): arrow.Table {
  return mapColumns(table, (field) => {
    const name = smallIndexName(field.type);
    if (!name) return null;
    const old = field.type as arrow.Dictionary;
    const type = new arrow.Dictionary(old.dictionary, new arrow.Int32(), old.id, old.isOrdered);
    const metadata = new Map(field.metadata).set(INDEX_TYPE_KEY, name);
    return { field: field.clone({ type, metadata }), chunk: (d) => withIndices(d, type, Int32Array.from(d.values as ArrayLike<number>)) };
  });
}

/** Undoes {@link widenDictionaryIndices}: narrows indices back when every chunk's dictionary fits, and drops the note. */
function restoreDictionaryIndices(table: arrow.Table): arrow.Table {
  return mapColumns(table, (field, i) => {
    const name = field.metadata.get(INDEX_TYPE_KEY);
    if (name === undefined) return null;
    const metadata = withoutKey(field.metadata, INDEX_TYPE_KEY);
    const small = SMALL_INDEX[name];
    const old = field.type;
    const fits =
      small !== undefined &&
      arrow.DataType.isDictionary(old) &&
      table.batches.every((b) => (b.data.children[i].dictionary?.length ?? 0) - 1 <= small.max);
    if (!fits) return { field: field.clone({ metadata }), chunk: (d) => d };
    const type = new arrow.Dictionary(old.dictionary, small.type(), old.id, old.isOrdered);
    return { field: field.clone({ type, metadata }), chunk: (d) => withIndices(d, type, small.copy(d.values as ArrayLike<number>)) };
  });
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? messageOf(e);
}
