import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/io/catalog.ts';
import { comparatorCodesFor, controlsInForce, isBanned, parseCatalog, resolveHsSelector } from '../../src/reference/catalog.ts';
import { InputError, UsageError } from '../../src/base/errors.ts';

const catalog = await loadCatalog();
const ids = (hs6: string, dest: string, date: string) => controlsInForce(catalog, hs6, dest, date).map((iv) => iv.controlId);

describe('resolveHsSelector on the committed catalog', () => {
  it('@catalog holds every controlled code, active or suspended, and no comparator', () => {
    const codes = resolveHsSelector('@catalog', catalog)!;
    expect(codes).toEqual(expect.arrayContaining(['811292', '811010', '250410', '282590', '382499', '850511']));
    expect(codes).not.toContain('250490');
    expect(codes).not.toContain('811231');
    expect(codes).toEqual([...new Set(codes)].sort());
    expect(codes).toHaveLength(43);
  });

  it('reads beside a selection the comparators of its controlled codes, and none a selection already covers', () => {
    expect(comparatorCodesFor(resolveHsSelector('@catalog', catalog), catalog)).toEqual(['250490', '811231']);
    expect(comparatorCodesFor(['811292'], catalog)).toEqual(['811231']);
    // an 8-digit line of the controlled code asks for its comparator too
    expect(comparatorCodesFor(['81129210'], catalog)).toEqual(['811231']);
    // antimony has no comparator; a heading that covers 811231 needs it not added; every code needs none
    expect(comparatorCodesFor(resolveHsSelector('@antimony', catalog), catalog)).toEqual([]);
    expect(comparatorCodesFor(['8112'], catalog)).toEqual([]);
    expect(comparatorCodesFor(null, catalog)).toEqual([]);
  });

  it('@antimony gives exactly the antimony codes', () => {
    expect(resolveHsSelector('@antimony', catalog)).toEqual([
      '261710',
      '282580',
      '283090',
      '285000',
      '285390',
      '293190',
      '811010',
      '811020',
      '811090',
    ]);
  });

  it('a rare earth selects the rows kept for the whole group', () => {
    const group = ['280530', '284690', '382499', '848690', '850511'];
    expect(resolveHsSelector('@dysprosium', catalog)).toEqual(group);
    expect(resolveHsSelector('@rare_earths', catalog)).toEqual(group);
  });

  it('names the selector and the known minerals for an unknown mineral', () => {
    expect(() => resolveHsSelector('@unobtainium', catalog)).toThrow(UsageError);
    expect(() => resolveHsSelector('@unobtainium', catalog)).toThrow(
      /^--hs '@unobtainium': unknown mineral 'unobtainium' \(known: antimony, bismuth, .*gallium, .*yttrium\)$/,
    );
    // a comparator's mineral is not a controlled one
    expect(() => resolveHsSelector('@hafnium', catalog)).toThrow(/unknown mineral 'hafnium'/);
    expect(() => resolveHsSelector('@constructor', catalog)).toThrow(/unknown mineral 'constructor'/);
  });

  it('reads a list of 2–10 digit codes, sorted and unique, mixing @ items', () => {
    expect(resolveHsSelector('811292, 811010,811292', catalog)).toEqual(['811010', '811292']);
    expect(resolveHsSelector('28,8112929010', catalog)).toEqual(['28', '8112929010']);
    expect(resolveHsSelector('@tellurium,250490', catalog)).toEqual(['250490', '280450']);
    expect(resolveHsSelector(' all ', catalog)).toBeNull();
  });

  it('rejects a malformed code, naming the selector', () => {
    expect(() => resolveHsSelector('811292,81129x', catalog)).toThrow(
      "--hs '811292,81129x': '81129x' is not a product code of 2–10 digits; use codes like 811292,811010, @catalog, @<mineral> or all",
    );
    expect(() => resolveHsSelector('8', catalog)).toThrow(UsageError);
    expect(() => resolveHsSelector('81129200001', catalog)).toThrow(UsageError);
    expect(() => resolveHsSelector('811292,', catalog)).toThrow(/'' is not a product code/);
  });
});

