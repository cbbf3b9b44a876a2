/**
 * `npm run bench`: each stage on seeded inputs (bench/data.ts), ours and DuckDB's in the same run, every run
 * in a fresh process (bench/stage.ts) so peak RSS is per stage; median of 5 runs on a warm file cache, the
 * two sides alternating so that a busy machine slows both. Prints the table, writes
 * `bench/results/latest.json`; with `--check`, exits 1 when a target is missed.
 *
 *   npm run bench -- [--check] [--runs N] [--only ingest_catalog,mirror_join,…] [--data DIR] [--quick]
 *
 * `--quick` uses inputs a tenth of the size (a smoke test of the harness: its figures are not the targets').
 * The stages `cli_help`, `run_tiny` and `synth_hard` time the installed command (the compiled bin/tradewatch.js, built first by
 * `npm run build`) as a whole fresh process, from its start to its exit: what every scheduled call pays before and
 * around its work. They need no generated inputs (`--only cli_help,run_tiny` runs in seconds).
 * The micro-benchmarks (`npx tsx bench/<name>.bench.ts`) measure single kernels in one process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, totalmem, platform, release, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBenchData, fullSizes, type BenchData, type BenchSizes } from './data.ts';
import { renderBenchResults, renderBenchTable, type BenchResults, type BenchRow } from './render.ts';
import { replaceGeneratedBlock } from '../src/report/render-evaluation.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

interface StageDef {
  id: string;
  label: (d: BenchData) => string;
  /** Input rows and bytes, for the throughput columns. */
  input: (d: BenchData) => { rows: number; bytes: number };
  duckdb: boolean;
  /** The target, checked on the medians; null when the stage is only reported. */
  target: null | { text: string; met: (ours: SideResult, duck: SideResult | null) => boolean };
  /**
   * A whole-process stage: the arguments of the compiled bin (`out` a fresh empty folder per run), timed from the
   * spawn to the exit by this process; such a stage needs no generated inputs.
   */
  bin?: (out: string, d: BenchData) => string[];
  /** DuckDB's side of a whole-process stage: the arguments of a fresh `node` process (`out` a fresh empty folder per run). */
  duckBin?: (out: string, d: BenchData) => string[];
  /** A whole-process stage that reads the generated inputs. */
  needsData?: boolean;
}

interface SideResult {
  medianMs: number;
  runsMs: number[];
  rows: number;
  peakRssMiB: number;
}

const M = (n: number) => (n >= 1e6 ? `${n / 1e6} M` : `${n / 1e3}k`);

const catalogCodes = (d: BenchData) => d.comtrade.catalogCodes.join(',');

