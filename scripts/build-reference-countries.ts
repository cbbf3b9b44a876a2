/**
 * Builds `data/reference/comtrade_areas.csv` and `data/reference/baci_countries.csv` (code,iso3,kind,name)
 * from the Comtrade area lists in `../shared/data/comtrade-areas/` (UN Comtrade via UK-BIS-Analysis/trademap;
 * `areas_not_specified.csv` from harvard-growth-lab/comtrade-mirroring, Apache-2.0) and CEPII BACI's
 * country table in `../shared/data/comtrade-atlas/reference/`. The manual rules below are the judgements;
 * `data/reference/SOURCES.md` explains each.
 *
 *   npx tsx scripts/build-reference-countries.ts        # TRADEWATCH_REAL_DATA overrides ../shared/data
 *
 * Re-runnable: the output depends only on the source files and the rules here, sorted by code.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { REFERENCE_DIR } from '../src/io/catalog.ts';
import { AREA_TABLE_FILES } from '../src/io/reference.ts';
import { type AreaRow, CountryResolver, formatAreaTable } from '../src/reference/countries.ts';

/** The source files, relative to the shared data folder. */
export const SOURCE_FILES = {
  isoCodes: 'comtrade-areas/isoCodes.csv',
  notSpecified: 'comtrade-areas/areas_not_specified.csv',
  reporterAreas: 'comtrade-areas/reporterAreas.json',
  partnerAreas: 'comtrade-areas/partnerAreas.json',
  baciCodes: 'comtrade-atlas/reference/baci_country_codes_V202601.csv',
} as const;

/** The source files' text, keyed as {@link SOURCE_FILES}. */
export type AreaSources = Record<keyof typeof SOURCE_FILES, string>;

/** Codes whose ISO3 the brief fixes and isoCodes.csv must already agree with (Comtrade's non-ISO codes). */
const EXPECTED_FROM_ISOCODES: ReadonlyMap<number, string> = new Map([
  [842, 'USA'],
  [251, 'FRA'],
  [699, 'IND'],
  [757, 'CHE'],
  [579, 'NOR'],
  [381, 'ITA'],
  [280, 'DEU'],
]);

/** Codes mapped to a country before anything else, overriding a NULL ISO3 and the non-country list. */
const COUNTRY_OVERRIDES: ReadonlyMap<number, string> = new Map([
  [490, 'TWN'], // "Other Asia, nes" is Taiwan in practice; it is also in areas_not_specified.csv
  [736, 'SDN'], // Fmr Sudan (…2011), as BACI maps it; like 230 Fmr Ethiopia → ETH in isoCodes
  [849, 'PUS'], // US Misc. Pacific Isds: ISO 3166-3 historical code, as BACI has it (581 stays UMI)
]);

/** Codes that double-count their members; isoCodes gives 711 ZAF and 97 EU2, neither usable. */
const AGGREGATES: ReadonlySet<number> = new Set([97, 711]);

/** Codes whose ISO3 in isoCodes.csv is wrong or withdrawn, with the current ISO 3166-1 code (BACI agrees where it has them). */
const ISO3_FIXES: ReadonlyMap<number, string> = new Map([
  [10, 'ATA'], // Antarctica: isoCodes says ANT, which is Netherlands Antilles (530, 532)
  [533, 'ABW'], // Aruba: isoCodes says ARB
  [626, 'TLS'], // Timor-Leste: TMP withdrawn in 2002
  [642, 'ROU'], // Romania: ROM withdrawn in 2002
]);

/**
 * Codes with no ISO3 in isoCodes.csv that stay non-country: parts of a present-day country or an entity
 * split among several, all older than HS data (1988), so no mapping is guessed.
 */
const NO_ISO3_NON_COUNTRY: ReadonlySet<number> = new Set([
  457, // Sarawak
  459, // Peninsula Malaysia
  461, // Sabah
  536, // Neutral Zone (Saudi Arabia–Kuwait/Iraq)
  647, // Ryukyu Isd (under US administration until 1972)
  698, // Sikkim (India since 1975; 356 is "India, excluding Sikkim")
  717, // Fmr Rhodesia Nyasaland (now ZWE, ZMB, MWI)
  835, // Fmr Tanganyika (part of TZA since 1964)
  836, // Fmr Zanzibar and Pemba (part of TZA since 1964)
]);

