import { basename } from 'node:path';
import type { CsvRecord } from '../io/csv-scanner.ts';
import { InputError, UsageError } from '../base/errors.ts';
import { scaleExact } from './context.ts';
import { FIELDS, FIELD_COUNT, INVALID, REQUIRED_DECLARATION_FIELDS, type DeclarationContext, type FieldAccess } from './declaration-context.ts';
import { CANONICAL_DECLARATION_MAPPING, KCS_DECLARATION_MAPPING, type DeclarationIngestParams, type DeclarationMapping } from './declaration-params.ts';
import { HeaderIndex, hasColumns, headerExcerpt } from './layout.ts';
import type { FieldSpec } from './params.ts';

const NUMERIC_FIELDS: ReadonlySet<string> = new Set(['net_mass_kg', 'quantity', 'value', 'tax_rate_pct']);

/** A declaration layout: its name (the `source` column and `--format`) and the mapping that reads it. */
export interface DeclarationLayout {
  name: string;
  mapping: DeclarationMapping;
}

/** The built-in layouts, in detection order: the canonical CSV and the Korea Customs layout. */
export const BUILT_IN_DECLARATION_LAYOUTS: readonly DeclarationLayout[] = [
  { name: 'canonical', mapping: CANONICAL_DECLARATION_MAPPING },
  { name: 'kcs', mapping: KCS_DECLARATION_MAPPING },
];

/** The layout named by `--format` (`canonical`, `kcs` or `mapped:<name>`); throws {@link UsageError} listing the valid names. */
export function declarationLayoutByName(name: string, params: DeclarationIngestParams): DeclarationLayout {
  const builtIn = BUILT_IN_DECLARATION_LAYOUTS.find((l) => l.name === name);
  if (builtIn) return builtIn;
  const key = name.startsWith('mapped:') ? name.slice('mapped:'.length) : null;
  if (key !== null && params.mappings[key]) return { name, mapping: params.mappings[key] };
  const known = [...BUILT_IN_DECLARATION_LAYOUTS.map((l) => l.name), ...Object.keys(params.mappings).map((m) => `mapped:${m}`)];
  throw new UsageError(`--format ${name}: unknown declaration format (known: ${known.join(', ')})`);
}

/** The layout whose `detect` columns the header has (built-ins first); throws {@link InputError} when none does (showing the header only when it looks like one). */
export function detectDeclarationLayout(header: readonly string[], file: string, params: DeclarationIngestParams): DeclarationLayout {
  const all = [...BUILT_IN_DECLARATION_LAYOUTS, ...Object.entries(params.mappings).map(([k, mapping]) => ({ name: `mapped:${k}`, mapping }))];
  const found = all.find((l) => l.mapping.detect.length > 0 && hasColumns(header, l.mapping.detect));
  if (found) return found;
  throw new InputError(
    `${file}: unknown declaration layout (${headerExcerpt(header)}); expected the canonical columns ` +
      `(${CANONICAL_DECLARATION_MAPPING.detect.join(',')}, …), the Korea Customs layout, or a mapping in config (--format mapped:<name>)`,
  );
}

/**
 * Binds a layout to one CSV file's header and returns the record handler. A required field with no column,
 * constant or file-name match, or a bad constant, is an {@link InputError} naming the file and the field.
 */
