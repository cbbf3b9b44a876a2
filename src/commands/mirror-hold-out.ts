import { choosePoint, gridPoints, type MirrorGrid, type MirrorHoldOutResults, type MirrorHoldOutRow, type MirrorPointFigures } from '../evaluate/hold-out.ts';
import type { SynthPreset } from '../synth/knobs.ts';
import { TUNING_SEEDS, datasetLoaders, evaluateDataset, type BacktestDataset } from './backtest-data.ts';
import { loadReference } from '../run/reference-input.ts';
import { backtestConfig } from './backtest.ts';
import type { Config } from '../config/config.ts';
import type { PipelineDef, ReferenceInput } from '../pipeline.ts';
import { loadPipelines } from '../run/registry.ts';

/**
 * The hold-out protocol for mirror gaps, per family: the worlds of the tuning seeds made without it, the grid
 * swept over them and a point chosen by {@link choosePoint}; that point judged on the test seeds' worlds, which
 * keep the family. A family the detector only survives because the thresholds saw it shows as a drop from the
 * figures of the full tuning. Runs the mirror-gaps pipeline only, in memory.
 */
export async function mirrorHoldOut(opts: {
  families: readonly { name: string; role: string }[];
  grid: MirrorGrid;
  preset: SynthPreset;
  testSeeds: readonly number[];
  /** Products read (default every code, as the evaluation's backtests). */
  hs?: string;
  /** Called after each family. */
  progress?: (family: string) => void;
}): Promise<MirrorHoldOutResults> {
  const hs = opts.hs ?? 'all';
  const base = await backtestConfig({ out: '', hs });
  const reference = await loadReference();
  const def = (await loadPipelines()).get('mirror-gaps');
  if (!def) throw new Error("mirrorHoldOut: pipeline 'mirror-gaps' not found in pipelines/");
  // mirror-gaps alone: the other pipelines judge other targets
  const ctx = { pipelines: new Map([[def.name, def]]), reference };
  const load = async (seeds: readonly number[], holdOut: string[]) => {
    const out: BacktestDataset[] = [];
    for (const l of datasetLoaders({ seeds: [...seeds], preset: opts.preset, holdOut }, base, { cwd: process.cwd(), log: () => {}, command: 'evaluation' })) out.push(await l());
    return out;
  };
  const points = gridPoints(opts.grid);
  const configs = await Promise.all(points.map((pt) => backtestConfig({ out: '', hs, set: Object.entries(pt).map(([k, v]) => `mirror.gaps.${k}=${v}`) })));
  const test = await load(opts.testSeeds, []);
  const rows: MirrorHoldOutRow[] = [];
  for (const f of [null, ...opts.families]) {
    const tuning = await load(TUNING_SEEDS, f ? [f.name] : []);
    const swept: MirrorPointFigures[] = [];
    for (const c of configs) swept.push(await figuresOf(tuning, c, ctx));
    const k = choosePoint(swept);
    rows.push({ family: f?.name ?? null, role: f?.role ?? null, chosen: points[k], tuning: swept[k], test: await figuresOf(test, configs[k], ctx) });
    opts.progress?.(f?.name ?? '(none)');
  }
  return { schema: 'tradewatch/mirror-holdout/v1', preset: opts.preset, tuning_seeds: [...TUNING_SEEDS], test_seeds: [...opts.testSeeds], grid: opts.grid, rows };
}

/** The mirror figures of one config over some worlds (the backtest's judgement of mirror-gaps alone), with every family's counts. */
async function figuresOf(worlds: readonly BacktestDataset[], config: Config, ctx: { pipelines: Map<string, PipelineDef>; reference: ReferenceInput }): Promise<MirrorPointFigures> {
  const acc: MirrorPointFigures = { recall: 0, precision_at_k: 0, false_flags: 0, families: {} };
  for (const w of worlds) {
    const judged = (await evaluateDataset(w, config, { ...ctx, baselines: false })).find((r) => r.target === 'mirror_gaps' && r.source === 'truth');
    if (!judged) throw new Error(`mirrorHoldOut: ${w.name} has no trade or no truth`);
    acc.recall += judged.metrics.recall / worlds.length;
    acc.precision_at_k += judged.metrics.precisionAtK / worlds.length;
    acc.false_flags += judged.metrics.fp;
    for (const x of judged.families) {
      const a = (acc.families[x.family] ??= { flagged: 0, present: 0 });
      a.flagged += x.flagged;
      a.present += x.present;
    }
  }
  return acc;
}
