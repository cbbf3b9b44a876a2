import { resolve } from 'node:path';
import type { Table } from 'apache-arrow';
import type { FamilyFigure } from '../evaluate/backtest-families.ts';
import { backtestMetrics, type BacktestMetrics } from '../evaluate/backtest-metrics.ts';
import { coverageMirrorDefaults, scoreCoverageMirrorThreshold } from '../evaluate/baselines/coverage-mirror-threshold.ts';
import { scoreTwoLegRule, twoLegRuleDefaults } from '../evaluate/baselines/two-leg-rule.ts';
import {
  chooseDeclarationTruth,
  matchDeclarationTruth,
  matchMirrorTruth,
  matchRouteTruth,
  type BacktestTruth,
  type DeclarationTruthSource,
  flagIdsOf,
  matchReviewTruth,
  type ReviewedFlag,
} from '../evaluate/backtest-truth.ts';
import { loadCatalog } from '../io/catalog.ts';
import { loadCountryCodeIndex, loadCountryNameIndex, loadCountryResolver } from '../io/reference.ts';
import { readJsonFile } from '../io/json-file.ts';
import { readReviewsFile } from '../io/reviews.ts';
import { readDeclarations } from '../ingest/declarations.ts';
import { ingestTrade } from '../ingest/ingest-trade.ts';
import { comparatorCodesFor, resolveHsSelector } from '../reference/catalog.ts';
import type { SynthPreset } from '../synth/knobs.ts';
import { synthWorld } from '../synth/synth-world.ts';
import { holdOutOverrides } from '../synth/wild-knobs.ts';
import { SYNTH_TRUTH_SCHEMA } from '../synth/truth.ts';
import { hashConfig, type Config } from '../config/config.ts';
import { readDeclarationInputs } from '../run/declarations-input.ts';
import { InputError, UsageError } from '../base/errors.ts';
import type { Log } from '../base/log.ts';
import { tradeInScope, type PipelineDef, type PipelineInputs, type ReferenceInput, type StageFn, type TradeInput } from '../pipeline.ts';
import { HANDOFFS, HANDOFF_KEYS } from '../datasets.ts';
import { dependencyLevels, producersOf } from '../run/registry.ts';
import { hashInputs, readTrade } from '../run/trade.ts';

/** What a backtest judges: transshipment routes, mirror gaps, declarations. */
export type BacktestTarget = 'routes' | 'mirror_gaps' | 'declarations';

/** The pipeline whose outputs judge each target. */
export const TARGET_PIPELINES: Record<BacktestTarget, string> = { routes: 'transshipment', mirror_gaps: 'mirror-gaps', declarations: 'declarations' };

/** Targets in the order tables and printouts give them. */
export const BACKTEST_TARGETS: readonly BacktestTarget[] = ['routes', 'mirror_gaps', 'declarations'];

/** Where the data of a backtest or sweep comes from: files with a truth.json, or synthetic worlds made in memory. */
export interface BacktestSourceArgs {
  /** A synthetic world's `truth.json`. */
  truth?: string;
  trade?: string[];
  declarations?: string[];
  /** Earlier declarations with outcomes, for the declarations pipeline's learned model. */
  history?: string[];
  /** Layout of the trade files (default: detected). */
  format?: string;
  /** Synthetic worlds instead of files: these seeds, generated in memory. */
  seeds?: number[];
  preset?: SynthPreset;
  /**
   * Families left out of the worlds of the tuning seeds ({@link TUNING_SEEDS}) and kept in the others: the
   * hold-out protocol (tune with a family absent, test with it present).
   */
  holdOut?: string[];
  /** Analysts' verdicts (a reviews file): confirmed flags are true, dismissed ones false. */
  reviews?: string;
}

/** One data set, ingested once: the tables the pipelines read and the truth to judge them by. */
export interface BacktestDataset {
  /** The world's seed (the truth's, for files), or null when there is no truth.json. */
  seed: number | null;
  /** What it is, for messages: `seed 3 (hard)` or the truth file. */
  name: string;
  trade?: TradeInput;
  declarations?: Table;
  history?: Table;
  truth: BacktestTruth | null;
  /** Which truth judges the declarations (when there are declarations). */
  declarationTruth?: DeclarationTruthSource;
  /** Verdicts from `--reviews`, judging every target's flags beside the truth. */
  verdicts?: ReviewedFlag[];
}

/** Seeds the thresholds are tuned on; every other seed is a test seed. */
export const TUNING_SEEDS: readonly number[] = [1, 2, 3, 4, 5];

/** Who flagged: tradewatch's pipelines, or one of the plain baselines every figure is set beside. */
export type BacktestDetector = 'tradewatch' | 'two_leg_rule' | 'mirror_threshold';

