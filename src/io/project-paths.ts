import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the project's files are, so that they are found whatever the working directory, both from the TypeScript
 * sources (tsx, vitest: this module is `src/io/project-paths.ts`) and from the compiled output (`npm run build`, run
 * by the installed bin, `npm start` and the Docker image: `dist/`, where scripts/build.mjs bundles this module into a
 * shared chunk at some depth of its own).
 *
 * Data (`data/`, `package.json`) stays where it is and is found from {@link PROJECT_ROOT}; code that is loaded by
 * path (`pipelines/`, the trade worker) is found in {@link CODE_DIR}.
 */

/** True when running the compiled JavaScript of `dist/`, false on the TypeScript sources. */
export const COMPILED = import.meta.url.endsWith('.js');

/** The extension of the project's own modules as they run: `.js` compiled, `.ts` from the sources. */
export const MODULE_EXT = COMPILED ? '.js' : '.ts';

/** The project's root folder (package.json, data/, pipelines/, dist/): the nearest folder above this module with a package.json. */
export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** The folder whose `src/` and `pipelines/` run: `dist/` compiled, the project's root from the sources. */
export const CODE_DIR = COMPILED ? join(PROJECT_ROOT, 'dist') : PROJECT_ROOT;

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`tradewatch: no package.json above ${from}: the project's files cannot be found`);
  }
}
