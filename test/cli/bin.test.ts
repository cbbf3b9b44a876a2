/**
 * The installed command: bin/tradewatch.js run as npm installs it (through a symlink, from another working
 * directory) on the compiled output (dist/, built here when stale), and from a production-only install (what the
 * Docker image has: no devDependencies, so no tsx, typescript or esbuild).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, BUILD_META, DIST, ensureBuilt, ROOT } from './compiled.ts';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const PIPELINES = readdirSync(join(ROOT, 'pipelines')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
const COMMANDS = ['ingest', 'run', 'status', 'synth', 'config', 'schedule', 'fetch', 'backtest', 'tune', 'demo'];

let tmp: string;
let tiny: string;

beforeAll(() => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'tw-bin-'));
  // a tiny input: the bundled sample's header and first 300 rows
  tiny = join(tmp, 'comtrade_tiny.csv');
  const lines = readFileSync(join(ROOT, 'data', 'sample', 'trade', 'comtrade_7.csv'), 'utf8').split('\n');
  writeFileSync(tiny, lines.slice(0, 301).join('\n') + '\n');
}, 180_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `command args` in `cwd` with node first on the PATH (the bin's shebang is `/usr/bin/env node`). */
function exec(command: string, args: string[], cwd: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, PATH, TRADEWATCH_DEBUG: '', ...env }, timeout: 60_000 });
}

describe('the bin through a symlink, as npm links it', () => {
  let link: string;
  let cwd: string;
  beforeAll(() => {
    // npm links <prefix>/bin/tradewatch (global) or node_modules/.bin/tradewatch (local) to the package's bin file
    cwd = join(tmp, 'elsewhere');
    mkdirSync(join(cwd, 'node_modules', '.bin'), { recursive: true });
    link = join(cwd, 'node_modules', '.bin', 'tradewatch');
    symlinkSync(relative(dirname(link), BIN), link);
  });

  it('prints the help listing every command, and the version', () => {
    const r = exec(link, ['--help'], cwd);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    // the pipelines are named on the first page, not only under `run --help`
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(`Run a pipeline (${[...PIPELINES].sort().join(', ')}) or all`);
    const v = exec(link, ['--version'], cwd);
    expect([v.status, v.stdout.trim()]).toEqual([0, pkg.version]);
  });

  it('run --help lists the pipelines and exits 0', () => {
    const r = exec(link, ['run', '--help'], cwd);
    expect(r.status).toBe(0);
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toContain(`a pipeline (${[...PIPELINES].sort().join(', ')}), or all`);
  });

  it('a command that must fail exits 2 (it used to exit 0, having done nothing)', () => {
    const r = exec(link, ['run', 'coverage', '--out', join(tmp, 'never')], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--trade');
    expect(existsSync(join(tmp, 'never', 'coverage'))).toBe(false);
  });

  it('a run writes its partition, from any working directory', () => {
    const out = join(tmp, 'out-link');
    const r = exec(link, ['run', 'mirror-gaps', '--trade', tiny, '--out', out], cwd);
    expect(r.stderr).not.toContain('tradewatch:');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(join(out, 'mirror-gaps', 'as_of=2022-11'));
    const manifest = JSON.parse(readFileSync(join(out, 'mirror-gaps', 'as_of=2022-11', 'manifest.json'), 'utf8')) as { status: string; tradewatch_version?: string };
    expect(manifest.status).toBe('succeeded');
  });
});

/** The compiled files reachable from the bin: every relative import followed, every package import collected. */
function reachableFromBin(): { files: Set<string>; packages: Map<string, string>; unresolved: string[] } {
  const binText = readFileSync(BIN, 'utf8');
  // the bin imports the compiled CLI by URL; pipelines and the trade worker are loaded by path
  expect(binText).toContain("'../dist/src/cli/main.js'");
  const roots = [
    join(DIST, 'src', 'cli', 'main.js'),
    join(DIST, 'src', 'run', 'trade-worker.js'),
    ...readdirSync(join(DIST, 'pipelines')).filter((f) => f.endsWith('.js')).map((f) => join(DIST, 'pipelines', f)),
  ];
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const unresolved: string[] = [];
  const queue = [BIN, ...roots];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(DIST + sep) || !existsSync(target)) unresolved.push(`${relative(ROOT, file)}: ${spec}`);
        else queue.push(target);
      } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        packages.set(name, relative(ROOT, file));
      }
    }
  }
  return { files, packages, unresolved };
}

