import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AreaSources,
  buildBaciCountryRows,
  buildComtradeAreaRows,
  checkTablesAgree,
  SOURCE_FILES,
} from '../../scripts/build-reference-countries.ts';
import { REFERENCE_DIR } from '../../src/io/catalog.ts';
import { AREA_TABLE_FILES, loadCountryResolver } from '../../src/io/reference.ts';
import { type AreaRow, CountryResolver, formatAreaTable, parseAreaTable } from '../../src/reference/countries.ts';

const resolver = await loadCountryResolver();
const iso3Of = (id: number) => (id < 0 ? null : resolver.iso3[id]);
const kindOf = (id: number) => (id < 0 ? null : resolver.kind[id]);
const bytes = (s: string) => new TextEncoder().encode(s);

describe('the committed area tables', () => {
  it.each([
    [842, 'USA'],
    [251, 'FRA'],
    [699, 'IND'],
    [757, 'CHE'],
    [579, 'NOR'],
    [381, 'ITA'],
    [380, 'ITA'],
    [280, 'DEU'],
    [710, 'ZAF'],
    [736, 'SDN'],
  ])('Comtrade %i → %s, a country', (code, iso3) => {
    expect(iso3Of(resolver.comtrade(code))).toBe(iso3);
    expect(kindOf(resolver.comtrade(code))).toBe('country');
  });

  it('maps 490 "Other Asia, nes" to Taiwan in both systems, although it is in the non-country list', () => {
    const twn = resolver.fromIso3('TWN');
    expect(twn).toBeGreaterThanOrEqual(0);
    expect(resolver.comtrade(490)).toBe(twn);
    expect(resolver.baci(490)).toBe(twn);
    expect(resolver.fromIso3('S19')).toBe(twn);
    expect(resolver.kind[twn]).toBe('country');
  });

  it('shares ids across systems', () => {
    const usa = resolver.fromIso3('USA');
    expect([resolver.comtrade(842), resolver.baci(842)]).toEqual([usa, usa]);
    expect([resolver.comtrade(276), resolver.comtrade(280), resolver.baci(280)]).toEqual(Array(3).fill(resolver.fromIso3('DEU')));
    expect([resolver.comtrade(380), resolver.comtrade(381), resolver.baci(380)]).toEqual(Array(3).fill(resolver.fromIso3('ITA')));
    expect(resolver.comtrade(711)).toBe(resolver.baci(711));
  });

  it('resolves World, non-country areas and aggregates to their own kinds', () => {
    const world = resolver.comtrade(0);
    expect([iso3Of(world), kindOf(world)]).toEqual(['WLD', 'world']);
    expect(resolver.fromIso3('WLD')).toBe(world);
    expect(resolver.fromIso3('W00')).toBe(world);
    for (const code of [899, 837, 838, 839, 457, 536]) {
      expect([iso3Of(resolver.comtrade(code)), kindOf(resolver.comtrade(code))]).toEqual([`_${code}`, 'non_country']);
    }
    expect(kindOf(resolver.baci(697))).toBe('non_country');
    for (const code of [97, 711]) {
      expect([iso3Of(resolver.comtrade(code)), kindOf(resolver.comtrade(code))]).toEqual([`_${code}`, 'aggregate']);
    }
    // SACU is not South Africa, whatever isoCodes.csv says.
    expect(resolver.comtrade(711)).not.toBe(resolver.fromIso3('ZAF'));
    expect(resolver.baci(711)).not.toBe(resolver.fromIso3('ZAF'));
    expect(resolver.fromIso3('ZA1')).toBe(resolver.baci(711));
  });

  it('gives -1 for unknown codes', () => {
    for (const code of [1, 999, -1, 1.5, Number.NaN, 100_000]) expect(resolver.comtrade(code)).toBe(-1);
    expect(resolver.baci(0)).toBe(-1); // BACI has no World row
    for (const code of ['XYZ', '', 'US', 'USAA', 'U A', '_', '_0899', '_12345', 'ÄÖÜ']) expect(resolver.fromIso3(code)).toBe(-1);
  });

  it('reads ISO3 from bytes as fromIso3 does, for every label and alias', () => {
    const buf = bytes(`,${resolver.iso3.join(',')},S19,W00,usa,XYZ,_0899,`);
    let start = 1;
    for (let end = 1; end < buf.length; end++) {
      if (buf[end] !== 0x2c) continue;
      const text = new TextDecoder().decode(buf.subarray(start, end));
      expect(resolver.fromIso3Bytes(buf, start, end), text).toBe(resolver.fromIso3(text));
      start = end + 1;
    }
    resolver.iso3.forEach((label, id) => expect(resolver.fromIso3(label)).toBe(id));
    expect(resolver.fromIso3Bytes(bytes('USA'), 1, 4)).toBe(-1);
  });
});

