import { Table, type Vector } from 'apache-arrow';
import { InputError } from '../base/errors.ts';
import { DECLARATION_COLUMNS, type DeclarationTable } from '../schema.ts';
import {
  Float64Builder,
  Int8Builder,
  Int32Builder,
  dictionaryVector,
  float64Vector,
  int8Vector,
  int32Vector,
} from '../table/columns.ts';
import { TextInterner } from '../table/text-interner.ts';

/** Type of an extra column kept beside the canonical ones. */
export type ExtraType = 'text' | 'int8' | 'float64';

/**
 * One reused record that readers fill before {@link DeclarationRows.commit}: dictionary codes (-1 = null),
 * numbers (NaN = null), `label` -1 = null. Never allocated per row.
 */
export interface DeclarationScratch {
  id: number;
  date: number;
  period: number;
  direction: number;
  declarant: number;
  exporter: number;
  importer: number;
  seller: number;
  code: number;
  hs6: number;
  description: number;
  origin: number;
  departure: number;
  destination: number;
  mode: number;
  mass: number;
  quantity: number;
  unit: number;
  value: number;
  currency: number;
  valueUsd: number;
  office: number;
  taxRate: number;
  label: number;
  source: number;
  file: number;
  line: number;
}

/** An extra column under construction: codes into its own dictionary, Int8 (-128 = null) or Float64 (NaN = null). */
interface ExtraColumn {
  type: ExtraType;
  dict: TextInterner;
  ints: Int32Builder | null;
  bytes: Int8Builder | null;
  floats: Float64Builder | null;
}

/** Null of an `int8` extra (−128 is outside what a source writes for a category or flag). */
export const INT8_NULL = -128;

/** Column-wise store of the parsed declarations of a read, with the dictionaries their codes point into. */
export class DeclarationRows {
  readonly ids = new TextInterner();
  readonly dates = new TextInterner();
  readonly periods = new TextInterner();
  readonly directions = new TextInterner();
  /** Declarants, exporters, importers and sellers share one dictionary (each column is compacted on output). */
  readonly parties = new TextInterner();
  readonly codes = new TextInterner();
  readonly hs6s = new TextInterner();
  readonly descriptions = new TextInterner();
  readonly modes = new TextInterner();
  readonly units = new TextInterner();
  readonly currencies = new TextInterner();
  readonly offices = new TextInterner();
  readonly sources = new TextInterner();
  readonly files = new TextInterner();

  private readonly b = {
    id: new Int32Builder(), date: new Int32Builder(), period: new Int32Builder(), direction: new Int32Builder(),
    declarant: new Int32Builder(), exporter: new Int32Builder(), importer: new Int32Builder(), seller: new Int32Builder(),
    code: new Int32Builder(), hs6: new Int32Builder(), description: new Int32Builder(), origin: new Int32Builder(),
    departure: new Int32Builder(), destination: new Int32Builder(), mode: new Int32Builder(), mass: new Float64Builder(),
    quantity: new Float64Builder(), unit: new Int32Builder(), value: new Float64Builder(), currency: new Int32Builder(),
    valueUsd: new Float64Builder(), office: new Int32Builder(), taxRate: new Float64Builder(), label: new Int8Builder(),
    source: new Int32Builder(), file: new Int32Builder(), line: new Int32Builder(),
  };
  private readonly extras = new Map<string, ExtraColumn>();
  private n = 0;

  /** The record readers fill; {@link clear} resets it to nulls. */
  readonly scratch: DeclarationScratch = {
    id: -1, date: -1, period: -1, direction: -1, declarant: -1, exporter: -1, importer: -1, seller: -1, code: -1,
    hs6: -1, description: -1, origin: -1, departure: -1, destination: -1, mode: -1, mass: NaN, quantity: NaN,
    unit: -1, value: NaN, currency: -1, valueUsd: NaN, office: -1, taxRate: NaN, label: -1, source: -1, file: -1, line: 0,
  };

  get length(): number {
    return this.n;
  }

  /** Resets every field of the scratch record to null. */
  clear(): void {
    const s = this.scratch;
    s.id = s.date = s.period = s.direction = s.declarant = s.exporter = s.importer = s.seller = -1;
    s.code = s.hs6 = s.description = s.origin = s.departure = s.destination = s.mode = s.unit = -1;
    s.currency = s.office = s.label = -1;
    s.mass = s.quantity = s.value = s.valueUsd = s.taxRate = NaN;
  }

