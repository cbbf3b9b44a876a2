#!/usr/bin/env node
// The installed command (npm links it as `tradewatch`; the Docker image's entry point). It runs the compiled CLI of
// dist/, which `npm ci` and `npm install` build (the `prepare` script; `npm run build` after editing the sources).
// From the TypeScript sources without a build: `npm run tradewatch -- <command>`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(`tradewatch: the compiled CLI ${fileURLToPath(entry)} is missing: run \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}\n`);
  process.exit(1);
}
// a failure's stack (printed under TRADEWATCH_DEBUG) then names the TypeScript sources, not dist/'s bundles
if (process.env.TRADEWATCH_DEBUG) process.setSourceMapsEnabled(true);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