export function bindDeclarationCsv(layout: DeclarationLayout, header: readonly string[], ctx: DeclarationContext): (rec: CsvRecord) => void {
  const { mapping } = layout;
  const h = new HeaderIndex(header, ctx.fileName, `'${layout.name}' declaration`);
  const slots = ctx.newSlots();
  for (const [name, x] of Object.entries(mapping.extras)) {
    const extra = ctx.rows.extra(name, x.type, ctx.fileName);
    slots.push({ name, column: x.column, bound: false, raw: extra.dict, extra, extraType: x.type });
  }
  const n = slots.length;
  const index = new Int32Array(n).fill(-1);
  const fixedCode = new Int32Array(n).fill(-1);
  const fixedNum = new Float64Array(n).fill(NaN);
  const fixedText: string[] = new Array<string>(n).fill('');
  const multiplier = new Float64Array(n).fill(1);
  const fileBase = basename(ctx.fileName);
  for (let k = 0; k < n; k++) {
    const slot = slots[k];
    const spec: FieldSpec | undefined = k < FIELD_COUNT ? mapping.fields[FIELDS[k]] : { column: mapping.extras[slot.name].column };
    if (!spec) continue;
    slot.values = spec.values;
    multiplier[k] = spec.multiplier ?? 1;
    if (spec.column !== undefined && h.has(spec.column)) {
      index[k] = h.find(spec.column);
      slot.column = header[index[k]];
      slot.bound = true;
      continue;
    }
    let text: string | null = spec.const !== undefined ? String(spec.const) : null;
    if (text === null && spec.fromFileName !== undefined) text = new RegExp(spec.fromFileName).exec(fileBase)?.[1] ?? null;
    if (text !== null) {
      slot.bound = true;
      fixedText[k] = text;
      continue;
    }
    if ((REQUIRED_DECLARATION_FIELDS as readonly string[]).includes(slot.name)) {
      const tried = [
        spec.column !== undefined ? `column '${spec.column}' is not in the header` : null,
        spec.fromFileName !== undefined ? `the file name does not match /${spec.fromFileName}/` : null,
      ].filter(Boolean);
      throw new InputError(`${ctx.fileName}: layout '${layout.name}' gives no value for '${slot.name}': ${tried.join(' and ') || 'no source set'}`);
    }
  }
  ctx.beginInput(ctx.fileName, layout.name, mapping.countryCodes, slots);
  // constants are interned after beginInput, which may give translated slots their own dictionary
  for (let k = 0; k < n; k++) {
    if (!slots[k].bound || index[k] >= 0) continue;
    fixedCode[k] = fixedText[k].trim() === '' ? -1 : slots[k].raw.codeOf(fixedText[k]);
    const v = fixedText[k].trim() === '' ? NaN : Number(fixedText[k]);
    fixedNum[k] = v !== v ? INVALID : v * multiplier[k];
    const numeric = k < FIELD_COUNT ? NUMERIC_FIELDS.has(FIELDS[k]) : slots[k].extraType !== 'text';
    if (numeric && fixedNum[k] === INVALID) {
      throw new InputError(`${ctx.fileName}: layout '${layout.name}': '${fixedText[k]}' for '${slots[k].name}' is not a number`);
    }
  }
  let rec: CsvRecord = null as unknown as CsvRecord;
  const access: FieldAccess = {
    code(k) {
      const i = index[k];
      if (i < 0) return fixedCode[k];
      const buf = rec.buf;
      let s = rec.start(i);
      let e = rec.end(i);
      while (s < e && buf[s] === 0x20) s++;
      while (e > s && buf[e - 1] === 0x20) e--;
      if (s === e) return -1;
      if (rec.quoted(i)) for (let p = s; p < e; p++) if (buf[p] === 0x22) return slots[k].raw.codeOf(rec.text(i).trim()); // "" escapes
      return slots[k].raw.code(buf, s, e);
    },
    num(k) {
      const i = index[k];
      if (i < 0) return fixedNum[k];
      if (rec.isEmpty(i)) return NaN;
      const v = rec.number(i);
      if (v !== v) {
        const t = rec.text(i).trim();
        return t === '' || t === 'NA' || t === 'NaN' || t === 'null' ? NaN : INVALID;
      }
      return multiplier[k] === 1 ? v : scaleExact(v, rec.text(i), multiplier[k]);
    },
    text(k) {
      return index[k] < 0 ? fixedText[k] : rec.text(index[k]);
    },
  };
  const nFields = header.length;
  return (r: CsvRecord) => {
    rec = r;
    if (r.count < nFields) {
      ctx.count('rows_read');
      return ctx.reject(r.line, header[r.count] ?? '', '', 'missing_fields');
    }
    ctx.commitRow(access, r.line);
  };
}
