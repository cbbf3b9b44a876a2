import { DataType, type Table } from 'apache-arrow';
import { InputError } from '../base/errors.ts';
import { DECLARATION_COLUMNS } from '../schema.ts';
import { readCodes, readFloats } from '../table/read.ts';
import { FIELDS, INVALID, REQUIRED_DECLARATION_FIELDS, type DeclarationContext, type FieldAccess } from './declaration-context.ts';
import type { ExtraType } from './declaration-rows.ts';

const CANONICAL = new Set<string>(DECLARATION_COLUMNS);

/**
 * Appends a table in the canonical declaration schema (tradewatch's own Parquet, or another tool's written to
 * the same columns): every row is checked as a CSV row would be, `period`, `hs6` and `value_usd` are derived
 * again (at this run's rates), and provenance columns are kept when present. Columns outside the canonical
 * schema come along as extras (text, Int8 or Float64 by their Arrow type; others are left out and counted).
 * Columnar: each distinct text value is decoded once.
 */
export function appendDeclarationTable(table: Table, ctx: DeclarationContext, source = 'canonical'): void {
  const missing = REQUIRED_DECLARATION_FIELDS.filter((c) => !table.getChild(c));
  if (missing.length) {
    throw new InputError(
      `${ctx.fileName}: missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} for the canonical declaration layout`,
    );
  }
  const slots = ctx.newSlots();
  for (const field of table.schema.fields) {
    if (CANONICAL.has(field.name)) continue;
    const type: ExtraType | null =
      DataType.isDictionary(field.type) || DataType.isUtf8(field.type) ? 'text'
      : DataType.isInt(field.type) && field.type.bitWidth === 8 ? 'int8'
      : DataType.isFloat(field.type) || DataType.isInt(field.type) ? 'float64'
      : null;
    if (!type) {
      ctx.count('parquet_columns_ignored');
      continue;
    }
    const extra = ctx.rows.extra(field.name, type, ctx.fileName);
    slots.push({ name: field.name, column: field.name, bound: false, raw: extra.dict, extra, extraType: type });
  }
  const n = slots.length;
  const codes: (Int32Array | null)[] = new Array<Int32Array | null>(n).fill(null);
  const texts: string[][] = new Array<string[]>(n).fill([]);
  const nums: (Float64Array | null)[] = new Array<Float64Array | null>(n).fill(null);
  ctx.beginInput(ctx.fileName, source, 'iso3', slots);
  for (let k = 0; k < n; k++) {
    const slot = slots[k];
    const name = slot.name;
    const field = table.schema.fields.find((f) => f.name === name);
    if (!field) continue;
    slot.bound = true;
    slot.column = name;
    const numeric = DataType.isFloat(field.type) || DataType.isInt(field.type);
    if (numeric) {
      nums[k] = readFloats(table, name, ctx.fileName);
      if (k >= FIELDS.length || !isTextField(name)) continue;
    }
    // text: each distinct value is interned once into the slot's dictionary
    const col = readCodes(table, name, ctx.fileName);
    const remap = Int32Array.from(col.values, (v) => (v.trim() === '' ? -1 : slot.raw.codeOf(v.trim())));
    const c = new Int32Array(col.codes.length);
    for (let i = 0; i < c.length; i++) c[i] = col.codes[i] < 0 ? -1 : remap[col.codes[i]];
    codes[k] = c;
    texts[k] = col.values;
    if (!numeric && !isTextField(name) && k < FIELDS.length) nums[k] = parseTexts(col.codes, col.values);
  }
  let row = 0;
  const access: FieldAccess = {
    code: (k) => (codes[k] ? codes[k]![row] : -1),
    num: (k) => (nums[k] ? nums[k]![row] : NaN),
    text: (k) => (codes[k] ? (slots[k].raw.values[codes[k]![row]] ?? '') : nums[k] ? String(nums[k]![row]) : ''),
  };
  const src = table.getChild('source') ? readCodes(table, 'source') : null;
  const file = table.getChild('source_file') ? readCodes(table, 'source_file') : null;
  const line = table.getChild('source_line') ? readFloats(table, 'source_line') : null;
  const srcCode = src ? src.values.map((v) => ctx.rows.sources.codeOf(v)) : [];
  const fileCode = file ? file.values.map((v) => ctx.rows.files.codeOf(v)) : [];
  for (row = 0; row < table.numRows; row++) {
    ctx.rowSource = src && src.codes[row] >= 0 ? srcCode[src.codes[row]] : -1;
    ctx.rowFile = file && file.codes[row] >= 0 ? fileCode[file.codes[row]] : -1;
    ctx.rowLine = line && line[row] === line[row] ? line[row] : -1;
    ctx.commitRow(access, row + 1);
  }
  ctx.rowSource = ctx.rowFile = ctx.rowLine = -1;
}

/** Canonical fields read as text even when stored as numbers (codes, labels, ids). */
function isTextField(name: string): boolean {
  return name !== 'net_mass_kg' && name !== 'quantity' && name !== 'value' && name !== 'tax_rate_pct';
}

/** Numbers of a text column (NaN when empty or `NA`, {@link INVALID} when not a number), parsed once per distinct value. */
function parseTexts(codes: Int32Array, values: readonly string[]): Float64Array {
  const parsed = values.map((v) => {
    const t = v.trim();
    if (t === '' || t === 'NA' || t === 'NaN' || t === 'null') return NaN;
    const x = Number(t);
    return x === x ? x : INVALID;
  });
  return Float64Array.from(codes, (c) => (c < 0 ? NaN : parsed[c]));
}
