import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildHsCorrespondenceRows, readCorrelationTable, TABLE_FILES } from '../../scripts/build-hs-correspondence.ts';
import { loadCatalog, loadHsCorrespondence, REFERENCE_DIR } from '../../src/io/catalog.ts';
import { formatHsCorrespondence, normalizeHsRevision, parseHsCorrespondence } from '../../src/reference/hs-correspondence.ts';

const table = await loadHsCorrespondence();

describe('the committed HS correspondence', () => {
  it('shows that HS2022 took hafnium and rhenium out of 811292', () => {
    expect(table.relationBetween({ revision: 'HS2017', hs6: '811292' }, 'HS2022')).toEqual({
      codes: ['811231', '811241', '811292'],
      relation: '1:n',
    });
    expect(table.relationBetween({ revision: 'HS2022', hs6: '811292' }, 'HS2017')).toEqual({ codes: ['811292'], relation: 'n:1' });
    expect(table.isScopeChanged('811292', 'HS2017', 'HS2022')).toBe(true);
    expect(table.isScopeChanged('811292', 'HS2022', 'HS2017')).toBe(true);
    expect(table.isScopeChanged('811292', 'H5', 'H6')).toBe(true);
    // 1:1 from HS2012 to HS2017, then split
    expect(table.isScopeChanged('811292', 'HS2012', 'HS2017')).toBe(false);
    expect(table.isScopeChanged('811292', 'HS2012', 'HS2022')).toBe(true);
  });

  it('keeps antimony metal 811010 the same in every revision', () => {
    expect(table.relationBetween({ revision: 'HS2022', hs6: '811010' }, 'HS2017')).toEqual({ codes: ['811010'], relation: '1:1' });
    expect(table.relationBetween({ revision: 'HS2017', hs6: '811010' }, 'HS2012')).toEqual({ codes: ['811010'], relation: '1:1' });
    expect(table.isScopeChanged('811010', 'HS2022', 'HS2012')).toBe(false);
    expect(table.isScopeChanged('811010', 'HS2017', 'HS2017')).toBe(false);
  });

  it('shows the bismuth split and a many-to-many basket', () => {
    expect(table.relationBetween({ revision: 'HS2022', hs6: '810610' }, 'HS2017')).toEqual({ codes: ['810600'], relation: 'n:1' });
    expect(table.relationBetween({ revision: 'HS2017', hs6: '810600' }, 'HS2022')).toEqual({
      codes: ['810610', '810690'],
      relation: '1:n',
    });
    expect(table.relationBetween({ revision: 'HS2017', hs6: '382499' }, 'HS2022').relation).toBe('n:n');
  });

  it('refuses codes it does not cover and revisions that are not neighbours', () => {
    expect(() => table.relationBetween({ revision: 'HS2022', hs6: '010121' }, 'HS2017')).toThrow(
      'hs_correspondence.csv has no HS2022 010121 → HS2017 row (it covers the catalog\'s codes only)',
    );
    expect(() => table.relationBetween({ revision: 'HS2012', hs6: '811010' }, 'HS2022')).toThrow(
      'hs_correspondence.csv links no HS2012 codes to HS2022; ask one neighbouring revision at a time',
    );
    expect(() => table.isScopeChanged('811010', 'HS2017', 'SITC4')).toThrow("isScopeChanged: unknown HS revision 'SITC4'");
  });

  it('covers every catalog and comparator code from HS2022', async () => {
    const catalog = await loadCatalog();
    for (const hs6 of [...catalog.intervals.map((iv) => iv.hs6), ...catalog.comparators.map((c) => c.hs6)]) {
      expect(() => table.isScopeChanged(hs6, 'HS2022', 'HS2012'), hs6).not.toThrow();
    }
  });
});

describe('normalizeHsRevision', () => {
  it.each([
    ['H0', 'HS1992'],
    ['H1', 'HS1996'],
    ['H2', 'HS2002'],
    ['H3', 'HS2007'],
    ['H4', 'HS2012'],
    ['H5', 'HS2017'],
    ['H6', 'HS2022'],
    ['HS17', 'HS2017'],
    ['hs92', 'HS1992'],
    ['HS 2017', 'HS2017'],
    ['HS2022', 'HS2022'],
    [' h6 ', 'HS2022'],
    ['S4', 'S4'],
    ['HS2010', 'HS2010'],
  ])('%s → %s', (code, expected) => {
    expect(normalizeHsRevision(code)).toBe(expected);
  });
});

