import { describe, expect, it } from 'vitest';
import { quietMain as cli } from './quiet-main.ts';

/** Runs the CLI capturing stdout and stderr. */

describe('tradewatch catalog (issue 19 item 9)', () => {
  it('prints what @antimony expands to as a table, and as JSON with --json', async () => {
    const t = await cli(['catalog', '@antimony']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^@antimony: 9 codes \(261710, 282580, 283090, 285000, 285390, 293190, 811010, 811020, 811090\)\n/);
    expect(t.stdout).toContain('  cn-2024-46  antimony  suspended  2025-11-09  2026-11-27  USA           yes       MOFCOM 2025-11-09 (suspends 2024 No. 46 clause 2)\n');
    const j = await cli(['catalog', '@antimony', '--json']);
    expect(j.code).toBe(0);
    const parsed = JSON.parse(j.stdout) as { selector: string; codes: { code: string; controls: unknown[] }[]; alsoRead: unknown[] };
    expect(parsed.selector).toBe('@antimony');
    expect(parsed.codes.map((c) => c.code)).toHaveLength(9);
    expect(parsed.codes.find((c) => c.code === '261710')!.controls).toHaveLength(3);
  });

  it('defaults to @catalog and names the comparators run reads beside it', async () => {
    const r = await cli(['catalog', '--json']);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as { selector: string; codes: unknown[]; alsoRead: { hs6: string }[] };
    expect(parsed.selector).toBe('@catalog');
    expect(parsed.codes).toHaveLength(43);
    expect(parsed.alsoRead.map((c) => c.hs6)).toEqual(['250490', '811231']);
  });

  it('exits 2 for an unknown mineral, naming the known ones', async () => {
    const r = await cli(['catalog', '@unobtainium']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tradewatch: catalog '@unobtainium': unknown mineral 'unobtainium' \(known: antimony, bismuth, .*\)\n$/);
  });
});
