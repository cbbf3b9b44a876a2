import type { Table } from 'apache-arrow';
import { isLegitimateGap } from '../synth/truth.ts';
import { readCodes, readFloats } from '../table/read.ts';
import { type FamilyFigure, mirrorFamilyFigures, routeFamilyFigures } from './backtest-families.ts';
import type { JudgedItem } from './backtest-metrics.ts';

/**
 * The parts of a synthetic world's `truth.json` a backtest reads (`SynthTruth` fits it): what was injected,
 * and what must not be flagged.
 */
export interface BacktestTruth {
  /** Routes; a synth truth's carry their traits (`hub_reports`, `free_zone`, …) and, in wild, their `families`. */
  routes: readonly { origin: string; hub: string; destination: string; hs6: string; families?: readonly string[] }[];
  mirror_anomalies: readonly { kind: string; exporter: string; importer: string; hs6: string }[];
  declaration_anomalies: readonly { declaration_ids: readonly string[] }[];
  distractors: readonly { kind: string; countries: readonly string[]; hs6: string }[];
  /** Reporters that publish annual totals only (wild). */
  annual_reporters?: readonly string[];
}

/** A target's judged items, its true keys, and counts of things that must not be flagged but were. */
export interface TruthMatch {
  items: JudgedItem[];
  positives: Set<string>;
  /** Extra counts (`distractors_flagged`, `confidential_flagged`), reported beside the metrics. */
  extra: Record<string, number>;
  /** Figures by family of the truth (routes and mirror gaps; empty for declarations and verdicts). */
  families: FamilyFigure[];
}

/** Where the declarations' truth came from. */
export type DeclarationTruthSource = 'truth' | 'labels';

/**
 * Routes keyed (hub, destination, hs6), as the transshipment tests judge them: a route is scored under every
 * control of its code, so the key keeps its best score, and counts as flagged when any of its rows is in
 * `flagged`. True keys: `truth.routes` on the codes in `scope` (null: every code; the others are counted in
 * `out_of_scope`, since the run never read them). `distractors_flagged` counts distractors (entrepôts,
 * producer hubs) with a flagged key whose hub is one of their countries, on their code; demand growth is left
 * out (its country is a destination, which a true route may share). Pure.
 */
export function matchRouteTruth(routesAll: Table, flagged: Table, truth: BacktestTruth, scope: ReadonlySet<string> | null = null): TruthMatch {
  const key = (t: Table, who: string) => {
    const h = readCodes(t, 'hub', who);
    const d = readCodes(t, 'destination', who);
    const c = readCodes(t, 'hs6', who);
    return (i: number) => `${h.values[h.codes[i]]}|${d.values[d.codes[i]]}|${c.values[c.codes[i]]}`;
  };
  const items = bestByKey(routesAll, key(routesAll, 'matchRouteTruth routes_all'), readFloats(routesAll, 'score', 'matchRouteTruth routes_all'));
  const flaggedKeys = keysOf(flagged, key(flagged, 'matchRouteTruth flagged_routes'));
  markFlagged(items, flaggedKeys);
  const inScope = truth.routes.filter((r) => !scope || scope.has(r.hs6));
  const positives = new Set(inScope.map((r) => `${r.hub}|${r.destination}|${r.hs6}`));
  const distractors = truth.distractors.filter(
    (d) => d.kind !== 'demand_growth' && [...flaggedKeys].some((k) => k.endsWith(`|${d.hs6}`) && d.countries.some((c) => k.startsWith(`${c}|`))),
  );
  return {
    items: [...items.values()], positives, extra: { distractors_flagged: distractors.length, out_of_scope: truth.routes.length - inScope.length },
    families: routeFamilyFigures(truth, flaggedKeys, scope),
  };
}

/**
 * Mirror gaps keyed (exporter, importer, hs6): a pair is seen in several windows, so the key keeps its best
 * score over `pairs` (every window, 0 when not flagged) and counts as flagged when any window is in `gaps`.
 * True keys: the truth's anomalies other than the legitimate gaps (`confidential`, `timing`, `cif_fob`) on the
 * codes in `scope` (null: every code; the others are counted in `out_of_scope`). A legitimate gap must not be
 * flagged: it is an ordinary negative; `legitimate_flagged` counts those that were (`confidential_flagged` the
 * confidential ones). The legs of an injected route
 * (origin → hub, hub → destination, origin → destination, on its code) are left out, neither true nor
 * false: their gaps are real (a free zone, a destination that keeps the origin, a silent hub) but the truth
 * lists them as routes, not mirror anomalies; `route_legs_flagged` counts those flagged. Pure.
 */
