import { Table } from 'apache-arrow';
import { dictionaryVector, float64Vector, int32Vector } from '../../table/columns.ts';
import { groupRows } from '../../table/group.ts';
import { readCodes, readFloats } from '../../table/read.ts';

/**
 * Per reporter × flow × period: how many rows, partners and products it published and their value (the coarsest
 * code of each partner summed: a chapter row and its heading and subheading rows are counted once, `rows_nested`
 * says how many rows were inside a coarser one).
 * The evidence for "this reporter published this period" that later stages use. Pure; sorted by
 * reporter, flow, period.
 */
export function summarizeCoverage(flows: Table): Table {
  const who = 'summarizeCoverage';
  const reporter = readCodes(flows, 'reporter', who);
  const flow = readCodes(flows, 'flow', who);
  const period = readCodes(flows, 'period', who);
  const partner = readCodes(flows, 'partner', who);
  const cmd = readCodes(flows, 'cmd_code', who);
  const value = readFloats(flows, 'value_usd', who);
  const n = flows.numRows;
  const g = groupRows([reporter.codes, flow.codes, period.codes], n);
  const rows = new Int32Array(g.groups);
  const total = new Float64Array(g.groups);
  const partners = new Int32Array(g.groups);
  const products = new Int32Array(g.groups);
  // a chapter, its heading and its subheading of one partner are the same goods: only the coarsest code is summed
  const nested = nestedRows(cmd, [reporter.codes, flow.codes, period.codes, partner.codes], n);
  const nestedRowsOf = new Int32Array(g.groups);
  for (let i = 0; i < n; i++) {
    rows[g.groupOf[i]]++;
    if (nested[i]) nestedRowsOf[g.groupOf[i]]++;
    else if (value[i] === value[i]) total[g.groupOf[i]] += value[i];
  }
  // distinct partners and products per group: group the (group, partner) and (group, product) pairs
  const distinctPer = (col: Int32Array, out: Int32Array) => {
    const pairs = groupRows([g.groupOf, col], n);
    for (let k = 0; k < pairs.groups; k++) out[g.groupOf[pairs.firstRow[k]]]++;
  };
  distinctPer(partner.codes, partners);
  distinctPer(cmd.codes, products);
  const order = Array.from({ length: g.groups }, (_, k) => k);
  const key = (k: number) => g.firstRow[k];
  order.sort((a, b) => {
    const ra = key(a);
    const rb = key(b);
    return (
      cmpText(reporter.values[reporter.codes[ra]], reporter.values[reporter.codes[rb]]) ||
      cmpText(flow.values[flow.codes[ra]], flow.values[flow.codes[rb]]) ||
      cmpText(period.values[period.codes[ra]], period.values[period.codes[rb]])
    );
  });
  const pick = (src: Int32Array) => Int32Array.from(order, (k) => src[g.firstRow[k]]);
  return new Table({
    reporter: dictionaryVector(pick(reporter.codes), reporter.values),
    flow: dictionaryVector(pick(flow.codes), flow.values),
    period: dictionaryVector(pick(period.codes), period.values),
    rows: int32Vector(Int32Array.from(order, (k) => rows[k])),
    partners: int32Vector(Int32Array.from(order, (k) => partners[k])),
    products: int32Vector(Int32Array.from(order, (k) => products[k])),
    value_usd: float64Vector(Float64Array.from(order, (k) => total[k])),
    rows_nested: int32Vector(Int32Array.from(order, (k) => nestedRowsOf[k])),
  });
}

/**
 * 1 for a row whose product code has a coarser code (a prefix: 81 or 8110 above 811010) among the rows of the same
 * key (reporter × flow × period × partner): its value is inside that row's. All 0 when no code is a prefix of another.
 */
function nestedRows(cmd: { codes: Int32Array; values: string[] }, key: Int32Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  const index = new Map(cmd.values.map((v, c) => [v, c]));
  // each code's coarser codes present in the data
  const prefixes = cmd.values.map((v) => {
    const found: number[] = [];
    for (let len = 2; len < v.length; len++) {
      const c = index.get(v.slice(0, len));
      if (c !== undefined) found.push(c);
    }
    return found;
  });
  if (!prefixes.some((p) => p.length)) return out;
  const g = groupRows(key, n);
  const m = cmd.values.length;
  const present = new Set<number>();
  for (let i = 0; i < n; i++) if (cmd.codes[i] >= 0) present.add(g.groupOf[i] * m + cmd.codes[i]);
  for (let i = 0; i < n; i++) {
    const c = cmd.codes[i];
    if (c < 0) continue;
    for (const p of prefixes[c]) if (present.has(g.groupOf[i] * m + p)) out[i] = 1;
  }
  return out;
}

function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
