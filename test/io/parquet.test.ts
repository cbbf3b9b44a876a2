import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeParquet,
  encodeParquet,
  encodeParquetInSlices,
  readParquet,
  readParquetSchema,
  writeParquet,
} from '../../src/io/parquet.ts';
import { InputError } from '../../src/base/errors.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REAL_DATA = resolve(ROOT, process.env.TRADEWATCH_REAL_DATA ?? '../shared/data');
const REAL_FLOWS = join(REAL_DATA, 'comtrade-atlas/pipeline_parquet/flows.parquet');

const dictUtf8 = () => new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
const listUtf8 = () => new arrow.List(new arrow.Field('item', new arrow.Utf8(), true));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tradewatch-parquet-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The table from the issue: every column type the pipelines write, with nulls where allowed. */
function mixedTable(): arrow.Table {
  const table = new arrow.Table({
    reporter: arrow.vectorFromArray(['USA', 'CHN', null, 'USA', 'DEU'], dictUtf8()),
    level: arrow.vectorFromArray([6, -1, null, 127, -128], new arrow.Int8()),
    small: arrow.vectorFromArray([1, -2, 300, null, 32767], new arrow.Int16()),
    period: arrow.vectorFromArray([202401, 202312, null, 2 ** 31 - 1, -(2 ** 31)], new arrow.Int32()),
    value: arrow.vectorFromArray([1.5, null, NaN, -0, Infinity], new arrow.Float64()),
    mirror: arrow.vectorFromArray([true, null, false, true, null], new arrow.Bool()),
    notes: arrow.vectorFromArray([['a', 'b'], [], null, ['c', null], ['é ü 中']], listUtf8()),
    text: arrow.vectorFromArray(['x', null, '', 'y', 'z'], new arrow.Utf8()),
  });
  table.schema.metadata.set('tradewatch:table', 'flows');
  return table;
}

/** A value as plain JS (vectors become arrays; -0 and NaN kept distinguishable). */
function plain(v: unknown): unknown {
  if (v instanceof arrow.Vector) return [...v].map(plain);
  if (typeof v === 'number' && Object.is(v, -0)) return '-0';
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  return v ?? null;
}

function columnsOf(table: arrow.Table): Record<string, unknown[]> {
  return Object.fromEntries(table.schema.fields.map((f) => [f.name, [...(table.getChild(f.name) ?? [])].map(plain)]));
}

function typesOf(schema: arrow.Schema): string[] {
  return schema.fields.map((f) => `${f.name}: ${f.type} ${f.nullable ? 'null' : 'not null'}`);
}

function expectSameTable(got: arrow.Table, want: arrow.Table): void {
  expect(typesOf(got.schema)).toEqual(typesOf(want.schema));
  expect(got.schema.fields.map((f) => f.typeId)).toEqual(want.schema.fields.map((f) => f.typeId));
  expect(got.numRows).toBe(want.numRows);
  expect(columnsOf(got)).toEqual(columnsOf(want));
}

/** Footer facts read with parquet-wasm directly: the module under test deliberately hides them. */
async function footerOf(bytes: Uint8Array) {
  const file = await pq.ParquetFile.fromFile(new Blob([bytes]));
  try {
    const md = file.metadata();
    const groups = md.rowGroups();
    const out = {
      rowGroups: md.numRowGroups(),
      compressions: [...new Set(groups.flatMap((g) => g.columns().map((c) => c.compression())))],
      createdBy: md.fileMetadata().createdBy(),
      keys: [...md.fileMetadata().keyValueMetadata().keys()] as string[],
    };
    md.free();
    return out;
  } finally {
    file.free();
  }
}

