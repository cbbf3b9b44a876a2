import { SYNTH_COUNTRIES, synthCountry } from './countries.ts';
import { csvText } from './csv-text.ts';
import { synthProduct } from './products.ts';
import { type TradeRecord, publishesMonth } from './record-trade.ts';
import type { World } from './world.ts';

/** The header of a Comtrade Plus bulk CSV, exactly. */
export const COMTRADE_PLUS_HEADER =
  'typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,flowCode,flowDesc,' +
  'partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,classificationCode,classificationSearchCode,' +
  'isOriginalClassification,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,customsDesc,mosCode,motCode,motDesc,qtyUnitCode,' +
  'qtyUnitAbbr,qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,isNetWgtEstimated,grossWgt,' +
  'isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,legacyEstimationFlag,isReported,isAggregate';

/** A row in integer hundredths of USD and thousandths of kg, so written parts add up exactly. */
interface Row {
  t: number;
  reporter: string;
  flow: 'X' | 'M' | 'RX';
  /** Comtrade partner code: a country's, 0 (World) or 899 (Areas nes). */
  partner: number;
  partner2: number;
  hs6: string;
  mot: number;
  value: number;
  cif: number | null;
  fob: number | null;
  grams: number | null;
  kgEstimated: boolean;
  /** An annual total (`t` is the year's December). */
  annual: boolean;
}

const FLOW_DESC = { X: 'Export', M: 'Import', RX: 'Re-export' } as const;
const FLOW_ORDER = { X: 0, M: 1, RX: 2 } as const;
/** Comtrade Plus mode-of-transport codes used here (IMTS 2010: 1 air, 2 water, 9 not elsewhere classified). */
const MOT_DESC: Record<number, string> = { 0: 'TOTAL MOT', 1000: 'Air', 2000: 'Water', 9000: 'Not elsewhere classified' };
/** Records under USD 1 are not published. */
const MIN_CENTS = 100;

/**
 * Writes the records as a Comtrade Plus bulk CSV: one total per reporter × flow × partner × code × month
 * (motCode 0, customsCode C00, mosCode 0, partner2Code 0); a World row per reporter × flow (X, M) ×
 * code × month equal to its partners (899 included) plus any value hidden as confidential; some
 * mode-of-transport rows and partner2 rows that add up to their total; some flagged-estimated or missing
 * weights; some exact duplicates. Sorted by month, reporter, flow, code, partner. Returns the text and its data rows.
 */
export function writeComtradeCsv(world: World, records: readonly TradeRecord[]): { text: string; rows: number } {
  const rng = world.rng.fork('comtrade-csv');
  const { knobs, reporting } = world;
  const totals: Row[] = [];
  const worldRows = new Map<string, Row>();
  const breakdowns: Row[] = [];
  for (const r of annualize(world, records)) {
    const value = Math.round(r.value * 100);
    if (value < MIN_CENTS) continue;
    const isM = r.flow === 'M';
    let grams: number | null = Math.max(1, Math.round(r.kg * 1000));
    let kgEstimated = false;
    if (rng.chance(knobs.missingWeightShare)) grams = null;
    else if (rng.chance(knobs.estimatedWeightShare)) {
      grams = Math.max(1, Math.round(grams * rng.uniform(0.7, 1.3)));
      kgEstimated = true;
    }
    const fob = isM ? (reporting.fobImporters.has(r.reporter) ? Math.min(value, Math.round(r.fob * 100)) : null) : value;
    const row: Row = {
      t: r.t, reporter: r.reporter, flow: r.flow, partner: partnerCode(r.partner), partner2: 0, hs6: r.hs6, mot: 0,
      value, cif: isM ? value : null, fob, grams, kgEstimated, annual: r.annual === true,
    };
    if (r.flow !== 'RX') addToWorld(worldRows, row);
    if (r.partner === '_hidden') continue; // confidential: only in World
    totals.push(row);
    if (row.partner === 899 || r.flow === 'RX') continue;
    if (rng.chance(knobs.motBreakdownShare)) breakdowns.push(...modeRows(row, rng.uniform(0.7, 1.3), rng.uniform(0.7, 1.3)));
    if (isM && reporting.partner2Reporters.has(r.reporter)) breakdowns.push(...consignmentRows(row, r));
  }
  const all = [...totals, ...worldRows.values()];
  const dups = all.filter(() => rng.chance(knobs.duplicateShare));
  const rows = [...all, ...dups, ...breakdowns].sort(compareRows);
  const lines = [COMTRADE_PLUS_HEADER];
  for (const row of rows) lines.push(formatRow(world, row));
  return { text: `${lines.join('\n')}\n`, rows: rows.length };
}

