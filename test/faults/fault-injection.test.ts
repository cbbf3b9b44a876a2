import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quietMain } from '../cli/quiet-main.ts';
import { FAULT_CASES } from './cases.ts';

describe('fault injection: each class as a user meets it, with the exit code and message the contract asks for', () => {
  it.each(FAULT_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-fault-'));
    const r = await quietMain(c.arrange(dir));
    expect({ exit: r.code, stderr: r.stderr.slice(-2000) }).toMatchObject({ exit: c.exit });
    const manifests = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('manifest.json')).map((f) => readFileSync(join(dir, f), 'utf8'));
    if (c.says) expect([r.stderr, ...manifests].join('\n')).toMatch(c.says);
    if (c.never) expect(r.stderr).not.toMatch(c.never);
    for (const [file, present] of Object.entries(c.files ?? {})) expect(existsSync(join(dir, file)), file).toBe(present);
  });

  it('docs/operations.md lists every class of the suite with how it is handled, and no other', () => {
    const doc = readFileSync('docs/operations.md', 'utf8');
    const start = doc.indexOf('<!-- fault-injection:start -->');
    const end = doc.indexOf('<!-- fault-injection:end -->');
    expect(start).toBeGreaterThan(-1);
    const rows = doc
      .slice(start, end)
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| class') && !l.startsWith('|---'))
      .map((l) => l.split(' | ')[0].slice(2));
    expect(rows).toEqual(FAULT_CASES.map((c) => c.name));
  });
});
