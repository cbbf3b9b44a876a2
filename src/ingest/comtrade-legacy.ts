import type { CsvRecord } from '../io/csv-scanner.ts';
import { normalizeHsRevision } from '../reference/hs-correspondence.ts';
import { HS_REVISIONS, type CodeList } from './context.ts';
import { HeaderIndex, hasColumns, type CsvLayout } from './layout.ts';

const REQUIRED = [
  'Classification',
  'Period',
  'Trade Flow Code',
  'Reporter Code',
  'Partner Code',
  'Commodity Code',
  'Trade Value (US$)',
] as const;

/** Legacy Comtrade trade-flow codes; any other is rejected (`unknown_flow`). */
const FLOWS: CodeList = { known: { '1': 'M', '2': 'X', '3': 'RX', '4': 'RM' } };

/**
 * The older UN Comtrade CSV (`Classification,Year,Period,…,Trade Value (US$),Flag`). It has no breakdown
 * columns, so totals are established later from the rows of each key. `Flag` is a bit mask: 2 = quantity
 * estimated, 4 = net weight estimated.
 */
export const comtradeLegacyLayout: CsvLayout = {
  name: 'comtrade-legacy',
  required: { columns: REQUIRED, title: 'legacy Comtrade' },
  matches: (header) => hasColumns(header, ['Classification', 'Trade Flow Code', 'Commodity Code', 'Trade Value (US$)']),
  bind(header, ctx) {
    const h = new HeaderIndex(header, ctx.fileName, 'legacy Comtrade');
    const c = h.require(REQUIRED);
    const iKg = h.find('Netweight (kg)');
    const iQty = h.find('Qty');
    const iUnit = h.find('Qty Unit');
    const iFlag = h.find('Flag');
    const iLevel = h.find('Aggregate Level');
    const rows = ctx.rows;
    const s = rows.scratch;
    const source = rows.sources.code('comtrade-legacy');
    const revisionByText = new Map<string, number>();
    const nFields = header.length;

    return (rec: CsvRecord) => {
      ctx.count('rows_read');
      if (rec.count < nFields) return ctx.reject(rec.line, header[rec.count] ?? '', '', 'missing_fields');
      const cmd = ctx.levelledCmdCode(rec, c['Commodity Code'], iLevel, 'Commodity Code');
      if (cmd === -2) return;
      if (cmd < 0) {
        const t = rec.text(c['Commodity Code']).trim();
        // the all-products row is an aggregate, not a bad value
        return ctx.reject(rec.line, 'Commodity Code', t, t.toUpperCase() === 'TOTAL' ? 'total_commodity' : 'invalid_code');
      }
      if (!ctx.isSelected(cmd)) return ctx.count('filtered_hs');
      rows.clear();
      s.cmd = cmd;
      s.cmdLevel = rows.cmds.values[cmd].length;
      s.period = ctx.periodCode(rec, c.Period);
      if (s.period < 0) return ctx.reject(rec.line, 'Period', rec.text(c.Period), 'invalid_period');
      const reporter = ctx.reporterId(rec, c['Reporter Code'], 'comtrade', 'Reporter Code');
      if (reporter === null) return;
      const partner = ctx.countryId(rec, c['Partner Code'], 'comtrade', 'Partner Code');
      if (partner === null) return;
      s.reporter = reporter;
      s.partner = partner;
      s.flow = ctx.listedCode(rec, c['Trade Flow Code'], rows.flows, FLOWS);
      if (s.flow === -1) return ctx.reject(rec.line, 'Trade Flow Code', '', 'missing_value');
      if (s.flow < 0) return ctx.reject(rec.line, 'Trade Flow Code', rec.text(c['Trade Flow Code']).trim(), 'unknown_flow');
      const revText = rec.text(c.Classification).trim();
      let rev = revisionByText.get(revText);
      if (rev === undefined) {
        const name = normalizeHsRevision(revText);
        revisionByText.set(revText, (rev = HS_REVISIONS.has(name) ? rows.revisions.code(name) : -1));
      }
      if (rev < 0) return ctx.reject(rec.line, 'Classification', revText, revText === '' ? 'missing_value' : 'unknown_classification');
      s.revision = rev;
      const value = ctx.amount(rec, c['Trade Value (US$)'], 'Trade Value (US$)');
      if (value === null) return;
      s.value = value;
      if (iKg >= 0) {
        const v = ctx.amount(rec, iKg, 'Netweight (kg)');
        if (v === null) return;
        s.kg = v;
      }
      if (iQty >= 0) {
        const v = ctx.amount(rec, iQty, 'Qty');
        if (v === null) return;
        s.qty = v;
        if (iUnit >= 0 && v === v) s.qtyUnit = ctx.shortCode(rec, iUnit, rows.qtyUnits, NO_QUANTITY);
      }
      if (iFlag >= 0 && !rec.isEmpty(iFlag)) {
        const f = rec.int(iFlag);
        if (f !== f || f < 0) return ctx.reject(rec.line, 'Flag', rec.text(iFlag), 'invalid_flag');
        s.qtyEstimated = f & 2 ? 1 : 0;
        s.kgEstimated = f & 4 ? 1 : 0;
      }
      ctx.commitRow(source, rec.line);
    };
  },
};

const NO_QUANTITY: Readonly<Record<string, string>> = { 'No Quantity': '' };
