import { type BacktestResults, type SeedGroup, detectorsOf, familyOrder, summarizeBacktest } from '../evaluate/backtest-summary.ts';
import { SYNTH_FAMILIES, WILD_DRAWS } from '../synth/wild-knobs.ts';
import { UNEXPLAINED } from '../evaluate/backtest-families.ts';
import type { MirrorHoldOutResults, MirrorPointFigures } from '../evaluate/hold-out.ts';

/**
 * The tables of `docs/evaluation.md` for one backtest's results (`backtest.json`): per target the overall
 * figures of tradewatch and the baseline on the tuning and test seeds, then the by-family table. Markdown,
 * deterministic (the page's test renders the committed results and compares). Pure.
 */
export function renderEvaluationTables(res: BacktestResults): string {
  const { overall, families } = summarizeBacktest(res);
  const tuning = res.seeds.filter((s) => res.tuning_seeds.includes(s));
  const test = res.seeds.filter((s) => !res.tuning_seeds.includes(s));
  const out: string[] = [];
  out.push(
    `Preset \`${res.preset ?? '-'}\`, tuning seeds ${ranges(tuning)}, test seeds ${ranges(test)}` +
      `${res.hold_out.length ? `, tuning worlds without ${res.hold_out.join(', ')}` : ''}; tradewatch ${res.version}, config ${res.config_hash.slice(0, 12)}.`,
    '',
    '| target | detector | recall (tuning) | recall (test) | precision@k (tuning) | precision@k (test) | flagged (test) | false flags (test) | distractors flagged (test) | test seeds with a distractor flagged |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  const get = (target: string, detector: string, g: SeedGroup) => overall.find((o) => o.target === target && o.detector === detector && o.group === g);
  const targets = [...new Set(overall.map((o) => o.target))].filter((t) => t !== 'declarations');
  for (const target of targets) {
    for (const detector of detectorsOf(overall.filter((o) => o.target === target))) {
      const a = get(target, detector, 'tuning');
      const b = get(target, detector, 'test');
      out.push(`| ${target} | ${detector} | ${f2(a?.recall)} | ${f2(b?.recall)} | ${f2(a?.precisionAtK)} | ${f2(b?.precisionAtK)} | ${b?.flagged ?? '-'} | ${b?.fp ?? '-'} | ${b?.distractorsFlagged ?? '-'} | ${b ? `${b.seedsWithDistractorFlagged} of ${b.seeds}` : '-'} |`);
    }
  }
  for (const target of targets) {
    const here = families.filter((f) => f.target === target);
    const detectors = detectorsOf(here);
    out.push(
      '',
      `**${target} by family** — a route or anomaly family: found / present; a distractor or legitimate gap: flagged / present (must be 0); summed over the seeds.`,
      '',
      `| family | role | ${detectors.map((d) => `${d} (tuning) | ${d} (test)`).join(' | ')} |`,
      `|---|---|${detectors.map(() => '---:|---:').join('|')}|`,
    );
    const names = [...new Set(here.map((f) => f.family))].sort((a, b) => familyOrder(a) - familyOrder(b));
    for (const name of names) {
      const role = name === UNEXPLAINED ? 'false flags no family explains' : (SYNTH_FAMILIES.find((f) => f.name === name)?.role ?? '-');
      const cell = (d: string, g: SeedGroup) => {
        const f = here.find((x) => x.detector === d && x.family === name && x.group === g);
        return !f ? '-' : name === UNEXPLAINED ? String(f.flagged) : `${f.flagged} / ${f.present}`;
      };
      out.push(`| ${name} | ${role.replace('_', ' ')} | ${detectors.map((d) => `${cell(d, 'tuning')} | ${cell(d, 'test')}`).join(' | ')} |`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The marker pair around a generated block of a page. */
export function generatedMarkers(name: string, by = 'npm run evaluation'): [string, string] {
  return [`<!-- generated: ${name} (${by}; do not edit by hand) -->`, `<!-- end generated: ${name} -->`];
}

/** The page with the block `name` replaced by `body`; throws when the page lacks its markers. Pure. */
export function replaceGeneratedBlock(page: string, name: string, body: string, by?: string): string {
  const [open, close] = generatedMarkers(name, by);
  const a = page.indexOf(open);
  const b = page.indexOf(close);
  if (a < 0 || b < a) throw new Error(`the page has no generated block '${name}' (${open} … ${close})`);
  return `${page.slice(0, a + open.length)}\n${body}${page.slice(b)}`;
}

/** The body of the block `name` of a page (between its markers), or null. */
export function generatedBlock(page: string, name: string, by?: string): string | null {
  const [open, close] = generatedMarkers(name, by);
  const a = page.indexOf(open);
  const b = page.indexOf(close);
  return a < 0 || b < a ? null : page.slice(a + open.length + 1, b);
}

function f2(v: number | undefined): string {
  return v === undefined || v !== v ? '-' : v.toFixed(2);
}

/** `1–5, 101–120` from a sorted list of seeds. */
function ranges(seeds: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < seeds.length; ) {
    let j = i;
    while (j + 1 < seeds.length && seeds[j + 1] === seeds[j] + 1) j++;
    out.push(i === j ? String(seeds[i]) : `${seeds[i]}–${seeds[j]}`);
    i = j + 1;
  }
  return out.length ? out.join(', ') : 'none';
}

/** The wild preset's knobs as a markdown table (knob, range drawn per seed, source) for docs/synth.md. Pure. */
export function renderWildKnobs(): string {
  const esc = (t: string) => t.replace(/\|/g, '\\|');
  const rows = Object.entries(WILD_DRAWS).map(([k, d]) => `| \`${k}\` | ${esc(d.range)} | ${esc(d.source)} |`);
  return ['| knob | drawn per seed from | source |', '|---|---|---|', ...rows].join('\n') + '\n';
}

/** The families of truth.json as a markdown table (family, role, what it is) for docs/synth.md. Pure. */
export function renderSynthFamilies(): string {
  const rows = SYNTH_FAMILIES.map((f) => `| \`${f.name}\` | ${f.role.replace('_', ' ')} | ${f.about} |`);
  return ['| family | role | what it is |', '|---|---|---|', ...rows].join('\n') + '\n';
}

/** The atlas's top mirror pairs as `scripts/write-evaluation.ts` keeps them (`docs/evaluation/atlas-mirror.json`). */
export interface AtlasMirrorTop {
  source: string;
  pairs_scored: number;
  pairs_with_flagged_window: number;
  pairs_flagged: number;
  rows: {
    rank: number; exporter: string; importer: string; hs6: string; value_at_stake_usd: number; believability: number; score: number;
    window: string; period_end: string; exporter_value_usd: number | null; importer_value_fob_usd: number | null; log_ratio: number | null;
    windows_flagged: number; reasons: string[];
  }[];
}

/** The atlas's top mirror pairs as a markdown table with their numbers. Pure. */
export function renderAtlasMirrorTop(t: AtlasMirrorTop): string {
  const m = (v: number | null) => (v === null || v !== v ? '-' : (v / 1e6).toFixed(2));
  const lines = [
    `${t.source}: ${t.pairs_scored.toLocaleString('en-US')} pairs scored, ${t.pairs_with_flagged_window.toLocaleString('en-US')} with a flagged window, ${t.pairs_flagged} flagged (the review budget); the top 20:`,
    '',
    '| rank | pair | HS6 | at stake, USD m/yr | believability | score, USD m | best window | exporter, USD m | importer FOB, USD m | log ratio | windows | reasons |',
    '|---:|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|',
    ...t.rows.map((r) =>
      `| ${r.rank} | ${r.exporter} → ${r.importer} | ${r.hs6} | ${m(r.value_at_stake_usd)} | ${r.believability.toFixed(2)} | ${m(r.score)} | ${r.window} ${r.period_end} | ${m(r.exporter_value_usd)} | ${m(r.importer_value_fob_usd)} | ${r.log_ratio === null ? '-' : r.log_ratio.toFixed(2)} | ${r.windows_flagged} | ${r.reasons.join(', ')} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** The top candidate routes of a real data set, each with every link of its chain (docs/evaluation/*-routes.json). */
export interface RealRoutesTop {
  source: string;
  candidates: number;
  flagged: number;
  rows: {
    rank: number; origin: string; hub: string; destination: string; hs6: string; control_id: string; freq: string; period_end: string;
    flagged: boolean; score: number; at_stake_usd: number; weakest_link_z: number | null;
    chain: { link: string; role: string; status: string; z: number | null }[]; links_missing: string[];
  }[];
}

/**
 * A real data set's top routes (flagged first, then by score) as a markdown table: every link of the chain with its
 * status and z, required links first, so an unflagged route shows which link failed or could not be judged. Pure.
 */
export function renderRealRoutesTop(t: RealRoutesTop): string {
  const z = (v: number | null) => (v === null || !Number.isFinite(v) ? '' : ` z ${v.toFixed(1)}`);
  const chain = (c: RealRoutesTop['rows'][number]['chain']) =>
    c.map((l) => `${l.role === 'required' ? '**' : ''}${l.link}${l.role === 'required' ? '**' : ''}: ${l.status}${z(l.z)}`).join('; ');
  const lines = [
    `${t.source}: ${t.candidates.toLocaleString('en-US')} candidate routes, ${t.flagged} flagged; the top ${t.rows.length} (required links in bold):`,
    '',
    '| rank | route | HS6 | control (lead), window end | flagged | at stake, USD m | weakest z | chain |',
    '|---:|---|---|---|---|---:|---:|---|',
    ...t.rows.map(
      (r) =>
        `| ${r.rank} | ${r.origin} → ${r.hub} → ${r.destination} | ${r.hs6} | ${r.control_id} ${r.freq} ${r.period_end} | ${r.flagged ? 'yes' : 'no'} | ${(r.at_stake_usd / 1e6).toFixed(2)} | ${r.weakest_link_z === null || !Number.isFinite(r.weakest_link_z) ? '-' : r.weakest_link_z.toFixed(1)} | ${chain(r.chain)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}


/**
 * The mirror hold-out as a markdown table: per family left out of the tuning worlds, the point chosen without it,
 * the test figures at that point, and the family's own count on the test seeds beside its count under the full
 * tuning (the first row). Pure.
 */
export function renderMirrorHoldOut(res: MirrorHoldOutResults): string {
  const full = res.rows.find((r) => r.family === null);
  if (!full) throw new Error('renderMirrorHoldOut: no row tuned with every family');
  const keys = Object.keys(res.grid);
  const grid = keys.map((k) => `\`${k}\` ${res.grid[k].join(', ')}`).join('; ');
  const count = (f: MirrorPointFigures, family: string) => {
    const c = f.families[family];
    return c ? `${c.flagged} / ${c.present}` : '-';
  };
  const lines = [
    `Preset \`${res.preset}\`: for each family, the worlds of tuning seeds ${ranges(res.tuning_seeds)} made without it, the grid (${grid}) swept over them and the point with the best mean precision@k kept (then the fewer false flags); that point judged on test seeds ${ranges(res.test_seeds)}, which keep the family. The first row tunes with every family. The last two columns: the family found (or, for a legitimate gap or distractor, wrongly flagged) / present on the test seeds, tuned without it and with it.`,
    '',
    `| family left out | role | chosen (${keys.join(' / ')}) | recall (test) | precision@k (test) | false flags (test) | the family, tuned without it | tuned with it |`,
    '|---|---|---|---:|---:|---:|---:|---:|',
    ...res.rows.map((r) =>
      `| ${r.family ?? '(none)'} | ${r.role ?? '-'} | ${keys.map((k) => r.chosen[k]).join(' / ')} | ${r.test.recall.toFixed(2)} | ${r.test.precision_at_k.toFixed(2)} | ${r.test.false_flags} | ${r.family ? count(r.test, r.family) : '-'} | ${r.family ? count(full.test, r.family) : '-'} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
