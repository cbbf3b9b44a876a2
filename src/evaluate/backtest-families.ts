import { type RouteTruth, isLegitimateGap, routeFamilies } from '../synth/truth.ts';
import type { BacktestTruth } from './backtest-truth.ts';

/** One family's count on one data set: how many the world holds and how many were flagged. */
export interface FamilyFigure {
  family: string;
  /** `route` and `mirror`: to be found (flagged = found); `distractor` and `legitimate_gap`: must not be flagged. */
  role: 'route' | 'mirror' | 'distractor' | 'legitimate_gap';
  /** Items of the family in the world (on the codes in scope). */
  present: number;
  /** Of those, how many were flagged (a distractor: how many had a false flag that is about it). */
  flagged: number;
}

/** The family of false flags that no family of the truth explains. */
export const UNEXPLAINED = 'unexplained_false_flags';

/** A route's families: those truth.json names (wild), else derived from its traits; none for a truth of another layout. */
export function familiesOfRoute(r: BacktestTruth['routes'][number], annualReporters: readonly string[]): string[] {
  if (r.families) return [...r.families];
  return 'hub_reports' in r && typeof r.hub_reports === 'boolean' ? routeFamilies(r as RouteTruth, annualReporters) : [];
}

/**
 * Route figures by family: per route family how many of its routes were flagged; per distractor how many had
 * a false flagged route about them (its hub is the entrepôt, producer, new mine or growing hub; its destination
 * the growing destination; the reporter that changed, published in part or re-imports on either end; the
 * hafnium pair for the HS2017 trap), and the false flags none of them explains. Stockpiling touches every
 * route of its code (China's exports to everyone), so no route flag can be laid at its door: it has no row
 * here, and its false flags count as unexplained. Keys are `hub|destination|hs6`. Pure.
 */
export function routeFamilyFigures(truth: BacktestTruth, flagged: ReadonlySet<string>, scope: ReadonlySet<string> | null): FamilyFigure[] {
  const annual = truth.annual_reporters ?? [];
  const routes = truth.routes.filter((r) => !scope || scope.has(r.hs6));
  const positives = new Set(routes.map((r) => `${r.hub}|${r.destination}|${r.hs6}`));
  const out = new Map<string, FamilyFigure>();
  const add = counter(out);
  for (const r of routes) for (const f of familiesOfRoute(r, annual)) add(f, 'route', flagged.has(`${r.hub}|${r.destination}|${r.hs6}`));
  const falseKeys = [...flagged].filter((k) => !positives.has(k)).map((k) => k.split('|') as [string, string, string]);
  const explained = new Set<string>();
  for (const d of truth.distractors) {
    if ((scope && d.hs6 !== '*' && !scope.has(d.hs6)) || d.kind === 'stockpiling') continue;
    const about = falseKeys.filter(([hub, dest, hs6]) => (d.hs6 === '*' || d.hs6 === hs6) && routeIsAbout(d, hub, dest));
    for (const k of about) explained.add(k.join('|'));
    add(d.kind, 'distractor', about.length > 0);
  }
  const rest = falseKeys.filter((k) => !explained.has(k.join('|'))).length;
  return [...sortFamilies(out), { family: UNEXPLAINED, role: 'distractor', present: 0, flagged: rest }];
}

/**
 * Mirror figures by family: per anomaly family how many of its pairs were flagged, per legitimate gap how many
 * were flagged (they must not be), per distractor how many had a false flagged pair about it, and the false
 * flags none explains. Route legs are neither true nor false (see `matchMirrorTruth`) and are left out. Keys
 * are `exporter|importer|hs6`. Pure.
 */
export function mirrorFamilyFigures(truth: BacktestTruth, flagged: ReadonlySet<string>, scope: ReadonlySet<string> | null): FamilyFigure[] {
  const inScope = (hs6: string) => !scope || hs6 === '*' || scope.has(hs6);
  const out = new Map<string, FamilyFigure>();
  const add = counter(out);
  const known = new Set<string>();
  for (const a of truth.mirror_anomalies) {
    if (!inScope(a.hs6)) continue;
    const key = `${a.exporter}|${a.importer}|${a.hs6}`;
    known.add(key);
    add(a.kind, isLegitimateGap(a.kind) ? 'legitimate_gap' : 'mirror', flagged.has(key));
  }
  const legs = new Set(truth.routes.flatMap((r) => [`${r.origin}|${r.hub}|${r.hs6}`, `${r.hub}|${r.destination}|${r.hs6}`, `${r.origin}|${r.destination}|${r.hs6}`]));
  const falseKeys = [...flagged].filter((k) => !known.has(k) && !legs.has(k)).map((k) => k.split('|') as [string, string, string]);
  const explained = new Set<string>();
  for (const d of truth.distractors) {
    if (!inScope(d.hs6)) continue;
    const about = falseKeys.filter(([e, i, hs6]) => (d.hs6 === '*' || d.hs6 === hs6) && pairIsAbout(d, e, i));
    for (const k of about) explained.add(k.join('|'));
    add(d.kind, 'distractor', about.length > 0);
  }
  const rest = falseKeys.filter((k) => !explained.has(k.join('|'))).length;
  return [...sortFamilies(out), { family: UNEXPLAINED, role: 'distractor', present: 0, flagged: rest }];
}

type Distractor = BacktestTruth['distractors'][number];

/** Counts one item of a family into `out`: present, and flagged when `hit`. */
function counter(out: Map<string, FamilyFigure>) {
  return (family: string, role: FamilyFigure['role'], hit: boolean) => {
    const f = out.get(family) ?? { family, role, present: 0, flagged: 0 };
    f.present++;
    if (hit) f.flagged++;
    out.set(family, f);
  };
}

function routeIsAbout(d: Distractor, hub: string, dest: string): boolean {
  const [c, c2] = d.countries;
  switch (d.kind) {
    case 'steady_entrepot':
    case 'producer_hub':
    case 'new_mine':
    case 'broad_growth':
      return hub === c;
    case 'demand_growth':
      return dest === c;
    case 'hs2017_scope':
      return hub === c && dest === c2;
    case 'reporting_change':
    case 'partial_publication':
    case 'reimport':
      return hub === c || dest === c;
    default:
      return false;
  }
}

function pairIsAbout(d: Distractor, e: string, i: string): boolean {
  const [c, c2] = d.countries;
  switch (d.kind) {
    case 'reimport':
      return e === c && i === c;
    case 'hs2017_scope':
      return e === c && i === c2;
    case 'partial_publication':
      return (e === c && d.countries.includes(i)) || (i === c && d.countries.includes(e));
    case 'stockpiling':
      return e === c;
    case 'broad_growth':
      return (e === c || i === c) && (e === c2 || i === c2 || e === 'CHN');
    default:
      return e === c || i === c;
  }
}

/** Figures in the order of `SYNTH_FAMILIES`' roles: routes or anomalies, legitimate gaps, distractors; by name within. */
function sortFamilies(m: Map<string, FamilyFigure>): FamilyFigure[] {
  const order = { route: 0, mirror: 0, legitimate_gap: 1, distractor: 2 };
  return [...m.values()].sort((a, b) => order[a.role] - order[b.role] || (a.family < b.family ? -1 : a.family > b.family ? 1 : 0));
}
