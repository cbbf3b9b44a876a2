import type { CsvRecord } from '../io/csv-scanner.ts';
import type { CountryNameIndex } from '../reference/country-names.ts';
import type { CountryResolver } from '../reference/countries.ts';
import type { StringDictionary } from '../table/columns.ts';
import { FlowRows, RejectRows } from './flow-rows.ts';
import type { IngestParams } from './params.ts';

/** Reasons that count towards `--max-reject-rate`: values that could not be read. */
export const VALUE_REJECTS = new Set([
  'invalid_number',
  'negative_value',
  'invalid_code',
  'invalid_period',
  'invalid_flag',
  'unknown_country',
  'missing_value',
  'missing_fields',
  'code_level_mismatch',
  'unknown_flow',
  'unknown_classification',
]);

/**
 * Trade flows a source may give (Comtrade's trade regimes), by the code stored: imports, exports, re-imports,
 * re-exports, inward/outward processing, financial lease, domestic exports, foreign imports. Flow codes
 * are read case-insensitively; any other code is rejected (`unknown_flow`).
 */
export const TRADE_FLOWS: Readonly<Record<string, string>> = Object.fromEntries(
  ['M', 'X', 'RM', 'RX', 'MIP', 'XIP', 'MOP', 'XOP', 'MIF', 'XIF', 'DX', 'FM'].map((f) => [f, f]),
);

/** The HS revisions tradewatch knows (Comtrade's H0–H6); a product code of another classification (SITC `S4`, BEC…) is rejected. */
export const HS_REVISIONS: ReadonlySet<string> = new Set(['HS1992', 'HS1996', 'HS2002', 'HS2007', 'HS2012', 'HS2017', 'HS2022']);

/**
 * A closed list of codes for {@link IngestContext.listedCode}: the field's text is translated by `values`
 * first (as written), then upper-cased and looked up in `known` (upper-cased text → stored code).
 */
export interface CodeList {
  readonly known: Readonly<Record<string, string>>;
  readonly values?: Readonly<Record<string, string>>;
}

/** State shared by the readers of one ingest run: the rows, the rejects, the counters and decoding caches. */
export class IngestContext {
  readonly rows = new FlowRows();
  readonly rejects = new RejectRows();
  /** Counts by reason (rows read, filtered, dropped, merged, rejected, …), reported in the manifest. */
  readonly counts: Record<string, number> = {};
  /** Notes for the manifest (e.g. where a file's HS revision came from). */
  readonly notes: string[] = [];
  /** Index of the file being read and its display path. */
  fileCode = -1;
  fileName = '';

  private readonly cmdCache = new Map<number, number>();
  private readonly periodCache = new Map<number, number>();
  private readonly shortCaches = new Map<object, Map<number, number>>();
  /** Per cmd code: 1 selected by --hs, 0 not (-1 not decided yet). */
  private selected = new Int8Array(256).fill(-1);
  private readonly hsByLength: Map<number, Set<number>> | null;
  private readonly freqA: number;
  private readonly freqM: number;

  private readonly nameCache = new Map<string, number>();

  constructor(
    readonly resolver: CountryResolver,
    readonly params: IngestParams,
    /** Selected product codes (prefixes), or null for every code. */
    hsCodes: readonly string[] | null,
    /** Country names → ISO3, for layouts that name countries (`countryCodes: name`). */
    readonly names: CountryNameIndex | null = null,
  ) {
    this.hsByLength = hsCodes ? groupByLength(hsCodes) : null;
    this.freqA = this.rows.freqs.code('A');
    this.freqM = this.rows.freqs.code('M');
  }

  /** Adds `n` to counter `key`. */
  count(key: string, n = 1): void {
    this.counts[key] = (this.counts[key] ?? 0) + n;
  }

  /** Sends a row to the rejects with its file, line, column, text and reason. */
  reject(line: number, column: string, value: string, reason: string): void {
    this.rejects.add(this.fileName, line, column, value, reason);
    this.count(`rejected.${reason}`);
  }

  /**
   * Appends the scratch record after the rules every layout shares (a weight of 0 with a positive value is
   * missing). With `source` and `line`, stamps the row's provenance with the current file first.
   */
  commitRow(source?: number, line?: number): void {
    const s = this.rows.scratch;
    if (source !== undefined && line !== undefined) {
      s.source = source;
      s.file = this.fileCode;
      s.line = line;
    }
    if (s.kg === 0 && s.value > 0) {
      s.kg = NaN;
      this.count('zero_weight_nulled');
    }
    this.rows.commit();
  }

