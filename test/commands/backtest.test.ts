import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readParquet } from '../../src/io/parquet.ts';
import { runBacktest, type BacktestSummary } from '../../src/commands/backtest.ts';
import { UsageError } from '../../src/base/errors.ts';
import { runTune } from '../../src/commands/tune.ts';
import { rowsOf } from '../helpers.ts';
import { quietMain } from '../cli/quiet-main.ts';

const SAMPLE = 'data/sample';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-backtest-'));
});

/** Per target: the figures a person reads of one detector (tradewatch unless named), rounded to 4 decimals. */
function figures(s: BacktestSummary, k = 0, detector = 'tradewatch') {
  const r4 = (v: number) => (v === v ? Math.round(v * 1e4) / 1e4 : null);
  return Object.fromEntries(
    s.results[k].targets.filter((t) => t.detector === detector).map((t) => {
      const m = t.metrics;
      return [t.target, { flagged: m.flagged, tp: m.tp, fp: m.fp, fn: m.fn, precision: r4(m.precision), recall: r4(m.recall), f1: r4(m.f1), k: m.k, p_at_k: r4(m.precisionAtK), ...t.extra, truth: t.source }];
    }),
  );
}

/** The bundled sample (the easy world of seed 7) judged against its truth.json. */
const SAMPLE_FIGURES = {
  routes: { flagged: 3, tp: 3, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1, k: 3, p_at_k: 1, distractors_flagged: 0, out_of_scope: 0, truth: 'truth' },
  // one under-declared pair on 750210 (nickel, not in the control catalog) is outside run.hs '@catalog'
  mirror_gaps: { flagged: 1, tp: 1, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1, k: 1, p_at_k: 1, confidential_flagged: 0, legitimate_flagged: 0, route_legs_flagged: 1, out_of_scope: 1, truth: 'truth' },
  // every anomaly caught; 26 ordinary declarations flagged too (59/85, F1 118/144): 10 as before, and 16 imports of
  // Chinese-origin gallium into the USA through Belgium while the ban was in force (banned_destination_via_third,
  // issue 19 item 11), which the generator's truth lists as ordinary; weaker than the anomalies' rules, they rank
  // below every one of them (p@k 1)
  declarations: { flagged: 85, tp: 59, fp: 26, fn: 0, precision: 0.6941, recall: 1, f1: 0.8194, k: 59, p_at_k: 1, truth: 'truth' },
};


