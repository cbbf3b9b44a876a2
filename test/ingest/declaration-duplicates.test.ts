import { beforeAll, describe, expect, it } from 'vitest';
import { loadCountryCodeIndex } from '../../src/io/reference.ts';
import { declarationIngestDefaults } from '../../src/ingest/declaration-params.ts';
import { readDeclarations, type DeclarationSource } from '../../src/ingest/declarations.ts';
import type { CountryCodeIndex } from '../../src/reference/country-codes.ts';
import { chunksOf, rowsOf } from '../helpers.ts';

let countries: CountryCodeIndex;
beforeAll(async () => {
  countries = await loadCountryCodeIndex();
});

const HEADER =
  'declaration_id,date,direction,declarant,exporter,importer,seller,declared_code,description,origin,departure,destination,transport_mode,net_mass_kg,quantity,quantity_unit,value,currency,office,label';
const TEXT = [
  HEADER,
  'D1,2024-03-05,import,DCL-01,THA-001,IMP-001,THA-001,8110101000,Antimony,CHN,THA,USA,sea,1000,1000,kg,12000,USD,USA-01,',
  // two equal lines of one declaration: two lines, kept
  'D2,2024-03-06,import,DCL-01,THA-001,IMP-001,THA-001,8110101000,Antimony,CHN,THA,USA,sea,500,500,kg,6000,USD,USA-01,',
  'D2,2024-03-06,import,DCL-01,THA-001,IMP-001,THA-001,8110101000,Antimony,CHN,THA,USA,sea,500,500,kg,6000,USD,USA-01,',
].join('\n');

const csv = (display: string, text: string): DeclarationSource => ({ display, kind: 'csv', chunks: chunksOf(text, 1024) });

describe('declarations read twice (#18 item 10)', () => {
  it('keeps the first file of a file read from two folders, counts the rows dropped, and keeps equal lines within one file', async () => {
    const once = await readDeclarations([csv('a/decl.csv', TEXT)], { params: declarationIngestDefaults, countries });
    expect(once.table.numRows).toBe(3);
    expect(once.counts.duplicate_across_files).toBeUndefined();
    // the copy in b/ comes first on the command line; a/ is first in path order and is kept
    const twice = await readDeclarations([csv('b/decl.csv', TEXT), csv('a/decl.csv', TEXT)], { params: declarationIngestDefaults, countries });
    expect(twice.table.numRows).toBe(3);
    expect(twice.counts.duplicate_across_files).toBe(3);
    expect(rowsOf(twice.table, ['declaration_id', 'source_file', 'source_line'])).toEqual([
      { declaration_id: 'D1', source_file: 'a/decl.csv', source_line: 2 },
      { declaration_id: 'D2', source_file: 'a/decl.csv', source_line: 3 },
      { declaration_id: 'D2', source_file: 'a/decl.csv', source_line: 4 },
    ]);
  });

  it('keeps a declaration whose copy differs in any value (a correction is not a duplicate)', async () => {
    const corrected = TEXT.replace('1000,1000,kg,12000', '1000,1000,kg,12500');
    const r = await readDeclarations([csv('a/decl.csv', TEXT), csv('b/decl.csv', corrected)], { params: declarationIngestDefaults, countries });
    expect(r.table.numRows).toBe(4);
    expect(r.counts.duplicate_across_files).toBe(2);
  });
});

describe('the reject rate holds for each file (#18 item 14)', () => {
  it('names a broken file that the rate over all files would hide', async () => {
    const good = [HEADER, ...Array.from({ length: 300 }, (_, i) => `G${i},2024-03-05,import,DCL-01,THA-001,IMP-001,THA-001,8110101000,Antimony,CHN,THA,USA,sea,10,10,kg,${100 + i},USD,USA-01,`)];
    // a file whose every value column is shifted: both rows rejected (2 of 302 overall is 0.66%, under 1%)
    const broken = [HEADER, 'B1,2024-03-05,import,DCL-01,THA-001,IMP-001,THA-001,8110101000,Antimony,CHN,THA,USA,sea,ten,10,kg,100,USD,USA-01,', 'B2,2024-03-05,import,DCL-01,THA-001,IMP-001,THA-001,8110101000,Antimony,CHN,THA,USA,sea,ten,10,kg,100,USD,USA-01,'];
    const sources = () => [csv('good.csv', good.join('\n')), csv('broken.csv', broken.join('\n'))];
    await expect(readDeclarations(sources(), { params: declarationIngestDefaults, countries })).rejects.toThrow(
      /^broken\.csv: 2 of 2 declarations rejected \(100\.00% > maxRejectRate 1\.00% for this file, 0\.66% over all files\)/,
    );
    // a rate that allows it lets both through, the rejects counted
    const r = await readDeclarations(sources(), { params: { ...declarationIngestDefaults, maxRejectRate: 1 }, countries });
    expect(r.counts.rejected_values).toBe(2);
  });
});
