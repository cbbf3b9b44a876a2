import { DataType, Table, type Vector } from 'apache-arrow';
import { dateVector, dictionaryVector, epochDayOf } from '../table/columns.ts';
import { readCodes } from '../table/read.ts';

/**
 * Columns that hold a calendar day: text (`YYYY-MM-DD`) inside a run, where the detectors compare and group them
 * as codes, and Arrow Date32 in the files a run writes (Parquet DATE), so that a reader's tools see dates.
 */
export const OUTPUT_DATE_COLUMNS = ['date', 'verdict_date'] as const;

/** Country columns (ISO3) that get a `<column>_name` beside them in the files a run writes, as routes' `hub_name`. */
export const NAMED_COUNTRY_COLUMNS = ['origin', 'departure', 'destination'] as const;

/**
 * The tables of a run as they are written: every {@link OUTPUT_DATE_COLUMNS} column held as text becomes Date32 (an
 * unreadable day is null: ingest has rejected those rows already), and every {@link NAMED_COUNTRY_COLUMNS} column
 * without a name gets `<column>_name` right after it (the country's name from `countryNames`, else the code
 * itself; null where the code is). A table with neither is returned as it is. Pure.
 */
export function finishOutputs(tables: Record<string, Table>, countryNames: ReadonlyMap<string, string>): Record<string, Table> {
  const out: Record<string, Table> = {};
  for (const [name, table] of Object.entries(tables)) out[name] = finishTable(table, countryNames);
  return out;
}

function finishTable(table: Table, countryNames: ReadonlyMap<string, string>): Table {
  const fields = table.schema.fields;
  const has = new Set(fields.map((f) => f.name));
  const isText = (t: DataType) => DataType.isDictionary(t) || DataType.isUtf8(t);
  const dates = fields.filter((f) => (OUTPUT_DATE_COLUMNS as readonly string[]).includes(f.name) && isText(f.type)).map((f) => f.name);
  const named = fields.filter((f) => (NAMED_COUNTRY_COLUMNS as readonly string[]).includes(f.name) && isText(f.type) && !has.has(`${f.name}_name`)).map((f) => f.name);
  if (!dates.length && !named.length) return table;
  const cols: Record<string, Vector> = {};
  for (const f of fields) {
    if (dates.includes(f.name)) {
      const c = readCodes(table, f.name, 'finishOutputs');
      const day = c.values.map(epochDayOf);
      cols[f.name] = dateVector(Float64Array.from(c.codes, (k) => (k < 0 ? NaN : day[k])));
    } else cols[f.name] = table.getChild(f.name)!;
    if (named.includes(f.name)) {
      const c = readCodes(table, f.name, 'finishOutputs');
      cols[`${f.name}_name`] = dictionaryVector(c.codes, c.values.map((v) => countryNames.get(v) ?? v));
    }
  }
  return new Table(cols);
}
