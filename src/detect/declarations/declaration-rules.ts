import { Table, type Vector } from 'apache-arrow';
import { controlsInForce, resolveHsSelector, type Catalog } from '../../reference/catalog.ts';
import { boolVector, dictionaryVector, float64Vector, StringDictionary } from '../../table/columns.ts';
import { listVector } from '../../table/list.ts';
import { readCodes, readFloats, type CodedColumn } from '../../table/read.ts';
import { rowsWhere } from '../../table/take-table.ts';
import { RouteWindows } from './declaration-route-windows.ts';
import { groupMedianMad, robustZByGroup, type GroupStats } from '../robust-stats.ts';

/** Screening rules in the order of their columns; each fires as a reason of the same name. */
export const DECLARATION_RULES = [
  'misclassified_description', 'misclassified_unit_value', 'banned_destination', 'banned_destination_via_third', 'via_flagged_hub', 'origin_flagged_hub',
  'unit_value_outlier', 'mass_quantity_mismatch', 'value_quantity_outlier', 'split_shipment', 'new_consignee',
] as const;
export type DeclarationRule = (typeof DECLARATION_RULES)[number];

/** Thresholds of {@link screenDeclarations}; all live in config under `declarations.rules`. */
export interface DeclarationRuleParams {
  /**
   * Price filter: |robust z| of log unit value (USD/kg) at or above this fires (default `3.5`), judged in the first
   * group with `minGroupSize` of: declared line × description × origin, line × origin, line × description, line, HS6.
   */
  maxAbsUnitValueZ: number;
  /** Fewest declarations with a unit value for a group to be judged on its own (default `20`). */
  minGroupSize: number;
  /**
   * Floor of the spread (scaled MAD) of log unit value, so a line whose prices sit tightly together does not
   * make an ordinary ±20% price an outlier (default `0.25`, about ±28%).
   */
  minLogUnitValueSpread: number;
  /** Unit-value misclassification: |z| under the declared code at least this… (default `3.5`) */
  misclassifiedMinAbsZ: number;
  /** …and within this of a controlled code of the same HS chapter or a catalog comparator link (default `1.5`). */
  misclassifiedMaxAbsZControlled: number;
  /** Net mass against the quantity in kg (units kg, g, t): |ln ratio| above ln(1 + this) fires (default `0.05`). */
  maxMassQuantityGap: number;
  /** Split shipments: the size threshold, USD (default `2500`, the US informal-entry limit). */
  splitThresholdUsd: number;
  /** …a lot "just under" it is at least this share of it (default `0.85`). */
  splitLowShare: number;
  /** …at least this many such lots of one party… (default `4`) */
  splitMinCount: number;
  /** …within this many days (default `10`). */
  splitWindowDays: number;
  /** New consignee: first seen at most this many days before the declaration (default `90`). */
  newConsigneeDays: number;
  /** …with controlled goods of at least this value, USD, in those days (default `50_000`). */
  newConsigneeMinUsd: number;
  /** A flagged route's hub counts as a false origin when its prior share of exports to the destination is at most this (default `0.2`). */
  falseOriginMaxPriorShare: number;
  /**
   * A flagged route counts against a declaration from the start of a control it was flagged under to this many
   * months after the last month of that judgement's post window (integer ≥ 0, default `12`): see {@link RouteWindows}.
   */
  flaggedRouteMonthsAfter: number;
  /** Origin of the controls (default `CHN`). */
  controlOrigin: string;
  /** Weight of each rule in the rules score 1 − Π(1 − w) over the rules that fired (each 0–1). */
  weights: Record<DeclarationRule, number>;
}

/** Defaults for {@link DeclarationRuleParams}. */
export const declarationRuleDefaults: DeclarationRuleParams = {
  maxAbsUnitValueZ: 3.5,
  minGroupSize: 20,
  minLogUnitValueSpread: 0.25,
  misclassifiedMinAbsZ: 3.5,
  misclassifiedMaxAbsZControlled: 1.5,
  maxMassQuantityGap: 0.05,
  splitThresholdUsd: 2500,
  splitLowShare: 0.85,
  splitMinCount: 4,
  splitWindowDays: 10,
  newConsigneeDays: 90,
  newConsigneeMinUsd: 50_000,
  falseOriginMaxPriorShare: 0.2,
  flaggedRouteMonthsAfter: 12,
  controlOrigin: 'CHN',
  weights: {
    misclassified_description: 0.8,
    misclassified_unit_value: 0.6,
    banned_destination: 0.9,
    // weaker than an export into the ban: goods of the origin may have left it before the ban, or under licence
    banned_destination_via_third: 0.4,
    via_flagged_hub: 0.6,
    origin_flagged_hub: 0.5,
    unit_value_outlier: 0.5,
    mass_quantity_mismatch: 0.3,
    value_quantity_outlier: 0.4,
    split_shipment: 0.5,
    new_consignee: 0.3,
  },
};

