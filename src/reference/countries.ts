import { InputError } from '../base/errors.ts';
import { splitCsvLine } from './csv-line.ts';

/** What a trade area code stands for: a country, the World total, a non-country area, or a group of countries. */
export type AreaKind = 'country' | 'world' | 'non_country' | 'aggregate';

/** One row of `comtrade_areas.csv` or `baci_countries.csv`: a numeric area code and what it resolves to. */
export interface AreaRow {
  code: number;
  /** ISO3 for countries and the world (`WLD`); `_` + code (`_899`) for non-country areas and aggregates. */
  iso3: string;
  kind: AreaKind;
  name: string;
}

const HEADER = ['code', 'iso3', 'kind', 'name'] as const;
const KINDS: ReadonlySet<string> = new Set<AreaKind>(['country', 'world', 'non_country', 'aggregate']);
/** Largest code a table may hold: Comtrade and BACI codes have at most three digits, so four is slack. */
const MAX_CODE = 9999;

/** Parses one of the reference CSVs' text (header code,iso3,kind,name) into rows; throws naming the line on a bad row. */
export function parseAreaTable(csvText: string, fileName = 'area table'): AreaRow[] {
  const lines = csvText.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0] !== HEADER.join(',')) {
    throw new InputError(`${fileName} line 1: expected the header '${HEADER.join(',')}', found '${lines[0] ?? ''}'`);
  }
  const rows: AreaRow[] = [];
  const lineOfCode = new Map<number, number>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const line = i + 1;
    const f = splitCsvLine(lines[i]);
    if (!f) throw new InputError(`${fileName} line ${line}: a quoted field is not closed where a field ends`);
    if (f.length !== HEADER.length) throw new InputError(`${fileName} line ${line}: ${f.length} fields, expected ${HEADER.length}`);
    const bad = (col: number, why: string) => new InputError(`${fileName} line ${line}, column ${HEADER[col]}: '${f[col]}' ${why}`);
    const [codeText, iso3, kind, name] = f;
    if (!/^(0|[1-9]\d{0,3})$/.test(codeText)) throw bad(0, 'is not a numeric area code (0–9999, no leading zeros)');
    const code = Number(codeText);
    if (!KINDS.has(kind)) throw bad(2, 'is not one of country, world, non_country, aggregate');
    const labelError = checkLabel(code, iso3, kind as AreaKind);
    if (labelError) throw bad(1, labelError);
    if (name.trim() === '') throw bad(3, 'is empty');
    const first = lineOfCode.get(code);
    if (first !== undefined) throw bad(0, `repeats the code of line ${first}`);
    lineOfCode.set(code, line);
    rows.push({ code, iso3, kind: kind as AreaKind, name });
  }
  return rows;
}

