import { InputError } from '../base/errors.ts';
import { splitCsvLine } from './csv-line.ts';

const HEADER = 'iso3,name,source';

/**
 * Parses a reference list of countries (`iso3,name,source`): the reporters that record imports FOB rather than
 * CIF (`fob_import_reporters.csv`), the entrepôts (`entrepots.csv`). Every row names its source; an error names
 * the file, line and what is wrong.
 */
export function parseCountryList(text: string, fileName: string): ReadonlySet<string> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0] !== HEADER) throw new InputError(`${fileName} line 1: expected the header '${HEADER}', found '${lines[0] ?? ''}'`);
  const out = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const f = splitCsvLine(lines[i]);
    const where = `${fileName} line ${i + 1}`;
    if (!f || f.length !== 3) throw new InputError(`${where}: expected ${HEADER}`);
    const [iso3, name, source] = f;
    if (!/^[A-Z]{3}$/.test(iso3)) throw new InputError(`${where}, column iso3: '${iso3}' is not an uppercase ISO3 code`);
    if (out.has(iso3)) throw new InputError(`${where}, column iso3: '${iso3}' appears twice`);
    if (!name.trim()) throw new InputError(`${where}, column name: empty`);
    if (!source.trim()) throw new InputError(`${where}, column source: empty (say where the fact comes from)`);
    out.add(iso3);
  }
  return out;
}