describe('Parquet round trip', () => {
  it('keeps Dictionary<Utf8,Int32>, Int8, Int16, Int32, Float64, Bool and List<Utf8> types, values and nulls', async () => {
    const table = mixedTable();
    const path = join(dir, 'mixed.parquet');
    await writeParquet(path, table);
    const back = await readParquet(path);
    expectSameTable(back, table);
    expect(back.schema.fields[0].type.toString()).toBe('Dictionary<Int32, Utf8>');
    expect(arrow.DataType.isDictionary(back.schema.fields[0].type)).toBe(true);
    expect(back.schema.metadata.get('tradewatch:table')).toBe('flows');
    expectSameTable(decodeParquet(encodeParquet(table)), table);
  });

  it('keeps types through column projection, in the order asked, with the schema metadata', async () => {
    const path = join(dir, 'mixed-projected.parquet');
    await writeParquet(path, mixedTable(), { metadata: { origin: 'test' } });
    const back = await readParquet(path, { columns: ['notes', 'reporter', 'mirror'] });
    expectSameTable(back, mixedTable().select(['notes', 'reporter', 'mirror']));
    expect(back.schema.metadata.get('tradewatch:table')).toBe('flows');
    expect(back.schema.metadata.get('origin')).toBe('test');
  });

  it('decodeParquet projects columns too', () => {
    const back = decodeParquet(encodeParquet(mixedTable()), { columns: ['value', 'level', 'value'] });
    expect(back.schema.fields.map((f) => f.name)).toEqual(['value', 'level']);
    expectSameTable(back, mixedTable().select(['value', 'level']));
  });

  it('round-trips an empty table with its schema, by full read, projection and schema read', async () => {
    const schema = mixedTable().schema;
    const empty = new arrow.Table(schema);
    const path = join(dir, 'empty.parquet');
    await writeParquet(path, empty);
    const back = await readParquet(path);
    expect(back.numRows).toBe(0);
    expect(typesOf(back.schema)).toEqual(typesOf(schema));
    const projected = await readParquet(path, { columns: ['reporter', 'notes'] });
    expect(projected.numRows).toBe(0);
    expect(typesOf(projected.schema)).toEqual(typesOf(schema.select(['reporter', 'notes'])));
    expect(typesOf(await readParquetSchema(path))).toEqual(typesOf(schema));
    expect(typesOf(decodeParquet(encodeParquet(empty)).schema)).toEqual(typesOf(schema));
  });

  it('keeps non-nullable fields non-nullable', () => {
    const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), new arrow.Field('code', dictUtf8(), false)]);
    const table = new arrow.Table(schema, [
      new arrow.RecordBatch(schema, arrow.makeData({
        type: new arrow.Struct(schema.fields),
        length: 2,
        children: [arrow.vectorFromArray([1, 2], new arrow.Int32()).data[0], arrow.vectorFromArray(['a', 'b'], dictUtf8()).data[0]],
      })),
    ]);
    expectSameTable(decodeParquet(encodeParquet(table)), table);
  });

  it('reads multi-batch, multi-row-group dictionary columns whose dictionaries differ', async () => {
    const batch = (prefix: string, n: number) => {
      const codes = Array.from({ length: n }, (_, i) => `${prefix}${i % 90}`);
      return new arrow.Table({ code: arrow.vectorFromArray(codes, dictUtf8()), n: arrow.vectorFromArray(codes.map((_, i) => i), new arrow.Int32()) });
    };
    const table = batch('a', 250).concat(batch('b', 250), batch('c', 100));
    const path = join(dir, 'groups.parquet');
    await writeParquet(path, table, { rowGroupSize: 120 });
    expect((await footerOf(await readFile(path))).rowGroups).toBe(5);
    const full = await readParquet(path);
    expectSameTable(full, table);
    const projected = await readParquet(path, { columns: ['code'] });
    expectSameTable(projected, table.select(['code']));
    // A table read in pieces encodes again (Arrow JS writes the later dictionaries as replacements).
    expectSameTable(decodeParquet(encodeParquet(projected)), table.select(['code']));
  });

  it('keeps an Int8-indexed dictionary, and falls back to Int32 indices rather than failing when a row group outgrows Int8', async () => {
    const int8Dict = () => new arrow.Dictionary(new arrow.Utf8(), new arrow.Int8());
    const part = (prefix: string) => new arrow.Table({ d: arrow.vectorFromArray(Array.from({ length: 150 }, (_, i) => `${prefix}${i % 100}`), int8Dict()) });
    const one = part('a');
    const back = decodeParquet(encodeParquet(one));
    expectSameTable(back, one);
    expect(back.schema.fields[0].metadata.size).toBe(0);

    // 200 distinct values across two Arrow batches: fine in Arrow JS, too many for one Int8-indexed batch.
    const two = part('a').concat(part('b'));
    const path = join(dir, 'int8.parquet');
    await writeParquet(path, two);
    const wide = await readParquet(path);
    expect(wide.schema.fields[0].type.toString()).toBe('Dictionary<Int32, Utf8>');
    expect(columnsOf(wide)).toEqual(columnsOf(two));
    expect((await readParquet(path, { columns: ['d'] })).getChild('d')?.toArray()).toEqual(two.getChild('d')?.toArray());

    // Row groups that each fit come back as Int8 through the per-row-group streaming reader.
    await writeParquet(path, two, { rowGroupSize: 150 });
    expectSameTable(await readParquet(path, { columns: ['d'] }), two);
    expect((await readParquetSchema(path)).fields[0].type.toString()).toBe('Dictionary<Int8, Utf8>');
  });
});

