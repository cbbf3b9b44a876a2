import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type GeoTable, parseGeoTable } from '../reference/geo.ts';
import { InputError } from '../run/errors.ts';
// REFERENCE_DIR is resolved from import.meta.url, so the tables are found whatever the working directory.
import { REFERENCE_DIR } from './catalog.ts';

/** File names of the geography tables in `data/reference` (see `data/reference/SOURCES.md`). */
export const GEO_FILES = { geo: 'geo.csv', contiguity: 'contiguity.csv' } as const;

/** Reads `geo.csv` and `contiguity.csv` from `dir` into a {@link GeoTable}; errors name the file, line and column. */
export async function loadGeo(dir = REFERENCE_DIR): Promise<GeoTable> {
  const [geo, contiguity] = await Promise.all([GEO_FILES.geo, GEO_FILES.contiguity].map((f) => readText(join(dir, f))));
  return parseGeoTable({ geo, contiguity }, GEO_FILES);
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
