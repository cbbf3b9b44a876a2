import { COMTRADE_QTY_UNITS } from './params.ts';

/** Columns of a Comtrade Plus bulk CSV, in its order; the data API's JSON records carry the same names. */
export const COMTRADE_PLUS_COLUMNS = [
  'typeCode', 'freqCode', 'refPeriodId', 'refYear', 'refMonth', 'period', 'reporterCode', 'reporterISO', 'reporterDesc',
  'flowCode', 'flowDesc', 'partnerCode', 'partnerISO', 'partnerDesc', 'partner2Code', 'partner2ISO', 'partner2Desc',
  'classificationCode', 'classificationSearchCode', 'isOriginalClassification', 'cmdCode', 'cmdDesc', 'aggrLevel', 'isLeaf',
  'customsCode', 'customsDesc', 'mosCode', 'motCode', 'motDesc', 'qtyUnitCode', 'qtyUnitAbbr', 'qty', 'isQtyEstimated',
  'altQtyUnitCode', 'altQtyUnitAbbr', 'altQty', 'isAltQtyEstimated', 'netWgt', 'isNetWgtEstimated', 'grossWgt',
  'isGrossWgtEstimated', 'cifvalue', 'fobvalue', 'primaryValue', 'legacyEstimationFlag', 'isReported', 'isAggregate',
] as const;

const encoder = new TextEncoder();

/**
 * Writes the records of a data API answer as a Comtrade Plus CSV, header first, in chunks of
 * `rowsPerChunk` records, so the `comtrade` layout reads them exactly as it reads a bulk file
 * (record `data[i]` is line `i + 2`). null is an empty field. Answers asked without descriptions
 * carry `qtyUnitCode` but no `qtyUnitAbbr`: the abbreviation is filled in from the code; a record
 * without `mosCode` counts as the mode-of-supply total (`0`), as goods always are.
 */
export function* comtradeJsonToCsv(records: readonly Record<string, unknown>[], rowsPerChunk = 10_000): Iterable<Uint8Array> {
  let text = `${COMTRADE_PLUS_COLUMNS.join(',')}\n`;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const fields = COMTRADE_PLUS_COLUMNS.map((c) => field(r[c]));
    if (fields[MOS] === '') fields[MOS] = '0';
    if (fields[UNIT_ABBR] === '') fields[UNIT_ABBR] = COMTRADE_QTY_UNITS[fields[UNIT_CODE]] ?? '';
    text += `${fields.join(',')}\n`;
    if ((i + 1) % rowsPerChunk === 0) {
      yield encoder.encode(text);
      text = '';
    }
  }
  if (text) yield encoder.encode(text);
}

const MOS = COMTRADE_PLUS_COLUMNS.indexOf('mosCode');
const UNIT_CODE = COMTRADE_PLUS_COLUMNS.indexOf('qtyUnitCode');
const UNIT_ABBR = COMTRADE_PLUS_COLUMNS.indexOf('qtyUnitAbbr');

function field(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
