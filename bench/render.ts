/**
 * The bench's results as the table of docs/performance.md: one row per stage, ours beside DuckDB's, with the
 * target and whether it was met, and the machine they were measured on. Pure; `npm run bench` rewrites the
 * page's generated block with it, and test/docs/performance-doc.test.ts checks the page against
 * bench/results/latest.json.
 */

/** One side's figures of a stage. */
export interface BenchSide {
  medianMs: number;
  runsMs: number[];
  rows: number;
  peakRssMiB: number;
  rowsPerS: number;
  mbPerS: number | null;
}

/** One stage's row of `bench/results/latest.json`. */
export interface BenchRow {
  id: string;
  label: string;
  input: { rows: number; bytes: number };
  ours: BenchSide;
  duckdb: BenchSide | null;
  ratio: number | null;
  target: string | null;
  pass: boolean | null;
}

/** `bench/results/latest.json`. */
export interface BenchResults {
  date: string;
  machine: { cpus: number; cpu: string; ramGiB: number; node: string; os: string; duckdb: string };
  runs: number;
  quick: boolean;
  stages: BenchRow[];
}

const secs = (ms: number) => (ms / 1000).toFixed(2);
const num = (n: number) => n.toLocaleString('en');

/** The stages' table (markdown). */
export function renderBenchTable(rows: readonly BenchRow[]): string {
  return [
    '| stage | ours (s) | DuckDB (s) | ours / DuckDB | ours rows/s | ours MB/s | peak RSS ours / DuckDB (MiB) | target |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${secs(r.ours.medianMs)} | ${r.duckdb ? secs(r.duckdb.medianMs) : '—'} | ${r.ratio?.toFixed(2) ?? '—'} | ${num(r.ours.rowsPerS)} | ` +
        `${r.ours.mbPerS ?? '—'} | ${r.ours.peakRssMiB}${r.duckdb ? ` / ${r.duckdb.peakRssMiB}` : ''} | ${r.target ? `${r.target}: ${r.pass ? 'met' : '**missed**'}` : '—'} |`,
    ),
  ].join('\n');
}

/** The generated block of docs/performance.md: the table, then the machine and the run. */
export function renderBenchResults(res: BenchResults): string {
  const m = res.machine;
  return (
    `${renderBenchTable(res.stages)}\n\n` +
    `From \`bench/results/latest.json\` (${res.date.slice(0, 10)}; medians of ${res.runs} runs per side, each stage's own run when a partial run updated it): ` +
    `${m.cpus} cores (${m.cpu}), ${m.ramGiB} GiB RAM, Node ${m.node}, ${m.os}, @duckdb/node-api ${m.duckdb}.\n`
  );
}