  /** The extra column `name`, created (nulls for the rows before it) when new; its type may not change. */
  extra(name: string, type: ExtraType, where: string): ExtraColumn {
    let x = this.extras.get(name);
    if (!x) {
      x = {
        type,
        dict: new TextInterner(),
        ints: type === 'text' ? new Int32Builder() : null,
        bytes: type === 'int8' ? new Int8Builder() : null,
        floats: type === 'float64' ? new Float64Builder() : null,
      };
      for (let i = 0; i < this.n; i++) pushNull(x);
      this.extras.set(name, x);
    } else if (x.type !== type) {
      throw new InputError(`${where}: extra column '${name}' is ${type} here but ${x.type} in an earlier input`);
    }
    return x;
  }

  /**
   * Appends the scratch record as a row; `extraValues` holds one value per extra column in
   * `extraColumns` order (a code, an Int8 or a float), and every other extra column gets a null.
   */
  commit(extraColumns: readonly ExtraColumn[], extraValues: Float64Array): void {
    const s = this.scratch;
    const b = this.b;
    b.id.push(s.id);
    b.date.push(s.date);
    b.period.push(s.period);
    b.direction.push(s.direction);
    b.declarant.push(s.declarant);
    b.exporter.push(s.exporter);
    b.importer.push(s.importer);
    b.seller.push(s.seller);
    b.code.push(s.code);
    b.hs6.push(s.hs6);
    b.description.push(s.description);
    b.origin.push(s.origin);
    b.departure.push(s.departure);
    b.destination.push(s.destination);
    b.mode.push(s.mode);
    b.mass.push(s.mass);
    b.quantity.push(s.quantity);
    b.unit.push(s.unit);
    b.value.push(s.value);
    b.currency.push(s.currency);
    b.valueUsd.push(s.valueUsd);
    b.office.push(s.office);
    b.taxRate.push(s.taxRate);
    b.label.push(s.label);
    b.source.push(s.source);
    b.file.push(s.file);
    b.line.push(s.line);
    this.n++;
    for (let k = 0; k < extraColumns.length; k++) {
      const x = extraColumns[k];
      const v = extraValues[k];
      if (x.ints) x.ints.push(v);
      else if (x.bytes) x.bytes.push(v);
      else x.floats!.push(v);
    }
    // extras this input does not have get a null
    if (this.extras.size > extraColumns.length) for (const x of this.extras.values()) if (lengthOf(x) < this.n) pushNull(x);
  }

  /** The rows as a canonical declaration table (text columns dictionary-encoded), extras after the canonical columns. */
  toTable(countries: readonly string[]): DeclarationTable {
    const b = this.b;
    const d = (x: Int32Builder, values: readonly string[]) => dictionaryVector(x.view(), values);
    const cols: Record<(typeof DECLARATION_COLUMNS)[number], Vector> = {
      declaration_id: d(b.id, this.ids.values),
      date: d(b.date, this.dates.values),
      period: d(b.period, this.periods.values),
      direction: d(b.direction, this.directions.values),
      declarant: d(b.declarant, this.parties.values),
      exporter: d(b.exporter, this.parties.values),
      importer: d(b.importer, this.parties.values),
      seller: d(b.seller, this.parties.values),
      declared_code: d(b.code, this.codes.values),
      hs6: d(b.hs6, this.hs6s.values),
      description: d(b.description, this.descriptions.values),
      origin: d(b.origin, countries),
      departure: d(b.departure, countries),
      destination: d(b.destination, countries),
      transport_mode: d(b.mode, this.modes.values),
      net_mass_kg: float64Vector(b.mass.view()),
      quantity: float64Vector(b.quantity.view()),
      quantity_unit: d(b.unit, this.units.values),
      value: float64Vector(b.value.view()),
      currency: d(b.currency, this.currencies.values),
      value_usd: float64Vector(b.valueUsd.view()),
      office: d(b.office, this.offices.values),
      tax_rate_pct: float64Vector(b.taxRate.view()),
      label: int8Vector(b.label.view(), -1),
      source: d(b.source, this.sources.values),
      source_file: d(b.file, this.files.values),
      source_line: int32Vector(b.line.view()),
    };
    const ordered: Record<string, Vector> = {};
    for (const name of DECLARATION_COLUMNS) ordered[name] = cols[name];
    for (const [name, x] of this.extras) {
      ordered[name] = x.ints ? d(x.ints, x.dict.values) : x.bytes ? int8Vector(x.bytes.view(), INT8_NULL) : float64Vector(x.floats!.view());
    }
    return new Table(ordered) as unknown as DeclarationTable;
  }
}

export type { ExtraColumn };

function lengthOf(x: ExtraColumn): number {
  return (x.ints ?? x.bytes ?? x.floats)!.length;
}

function pushNull(x: ExtraColumn): void {
  if (x.ints) x.ints.push(-1);
  else if (x.bytes) x.bytes.push(INT8_NULL);
  else x.floats!.push(NaN);
}