const STAGES: StageDef[] = [
  {
    id: 'ingest_catalog',
    label: (d) => `(a) ingest ${M(d.comtrade.rows)} Comtrade Plus rows, --hs @catalog (${((100 * d.comtrade.catalogRows) / d.comtrade.rows).toFixed(1)}% kept)`,
    input: (d) => ({ rows: d.comtrade.rows, bytes: d.comtrade.bytes }),
    duckdb: true,
    target: { text: 'ratio ≤ 1.0', met: (o, d) => d !== null && o.medianMs <= d.medianMs },
  },
  {
    id: 'ingest_all',
    label: (d) => `(b) ingest ${M(d.comtrade.rows)} Comtrade Plus rows, --hs all`,
    input: (d) => ({ rows: d.comtrade.rows, bytes: d.comtrade.bytes }),
    duckdb: true,
    target: null,
  },
  {
    id: 'mirror_join',
    label: (d) => `(c) mirror join, ${M(d.mirror.rows / 2)} X × ${M(d.mirror.rows / 2)} M flows (Parquet load included)`,
    input: (d) => ({ rows: d.mirror.rows, bytes: d.mirror.bytes }),
    duckdb: true,
    target: { text: 'ratio ≤ 1.0', met: (o, d) => d !== null && o.medianMs <= d.medianMs },
  },
  {
    id: 'declarations_small',
    label: (d) => `(d) declarations ${M(d.declarations[0].rows)}: read, rules, score`,
    input: (d) => ({ rows: d.declarations[0].rows, bytes: d.declarations[0].bytes }),
    duckdb: true,
    target: null,
  },
  {
    id: 'declarations_large',
    label: (d) => `(d) declarations ${M(d.declarations.at(-1)!.rows)}: read, rules, score`,
    input: (d) => ({ rows: d.declarations.at(-1)!.rows, bytes: d.declarations.at(-1)!.bytes }),
    duckdb: true,
    target: { text: '< 60 s', met: (o) => o.medianMs < 60_000 },
  },
  {
    id: 'isolation_fit',
    label: () => 'isolation forest fit, 100k × 8',
    input: () => ({ rows: 100_000, bytes: 0 }),
    duckdb: false,
    target: { text: '< 1 s', met: (o) => o.medianMs < 1000 },
  },
  {
    id: 'run_all',
    label: (d) => `\`run all\` on (a) + ${M(d.declarations[0].rows)} declarations (whole process)`,
    input: (d) => ({ rows: d.comtrade.rows + d.declarations[0].rows, bytes: d.comtrade.bytes + d.declarations[0].bytes }),
    duckdb: false,
    target: { text: '< 30 s, peak RSS < 1.5 GB', met: (o) => o.medianMs < 30_000 && o.peakRssMiB * 2 ** 20 < 1.5e9 },
  },
  {
    id: 'mirror_sparse',
    label: (d) => `\`run mirror-gaps\` on ${M(d.sparse.rows)} sparse monthly rows, 150 reporters × 150 partners × the catalog (whole process)`,
    input: (d) => ({ rows: d.sparse.rows, bytes: d.sparse.bytes }),
    duckdb: false,
    // issue 18 item 6: memory follows what a stage needs at once
    target: { text: 'peak RSS < 2 GB', met: (o) => o.peakRssMiB * 2 ** 20 < 2e9 },
  },
  {
    id: 'cli_help',
    label: () => '`tradewatch --help` (the compiled bin, whole process)',
    input: () => ({ rows: 0, bytes: 0 }),
    duckdb: false,
    target: { text: '< 0.3 s', met: (o) => o.medianMs < 300 },
    bin: () => ['--help'],
  },
  {
    id: 'run_tiny',
    label: () => `\`tradewatch run mirror-gaps\` on ${TINY_ROWS} rows (the compiled bin, whole process: the fixed cost of a run)`,
    input: () => ({ rows: TINY_ROWS, bytes: 0 }),
    duckdb: false,
    target: { text: '< 0.6 s', met: (o) => o.medianMs < 600 },
    bin: (out) => ['run', 'mirror-gaps', '--trade', TINY_INPUT, '--out', out],
  },
  {
    id: 'ingest_bulk_cmd',
    label: (d) => `(e) \`tradewatch ingest --hs @catalog\` on ${M(d.bulk.rows)} Comtrade Plus bulk rows (${Math.round(d.bulk.bytes / 1e6)} MB, ${((100 * d.bulk.catalogRows) / d.bulk.rows).toFixed(1)}% kept), whole process vs DuckDB's read_csv → Parquet`,
    input: (d) => ({ rows: d.bulk.rows, bytes: d.bulk.bytes }),
    duckdb: true,
    needsData: true,
    // issue 21: the command as users run it, start to exit, at DuckDB's speed, in memory that follows the rows kept
    target: { text: 'ratio ≤ 1.0, peak RSS < 0.5 GB', met: (o, d) => d !== null && o.medianMs <= d.medianMs && o.peakRssMiB * 2 ** 20 < 0.5e9 },
    bin: (out, d) => ['ingest', '--trade', d.bulk.path, '--hs', '@catalog', '--out', join(out, 'ingest')],
    duckBin: (out, d) => [join(here, 'duckdb-ingest.mjs'), d.bulk.path, catalogCodes(d), join(out, 'flows.parquet')],
  },
  {
    id: 'run_all_cmd',
    label: (d) => `\`tradewatch run all\` on (a) + ${M(d.declarations[0].rows)} declarations (the compiled bin, whole process)`,
    input: (d) => ({ rows: d.comtrade.rows + d.declarations[0].rows, bytes: d.comtrade.bytes + d.declarations[0].bytes }),
    duckdb: false,
    needsData: true,
    target: { text: '< 30 s, peak RSS < 1.5 GB', met: (o) => o.medianMs < 30_000 && o.peakRssMiB * 2 ** 20 < 1.5e9 },
    bin: (out, d) => ['run', 'all', '--trade', d.comtrade.path, '--declarations', d.declarations[0].path, '--out', out],
  },
  {
    id: 'run_all_sparse_cmd',
    label: (d) => `\`tradewatch run all --hs all\` on the sparse panel (${M(d.sparse.rows)} rows, ${Math.round(d.sparse.bytes / 1e6)} MB; the compiled bin, whole process)`,
    input: (d) => ({ rows: d.sparse.rows, bytes: d.sparse.bytes }),
    duckdb: false,
    needsData: true,
    // issues 18 item 6 and 21: memory follows what a stage needs at once
    target: { text: 'peak RSS < 2 GB', met: (o) => o.peakRssMiB * 2 ** 20 < 2e9 },
    bin: (out, d) => ['run', 'all', '--trade', d.sparse.path, '--hs', 'all', '--out', out],
  },
  {
    id: 'synth_hard',
    label: () => '`tradewatch synth --preset hard --seed 1` (the compiled bin, whole process: a world for a test or a backtest)',
    input: () => ({ rows: 0, bytes: 0 }),
    duckdb: false,
    // was a timed assertion in test/synth/synth-world.test.ts (< 10 s); speed belongs here
    target: { text: '< 10 s', met: (o) => o.medianMs < 10_000 },
    bin: (out) => ['synth', '--preset', 'hard', '--seed', '1', '--out', out],
  },
];