  /** Starts a new input file. */
  beginFile(name: string): void {
    this.fileName = name;
    this.fileCode = this.rows.files.code(name);
  }

  /**
   * Dictionary code of the product code in field `i` (digits only, 2–10 of them), or -1 when it is
   * not one. Decoded straight from bytes, cached by numeric value and length (leading zeros kept).
   */
  cmdCode(rec: CsvRecord, i: number, padTo = 0): number {
    const buf = rec.buf;
    let s = rec.start(i);
    let e = rec.end(i);
    while (s < e && buf[s] === 0x20) s++;
    while (e > s && buf[e - 1] === 0x20) e--;
    let len = e - s;
    if (len < 1 || len > 12) return -1;
    let v = 0;
    for (let p = s; p < e; p++) {
      const d = buf[p] - 0x30;
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
    }
    if (len < padTo) len = padTo;
    if (len < 2 || len > 10) return -1;
    const key = v * 16 + len;
    let code = this.cmdCache.get(key);
    if (code === undefined) {
      code = this.rows.cmds.code(String(v).padStart(len, '0'));
      this.cmdCache.set(key, code);
    }
    return code;
  }

  /**
   * Like {@link cmdCode} for a layout that declares each code's level (Comtrade's `aggrLevel`, legacy
   * `Aggregate Level`) in field `iLevel`: a code written shorter than its level lost its leading zero to a
   * spreadsheet or a number type and is padded back (`81010` at level 6 → `081010`), counted
   * `hs_code_zero_padded`. A code longer than its level, or one that padding would put in chapter `00`
   * (more than a leading zero is missing), cannot be that level: rejected as `code_level_mismatch` in
   * `column`, and -2 returned. Without a level (no column, empty, or not 2–10) the code is read as written.
   * -1 when the field is not a product code (the caller rejects it).
   */
  levelledCmdCode(rec: CsvRecord, i: number, iLevel: number, column: string): number {
    const level = iLevel >= 0 ? rec.int(iLevel) : NaN;
    if (!(level >= 2 && level <= 10)) return this.cmdCode(rec, i);
    const cmd = this.cmdCode(rec, i, level);
    if (cmd < 0) return -1;
    const buf = rec.buf;
    let s = rec.start(i);
    let e = rec.end(i);
    while (s < e && buf[s] === 0x20) s++;
    while (e > s && buf[e - 1] === 0x20) e--;
    const len = e - s;
    if (len === level) return cmd;
    if (len > level || this.rows.cmds.values[cmd].startsWith('00')) {
      this.reject(rec.line, column, rec.text(i).trim(), 'code_level_mismatch');
      return -2;
    }
    this.count('hs_code_zero_padded');
    return cmd;
  }

  /**
   * Dictionary code (in `dict`) of a code from a closed list (`list`) in field `i`, cached by its bytes:
   * -1 when the field is empty, -2 when the code is not in the list (the caller rejects it).
   */
  listedCode(rec: CsvRecord, i: number, dict: StringDictionary, list: CodeList): number {
    return this.cachedCode(rec, i, list, (raw) => {
      const text = (list.values && Object.hasOwn(list.values, raw) ? list.values[raw] : raw).trim();
      const upper = text.toUpperCase();
      return text === '' ? -1 : Object.hasOwn(list.known, upper) ? dict.code(list.known[upper]) : -2;
    });
  }

  /**
   * Dictionary code (in `dict`) of a short ASCII code in field `i` (flow, unit, classification…),
   * cached by its bytes; `map` translates source values first. -1 when empty.
   */
  shortCode(rec: CsvRecord, i: number, dict: StringDictionary, map?: Readonly<Record<string, string>>): number {
    // a translation table gets its own cache: the same bytes may mean another code
    return this.cachedCode(rec, i, map ?? dict, (raw) => {
      const text = map && raw in map ? map[raw] : raw;
      return text === '' ? -1 : dict.code(text);
    });
  }