describe('controlsInForce on the committed catalog', () => {
  it('puts 811292 to the USA under the ban and licensing on 2025-01-15', () => {
    // gallium and germanium rows each: licensing and ban
    expect(ids('811292', 'USA', '2025-01-15').sort()).toEqual(['cn-2023-23', 'cn-2023-23', 'cn-2024-46', 'cn-2024-46']);
    // indium (unverified) joins from 2025-02-04
    expect(ids('811292', 'USA', '2025-03-01').sort()).toEqual(['cn-2023-23', 'cn-2023-23', 'cn-2024-46', 'cn-2024-46', 'cn-2025-10']);
    expect(isBanned(catalog, '811292', 'USA', '2025-01-15')).toBe(true);
    expect(isBanned(catalog, '811292', 'USA', '2025-01')).toBe(true);
  });

  it('lifts the ban but keeps licensing inside the suspension (2026-01-15)', () => {
    expect(ids('811292', 'USA', '2026-01-15')).not.toContain('cn-2024-46');
    expect(ids('811292', 'USA', '2026-01-15')).toContain('cn-2023-23');
    expect(isBanned(catalog, '811292', 'USA', '2026-01-15')).toBe(false);
  });

  it('follows the ban calendar day by day', () => {
    expect(isBanned(catalog, '811010', 'USA', '2024-12-02')).toBe(false);
    expect(isBanned(catalog, '811010', 'USA', '2024-12-03')).toBe(true);
    expect(isBanned(catalog, '811010', 'USA', '2025-11-08')).toBe(true);
    expect(isBanned(catalog, '811010', 'USA', '2025-11-09')).toBe(false);
    // no resumption is invented after the suspension's last day: licensing only
    expect(isBanned(catalog, '811010', 'USA', '2026-12-01')).toBe(false);
    expect(ids('811010', 'USA', '2026-12-01')).toEqual(['cn-2024-33']);
    // graphite got no ban
    expect(isBanned(catalog, '250410', 'USA', '2025-01-15')).toBe(false);
  });

  it('does not apply the US ban to another destination', () => {
    expect(isBanned(catalog, '811292', 'DEU', '2025-01-15')).toBe(false);
    expect(ids('811292', 'DEU', '2025-01-15')).not.toContain('cn-2024-46');
    expect(ids('811292', 'DEU', '2025-01-15')).toContain('cn-2023-23');
  });

  it('starts graphite licensing on 2023-12-01', () => {
    expect(ids('250410', 'DEU', '2023-11-30')).toEqual([]);
    expect(ids('250410', 'DEU', '2023-12-01')).toEqual(['cn-2023-39']);
    expect(ids('250410', 'DEU', '2023-12')).toEqual(['cn-2023-39']);
    expect(ids('250490', 'DEU', '2024-06-01')).toEqual([]);
  });

  it('rejects a bad code or date', () => {
    expect(() => controlsInForce(catalog, '8112', 'USA', '2025-01-15')).toThrow("controlsInForce: '8112' is not a 6-digit HS code");
    expect(() => controlsInForce(catalog, '811292', 'USA', '2025-02-30')).toThrow(/'2025-02-30' is not a date/);
  });
});

describe('the committed catalog', () => {
  it('has the expected shape', () => {
    expect(catalog.intervals).toHaveLength(102);
    expect(catalog.comparators.map((c) => [c.hs6, c.comparesTo])).toEqual([
      ['250490', ['250410']],
      ['811231', ['811292']],
    ]);
    expect(catalog.keywords).toContainEqual({ mineral: 'gallium', lang: 'zh', keyword: '砷化镓' });
  });

  it('marks unverified only the codes still to confirm', () => {
    const unverified = new Set(catalog.intervals.filter((iv) => !iv.verified).map((iv) => `${iv.mineral} ${iv.hs6}`));
    expect([...unverified].sort()).toEqual([
      'bismuth 810610',
      'bismuth 810690',
      'germanium 282739',
      'indium 811292',
      'indium 811299',
      ...['261310', '261390', '282570', '284170', '810210', '810294', '810295', '810296', '810297', '810299'].map(
        (c) => `molybdenum ${c}`,
      ),
      'rare_earths 850511',
    ]);
  });

  it('bans every gallium, germanium and antimony code to the USA, then suspends it', () => {
    const licensed = catalog.intervals.filter((iv) => iv.controlId === 'cn-2023-23' || iv.controlId === 'cn-2024-33');
    for (const l of licensed) {
      const ban = catalog.intervals.filter((iv) => iv.controlId === 'cn-2024-46' && iv.hs6 === l.hs6 && iv.mineral === l.mineral);
      expect(ban.map((b) => [b.destinations, b.start, b.end, b.status])).toEqual([
        [['USA'], '2024-12-03', '2025-11-08', 'active'],
        [['USA'], '2025-11-09', '2026-11-27', 'suspended'],
      ]);
    }
  });
});