describe('tradewatch backtest', () => {
  it("judges flags by analysts' verdicts: confirmed true, dismissed false, watch left out, with no truth.json needed", async () => {
    // the flag ids of the sample's three flagged routes, from a run of the same data
    const { loadPipelines } = await import('../../src/run/registry.ts');
    const { runPipeline } = await import('../../src/run/runner.ts');
    const run = await runPipeline((await loadPipelines()).get('transshipment')!, { trade: [`${SAMPLE}/trade`], out: join(dir, 'review-run') });
    const ids = rowsOf(await readParquet(join(run.path, 'flagged_routes.parquet')), ['flag_id']).map((r) => r.flag_id as string);
    const reviews = join(dir, 'reviews.csv');
    await writeFile(reviews, [
      'flag_id,verdict,note,reviewer,date',
      `${ids[0]},confirmed,,ana,2026-01-01`,
      `${ids[1]},dismissed,,ana,2026-01-01`,
      `${ids[2]},watch,,ana,2026-01-01`,
      'ffffffffffffffff,confirmed,a flag this run cannot place,ben,2026-01-01',
    ].join('\n'));
    const s = await runBacktest({ trade: [`${SAMPLE}/trade`], reviews, out: join(dir, 'reviews-out') });
    expect(figures(s)).toEqual({
      routes: { flagged: 2, tp: 1, fp: 1, fn: 0, precision: 0.5, recall: 1, f1: 0.6667, k: 1, p_at_k: 1, reviewed_watch: 1, reviews_unplaced: 1, truth: 'reviews' },
      mirror_gaps: { flagged: 0, tp: 0, fp: 0, fn: 0, precision: null, recall: null, f1: null, k: 0, p_at_k: null, reviewed_watch: 0, reviews_unplaced: 1, truth: 'reviews' },
    });
    // with the output named, a confirmed flag this run no longer carries is a miss
    await writeFile(reviews, `flag_id,verdict,note,reviewer,date,output\n${ids[0]},confirmed,,ana,2026-01-01,flagged_routes\nffffffffffffffff,confirmed,,ben,2026-01-01,flagged_routes\n`);
    const named = await runBacktest({ trade: [`${SAMPLE}/trade`], reviews, out: join(dir, 'reviews-out') });
    expect(figures(named).routes).toMatchObject({ flagged: 1, tp: 1, fn: 1, recall: 0.5, reviews_unplaced: 0 });
    await expect(runBacktest({ trade: [`${SAMPLE}/trade`], out: join(dir, 'none') })).rejects.toThrow('give --truth FILE or --reviews FILE');
  });

  it('judges the bundled sample against its truth.json with known figures, and writes them long to backtest.parquet', async () => {
    const out = join(dir, 'sample');
    const { code, stdout } = await quietMain(['backtest', '--truth', `${SAMPLE}/truth.json`, '--trade', `${SAMPLE}/trade`, '--declarations', `${SAMPLE}/declarations`, '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toContain('declarations  tradewatch             85  59  26   0      0.694   1.000  0.819  1.000  59  truth');
    expect(stdout).toContain('mirror_gaps  under_declared_exports                   -              1/1                        -                    1/1');
    const rows = rowsOf(await readParquet(join(out, 'backtest.parquet')));
    const ours = rows.filter((r) => r.detector === 'tradewatch' && r.family === null);
    expect(ours).toHaveLength(3 * 10 + 2 + 4); // ten metrics per target, then the extra counts
    expect(rows.find((r) => r.target === 'declarations' && r.metric === 'precision')).toEqual({
      seed: 7, target: 'declarations', detector: 'tradewatch', family: null, metric: 'precision', value: 59 / 85, truth_source: 'truth',
    });
    expect(ours.filter((r) => r.target === 'routes').map((r) => r.metric)).toEqual([
      'flagged', 'positives', 'tp', 'fp', 'fn', 'precision', 'recall', 'f1', 'k', 'precision_at_k', 'distractors_flagged', 'out_of_scope',
    ]);
    // by family: the under-declared pair found by both; the sample's two entrepôts flagged by neither
    const family = (detector: string, target: string, name: string) =>
      Object.fromEntries(rows.filter((r) => r.detector === detector && r.target === target && r.family === name).map((r) => [r.metric, r.value]));
    expect(family('tradewatch', 'mirror_gaps', 'under_declared_exports')).toEqual({ present: 1, flagged: 1 });
    expect(family('mirror_threshold', 'mirror_gaps', 'stockpiling')).toEqual({ present: 3, flagged: 1 });
    expect(family('two_leg_rule', 'routes', 'steady_entrepot')).toEqual({ present: 2, flagged: 0 });
    const json = JSON.parse(await readFile(join(out, 'backtest.json'), 'utf8'));
    expect(json).toMatchObject({ schema: 'tradewatch/backtest/v1', preset: null, seeds: [7], tuning_seeds: [1, 2, 3, 4, 5], hold_out: [] });
    expect(json.rows).toHaveLength(rows.length);

    const s = await runBacktest({ truth: `${SAMPLE}/truth.json`, trade: [`${SAMPLE}/trade`], declarations: [`${SAMPLE}/declarations`], out });
    expect(figures(s)).toEqual(SAMPLE_FIGURES);
    // the baselines on the same flows: the two-leg rule finds the three routes; the mirror threshold also flags a stockpiling pair
    expect(figures(s, 0, 'two_leg_rule').routes).toMatchObject({ flagged: 3, tp: 3, fp: 0, p_at_k: 1 });
    expect(figures(s, 0, 'mirror_threshold').mirror_gaps).toMatchObject({ flagged: 2, tp: 1, fp: 1, p_at_k: 0 });
  });

  it('gives the same figures on the same world generated in memory (--seeds 7, easy)', async () => {
    const s = await runBacktest({ seeds: [7], preset: 'easy', out: join(dir, 'seed7') });
    expect(s.results.map((r) => r.name)).toEqual(['seed 7 (easy)']);
    expect(figures(s)).toEqual(SAMPLE_FIGURES);
  });

  it('--hold-out leaves a family out of the tuning seeds\' worlds and keeps it in the test seeds\'', async () => {
    const s = await runBacktest({ seeds: [2, 102], preset: 'wild', holdOut: ['producer_hub'], out: join(dir, 'hold-out') });
    expect(s.results.map((r) => r.name)).toEqual(['seed 2 (wild, without producer_hub)', 'seed 102 (wild)']);
    const present = (seed: number) => s.rows.filter((r) => r.seed === seed && r.detector === 'tradewatch' && r.target === 'routes' && r.family === 'producer_hub' && r.metric === 'present');
    expect(present(2)).toEqual([]);
    expect(present(102).map((r) => r.value)).toEqual([1]);
    expect(s.json.hold_out).toEqual(['producer_hub']);
  });

  it('judges labelled declarations by their label column when there is no truth.json (unlabelled rows left out)', async () => {
    // 24 ordinary declarations (label 0), a misclassified germanium ingot and an undervalued gallium lot (label 1),
    // three later declarations without a label; all lines of the bundled sample
    const lines = readFileSync(`${SAMPLE}/declarations/declarations_7.csv`, 'utf8').split('\n');
    const csv = [...lines.slice(0, 25), lines[68], lines[353], ...lines.slice(699, 702)].join('\n') + '\n';
    expect(csv.split('\n').filter((l) => l.endsWith(',1')).map((l) => l.slice(0, 9))).toEqual(['D7-000068', 'D7-000353']);
    const file = join(dir, 'labelled.csv');
    await writeFile(file, csv);
    const s = await runBacktest({ declarations: [file], out: join(dir, 'labelled') });
    expect(s.results[0].seed).toBeNull();
    // the misclassified one is flagged by its description; the undervalued one has too few peers for the price filter
    expect(figures(s)).toEqual({
      declarations: { flagged: 1, tp: 1, fp: 0, fn: 1, precision: 1, recall: 0.5, f1: 0.6667, k: 2, p_at_k: 0.5, unlabelled_left_out: 3, truth: 'labels' },
    });
  });

  it('refuses bad combinations with exit 2 and writes nothing', async () => {
    const out = join(dir, 'bad');
    const cases: [string[], string][] = [
      [['--trade', `${SAMPLE}/trade`], 'give --truth FILE'],
      [['--seeds', '1', '--truth', `${SAMPLE}/truth.json`], 'leave out --truth'],
      [['--preset', 'hard', '--declarations', `${SAMPLE}/declarations`], '--preset goes with --seeds'],
      [['--hold-out', 'producer_hub', '--truth', `${SAMPLE}/truth.json`, '--trade', `${SAMPLE}/trade`], '--hold-out goes with --seeds'],
      [['--seeds', '1', '--preset', 'wild', '--hold-out', 'dragons'], "--hold-out: unknown family 'dragons'"],
      [['--truth', 'package.json', '--trade', `${SAMPLE}/trade`], "expected a truth.json of schema tradewatch/synth-truth/v1, found no schema"],
    ];
    for (const [args, message] of cases) {
      const r = await quietMain(['backtest', ...args, '--out', out]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe('tradewatch tune', () => {
  it('sweeps 3 thresholds × 2 hard seeds: a row per point and target, recall falling with the threshold, one plot path per target', async () => {
    const out = join(dir, 'tune');
    const s = await runTune({ params: ['transshipment.chain.minLinkZ=1,4,8'], seeds: [1, 2], preset: 'hard', out, concurrency: 2 });
    expect(s.rows.map((r) => [r.values['transshipment.chain.minLinkZ'], r.target, r.seeds])).toEqual([
      [1, 'routes', 2], [1, 'mirror_gaps', 2], [1, 'declarations', 2],
      [4, 'routes', 2], [4, 'mirror_gaps', 2], [4, 'declarations', 2],
      [8, 'routes', 2], [8, 'mirror_gaps', 2], [8, 'declarations', 2],
    ]);
    const routes = s.rows.filter((r) => r.target === 'routes');
    const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
    expect(routes.map((r) => [r.flagged_mean, r4(r.precision_mean), r4(r.recall_mean), r4(r.recall_sd)])).toEqual(ROUTES_SWEEP);
    for (let i = 1; i < routes.length; i++) {
      expect(routes[i].recall_mean).toBeLessThanOrEqual(routes[i - 1].recall_mean);
      expect(routes[i].flagged_mean).toBeLessThanOrEqual(routes[i - 1].flagged_mean);
    }
    expect(routes[2].recall_mean).toBeLessThan(routes[0].recall_mean);
    // mirror gaps do not read the transshipment threshold: the same on every point
    const mirror = s.rows.filter((r) => r.target === 'mirror_gaps');
    expect(new Set(mirror.map((r) => `${r.flagged_mean}|${r.f1_mean}`)).size).toBe(1);
    // every seed's figures: 3 points × 2 seeds × 3 targets
    expect(s.runs).toHaveLength(18);

    const table = rowsOf(await readParquet(join(out, 'tune.parquet')));
    expect(table).toHaveLength(9);
    expect(Object.keys(table[0])).toEqual([
      'transshipment_chain_min_link_z', 'target', 'seeds', 'flagged_mean', 'precision_mean', 'precision_sd', 'recall_mean', 'recall_sd',
      'f1_mean', 'f1_sd', 'precision_at_k_mean', 'precision_at_k_sd',
    ]);
    const csv = (await readFile(join(out, 'tune.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(10);
    expect(csv[0]).toBe(Object.keys(table[0]).join(','));
    expect(csv[1].startsWith('1,routes,2,')).toBe(true);
    const long = rowsOf(await readParquet(join(out, 'tune_runs.parquet')));
    expect(new Set(long.map((r) => r.seed))).toEqual(new Set([1, 2]));

    const svg = await readFile(join(out, 'tune.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(3);
    for (const t of ['routes', 'mirror_gaps', 'declarations']) expect(svg).toContain(`data-target="${t}"`);
    expect(svg).toContain('>recall</text>');
    expect(svg).toContain('>precision</text>');
    expect(svg).toBe(s.plot);
  });

  it('refuses a snake_case key naming the camelCase one, and other bad params, with exit 2 before reading anything', async () => {
    const out = join(dir, 'tune-bad');
    const cases: [string, string][] = [
      ['transshipment.chain.pass_through_min=0.3:0.9:0.05', "config keys are camelCase: use 'transshipment.chain.passThroughMin'"],
      ['transshipment.chain.passThroughMin=0.9:0.3:0.05', "'to' (0.3) is below 'from' (0.9)"],
      ['transshipment.chain.passThroughMin=0.3:0.9:0', 'the step must be above 0'],
      ['transshipment.baselineMonths=1.5', "'transshipment.baselineMonths' must be int"],
      ['ingest.maxRejectRate=0.1', 'only detection settings can be swept'],
      ['transshipment.gates=1', 'only numbers can be swept'],
      ['transshipment.nope=1', "unknown key 'nope' under 'transshipment'"],
    ];
    for (const [param, message] of cases) {
      const r = await quietMain(['tune', '--param', param, '--seeds', '1', '--out', out]);
      expect(r.code, param).toBe(2);
      expect(r.stderr).toContain(message);
    }
    await expect(runTune({ params: ['transshipment.chain.passThroughMin=0.3:0.9:0.05'], seeds: [1], trade: ['x'], out })).rejects.toThrow(UsageError);
    expect(existsSync(out)).toBe(false);
  });
});

/** Routes over hard seeds 1–2 (10 true routes each) at chain.minLinkZ 1, 4, 8: flagged, precision, recall (means), recall sd. */
const ROUTES_SWEEP: number[][] = [
  [9, 1, 0.9, 0.1414],
  [8.5, 1, 0.85, 0.0707],
  [8.5, 1, 0.85, 0.0707],
];
