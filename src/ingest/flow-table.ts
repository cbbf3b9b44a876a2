import { Table, type Vector } from 'apache-arrow';
import type { CountryResolver } from '../reference/countries.ts';
import { TOTAL_BASIS, TRADE_FLOW_COLUMNS, type AreaFlowTable, type RejectTable, type TradeFlowTable } from '../schema.ts';
import {
  StringDictionary,
  boolVector,
  dictionaryVector,
  float64Vector,
  int8Vector,
  int32Vector,
  take,
  utf8Vector,
} from '../table/columns.ts';
import type { FlowRows, RejectRows } from './flow-rows.ts';

/**
 * Materialises the selected parsed rows (in the given order) as a canonical flow table.
 * `basis` holds a `total_basis` code per parsed row. With `areaKind`, adds the `area_kind` column.
 */
export function buildFlowTable(
  rows: FlowRows,
  resolver: CountryResolver,
  basis: Int8Array,
  sel: Int32Array,
): TradeFlowTable;
export function buildFlowTable(
  rows: FlowRows,
  resolver: CountryResolver,
  basis: Int8Array,
  sel: Int32Array,
  areaKind: true,
): AreaFlowTable;
export function buildFlowTable(
  rows: FlowRows,
  resolver: CountryResolver,
  basis: Int8Array,
  sel: Int32Array,
  areaKind = false,
): TradeFlowTable | AreaFlowTable {
  const cmd = take(rows.cmd.view(), sel);
  const hs6Dict = new StringDictionary();
  const hs6OfCmd = rows.cmds.values.map((c) => (c.length >= 6 ? hs6Dict.code(c.slice(0, 6)) : -1));
  const hs6 = new Int32Array(sel.length);
  for (let i = 0; i < sel.length; i++) hs6[i] = hs6OfCmd[cmd[i]];
  const iso = resolver.iso3;
  const cols: Record<string, Vector> = {
    period: dictionaryVector(take(rows.period.view(), sel), rows.periods.values),
    freq: dictionaryVector(take(rows.freq.view(), sel), rows.freqs.values),
    reporter: dictionaryVector(take(rows.reporter.view(), sel), iso),
    partner: dictionaryVector(take(rows.partner.view(), sel), iso),
    partner2: dictionaryVector(take(rows.partner2.view(), sel), iso),
    flow: dictionaryVector(take(rows.flow.view(), sel), rows.flows.values),
    cmd_code: dictionaryVector(cmd, rows.cmds.values),
    cmd_level: int8Vector(take(rows.cmdLevel.view(), sel)),
    hs6: dictionaryVector(hs6, hs6Dict.values),
    hs_revision: dictionaryVector(take(rows.revision.view(), sel), rows.revisions.values),
    value_usd: float64Vector(take(rows.value.view(), sel)),
    cif_usd: float64Vector(take(rows.cif.view(), sel)),
    fob_usd: float64Vector(take(rows.fob.view(), sel)),
    net_weight_kg: float64Vector(take(rows.kg.view(), sel)),
    qty: float64Vector(take(rows.qty.view(), sel)),
    qty_unit: dictionaryVector(take(rows.qtyUnit.view(), sel), rows.qtyUnits.values),
    net_weight_estimated: boolVector(take(rows.kgEstimated.view(), sel)),
    qty_estimated: boolVector(take(rows.qtyEstimated.view(), sel)),
    total_basis: dictionaryVector(Int32Array.from(take(basis, sel)), TOTAL_BASIS),
    source: dictionaryVector(take(rows.source.view(), sel), rows.sources.values),
    source_file: dictionaryVector(take(rows.file.view(), sel), rows.files.values),
    source_line: int32Vector(take(rows.line.view(), sel)),
  };
  const ordered: Record<string, Vector> = {};
  for (const name of TRADE_FLOW_COLUMNS) ordered[name] = cols[name];
  if (areaKind) {
    const kinds = new StringDictionary();
    const codes = new Int32Array(sel.length);
    const p = take(rows.partner.view(), sel);
    for (let i = 0; i < sel.length; i++) codes[i] = kinds.code(resolver.kind[p[i]]);
    ordered.area_kind = dictionaryVector(codes, kinds.values);
  }
  return new Table(ordered) as unknown as TradeFlowTable | AreaFlowTable;
}

/** The rejects as a table: file, line, column, value text, reason. */
export function buildRejectTable(rejects: RejectRows): RejectTable {
  return new Table({
    source_file: dictionaryVector(rejects.file.view(), rejects.files.values),
    source_line: int32Vector(rejects.line.view()),
    column: dictionaryVector(rejects.column.view(), rejects.columns.values),
    value: utf8Vector(rejects.values),
    reason: dictionaryVector(rejects.reason.view(), rejects.reasons.values),
  }) as unknown as RejectTable;
}