describe('parseCatalog', () => {
  const header = 'control_id,line10,hs6,mineral,specificity,origin,destinations,start,end,status,source,verified,note';
  const row = 'cn-2024-33,8110101000;8110102000,811010,antimony,dedicated,CHN,*,2024-09-15,,active,MOFCOM/GAC 2024 No. 33,true';
  const keywords = 'mineral,lang,keyword\nantimony,zh,锑\n';
  const parse = (controls: string, more: { keywords?: string; comparators?: string } = {}) =>
    parseCatalog({ controls, keywords: more.keywords ?? keywords, comparators: more.comparators });

  it('reads quoted notes with commas, quotes and CRLF endings', () => {
    const c = parse(`${header}\r\n${row},"ingots, ""beads"""\r\n`);
    expect(c.intervals[0]).toEqual({
      controlId: 'cn-2024-33',
      line10: ['8110101000', '8110102000'],
      hs6: '811010',
      mineral: 'antimony',
      specificity: 'dedicated',
      origin: 'CHN',
      destinations: '*',
      start: '2024-09-15',
      end: null,
      status: 'active',
      source: 'MOFCOM/GAC 2024 No. 33',
      verified: true,
      note: 'ingots, "beads"',
    });
    expect(c.comparators).toEqual([]);
  });

  it('names file, line and column of a bad value', () => {
    expect(() => parse(`${header}\n${row},\n${row.replace(',811010,', ',81101,')},x\n`)).toThrow(
      "controls.csv line 3, column hs6: '81101' is not a 6-digit code",
    );
    expect(() => parse(`${header}\n${row.replace('8110102000', '2825800010')},\n`)).toThrow(
      "controls.csv line 2, column line10: '8110101000;2825800010' holds '2825800010', not a 10-digit line under 811010",
    );
    expect(() => parse(`${header}\n${row.replace(',active,', ',paused,')},\n`)).toThrow(
      "controls.csv line 2, column status: 'paused' is not active or suspended",
    );
    expect(() => parse(`${header}\n${row},\n`, { keywords: 'mineral,lang,keyword\nunobtainium,en,x\n' })).toThrow(InputError);
    expect(() => parse(`${header}\n${row},\n`, { keywords: 'mineral,lang,keyword\nunobtainium,en,x\n' })).toThrow(
      "keywords.csv line 2, column mineral: 'unobtainium' is not a mineral of controls.csv or comparators.csv",
    );
  });

  it('rejects a wrong header, a short row and overlapping intervals', () => {
    expect(() => parse(`control_id,hs6\n`)).toThrow(/^controls\.csv line 1: expected the columns 'control_id,line10,/);
    expect(() => parse(`${header}\ncn-1,,811010\n`)).toThrow('controls.csv line 2: 3 fields, expected 13');
    expect(() => parse(`${header}\n${row},\n${row.replace('2024-09-15', '2025-01-01')},\n`)).toThrow(
      'controls.csv line 3: cn-2024-33 811010 antimony overlaps the interval on line 2',
    );
  });

  it('refuses a comparator that is controlled or compares to an uncontrolled code', () => {
    const head = 'hs6,mineral,compares_to,note\n';
    expect(() => parse(`${header}\n${row},\n`, { comparators: `${head}811010,antimony,811010,\n` })).toThrow(
      "comparators.csv line 2, column hs6: '811010' is a controlled code in controls.csv; a comparator must be uncontrolled",
    );
    expect(() => parse(`${header}\n${row},\n`, { comparators: `${head}250490,graphite,250410,\n` })).toThrow(
      "comparators.csv line 2, column compares_to: '250410' names '250410', which is not a controlled code in controls.csv",
    );
  });
});
