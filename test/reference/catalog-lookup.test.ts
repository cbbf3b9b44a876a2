import { describe, expect, it } from 'vitest';
import { loadCatalog, loadHs6Descriptions } from '../../src/io/catalog.ts';
import { formatCatalogLookup, lookupCatalog } from '../../src/reference/catalog-lookup.ts';
import { UsageError } from '../../src/base/errors.ts';

const catalog = await loadCatalog();
const descriptions = await loadHs6Descriptions();
const lookup = (sel: string) => lookupCatalog(sel, catalog, descriptions);

describe('lookupCatalog: what a selector expands to (issue 19 item 9)', () => {
  it('@antimony: its nine codes, and 811010 with its description, specificity, lines and three control intervals', () => {
    const l = lookup('@antimony');
    expect(l.codes.map((c) => c.code)).toEqual(['261710', '282580', '283090', '285000', '285390', '293190', '811010', '811020', '811090']);
    expect(l.alsoRead).toEqual([]);
    const sb = l.codes.find((c) => c.code === '811010')!;
    expect(sb.description).toBe('Antimony and articles thereof; unwrought antimony, powders');
    expect(sb.minerals).toEqual([{ hs6: '811010', mineral: 'antimony', specificity: 'dedicated', lines: ['8110101000', '8110102000'] }]);
    expect(sb.comparators).toEqual([]);
    expect(sb.controls.map(({ controlId, source, start, end, status, destinations, verified }) => ({ controlId, source, start, end, status, destinations, verified }))).toEqual([
      { controlId: 'cn-2024-33', source: 'MOFCOM/GAC 2024 No. 33', start: '2024-09-15', end: null, status: 'active', destinations: '*', verified: true },
      { controlId: 'cn-2024-46', source: 'MOFCOM 2024 No. 46', start: '2024-12-03', end: '2025-11-08', status: 'active', destinations: ['USA'], verified: true },
      { controlId: 'cn-2024-46', source: 'MOFCOM 2025-11-09 (suspends 2024 No. 46 clause 2)', start: '2025-11-09', end: '2026-11-27', status: 'suspended', destinations: ['USA'], verified: true },
    ]);
    // a code shared by minerals lists every mineral on it, each with its specificity
    expect(l.codes.find((c) => c.code === '285390')!.minerals.map((m) => `${m.mineral}:${m.specificity}`)).toEqual(['gallium:basket', 'germanium:basket', 'antimony:basket']);
  });

  it('@graphite: the comparator 250490 is what run reads beside it; a code, a comparator and a 10-digit line in a comma list', () => {
    const g = lookup('@graphite');
    expect(g.alsoRead).toEqual([
      { hs6: '250490', mineral: 'graphite', description: 'Graphite; natural, in other forms, excluding powder or flakes', comparesTo: ['250410'], note: expect.stringContaining('uncontrolled natural comparator') },
    ]);
    expect(g.codes.find((c) => c.code === '250410')!.comparators.map((c) => c.hs6)).toEqual(['250490']);
    const l = lookup('250490, 8112929010');
    expect(l.codes.map((c) => [c.code, c.hs6, c.minerals.map((m) => m.mineral), c.comparatorOf?.comparesTo ?? null])).toEqual([
      ['250490', '250490', [], ['250410']],
      // the gallium line, and indium, whose lines under 811292 are not known; not germanium (8112921010/90)
      ['8112929010', '811292', ['gallium', 'indium'], null],
    ]);
    expect(l.alsoRead.map((c) => c.hs6)).toEqual(['811231']);
  });

  it('refuses an unknown mineral naming the known ones, and all', () => {
    expect(() => lookup('@unobtainium')).toThrow(UsageError);
    expect(() => lookup('@unobtainium')).toThrow(/^catalog '@unobtainium': unknown mineral 'unobtainium' \(known: antimony, bismuth, .*graphite.*\)$/);
    expect(() => lookup('all')).toThrow(/'all' is every product code/);
  });

  it('formats a readable table: one block per code, one row per control interval', () => {
    const text = formatCatalogLookup(lookup('811010'));
    expect(text.split('\n')).toEqual([
      '811010: 1 code (811010)',
      'run also reads: no comparator beside them',
      '',
      '811010  Antimony and articles thereof; unwrought antimony, powders',
      '  minerals       antimony (dedicated; lines 8110101000, 8110102000)',
      '  comparators    none',
      '  control     mineral   status     start       end         destinations  verified  announcement',
      '  cn-2024-33  antimony  active     2024-09-15  open        *             yes       MOFCOM/GAC 2024 No. 33',
      '  cn-2024-46  antimony  active     2024-12-03  2025-11-08  USA           yes       MOFCOM 2024 No. 46',
      '  cn-2024-46  antimony  suspended  2025-11-09  2026-11-27  USA           yes       MOFCOM 2025-11-09 (suspends 2024 No. 46 clause 2)',
      '',
    ]);
  });
});
