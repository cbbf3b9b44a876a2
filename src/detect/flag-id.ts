import { createHash } from 'node:crypto';
import type { Vector } from 'apache-arrow';
import { dictionaryVector, StringDictionary } from '../table/columns.ts';

/** Stable flag ids for the flagged rows (null elsewhere): a hash of what the flag is about, never of when it ran. */
export function flagIds(n: number, flagged: Iterable<number>, what: (i: number) => string): Vector {
  const dict = new StringDictionary();
  const codes = new Int32Array(n).fill(-1);
  for (const i of flagged) codes[i] = dict.code(createHash('sha256').update(what(i)).digest('hex').slice(0, 16));
  return dictionaryVector(codes, dict.values);
}
