import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLog } from '../../src/base/log.ts';
import { runCommand } from '../../src/commands/run-command.ts';

// issue 19 item 7: the combined OUT/report went stale after a single pipeline's re-run and said nothing of when it was made

const SAMPLE = 'test/fixtures/comtrade_plus_small.csv';
let n = 0;
const at = (day: string) => ({ now: () => new Date(`${day}T00:00:00Z`), runId: () => `run-${++n}`, log: memoryLog() });

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tw-combined-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The combined report's links to each pipeline's report, and the status cell of each row. */
function read(out: string): { html: string; links: string[]; status: string[] } {
  const html = readFileSync(join(out, 'report', 'as_of=2024-02', 'report.html'), 'utf8');
  const section = html.slice(html.indexOf('<section id="summary"'));
  return {
    html,
    links: [...section.matchAll(/<a href="([^"]+)">/g)].map((m) => m[1]),
    status: [...section.matchAll(/<tr><td>[\s\S]*?<\/td><td class="wrap">[\s\S]*?<\/td><td>[^<]*<\/td><td class="wrap">([\s\S]*?)<\/td>/g)].map((m) => m[1].replace(/<[^>]+>/g, ' ')),
  };
}

describe('the combined report after a single pipeline run', () => {
  it('is rewritten from the newest partition of every pipeline for that as-of, and says when it was generated', async () => {
    const out = join(root, 'single');
    const log = memoryLog();
    await runCommand('coverage', { trade: [SAMPLE], out }, { ...at('2026-01-01'), log });
    let page = read(out);
    expect(page.html).toContain('Generated 2026-01-01 00:00:00 UTC');
    expect(page.links).toEqual(['../../coverage/as_of=2024-02/report.html']);
    expect(log.events.find((e) => e.event === 'report.written')?.fields).toMatchObject({ path: join(out, 'report', 'as_of=2024-02', 'report.html'), partitions: ['coverage/as_of=2024-02'] });

    // another pipeline alone: listed beside the first one, which is read back from its partition
    await runCommand('mirror-gaps', { trade: [SAMPLE], out }, at('2026-01-02'));
    page = read(out);
    expect(page.html).toContain('Generated 2026-01-02 00:00:00 UTC');
    expect(page.links).toEqual(['../../coverage/as_of=2024-02/report.html', '../../mirror-gaps/as_of=2024-02/report.html']);
    expect(page.status).toEqual(['succeeded  2026-01-01 00:00:00 UTC ', 'succeeded  2026-01-02 00:00:00 UTC ']);

    // the first one re-run: the combined report follows it, not the run before
    await runCommand('coverage', { trade: [SAMPLE], out, force: true }, at('2026-01-03'));
    page = read(out);
    expect(page.html).toContain('Generated 2026-01-03 00:00:00 UTC');
    expect(page.status).toEqual(['succeeded  2026-01-03 00:00:00 UTC ', 'succeeded  2026-01-02 00:00:00 UTC ']);

    // a re-run with nothing new is skipped, and says so there
    await runCommand('mirror-gaps', { trade: [SAMPLE], out }, at('2026-01-04'));
    page = read(out);
    expect(page.html).toContain('Generated 2026-01-04 00:00:00 UTC');
    expect(page.status[1]).toBe('unchanged (inputs and config as before)  2026-01-02 00:00:00 UTC ');
  });
});
