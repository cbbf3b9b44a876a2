import { join } from 'node:path';
import { CountryResolver, parseAreaTable } from '../reference/countries.ts';
// REFERENCE_DIR is resolved from import.meta.url, so the tables are found whatever the working directory.
import { REFERENCE_DIR } from './catalog.ts';
import { readReferenceText } from './reference-text.ts';

/** File names of the two area tables in `data/reference`, built by `scripts/build-reference-countries.ts`. */
export const AREA_TABLE_FILES = { comtrade: 'comtrade_areas.csv', baci: 'baci_countries.csv' } as const;

/** Reads `comtrade_areas.csv` and `baci_countries.csv` from `dataDir` into one resolver with shared ids. */
export async function loadCountryResolver(dataDir = REFERENCE_DIR): Promise<CountryResolver> {
  const [comtrade, baci] = await Promise.all(
    [AREA_TABLE_FILES.comtrade, AREA_TABLE_FILES.baci].map(async (f) => parseAreaTable(await readReferenceText(join(dataDir, f)), f)),
  );
  return new CountryResolver({ comtrade, baci });
}

