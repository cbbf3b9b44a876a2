import { InputError } from '../base/errors.ts';
import { splitCsvLine } from './csv-line.ts';

/** Parses `hs6_descriptions.csv` (hs_revision,hs6,description) into hs6 → description, HS2022 wording first. */
export function parseHs6Descriptions(text: string, fileName = 'hs6_descriptions.csv'): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0] !== 'hs_revision,hs6,description') throw new InputError(`${fileName} line 1: expected the header 'hs_revision,hs6,description'`);
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const f = splitCsvLine(lines[i]);
    if (!f || f.length !== 3 || !/^\d{6}$/.test(f[1])) throw new InputError(`${fileName} line ${i + 1}: expected hs_revision,hs6,description`);
    // the newest revision's wording wins: files list HS2022 before older ones
    if (!out.has(f[1])) out.set(f[1], f[2]);
  }
  return out;
}