/** One target's figures on one data set. */
export interface TargetResult {
  target: BacktestTarget;
  detector: BacktestDetector;
  /** Figures by family of the truth (routes and mirror gaps judged against a truth.json). */
  families: FamilyFigure[];
  metrics: BacktestMetrics;
  /** Counts of things that must not be flagged but were, or rows left out. */
  extra: Record<string, number>;
  /** `truth` (truth.json), `labels` (the declarations' label column) or `reviews` (analysts' verdicts). */
  source: DeclarationTruthSource | 'reviews';
}

/**
 * Checks the arguments and returns one loader per data set (each ingests when called, so a sweep holds one
 * data set at a time). Throws {@link UsageError} for a bad combination: `--seeds` with files, `--trade`
 * without `--truth`, nothing to judge.
 */
export function datasetLoaders(src: BacktestSourceArgs, config: Config, opts: { cwd: string; log: Log; command: string }): (() => Promise<BacktestDataset>)[] {
  const { command } = opts;
  if (src.seeds?.length) {
    const given = (['truth', 'trade', 'declarations', 'history', 'reviews'] as const).filter((k) => src[k] !== undefined && src[k]!.length !== 0);
    if (given.length) throw new UsageError(`${command}: --seeds makes synthetic worlds; leave out --${given.join(', --')} (or leave out --seeds to use files)`);
    const preset = src.preset ?? 'easy';
    const holdOut = src.holdOut ?? [];
    try {
      holdOutOverrides(holdOut);
    } catch (e) {
      throw new UsageError(`${command}: --hold-out: ${(e as Error).message}`);
    }
    return src.seeds.map((seed) => () => synthDataset(seed, preset, config, TUNING_SEEDS.includes(seed) ? holdOut : []));
  }
  if (src.preset) throw new UsageError(`${command}: --preset goes with --seeds`);
  if (src.holdOut?.length) throw new UsageError(`${command}: --hold-out goes with --seeds`);
  if (!src.trade?.length && !src.declarations?.length) throw new UsageError(`${command}: give --truth FILE with --trade PATH… and/or --declarations PATH…, or --seeds N,… for synthetic worlds`);
  if (src.trade?.length && !src.truth && !src.reviews) throw new UsageError(`${command}: routes and mirror gaps are judged against a truth.json or analysts' verdicts: give --truth FILE or --reviews FILE`);
  if (src.history?.length && !src.declarations?.length) throw new UsageError(`${command}: --history goes with --declarations`);
  return [() => fileDataset(src, config, opts)];
}


/** Pipeline outputs already computed for one data set, by pipeline, config slice and upstream outputs. */
export type PipelineMemo = Map<string, Promise<Record<string, Table>>>;

/**
 * Runs the pipelines a data set has inputs for, in memory (nothing written), as `run all` chains them —
 * transshipment reads mirror-gaps' pairs, declarations read the flagged routes — and judges each target.
 * A pipeline whose config slice and upstream are unchanged is reused from `memo` (a sweep of a
 * transshipment threshold runs mirror-gaps once per data set).
 */