describe('parseAreaTable', () => {
  const header = 'code,iso3,kind,name\n';

  it('round-trips through formatAreaTable, quoting names with commas', () => {
    const rows: AreaRow[] = [
      { code: 251, iso3: 'FRA', kind: 'country', name: 'France, Monaco' },
      { code: 899, iso3: '_899', kind: 'non_country', name: 'Areas, "nes"' },
    ];
    const text = formatAreaTable(rows);
    expect(text).toBe(`${header}251,FRA,country,"France, Monaco"\n899,_899,non_country,"Areas, ""nes"""\n`);
    expect(parseAreaTable(text)).toEqual(rows);
  });

  it('names the line of a bad row', () => {
    expect(() => parseAreaTable(`${header}842,USA,country,USA\n899,XXX,non_country,Areas nes\n`, 't.csv')).toThrow(
      "t.csv line 3, column iso3: 'XXX' should be '_899' for a non_country row (never a real ISO3)",
    );
    expect(() => parseAreaTable(`${header}842,USA,nation,USA\n`)).toThrow(/line 2, column kind: 'nation'/);
    expect(() => parseAreaTable(`${header}842,USA,country\n`)).toThrow('area table line 2: 3 fields, expected 4');
    expect(() => parseAreaTable(`${header}842,USA,country,USA\n\n842,USA,country,USA\n`)).toThrow(/line 4, column code: '842' repeats the code of line 2/);
    expect(() => parseAreaTable('code,iso3,name\n')).toThrow(/^area table line 1: expected the header/);
  });
});

describe('CountryResolver', () => {
  const row = (code: number, iso3: string, kind: AreaRow['kind'] = 'country'): AreaRow => ({ code, iso3, kind, name: iso3 });

  it('orders ids by label whatever the row order', () => {
    const a = new CountryResolver({ comtrade: [row(842, 'USA'), row(4, 'AFG')], baci: [row(899, '_899', 'non_country')] });
    expect(a.iso3).toEqual(['AFG', 'USA', '_899']);
    expect(a.kind).toEqual(['country', 'country', 'non_country']);
    expect(a.baci(899)).toBe(2);
  });

  it('refuses a label given two kinds, a repeated code and a label the kind does not allow', () => {
    expect(() => new CountryResolver({ comtrade: [row(711, '_711', 'aggregate')], baci: [row(711, '_711', 'non_country')] })).toThrow(
      '_711 is aggregate in one row and non_country in baci code 711',
    );
    expect(() => new CountryResolver({ comtrade: [row(842, 'USA'), row(842, 'USA')], baci: [] })).toThrow('comtrade code 842 appears twice');
    expect(() => new CountryResolver({ comtrade: [row(711, 'ZAF', 'aggregate')], baci: [] })).toThrow(/iso3 'ZAF' should be '_711'/);
  });
});

const realData = resolve(process.env.TRADEWATCH_REAL_DATA ?? '../shared/data');
const haveSources = Object.values(SOURCE_FILES).every((f) => existsSync(join(realData, f)));