/**
 * An annual reporter's records summed per calendar year (value, FOB, weight and consigned parts), for the
 * years it published whole inside the panel; the other reporters' records pass unchanged. Keeps the order of
 * first appearance.
 */
function annualize(world: World, records: readonly TradeRecord[]): readonly TradeRecord[] {
  const { annual } = world.reporting;
  if (!annual.size) return records;
  const { axis } = world;
  const whole = new Map<string, boolean>();
  const wholeYear = (c: string, year: string) => {
    const key = `${c}|${year}`;
    let ok = whole.get(key);
    if (ok === undefined) {
      const jan = axis.index(`${year}-01`);
      ok = true;
      for (let t = jan; t < jan + 12; t++) ok &&= publishesMonth(world, c, t);
      whole.set(key, ok);
    }
    return ok;
  };
  const out: TradeRecord[] = [];
  const byKey = new Map<string, TradeRecord>();
  for (const r of records) {
    if (!annual.has(r.reporter)) {
      out.push(r);
      continue;
    }
    const year = axis.period(r.t).slice(0, 4);
    if (!wholeYear(r.reporter, year)) continue;
    const key = `${r.reporter}|${r.flow}|${r.partner}|${r.hs6}|${year}`;
    let acc = byKey.get(key);
    if (!acc) {
      acc = { ...r, t: axis.index(`${year}-12`), value: 0, fob: 0, kg: 0, consigned: null, annual: true };
      byKey.set(key, acc);
      out.push(acc);
    }
    acc.value += r.value;
    acc.fob += r.fob;
    acc.kg += r.kg;
    for (const [hub, v] of r.consigned ?? []) {
      acc.consigned ??= new Map();
      acc.consigned.set(hub, (acc.consigned.get(hub) ?? 0) + v);
    }
  }
  return out;
}

function partnerCode(partner: string): number {
  if (partner === '_899') return 899;
  if (partner === '_hidden') return -1;
  return synthCountry(partner).code;
}

function addToWorld(worldRows: Map<string, Row>, row: Row): void {
  const key = `${row.reporter}|${row.flow}|${row.hs6}|${row.t}`;
  let w = worldRows.get(key);
  if (!w) {
    w = { ...row, partner: 0, value: 0, cif: row.cif === null ? null : 0, fob: row.fob === null ? null : 0, grams: null, kgEstimated: false };
    worldRows.set(key, w);
  }
  w.value += row.value;
  if (w.cif !== null) w.cif += row.cif ?? 0;
  if (w.fob !== null) w.fob += row.fob ?? 0;
  if (row.grams !== null) w.grams = (w.grams ?? 0) + row.grams;
  w.kgEstimated ||= row.kgEstimated;
}

/** Air, water and other rows whose values and weights add up to the total exactly. */
function modeRows(total: Row, airNoise: number, waterNoise: number): Row[] {
  const p = synthProduct(total.hs6);
  let air = p.airShare * airNoise;
  let water = p.waterShare * waterNoise;
  const scale = Math.max(1, air + water + 0.02);
  air /= scale;
  water /= scale;
  return splitRow(total, [air, water], (row, i) => ({ ...row, mot: [1000, 2000, 9000][i] }));
}