export async function evaluateDataset(
  ds: BacktestDataset,
  config: Config,
  ctx: { pipelines: Map<string, PipelineDef>; reference: ReferenceInput; memo?: PipelineMemo; baselines?: boolean },
): Promise<TargetResult[]> {
  const memo = ctx.memo ?? new Map();
  // every pipeline a target is judged on, and those whose datasets they read, in the order `run all` runs them,
  // each fed the datasets its producers wrote here (src/datasets.ts), as `run all` hands them on
  const judgedOn = new Set(Object.values(TARGET_PIPELINES));
  const needed = new Set<string>();
  const need = (name: string) => {
    const def = ctx.pipelines.get(name);
    if (!def || needed.has(name)) return;
    needed.add(name);
    for (const p of producersOf(def)) need(p);
  };
  for (const name of judgedOn) need(name);
  const outputs = new Map<string, { key: string; out: Record<string, Table> }>();
  for (const def of dependencyLevels(ctx.pipelines).flat().filter((d) => needed.has(d.name))) {
    if ((def.inputs.trade === 'required' && !ds.trade) || (def.inputs.declarations === 'required' && !ds.declarations)) continue;
    const inputs: Omit<PipelineInputs, 'reference'> = {};
    if (def.inputs.trade && ds.trade) inputs.trade = tradeInScope(ds.trade, def).trade; // the comparators reach only the pipeline that uses them
    if (def.inputs.declarations && ds.declarations) Object.assign(inputs, { declarations: ds.declarations, history: ds.history });
    const upstream: string[] = [];
    for (const k of HANDOFF_KEYS) {
      const from = def.inputs[k] ? outputs.get(HANDOFFS[k].producer) : undefined;
      if (!from) continue;
      inputs[k] = from.out[HANDOFFS[k].output];
      upstream.push(`${k}=${from.key}`);
    }
    const params = def.params(config);
    const key = `${def.name}:${hashConfig(params)}:${upstream.join(',')}`;
    let out = memo.get(key);
    if (!out) {
      const stage: StageFn = (name, fn) => {
        if (!def.stages.some((x) => x.name === name)) throw new Error(`pipeline '${def.name}' ran undeclared stage '${name}'`);
        return fn();
      };
      out = Promise.resolve().then(() => def.run({ ...inputs, reference: ctx.reference }, params, stage, () => {}));
      memo.set(key, out);
    }
    outputs.set(def.name, { key, out: await out });
  }
  const outOf = (target: BacktestTarget) => outputs.get(TARGET_PIPELINES[target])?.out;
  const results: TargetResult[] = [];
  // verdicts judge the flags of the output they belong to (the file's `output`, else the output whose rows carry the id)
  const placed = new Set<string>();
  const reviewed = (target: BacktestTarget, output: string, flagged: Table, all: Table) => {
    if (!ds.verdicts) return;
    const known = flagIdsOf(flagged, all);
    for (const v of ds.verdicts) if (v.output === output || (!v.output && known.has(v.flagId))) placed.add(v.flagId);
    results.push({ ...judged(target, matchReviewTruth(flagged, ds.verdicts, output, known), 'labels'), source: 'reviews' });
  };
  const mgOut = outOf('mirror_gaps');
  const tsOut = outOf('routes');
  // each target is judged when its pipeline ran (a sweep of mirror thresholds runs mirror-gaps alone)
  if (ds.trade && (mgOut || tsOut)) {
    const truth = ds.truth;
    // truth on codes the run did not read (outside run.hs) is out of scope, not missed
    const codes = resolveHsSelector(config.ingest.hs, ctx.reference.catalog);
    const scope = codes ? new Set(codes) : null;
    if (truth) {
      if (tsOut) results.push(judged('routes', matchRouteTruth(tsOut.routes_all, tsOut.flagged_routes, truth, scope), 'truth'));
      if (mgOut) results.push(judged('mirror_gaps', matchMirrorTruth(mgOut.mirror_pairs, mgOut.mirror_gaps, truth, scope), 'truth'));
      if (ctx.baselines !== false) {
        // the plain references, on the same flows: both legs rose in the control windows; a coverage-aware mirror threshold
        if (tsOut) {
          const controls = ctx.reference.catalog.intervals.filter((iv) => iv.verified && iv.specificity !== 'basket' && (!scope || scope.has(iv.hs6)));
          const twoLeg = scoreTwoLegRule(ds.trade.flows, controls, twoLegRuleDefaults);
          results.push(judged('routes', matchRouteTruth(twoLeg.all, twoLeg.flagged, truth, scope), 'truth', 'two_leg_rule'));
        }
        if (mgOut) {
          // the mirror reference sees what mirror-gaps sees: the selection, not the comparators read beside it
          const mirror = scoreCoverageMirrorThreshold(tradeInScope(ds.trade, {}).trade.flows, coverageMirrorDefaults);
          results.push(judged('mirror_gaps', matchMirrorTruth(mirror.all, mirror.flagged, truth, scope), 'truth', 'mirror_threshold'));
        }
      }
    }
    if (tsOut) reviewed('routes', 'flagged_routes', tsOut.flagged_routes, tsOut.routes_all);
    if (mgOut) reviewed('mirror_gaps', 'mirror_gaps', mgOut.mirror_gaps, mgOut.mirror_pairs);
  }
  const dOut = outOf('declarations');
  if (ds.declarations && dOut) {
    const source = ds.declarationTruth;
    if (source) results.push(judged('declarations', matchDeclarationTruth(dOut.declarations_scored, dOut.flagged_declarations, ds.truth, source), source));
    reviewed('declarations', 'flagged_declarations', dOut.flagged_declarations, dOut.declarations_scored);
  }
  // a verdict on a flag no output of this run carries, with no `output` to place it: left out, and said
  if (ds.verdicts) {
    const unplaced = new Set(ds.verdicts.filter((v) => !placed.has(v.flagId)).map((v) => v.flagId)).size;
    for (const r of results) if (r.source === 'reviews') r.extra.reviews_unplaced = unplaced;
  }
  return results;
}

function judged(target: BacktestTarget, m: ReturnType<typeof matchRouteTruth>, source: DeclarationTruthSource, detector: BacktestDetector = 'tradewatch'): TargetResult {
  return { target, detector, metrics: backtestMetrics(m.items, m.positives), extra: m.extra, families: m.families, source };
}