describe.skipIf(!haveSources)(`scripts/build-reference-countries.ts on ${realData}${haveSources ? '' : ' (skipped: source files missing)'}`, () => {
  it('reproduces the committed tables, which agree on the codes they share', async () => {
    const entries = await Promise.all(Object.entries(SOURCE_FILES).map(async ([k, f]) => [k, await readFile(join(realData, f), 'utf8')]));
    const src = Object.fromEntries(entries) as AreaSources;
    const comtrade = buildComtradeAreaRows(src);
    const baci = buildBaciCountryRows(src.baciCodes);
    expect(() => checkTablesAgree(comtrade, baci)).not.toThrow();
    expect(formatAreaTable(comtrade)).toBe(await readFile(join(REFERENCE_DIR, AREA_TABLE_FILES.comtrade), 'utf8'));
    expect(formatAreaTable(baci)).toBe(await readFile(join(REFERENCE_DIR, AREA_TABLE_FILES.baci), 'utf8'));
  });
});

const baciFiles = ['baci_2022.csv', 'baci_2024.csv'].map((f) => join(realData, 'comtrade-atlas', 'baci_recon', f));
const haveBaci = baciFiles.every(existsSync);

describe.skipIf(!haveBaci)(`BACI ISO3 codes in ${realData}/comtrade-atlas/baci_recon${haveBaci ? '' : ' (skipped: files missing)'}`, () => {
  it.each(baciFiles)('every exporter and importer of %s resolves', async (file) => {
    const buf = await readFile(file);
    const lines = buf.toString('utf8').split(/\r?\n/);
    expect(lines[0].split(',').slice(0, 2)).toEqual(['i', 'j']);
    const unknown = new Set<string>();
    for (const line of lines.slice(1)) {
      if (line === '') continue;
      const [i, j] = line.split(',');
      for (const code of [i, j]) if (resolver.fromIso3(code) < 0) unknown.add(code);
    }
    expect([...unknown], `unresolved BACI codes in ${file}`).toEqual([]);

    // The byte path agrees with the text path on the real file (columns i and j are the first two).
    let pos = buf.indexOf(0x0a) + 1;
    while (pos < buf.length) {
      const c1 = buf.indexOf(0x2c, pos);
      const c2 = buf.indexOf(0x2c, c1 + 1);
      const i = resolver.fromIso3Bytes(buf, pos, c1);
      const j = resolver.fromIso3Bytes(buf, c1 + 1, c2);
      if (i < 0 || j < 0) throw new Error(`byte lookup failed at offset ${pos}`);
      const nl = buf.indexOf(0x0a, c2);
      pos = nl < 0 ? buf.length : nl + 1;
    }
  });
});

const comtradeFile = join(realData, 'comtrade-atlas', 'raw_comtrade', 'comtrade_2022.csv');
const haveComtrade = existsSync(comtradeFile);

describe.skipIf(!haveComtrade)(`Comtrade area codes in ${comtradeFile}${haveComtrade ? '' : ' (skipped: file missing)'}`, () => {
  it('resolves every reporter and partner', async () => {
    const lines = (await readFile(comtradeFile, 'utf8')).split(/\r?\n/);
    const header = lines[0].split(',');
    const cols = { reporter: header.indexOf('reporter'), partner: header.indexOf('partner') };
    expect(Math.min(cols.reporter, cols.partner)).toBeGreaterThanOrEqual(0);
    const unknown = new Map<string, number>();
    const kinds = new Map<string, number>();
    for (const line of lines.slice(1)) {
      if (line === '') continue;
      const f = line.split(',');
      for (const [role, col] of Object.entries(cols)) {
        const id = resolver.comtrade(Number(f[col]));
        if (id < 0) unknown.set(`${role} ${f[col]}`, (unknown.get(`${role} ${f[col]}`) ?? 0) + 1);
        else kinds.set(resolver.kind[id], (kinds.get(resolver.kind[id]) ?? 0) + 1);
      }
    }
    const list = [...unknown].map(([k, n]) => `${k} (${n} rows)`).join(', ');
    expect(unknown.size, `unresolved Comtrade codes: ${list}`).toBe(0);
    // The file has World and non-country partners, and Taiwan as a country.
    expect([...kinds.keys()].sort()).toEqual(['country', 'non_country', 'world']);
  });
});