describe('Parquet writing', () => {
  it('is deterministic: the same table gives byte-identical files', async () => {
    const a = join(dir, 'det-a.parquet');
    const b = join(dir, 'det-b.parquet');
    await writeParquet(a, mixedTable(), { metadata: { x: '1' } });
    await writeParquet(b, mixedTable(), { metadata: { x: '1' } });
    expect(Buffer.compare(await readFile(a), await readFile(b))).toBe(0);
    expect(Buffer.compare(encodeParquet(mixedTable()), encodeParquet(mixedTable()))).toBe(0);
    // The only writer stamp is parquet-rs's version string: no time, host or user.
    expect((await footerOf(await readFile(a))).createdBy).toMatch(/^parquet-rs version [\d.]+$/);
  });

  it('compresses with ZSTD by default and honours other codecs', async () => {
    expect((await footerOf(encodeParquet(mixedTable()))).compressions).toEqual([pq.Compression.ZSTD]);
    expect((await footerOf(encodeParquet(mixedTable(), { compression: 'snappy' }))).compressions).toEqual([pq.Compression.SNAPPY]);
    expect((await footerOf(encodeParquet(mixedTable(), { compression: 'uncompressed' }))).compressions).toEqual([pq.Compression.UNCOMPRESSED]);
  });

  it('keeps the Arrow schema and the given metadata in the footer', async () => {
    const footer = await footerOf(encodeParquet(mixedTable(), { metadata: { a: '1' } }));
    expect(footer.keys.sort()).toEqual(['ARROW:schema', 'a']);
  });

  it('encodes in slices to the same table, footer and row groups as in one piece', async () => {
    const opts = { compression: 'snappy' as const, rowGroupSize: 3 };
    const sliced = await encodeParquetInSlices(mixedTable(), opts, 2); // 5 rows: three slices
    expectSameTable(decodeParquet(sliced), mixedTable());
    expect(decodeParquet(sliced).schema.metadata.get('tradewatch:table')).toBe('flows');
    const footer = await footerOf(sliced);
    expect(footer.compressions).toEqual([pq.Compression.SNAPPY]);
    expect(footer.rowGroups).toBe(2);
    for (let i = 0; i < 5; i++) expect(Buffer.compare(sliced, await encodeParquetInSlices(mixedTable(), opts, 2))).toBe(0);
    const keyed = { ...opts, metadata: { a: '1' } };
    const withKey = await encodeParquetInSlices(mixedTable(), keyed, 2);
    expect((await footerOf(withKey)).keys.sort()).toEqual(['ARROW:schema', 'a']);
    for (let i = 0; i < 5; i++) expect(Buffer.compare(withKey, await encodeParquetInSlices(mixedTable(), keyed, 2))).toBe(0);
    // an empty table and one of a single slice take the one-piece path
    expectSameTable(decodeParquet(await encodeParquetInSlices(new arrow.Table(mixedTable().schema), {}, 2)), new arrow.Table(mixedTable().schema));
    expect(Buffer.compare(await encodeParquetInSlices(mixedTable()), encodeParquet(mixedTable()))).toBe(0);
  });

  it('encodes in slices a dictionary longer than a slice (narrowed per slice) and an Int8-indexed one', async () => {
    const n = 5000;
    const int8Dict = () => new arrow.Dictionary(new arrow.Utf8(), new arrow.Int8());
    const table = new arrow.Table({
      id: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 97 === 0 ? null : `flag-${(i * 7919) % 4000}`)), dictUtf8()),
      small: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => `s${i % 50}`), int8Dict()),
      v: arrow.vectorFromArray(Float64Array.from({ length: n }, (_, i) => i / 3)),
    });
    const back = decodeParquet(await encodeParquetInSlices(table, {}, 700));
    expectSameTable(back, table);
    expect(back.schema.fields[1].type.toString()).toBe('Dictionary<Int8, Utf8>');
  });

  it('rejects bad options before touching WASM', () => {
    expect(() => encodeParquet(mixedTable(), { rowGroupSize: 0 })).toThrow(/rowGroupSize/);
    expect(() => encodeParquet(mixedTable(), { compression: 'lz4' as 'zstd' })).toThrow(/compression/);
    expect(() => encodeParquet(mixedTable(), { metadata: { 'ARROW:schema': 'x' } })).toThrow(/reserved/);
    expect(() => encodeParquet(mixedTable(), { metadata: { a: '1', b: '2' } })).toThrow(/at most one metadata key/);
  });
});

