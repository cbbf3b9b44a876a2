import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryLog } from '../../src/base/log.ts';
import { runCommand } from '../../src/commands/run-command.ts';

// issue 19 item 7 in the browser: at 1,400 and 1,000 px nothing of a ranking is cut off, the ranking comes first with
// rank, route, score, why, the reports link each other by anchors that exist, and the fonts name a CJK one

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
// CI installs Debian chromium (.ci/run) and sets this, so there the test never skips silently
const BROWSER_REQUIRED = process.env.TRADEWATCH_BROWSER_TESTS === '1' || /^(1|true)$/i.test(process.env.CI ?? '');
if (!HAVE_CHROMIUM && !BROWSER_REQUIRED) {
  console.warn(`browser test skipped: ${CHROMIUM} not found (apt-get install chromium; TRADEWATCH_BROWSER_TESTS=1 makes its absence a failure)`);
}

/** The few DOM members the page-side functions use (the project's TypeScript has no DOM library). */
interface El {
  id: string;
  tagName: string;
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  offsetParent: unknown;
  closest(selector: string): El | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}
interface Win {
  document: El & { documentElement: El };
  getComputedStyle(e: El): { fontFamily: string };
}

/** What a page's layout looks like in the browser. */
interface Layout {
  /** Ids of the page's sections, in order. */
  sections: string[];
  /** Headers of the first table of the first section (its ranking). */
  rankingHeaders: string[];
  rankingRows: number;
  /** Visible tables wider than their box (cut off, to scroll), as `section: first headers, scroll width > width`. */
  cutOff: string[];
  /** Cells of the ranking whose content is wider than the cell. */
  clippedCells: string[];
  /** Whether the page scrolls sideways. */
  pageWider: boolean;
}

