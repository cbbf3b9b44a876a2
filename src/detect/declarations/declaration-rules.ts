import { Table, type Vector } from 'apache-arrow';
import type { Catalog } from '../../reference/catalog.ts';
import { boolVector, dictionaryVector, float64Vector, StringDictionary } from '../../table/columns.ts';
import { listVector } from '../../table/list.ts';
import { bannedDestination } from './rules/banned-destination.ts';
import { ruleContext } from './rules/context.ts';
import { flaggedRoutes } from './rules/flagged-routes.ts';
import { misclassifiedDescription, misclassifiedUnitValue } from './rules/misclassified.ts';
import { newConsignee } from './rules/new-consignee.ts';
import { massQuantityMismatch, valueQuantityOutlier } from './rules/quantities.ts';
import { splitShipment } from './rules/split-shipment.ts';
import { unitValueOutlier } from './rules/unit-value.ts';

export { DECLARATION_RULES, declarationRuleDefaults, type DeclarationRule, type DeclarationRuleParams } from './rules/params.ts';
import { DECLARATION_RULES, type DeclarationRuleParams } from './rules/params.ts';

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
  const ctx = ruleContext(decl, catalog, p, DECLARATION_RULES, who);
  const { n, hs6, controlled, fired, reasons } = ctx;
  // each rule in its own file (rules/), run in this order: a declaration's reasons list them in it
  const { uv, z, statsAll } = unitValueOutlier(ctx);
  const misMineral = misclassifiedDescription(ctx);
  const { looksLike, looksLikeCode } = misclassifiedUnitValue(ctx, uv, z, statsAll);
  bannedDestination(ctx);
  const { routeId, priorShare, outsideWindow } = flaggedRoutes(ctx, routes, who);
  const massRatio = massQuantityMismatch(ctx);
  const zPerUnit = valueQuantityOutlier(ctx);
  const splitCount = splitShipment(ctx);
  const newSince = newConsignee(ctx, history, who);

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
