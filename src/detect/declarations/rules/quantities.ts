import { groupMedianMad, robustZByGroup } from '../../robust-stats.ts';
import { firstJudged, floorSpread, groupKeys, type RuleContext } from './context.ts';

/** `mass_quantity_mismatch`: the net mass against the quantity, where the quantity is a mass. Returns the ratio by row. */
export function massQuantityMismatch(ctx: RuleContext): Float64Array {
  const { n, p, unit, qty, mass, kgPerUnit: toKg } = ctx;
  const massRatio = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const f = unit.codes[i] >= 0 ? toKg[unit.codes[i]] : NaN;
    if (!(f > 0) || !(qty[i] > 0) || !(mass[i] > 0)) continue;
    massRatio[i] = mass[i] / (qty[i] * f);
    if (Math.abs(Math.log(massRatio[i])) > Math.log(1 + p.maxMassQuantityGap)) ctx.fire('mass_quantity_mismatch', i);
  }
  return massRatio;
}

/**
 * `value_quantity_outlier`: the value against a quantity in units that are not a mass (pieces, litres, m²): the
 * price per unit in the first group with enough declarations of line × unit × origin, line × unit — the same
 * filter as per kg. Returns its robust z by row.
 */
export function valueQuantityOutlier(ctx: RuleContext): Float64Array {
  const { n, p, unit, qty, value, code, origin, kgPerUnit: toKg } = ctx;
  const perUnit = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const massUnit = unit.codes[i] >= 0 && toKg[unit.codes[i]] > 0;
    if (!massUnit && unit.codes[i] >= 0 && qty[i] > 0 && value[i] > 0) perUnit[i] = Math.log(value[i] / qty[i]);
  }
  const zPerUnit = firstJudged(n, [[code, unit, origin], [code, unit]].map((cols) => {
    const { groupOf, groups } = groupKeys(n, cols);
    return robustZByGroup(perUnit, groupOf, floorSpread(groupMedianMad(perUnit, groupOf, groups, p.minGroupSize), p.minLogUnitValueSpread));
  }));
  for (let i = 0; i < n; i++) if (Math.abs(zPerUnit[i]) >= p.maxAbsUnitValueZ) ctx.fire('value_quantity_outlier', i);
  return zPerUnit;
}
