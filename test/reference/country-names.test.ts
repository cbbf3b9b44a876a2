import { describe, expect, it } from 'vitest';
import { loadCountryNameIndex } from '../../src/io/reference.ts';
import { parseNameAliases } from '../../src/reference/country-names.ts';

describe('CountryNameIndex', () => {
  it('resolves area-table names and common aliases, ignoring case, accents and punctuation', async () => {
    const idx = await loadCountryNameIndex();
    expect(['South Korea', 'UAE', 'Türkiye', 'Taiwan', 'Hong Kong', 'germany', 'Czech  Republic', 'USA'].map((n) => idx.iso3(n))).toEqual([
      'KOR', 'ARE', 'TUR', 'TWN', 'HKG', 'DEU', 'CZE', 'USA',
    ]);
    expect(idx.iso3('Atlantis')).toBeNull();
  });

  it('names the line of a bad alias row', () => {
    expect(() => parseNameAliases('name,iso3\nKorea,KR\n')).toThrow('country_name_aliases.csv line 2: expected name,ISO3');
  });
});