  /** The code `resolve` gives field `i`'s trimmed text, cached per `owner` by its bytes (up to six); -1 when empty. */
  private cachedCode(rec: CsvRecord, i: number, owner: object, resolve: (raw: string) => number): number {
    const buf = rec.buf;
    let s = rec.start(i);
    let e = rec.end(i);
    while (s < e && buf[s] === 0x20) s++;
    while (e > s && buf[e - 1] === 0x20) e--;
    if (s === e) return -1;
    let cache = this.shortCaches.get(owner);
    if (!cache) this.shortCaches.set(owner, (cache = new Map()));
    let key = -1;
    if (e - s <= 6) {
      key = 0;
      for (let p = s; p < e; p++) key = key * 256 + buf[p];
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
    }
    const code = resolve(rec.text(i).trim());
    if (key >= 0) cache.set(key, code);
    return code;
  }

  /**
   * Country id of field `i` in the given code system; rejects (returning null) an empty or unknown code.
   * Aggregates, World and non-country areas resolve too: callers decide where they go.
   */
  countryId(rec: CsvRecord, i: number, system: CountryCodeSystem, column: string): number | null {
    if (rec.isEmpty(i)) {
      this.reject(rec.line, column, '', 'missing_value');
      return null;
    }
    let id: number;
    if (system === 'name') {
      id = this.nameId(rec.text(i));
    } else if (system === 'iso3') {
      id = this.resolver.fromIso3Bytes(rec.buf, rec.start(i), rec.end(i));
      if (id < 0) id = this.resolver.fromIso3(rec.text(i).trim().toUpperCase());
    } else {
      const code = rec.int(i);
      id = code !== code ? -1 : system === 'comtrade' ? this.resolver.comtrade(code) : this.resolver.baci(code);
    }
    if (id < 0) {
      this.reject(rec.line, column, rec.text(i), 'unknown_country');
      return null;
    }
    return id;
  }

  /** Country id of a country name (through the name index), or -1; throws when no index was given. */
  nameId(name: string): number {
    if (!this.names) throw new Error('ingest: this layout names countries, but no country name index was loaded');
    const cached = this.nameCache.get(name);
    if (cached !== undefined) return cached;
    const iso3 = this.names.iso3(name);
    const id = iso3 ? this.resolver.fromIso3(iso3) : -1;
    this.nameCache.set(name, id);
    return id;
  }

  /** Like {@link countryId} for a reporter: aggregates (EU, SACU) and non-country reporters are rejected too. */
  reporterId(rec: CsvRecord, i: number, system: CountryCodeSystem, column: string): number | null {
    const id = this.countryId(rec, i, system, column);
    if (id === null) return null;
    const kind = this.resolver.kind[id];
    if (kind === 'country') return id;
    this.reject(rec.line, column, rec.text(i), kind === 'aggregate' ? 'aggregate_reporter' : 'non_country_reporter');
    return null;
  }

  /** True when `--hs` selects some products (else every product is read and {@link isSelected} is always true). */
  get selective(): boolean {
    return this.hsByLength !== null;
  }

  /** Whether product code `cmd` (a dictionary code) is selected by `--hs`. */
  isSelected(cmd: number): boolean {
    if (!this.hsByLength) return true;
    if (cmd >= this.selected.length) {
      const bigger = new Int8Array(Math.max(cmd + 1, this.selected.length * 2)).fill(-1);
      bigger.set(this.selected);
      this.selected = bigger;
    }
    let s = this.selected[cmd];
    if (s < 0) {
      const text = this.rows.cmds.values[cmd];
      s = 0;
      for (const [len, set] of this.hsByLength) {
        if (text.length >= len && set.has(Number(text.slice(0, len)))) {
          s = 1;
          break;
        }
      }
      this.selected[cmd] = s;
    }
    return s === 1;
  }