describe('the compiled output', () => {
  it('every import reachable from the bin is a file of dist/ or a package of dependencies (not devDependencies)', () => {
    const { files, packages, unresolved } = reachableFromBin();
    expect(unresolved).toEqual([]);
    expect(files.size).toBeGreaterThan(PIPELINES.length + 2);
    const notProduction = [...packages].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(notProduction).toEqual([]);
    for (const dev of ['tsx', 'typescript', 'esbuild', 'vitest']) expect(packages.has(dev)).toBe(false);
  });

  it('starting the CLI (--help, a usage error) loads commander and a few small modules: no Arrow, Parquet, zod, logger or pipeline', () => {
    interface Meta {
      outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, unknown> }>;
    }
    const meta = JSON.parse(readFileSync(BUILD_META, 'utf8')) as Meta;
    const inputs = new Set<string>();
    const externals = new Set<string>();
    const seen = new Set<string>();
    const queue = ['dist/src/cli/main.js'];
    while (queue.length) {
      const out = queue.pop()!;
      if (seen.has(out)) continue;
      seen.add(out);
      const o = meta.outputs[out];
      expect(o, out).toBeDefined();
      for (const i of Object.keys(o.inputs)) inputs.add(i);
      for (const imp of o.imports) {
        if (imp.kind !== 'import-statement') continue; // dynamic imports load when a command runs
        if (imp.external) externals.add(imp.path);
        else queue.push(imp.path);
      }
    }
    expect([...externals].filter((e) => !e.startsWith('node:')).sort()).toEqual(['commander']);
    const heavy = [...inputs].filter((i) => /^(node_modules\/(apache-arrow|zod|flatbuffers)\/|pipelines\/)/.test(i) || /^src\/(run\/(run-command|runner|config|ingest|log)|io\/parquet)\.ts$/.test(i));
    expect(heavy).toEqual([]);
  });

  it('runs from a production-only install: the help, an ingest on worker threads and a run', () => {
    // what the Docker image holds: package.json, bin/, data/, dist/, and the packages `npm ci --omit=dev` installs
    // at the top of node_modules (the lock file's entries not marked dev), linked here from this checkout
    const app = join(tmp, 'app');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    for (const f of ['package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(app, f));
    cpSync(join(ROOT, 'bin'), join(app, 'bin'), { recursive: true });
    cpSync(DIST, join(app, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'data', 'reference'), join(app, 'data', 'reference'), { recursive: true });
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const linked: string[] = [];
    for (const [key, entry] of Object.entries(lock.packages)) {
      const name = key.slice('node_modules/'.length);
      if (!key.startsWith('node_modules/') || name.includes('/node_modules/') || entry.dev || !existsSync(join(ROOT, key))) continue;
      mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true });
      symlinkSync(join(ROOT, key), join(app, 'node_modules', name), 'dir');
      linked.push(name);
    }
    for (const dev of ['tsx', 'typescript', 'esbuild', 'vitest']) expect(linked).not.toContain(dev);
    for (const dep of Object.keys(pkg.dependencies)) expect(linked).toContain(dep);

    const bin = join(app, 'bin', 'tradewatch.js');
    const help = exec(process.execPath, [bin, '--help'], tmp);
    expect([help.status, help.stderr]).toEqual([0, '']);

    // worker threads on a tiny file: the compiled worker entry (dist/src/run/trade-worker.js) must load
    const ingestOut = join(tmp, 'prod-ingest');
    const ingest = exec(process.execPath, [bin, 'ingest', '--trade', tiny, '--out', ingestOut], tmp, {
      TRADEWATCH_INGEST_WORKERS: '2',
      TRADEWATCH_INGEST_PARALLEL_MIN_BYTES: '0',
    });
    expect(ingest.stderr).not.toContain('tradewatch:');
    expect(ingest.status).toBe(0);
    expect(existsSync(join(ingestOut, 'flows.parquet'))).toBe(true);

    const runOut = join(tmp, 'prod-run');
    const run = exec(process.execPath, [bin, 'run', 'coverage', '--trade', tiny, '--out', runOut], tmp);
    expect(run.stderr).not.toContain('tradewatch:');
    expect(run.status).toBe(0);
    expect(existsSync(join(runOut, 'coverage', 'as_of=2022-11', 'manifest.json'))).toBe(true);
  });
});
