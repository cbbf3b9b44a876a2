import { join } from 'node:path';
import { type GeoTable, parseGeoTable } from '../reference/geo.ts';
// REFERENCE_DIR is resolved from import.meta.url, so the tables are found whatever the working directory.
import { REFERENCE_DIR } from './catalog.ts';
import { readReferenceText } from './reference-text.ts';

/** File names of the geography tables in `data/reference` (see `data/reference/SOURCES.md`). */
export const GEO_FILES = { geo: 'geo.csv', contiguity: 'contiguity.csv' } as const;

/** Reads `geo.csv` and `contiguity.csv` from `dir` into a {@link GeoTable}; errors name the file, line and column. */
export async function loadGeo(dir = REFERENCE_DIR): Promise<GeoTable> {
  // both read at once; a failure is reported for the first file in this order, whichever failed first in time
  const settled = await Promise.allSettled([GEO_FILES.geo, GEO_FILES.contiguity].map((f) => readReferenceText(join(dir, f))));
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  const [geo, contiguity] = settled.map((s) => (s as PromiseFulfilledResult<string>).value);
  return parseGeoTable({ geo, contiguity }, GEO_FILES);
}

