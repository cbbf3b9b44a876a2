/** The declaration screening rules: their names (and reasons), thresholds and weights, as config holds them. */

/** Screening rules in the order of their columns; each fires as a reason of the same name. */
export const DECLARATION_RULES = [
  'misclassified_description', 'misclassified_unit_value', 'banned_destination', 'banned_destination_via_third', 'via_flagged_hub', 'origin_flagged_hub',
  'unit_value_outlier', 'mass_quantity_mismatch', 'value_quantity_outlier', 'split_shipment', 'new_consignee',
] as const;
export type DeclarationRule = (typeof DECLARATION_RULES)[number];

/** Thresholds of `screenDeclarations` (declaration-rules.ts); all live in config under `declarations.rules`. */
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
   * months after the last month of that judgement's post window (integer ≥ 0, default `12`): see `RouteWindows` (declaration-route-windows.ts).
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