/** Comtrade codes missing from isoCodes.csv: in the JSON area lists (531, 534) or used by Comtrade+ data (380, 652). */
const EXTRA_COUNTRIES: readonly AreaRow[] = [
  { code: 380, iso3: 'ITA', kind: 'country', name: 'Italy' }, // Comtrade+ reports Italy as 380; 381 is the older code
  { code: 531, iso3: 'CUW', kind: 'country', name: 'Curaçao' },
  { code: 534, iso3: 'SXM', kind: 'country', name: 'Saint Maarten' },
  { code: 652, iso3: 'BLM', kind: 'country', name: 'Saint Barthélemy' }, // a partner in raw_comtrade 2022 and 2024
];

/** BACI's rows that are not plain countries, with the text code BACI gives them. */
const BACI_SPECIAL: ReadonlyMap<number, { baciIso3: string; row: (code: number, name: string) => AreaRow }> = new Map([
  [490, { baciIso3: 'S19', row: (code, name) => ({ code, iso3: 'TWN', kind: 'country' as const, name }) }],
  [697, { baciIso3: 'R20', row: (code, name) => ({ code, iso3: `_${code}`, kind: 'non_country' as const, name }) }],
  [711, { baciIso3: 'ZA1', row: (code, name) => ({ code, iso3: `_${code}`, kind: 'aggregate' as const, name }) }],
]);

