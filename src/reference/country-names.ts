import { InputError } from '../base/errors.ts';
import type { AreaRow } from './countries.ts';
import { splitCsvLine } from './csv-line.ts';

/** Country names → ISO3, from the area tables' names plus common English aliases ("South Korea", "UAE"). */
export class CountryNameIndex {
  private readonly byName = new Map<string, string>();

  constructor(rows: readonly AreaRow[], aliases: readonly { name: string; iso3: string }[]) {
    for (const r of rows) if (r.kind === 'country') this.add(r.name, r.iso3);
    for (const a of aliases) this.byName.set(norm(a.name), a.iso3); // aliases win over historical names
  }

  /** ISO3 of a country name (case, accents and punctuation ignored), or null. */
  iso3(name: string): string | null {
    return this.byName.get(norm(name)) ?? null;
  }

  private add(name: string, iso3: string): void {
    const k = norm(name);
    if (!this.byName.has(k)) this.byName.set(k, iso3);
  }
}

/** Parses `country_name_aliases.csv` (name,iso3). */
export function parseNameAliases(text: string, fileName = 'country_name_aliases.csv'): { name: string; iso3: string }[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0] !== 'name,iso3') throw new InputError(`${fileName} line 1: expected the header 'name,iso3'`);
  const out: { name: string; iso3: string }[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const f = splitCsvLine(lines[i]);
    if (!f || f.length !== 2 || !/^[A-Z]{3}$/.test(f[1])) throw new InputError(`${fileName} line ${i + 1}: expected name,ISO3`);
    out.push({ name: f[0], iso3: f[1] });
  }
  return out;
}

function norm(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}
