import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DIR } from '../../src/io/catalog.ts';
import { GEO_FILES, loadGeo } from '../../src/io/geo.ts';
import { AREA_TABLE_FILES } from '../../src/io/reference.ts';
import { parseAreaTable } from '../../src/reference/countries.ts';
import { haversineKm, parseGeoTable } from '../../src/reference/geo.ts';
import { REAL_DATA, realPath } from '../helpers.ts';

const geo = await loadGeo();
const text = async (f: string) => readFile(join(REFERENCE_DIR, f), 'utf8');
const geoText = await text(GEO_FILES.geo);
const contiguityText = await text(GEO_FILES.contiguity);
const countries = parseAreaTable(await text(AREA_TABLE_FILES.comtrade), AREA_TABLE_FILES.comtrade)
  .filter((r) => r.kind === 'country')
  .map((r) => r.iso3);

describe('the committed geo tables', () => {
  it('have one row per Comtrade country ISO3, no more, every field in the fixed format', () => {
    const lines = geoText.trimEnd().split('\n');
    expect(lines[0]).toBe('iso3,lat,lon,landlocked');
    for (const l of lines.slice(1)) expect(l).toMatch(/^[A-Z]{3},-?\d{1,2}\.\d\d,-?\d{1,3}\.\d\d,(true|false)$/);
    expect([...geo.iso3].sort()).toEqual([...new Set(countries)].sort());
    expect(lines.length - 1).toBe(geo.iso3.length);
  });

  it('list each border once, a < b, between known countries (the parser enforces it; this pins the file)', () => {
    const pairs = contiguityText.trimEnd().split('\n').slice(1).map((l) => l.split(','));
    expect(new Set(pairs.map((p) => p.join())).size).toBe(pairs.length);
    for (const [a, b] of pairs) {
      expect(a < b, `${a},${b}`).toBe(true);
      expect(geo.contiguous(a, b)).toBe(true);
      expect(geo.contiguous(b, a)).toBe(true);
    }
    expect(pairs.length).toBeGreaterThan(300);
  });

  it('measures Paris–Berlin at about 878 km and Shanghai–New York (CHN–USA) across the Pacific', () => {
    expect(geo.distanceKm('FRA', 'DEU')).toBeGreaterThan(873);
    expect(geo.distanceKm('FRA', 'DEU')).toBeLessThan(883);
    expect(geo.distanceKm('DEU', 'FRA')).toBe(geo.distanceKm('FRA', 'DEU'));
    const chnUsa = geo.distanceKm('CHN', 'USA')!;
    expect(chnUsa).toBeGreaterThan(10_500);
    expect(chnUsa).toBeLessThan(13_000);
    expect(geo.distanceKm('FRA', 'FRA')).toBe(0);
  });

  it('knows borders both ways, and that a sea is not a border', () => {
    expect(geo.contiguous('FRA', 'DEU')).toBe(true);
    expect(geo.contiguous('DEU', 'FRA')).toBe(true);
    expect(geo.contiguous('FRA', 'USA')).toBe(false);
    expect(geo.contiguous('CHN', 'RUS')).toBe(true);
    expect(geo.contiguous('USA', 'MEX')).toBe(true);
    expect(geo.contiguous('ZAF', 'LSO')).toBe(true);
    expect(geo.contiguous('GBR', 'FRA')).toBe(false);
    expect(geo.contiguous('FRA', 'FRA')).toBe(false);
  });

  it('knows the landlocked countries, BACI’s FOB reporters among them', () => {
    for (const c of ['CHE', 'AUT', 'KAZ', 'MNG', 'BOL', 'PRY', 'ETH', 'LSO', 'BWA', 'SWZ', 'ZMB']) expect(geo.landlocked(c), c).toBe(true);
    for (const c of ['FRA', 'CHN', 'USA', 'ZAF', 'NAM', 'GEO', 'DZA']) expect(geo.landlocked(c), c).toBe(false);
  });

  it('returns null for unknown countries and accepts BACI’s S19 for Taiwan', () => {
    expect(geo.distanceKm('XXX', 'FRA')).toBeNull();
    expect(geo.contiguous('FRA', '_899')).toBeNull();
    expect(geo.landlocked('WLD')).toBeNull();
    expect(geo.distanceKm('S19', 'CHN')).toBe(geo.distanceKm('TWN', 'CHN'));
    expect(geo.landlocked('S19')).toBe(false);
  });
});

describe('haversineKm', () => {
  it.each([
    ['a quarter of the equator', 0, 0, 0, 90, 10_007.5],
    ['pole to pole', 90, 0, -90, 0, 20_015.1],
    ['antipodes on the equator', 0, 0, 0, 180, 20_015.1],
    ['across the date line', 0, 179.5, 0, -179.5, 111.2],
  ])('%s', (_, lat1, lon1, lat2, lon2, km) => {
    expect(haversineKm(lat1, lon1, lat2, lon2)).toBeCloseTo(km, 0);
  });
});

