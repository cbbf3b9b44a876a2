import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Table } from 'apache-arrow';
import { dictionaryVector } from '../src/table/columns.ts';

/** The shared real-data folder (TRADEWATCH_REAL_DATA, default ../shared/data), or null when it is absent. */
export const REAL_DATA: string | null = (() => {
  const dir = resolve(process.env.TRADEWATCH_REAL_DATA ?? '../shared/data');
  if (existsSync(dir)) return dir;
  console.warn(`real-data tests skipped: ${dir} not found (set TRADEWATCH_REAL_DATA)`);
  return null;
})();

/** Path inside the real-data folder (only call when {@link REAL_DATA} is set). */
export function realPath(...parts: string[]): string {
  return resolve(REAL_DATA ?? '', ...parts);
}

/** A table as plain rows (column name → JS value), for comparisons in tests. */
export function rowsOf(table: Table, columns?: string[]): Record<string, unknown>[] {
  const names = columns ?? table.schema.fields.map((f) => f.name);
  const cols = names.map((n) => table.getChild(n));
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const r: Record<string, unknown> = {};
    names.forEach((n, k) => (r[n] = cols[k]?.get(i) ?? null));
    out.push(r);
  }
  return out;
}

/** A dictionary-encoded text column of `values`, its dictionary in order of first appearance. */
export function dictColumn(values: readonly string[]) {
  const dictionary = [...new Set(values)];
  return dictionaryVector(Int32Array.from(values, (v) => dictionary.indexOf(v)), dictionary);
}

/** The `period reporter partner flow` columns of a canonical-enough flow table, from rows that begin with those four. */
export function flowKeyColumns(rows: readonly (readonly [string, string, string, string, ...unknown[]])[]) {
  return {
    period: dictColumn(rows.map((r) => r[0])),
    reporter: dictColumn(rows.map((r) => r[1])),
    partner: dictColumn(rows.map((r) => r[2])),
    flow: dictColumn(rows.map((r) => r[3])),
  };
}

/** Splits text into byte chunks of the given size (to test streaming across chunk boundaries). */
export function* chunksOf(text: string | Uint8Array, size: number): Iterable<Uint8Array> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}
