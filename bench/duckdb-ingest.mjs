/**
 * DuckDB's side of the whole-process ingest stage, as a user would run it: a fresh `node` process that reads a
 * Comtrade Plus bulk CSV with a typed `read_csv`, keeps the rows of the given codes and the columns tradewatch
 * reads, and writes them to Parquet:
 *   node bench/duckdb-ingest.mjs FILE CODES OUT.parquet     (CODES comma-separated; '' keeps every code)
 * Plain JavaScript, so that no TypeScript loader is timed on DuckDB's side.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { COMTRADE_TYPES_SQL, COMTRADE_USED } from './comtrade-columns.mjs';

const [file, codes, out] = process.argv.slice(2);
const TYPES = COMTRADE_TYPES_SQL;
const USED = COMTRADE_USED;
const text = (s) => `'${s.replaceAll("'", "''")}'`;
const columns = `{${TYPES.split(',').map((c) => c.split(' ')).map(([k, v]) => `'${k}': '${v}'`).join(', ')}}`;
const where = codes ? `WHERE cmdCode IN (${codes.split(',').map(text).join(', ')})` : '';

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run('SET threads=2');
await con.run(
  `COPY (SELECT ${USED} FROM read_csv(${text(file)}, header = true, auto_detect = false, columns = ${columns}) ${where}) TO ${text(out)} (FORMAT parquet, COMPRESSION zstd)`,
);
