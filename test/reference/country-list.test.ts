import { describe, expect, it } from 'vitest';
import { loadEntrepots, loadFobImportReporters } from '../../src/io/reference.ts';
import { parseCountryList } from '../../src/reference/country-list.ts';

describe('reference country lists: data, not code (#16)', () => {
  it("fob_import_reporters.csv holds BACI's list: Algeria, Georgia and the SACU countries, each with its source", async () => {
    expect([...(await loadFobImportReporters())].sort()).toEqual(['BWA', 'DZA', 'GEO', 'LSO', 'NAM', 'SWZ', 'ZAF']);
  });

  it("entrepots.csv holds domain.md's entrepôts: HK, SG, NL, BE, AE, CH", async () => {
    expect([...(await loadEntrepots())].sort()).toEqual(['ARE', 'BEL', 'CHE', 'HKG', 'NLD', 'SGP']);
  });

  it('refuses a row without a source, a repeated or malformed code, and another header, naming the file and line', () => {
    const head = 'iso3,name,source';
    const f = 'fob_import_reporters.csv';
    expect(() => parseCountryList(`${head}\nDZA,Algeria,\n`, f)).toThrow('fob_import_reporters.csv line 2, column source: empty');
    expect(() => parseCountryList(`${head}\nDZA,Algeria,BACI\nDZA,Algeria,BACI\n`, f)).toThrow("line 3, column iso3: 'DZA' appears twice");
    expect(() => parseCountryList(`${head}\ndz,Algeria,BACI\n`, f)).toThrow("column iso3: 'dz' is not an uppercase ISO3 code");
    expect(() => parseCountryList('iso3,source\nDZA,BACI\n', 'entrepots.csv')).toThrow("entrepots.csv line 1: expected the header 'iso3,name,source'");
    expect([...parseCountryList(`${head}\nGEO,Georgia,"BACI, 2010"\n`, f)]).toEqual(['GEO']);
  });

  it('fails naming the file when it is missing', async () => {
    await expect(loadFobImportReporters('/nonexistent-dir')).rejects.toThrow('/nonexistent-dir/fob_import_reporters.csv: cannot read (ENOENT)');
    await expect(loadEntrepots('/nonexistent-dir')).rejects.toThrow('/nonexistent-dir/entrepots.csv: cannot read (ENOENT)');
  });
});
