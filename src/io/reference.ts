import { join } from 'node:path';
import { CountryCodeIndex, parseIso2Table } from '../reference/country-codes.ts';
import { CountryNameIndex, parseNameAliases } from '../reference/country-names.ts';
import { CountryResolver, parseAreaTable } from '../reference/countries.ts';
import { parseCountryList } from '../reference/country-list.ts';
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


/** ISO3 → country name, from the Comtrade area table (the shortest of a country's names: "India", not "India, excluding Sikkim"). */
export async function loadCountryNames(dataDir = REFERENCE_DIR): Promise<Map<string, string>> {
  const rows = parseAreaTable(await readReferenceText(join(dataDir, AREA_TABLE_FILES.comtrade)), AREA_TABLE_FILES.comtrade);
  const names = new Map<string, string>();
  for (const r of rows) if (r.kind === 'country' && (!names.has(r.iso3) || r.name.length < names.get(r.iso3)!.length)) names.set(r.iso3, r.name);
  return names;
}

/** File name of the list of reporters that record imports FOB, in `data/reference`. */
export const FOB_IMPORT_REPORTERS_FILE = 'fob_import_reporters.csv';

/** The reporters that record imports FOB (`fob_import_reporters.csv`: iso3, name, source). */
export async function loadFobImportReporters(dataDir = REFERENCE_DIR): Promise<ReadonlySet<string>> {
  return parseCountryList(await readReferenceText(join(dataDir, FOB_IMPORT_REPORTERS_FILE)), FOB_IMPORT_REPORTERS_FILE);
}

/** File name of the list of entrepôts, in `data/reference`. */
export const ENTREPOTS_FILE = 'entrepots.csv';

/** The entrepôts (`entrepots.csv`: iso3, name, source): their gaps are transit, shown with reason `entrepot`. */
export async function loadEntrepots(dataDir = REFERENCE_DIR): Promise<ReadonlySet<string>> {
  return parseCountryList(await readReferenceText(join(dataDir, ENTREPOTS_FILE)), ENTREPOTS_FILE);
}

/** Country names → ISO3 (area-table names and `country_name_aliases.csv`), for layouts that name countries. */
export async function loadCountryNameIndex(dataDir = REFERENCE_DIR): Promise<CountryNameIndex> {
  const rows = parseAreaTable(await readReferenceText(join(dataDir, AREA_TABLE_FILES.comtrade)), AREA_TABLE_FILES.comtrade);
  const aliases = parseNameAliases(await readReferenceText(join(dataDir, 'country_name_aliases.csv')));
  return new CountryNameIndex(rows, aliases);
}

/** Declaration country codes (ISO3, and ISO2 through `iso2_countries.csv`) over the area tables' countries. */
export async function loadCountryCodeIndex(dataDir = REFERENCE_DIR, resolver?: CountryResolver): Promise<CountryCodeIndex> {
  const iso2 = parseIso2Table(await readReferenceText(join(dataDir, 'iso2_countries.csv')));
  return new CountryCodeIndex(resolver ?? (await loadCountryResolver(dataDir)), iso2);
}
