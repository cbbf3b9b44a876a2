/**
 * One measured run of one stage, in a process of its own so that its peak RSS is its own:
 *   node --import tsx bench/stage.ts <stage> <ours|duckdb> <data folder>
 * Prints one JSON line: `{ ms, rows, peakRssMiB }` (the time from just before the work to just after it,
 * building the side's in-memory tables included; for `run_all`, the whole process from its start).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchData } from './data.ts';
import { COMTRADE_TYPES_SQL, COMTRADE_USED } from './comtrade-columns.mjs';

type Side = 'ours' | 'duckdb';
const [stage, side, dataDir] = process.argv.slice(2) as [string, Side, string];
const data = (JSON.parse(await readFile(join(dataDir, 'manifest.json'), 'utf8')) as { data: BenchData }).data;

/** The Comtrade Plus bulk columns with their types, for DuckDB's typed read_csv. */
const COMTRADE_TYPES: Record<string, string> = Object.fromEntries(COMTRADE_TYPES_SQL.split(',').map((c) => c.split(' ') as [string, string]));
const DECLARATION_TYPES: Record<string, string> = {
  declaration_id: 'VARCHAR', date: 'DATE', direction: 'VARCHAR', declarant: 'VARCHAR', exporter: 'VARCHAR', importer: 'VARCHAR', seller: 'VARCHAR',
  declared_code: 'VARCHAR', description: 'VARCHAR', origin: 'VARCHAR', departure: 'VARCHAR', destination: 'VARCHAR', transport_mode: 'VARCHAR',
  net_mass_kg: 'DOUBLE', quantity: 'DOUBLE', quantity_unit: 'VARCHAR', value: 'DOUBLE', currency: 'VARCHAR', office: 'VARCHAR', label: 'TINYINT',
};

const sqlMap = (m: Record<string, string>) => `{${Object.entries(m).map(([k, v]) => `'${k}': '${v}'`).join(', ')}}`;
const sqlText = (s: string) => `'${s.replaceAll("'", "''")}'`;

interface Result {
  rows: number;
  ms: number;
}