/** The tiny input of `run_tiny`: the first rows of the bundled sample (written by {@link ensureTinyInput}). */
const TINY_ROWS = 300;
const TINY_INPUT = join(root, '.scratch', 'bench-tiny', `comtrade_plus_${TINY_ROWS}.csv`);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const check = process.argv.includes('--check');
const quick = process.argv.includes('--quick');
const runs = Number(arg('--runs') ?? 5);
const only = arg('--only')?.split(',');
const sizes: BenchSizes = quick ? { bulkRows: 210_000, comtradeRows: 200_000, sparseRows: 120_000, mirrorFlowsPerSide: 100_000, declarations: [20_000, 100_000] } : fullSizes;
const dataDir = arg('--data') ?? join(root, '.scratch', quick ? 'bench-data-quick' : 'bench-data');
const unknown = only?.filter((id) => !STAGES.some((s) => s.id === id)) ?? [];
if (unknown.length) {
  console.error(`unknown stage ${unknown.join(', ')} (stages: ${STAGES.map((s) => s.id).join(', ')})`);
  process.exit(2);
}

const selected = STAGES.filter((x) => !only || only.includes(x.id));
// the whole-process stages need no generated inputs: `--only cli_help,run_tiny` generates none
const needsData = selected.some((s) => !s.bin || s.needsData);
const data = needsData ? await ensureBenchData(dataDir, sizes, (s) => console.log(s)) : (null as unknown as BenchData);
if (needsData) console.log(`inputs in ${relative(process.cwd(), dataDir) || dataDir}; ${runs} runs per side, each in a fresh process\n`);

/** Reads every input once so that every run finds it in the page cache. */
async function warm(path: string): Promise<void> {
  for await (const _ of createReadStream(path, { highWaterMark: 1 << 22 }));
}
if (needsData) for (const p of [data.comtrade.path, data.bulk.path, data.mirror.path, ...data.declarations.map((d) => d.path)]) await warm(p);

if (selected.some((s) => s.bin)) {
  // the bin runs dist/: build it from the sources as they are now, so that the figures are not of a stale build
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed: the whole-process stages time the compiled bin');
  await ensureTinyInput();
  await warm(TINY_INPUT);
}

/** Writes the header and the first {@link TINY_ROWS} rows of the bundled sample's trade file to {@link TINY_INPUT}. */
async function ensureTinyInput(): Promise<void> {
  const lines = (await readFile(join(root, 'data', 'sample', 'trade', 'comtrade_7.csv'), 'utf8')).split('\n');
  await mkdir(dirname(TINY_INPUT), { recursive: true });
  await writeFile(TINY_INPUT, lines.slice(0, TINY_ROWS + 1).join('\n') + '\n');
}

/**
 * One run of a whole-process stage: `node bin/tradewatch.js ARGS` timed from the spawn to the exit (its output read
 * and dropped), in a fresh output folder. Peak RSS comes from a separate, untimed run that reports its own at exit.
 */
async function runBin(s: StageDef, measureRss: boolean, side: 'ours' | 'duckdb' = 'ours'): Promise<{ ms: number; rows: number; peakRssMiB: number }> {
  const out = await mkdtemp(join(tmpdir(), 'tw-bench-bin-'));
  const bin = join(root, 'bin', 'tradewatch.js');
  const rssHook = `data:text/javascript,import{writeSync}from'node:fs';process.on('exit',()=>writeSync(3,String(process.resourceUsage().maxRSS)))`;
  try {
    return await new Promise((resolve, reject) => {
      const command = side === 'ours' ? [bin, ...s.bin!(out, data)] : s.duckBin!(out, data);
      const args = [...(measureRss ? ['--import', rssHook] : []), ...command];
      const t0 = performance.now();
      const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
      let err = '';
      let rss = '';
      child.stdout!.resume();
      child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
      (child.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => (rss += b.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        const ms = performance.now() - t0;
        if (code !== 0) reject(new Error(`${s.id} (${side}): node ${command.join(' ')} exited ${code}: ${err.slice(-500)}`));
        else resolve({ ms, rows: 0, peakRssMiB: Number(rss) / 1024 });
      });
    });
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

function runStage(stage: string, side: 'ours' | 'duckdb'): Promise<{ ms: number; rows: number; peakRssMiB: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'stage.ts'), stage, side, dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`${stage} (${side}) exited ${code}: ${out.slice(-500)}`));
      else resolve(JSON.parse(line));
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

