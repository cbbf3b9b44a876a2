import { createHash, hash } from 'node:crypto';
import type { Vector } from 'apache-arrow';
import { dictionaryVector, StringDictionary } from '../table/columns.ts';

/** Stable flag ids for the flagged rows (null elsewhere): a hash of what the flag is about, never of when it ran. */
export function flagIds(n: number, flagged: Iterable<number>, what: (i: number) => string): Vector {
  const dict = new StringDictionary();
  const codes = new Int32Array(n).fill(-1);
  for (const i of flagged) codes[i] = dict.code(sha256Hex(what(i)).slice(0, 16));
  return dictionaryVector(codes, dict.values);
}

/** Hex sha256 of a string: the one-shot `crypto.hash` where Node has it (20.12+), else a Hash object. */
export const sha256Hex: (s: string) => string =
  typeof hash === 'function' ? (s) => hash('sha256', s, 'hex') : (s) => createHash('sha256').update(s).digest('hex');
