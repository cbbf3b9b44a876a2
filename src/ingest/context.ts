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
]);

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
   * Dictionary code (in `dict`) of a short ASCII code in field `i` (flow, unit, classification…),
   * cached by its bytes; `map` translates source values first. -1 when empty.
   */
  shortCode(rec: CsvRecord, i: number, dict: StringDictionary, map?: Readonly<Record<string, string>>): number {
    const buf = rec.buf;
    let s = rec.start(i);
    let e = rec.end(i);
    while (s < e && buf[s] === 0x20) s++;
    while (e > s && buf[e - 1] === 0x20) e--;
    if (s === e) return -1;
    const owner = map ?? dict; // a translation table gets its own cache: the same bytes may mean another code
    let cache = this.shortCaches.get(owner);
    if (!cache) this.shortCaches.set(owner, (cache = new Map()));
    let key = -1;
    if (e - s <= 6) {
      key = 0;
      for (let p = s; p < e; p++) key = key * 256 + buf[p];
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
    }
    const raw = rec.text(i).trim();
    const text = map && raw in map ? map[raw] : raw;
    const code = text === '' ? -1 : dict.code(text);
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
   * Period code of field `i` (`YYYY`, `YYYYMM` or `YYYY-MM`), writing the frequency into the scratch
   * record; -1 when it is not a period.
   */
  periodCode(rec: CsvRecord, i: number): number {
    const buf = rec.buf;
    const s = rec.start(i);
    let e = rec.end(i);
    if (e - s === 10 && buf[s + 4] === 0x2d && buf[s + 7] === 0x2d) e = s + 7; // YYYY-MM-DD: the month
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
   * when it is not a number or is negative. `scale` (a power of ten) is applied exactly.
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
    if (v < 0) {
      this.reject(rec.line, column, rec.text(i), 'negative_value');
      return null;
    }
    if (scale !== 1) v = scaleExact(v, rec.text(i), scale);
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