/** A synthetic world generated in memory (with `holdOut` families left out) and ingested with the run's settings. */
async function synthDataset(seed: number, preset: SynthPreset, config: Config, holdOut: string[]): Promise<BacktestDataset> {
  const catalog = await loadCatalog();
  const world = synthWorld({ seed, preset, overrides: holdOut.length ? { holdOut } : undefined }, catalog);
  const bytes = (name: string) => [new TextEncoder().encode(world.files[name])];
  // every trade file: the Comtrade panel, and in wild the HS2017 BACI source
  const tradeFiles = Object.keys(world.files).filter((f) => f.startsWith('trade/')).sort();
  const declFile = Object.keys(world.files).find((f) => f.startsWith('declarations/'))!;
  // the selection and its comparators, as a run reads them
  const selected = resolveHsSelector(config.ingest.hs, catalog);
  const comparators = comparatorCodesFor(selected, catalog);
  const ingested = await ingestTrade(tradeFiles.map((f) => ({ display: f, kind: 'csv' as const, chunks: bytes(f) })), {
    params: config.ingest,
    hsCodes: selected && [...selected, ...comparators].sort(),
    resolver: await loadCountryResolver(),
    names: await loadCountryNameIndex(),
  });
  const decl = await readDeclarations([{ display: declFile, kind: 'csv', chunks: bytes(declFile) }], {
    params: config.declarations.ingest,
    countries: await loadCountryCodeIndex(),
  });
  const { flows, areas, subflows, consignment } = ingested;
  return {
    seed,
    name: `seed ${seed} (${preset}${holdOut.length ? `, without ${holdOut.join(', ')}` : ''})`,
    trade: { flows, areas, subflows, consignment, comparators },
    declarations: decl.table,
    truth: world.truth,
    declarationTruth: chooseDeclarationTruth(decl.table, world.truth),
  };
}

/** Files given on the command line, read once, with their truth.json. */
async function fileDataset(src: BacktestSourceArgs, config: Config, opts: { cwd: string; log: Log }): Promise<BacktestDataset> {
  const truth = src.truth ? await readTruth(resolve(opts.cwd, src.truth)) : null;
  let trade: TradeInput | undefined;
  if (src.trade?.length) {
    const inputs = await hashInputs('trade', src.trade, opts.cwd);
    const { result, comparators } = await readTrade(inputs, { format: src.format, params: config.ingest, log: opts.log });
    trade = { flows: result.flows, areas: result.areas, subflows: result.subflows, consignment: result.consignment, comparators };
  }
  let declarations: Table | undefined;
  let history: Table | undefined;
  let declarationTruth: DeclarationTruthSource | undefined;
  if (src.declarations?.length) {
    const read = await readDeclarationInputs(await hashInputs('declarations', src.declarations, opts.cwd), { params: config.declarations.ingest, log: opts.log });
    declarations = read.table;
    if (src.history?.length) history = (await readDeclarationInputs(await hashInputs('history', src.history, opts.cwd), { params: config.declarations.ingest, log: opts.log })).table;
    try {
      declarationTruth = chooseDeclarationTruth(declarations, truth);
    } catch (e) {
      // neither truth.json nor labels: verdicts alone may judge the flagged declarations
      if (!src.reviews) throw new InputError(`--declarations: ${(e as Error).message}`);
    }
  }
  const verdicts = src.reviews
    ? (await readReviewsFile(resolve(opts.cwd, src.reviews))).map((r) => ({ flagId: r.flag_id, verdict: r.verdict, date: r.date, output: r.output }))
    : undefined;
  const seed = (truth as { seed?: unknown } | null)?.seed;
  const name = src.truth ?? src.reviews ?? (src.declarations ?? []).join(' ');
  return { seed: typeof seed === 'number' ? seed : null, name, trade, declarations, history, truth, declarationTruth, verdicts };
}

/** A truth.json of the synth layout, checked for its schema and the lists a backtest reads. */
async function readTruth(path: string): Promise<BacktestTruth> {
  const raw = await readJsonFile(path);
  const schema = raw && typeof raw === 'object' ? (raw as { schema?: unknown }).schema : undefined;
  if (schema !== SYNTH_TRUTH_SCHEMA) throw new InputError(`${path}: expected a truth.json of schema ${SYNTH_TRUTH_SCHEMA}, found ${schema === undefined ? 'no schema' : `'${String(schema)}'`}`);
  for (const k of ['routes', 'mirror_anomalies', 'declaration_anomalies', 'distractors'] as const) {
    if (!Array.isArray((raw as Record<string, unknown>)[k])) throw new InputError(`${path}: '${k}' is not a list`);
  }
  return raw as BacktestTruth;
}
