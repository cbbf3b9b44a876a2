import type { Table } from 'apache-arrow';
import { readCodes } from '../../../table/read.ts';
import { epochDay, type RuleContext } from './context.ts';

/**
 * `new_consignee`: consignees first seen recently with large controlled volumes (imports; `history` says who
 * was seen before). Returns per row the consignee's age in days where it fired.
 */
export function newConsignee(ctx: RuleContext, history: Table | null, who: string): Float64Array {
  const { n, p, dir, isExport, importer, value, dayOf, controlled } = ctx;
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
    ctx.fire('new_consignee', i);
  }
  return newSince;
}