describe('Parquet files from other writers', () => {
  /** A file as another writer makes it: Int8 dictionary indices in its Arrow schema (not widened as ours are). */
  const foreign = (parts: string[]) => {
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int8());
    const batches = parts.map((prefix) => new arrow.Table({ d: arrow.vectorFromArray(Array.from({ length: 150 }, (_, i) => `${prefix}${i % 100}`), type) }));
    const table = new arrow.Table(batches.flatMap((t) => t.batches));
    return { table, bytes: pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))) };
  };

  it('reads Int8-indexed dictionaries whose row groups fit, whole and projected', async () => {
    const { table, bytes } = foreign(['a']);
    const path = join(dir, 'foreign-int8.parquet');
    await writeFile(path, bytes);
    expect(columnsOf(await readParquet(path))).toEqual(columnsOf(table));
    expect((await readParquet(path, { columns: ['d'] })).schema.fields[0].type.toString()).toBe('Dictionary<Int8, Utf8>');
  });

  it('refuses, naming the file, a row group with more values than its Int8 index counts (the streaming reader would abort the process)', async () => {
    const path = join(dir, 'foreign-int8-overflow.parquet');
    await writeFile(path, foreign(['a', 'b']).bytes); // one row group, 200 values
    for (const read of [() => readParquet(path), () => readParquet(path, { columns: ['d'] })]) {
      const err = await read().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(new RegExp(`^${path}: corrupt or unsupported Parquet file .*dictionary too large for index type`));
    }
  });
});

describe('Parquet read errors', () => {
  it('names the path and says a CSV is not a Parquet file', async () => {
    const path = join(dir, 'flows.csv.parquet');
    await writeFile(path, 'reporter,partner,value\nUSA,CHN,1\n');
    for (const read of [() => readParquet(path), () => readParquet(path, { columns: ['reporter'] }), () => readParquetSchema(path)]) {
      const err = await read().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toContain(path);
      expect((err as Error).message).toContain('not a Parquet file');
    }
    expect(() => decodeParquet(new TextEncoder().encode('a,b\n1,2\n'))).toThrow(/not a Parquet file/);
  });

  it('reports empty, missing and corrupt files', async () => {
    const empty = join(dir, 'zero.parquet');
    await writeFile(empty, '');
    await expect(readParquet(empty)).rejects.toThrow(`${empty}: not a Parquet file`);
    const missing = join(dir, 'nope.parquet');
    await expect(readParquet(missing)).rejects.toThrow(`${missing}: cannot read (ENOENT)`);
    await expect(readParquetSchema(missing)).rejects.toThrow(`${missing}: cannot read (ENOENT)`);
    const corrupt = join(dir, 'corrupt.parquet');
    await writeFile(corrupt, 'PAR1 this is not a footer PAR1');
    await expect(readParquet(corrupt)).rejects.toThrow(`${corrupt}: corrupt or unsupported Parquet file`);
    await expect(readParquet(corrupt, { columns: ['x'] })).rejects.toThrow(`${corrupt}: corrupt or unsupported Parquet file`);
  });

  it('rejects unknown columns by name (parquet-wasm would panic) and keeps working afterwards', async () => {
    const path = join(dir, 'cols.parquet');
    await writeParquet(path, mixedTable());
    await expect(readParquet(path, { columns: ['reporter', 'partner_iso3'] })).rejects.toThrow(`${path}: no column "partner_iso3"`);
    expect(() => decodeParquet(encodeParquet(mixedTable()), { columns: ['zzz'] })).toThrow(/no column "zzz"/);
    expect((await readParquet(path, { columns: ['reporter'] })).numRows).toBe(5);
  });
});