/** Writes rows as area-table text (header, one row a line, `\n` endings, names quoted when needed), in the order given. */
export function formatAreaTable(rows: Iterable<AreaRow>): string {
  let out = `${HEADER.join(',')}\n`;
  for (const r of rows) {
    const name = /[",\r\n]/.test(r.name) ? `"${r.name.replace(/"/g, '""')}"` : r.name;
    out += `${r.code},${r.iso3},${r.kind},${name}\n`;
  }
  return out;
}

/**
 * BACI's and Comtrade's own text codes that are not the label tradewatch stores: BACI writes Taiwan `S19`,
 * Comtrade+ writes World `W00`, and BACI's codes for SACU and "Europe EFTA, nes".
 */
const ALIASES: readonly (readonly [alias: string, label: string])[] = [
  ['S19', 'TWN'],
  ['W00', 'WLD'],
  ['ZA1', '_711'],
  ['R20', '_697'],
];

/** Index of an ASCII byte among A–Z (either case) and 0–9, or -1; 3-character codes key a 36³ table. */
const CHAR_INDEX = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 26; i++) t[65 + i] = t[97 + i] = i;
  for (let i = 0; i < 10; i++) t[48 + i] = 26 + i;
  return t;
})();
const RADIX = 36;
const UNDERSCORE = 0x5f;

/** Code → ISO3 resolver for one code system, built once; hot-path lookups are typed-array reads. */
export class CountryResolver {
  /** ISO3 list in a fixed order (index = id); ids are stable for one resolver. */
  readonly iso3: readonly string[];
  /** Kind by id. */
  readonly kind: readonly AreaKind[];
  /** Comtrade code → id (-1 where unused). */
  private readonly comtradeIds: Int32Array;
  /** BACI code → id (-1 where unused). */
  private readonly baciIds: Int32Array;
  /** 3-character text code (base-36 key) → id, aliases included. */
  private readonly textIds: Int32Array;
  /** N of a `_N` label → id. */
  private readonly underscoreIds: Int32Array;

  /**
   * Builds ids from both tables: one id per distinct `iso3` label, sorted by label, so Comtrade 842, BACI
   * 842 and `USA` share one. Throws on a repeated code within a table, a label that is not `AAA` (country,
   * world) or `_N` (non_country, aggregate), or a label given different kinds.
   */
  constructor(numeric: { comtrade: readonly AreaRow[]; baci: readonly AreaRow[] }) {
    const kindOf = new Map<string, AreaKind>();
    for (const [system, rows] of [['comtrade', numeric.comtrade], ['baci', numeric.baci]] as const) {
      for (const r of rows) {
        if (!Number.isInteger(r.code) || r.code < 0 || r.code > MAX_CODE) throw new Error(`${system} code ${r.code} is not an integer in 0–${MAX_CODE}`);
        const labelError = checkLabel(r.code, r.iso3, r.kind);
        if (labelError) throw new Error(`${system} code ${r.code}: iso3 '${r.iso3}' ${labelError}`);
        const known = kindOf.get(r.iso3);
        if (known !== undefined && known !== r.kind) throw new Error(`${r.iso3} is ${known} in one row and ${r.kind} in ${system} code ${r.code}`);
        kindOf.set(r.iso3, r.kind);
      }
    }
    // Plain code-unit order: stable whatever the row order, and `_` labels sort after the letters.
    const labels = [...kindOf.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.iso3 = Object.freeze(labels);
    this.kind = Object.freeze(labels.map((l) => kindOf.get(l)!));
    const idOf = new Map(labels.map((l, id) => [l, id]));

    this.comtradeIds = codeTable('comtrade', numeric.comtrade, idOf);
    this.baciIds = codeTable('baci', numeric.baci, idOf);

    this.textIds = new Int32Array(RADIX * RADIX * RADIX).fill(-1);
    let maxUnderscore = -1;
    for (const l of labels) if (l.charCodeAt(0) === UNDERSCORE) maxUnderscore = Math.max(maxUnderscore, Number(l.slice(1)));
    this.underscoreIds = new Int32Array(maxUnderscore + 1).fill(-1);
    for (const [l, id] of idOf) {
      if (l.charCodeAt(0) === UNDERSCORE) this.underscoreIds[Number(l.slice(1))] = id;
      else this.textIds[key3(l.charCodeAt(0), l.charCodeAt(1), l.charCodeAt(2))] = id;
    }
    for (const [alias, label] of ALIASES) {
      const id = idOf.get(label);
      const k = key3(alias.charCodeAt(0), alias.charCodeAt(1), alias.charCodeAt(2));
      // A real label always wins over an alias.
      if (id !== undefined && this.textIds[k] < 0) this.textIds[k] = id;
    }
  }

  /** id for a Comtrade numeric area code, or -1 if unknown. O(1) typed-array lookup. */
  comtrade(code: number): number {
    // A typed array reads undefined for negative, fractional, NaN or out-of-range indices.
    const id = this.comtradeIds[code];
    return id === undefined ? -1 : id;
  }

  /** id for a BACI numeric code, or -1. */
  baci(code: number): number {
    const id = this.baciIds[code];
    return id === undefined ? -1 : id;
  }

  /**
   * id for an ISO3 text code, accepting BACI's S19 for Taiwan and `WLD`/`W00` for world; -1 if unknown.
   * Letters match in either case; the table's own `_N` labels are accepted too, so `fromIso3(iso3[id]) === id`.
   */
  fromIso3(code: string): number {
    const n = code.length;
    if (code.charCodeAt(0) !== UNDERSCORE) {
      return n === 3 ? (this.textIds[key3(code.charCodeAt(0), code.charCodeAt(1), code.charCodeAt(2))] ?? -1) : -1;
    }
    if (n < 2 || n > 5) return -1;
    let v = 0;
    for (let i = 1; i < n; i++) {
      const d = code.charCodeAt(i) - 48;
      if (d < 0 || d > 9 || (d === 0 && i === 1 && n > 2)) return -1;
      v = v * 10 + d;
    }
    return this.underscoreIds[v] ?? -1;
  }

  /** id for ISO3 given as 3 ASCII bytes in a buffer (no string allocation on the hot path); -1 if unknown. */
  fromIso3Bytes(buf: Uint8Array, start: number, end: number): number {
    const n = end - start;
    if (start < 0 || end > buf.length) return -1;
    if (buf[start] !== UNDERSCORE) return n === 3 ? (this.textIds[key3(buf[start], buf[start + 1], buf[start + 2])] ?? -1) : -1;
    // Same `_N` rule as fromIso3, on bytes.
    if (n < 2 || n > 5) return -1;
    let v = 0;
    for (let i = start + 1; i < end; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9 || (d === 0 && i === start + 1 && n > 2)) return -1;
      v = v * 10 + d;
    }
    return this.underscoreIds[v] ?? -1;
  }
}

/** Base-36 key of three character codes, or -1 (which reads as undefined) when one is not A–Z/a–z/0–9. */
function key3(a: number, b: number, c: number): number {
  const x = a < 128 ? CHAR_INDEX[a] : -1;
  const y = b < 128 ? CHAR_INDEX[b] : -1;
  const z = c < 128 ? CHAR_INDEX[c] : -1;
  return x < 0 || y < 0 || z < 0 ? -1 : (x * RADIX + y) * RADIX + z;
}

/** Why `iso3` is not a valid label for a row of this code and kind, or null when it is. */
function checkLabel(code: number, iso3: string, kind: AreaKind): string | null {
  if (kind === 'country' || kind === 'world') return /^[A-Z]{3}$/.test(iso3) ? null : `is not an uppercase ISO3 code, as a ${kind} needs`;
  return iso3 === `_${code}` ? null : `should be '_${code}' for a ${kind} row (never a real ISO3)`;
}

function codeTable(system: string, rows: readonly AreaRow[], idOf: ReadonlyMap<string, number>): Int32Array {
  let max = -1;
  for (const r of rows) max = Math.max(max, r.code);
  const ids = new Int32Array(max + 1).fill(-1);
  for (const r of rows) {
    if (ids[r.code] >= 0) throw new Error(`${system} code ${r.code} appears twice`);
    ids[r.code] = idOf.get(r.iso3)!;
  }
  return ids;
}

