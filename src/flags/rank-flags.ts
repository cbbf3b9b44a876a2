import { radixOrderDescending } from '../table/radix-order.ts';

/**
 * Sorts `flagged` in place by score descending, then flag id, as
 * `sort((a, b) => score[b] - score[a] || (id(a) < id(b) ? -1 : 1))` does: by radix on the scores and a
 * comparison sort only within runs of equal score. When the scores and ids leave no two rows equal
 * that order is total, so any correct sort gives it; a NaN score or a repeated id among equal scores
 * makes the comparator inconsistent, and then that very sort call decides, as it always did.
 */
export function rankFlags(flagged: number[], score: Float64Array, id: (i: number) => string): void {
  const original = () => flagged.sort((a, b) => score[b] - score[a] || (id(a) < id(b) ? -1 : 1));
  const keys = new Float64Array(flagged.length);
  for (let k = 0; k < keys.length; k++) {
    keys[k] = score[flagged[k]];
    if (keys[k] !== keys[k]) return void original();
  }
  const order = radixOrderDescending(keys);
  const ranked = new Array<number>(order.length);
  for (let k = 0; k < order.length; k++) ranked[k] = flagged[order[k]];
  for (let from = 0; from < ranked.length; ) {
    let to = from + 1;
    while (to < ranked.length && score[ranked[to]] === score[ranked[from]]) to++;
    if (to - from > 1) {
      const run = ranked.slice(from, to).sort((a, b) => (id(a) < id(b) ? -1 : 1));
      for (let k = 1; k < run.length; k++) if (id(run[k - 1]) === id(run[k])) return void original();
      for (let k = 0; k < run.length; k++) ranked[from + k] = run[k];
    }
    from = to;
  }
  for (let k = 0; k < ranked.length; k++) flagged[k] = ranked[k];
}
