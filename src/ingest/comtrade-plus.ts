import type { CsvRecord } from '../io/csv-scanner.ts';
import { normalizeHsRevision } from '../reference/hs-correspondence.ts';
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

/**
 * UN Comtrade Plus (the data API and its bulk CSV): one row per reporter × partner × partner2 × flow ×
 * product × customs procedure × mode of transport × mode of supply. Totals are the rows with
 * motCode=0, customsCode=C00, partner2Code=0 and mosCode=0; they are never inferred here.
 */
export const comtradePlusLayout: CsvLayout = {
  name: 'comtrade',
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
    const rows = ctx.rows;
    const s = rows.scratch;
    const source = rows.sources.code('comtrade');
    const revisionByText = new Map<string, number>();
    const nFields = header.length;

    return (rec: CsvRecord) => {
      ctx.count('rows_read');
      if (rec.count < nFields) {
        ctx.reject(rec.line, header[rec.count] ?? '', '', 'missing_fields');
        return;
      }
      const cmd = ctx.cmdCode(rec, c.cmdCode);
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
      s.flow = ctx.shortCode(rec, c.flowCode, rows.flows);
      if (s.flow < 0) return ctx.reject(rec.line, 'flowCode', '', 'missing_value');
      const revText = rec.text(c.classificationCode).trim();
      let rev = revisionByText.get(revText);
      if (rev === undefined) {
        rev = rows.revisions.code(normalizeHsRevision(revText));
        revisionByText.set(revText, rev);
      }
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
    };
  },
};

/** Comtrade writes `N/A` where a row has no quantity unit. */
const NO_UNIT: Readonly<Record<string, string>> = { 'N/A': '', NA: '' };
