#!/usr/bin/env node
// `npm run build`, also run by `npm ci` and `npm install` (the `prepare` script): compiles the CLI for the installed
// bin, `npm start` and the Docker image into dist/, which bin/tradewatch.js imports. Plain JavaScript: it needs only
// esbuild (a devDependency); types are checked by `npm run typecheck`, not here.
//
// The entry points keep their paths (dist/src/cli/main.js, dist/pipelines/<name>.js, dist/src/run/trade-worker.js);
// the modules they share go to dist/chunks/. Bundling is what makes the start fast: Node loads a few dozen files
// instead of ~400 ES modules (ours, apache-arrow's and zod's). The other dependencies stay in node_modules (external):
// CommonJS packages, parquet-wasm's .wasm file. The modules a command needs are split off and loaded when it runs.
// It builds into a fresh folder and then replaces dist/ with it, so that nothing removed from the sources lingers.
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Dependencies bundled into dist/ (ES modules of many files each); every other dependency is loaded from node_modules. */
const BUNDLED = ['apache-arrow', 'zod'];

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pipelines = readdirSync(join(root, 'pipelines')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
const fresh = join(root, `.dist-build-${process.pid}`);
try {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/cli/main.ts', 'src/run/trade-worker.ts', ...pipelines.map((f) => `pipelines/${f}`)],
    outbase: '.',
    outdir: fresh,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: Object.keys(pkg.dependencies).filter((d) => !BUNDLED.includes(d)),
    // stack traces name src/…ts lines when TRADEWATCH_DEBUG is set (bin/tradewatch.js then enables source maps)
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    metafile: true,
  });
  const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length;
  // which sources and packages went into which file, and what each file imports (test/cli/bin.test.ts reads it)
  writeFileSync(join(fresh, 'build-meta.json'), JSON.stringify(result.metafile).replaceAll(`${basename(fresh)}/`, 'dist/'));
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  renameSync(fresh, join(root, 'dist'));
  process.stdout.write(`build: dist/ (${files} files: src/cli/main.js, ${pipelines.length} pipelines, the trade worker and their shared chunks)\n`);
} catch (e) {
  rmSync(fresh, { recursive: true, force: true });
  process.stderr.write(`build: failed (${e instanceof Error ? e.message.split('\n')[0] : e}); dist/ left as it was\n`);
  process.exit(1);
}
