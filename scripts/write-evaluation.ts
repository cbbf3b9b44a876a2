/**
 * Writes the figures of docs/evaluation.md (and the wild preset's tables of docs/synth.md): backtests of tradewatch and its baselines on the synthetic presets
 * (tuning seeds 1–5, test seeds beyond), each kept as its backtest.json in docs/evaluation/, and the page's
 * generated blocks rendered from those files. `npm run evaluation`; test/report/render-evaluation.test.ts
 * checks that the page matches the committed results.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { type AtlasMirrorTop, type RealRoutesTop, renderAtlasMirrorTop, renderMirrorHoldOut, renderRealRoutesTop, renderEvaluationTables, renderSynthFamilies, renderWildKnobs, replaceGeneratedBlock } from '../src/report/render-evaluation.ts';
import { loadReference } from '../src/run/reference-input.ts';
import { runBacktest } from '../src/commands/backtest.ts';
import { loadPipelines } from '../src/run/registry.ts';
import { resolvedRunConfig } from '../src/run/runner.ts';
import { hashInputs, readTrade } from '../src/run/trade.ts';
import { tradeInScope } from '../src/pipeline.ts';
import type { SynthPreset } from '../src/synth/knobs.ts';
import { SYNTH_FAMILIES } from '../src/synth/wild-knobs.ts';
import { mirrorHoldOut } from '../src/commands/mirror-hold-out.ts';
import type { MirrorGrid } from '../src/evaluate/hold-out.ts';

/** The backtests the page shows: name (the block and the file), preset and seeds. */
export const EVALUATION_RUNS: { name: string; preset: SynthPreset; seeds: number[] }[] = [
  { name: 'wild', preset: 'wild', seeds: [1, 2, 3, 4, 5, ...Array.from({ length: 20 }, (_, i) => 101 + i)] },
  { name: 'hard', preset: 'hard', seeds: [1, 2, 3, 4, 5, ...Array.from({ length: 10 }, (_, i) => 101 + i)] },
];

/** The grid the mirror hold-out re-chooses thresholds on: around the defaults, as they were chosen (src/detect/mirror/mirror-gaps.ts). */
export const MIRROR_HOLD_OUT_GRID: MirrorGrid = { minZ: [4, 4.5, 5], minZComparable: [3, 4], minAbsQuantityLogRatio: [0.26, 0.3, 0.34] };