/** The Comtrade area table: every code of isoCodes.csv, areas_not_specified.csv and the JSON lists, sorted by code. */
export function buildComtradeAreaRows(src: AreaSources): AreaRow[] {
  const iso = parse(src.isoCodes, { columns: true, relax_column_count: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
  const notSpecified = parse(src.notSpecified, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
  const nonCountry = new Map(notSpecified.map((r) => [Number(r.PartnerCode), clean(r.PartnerDesc)]));
  const rows = new Map<number, AreaRow>();

  for (const r of iso) {
    const code = Number(r.unCode);
    const raw = (r.iso3letter ?? '').trim();
    const name = clean(r.name);
    if (r.unCode === '' || !Number.isInteger(code) || rows.has(code)) throw new Error(`isoCodes.csv: bad or repeated unCode '${r.unCode}'`);
    const expected = EXPECTED_FROM_ISOCODES.get(code);
    if (expected !== undefined && raw !== expected) throw new Error(`isoCodes.csv: ${code} has ISO3 '${raw}', expected ${expected}`);
    rows.set(code, classify(code, raw, name, nonCountry.has(code)));
  }
  // Non-country codes the ISO table lacks (none today) still belong in the table.
  for (const [code, name] of nonCountry) {
    if (!rows.has(code)) rows.set(code, classify(code, '', name, true));
  }
  for (const extra of EXTRA_COUNTRIES) {
    if (rows.has(extra.code)) throw new Error(`${extra.code} is now in isoCodes.csv: drop it from EXTRA_COUNTRIES`);
    rows.set(extra.code, extra);
  }
  for (const file of ['reporterAreas', 'partnerAreas'] as const) {
    for (const { id, text } of (JSON.parse(src[file]) as { results: { id: string; text: string }[] }).results) {
      if (id !== 'all' && !rows.has(Number(id))) throw new Error(`${file}.json: ${id} '${text}' has no rule; add it to EXTRA_COUNTRIES`);
    }
  }
  return [...rows.values()].sort((a, b) => a.code - b.code);
}

/** The BACI country table: every row of BACI's country codes, Taiwan as TWN and its two non-country rows labelled. */
export function buildBaciCountryRows(baciCodes: string): AreaRow[] {
  const rows = parse(baciCodes, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
  return rows
    .map((r): AreaRow => {
      const code = Number(r.country_code);
      const name = clean(fixMojibake(r.country_name));
      const special = BACI_SPECIAL.get(code);
      if (special) {
        if (r.country_iso3 !== special.baciIso3) throw new Error(`BACI code ${code} has ISO3 '${r.country_iso3}', expected ${special.baciIso3}`);
        return special.row(code, name);
      }
      if (!/^[A-Z]{3}$/.test(r.country_iso3)) throw new Error(`BACI code ${code} '${name}' has ISO3 '${r.country_iso3}' and no rule`);
      return { code, iso3: r.country_iso3, kind: 'country', name };
    })
    .sort((a, b) => a.code - b.code);
}

/** Throws when a code present in both tables resolves to a different label or kind, listing every difference. */
export function checkTablesAgree(comtrade: readonly AreaRow[], baci: readonly AreaRow[]): void {
  const byCode = new Map(comtrade.map((r) => [r.code, r]));
  const diffs = baci.flatMap((b) => {
    const c = byCode.get(b.code);
    return c && (c.iso3 !== b.iso3 || c.kind !== b.kind) ? [`${b.code}: Comtrade ${c.iso3} ${c.kind}, BACI ${b.iso3} ${b.kind}`] : [];
  });
  if (diffs.length) throw new Error(`the tables disagree on shared codes:\n${diffs.join('\n')}`);
}

/** Country ISO3 codes that several codes of one table map to, e.g. DEU ← 276, 280. */
export function sharedIso3(rows: readonly AreaRow[]): Map<string, number[]> {
  const codes = new Map<string, number[]>();
  for (const r of rows) if (r.kind === 'country') codes.set(r.iso3, [...(codes.get(r.iso3) ?? []), r.code]);
  return new Map([...codes].filter(([, c]) => c.length > 1).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function classify(code: number, rawIso3: string, name: string, notSpecified: boolean): AreaRow {
  // Order matters: 490 is in the non-country list but is Taiwan.
  const override = COUNTRY_OVERRIDES.get(code);
  if (override) return { code, iso3: override, kind: 'country', name };
  if (code === 0) return { code, iso3: 'WLD', kind: 'world', name };
  if (AGGREGATES.has(code)) return { code, iso3: `_${code}`, kind: 'aggregate', name };
  if (notSpecified) return { code, iso3: `_${code}`, kind: 'non_country', name };
  const fixed = ISO3_FIXES.get(code);
  if (fixed) return { code, iso3: fixed, kind: 'country', name };
  if (rawIso3 === '' || rawIso3 === 'NULL') {
    if (!NO_ISO3_NON_COUNTRY.has(code)) throw new Error(`isoCodes.csv: ${code} '${name}' has no ISO3 and no rule`);
    return { code, iso3: `_${code}`, kind: 'non_country', name };
  }
  if (!/^[A-Z]{3}$/.test(rawIso3)) throw new Error(`isoCodes.csv: ${code} '${name}' has ISO3 '${rawIso3}' and no rule`);
  return { code, iso3: rawIso3, kind: 'country', name };
}

/** Trims and collapses runs of spaces (isoCodes has "Ile Bouvet  "). */
function clean(name: string): string {
  return name.trim().replace(/\s+/g, ' ');
}

/** Undoes UTF-8 read as Latin-1 (BACI's file has "CÃ´te d'Ivoire"); leaves other text alone. */
function fixMojibake(s: string): string {
  if (!/[\u00c2-\u00c5]/.test(s) || /[^\u0000-\u00ff]/.test(s)) return s;
  const fixed = Buffer.from(s, 'latin1').toString('utf8');
  return fixed.includes('\ufffd') ? s : fixed;
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const dataDir = process.env.TRADEWATCH_REAL_DATA ? resolve(process.env.TRADEWATCH_REAL_DATA) : resolve(root, '../shared/data');
  const entries = await Promise.all(
    Object.entries(SOURCE_FILES).map(async ([k, f]) => [k, await readFile(join(dataDir, f), 'utf8')] as const),
  );
  const src = Object.fromEntries(entries) as AreaSources;
  const comtrade = buildComtradeAreaRows(src);
  const baci = buildBaciCountryRows(src.baciCodes);
  checkTablesAgree(comtrade, baci);
  new CountryResolver({ comtrade, baci }); // throws on a label given two kinds
  for (const [file, rows] of [
    [AREA_TABLE_FILES.comtrade, comtrade],
    [AREA_TABLE_FILES.baci, baci],
  ] as const) {
    const out = join(REFERENCE_DIR, file);
    await writeFile(out, formatAreaTable(rows));
    const kinds = new Map<string, number>();
    for (const r of rows) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
    const shared = [...sharedIso3(rows)].map(([iso3, codes]) => `${iso3} ${codes.join('/')}`);
    console.log(`${out}: ${rows.length} rows (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); shared ISO3: ${shared.join(', ')}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    console.error((e as Error).message);
    process.exitCode = 1;
  });
}
