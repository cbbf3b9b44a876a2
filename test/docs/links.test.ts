import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** README.md and every Markdown file under docs/. */
function pages(): string[] {
  const out = ['README.md'];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.md')) out.push(join(dir, e.name));
    }
  };
  walk('docs');
  return out;
}

describe('the docs a newcomer finds their way in (#19 item 12)', () => {
  it('the README stays a ten-minute read: under 300 lines, with the quick start, commands, exit codes and where to read on', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme.split('\n').length).toBeLessThan(300);
    expect(readme).toContain('npm ci && npm start');
    for (const h of ['## Quick start', '## Commands', '### Exit codes', '## Where to read on']) expect(readme).toContain(h);
  });

  it('every relative link of the README and docs/ resolves to a file', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of pages()) {
      const text = readFileSync(page, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].split('#')[0];
        if (!target || /^[a-z]+:/.test(target)) continue;
        checked++;
        if (!existsSync(join(dirname(page), target))) broken.push(`${page}: ${m[1]}`);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(broken).toEqual([]);
  });
});