/** Partner2 rows of an import total: the part consigned from each route hub, the rest from the partner itself. */
function consignmentRows(total: Row, rec: TradeRecord): Row[] {
  const hubs = [...(rec.consigned ?? new Map<string, number>()).entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const shares = hubs.map(([, v]) => Math.min(1, v / rec.value));
  const codes = [...hubs.map(([h]) => synthCountry(h).code), total.partner];
  return splitRow(total, shares, (row, i) => ({ ...row, partner2: codes[i] }));
}

/** Splits a row by shares (the last part takes the remainder), keeping parts that carry a value or a weight. */
function splitRow(total: Row, shares: number[], label: (row: Row, i: number) => Row): Row[] {
  const parts: Row[] = [];
  const left = { value: total.value, cif: total.cif, fob: total.fob, grams: total.grams };
  for (let i = 0; i <= shares.length; i++) {
    const last = i === shares.length;
    const part = (whole: number | null, rest: number | null) =>
      whole === null || rest === null ? null : last ? rest : Math.min(rest, Math.floor(whole * shares[i]));
    const row: Row = {
      ...total, value: part(total.value, left.value)!, cif: part(total.cif, left.cif), fob: part(total.fob, left.fob),
      grams: part(total.grams, left.grams),
    };
    left.value -= row.value;
    if (left.cif !== null) left.cif -= row.cif!;
    if (left.fob !== null) left.fob -= row.fob!;
    if (left.grams !== null) left.grams -= row.grams!;
    if (row.value > 0 || (row.grams ?? 0) > 0) parts.push(label(row, i));
  }
  return parts;
}

function compareRows(a: Row, b: Row): number {
  return (
    a.t - b.t ||
    synthCountry(a.reporter).code - synthCountry(b.reporter).code ||
    FLOW_ORDER[a.flow] - FLOW_ORDER[b.flow] ||
    (a.hs6 < b.hs6 ? -1 : a.hs6 > b.hs6 ? 1 : 0) ||
    a.partner - b.partner ||
    a.partner2 - b.partner2 ||
    a.mot - b.mot
  );
}

function area(code: number): { code: string; iso: string; name: string } {
  if (code === 0) return { code: '0', iso: 'W00', name: 'World' };
  if (code === 899) return { code: '899', iso: '_X', name: 'Areas, nes' };
  const c = COUNTRY_BY_CODE.get(code)!;
  return { code: String(code), iso: c.comtradeIso, name: c.name };
}

const COUNTRY_BY_CODE = new Map(SYNTH_COUNTRIES.map((c) => [c.code, c]));

function formatRow(world: World, r: Row): string {
  const period = r.annual ? world.axis.period(r.t).slice(0, 4) : world.axis.compact(r.t);
  const rep = synthCountry(r.reporter);
  const partner = area(r.partner);
  const partner2 = area(r.partner2);
  const kg = r.grams === null ? '' : csvText.milli(r.grams);
  const est = r.kgEstimated ? 'True' : 'False';
  return csvText.line([
    'C', r.annual ? 'A' : 'M', r.annual ? `${period}0101` : `${period}01`, period.slice(0, 4), r.annual ? '52' : String(Number(period.slice(4))), period,
    String(rep.code), rep.comtradeIso, rep.name, r.flow, FLOW_DESC[r.flow],
    partner.code, partner.iso, partner.name, partner2.code, partner2.iso, partner2.name,
    'H6', 'HS', 'True', r.hs6, synthProduct(r.hs6).cmdDesc, '6', 'True', 'C00', 'TOTAL CPC', '0',
    String(r.mot), MOT_DESC[r.mot], r.grams === null ? '-1' : '8', r.grams === null ? 'N/A' : 'kg', kg, est,
    '-1', 'N/A', '', 'False', kg, est, '', 'False',
    r.cif === null ? '' : csvText.cents(r.cif), r.fob === null ? '' : csvText.cents(r.fob), csvText.cents(r.value),
    '0', 'True', 'False',
  ]);
}