describe.skipIf(!HAVE_CHROMIUM && !BROWSER_REQUIRED)('the reports of the sample run at 1,400 and 1,000 px in headless Chromium', () => {
  it('cut off no ranking cell, open with the ranking (rank, route, score, why), link routes, declarations and mirror pairs by anchors that exist', async () => {
    if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM} is missing but TRADEWATCH_BROWSER_TESTS=1 or CI is set: install Debian chromium (apt-get install -y chromium)`);
    const out = await mkdtemp(join(tmpdir(), 'tw-report-layout-'));
    // screenshots: TRADEWATCH_SCREENSHOTS=DIR keeps them where wanted, else a temporary folder (named in the log)
    const shots = process.env.TRADEWATCH_SCREENSHOTS ?? (await mkdtemp(join(tmpdir(), 'tw-report-shots-')));
    await mkdir(shots, { recursive: true });
    console.info(`report screenshots: ${shots}`);
    let n = 0;
    await runCommand('all', { trade: ['data/sample/trade'], declarations: ['data/sample/declarations'], out }, {
      now: () => new Date('2026-01-01T00:00:00Z'), runId: () => `run-${++n}`, log: memoryLog(),
    });
    const report = (pipeline: string) => join(out, pipeline, 'as_of=2025-06', 'report.html');

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    try {
      const layouts: Record<string, Layout> = {};
      for (const width of [1400, 1000]) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        for (const pipeline of ['transshipment', 'mirror-gaps', 'declarations', 'coverage', 'report']) {
          await page.goto(pathToFileURL(report(pipeline)).href, { waitUntil: 'load' });
          await page.screenshot({ path: join(shots, `${pipeline}-${width}.png`) });
          layouts[`${pipeline}@${width}`] = await page.evaluate((): Layout => {
            const doc = (globalThis as unknown as Win).document;
            const all = (root: El | null, selector: string): El[] => (root ? Array.from(root.querySelectorAll(selector)) : []);
            const ranking = doc.querySelector('body > section table');
            const cutOff = all(doc, 'div.scroll').filter((d) => d.offsetParent !== null && d.scrollWidth > d.clientWidth).map((d) => {
              const heads = all(d, 'th').slice(0, 3).map((t) => t.textContent).join('|');
              return `${d.closest('section, article')?.id}: ${heads}, ${d.scrollWidth} > ${d.clientWidth}`;
            });
            return {
              sections: all(doc, 'body > section').map((s) => s.id),
              rankingHeaders: all(ranking, 'thead th').map((t) => t.textContent ?? ''),
              rankingRows: all(ranking, 'tbody tr').length,
              cutOff,
              clippedCells: all(ranking, 'td, th').filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent ?? ''),
              pageWider: doc.documentElement.scrollWidth > doc.documentElement.clientWidth,
            };
          });
        }
        await page.close();
      }
      // nothing cut off at either width, on any page
      expect(Object.entries(layouts).filter(([, l]) => l.cutOff.length || l.clippedCells.length || l.pageWider).map(([k, l]) => [k, l.cutOff, l.clippedCells])).toEqual([]);
      // the ranking first: the sample's three routes, rank, route, score, why
      expect(layouts['transshipment@1400'].sections[0]).toBe('flagged_routes');
      expect(layouts['transshipment@1400'].rankingHeaders.slice(0, 4)).toEqual(['rank', 'route', 'score', 'why']);
      expect(layouts['transshipment@1000'].rankingHeaders.slice(0, 4)).toEqual(['rank', 'route', 'score', 'why']);
      expect(layouts['transshipment@1400'].rankingRows).toBe(3);
      expect(layouts['mirror-gaps@1400'].sections[0]).toBe('mirror_gaps');
      expect(layouts['mirror-gaps@1400'].rankingHeaders.slice(0, 4)).toEqual(['rank', 'pair', 'score', 'reasons']);
      expect(layouts['declarations@1400'].sections[0]).toBe('flagged_declarations');
      expect(layouts['declarations@1400'].rankingHeaders.slice(0, 4)).toEqual(['rank', 'declaration', 'score', 'reasons']);
      expect(layouts['coverage@1400'].sections[0]).toBe('coverage');
      expect(layouts['coverage@1400'].rankingHeaders.slice(0, 3)).toEqual(['reporter', 'flow', 'periods']);
      expect(layouts['report@1400'].rankingHeaders).toEqual(['pipeline', 'what it does', 'data up to', 'status', 'flagged', 'data checks']);

      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      /** Follows the first link matching `selector` on `from`'s page: the element its anchor names, as `tag#id in section`, or null. */
      const follow = async (from: string, selector: string) => {
        await page.goto(pathToFileURL(from).href, { waitUntil: 'load' });
        const href = await page.locator(selector).first().getAttribute('href');
        await page.goto(new URL(href!, pathToFileURL(from)).href, { waitUntil: 'load' });
        return page.evaluate(() => {
          const t = (globalThis as unknown as Win).document.querySelector(':target');
          return t ? `${t.tagName.toLowerCase()}#${t.id} in ${t.closest('section')?.id}` : null;
        });
      };
      // a flagged declaration's route, to that route's row in the transshipment ranking
      expect(await follow(report('declarations'), 'a[href*="/transshipment/as_of=2025-06/report.html#flag-"]')).toMatch(/^tr#flag-[0-9a-f]{16} in flagged_routes$/);
      // the first route's first leg CHN → IND · 250410 (a flagged pair of the sample) to its pair in the mirror-gaps ranking
      expect(await follow(report('transshipment'), 'a[href$="/mirror-gaps/as_of=2025-06/report.html#pair-CHN-IND-250410"]')).toBe('tr#pair-CHN-IND-250410 in mirror_gaps');

      // Chinese goods descriptions (the sample's flagged declarations have some) are set in a font stack that names a CJK font
      await page.goto(pathToFileURL(report('declarations')).href, { waitUntil: 'load' });
      const cjk = await page.evaluate(() => {
        const w = globalThis as unknown as Win;
        const cells = Array.from(w.document.querySelectorAll('#flagged_declarations td')).filter((td) => /[\u4e00-\u9fff]/.test(td.textContent ?? ''));
        return { cells: cells.length, font: cells[0] ? w.getComputedStyle(cells[0]).fontFamily : '' };
      });
      expect(cjk.cells).toBeGreaterThan(0);
      expect(cjk.font).toContain('Noto Sans CJK SC');

      // the combined report says when it was made
      await page.goto(pathToFileURL(report('report')).href, { waitUntil: 'load' });
      expect(await page.locator('#generated').textContent()).toBe('Generated 2026-01-01 00:00:00 UTC from the newest complete partition of each pipeline up to 2025-06.');
    } finally {
      await browser.close();
    }
  });
});
