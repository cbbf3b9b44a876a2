import type { CountryCodeIndex } from '../reference/country-codes.ts';
import { TextInterner } from '../table/text-interner.ts';
import { VALUE_REJECTS } from './context.ts';
import { rejectedFor } from './file-rejects.ts';
import type { DeclarationIngestParams } from './declaration-params.ts';
import { DeclarationRows, INT8_NULL, type ExtraColumn, type ExtraType } from './declaration-rows.ts';
import { RejectRows } from './flow-rows.ts';

/** The canonical fields a layout fills, in slot order (extras follow at {@link FIELD_COUNT} and after). */
export const FIELDS = [
  'declaration_id', 'date', 'direction', 'declarant', 'exporter', 'importer', 'seller', 'declared_code',
  'description', 'origin', 'departure', 'destination', 'transport_mode', 'net_mass_kg', 'quantity',
  'quantity_unit', 'value', 'currency', 'office', 'tax_rate_pct', 'label',
] as const;
export type DeclarationField = (typeof FIELDS)[number];
/** Slot of each field. */
export const F = Object.fromEntries(FIELDS.map((f, i) => [f, i])) as { readonly [K in DeclarationField]: number };
export const FIELD_COUNT = FIELDS.length;
/** Fields every layout must give a value for. */
export const REQUIRED_DECLARATION_FIELDS = ['declaration_id', 'date', 'direction', 'declared_code', 'value', 'currency'] as const;
/** Numeric fields. */
const NUMERIC = new Set<DeclarationField>(['net_mass_kg', 'quantity', 'value', 'tax_rate_pct']);
const COUNTRY_SLOTS = [F.origin, F.departure, F.destination];
const NUMBER_SLOTS = [F.net_mass_kg, F.quantity, F.value, F.tax_rate_pct];

/** A number that is not one (text in a numeric field); NaN stays "empty". */
export const INVALID = Number.NEGATIVE_INFINITY;

/** Reasons that count towards `maxRejectRate` (all of the declaration readers' reasons are bad values). */
export const DECLARATION_VALUE_REJECTS = new Set([...VALUE_REJECTS, 'invalid_date', 'invalid_direction', 'unknown_currency', 'invalid_label']);

/** How one input hands the current row's fields over: CSV records and Parquet columns each implement it. */
export interface FieldAccess {
  /** The current row's value of slot `k` as a code in `slots[k].raw`; -1 when empty or not bound. */
  code(k: number): number;
  /** The number in slot `k`: NaN when empty, `NA` or not bound; {@link INVALID} when not a number. */
  num(k: number): number;
  /** The text of slot `k`, for a reject. */
  text(k: number): string;
}

/** One field or extra of one input, as bound by its layout. */
export interface Slot {
  /** Output name (canonical field or extra column). */
  name: string;
  /** Source column, or '' when the value is fixed or absent. */
  column: string;
  /** Whether the input gives this field at all. */
  bound: boolean;
  /** Where {@link FieldAccess.code} codes point: the output dictionary, or the input's own when the value is decoded or translated. */
  raw: TextInterner;
  /** The layout's value translation, applied before decoding. */
  values?: Readonly<Record<string, string>>;
  /** Extra columns: the output column and its type. */
  extra?: ExtraColumn;
  extraType?: ExtraType;
}

const NOT_YET = -2;

/**
 * State shared by the declaration readers of one read: the rows, rejects and counts, and per input the
 * slots and decoding caches (one decision per distinct raw value: a date, a code, a country, a currency).
 */
export class DeclarationContext {
  readonly rows = new DeclarationRows();
  readonly rejects = new RejectRows();
  /** Counts by reason, for the manifest. */
  readonly counts: Record<string, number> = {};
  fileName = '';
  /** Provenance of the next row when the input carries its own (a canonical Parquet file): source and file codes, line; -1 = this input's. */
  rowSource = -1;
  rowFile = -1;
  rowLine = -1;
  private fileCode = -1;
  private slots: Slot[] = [];
  private system: 'iso2' | 'iso3' = 'iso3';
  private source = -1;
  private cache: Int32Array[] = [];
  private hs6Of: Int32Array<ArrayBuffer> = new Int32Array(0);
  private periodOf: Int32Array<ArrayBuffer> = new Int32Array(0);
  private extraCols: ExtraColumn[] = [];
  private extraVals = new Float64Array(0);
  /** USD per unit, by currency code; codes past its end are currencies without a rate. */
  private readonly rates: Float64Array;
  private readonly nullCountries: Set<string>;
  private readonly importCode: number;
  private readonly exportCode: number;

