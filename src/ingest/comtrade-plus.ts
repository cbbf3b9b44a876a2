import type { CsvRecord } from '../io/csv-scanner.ts';
import { normalizeHsRevision } from '../reference/hs-correspondence.ts';
import { HS_REVISIONS, TRADE_FLOWS, type CodeList } from './context.ts';
import { ROW_KIND } from './flow-rows.ts';
import { HeaderIndex, hasColumns, type CsvLayout } from './layout.ts';

const REQUIRED = [
  'period',
  'reporterCode',
  'partnerCode',
  'partner2Code',
  'flowCode',
  'classificationCode',
  'cmdCode',
  'customsCode',
  'mosCode',
  'motCode',
  'primaryValue',
] as const;

const C00 = new Uint8Array([0x43, 0x30, 0x30]);
/** Comtrade Plus flow codes, any case (`x` is `X`). */
const FLOWS: CodeList = { known: TRADE_FLOWS };

/**
 * UN Comtrade Plus (the data API and its bulk CSV): one row per reporter × partner × partner2 × flow ×
 * product × customs procedure × mode of transport × mode of supply. Totals are the rows with
 * motCode=0, customsCode=C00, partner2Code=0 and mosCode=0; they are never inferred here.
 */
export const comtradePlusLayout: CsvLayout = {
  name: 'comtrade',
  required: { columns: REQUIRED, title: 'Comtrade Plus' },
  matches: (header) => hasColumns(header, ['reporterCode', 'partnerCode', 'cmdCode', 'flowCode', 'primaryValue']),
  bind(header, ctx) {
    const h = new HeaderIndex(header, ctx.fileName, 'Comtrade Plus');
    const c = h.require(REQUIRED);
    const iKg = h.find('netWgt');
    const iKgEst = h.find('isNetWgtEstimated');
    const iQty = h.find('qty');
    const iQtyEst = h.find('isQtyEstimated');
    const iUnit = h.find('qtyUnitAbbr');
    const iCif = h.find('cifvalue');
    const iFob = h.find('fobvalue');
    const iLevel = h.find('aggrLevel');
    const rows = ctx.rows;
    const s = rows.scratch;
    const source = rows.sources.code('comtrade');
    const revisionByText = new Map<string, number>();
    const nFields = header.length;

    // a row of a six-digit product outside the selection is dropped after its product code (and level), unsplit
    // beyond them: counted as read and filtered, as the whole row would be (a short row of such a product is
    // counted as filtered, not as missing fields)
    const six = (rec: CsvRecord) => {
      if (iLevel >= 0) {
        const level = rec.int(iLevel);
        if (level === level && level !== 6) return false;
      }
      const cmd = ctx.cmdCode(rec, c.cmdCode);
      if (cmd < 0 || rows.cmds.values[cmd].length !== 6 || ctx.isSelected(cmd)) return false;
      ctx.count('rows_read');
      ctx.count('filtered_hs');
      return true;
    };
    // without a selection no row is dropped: no prefix test, so the code is not read twice
    const prefix = { fields: ctx.selective ? Math.max(c.cmdCode, iLevel) + 1 : 0, skip: six };
    return Object.assign((rec: CsvRecord) => {
      ctx.count('rows_read');
      if (rec.count < nFields) {
        ctx.reject(rec.line, header[rec.count] ?? '', '', 'missing_fields');
        return;
      }
      const cmd = ctx.levelledCmdCode(rec, c.cmdCode, iLevel, 'cmdCode');
      if (cmd === -2) return;
      if (cmd < 0) return ctx.reject(rec.line, 'cmdCode', rec.text(c.cmdCode), 'invalid_code');
      if (!ctx.isSelected(cmd)) return ctx.count('filtered_hs');
      rows.clear();
      s.cmd = cmd;
      s.cmdLevel = rows.cmds.values[cmd].length;
      s.period = ctx.periodCode(rec, c.period);
      if (s.period < 0) return ctx.reject(rec.line, 'period', rec.text(c.period), 'invalid_period');
      const reporter = ctx.reporterId(rec, c.reporterCode, 'comtrade', 'reporterCode');
      if (reporter === null) return;
      const partner = ctx.countryId(rec, c.partnerCode, 'comtrade', 'partnerCode');
      if (partner === null) return;
      s.reporter = reporter;
      s.partner = partner;
      const p2code = rec.int(c.partner2Code);
      if (p2code !== p2code) return ctx.reject(rec.line, 'partner2Code', rec.text(c.partner2Code), 'unknown_country');
      if (p2code !== 0) {
        const p2 = ctx.countryId(rec, c.partner2Code, 'comtrade', 'partner2Code');
        if (p2 === null) return;
        s.partner2 = p2;
      }
      s.flow = ctx.listedCode(rec, c.flowCode, rows.flows, FLOWS);
      if (s.flow === -1) return ctx.reject(rec.line, 'flowCode', '', 'missing_value');
      if (s.flow < 0) return ctx.reject(rec.line, 'flowCode', rec.text(c.flowCode).trim(), 'unknown_flow');
      const revText = rec.text(c.classificationCode).trim();
      let rev = revisionByText.get(revText);
      if (rev === undefined) {
        const name = normalizeHsRevision(revText);
        rev = HS_REVISIONS.has(name) ? rows.revisions.code(name) : -1;
        revisionByText.set(revText, rev);
      }
      if (rev < 0) return ctx.reject(rec.line, 'classificationCode', revText, revText === '' ? 'missing_value' : 'unknown_classification');
      s.revision = rev;
      const isTotalLine = rec.int(c.motCode) === 0 && rec.int(c.mosCode) === 0 && rec.equals(c.customsCode, C00);
      s.rowKind = !isTotalLine ? ROW_KIND.breakdown : p2code === 0 ? ROW_KIND.total : ROW_KIND.consignment;

      const value = ctx.amount(rec, c.primaryValue, 'primaryValue');
      if (value === null) return;
      s.value = value;
      if (iCif >= 0) {
        const v = ctx.amount(rec, iCif, 'cifvalue');
        if (v === null) return;
        s.cif = v;
      }
      if (iFob >= 0) {
        const v = ctx.amount(rec, iFob, 'fobvalue');
        if (v === null) return;
        s.fob = v;
      }
      if (iKg >= 0) {
        const v = ctx.amount(rec, iKg, 'netWgt');
        if (v === null) return;
        s.kg = v;
      }
      if (iQty >= 0) {
        const v = ctx.amount(rec, iQty, 'qty');
        if (v === null) return;
        s.qty = v;
      }
      if (iUnit >= 0) s.qtyUnit = ctx.shortCode(rec, iUnit, rows.qtyUnits, NO_UNIT);
      const kgEst = ctx.flag(rec, iKgEst, 'isNetWgtEstimated');
      const qtyEst = ctx.flag(rec, iQtyEst, 'isQtyEstimated');
      if (kgEst === null || qtyEst === null) return;
      s.kgEstimated = kgEst;
      s.qtyEstimated = qtyEst;
      ctx.commitRow(source, rec.line);
    }, { prefix });
  },
};

/** Comtrade writes `N/A` where a row has no quantity unit. */
const NO_UNIT: Readonly<Record<string, string>> = { 'N/A': '', NA: '' };
