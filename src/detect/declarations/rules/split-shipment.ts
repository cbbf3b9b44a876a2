import { StringDictionary } from '../../../table/columns.ts';
import { rowsWhere } from '../../../table/take-table.ts';
import type { RuleContext } from './context.ts';

/**
 * `split_shipment`: lots just under the size threshold, per party (importer on imports, exporter on exports),
 * within a sliding window. Returns per row the most lots of its party inside any window holding it.
 */
export function splitShipment(ctx: RuleContext): Float64Array {
  const { n, p, dir, isExport, exporter, importer, value, text, dayOf } = ctx;
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
  for (let i = 0; i < n; i++) if (splitCount[i] >= p.splitMinCount) ctx.fire('split_shipment', i);
  return splitCount;
}