  /**
   * Period code of field `i` (`YYYY`, `YYYYMM`, `YYYY-MM`, or `YYYY-MM-DD` for its month), writing the
   * frequency into the scratch record; -1 when it is not a period (a date must be a real calendar day:
   * `2024-01-99` and `2023-02-29` are not).
   */
  periodCode(rec: CsvRecord, i: number): number {
    const buf = rec.buf;
    const s = rec.start(i);
    let e = rec.end(i);
    if (e - s === 10 && buf[s + 4] === 0x2d && buf[s + 7] === 0x2d) {
      // YYYY-MM-DD: the month, once the day is one of that month's
      const d1 = buf[s + 8] - 0x30;
      const d2 = buf[s + 9] - 0x30;
      if (d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return -1;
      const y = (buf[s] - 0x30) * 1000 + (buf[s + 1] - 0x30) * 100 + (buf[s + 2] - 0x30) * 10 + (buf[s + 3] - 0x30);
      const m = (buf[s + 5] - 0x30) * 10 + (buf[s + 6] - 0x30);
      if (!isCalendarDay(y, m, d1 * 10 + d2)) return -1;
      e = s + 7;
    }
    let v = 0;
    let digits = 0;
    for (let p = s; p < e; p++) {
      const c = buf[p];
      if (c === 0x2d && digits === 4 && p === s + 4) continue; // YYYY-MM
      const d = c - 0x30;
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
      digits++;
    }
    return this.periodFromNumber(v, digits);
  }

  /** Period code from a number written with `digits` digits (YYYY or YYYYMM); -1 when invalid. */
  periodFromNumber(v: number, digits: number): number {
    const key = v * 8 + digits;
    let code = this.periodCache.get(key);
    if (code === undefined) {
      code = -1;
      if (digits === 4 && v >= 1900 && v <= 2100) code = this.rows.periods.code(String(v));
      else if (digits === 6) {
        const y = Math.floor(v / 100);
        const m = v % 100;
        if (y >= 1900 && y <= 2100 && m >= 1 && m <= 12) code = this.rows.periods.code(`${y}-${String(m).padStart(2, '0')}`);
      }
      this.periodCache.set(key, code);
    }
    if (code >= 0) this.rows.scratch.freq = digits === 4 ? this.freqA : this.freqM;
    return code;
  }

  /**
   * Reads a non-negative amount from field `i`: NaN when empty or `NA`; rejects and returns null
   * when it is not a number, not finite (`1e400` overflows to Infinity: `invalid_number`) or is negative.
   * `scale` (a power of ten) is applied exactly.
   */
  amount(rec: CsvRecord, i: number, column: string, scale = 1): number | null {
    if (rec.isEmpty(i)) return NaN;
    let v = rec.number(i);
    if (v !== v) {
      const t = rec.text(i).trim();
      if (t === '' || t === 'NA' || t === 'NaN' || t === 'null') return NaN;
      this.reject(rec.line, column, t, 'invalid_number');
      return null;
    }
    if (v === Infinity || v === -Infinity) {
      this.reject(rec.line, column, rec.text(i).trim(), 'invalid_number');
      return null;
    }
    if (v < 0) {
      this.reject(rec.line, column, rec.text(i), 'negative_value');
      return null;
    }
    if (scale !== 1) {
      v = scaleExact(v, rec.text(i), scale);
      if (v === Infinity) {
        this.reject(rec.line, column, rec.text(i).trim(), 'invalid_number'); // finite as written, not once scaled
        return null;
      }
    }
    return v;
  }

  /** Reads an estimation flag: 1 for true/1/yes, 0 for false/0/no, -1 when empty; rejects other text. */
  flag(rec: CsvRecord, i: number, column: string): number | null {
    if (i < 0 || rec.isEmpty(i)) return -1;
    const t = rec.text(i).trim().toLowerCase();
    if (t === 'true' || t === '1' || t === 'yes' || t === 't') return 1;
    if (t === 'false' || t === '0' || t === 'no' || t === 'f') return 0;
    this.reject(rec.line, column, t, 'invalid_flag');
    return null;
  }
}

/** How a layout codes countries. */
export type CountryCodeSystem = 'comtrade' | 'baci' | 'iso3' | 'name';

/** Whether year `y`, month `m` (1–12), day `d` is a day of the calendar. */
export function isCalendarDay(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Multiplies a decimal by a power of ten without binary rounding error (0.235 × 1000 = 235 exactly). */
export function scaleExact(v: number, text: string, scale: number): number {
  const exp = Math.round(Math.log10(scale));
  if (10 ** exp !== scale) return v * scale;
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(text);
  if (!m) return v * scale;
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  const digits = (intPart + frac).replace(/^0+(?=\d)/, '') || '0';
  const shift = exp - frac.length;
  const mantissa = Number(digits);
  if (!Number.isSafeInteger(mantissa)) return v * scale;
  const r = shift >= 0 ? mantissa * 10 ** shift : mantissa / 10 ** -shift;
  return m[1] === '-' ? -r : r;
}

function groupByLength(codes: readonly string[]): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  for (const c of codes) {
    let set = out.get(c.length);
    if (!set) out.set(c.length, (set = new Set()));
    set.add(Number(c));
  }
  return out;
}
