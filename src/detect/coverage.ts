import { Table } from 'apache-arrow';
import { dictionaryVector, float64Vector, int32Vector } from '../table/columns.ts';
import { groupRows } from '../table/group.ts';
import { readCodes, readFloats } from '../table/read.ts';

/**
 * Per reporter × flow × period: how many rows, partners and products it published and their value.
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
  for (let i = 0; i < n; i++) {
    rows[g.groupOf[i]]++;
    if (value[i] === value[i]) total[g.groupOf[i]] += value[i];
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
  });
}

function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
