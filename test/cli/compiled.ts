/**
 * The compiled CLI (dist/, `npm run build`) for the tests that run the installed bin: built here when it is missing
 * or older than the sources, so that `npm test` on a developer's machine never tests a stale build.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'tradewatch.js');
export const DIST = join(ROOT, 'dist');
/** Written last by scripts/build.mjs: its time is the build's. */
export const BUILD_META = join(DIST, 'build-meta.json');

/** What the build reads: a change to any of these makes dist/ stale (and the Dockerfile's build stage copies them). */
export const BUILD_INPUTS = ['src', 'pipelines', 'scripts/build.mjs', 'package.json', 'tsconfig.json'];

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

function builtAt(): number | null {
  try {
    return statSync(BUILD_META).mtimeMs;
  } catch {
    return null;
  }
}

/** Builds dist/ unless it is newer than every input of the build. */
export function ensureBuilt(): void {
  const built = builtAt();
  if (built !== null && built >= Math.max(...BUILD_INPUTS.map((p) => newestMtime(join(ROOT, p))))) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed (${r.status}): ${r.stderr}`);
}
