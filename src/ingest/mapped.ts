import { basename } from 'node:path';
import type { CsvRecord } from '../io/csv-scanner.ts';
import { InputError } from '../base/errors.ts';
import { isCalendarDay, TRADE_FLOWS, type CodeList, type CountryCodeSystem, type IngestContext } from './context.ts';
import { ROW_KIND } from './flow-rows.ts';
import { HeaderIndex, type CsvLayout } from './layout.ts';
import type { FieldSpec, Mapping } from './params.ts';

/** Where one field comes from in one file, after the mapping met the header and the file name. */
type Bound = { kind: 'column'; index: number; spec: FieldSpec } | { kind: 'fixed'; text: string; spec: FieldSpec } | { kind: 'none' };

/** Fields every mapping must give a value for. */
export const REQUIRED_FIELDS = ['period', 'reporter', 'partner', 'flow', 'cmd_code', 'value_usd'] as const;

/**
 * A CSV layout described by a named mapping in config (`--format mapped:<name>`): each canonical field
 * from a column, a constant or the file name, with unit multipliers and value translations. Sources of
 * this kind have no breakdown columns, so totals are established later from the rows of each key.
 */
export function mappedLayout(name: string, mapping: Mapping): CsvLayout {
  const layoutName = `mapped:${name}`;
  return {
    name: layoutName,
    matches: () => false, // only by --format: a mapping describes columns, not a recognisable header
    bind(header, ctx) {
      const h = new HeaderIndex(header, ctx.fileName, `'${layoutName}'`);
      const fileBase = basename(ctx.fileName);
      const bind = (field: string, spec: FieldSpec | undefined): Bound => {
        if (!spec) return { kind: 'none' };
        if (spec.column !== undefined && h.has(spec.column)) return { kind: 'column', index: h.find(spec.column), spec };
        if (spec.const !== undefined) return { kind: 'fixed', text: String(spec.const), spec };
        if (spec.fromFileName !== undefined) {
          const m = new RegExp(spec.fromFileName).exec(fileBase);
          if (m && m[1] !== undefined) return { kind: 'fixed', text: m[1], spec };
        }
        if (spec.column !== undefined && !REQUIRED_FIELDS.includes(field as (typeof REQUIRED_FIELDS)[number])) return { kind: 'none' };
        const tried = [
          spec.column !== undefined ? `column '${spec.column}' is not in the header` : null,
          spec.fromFileName !== undefined ? `the file name does not match /${spec.fromFileName}/` : null,
        ].filter(Boolean);
        throw new InputError(`${ctx.fileName}: mapping '${name}' gives no value for '${field}': ${tried.join(' and ') || 'no source set'}`);
      };
      const f = mapping.fields;
      const b = {
        period: bind('period', f.period),
        reporter: bind('reporter', f.reporter),
        partner: bind('partner', f.partner),
        partner2: bind('partner2', f.partner2),
        flow: bind('flow', f.flow),
        cmd: bind('cmd_code', f.cmd_code),
        value: bind('value_usd', f.value_usd),
        cif: bind('cif_usd', f.cif_usd),
        fob: bind('fob_usd', f.fob_usd),
        kg: bind('net_weight_kg', f.net_weight_kg),
        qty: bind('qty', f.qty),
        unit: bind('qty_unit', f.qty_unit),
        kgEst: bind('net_weight_estimated', f.net_weight_estimated),
        qtyEst: bind('qty_estimated', f.qty_estimated),
      };
      const rows = ctx.rows;
      const s = rows.scratch;
      const system = mapping.countryCodes;
      const source = rows.sources.code(layoutName);
      const revision = rows.revisions.code(mapping.hsRevision);
      // a source that spans a change of revision (China's own series moved to HS2022 in 2022): by period, cached per period code
      const month = (p: string) => (p.length === 4 ? `${p}-01` : p); // a year is compared as its January
      const switches = Object.entries(mapping.hsRevisionFrom ?? {}).map(([rev, from]) => ({ code: rows.revisions.code(rev), from: month(from) })).sort((a, c) => (a.from < c.from ? -1 : 1));
      const revisionByPeriod = new Map<number, number>();
      const revisionOf = (period: number): number => {
        if (!switches.length) return revision;
        let r = revisionByPeriod.get(period);
        if (r === undefined) {
          const text = month(rows.periods.values[period]);
          r = revision;
          for (const sw of switches) if (text >= sw.from) r = sw.code;
          revisionByPeriod.set(period, r);
        }
        return r;
      };
      const fixed = resolveFixed(b, ctx, name, system);
      // flows after the mapping's translation, any case; an unknown one is rejected
      const flows: CodeList = { known: TRADE_FLOWS, values: b.flow.kind === 'column' ? b.flow.spec.values : undefined };
      const nFields = header.length;
      const colName = (x: Bound) => (x.kind === 'column' ? header[x.index] : '');

      const amount = (rec: CsvRecord, x: Bound, fixedValue: number): number | null => {
        if (x.kind !== 'column') return fixedValue;
        return ctx.amount(rec, x.index, colName(x), x.spec.multiplier ?? 1);
      };

      return (rec: CsvRecord) => {
        ctx.count('rows_read');
        if (rec.count < nFields) return ctx.reject(rec.line, header[rec.count] ?? '', '', 'missing_fields');
        let cmd = fixed.cmd;
        if (b.cmd.kind === 'column') {
          cmd = ctx.cmdCode(rec, b.cmd.index);
          if (cmd < 0) return ctx.reject(rec.line, colName(b.cmd), rec.text(b.cmd.index), 'invalid_code');
        }
        if (!ctx.isSelected(cmd)) return ctx.count('filtered_hs');
        rows.clear();
        s.cmd = cmd;
        s.cmdLevel = rows.cmds.values[cmd].length;
        if (b.period.kind === 'column') {
          s.period = ctx.periodCode(rec, b.period.index);
          if (s.period < 0) return ctx.reject(rec.line, colName(b.period), rec.text(b.period.index), 'invalid_period');
        } else {
          s.period = fixed.period;
          s.freq = fixed.freq;
        }
        if (b.reporter.kind === 'column') {
          const id = ctx.reporterId(rec, b.reporter.index, system, colName(b.reporter));
          if (id === null) return;
          s.reporter = id;
        } else s.reporter = fixed.reporter;
        if (b.partner.kind === 'column') {
          const id = ctx.countryId(rec, b.partner.index, system, colName(b.partner));
          if (id === null) return;
          s.partner = id;
        } else s.partner = fixed.partner;
        if (b.partner2.kind === 'column' && !rec.isEmpty(b.partner2.index)) {
          const id = ctx.countryId(rec, b.partner2.index, system, colName(b.partner2));
          if (id === null) return;
          s.partner2 = id;
          s.rowKind = ROW_KIND.consignmentUnknown;
        }
        if (b.flow.kind === 'column') {
          s.flow = ctx.listedCode(rec, b.flow.index, rows.flows, flows);
          if (s.flow === -1) return ctx.reject(rec.line, colName(b.flow), '', 'missing_value');
          if (s.flow < 0) return ctx.reject(rec.line, colName(b.flow), rec.text(b.flow.index).trim(), 'unknown_flow');
        } else s.flow = fixed.flow;
        s.revision = revisionOf(s.period);
        const value = amount(rec, b.value, fixed.value);
        if (value === null) return;
        s.value = value;
        const cif = amount(rec, b.cif, fixed.cif);
        const fob = amount(rec, b.fob, fixed.fob);
        const kg = amount(rec, b.kg, fixed.kg);
        const qty = amount(rec, b.qty, fixed.qty);
        if (cif === null || fob === null || kg === null || qty === null) return;
        s.cif = cif;
        s.fob = fob;
        s.kg = kg;
        s.qty = qty;
        if (b.unit.kind === 'column') s.qtyUnit = ctx.shortCode(rec, b.unit.index, rows.qtyUnits, b.unit.spec.values);
        else s.qtyUnit = fixed.unit;
        if (s.qty !== s.qty) s.qtyUnit = -1; // a unit without a quantity says nothing
        const kgEst = b.kgEst.kind === 'column' ? ctx.flag(rec, b.kgEst.index, colName(b.kgEst)) : fixed.kgEst;
        const qtyEst = b.qtyEst.kind === 'column' ? ctx.flag(rec, b.qtyEst.index, colName(b.qtyEst)) : fixed.qtyEst;
        if (kgEst === null || qtyEst === null) return;
        s.kgEstimated = kgEst;
        s.qtyEstimated = qtyEst;
        ctx.commitRow(source, rec.line);
      };
    },
  };
}