type Row = BenchRow;

const rows: Row[] = [];
for (const s of selected) {
  const sides: ('ours' | 'duckdb')[] = s.duckdb ? ['ours', 'duckdb'] : ['ours'];
  const got: Record<string, { ms: number; rows: number; peakRssMiB: number }[]> = { ours: [], duckdb: [] };
  if (s.bin) {
    // a warm-up per side, not counted: the file cache, not the disk, is what a scheduled call meets; peak RSS from an
    // untimed run each; the sides alternate run by run
    const peak: Record<string, number> = {};
    for (const side of sides) {
      await runBin(s, false, side);
      peak[side] = (await runBin(s, true, side)).peakRssMiB;
    }
    for (let r = 0; r < runs; r++) {
      for (const side of r % 2 ? [...sides].reverse() : sides) got[side].push({ ...(await runBin(s, false, side)), peakRssMiB: peak[side] });
    }
  } else {
    for (let r = 0; r < runs; r++) {
      for (const side of r % 2 ? [...sides].reverse() : sides) got[side].push(await runStage(s.id, side));
    }
  }
  const input = s.input(data);
  const summary = (xs: { ms: number; rows: number; peakRssMiB: number }[]) => {
    const med = median(xs.map((x) => x.ms));
    return {
      medianMs: Math.round(med),
      runsMs: xs.map((x) => Math.round(x.ms)),
      rows: xs[0].rows,
      peakRssMiB: Math.round(Math.max(...xs.map((x) => x.peakRssMiB))),
      rowsPerS: Math.round(input.rows / (med / 1000)),
      mbPerS: input.bytes ? Math.round(input.bytes / 1e6 / (med / 1000)) : null,
    };
  };
  const ours = summary(got.ours);
  const duck = s.duckdb ? summary(got.duckdb) : null;
  const row: Row = {
    id: s.id,
    label: s.label(data),
    input,
    ours,
    duckdb: duck,
    ratio: duck ? Math.round((ours.medianMs / duck.medianMs) * 100) / 100 : null,
    target: s.target?.text ?? null,
    pass: s.target ? s.target.met(ours, duck) : null,
  };
  rows.push(row);
  console.log(
    `${row.id.padEnd(20)} ours ${(ours.medianMs / 1000).toFixed(2).padStart(6)} s` +
      (duck ? `  duckdb ${(duck.medianMs / 1000).toFixed(2).padStart(6)} s  ours/duckdb ${row.ratio!.toFixed(2)}` : '') +
      `  peak RSS ${ours.peakRssMiB} MiB${duck ? ` / ${duck.peakRssMiB} MiB` : ''}` +
      (row.target ? `  target ${row.target}: ${row.pass ? 'met' : 'MISSED'}` : ''),
  );
}

const table = renderBenchTable(rows);
const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  ramGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  os: `${platform()} ${release()}`,
  duckdb: (JSON.parse(await readFile(join(root, 'node_modules/@duckdb/node-api/package.json'), 'utf8')) as { version: string }).version,
};
console.log(`\n${table}\n\n${machine.cpus} cores (${machine.cpu}), ${machine.ramGiB} GiB RAM, Node ${machine.node}, ${machine.os}, @duckdb/node-api ${machine.duckdb}`);

// a partial run (--only) updates its stages in the results file and keeps the others
const resultsPath = join(here, 'results', quick ? 'latest-quick.json' : 'latest.json');
const previous = only ? await readFile(resultsPath, 'utf8').then((t) => (JSON.parse(t) as { stages: Row[] }).stages, () => []) : [];
const stages = STAGES.flatMap((s) => rows.find((r) => r.id === s.id) ?? previous.find((r) => r.id === s.id) ?? []);
const results = { date: new Date().toISOString(), machine, runs, quick, sizes, stages };
await mkdir(join(here, 'results'), { recursive: true });
await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
// the page shows the results file: its generated block is rewritten from it (a quick run's figures are not the targets')
if (!quick) {
  const page = join(root, 'docs', 'performance.md');
  await writeFile(page, replaceGeneratedBlock(await readFile(page, 'utf8'), 'bench', renderBenchResults(results as unknown as BenchResults), 'npm run bench'));
}

const missed = rows.filter((r) => r.pass === false);
if (check && missed.length) {
  console.error(`\ntargets missed: ${missed.map((r) => `${r.id} (${r.target})`).join(', ')}`);
  process.exit(1);
}
