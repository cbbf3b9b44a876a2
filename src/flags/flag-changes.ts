import { Table } from 'apache-arrow';
import { dictionaryVector, float64Vector, StringDictionary } from '../table/columns.ts';
import { readCodes, readFloats } from '../table/read.ts';

/** Values of `change`. */
export const CHANGES = ['new', 'persisting', 'dropped'] as const;

/**
 * Compares this run's flags with the previous successful run's by `flag_id`: adds `change` (`new` or
 * `persisting`) and `score_change` (this score − the previous one; null for new flags) to `current`, and
 * lists every flag of either run (`changes`: output, flag_id, change, score, previous_score, score_change),
 * dropped ones included. Without a previous run every flag is new. Pure.
 */
export function compareFlags(output: string, current: Table, previous: Table | null): { table: Table; changes: Table; counts: Record<string, number> } {
  const cur = readCodes(current, 'flag_id', 'compareFlags');
  const curScore = readFloats(current, 'score', 'compareFlags');
  const before = new Map<string, number>();
  if (previous && previous.numRows) {
    const ids = readCodes(previous, 'flag_id', 'compareFlags (previous run)');
    const s = readFloats(previous, 'score', 'compareFlags (previous run)');
    for (let i = 0; i < previous.numRows; i++) if (ids.codes[i] >= 0) before.set(ids.values[ids.codes[i]], s[i]);
  }
  const n = current.numRows;
  const change = new Int32Array(n);
  const delta = new Float64Array(n).fill(NaN);
  const list: { id: string; change: number; score: number; prev: number }[] = [];
  const present = new Set<string>();
  for (let i = 0; i < n; i++) {
    const id = cur.codes[i] >= 0 ? cur.values[cur.codes[i]] : '';
    present.add(id);
    const prev = before.get(id);
    change[i] = prev === undefined ? 0 : 1;
    if (prev !== undefined) delta[i] = curScore[i] - prev;
    list.push({ id, change: change[i], score: curScore[i], prev: prev ?? NaN });
  }
  for (const [id, prev] of [...before].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!present.has(id)) list.push({ id, change: 2, score: NaN, prev });
  }
  const counts = { new: 0, persisting: 0, dropped: 0 };
  for (const x of list) counts[CHANGES[x.change]]++;
  const cols: Record<string, unknown> = {};
  for (const f of current.schema.fields) cols[f.name] = current.getChild(f.name);
  const table = new Table({
    ...(cols as Record<string, never>),
    change: dictionaryVector(change, CHANGES),
    score_change: float64Vector(delta),
  });
  const ids = new StringDictionary();
  const changes = new Table({
    output: dictionaryVector(new Int32Array(list.length), [output]),
    flag_id: dictionaryVector(Int32Array.from(list, (x) => ids.code(x.id)), ids.values),
    change: dictionaryVector(Int32Array.from(list, (x) => x.change), CHANGES),
    score: float64Vector(Float64Array.from(list, (x) => x.score)),
    previous_score: float64Vector(Float64Array.from(list, (x) => x.prev)),
    score_change: float64Vector(Float64Array.from(list, (x) => x.score - x.prev)),
  });
  return { table, changes, counts };
}