export function matchMirrorTruth(pairs: Table, gaps: Table, truth: BacktestTruth, scope: ReadonlySet<string> | null = null): TruthMatch {
  const key = (t: Table, who: string) => {
    const e = readCodes(t, 'exporter', who);
    const m = readCodes(t, 'importer', who);
    const c = readCodes(t, 'hs6', who);
    return (i: number) => `${e.values[e.codes[i]]}|${m.values[m.codes[i]]}|${c.values[c.codes[i]]}`;
  };
  const items = bestByKey(pairs, key(pairs, 'matchMirrorTruth mirror_pairs'), readFloats(pairs, 'score', 'matchMirrorTruth mirror_pairs'));
  const flaggedKeys = keysOf(gaps, key(gaps, 'matchMirrorTruth mirror_gaps'));
  markFlagged(items, flaggedKeys);
  const keyOf = (a: BacktestTruth['mirror_anomalies'][number]) => `${a.exporter}|${a.importer}|${a.hs6}`;
  const wanted = truth.mirror_anomalies.filter((a) => !isLegitimateGap(a.kind));
  const positives = new Set(wanted.filter((a) => !scope || scope.has(a.hs6)).map(keyOf));
  const confidential = truth.mirror_anomalies.filter((a) => a.kind === 'confidential' && flaggedKeys.has(keyOf(a))).length;
  const legitimate = truth.mirror_anomalies.filter((a) => isLegitimateGap(a.kind) && flaggedKeys.has(keyOf(a))).length;
  const legs = new Set(truth.routes.flatMap((r) => [`${r.origin}|${r.hub}|${r.hs6}`, `${r.hub}|${r.destination}|${r.hs6}`, `${r.origin}|${r.destination}|${r.hs6}`]));
  let legsFlagged = 0;
  for (const k of legs) {
    if (items.get(k)?.flagged) legsFlagged++;
    items.delete(k);
  }
  return {
    items: [...items.values()],
    positives,
    extra: { confidential_flagged: confidential, legitimate_flagged: legitimate, route_legs_flagged: legsFlagged, out_of_scope: wanted.length - positives.size },
    families: mirrorFamilyFigures(truth, flaggedKeys, scope),
  };
}

/**
 * Which truth judges the declarations: the world's `declaration_anomalies` when at least one of their ids is
 * among the declarations (or the world injected none and no row is labelled); otherwise the `label` column
 * when some row carries one. `truth` null means labels only. Throws naming why when neither applies. Pure.
 */
export function chooseDeclarationTruth(declarations: Table, truth: BacktestTruth | null): DeclarationTruthSource {
  const ids = readCodes(declarations, 'declaration_id', 'chooseDeclarationTruth');
  const known = new Set(ids.values);
  const truthIds = new Set((truth?.declaration_anomalies ?? []).flatMap((a) => a.declaration_ids));
  const matched = [...truthIds].some((id) => known.has(id));
  const labelled = declarations.getChild('label') ? readFloats(declarations, 'label', 'chooseDeclarationTruth').some((v) => v === v) : false;
  if (truth && (matched || (!labelled && truthIds.size === 0))) return 'truth';
  if (labelled) return 'labels';
  throw new Error(
    truth
      ? `none of the ${truthIds.size} declaration ids in truth.json's declaration_anomalies is among the ${declarations.numRows} declarations, and they carry no label: is it the truth of another world?`
      : 'the declarations carry no label (column label, 1 or 0) and no truth.json was given',
  );
}

/**
 * Declarations keyed by `declaration_id`, scored by `score`, flagged when in `flagged`. With `source` `truth`
 * the true ones are the ids of `truth.declaration_anomalies`; with `labels`, those labelled 1 (rows without a
 * label are left out and counted in `unlabelled_left_out`). Pick the source with {@link chooseDeclarationTruth}. Pure.
 */