async function ours(): Promise<Result> {
  switch (stage) {
    case 'ingest_catalog':
    case 'ingest_all': {
      const { resolveInputs } = await import('../src/io/inputs.ts');
      const { readTrade } = await import('../src/run/trade.ts');
      const { configDefaults } = await import('../src/config/config.ts');
      return time(async () => {
        const files = await resolveInputs([data.comtrade.path]);
        const hs = stage === 'ingest_catalog' ? '@catalog' : 'all';
        const { result } = await readTrade({ files, records: [] }, { params: { ...configDefaults.ingest, hs }, log: () => {} });
        return result.flows.numRows + result.areas.numRows + result.subflows.numRows + result.consignment.numRows;
      });
    }
    case 'mirror_join': {
      const { readParquet } = await import('../src/io/parquet.ts');
      const { matchMirrorFlows, mirrorMatchDefaults } = await import('../src/detect/mirror/mirror-pairs.ts');
      return time(async () => matchMirrorFlows(await readParquet(data.mirror.path), null, mirrorMatchDefaults).pairs.numRows);
    }
    case 'declarations_small':
    case 'declarations_large': {
      const d = data.declarations[stage === 'declarations_small' ? 0 : data.declarations.length - 1];
      const { resolveInputs } = await import('../src/io/inputs.ts');
      const { readDeclarationInputs } = await import('../src/run/declarations-input.ts');
      const { loadCatalog } = await import('../src/io/catalog.ts');
      const { configDefaults } = await import('../src/config/config.ts');
      const { screenDeclarations } = await import('../src/detect/declarations/declaration-rules.ts');
      const { scoreDeclarations } = await import('../src/detect/declarations/declaration-score.ts');
      return time(async () => {
        const p = configDefaults.declarations;
        const read = await readDeclarationInputs({ files: await resolveInputs([d.path]), records: [] }, { params: p.ingest, log: () => {} });
        const screened = screenDeclarations(read.table, await loadCatalog(), null, p.rules, null);
        return scoreDeclarations(read.table, screened.table, p.score, null).scored.numRows;
      });
    }
    case 'isolation_fit': {
      const { fitIsolationForest, isolationDefaults } = await import('../src/detect/ml/isolation.ts');
      const { Rng } = await import('../src/synth/random.ts');
      const rng = new Rng('bench:isolation');
      const cols = Array.from({ length: 8 }, () => Float64Array.from({ length: 100_000 }, () => rng.normal(0, 1)));
      fitIsolationForest(cols, isolationDefaults); // JIT warm-up: the figure is the fit, not the compiler
      return time(async () => (fitIsolationForest(cols, isolationDefaults), cols[0].length));
    }
    case 'mirror_sparse': {
      const { runCommand } = await import('../src/commands/run-command.ts');
      const out = await mkdtemp(join(tmpdir(), 'tw-bench-sparse-'));
      try {
        const results = await runCommand('mirror-gaps', { trade: [data.sparse.path], out, force: true }, { log: () => {}, concurrency: 1 });
        // the whole process: what `tradewatch run mirror-gaps` costs on a sparse panel
        return { rows: results.length, ms: performance.now() };
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    }
    case 'run_all': {
      const { runCommand } = await import('../src/commands/run-command.ts');
      const out = await mkdtemp(join(tmpdir(), 'tw-bench-run-'));
      try {
        const results = await runCommand('all', { trade: [data.comtrade.path], declarations: [data.declarations[0].path], out, force: true }, { log: () => {}, concurrency: 2 });
        // the whole process, module loading included: what `tradewatch run all` costs
        return { rows: results.length, ms: performance.now() };
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    }
  }
  throw new Error(`no stage ${stage} on our side`);
}

async function duckdb(): Promise<Result> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  return time(async () => {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    await con.run('SET threads=2');
    let table = '';
    switch (stage) {
      case 'ingest_catalog':
      case 'ingest_all': {
        const where = stage === 'ingest_catalog' ? `WHERE cmdCode IN (${data.comtrade.catalogCodes.map(sqlText).join(', ')})` : '';
        await con.run(
          `CREATE TABLE flows AS SELECT ${COMTRADE_USED} FROM read_csv(${sqlText(data.comtrade.path)}, header = true, auto_detect = false, ` +
            `columns = ${sqlMap(COMTRADE_TYPES)}) ${where}`,
        );
        table = 'flows';
        break;
      }
      case 'mirror_join': {
        await con.run(`CREATE TABLE flows AS SELECT * FROM read_parquet(${sqlText(data.mirror.path)})`);
        // what matchMirrorFlows does on this input (annual, no Areas rows): both sides per exporter → importer
        // × HS6 × year, whether each reporter published that flow that year (from all its rows), and the
        // pair's status from the two (matched, ghost, counterpart not reporting, one side at zero)
        await con.run(`CREATE TABLE pairs AS
          WITH pub AS (SELECT DISTINCT reporter, flow, period FROM flows),
               x AS (SELECT reporter AS exporter, partner AS importer, hs6, period, sum(value_usd) AS export_usd, sum(net_weight_kg) AS export_kg
                     FROM flows WHERE flow = 'X' AND cmd_level = 6 GROUP BY ALL),
               m AS (SELECT partner AS exporter, reporter AS importer, hs6, period, sum(value_usd) AS import_usd, sum(fob_usd) AS import_fob_usd,
                            sum(net_weight_kg) AS import_kg
                     FROM flows WHERE flow = 'M' AND cmd_level = 6 GROUP BY ALL),
               j AS (SELECT * FROM x FULL OUTER JOIN m USING (exporter, importer, hs6, period))
          SELECT j.*, px.reporter IS NOT NULL AS exporter_published, pm.reporter IS NOT NULL AS importer_published,
                 CASE WHEN export_usd > 0 AND import_usd > 0 THEN 'matched'
                      WHEN export_usd > 0 THEN CASE WHEN pm.reporter IS NULL THEN 'counterpart_not_reporting' ELSE 'ghost' END
                      WHEN import_usd > 0 THEN CASE WHEN px.reporter IS NULL THEN 'counterpart_not_reporting' ELSE 'ghost' END
                      WHEN export_usd IS NOT NULL THEN 'exporter_only' ELSE 'importer_only' END AS status
          FROM j LEFT JOIN pub px ON px.reporter = j.exporter AND px.flow = 'X' AND px.period = j.period
                 LEFT JOIN pub pm ON pm.reporter = j.importer AND pm.flow = 'M' AND pm.period = j.period`);
        table = 'pairs';
        break;
      }
      case 'declarations_small':
      case 'declarations_large': {
        const d = data.declarations[stage === 'declarations_small' ? 0 : data.declarations.length - 1];
        await con.run(`CREATE TABLE decl AS SELECT * FROM read_csv(${sqlText(d.path)}, header = true, auto_detect = false, columns = ${sqlMap(DECLARATION_TYPES)})`);
        // the price filter: robust z of log unit value (USD per kg) within code × origin
        await con.run(`CREATE TABLE scored AS
          WITH u AS (SELECT *, ln(value * CASE currency WHEN 'USD' THEN 1 WHEN 'EUR' THEN 1.08 WHEN 'CNY' THEN 0.14 ELSE NULL END / net_mass_kg) AS luv
                     FROM decl WHERE value > 0 AND net_mass_kg > 0),
               g AS (SELECT declared_code, origin, median(luv) AS med, mad(luv) AS mad FROM u GROUP BY ALL)
          SELECT u.*, (luv - med) / greatest(1.4826 * mad, 0.25) AS unit_value_robust_z FROM u JOIN g USING (declared_code, origin)`);
        table = 'scored';
        break;
      }
      default:
        throw new Error(`no stage ${stage} on DuckDB's side`);
    }
    const reader = await con.runAndReadAll(`SELECT count(*) FROM ${table}`);
    const rows = Number(reader.getRows()[0][0]);
    con.closeSync();
    db.closeSync();
    return rows;
  });
}

async function time(work: () => Promise<number>): Promise<Result> {
  const t0 = performance.now();
  const rows = await work();
  return { rows, ms: performance.now() - t0 };
}

const r = await (side === 'ours' ? ours() : duckdb());
process.stdout.write(`${JSON.stringify({ ms: r.ms, rows: r.rows, peakRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
process.exit(0);
