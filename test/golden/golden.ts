import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { readParquet } from '../../src/io/parquet.ts';
import type { RunManifest } from '../../src/base/manifest.ts';

/** What a golden copy keeps of one output table: its schema, rows and a hash of every column's values. */
export interface GoldenTable {
  rows: number;
  schema: string[];
  /** sha256 of the column's values, row by row (nested values as JSON). */
  columns: Record<string, string>;
}

/** What a golden copy keeps of one pipeline's run: the manifest less what a clock or a machine changes, and every table. */
export interface GoldenRun {
  manifest: Record<string, unknown>;
  tables: Record<string, GoldenTable>;
}

/** The checkout's absolute path: evidence points at input files by absolute path, which differs per machine. */
const ROOT = process.cwd();

/**
 * A value as text, the same on every machine: numbers as JavaScript prints them, bigints with an `n`, Arrow rows and
 * lists as JSON, the checkout's absolute path as `<root>`.
 */
function text(v: unknown): string {
  return textOf(v).replaceAll(ROOT, '<root>');
}

function textOf(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
    if (x && typeof x === 'object' && 'toJSON' in x && typeof (x as { toJSON: unknown }).toJSON === 'function' && !(x instanceof Date)) return (x as { toJSON(): unknown }).toJSON();
    return x;
  }) ?? 'undefined';
}

/** The table's golden form. */
export function goldenTable(t: Table): GoldenTable {
  const columns: Record<string, string> = {};
  for (const f of t.schema.fields) {
    const col = t.getChild(f.name)!;
    const h = createHash('sha256');
    for (let i = 0; i < t.numRows; i++) h.update(text(col.get(i))).update('\u0001');
    columns[f.name] = h.digest('hex').slice(0, 16);
  }
  return { rows: t.numRows, schema: t.schema.fields.map((f) => `${f.name}: ${f.type}`), columns };
}

/**
 * The manifest less timings and where the run happened: paths keep their last two parts; the bytes and hashes of
 * Parquet files (outputs, and upstream outputs read as inputs) go, since they hold absolute paths in their evidence
 * — their content is compared column by column instead; the hashes of the bundled CSV inputs stay.
 */
export function goldenManifest(m: RunManifest): Record<string, unknown> {
  const { started_at: _s, finished_at: _f, duration_s: _d, inputs_sha256: _i, ...rest } = m;
  const parquet = (path: string) => path.endsWith('.parquet');
  return {
    ...rest,
    stages: m.stages.map((s) => ({ name: s.name, rows: s.rows })),
    inputs: m.inputs.map((i) => {
      const path = i.path.split(/[\\/]/).slice(-2).join('/');
      return parquet(i.path) ? { kind: i.kind, path, layout: i.layout } : { ...i, path };
    }),
    outputs: m.outputs.map((o) => ({ path: o.path, rows: o.rows })),
  };
}

/** Every Parquet table of a published partition, by file name, in its golden form. */
export async function goldenTables(partition: string): Promise<Record<string, GoldenTable>> {
  const out: Record<string, GoldenTable> = {};
  for (const f of (await readdir(partition)).filter((x) => x.endsWith('.parquet')).sort()) out[f] = goldenTable(await readParquet(join(partition, f)));
  return out;
}