describe('Parquet memory', () => {
  it('a table written in slices needs WASM memory for a slice, not for the table', async () => {
    const n = 1_000_000;
    const table = new arrow.Table({
      id: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => `id-${i % 300_000}`), dictUtf8()),
      a: arrow.vectorFromArray(Float64Array.from({ length: n }, (_, i) => (i % 700) * 0.5)),
      b: arrow.vectorFromArray(Float64Array.from({ length: n }, (_, i) => i % 1000)),
      c: arrow.vectorFromArray(Float64Array.from({ length: n }, (_, i) => Math.sqrt(i % 3000))),
    });
    // ~ 28 MB of values + ~ 3 MB of dictionary; repeating values, so that the Parquet bytes (which parquet-wasm
    // also holds until they are read) are small
    const size = arrow.tableToIPC(table, 'stream').byteLength;
    await encodeParquetInSlices(table.slice(0, 300_000)); // let the allocator reach a slice's working size
    const before = pq.wasmMemory().buffer.byteLength;
    const bytes = await encodeParquetInSlices(table);
    const grown = pq.wasmMemory().buffer.byteLength - before;
    // in one piece, the table's IPC copy and its decoded arrays both sit in WASM memory (≥ size)
    expect(grown).toBeLessThan(size / 4);
    expect(decodeParquet(bytes).numRows).toBe(n);
  });


  it('repeated reads and writes do not grow WASM memory', async () => {
    const n = 200_000;
    const table = new arrow.Table({
      code: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => `c${i % 500}`), dictUtf8()),
      value: arrow.vectorFromArray(Float64Array.from({ length: n }, (_, i) => i * 0.5)),
    });
    const path = join(dir, 'memory.parquet');
    const cycle = async () => {
      await writeParquet(path, table);
      await readParquet(path);
      await readParquet(path, { columns: ['value'] });
      await readParquetSchema(path);
    };
    for (let i = 0; i < 3; i++) await cycle(); // let the allocator reach its working size
    const before = pq.wasmMemory().buffer.byteLength;
    for (let i = 0; i < 15; i++) await cycle();
    const grown = pq.wasmMemory().buffer.byteLength - before;
    // A leak of one decoded copy per cycle would be ≥ 15 × 2.4 MB.
    expect(grown).toBeLessThan(8 << 20);
  });
});

describe.skipIf(!existsSync(REAL_FLOWS))('Parquet real data (comtrade-atlas flows.parquet)', () => {
  if (!existsSync(REAL_FLOWS)) console.warn(`real-data Parquet tests skipped: ${REAL_FLOWS} not found (set TRADEWATCH_REAL_DATA)`);

  it('reads all 45,293 rows', async () => {
    const table = await readParquet(REAL_FLOWS);
    expect(table.numRows).toBe(45_293);
    expect(table.schema.fields.map((f) => f.name)).toContain('value_usd');
  });

  it('projects only the requested columns, with the same values as a full read', async () => {
    const full = await readParquet(REAL_FLOWS);
    const projected = await readParquet(REAL_FLOWS, { columns: ['value_usd', 'reporter'] });
    expect(projected.schema.fields.map((f) => f.name)).toEqual(['value_usd', 'reporter']);
    expect(projected.numRows).toBe(45_293);
    expect(columnsOf(projected)).toEqual(columnsOf(full.select(['value_usd', 'reporter'])));
    const decoded = decodeParquet(await readFile(REAL_FLOWS), { columns: ['reporter'] });
    expect(decoded.schema.fields.map((f) => f.name)).toEqual(['reporter']);
    expect(decoded.numRows).toBe(45_293);
  });

  it('reads the schema alone', async () => {
    const schema = await readParquetSchema(REAL_FLOWS);
    expect(schema.fields.map((f) => f.name)).toEqual((await readParquet(REAL_FLOWS)).schema.fields.map((f) => f.name));
  });

  it('survives a rewrite with identical values', async () => {
    const table = await readParquet(REAL_FLOWS);
    expectSameTable(decodeParquet(encodeParquet(table)), table);
  });
});