/** Rule results, aligned 1:1 with the declarations: one boolean column per rule, the numbers behind them, the rules score and reasons. */
export interface ScreenResult {
  table: Table;
  /** Declarations each rule fired on. */
  counts: Record<string, number>;
}

/**
 * Screens declarations with the rules of domain.md §4, each a named reason with its numbers: a controlled
 * mineral named in the description (catalog keywords, English or Chinese) or priced like a controlled code
 * of the same chapter while declared under an uncontrolled code; a controlled code from the control's origin
 * exported towards a destination under a ban in force, or imported into it through a third country; origin ≠
 * departure through a hub flagged in `routes`, and a declared origin that is a flagged hub which sold little
 * before — both only on dates a flagged judgement of the route holds ({@link RouteWindows}); the price filter
 * (robust z of log unit value per HS6 × year); net mass against the quantity; one party's lots just under a
 * size threshold; a consignee first seen recently with large controlled volumes. `history` (earlier declarations) only tells when a party was first seen.
 * Pure; rows align 1:1 with `decl`.
 */
export function screenDeclarations(decl: Table, catalog: Catalog, routes: Table | null, p: DeclarationRuleParams, history: Table | null = null): ScreenResult {
  const who = 'screenDeclarations';
  const n = decl.numRows;
  const date = readCodes(decl, 'date', who);
  const day = date.values.map(epochDay);
  const dayOf = (i: number) => (date.codes[i] >= 0 ? day[date.codes[i]] : NaN);
  const hs6 = readCodes(decl, 'hs6', who);
  const code = readCodes(decl, 'declared_code', who);
  const dir = readCodes(decl, 'direction', who);
  const origin = readCodes(decl, 'origin', who);
  const departure = readCodes(decl, 'departure', who);
  const destination = readCodes(decl, 'destination', who);
  const importer = readCodes(decl, 'importer', who);
  const exporter = readCodes(decl, 'exporter', who);
  const description = readCodes(decl, 'description', who);
  const unit = readCodes(decl, 'quantity_unit', who);
  const value = readFloats(decl, 'value_usd', who);
  const mass = readFloats(decl, 'net_mass_kg', who);
  const qty = readFloats(decl, 'quantity', who);
  const text = (c: CodedColumn, i: number) => (c.codes[i] >= 0 ? c.values[c.codes[i]] : null);
  const isExport = dir.values.map((v) => v === 'export');

  // which HS6 is controlled on which day to which destination: memoised on the few distinct (code, day, destination)
  const memo = new Map<number, boolean>();
  const codeIds = new StringDictionary();
  const controlledOn = (h: string, i: number): boolean => {
    const k = codeIds.code(h) * 1e9 + (date.codes[i] + 1) * 1e4 + destination.codes[i] + 1;
    let v = memo.get(k);
    if (v === undefined) {
      const d = text(date, i);
      v = !!d && /^\d{6}$/.test(h) && /^\d{4}-\d{2}-\d{2}$/.test(d) &&
        controlsInForce(catalog, h, text(destination, i) ?? '', d).some((iv) => iv.origin === p.controlOrigin);
      memo.set(k, v);
    }
    return v;
  };
  const controlled = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (hs6.codes[i] >= 0) controlled[i] = controlledOn(hs6.values[hs6.codes[i]], i) ? 1 : 0;

  const fired = Object.fromEntries(DECLARATION_RULES.map((r) => [r, new Uint8Array(n)])) as Record<DeclarationRule, Uint8Array>;
  const reasons = new Map<number, string[]>();
  const fire = (rule: DeclarationRule, i: number) => {
    if (fired[rule][i]) return;
    fired[rule][i] = 1;
    const r = reasons.get(i);
    if (r) r.push(rule);
    else reasons.set(i, [rule]);
  };

  // unit values and the price filter: a line's range is often several products' (plates and bars under one
  // line) from several origins at their own prices, so each declaration is judged in the finest group that
  // holds enough of them: line × description × origin, line × origin, line × description, line, HS6
  const uv = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) if (value[i] > 0 && mass[i] > 0) uv[i] = Math.log(value[i] / mass[i]);
  const levels = [[code, description, origin], [code, origin], [code, description], [code]].map((cols) => {
    const { groupOf, groups } = groupKeys(n, cols);
    return robustZByGroup(uv, groupOf, floorSpread(groupMedianMad(uv, groupOf, groups, p.minGroupSize), p.minLogUnitValueSpread));
  });
  const statsAll = floorSpread(groupMedianMad(uv, hs6.codes, hs6.values.length, p.minGroupSize), p.minLogUnitValueSpread);
  levels.push(robustZByGroup(uv, hs6.codes, statsAll));
  const z = firstJudged(n, levels);
  for (let i = 0; i < n; i++) if (Math.abs(z[i]) >= p.maxAbsUnitValueZ) fire('unit_value_outlier', i);

  // misclassification by description: the catalog's keywords, matched once per distinct description. Where the
  // mineral has a known uncontrolled home (a catalog comparator, e.g. 250490 lump graphite beside 250410), the
  // word alone proves nothing: the same description must also be declared under one of the mineral's controlled codes
  const mineralCodes = new Map<string, string[]>();
  for (const k of catalog.keywords) if (!mineralCodes.has(k.mineral)) mineralCodes.set(k.mineral, safeSelector(`@${k.mineral}`, catalog));
  const homes = new Set(catalog.comparators.map((c) => `${c.mineral}|${c.hs6}`));
  const descMineral = description.values.map((d) => mineralNamed(d, catalog));
  const descUnderControlled = new Uint8Array(description.values.length);
  for (let i = 0; i < n; i++) {
    const dc = description.codes[i];
    const m = dc >= 0 ? descMineral[dc] : null;
    if (m && hs6.codes[i] >= 0 && mineralCodes.get(m)?.includes(hs6.values[hs6.codes[i]])) descUnderControlled[dc] = 1;
  }
  const misMineral = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    const dc = description.codes[i];
    const m = dc >= 0 ? descMineral[dc] : null;
    const h = text(hs6, i);
    if (!m || !h) continue;
    const codes = mineralCodes.get(m) ?? [];
    if (codes.includes(h) || !codes.some((c) => controlledOn(c, i))) continue;
    if (homes.has(`${m}|${h}`) && !descUnderControlled[dc]) continue;
    fire('misclassified_description', i);
    misMineral.set(i, m);
  }

  // misclassification by unit value: far outside the declared (uncontrolled) code's range, inside a controlled neighbour's
  const looksLike = new Float64Array(n).fill(NaN);
  const looksLikeCode = new Int32Array(n).fill(-1);
  const comparatorLinks = new Map<string, Set<string>>();
  for (const c of catalog.comparators) for (const k of c.comparesTo) {
    (comparatorLinks.get(c.hs6) ?? comparatorLinks.set(c.hs6, new Set()).get(c.hs6)!).add(k);
  }
  const controlledCodes = [...new Set(catalog.intervals.filter((iv) => iv.origin === p.controlOrigin).map((iv) => iv.hs6))].filter((c) => hs6.values.includes(c));
  for (let i = 0; i < n; i++) {
    const h = text(hs6, i);
    if (!h || controlled[i] || !(Math.abs(z[i]) >= p.misclassifiedMinAbsZ)) continue;
    let best = Infinity;
    for (const k of controlledCodes) {
      if (k.slice(0, 2) !== h.slice(0, 2) && !comparatorLinks.get(h)?.has(k)) continue;
      if (!controlledOn(k, i)) continue;
      const g = hs6.values.indexOf(k);
      if (!(statsAll.mad[g] > 0)) continue;
      const zk = Math.abs((uv[i] - statsAll.median[g]) / statsAll.mad[g]);
      if (zk < best) (best = zk), (looksLikeCode[i] = g);
    }
    if (best <= p.misclassifiedMaxAbsZControlled) {
      looksLike[i] = best;
      fire('misclassified_unit_value', i);
    } else looksLikeCode[i] = -1;
  }

  // a controlled code for a destination under a ban in force on its date: exported from the control's origin
  // (declared origin or departure) towards it, or — the importing agency's case — imported into it as goods of
  // the control's origin that came through a third country (origin = the control's origin ≠ departure). A direct
  // import from the origin is left to the origin's own border (the ban's residue of licensed or earlier
  // shipments); licensing alone (destinations `*`) is no ban.
  for (let i = 0; i < n; i++) {
    const o = text(origin, i);
    const dep = text(departure, i);
    const exported = dir.codes[i] >= 0 && isExport[dir.codes[i]];
    if (exported ? o !== p.controlOrigin && dep !== p.controlOrigin : o !== p.controlOrigin || !dep || dep === p.controlOrigin) continue;
    const h = text(hs6, i);
    const d = text(date, i);
    const dest = text(destination, i);
    if (!h || !d || !dest || !/^\d{6}$/.test(h) || !/^\d{4}-\d{2}-\d{2}$/.test(d)) continue;
    if (controlsInForce(catalog, h, dest, d).some((iv) => iv.destinations !== '*' && iv.origin === p.controlOrigin)) fire(exported ? 'banned_destination' : 'banned_destination_via_third', i);
  }

  // flagged routes: origin ≠ departure through a flagged hub, and a flagged hub declared as the origin — each only on
  // a date a flagged judgement of the route holds (RouteWindows: a 2022 declaration says nothing of a 2024 route)
  const routeId = new Map<number, string>();
  const priorShare = new Float64Array(n).fill(NaN);
  let outsideWindow = 0;
  if (routes && routes.numRows) {
    const ro = readCodes(routes, 'origin', who), rh = readCodes(routes, 'hub', who), rd = readCodes(routes, 'destination', who);
    const rs = readCodes(routes, 'hs6', who), rf = readCodes(routes, 'flag_id', who), rp = readFloats(routes, 'hub_prior_export_share', who);
    const windows = new RouteWindows(routes, catalog, p.flaggedRouteMonthsAfter, who);
    const via = new Map<string, number[]>();
    const hubs = new Map<string, number[]>();
    const push = (m: Map<string, number[]>, k: string, r: number) => (m.get(k) ?? m.set(k, []).get(k)!).push(r);
    for (let r = 0; r < routes.numRows; r++) {
      const [o, h, d, s] = [text(ro, r), text(rh, r), text(rd, r), text(rs, r)];
      push(via, `${o}|${h}|${d}|${s}`, r);
      push(hubs, `${h}|${d}|${s}`, r);
    }
    for (let i = 0; i < n; i++) {
      const [o, dep, d, s] = [text(origin, i), text(departure, i), text(destination, i), text(hs6, i)];
      const day = text(date, i) ?? '';
      const viaRows = o && dep && o !== dep ? via.get(`${o}|${dep}|${d}|${s}`) : undefined;
      const hubRows = hubs.get(`${o}|${d}|${s}`);
      if (!viaRows && !hubRows) continue;
      // routes in rank order: the first that holds the date names the flag
      const r1 = viaRows?.find((r) => windows.holds(r, day));
      if (r1 !== undefined) {
        fire('via_flagged_hub', i);
        routeId.set(i, text(rf, r1)!);
      }
      // the flagged hub with the least prior trade among the routes that hold the date
      let r2 = -1;
      for (const r of hubRows ?? []) if (windows.holds(r, day) && (r2 < 0 || rp[r] < rp[r2] || (rp[r2] !== rp[r2] && rp[r] === rp[r]))) r2 = r;
      if (r2 >= 0 && rp[r2] <= p.falseOriginMaxPriorShare) {
        fire('origin_flagged_hub', i);
        priorShare[i] = rp[r2];
        if (!routeId.has(i)) routeId.set(i, text(rf, r2)!);
      }
      if (r1 === undefined && r2 < 0) outsideWindow++;
    }
  }

  // net mass against the quantity, where the quantity is a mass
  const massRatio = new Float64Array(n).fill(NaN);
  const toKg = unit.values.map((u) => ({ kg: 1, kgm: 1, g: 0.001, t: 1000, tne: 1000 })[u.trim().toLowerCase()] ?? NaN);
  for (let i = 0; i < n; i++) {
    const f = unit.codes[i] >= 0 ? toKg[unit.codes[i]] : NaN;
    if (!(f > 0) || !(qty[i] > 0) || !(mass[i] > 0)) continue;
    massRatio[i] = mass[i] / (qty[i] * f);
    if (Math.abs(Math.log(massRatio[i])) > Math.log(1 + p.maxMassQuantityGap)) fire('mass_quantity_mismatch', i);
  }

  // value against a quantity in units that are not a mass (pieces, litres, m²): the price per unit in the
  // first group with enough declarations of line × unit × origin, line × unit — the same filter as per kg
  const perUnit = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const massUnit = unit.codes[i] >= 0 && toKg[unit.codes[i]] > 0;
    if (!massUnit && unit.codes[i] >= 0 && qty[i] > 0 && value[i] > 0) perUnit[i] = Math.log(value[i] / qty[i]);
  }
  const zPerUnit = firstJudged(n, [[code, unit, origin], [code, unit]].map((cols) => {
    const { groupOf, groups } = groupKeys(n, cols);
    return robustZByGroup(perUnit, groupOf, floorSpread(groupMedianMad(perUnit, groupOf, groups, p.minGroupSize), p.minLogUnitValueSpread));
  }));
  for (let i = 0; i < n; i++) if (Math.abs(zPerUnit[i]) >= p.maxAbsUnitValueZ) fire('value_quantity_outlier', i);

  // lots just under the size threshold: per party (importer on imports, exporter on exports), within a sliding window
  const party = new Int32Array(n);
  const partyDict = new StringDictionary();
  for (let i = 0; i < n; i++) {
    const ex = dir.codes[i] >= 0 && isExport[dir.codes[i]];
    const name = ex ? text(exporter, i) : text(importer, i);
    party[i] = name ? partyDict.code(`${ex ? 'x' : 'm'}|${name}`) : -1;
  }
  const splitCount = new Float64Array(n).fill(NaN);
  const under = Array.from(rowsWhere(n, (i) => party[i] >= 0 && value[i] < p.splitThresholdUsd && value[i] >= p.splitThresholdUsd * p.splitLowShare && dayOf(i) === dayOf(i)));
  under.sort((a, b) => party[a] - party[b] || dayOf(a) - dayOf(b) || a - b);
  for (let s = 0; s < under.length; ) {
    let e = s;
    while (e < under.length && party[under[e]] === party[under[s]]) e++;
    // the most lots of this party inside any window holding each lot
    for (let a = s, b = s; b < e; b++) {
      while (dayOf(under[b]) - dayOf(under[a]) >= p.splitWindowDays) a++;
      const c = b - a + 1;
      for (let k = a; k <= b; k++) if (!(splitCount[under[k]] >= c)) splitCount[under[k]] = c;
    }
    s = e;
  }
  for (let i = 0; i < n; i++) if (splitCount[i] >= p.splitMinCount) fire('split_shipment', i);

  // consignees first seen recently with large controlled volumes (imports; history says who was seen before)
  const firstSeen = new Float64Array(importer.values.length).fill(Infinity);
  if (history && history.numRows) {
    const byName = new Map(importer.values.map((v, c) => [v, c]));
    const hi = readCodes(history, 'importer', who);
    const hd = readCodes(history, 'date', who);
    const hday = hd.values.map(epochDay);
    const hc = hi.values.map((v) => byName.get(v) ?? -1);
    for (let r = 0; r < history.numRows; r++) {
      const c = hi.codes[r] >= 0 ? hc[hi.codes[r]] : -1;
      const d = hd.codes[r] >= 0 ? hday[hd.codes[r]] : NaN;
      if (c >= 0 && d < firstSeen[c]) firstSeen[c] = d;
    }
  }
  const imports = (i: number) => dir.codes[i] >= 0 && !isExport[dir.codes[i]] && importer.codes[i] >= 0;
  for (let i = 0; i < n; i++) if (imports(i) && dayOf(i) < firstSeen[importer.codes[i]]) firstSeen[importer.codes[i]] = dayOf(i);
  const ageOf = (i: number) => dayOf(i) - firstSeen[importer.codes[i]];
  const earlyUsd = new Float64Array(importer.values.length);
  for (let i = 0; i < n; i++) if (imports(i) && controlled[i] && ageOf(i) <= p.newConsigneeDays) earlyUsd[importer.codes[i]] += value[i] || 0;
  const newSince = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    if (!imports(i) || !controlled[i] || !(ageOf(i) <= p.newConsigneeDays) || earlyUsd[importer.codes[i]] < p.newConsigneeMinUsd) continue;
    newSince[i] = ageOf(i);
    fire('new_consignee', i);
  }

  // the rules score: 1 − Π(1 − w) over the rules that fired
  const rulesScore = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let keep = 1;
    for (const r of DECLARATION_RULES) if (fired[r][i]) keep *= 1 - p.weights[r];
    rulesScore[i] = 1 - keep;
  }
  const counts: Record<string, number> = {};
  for (const r of DECLARATION_RULES) counts[`rule.${r}`] = fired[r].reduce((a, b) => a + b, 0);
  counts.controlled = controlled.reduce((a, b) => a + b, 0);
  // declarations on a flagged route's origin, hub, destination and code, dated where no flagged judgement of it holds
  counts.route_matches_outside_flagged_window = outsideWindow;

  const mineralDict = new StringDictionary();
  const mineralCol = new Int32Array(n).fill(-1);
  for (const [i, m] of misMineral) mineralCol[i] = mineralDict.code(m);
  const routeDict = new StringDictionary();
  const routeCol = new Int32Array(n).fill(-1);
  for (const [i, r] of routeId) routeCol[i] = routeDict.code(r);
  const cols: Record<string, Vector> = { controlled: boolVector(Int8Array.from(controlled)) };
  for (const r of DECLARATION_RULES) cols[`rule_${r}`] = boolVector(Int8Array.from(fired[r]));
  Object.assign(cols, {
    log_unit_value: float64Vector(uv),
    unit_value_robust_z: float64Vector(z),
    misclassified_mineral: dictionaryVector(mineralCol, mineralDict.values),
    looks_like_hs6: dictionaryVector(looksLikeCode, hs6.values),
    looks_like_abs_z: float64Vector(looksLike),
    route_flag_id: dictionaryVector(routeCol, routeDict.values),
    hub_prior_export_share: float64Vector(priorShare),
    mass_quantity_ratio: float64Vector(massRatio),
    value_per_unit_robust_z: float64Vector(zPerUnit),
    split_lots_in_window: float64Vector(splitCount),
    consignee_age_days: float64Vector(newSince),
    rules_score: float64Vector(rulesScore),
    reasons: listVector(n, reasons),
  });
  return { table: new Table(cols), counts };
}