type BoundFields = Record<
  'period' | 'reporter' | 'partner' | 'partner2' | 'flow' | 'cmd' | 'value' | 'cif' | 'fob' | 'kg' | 'qty' | 'unit' | 'kgEst' | 'qtyEst',
  Bound
>;

/** Decodes the fields that are constant for the whole file once; a bad constant is a mapping error. */
function resolveFixed(b: BoundFields, ctx: IngestContext, name: string, system: CountryCodeSystem) {
  const rows = ctx.rows;
  const fail = (field: string, text: string, why: string): never => {
    throw new InputError(`${ctx.fileName}: mapping '${name}': '${text}' for '${field}' ${why}`);
  };
  const text = (x: Bound) => (x.kind === 'fixed' ? (x.spec.values?.[x.text] ?? x.text) : null);
  const multiplier = (x: Bound) => (x.kind === 'none' ? 1 : (x.spec.multiplier ?? 1));
  const num = (field: string, x: Bound): number => {
    const t = text(x);
    if (t === null) return NaN;
    const v = Number(t);
    if (!Number.isFinite(v) || v < 0) fail(field, t, 'is not a non-negative number');
    return v * multiplier(x);
  };
  const country = (field: string, x: Bound): number => {
    const t = text(x);
    if (t === null) return -1;
    const id =
      system === 'name' ? ctx.nameId(t)
      : /^\d+$/.test(t) ? (system === 'baci' ? ctx.resolver.baci(Number(t)) : ctx.resolver.comtrade(Number(t)))
      : ctx.resolver.fromIso3(t.toUpperCase());
    if (id < 0) fail(field, t, 'is not a known country code');
    return id;
  };
  let period = -1;
  let freq = -1;
  const pt = text(b.period);
  if (pt !== null) {
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(pt);
    if (day && !isCalendarDay(Number(day[1]), Number(day[2]), Number(day[3]))) fail('period', pt, 'is not a calendar date');
    const digits = (day ? pt.slice(0, 7) : pt).replace('-', '');
    if (!/^\d{4}(\d{2})?$/.test(digits)) fail('period', pt, 'is not a period (YYYY, YYYYMM or YYYY-MM)');
    period = ctx.periodFromNumber(Number(digits), digits.length);
    if (period < 0) fail('period', pt, 'is not a valid period');
    freq = rows.scratch.freq;
  }
  const cmdText = text(b.cmd);
  let cmd = -1;
  if (cmdText !== null) {
    if (!/^\d{2,10}$/.test(cmdText)) fail('cmd_code', cmdText, 'is not a product code of 2–10 digits');
    cmd = rows.cmds.code(cmdText);
  }
  const flag = (x: Bound) => {
    const t = text(x)?.toLowerCase();
    return t === undefined ? -1 : t === 'true' || t === '1' ? 1 : 0;
  };
  const flowText = text(b.flow);
  const unitText = text(b.unit);
  return {
    period,
    freq,
    cmd,
    reporter: country('reporter', b.reporter),
    partner: country('partner', b.partner),
    flow: flowText === null ? -1 : rows.flows.code(TRADE_FLOWS[flowText.trim().toUpperCase()] ?? fail('flow', flowText, `is not a known flow (${Object.keys(TRADE_FLOWS).join(', ')})`)),
    value: num('value_usd', b.value),
    cif: num('cif_usd', b.cif),
    fob: num('fob_usd', b.fob),
    kg: num('net_weight_kg', b.kg),
    qty: num('qty', b.qty),
    unit: unitText ? rows.qtyUnits.code(unitText) : -1,
    kgEst: flag(b.kgEst),
    qtyEst: flag(b.qtyEst),
  };
}
