import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli/main.ts';

describe('docs/cli.md', () => {
  it('names every command and every option the CLI takes, in that command\'s synopsis', () => {
    const doc = readFileSync('docs/cli.md', 'utf8');
    const synopsis = doc.slice(doc.indexOf('```'), doc.indexOf('```', doc.indexOf('```') + 3));
    const missing: string[] = [];
    const commands = buildCli().commands;
    expect(commands.length).toBeGreaterThan(8);
    for (const c of commands) {
      // the command's lines: from `tradewatch NAME` to the next `tradewatch `
      const at = synopsis.indexOf(`tradewatch ${c.name()} `);
      if (at < 0) {
        missing.push(c.name());
        continue;
      }
      const next = synopsis.indexOf('\ntradewatch ', at + 1);
      const lines = synopsis.slice(at, next < 0 ? undefined : next);
      for (const o of c.options) if (o.long && o.long !== '--help' && !lines.includes(o.long)) missing.push(`${c.name()} ${o.long}`);
    }
    expect(missing).toEqual([]);
  });
});
