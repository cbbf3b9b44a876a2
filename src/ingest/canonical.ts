import type { Table, Vector } from 'apache-arrow';
import { InputError } from '../base/errors.ts';
import { TRADE_FLOWS, type IngestContext } from './context.ts';
import { ROW_KIND } from './flow-rows.ts';

const REQUIRED = ['period', 'reporter', 'partner', 'flow', 'cmd_code', 'value_usd'] as const;

/**
 * Appends a table already in the canonical schema (tradewatch's own Parquet output, or another tool's
 * written to the same columns). Rows keep their provenance columns when present, else the file and row.
 * Text columns are read through small caches; this path serves re-reads, not the multi-million-row CSVs.
 */
export function appendCanonical(table: Table, ctx: IngestContext): void {
  const missing = REQUIRED.filter((c) => !table.getChild(c));
  if (missing.length) {
    throw new InputError(`${ctx.fileName}: missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} for the canonical layout`);
  }
  const rows = ctx.rows;
  const s = rows.scratch;
  const col = (name: string): Vector | null => table.getChild(name);
  const text = (v: Vector | null, i: number): string | null => {
    if (!v) return null;
    const x = v.get(i);
    return x === null || x === undefined ? null : String(x);
  };
  const num = (v: Vector | null, i: number): number => {
    if (!v) return NaN;
    const x = v.get(i);
    return x === null || x === undefined ? NaN : Number(x);
  };
  const bool = (v: Vector | null, i: number): number => {
    if (!v) return -1;
    const x = v.get(i);
    return x === null || x === undefined ? -1 : x ? 1 : 0;
  };
  const c = {
    period: col('period'), reporter: col('reporter'), partner: col('partner'), partner2: col('partner2'),
    flow: col('flow'), cmd: col('cmd_code'), rev: col('hs_revision'), value: col('value_usd'), cif: col('cif_usd'),
    fob: col('fob_usd'), kg: col('net_weight_kg'), qty: col('qty'), unit: col('qty_unit'),
    kgEst: col('net_weight_estimated'), qtyEst: col('qty_estimated'), source: col('source'),
    file: col('source_file'), line: col('source_line'),
  };
  const countries = new Map<string, number>();
  const country = (code: string): number => {
    let id = countries.get(code);
    if (id === undefined) {
      if (code === 'WLD') id = ctx.resolver.comtrade(0);
      else if (/^_\d+$/.test(code)) id = ctx.resolver.comtrade(Number(code.slice(1)));
      else id = ctx.resolver.fromIso3(code);
      countries.set(code, id);
    }
    return id;
  };
  const canonicalSource = rows.sources.code('canonical');
  for (let i = 0; i < table.numRows; i++) {
    const line = i + 1;
    ctx.count('rows_read');
    const cmdText = text(c.cmd, i);
    if (!cmdText || !/^\d{2,10}$/.test(cmdText)) {
      ctx.reject(line, 'cmd_code', cmdText ?? '', 'invalid_code');
      continue;
    }
    const cmd = rows.cmds.code(cmdText);
    if (!ctx.isSelected(cmd)) {
      ctx.count('filtered_hs');
      continue;
    }
    rows.clear();
    s.cmd = cmd;
    s.cmdLevel = cmdText.length;
    const p = text(c.period, i) ?? '';
    const digits = p.replace('-', '');
    s.period = /^\d{4}(\d{2})?$/.test(digits) ? ctx.periodFromNumber(Number(digits), digits.length) : -1;
    if (s.period < 0) {
      ctx.reject(line, 'period', p, 'invalid_period');
      continue;
    }
    const rep = text(c.reporter, i) ?? '';
    const par = text(c.partner, i) ?? '';
    s.reporter = country(rep);
    s.partner = country(par);
    if (s.reporter < 0 || s.partner < 0) {
      ctx.reject(line, s.reporter < 0 ? 'reporter' : 'partner', s.reporter < 0 ? rep : par, 'unknown_country');
      continue;
    }
    if (ctx.resolver.kind[s.reporter] !== 'country') {
      ctx.reject(line, 'reporter', rep, ctx.resolver.kind[s.reporter] === 'aggregate' ? 'aggregate_reporter' : 'non_country_reporter');
      continue;
    }
    const p2 = text(c.partner2, i);
    if (p2) {
      s.partner2 = country(p2);
      if (s.partner2 < 0) {
        ctx.reject(line, 'partner2', p2, 'unknown_country');
        continue;
      }
    }
    const flow = text(c.flow, i);
    if (!flow) {
      ctx.reject(line, 'flow', '', 'missing_value');
      continue;
    }
    const known = TRADE_FLOWS[flow.trim().toUpperCase()];
    if (known === undefined) {
      ctx.reject(line, 'flow', flow, 'unknown_flow');
      continue;
    }
    s.flow = rows.flows.code(known);
    s.revision = rows.revisions.code(text(c.rev, i) ?? 'unknown');
    s.value = num(c.value, i);
    s.cif = num(c.cif, i);
    s.fob = num(c.fob, i);
    s.kg = num(c.kg, i);
    s.qty = num(c.qty, i);
    const amounts = [['value_usd', s.value], ['cif_usd', s.cif], ['fob_usd', s.fob], ['net_weight_kg', s.kg], ['qty', s.qty]] as const;
    const infinite = amounts.find(([, v]) => v === Infinity || v === -Infinity);
    if (infinite) {
      ctx.reject(line, infinite[0], String(infinite[1]), 'invalid_number');
      continue;
    }
    const bad = amounts.find(([, v]) => v < 0);
    if (bad) {
      ctx.reject(line, bad[0], String(bad[1]), 'negative_value');
      continue;
    }
    const unit = text(c.unit, i);
    s.qtyUnit = unit ? rows.qtyUnits.code(unit) : -1;
    s.kgEstimated = bool(c.kgEst, i);
    s.qtyEstimated = bool(c.qtyEst, i);
    // a canonical table already holds totals; partner2 rows are consignment totals
    s.rowKind = s.partner2 >= 0 ? ROW_KIND.consignmentUnknown : ROW_KIND.unknown;
    const src = text(c.source, i);
    s.source = src ? rows.sources.code(src) : canonicalSource;
    const file = text(c.file, i);
    s.file = file ? rows.files.code(file) : ctx.fileCode;
    const srcLine = num(c.line, i);
    s.line = srcLine === srcLine ? srcLine : line;
    ctx.commitRow();
  }
}