/** The first mineral whose catalog keyword the description names (English by word, Chinese by substring), or null. */
function mineralNamed(description: string, catalog: Catalog): string | null {
  const d = description.toLowerCase();
  for (const k of catalog.keywords) {
    const w = k.keyword.toLowerCase();
    const at = d.indexOf(w);
    if (at < 0) continue;
    if (k.lang !== 'en') return k.mineral;
    const before = at === 0 ? ' ' : d[at - 1];
    const after = at + w.length >= d.length ? ' ' : d[at + w.length];
    if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after)) return k.mineral;
  }
  return null;
}

function safeSelector(sel: string, catalog: Catalog): string[] {
  try {
    return resolveHsSelector(sel, catalog) ?? [];
  } catch {
    return []; // a keyword mineral without a control (none today): nothing to misdeclare
  }
}

/** Group ids of the rows by the codes of `cols` together (−1 where any is null). */
function groupKeys(n: number, cols: CodedColumn[]): { groupOf: Int32Array; groups: number } {
  const dict = new StringDictionary();
  const groupOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let key = '';
    let ok = true;
    for (const c of cols) {
      if (c.codes[i] < 0) {
        ok = false;
        break;
      }
      key += `${c.codes[i]}|`;
    }
    groupOf[i] = ok ? dict.code(key) : -1;
  }
  return { groupOf, groups: dict.values.length };
}

/** Per row, the first of `levels` (finest first) that judged it; NaN where none did. */
function firstJudged(n: number, levels: Float64Array[]): Float64Array {
  const z = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    for (const lz of levels) {
      if (lz[i] === lz[i]) {
        z[i] = lz[i];
        break;
      }
    }
  }
  return z;
}

/** Raises every group's MAD to at least `floor` (in place). */
function floorSpread(stats: GroupStats, floor: number): GroupStats {
  for (let g = 0; g < stats.mad.length; g++) if (stats.mad[g] < floor) stats.mad[g] = floor;
  return stats;
}

/** Days since 1970-01-01 of `YYYY-MM-DD`, NaN otherwise. */
function epochDay(d: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) / 86_400_000 : NaN;
}