describe('parseGeoTable', () => {
  const head = 'iso3,lat,lon,landlocked\n';
  const twoRows = `${head}AAA,1.00,2.00,false\nBBB,-3.50,4.25,true\n`;
  const parse = (geoCsv: string, contiguity = 'iso3_a,iso3_b\n') => parseGeoTable({ geo: geoCsv, contiguity });

  it('parses a small table, with an empty border list and CRLF endings', () => {
    const t = parse(twoRows.replace(/\n/g, '\r\n'));
    expect(t.iso3).toEqual(['AAA', 'BBB']);
    expect(t.landlocked('BBB')).toBe(true);
    expect(t.contiguous('AAA', 'BBB')).toBe(false);
    expect(t.distanceKm('AAA', 'BBB')).toBeCloseTo(haversineKm(1, 2, -3.5, 4.25), 9);
  });

  it('parses an empty table (header only)', () => {
    const t = parse(head);
    expect(t.iso3).toEqual([]);
    expect(t.distanceKm('AAA', 'BBB')).toBeNull();
  });

  it('accepts coordinates exactly at the limits', () => {
    const t = parse(`${head}AAA,90,180,false\nBBB,-90.00,-180.00,false\n`);
    expect(t.distanceKm('AAA', 'BBB')).toBeCloseTo(Math.PI * 6371.0088, 6);
  });

  it.each([
    ['iso3,lat,lon\n', 'geo.csv line 1: expected the header \'iso3,lat,lon,landlocked\', found \'iso3,lat,lon\''],
    [`${head}AAA,1,2\n`, 'geo.csv line 2: 3 fields, expected 4'],
    [`${head}aaa,1,2,false\n`, "geo.csv line 2, column iso3: 'aaa' is not an uppercase ISO3 code"],
    [`${head}AAA,90.01,2,false\n`, "geo.csv line 2, column lat: '90.01' is not a latitude in degrees, -90 to 90"],
    [`${head}AAA,,2,false\n`, "geo.csv line 2, column lat: '' is not a latitude in degrees, -90 to 90"],
    [`${head}AAA,1,1e2,false\n`, "geo.csv line 2, column lon: '1e2' is not a longitude in degrees, -180 to 180"],
    [`${head}AAA,1,2,yes\n`, "geo.csv line 2, column landlocked: 'yes' is not true or false"],
    [`${twoRows}AAA,1,2,false\n`, "geo.csv line 4, column iso3: 'AAA' repeats the country of line 2"],
  ])('rejects a bad geo row: %j', (geoCsv, message) => {
    expect(() => parse(geoCsv)).toThrow(message);
  });

  it.each([
    ['iso3_a,iso3_b\nAAA,CCC\n', "contiguity.csv line 2, column iso3_b: 'CCC' has no row in geo.csv"],
    ['iso3_a,iso3_b\nBBB,AAA\n', "contiguity.csv line 2, column iso3_b: 'AAA' must sort after iso3_a 'BBB' (each pair once, a < b)"],
    ['iso3_a,iso3_b\nAAA,AAA\n', "contiguity.csv line 2, column iso3_b: 'AAA' must sort after iso3_a 'AAA' (each pair once, a < b)"],
    ['iso3_a,iso3_b\nAAA,BBB\n\nAAA,BBB\n', "contiguity.csv line 4, column iso3_a: 'AAA' repeats the pair of line 2"],
    ['a,b\n', "contiguity.csv line 1: expected the header 'iso3_a,iso3_b', found 'a,b'"],
  ])('rejects a bad contiguity row: %j', (contiguity, message) => {
    expect(() => parse(twoRows, contiguity)).toThrow(message);
  });

  it('names the files it was given', () => {
    expect(() => parseGeoTable({ geo: `${head}A,1,2,false\n`, contiguity: '' }, { geo: 'x/geo.csv', contiguity: 'x/c.csv' })).toThrow(
      "x/geo.csv line 2, column iso3: 'A' is not an uppercase ISO3 code",
    );
  });

  it('loadGeo fails naming the missing file', async () => {
    await expect(loadGeo('/nonexistent-dir')).rejects.toThrow('/nonexistent-dir/geo.csv: cannot read (ENOENT)');
  });
});

const baciFile = REAL_DATA ? realPath('comtrade-atlas/baci_recon/baci_2022.csv') : null;
const haveBaci = baciFile !== null && existsSync(baciFile);

describe.skipIf(!haveBaci)(`every country in BACI 2022 has a geo row${haveBaci ? '' : ' (skipped: real data absent, set TRADEWATCH_REAL_DATA)'}`, () => {
  it('covers every exporter i and importer j (S19 = Taiwan)', async () => {
    const lines = (await readFile(baciFile!, 'utf8')).trimEnd().split(/\r?\n/);
    expect(lines[0]).toBe('i,j,cmd,value');
    const codes = new Set<string>();
    for (const l of lines.slice(1)) {
      const [i, j] = l.split(',', 2);
      codes.add(i).add(j);
    }
    expect(codes.has('S19')).toBe(true);
    expect([...codes].filter((c) => geo.indexOf(c) < 0)).toEqual([]);
  });
});