  constructor(
    readonly params: DeclarationIngestParams,
    readonly countries: CountryCodeIndex,
  ) {
    const names = Object.keys(params.currencyRatesUsd).sort();
    this.rates = new Float64Array(names.length);
    for (const c of names) this.rates[this.rows.currencies.codeOf(c)] = params.currencyRatesUsd[c]; // codes 0…n−1
    this.nullCountries = new Set(params.nullCountryCodes.map((c) => c.toUpperCase()));
    this.importCode = this.rows.directions.codeOf('import');
    this.exportCode = this.rows.directions.codeOf('export');
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

  /** The slots of a layout for this read: one per canonical field (extras are added by the layout); `raw` is chosen here. */
  newSlots(): Slot[] {
    return FIELDS.map((name, k) => ({ name, column: '', bound: false, raw: decoded(name) ? new TextInterner() : this.outputOf(k) }));
  }

  /** Starts an input: its display name, source label, country code system and bound slots (translated ones get their own dictionary). */
  beginInput(name: string, source: string, system: 'iso2' | 'iso3', slots: Slot[]): void {
    this.fileName = name;
    this.fileCode = this.rows.files.codeOf(name);
    this.source = this.rows.sources.codeOf(source);
    this.system = system;
    for (const s of slots) if (s.values && !s.extra && !decoded(s.name as DeclarationField)) s.raw = new TextInterner();
    this.slots = slots;
    this.cache = slots.map(() => new Int32Array(0));
    this.extraCols = slots.slice(FIELD_COUNT).map((s) => s.extra!);
    this.extraVals = new Float64Array(this.extraCols.length);
  }

  /** Validates the current row and appends it, or rejects it naming the first bad field. */
  commitRow(a: FieldAccess, line: number): void {
    this.count('rows_read');
    const rows = this.rows;
    const s = rows.scratch;
    const sl = this.slots;
    rows.clear();
    s.id = a.code(F.declaration_id);
    if (s.id < 0) return this.missing(line, F.declaration_id);
    const date = this.decode(a, F.date);
    if (date < 0) return date === -1 ? this.missing(line, F.date) : this.bad(a, line, F.date, 'invalid_date');
    s.date = date;
    s.period = this.periodOf[date];
    const dir = this.decode(a, F.direction);
    if (dir < 0) return dir === -1 ? this.missing(line, F.direction) : this.bad(a, line, F.direction, 'invalid_direction');
    s.direction = dir;
    const code = this.decode(a, F.declared_code);
    if (code < 0) return code === -1 ? this.missing(line, F.declared_code) : this.bad(a, line, F.declared_code, 'invalid_code');
    s.code = code;
    s.hs6 = this.hs6Of[code];
    s.declarant = this.text(a, F.declarant);
    s.exporter = this.text(a, F.exporter);
    s.importer = this.text(a, F.importer);
    s.seller = this.text(a, F.seller);
    s.description = this.text(a, F.description);
    for (const k of COUNTRY_SLOTS) {
      const c = this.decode(a, k);
      if (c === -3) return this.bad(a, line, k, 'unknown_country');
      if (c === -4) this.count('country_unknown_nulled');
      if (k === F.origin) s.origin = c < 0 ? -1 : c;
      else if (k === F.departure) s.departure = c < 0 ? -1 : c;
      else s.destination = c < 0 ? -1 : c;
    }
    s.mode = this.text(a, F.transport_mode);
    s.unit = this.text(a, F.quantity_unit);
    s.office = this.text(a, F.office);
    for (const k of NUMBER_SLOTS) {
      const v = a.num(k);
      if (v === INVALID || v === Infinity) return this.bad(a, line, k, 'invalid_number');
      if (v < 0) return this.bad(a, line, k, 'negative_value');
      if (k === F.net_mass_kg) s.mass = v;
      else if (k === F.quantity) s.quantity = v;
      else if (k === F.value) s.value = v;
      else s.taxRate = v;
    }
    if (s.value === s.value) {
      const cur = this.decode(a, F.currency);
      if (cur < 0) return cur === -1 ? this.missing(line, F.currency) : this.bad(a, line, F.currency, 'unknown_currency');
      s.currency = cur;
      s.valueUsd = s.value * this.rates[cur];
    } else {
      this.count('value_missing');
      const cur = this.decode(a, F.currency);
      s.currency = cur < 0 ? -1 : cur;
    }
    if (sl[F.label].bound) {
      const label = this.decode(a, F.label);
      if (label === -3) return this.bad(a, line, F.label, 'invalid_label');
      s.label = label;
    }
    for (let k = FIELD_COUNT; k < sl.length; k++) {
      const x = sl[k];
      let v: number;
      if (x.extraType === 'text') v = this.text(a, k);
      else {
        v = a.num(k);
        if (v === INVALID || v === Infinity) return this.bad(a, line, k, 'invalid_number');
        if (x.extraType === 'int8') {
          if (v !== v) v = INT8_NULL;
          else if (!Number.isInteger(v) || v < -127 || v > 127) return this.bad(a, line, k, 'invalid_number');
        }
      }
      this.extraVals[k - FIELD_COUNT] = v;
    }
    if (s.mass === 0 && s.value > 0) {
      s.mass = NaN; // a weight of 0 with a positive value is a missing weight
      this.count('zero_mass_nulled');
    }
    if (s.quantity !== s.quantity) s.unit = -1; // a unit without a quantity says nothing
    s.source = this.rowSource >= 0 ? this.rowSource : this.source;
    s.file = this.rowFile >= 0 ? this.rowFile : this.fileCode;
    s.line = this.rowLine >= 0 ? this.rowLine : line;
    rows.commit(this.extraCols, this.extraVals);
  }

  /** Share of the rows read that were rejected for bad values (0–1); records `rejected_values`. */
  rejectRate(): number {
    const bad = rejectedFor(this.counts, DECLARATION_VALUE_REJECTS);
    const read = this.counts.rows_read ?? 0;
    this.counts.rejected_values = bad;
    return read > 0 ? bad / read : 0;
  }

  private missing(line: number, k: number): void {
    this.reject(line, this.slots[k].column || this.slots[k].name, '', 'missing_value');
  }

  private bad(a: FieldAccess, line: number, k: number, reason: string): void {
    this.reject(line, this.slots[k].column || this.slots[k].name, a.text(k), reason);
  }

  /** Output code of a plain text slot (translated through `values` when the layout has them); -1 when empty. */
  private text(a: FieldAccess, k: number): number {
    const slot = this.slots[k];
    if (!slot.bound) return -1;
    const raw = a.code(k);
    if (raw < 0 || !slot.values) return raw;
    const cache = this.cached(k, raw);
    let c = cache[raw];
    if (c === NOT_YET) {
      const t = slot.raw.values[raw].trim();
      const out = slot.extra ? slot.extra.dict : this.outputOf(k);
      const v = slot.values[t] ?? t;
      c = cache[raw] = v === '' ? -1 : out.codeOf(v);
    }
    return c;
  }

  /**
   * Decoded value of a field whose raw text must be checked (date, direction, code, country, currency,
   * label): ≥ 0 its output code (or label); -1 empty; -3 invalid; -4 (countries) a placeholder read as null.
   */
  private decode(a: FieldAccess, k: number): number {
    const slot = this.slots[k];
    if (!slot.bound) return -1;
    const raw = a.code(k);
    if (raw < 0) return -1;
    const cache = this.cached(k, raw);
    let c = cache[raw];
    if (c === NOT_YET) {
      let t = slot.raw.values[raw].trim();
      if (slot.values && t in slot.values) t = slot.values[t];
      c = cache[raw] = t === '' ? -1 : this.decodeText(k, t);
    }
    return c;
  }

  private decodeText(k: number, t: string): number {
    const r = this.rows;
    switch (k) {
      case F.date: {
        const m = /^(\d{4})[-/]?(\d{2})[-/]?(\d{2})(?:[T ].*)?$/.exec(t);
        if (!m) return -3;
        const y = Number(m[1]);
        const mo = Number(m[2]);
        const d = Number(m[3]);
        if (y < 1900 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return -3;
        const code = r.dates.codeOf(`${m[1]}-${m[2]}-${m[3]}`);
        this.periodOf = ensure(this.periodOf, code + 1);
        this.periodOf[code] = r.periods.codeOf(`${m[1]}-${m[2]}`);
        return code;
      }
      case F.direction: {
        const v = t.toLowerCase();
        return v === 'import' ? this.importCode : v === 'export' ? this.exportCode : -3;
      }
      case F.declared_code: {
        const digits = t.replaceAll('.', '');
        if (!/^\d{6,10}$/.test(digits)) return -3;
        const code = r.codes.codeOf(digits);
        this.hs6Of = ensure(this.hs6Of, code + 1);
        this.hs6Of[code] = r.hs6s.codeOf(digits.slice(0, 6));
        return code;
      }
      case F.currency: {
        const code = r.currencies.codeOf(t.toUpperCase());
        return code < this.rates.length ? code : -3;
      }
      case F.label: {
        const v = t.toLowerCase();
        return v === '1' || v === 'true' ? 1 : v === '0' || v === 'false' ? 0 : -3;
      }
      default: {
        // a country
        if (this.nullCountries.has(t.toUpperCase())) return -4;
        const id = this.countries.fromText(t, this.system);
        return id < 0 ? -3 : id;
      }
    }
  }

  /** The output dictionary of a plain text slot. */
  private outputOf(k: number): TextInterner {
    const r = this.rows;
    switch (k) {
      case F.declarant: case F.exporter: case F.importer: case F.seller: return r.parties;
      case F.description: return r.descriptions;
      case F.transport_mode: return r.modes;
      case F.quantity_unit: return r.units;
      case F.office: return r.offices;
      default: return r.ids;
    }
  }

  private cached(k: number, raw: number): Int32Array {
    let cache = this.cache[k];
    if (raw >= cache.length) {
      const bigger = new Int32Array(Math.max(raw + 1, cache.length * 2, 64)).fill(NOT_YET);
      bigger.set(cache);
      this.cache[k] = cache = bigger;
    }
    return cache;
  }
}

/** Fields whose raw text is decoded (checked, normalised) rather than stored as it is. */
function decoded(name: DeclarationField): boolean {
  return (
    name === 'date' || name === 'direction' || name === 'declared_code' || name === 'origin' || name === 'departure' ||
    name === 'destination' || name === 'currency' || name === 'label' || NUMERIC.has(name)
  );
}

function ensure(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Int32Array(Math.max(n, a.length * 2, 64));
  b.set(a);
  return b;
}