describe('parseHsCorrespondence', () => {
  const header = 'from_revision,from_hs6,to_revision,to_hs6,relation\n';

  it('round-trips through formatHsCorrespondence', () => {
    const rows = [{ fromRevision: 'HS2022', fromHs6: '811231', toRevision: 'HS2017', toHs6: '811292', relation: 'n:1' as const }];
    const text = formatHsCorrespondence(rows);
    expect(text).toBe(`${header}HS2022,811231,HS2017,811292,n:1\n`);
    expect(parseHsCorrespondence(text).relationBetween({ revision: 'HS2022', hs6: '811231' }, 'HS2017')).toEqual({
      codes: ['811292'],
      relation: 'n:1',
    });
  });

  it('names line and column of a bad row', () => {
    expect(() => parseHsCorrespondence(`${header}HS2022,811231,HS2017,811292,2:1\n`)).toThrow(
      "hs_correspondence.csv line 2, column relation: '2:1' is not one of 1:1, n:1, 1:n, n:n",
    );
    expect(() => parseHsCorrespondence(`${header}H6,811231,HS2017,811292,n:1\n`)).toThrow(/line 2, column from_revision: 'H6'/);
    expect(() => parseHsCorrespondence('from,to\n')).toThrow(/^hs_correspondence\.csv line 1: expected the header/);
  });
});

describe('readCorrelationTable', () => {
  it('reads both header layouts', () => {
    const a = readCorrelationTable('Between,\nHS2022, HS2017,Relationship\n811231,811292,n:1\n811241,811292,n:1\n', 'a.csv');
    expect([a.fromRevision, a.toRevision, a.pairs.length]).toEqual(['HS2022', 'HS2017', 2]);
    const b = readCorrelationTable('Between,,,\r\nHS 2017,,HS 2012,Relationship\r\n681510,ex,681510,1:1\r\n', 'b.csv');
    expect(b.pairs).toEqual([{ from: '681510', to: '681510', relation: '1:1' }]);
  });

  it('checks each stated relation against the pairs', () => {
    const text = 'Between,\nHS2022, HS2017,Relationship\n811231,811292,1:1\n811241,811292,n:1\n';
    expect(() => readCorrelationTable(text, 't.csv')).toThrow('t.csv: 811231 → 811292 is stated 1:1 but the pairs make it n:1');
  });
});

const realData = resolve(process.env.TRADEWATCH_REAL_DATA ?? '../shared/data');
const haveRealData = existsSync(join(realData, 'hs-nomenclature'));

describe.skipIf(!haveRealData)(`scripts/build-hs-correspondence.ts on ${realData}${haveRealData ? '' : ' (skipped: folder missing)'}`, () => {
  it('reproduces the committed hs_correspondence.csv', async () => {
    const tables = await Promise.all(
      TABLE_FILES.map(async (f) => readCorrelationTable(await readFile(join(realData, 'hs-nomenclature', f), 'utf8'), f)),
    );
    expect(tables.map((t) => [t.fromRevision, t.toRevision])).toEqual([
      ['HS2022', 'HS2017'],
      ['HS2017', 'HS2012'],
    ]);
    const catalog = await loadCatalog();
    const rows = buildHsCorrespondenceRows(tables, [...catalog.intervals.map((iv) => iv.hs6), ...catalog.comparators.map((c) => c.hs6)]);
    expect(formatHsCorrespondence(rows)).toBe(await readFile(join(REFERENCE_DIR, 'hs_correspondence.csv'), 'utf8'));
  });
});

describe('scopeChange', () => {
  it('answers true, false, or null for a code the table does not cover', async () => {
    const { loadHsCorrespondence } = await import('../../src/io/catalog.ts');
    const c = await loadHsCorrespondence();
    expect(c.scopeChange('811292', 'HS2017', 'HS2022')).toBe(true);
    expect(c.scopeChange('811010', 'HS2017', 'HS2022')).toBe(false);
    expect(c.scopeChange('010121', 'HS2017', 'HS2022')).toBeNull();
  });
});
