import { Table, type Vector } from 'apache-arrow';
import { dictionaryVector } from '../table/columns.ts';

/**
 * Canonical columns that a Hive partition key fills when a Parquet file lacks them, as data lakes name
 * them: `year=2024/hs6=811292/part-0.parquet` gives `period` 2024 and `cmd_code` 811292. A column the
 * file has wins over the path; an exact canonical name wins over an alias.
 */
const PARTITION_COLUMNS: readonly [key: string, column: string][] = [
  ['period', 'period'],
  ['year', 'period'],
  ['cmd_code', 'cmd_code'],
  ['hs6', 'cmd_code'],
  ['reporter', 'reporter'],
  ['partner', 'partner'],
  ['partner2', 'partner2'],
  ['flow', 'flow'],
  ['hs_revision', 'hs_revision'],
  ['source', 'source'],
];

/**
 * `table` with a constant text column for each partition value whose canonical column it lacks (see
 * {@link PARTITION_COLUMNS}); the table itself when there is none to add. Keys tradewatch does not know are
 * left out. No copy of the existing columns.
 */
export function withPartitionColumns(table: Table, partitions: Readonly<Record<string, string>>): Table {
  const extra: Record<string, Vector> = {};
  for (const [key, column] of PARTITION_COLUMNS) {
    const value = partitions[key];
    if (value === undefined || table.getChild(column) || column in extra) continue;
    extra[column] = dictionaryVector(new Int32Array(table.numRows), [value]);
  }
  if (Object.keys(extra).length === 0) return table;
  const columns: Record<string, Vector> = {};
  for (const f of table.schema.fields) columns[f.name] = table.getChild(f.name)!;
  return new Table({ ...columns, ...extra });
}