const root = resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);
const pagePath = join(root, 'docs/evaluation.md');
let page = await readFile(pagePath, 'utf8');
for (const run of EVALUATION_RUNS.filter((r) => !only.length || only.includes(r.name))) {
  const out = await mkdtemp(join(tmpdir(), 'tradewatch-evaluation-'));
  try {
    // every code, so mirror anomalies on comparators and uncontrolled codes are in scope
    const summary = await runBacktest({ seeds: run.seeds, preset: run.preset, hs: 'all', out });
    await writeFileAtomic(join(root, `docs/evaluation/${run.name}.json`), await readFile(summary.jsonPath));
    page = replaceGeneratedBlock(page, run.name, renderEvaluationTables(summary.json));
    process.stdout.write(`${run.name}: ${summary.results.length} worlds\n`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
// the atlas records (../shared/data, TRADEWATCH_REAL_DATA): the mirror pipeline's top 20 pairs, as `run mirror-gaps` scores them
if (!only.length || only.includes('atlas-mirror')) {
  const data = resolve(process.env.TRADEWATCH_REAL_DATA ?? join(root, '../shared/data'));
  const config = resolvedRunConfig({ out: '' }, undefined);
  const inputs = await hashInputs('trade', ['2022', '2024'].map((y) => join(data, `comtrade-atlas/raw_comtrade/comtrade_${y}.csv`)), root);
  const { result, comparators } = await readTrade(inputs, { format: 'mapped:comtrade-atlas', params: config.ingest, log: () => {} });
  const def = (await loadPipelines()).get('mirror-gaps')!;
  const counts: Record<string, number> = {};
  const out = await def.run({ trade: tradeInScope({ ...result, comparators }, def).trade, reference: await loadReference() }, def.params(config), (_s, fn) => fn(), (k, n) => (counts[k] = n));
  const cols = ['rank', 'exporter', 'importer', 'hs6', 'value_at_stake_usd', 'believability', 'score', 'window', 'period_end', 'exporter_value_usd', 'importer_value_fob_usd', 'log_ratio', 'windows_flagged', 'reasons'];
  const top: AtlasMirrorTop = {
    source: 'comtrade-atlas/raw_comtrade 2022 and 2024, --format mapped:comtrade-atlas, run mirror-gaps with the default config (@catalog)',
    pairs_scored: counts.pairs_scored, pairs_with_flagged_window: counts.pairs_with_flagged_window, pairs_flagged: counts.pairs_flagged,
    rows: Array.from({ length: Math.min(20, out.mirror_gaps.numRows) }, (_, i) => {
      const r = Object.fromEntries(cols.map((c) => [c, out.mirror_gaps.getChild(c)!.get(i)]));
      return { ...r, reasons: [...(r.reasons as { toArray(): string[] }).toArray()] };
    }) as AtlasMirrorTop['rows'],
  };
  await writeFileAtomic(join(root, 'docs/evaluation/atlas-mirror.json'), `${JSON.stringify(top, null, 1)}\n`);
  page = replaceGeneratedBlock(page, 'atlas-mirror', renderAtlasMirrorTop(top));
}
// the top routes of the atlas records and of BACI, as `run transshipment` scores them, with every link of the chain
for (const src of [
  { name: 'atlas-routes', format: 'mapped:comtrade-atlas', files: ['2022', '2024'].map((y) => `comtrade-atlas/raw_comtrade/comtrade_${y}.csv`), what: 'comtrade-atlas/raw_comtrade 2022 and 2024, --format mapped:comtrade-atlas' },
  { name: 'baci-routes', format: 'mapped:atlas-baci', files: ['2022', '2024'].map((y) => `comtrade-atlas/baci_recon/baci_${y}.csv`), what: 'comtrade-atlas/baci_recon 2022 and 2024 (BACI, HS2017), --format mapped:atlas-baci' },
].filter((x) => !only.length || only.includes(x.name))) {
  const data = resolve(process.env.TRADEWATCH_REAL_DATA ?? join(root, '../shared/data'));
  const config = resolvedRunConfig({ out: '' }, undefined);
  const inputs = await hashInputs('trade', src.files.map((f) => join(data, f)), root);
  const { result, comparators } = await readTrade(inputs, { format: src.format, params: config.ingest, log: () => {} });
  const def = (await loadPipelines()).get('transshipment')!;
  const out = await def.run({ trade: tradeInScope({ ...result, comparators }, def).trade, reference: await loadReference() }, def.params(config), (_s, fn) => fn(), () => {});
  const all = out.routes_all;
  const get = (c: string, i: number) => all.getChild(c)!.get(i);
  const top: RealRoutesTop = {
    source: `${src.what}, run transshipment with the default config (@catalog, the comparators read beside it)`,
    candidates: all.numRows,
    flagged: out.flagged_routes.numRows,
    rows: Array.from({ length: Math.min(10, all.numRows) }, (_, i) => ({
      rank: get('rank', i), origin: get('origin', i), hub: get('hub', i), destination: get('destination', i), hs6: get('hs6', i),
      control_id: get('control_id', i), freq: get('freq', i), period_end: get('period_end', i), flagged: get('flagged', i),
      score: get('score', i), at_stake_usd: get('at_stake_usd', i), weakest_link_z: get('weakest_link_z', i),
      chain: [...get('chain', i).toArray()].map((l: { toJSON(): Record<string, unknown> }) => {
        const j = l.toJSON();
        return { link: j.link as string, role: j.role as string, status: j.status as string, z: (j.z as number | null) ?? null };
      }),
      links_missing: [...get('links_missing', i).toArray()],
    })),
  };
  await writeFileAtomic(join(root, `docs/evaluation/${src.name}.json`), `${JSON.stringify(top, null, 1)}\n`);
  page = replaceGeneratedBlock(page, src.name, renderRealRoutesTop(top));
}
// the hold-out of mirror gaps: per family, thresholds re-chosen on tuning worlds without it, judged on test worlds with it
if (!only.length || only.includes('mirror-holdout')) {
  const families = SYNTH_FAMILIES.filter((f) => f.role === 'mirror' || f.role === 'legitimate_gap').map((f) => ({ name: f.name, role: f.role }));
  const res = await mirrorHoldOut({
    families, preset: 'wild', testSeeds: EVALUATION_RUNS[0].seeds.filter((s) => s > 100), grid: MIRROR_HOLD_OUT_GRID,
    progress: (f) => process.stdout.write(`mirror-holdout: ${f}\n`),
  });
  await writeFileAtomic(join(root, 'docs/evaluation/mirror-holdout.json'), `${JSON.stringify(res, null, 1)}\n`);
  page = replaceGeneratedBlock(page, 'mirror-holdout', renderMirrorHoldOut(res));
}
await writeFileAtomic(pagePath, page);
process.stdout.write(`${pagePath}\n`);
// the wild preset's knob ranges and the families, as the code has them
const synthPath = join(root, 'docs/synth.md');
let synth = await readFile(synthPath, 'utf8');
synth = replaceGeneratedBlock(synth, 'wild-knobs', renderWildKnobs());
synth = replaceGeneratedBlock(synth, 'families', renderSynthFamilies());
await writeFileAtomic(synthPath, synth);
process.stdout.write(`${synthPath}\n`);
