import { groupMedianMad, robustZByGroup, type GroupStats } from '../../robust-stats.ts';
import { firstJudged, floorSpread, groupKeys, type RuleContext } from './context.ts';

/**
 * `unit_value_outlier`, the price filter: a line's range is often several products' (plates and bars under one
 * line) from several origins at their own prices, so each declaration's log unit value (USD/kg) is judged in the
 * finest group that holds enough of them: line × description × origin, line × origin, line × description, line,
 * HS6. Returns the log unit values, their robust z and the HS6 groups' statistics (the unit-value
 * misclassification reads them).
 */
export function unitValueOutlier(ctx: RuleContext): { uv: Float64Array; z: Float64Array; statsAll: GroupStats } {
  const { n, p, code, description, origin, hs6, value, mass } = ctx;
  const uv = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) if (value[i] > 0 && mass[i] > 0) uv[i] = Math.log(value[i] / mass[i]);
  const levels = [[code, description, origin], [code, origin], [code, description], [code]].map((cols) => {
    const { groupOf, groups } = groupKeys(n, cols);
    return robustZByGroup(uv, groupOf, floorSpread(groupMedianMad(uv, groupOf, groups, p.minGroupSize), p.minLogUnitValueSpread));
  });
  const statsAll = floorSpread(groupMedianMad(uv, hs6.codes, hs6.values.length, p.minGroupSize), p.minLogUnitValueSpread);
  levels.push(robustZByGroup(uv, hs6.codes, statsAll));
  const z = firstJudged(n, levels);
  for (let i = 0; i < n; i++) if (Math.abs(z[i]) >= p.maxAbsUnitValueZ) ctx.fire('unit_value_outlier', i);
  return { uv, z, statsAll };
}
