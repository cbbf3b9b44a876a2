import { DataType, type Table } from 'apache-arrow';
import { DECLARATION_COLUMNS } from '../schema.ts';
import { groupRows, type KeyColumn } from '../table/group.ts';
import { readCodes, readFloats } from '../table/read.ts';
import { rowsWhere, takeTable } from '../table/take-table.ts';
import { pathRanks } from './path-order.ts';

/** Columns that say where a row was read, not what it declares. */
const PROVENANCE = new Set(['source_file', 'source_line']);

/**
 * Collapses declarations read twice: rows equal in every canonical column but their provenance, from more than
 * one file (the same file in two folders, overlapping extracts), keep the rows of the first file in path order
 * and drop the others. Identical rows within one file are kept: two equal lines of one declaration are two lines.
 * Returns the table and how many rows were dropped (`duplicate_across_files`). Columnar: one grouping over codes.
 */
export function dropDuplicateDeclarations(table: Table): { table: Table; dropped: number } {
  const n = table.numRows;
  if (n < 2) return { table, dropped: 0 };
  const files = readCodes(table, 'source_file', 'dropDuplicateDeclarations');
  if (new Set(files.codes).size < 2) return { table, dropped: 0 };
  const keys: KeyColumn[] = [];
  for (const name of DECLARATION_COLUMNS) {
    if (PROVENANCE.has(name)) continue;
    const vec = table.getChild(name);
    if (!vec) continue;
    if (DataType.isDictionary(vec.type) || DataType.isUtf8(vec.type)) keys.push(readCodes(table, name).codes);
    else keys.push(readFloats(table, name));
  }
  const g = groupRows(keys, n);
  // each content group belongs to the first file (in path order) that holds it
  const rank = pathRanks(files.values);
  const owner = new Int32Array(g.groups).fill(-1);
  for (let i = 0; i < n; i++) {
    const r = files.codes[i] < 0 ? -1 : rank[files.codes[i]];
    const k = g.groupOf[i];
    if (owner[k] < 0 || (r >= 0 && r < owner[k])) owner[k] = r;
  }
  const keep = rowsWhere(n, (i) => (files.codes[i] < 0 ? -1 : rank[files.codes[i]]) === owner[g.groupOf[i]]);
  if (keep.length === n) return { table, dropped: 0 };
  return { table: takeTable(table, keep), dropped: n - keep.length };
}
