import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../io/project-paths.ts';

// read, not imported: a JSON import would be copied into dist/ by the build and warns (experimental) on Node 20
const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };

/** tradewatch's version, recorded in every manifest. */
export const VERSION: string = pkg.version;