export function matchDeclarationTruth(scored: Table, flagged: Table, truth: BacktestTruth | null, source: DeclarationTruthSource): TruthMatch {
  const who = 'matchDeclarationTruth';
  const ids = readCodes(scored, 'declaration_id', who);
  const score = readFloats(scored, 'score', who);
  const idOf = (i: number) => (ids.codes[i] >= 0 ? ids.values[ids.codes[i]] : `row ${i}`);
  const fIds = readCodes(flagged, 'declaration_id', who);
  const flaggedIds = new Set(Array.from(fIds.codes, (c) => fIds.values[c]));
  const items: JudgedItem[] = [];
  const positives = new Set<string>();
  if (source === 'truth') {
    if (!truth) throw new Error(`${who}: source 'truth' without a truth`);
    for (let i = 0; i < scored.numRows; i++) items.push({ key: idOf(i), score: score[i], flagged: flaggedIds.has(idOf(i)) });
    for (const a of truth.declaration_anomalies) for (const id of a.declaration_ids) positives.add(id);
    return { items, positives, extra: {}, families: [] };
  }
  const labels = readFloats(scored, 'label', who);
  let unlabelled = 0;
  for (let i = 0; i < scored.numRows; i++) {
    const v = labels[i];
    if (v !== v) {
      unlabelled++; // no outcome: neither true nor false
      continue;
    }
    items.push({ key: idOf(i), score: score[i], flagged: flaggedIds.has(idOf(i)) });
    if (v > 0) positives.add(idOf(i));
  }
  return { items, positives, extra: { unlabelled_left_out: unlabelled }, families: [] };
}

/** One item per key with the best score over its rows (NaN scores count as unscored). */
function bestByKey(t: Table, keyOf: (i: number) => string, score: Float64Array): Map<string, JudgedItem> {
  const out = new Map<string, JudgedItem>();
  for (let i = 0; i < t.numRows; i++) {
    const k = keyOf(i);
    const prev = out.get(k);
    if (!prev) out.set(k, { key: k, score: score[i], flagged: false });
    else if (score[i] > prev.score || (prev.score !== prev.score && score[i] === score[i])) prev.score = score[i];
  }
  return out;
}

function keysOf(t: Table, keyOf: (i: number) => string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < t.numRows; i++) out.add(keyOf(i));
  return out;
}

/** Marks the flagged keys; a flagged key missing from the scored table is added (it was scored, as flagged). */
function markFlagged(items: Map<string, JudgedItem>, flagged: ReadonlySet<string>): void {
  for (const k of flagged) {
    const it = items.get(k);
    if (it) it.flagged = true;
    else items.set(k, { key: k, score: Infinity, flagged: true });
  }
}

/** A verdict as a backtest reads it: which flag, what the reviewer said, when. */
export interface ReviewedFlag {
  flagId: string;
  verdict: string;
  date: string;
  /** The flagged output the flag belongs to (`flagged_routes`, …) when the reviews file says; else null. */
  output: string | null;
}

/**
 * Flags of one output judged by analysts' verdicts: a verdict belongs to `output` when the file says so, or
 * else when its flag id is among `known` (the ids this output's rows carry in this run). The latest verdict on
 * each flag counts, `confirmed` true and `dismissed` false (`watch` says neither and is left out, counted
 * `reviewed_watch`). Each judged flag is an item, flagged when this run's `flagged` table holds it (with its
 * score there), so a config change is measured by what it keeps of the confirmed flags and drops of the
 * dismissed ones. Pure.
 */
export function matchReviewTruth(flagged: Table, verdicts: readonly ReviewedFlag[], output: string, known: ReadonlySet<string>): TruthMatch {
  const latest = new Map<string, ReviewedFlag>();
  for (const v of verdicts) {
    if (v.output ? v.output !== output : !known.has(v.flagId)) continue;
    const prev = latest.get(v.flagId);
    if (!prev || v.date >= prev.date) latest.set(v.flagId, v);
  }
  const ids = readCodes(flagged, 'flag_id', 'matchReviewTruth');
  const score = readFloats(flagged, 'score', 'matchReviewTruth');
  const now = new Map<string, number>();
  for (let i = 0; i < flagged.numRows; i++) {
    if (ids.codes[i] < 0) continue;
    const id = ids.values[ids.codes[i]];
    if (!(now.get(id)! >= score[i])) now.set(id, score[i]);
  }
  const items: JudgedItem[] = [];
  const positives = new Set<string>();
  let watch = 0;
  for (const [id, v] of latest) {
    if (v.verdict === 'watch') {
      watch++;
      continue;
    }
    if (v.verdict === 'confirmed') positives.add(id);
    items.push({ key: id, score: now.get(id) ?? NaN, flagged: now.has(id) });
  }
  return { items, positives, extra: { reviewed_watch: watch }, families: [] };
}

/** The flag ids a table's rows carry (null ids left out). */
export function flagIdsOf(...tables: Table[]): Set<string> {
  const out = new Set<string>();
  for (const t of tables) {
    if (!t.getChild('flag_id')) continue;
    const ids = readCodes(t, 'flag_id', 'flagIdsOf');
    for (let i = 0; i < t.numRows; i++) if (ids.codes[i] >= 0) out.add(ids.values[ids.codes[i]]);
  }
  return out;
}
