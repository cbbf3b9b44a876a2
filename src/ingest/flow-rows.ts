import { Float64Builder, Int8Builder, Int32Builder, StringDictionary } from '../table/columns.ts';

/** How a parsed row relates to the totals of its key. */
export const ROW_KIND = {
  /** The source has no breakdown columns: the total is found later (largest row of the key). */
  unknown: -1,
  /** A breakdown row (mode of transport, customs procedure, mode of supply): never summed, dropped. */
  breakdown: 0,
  /** The source marks it as the total (Comtrade Plus motCode=0, customsCode=C00, mosCode=0, partner2Code=0). */
  total: 1,
  /** A total by country of consignment (partner2 ≠ 0): goes to `consignment`. */
  consignment: 2,
  /** A consignment row from a source without breakdown columns: its own key, routed to `consignment`. */
  consignmentUnknown: 3,
} as const;

/**
 * One reused record that readers fill before {@link FlowRows.commit}; numbers use NaN for null and
 * codes use -1 for null. Never allocated per row.
 */
export interface FlowScratch {
  period: number;
  freq: number;
  reporter: number;
  partner: number;
  partner2: number;
  flow: number;
  cmd: number;
  cmdLevel: number;
  revision: number;
  value: number;
  cif: number;
  fob: number;
  kg: number;
  qty: number;
  qtyUnit: number;
  kgEstimated: number;
  qtyEstimated: number;
  rowKind: number;
  source: number;
  file: number;
  line: number;
}

/** Column-wise store of every parsed row of a run, with the dictionaries their codes point into. */
export class FlowRows {
  readonly periods = new StringDictionary();
  readonly freqs = new StringDictionary();
  readonly flows = new StringDictionary();
  readonly cmds = new StringDictionary();
  readonly revisions = new StringDictionary();
  readonly qtyUnits = new StringDictionary();
  readonly sources = new StringDictionary();
  readonly files = new StringDictionary();

  readonly period = new Int32Builder();
  readonly freq = new Int32Builder();
  readonly reporter = new Int32Builder();
  readonly partner = new Int32Builder();
  readonly partner2 = new Int32Builder();
  readonly flow = new Int32Builder();
  readonly cmd = new Int32Builder();
  readonly cmdLevel = new Int8Builder();
  readonly revision = new Int32Builder();
  readonly value = new Float64Builder();
  readonly cif = new Float64Builder();
  readonly fob = new Float64Builder();
  readonly kg = new Float64Builder();
  readonly qty = new Float64Builder();
  readonly qtyUnit = new Int32Builder();
  readonly kgEstimated = new Int8Builder();
  readonly qtyEstimated = new Int8Builder();
  readonly rowKind = new Int8Builder();
  readonly source = new Int32Builder();
  readonly file = new Int32Builder();
  readonly line = new Int32Builder();

  /** The record readers fill; reset to nulls by {@link clear}. */
  readonly scratch: FlowScratch = {
    period: -1, freq: -1, reporter: -1, partner: -1, partner2: -1, flow: -1, cmd: -1, cmdLevel: 0, revision: -1,
    value: NaN, cif: NaN, fob: NaN, kg: NaN, qty: NaN, qtyUnit: -1, kgEstimated: -1, qtyEstimated: -1,
    rowKind: ROW_KIND.unknown, source: -1, file: -1, line: 0,
  };

  get length(): number {
    return this.period.length;
  }

  /** Resets the optional fields of the scratch record to null before a reader fills it. */
  clear(): void {
    const s = this.scratch;
    s.partner2 = -1;
    s.cif = NaN;
    s.fob = NaN;
    s.kg = NaN;
    s.qty = NaN;
    s.qtyUnit = -1;
    s.kgEstimated = -1;
    s.qtyEstimated = -1;
    s.rowKind = ROW_KIND.unknown;
  }

  /** Appends the scratch record as a row. */
  commit(): void {
    const s = this.scratch;
    this.period.push(s.period);
    this.freq.push(s.freq);
    this.reporter.push(s.reporter);
    this.partner.push(s.partner);
    this.partner2.push(s.partner2);
    this.flow.push(s.flow);
    this.cmd.push(s.cmd);
    this.cmdLevel.push(s.cmdLevel);
    this.revision.push(s.revision);
    this.value.push(s.value);
    this.cif.push(s.cif);
    this.fob.push(s.fob);
    this.kg.push(s.kg);
    this.qty.push(s.qty);
    this.qtyUnit.push(s.qtyUnit);
    this.kgEstimated.push(s.kgEstimated);
    this.qtyEstimated.push(s.qtyEstimated);
    this.rowKind.push(s.rowKind);
    this.source.push(s.source);
    this.file.push(s.file);
    this.line.push(s.line);
  }
}

/** Rows refused during ingest: where each came from, which column, its text and the reason. */
export class RejectRows {
  readonly files = new StringDictionary();
  readonly columns = new StringDictionary();
  readonly reasons = new StringDictionary();
  readonly file = new Int32Builder(64);
  readonly line = new Int32Builder(64);
  readonly column = new Int32Builder(64);
  readonly reason = new Int32Builder(64);
  readonly values: string[] = [];

  get length(): number {
    return this.file.length;
  }

  /** Records one refused row. */
  add(file: string, line: number, column: string, value: string, reason: string): void {
    this.file.push(this.files.code(file));
    this.line.push(line);
    this.column.push(this.columns.code(column));
    this.values.push(value);
    this.reason.push(this.reasons.code(reason));
  }
}
