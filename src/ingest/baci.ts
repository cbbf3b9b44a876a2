import type { CsvRecord } from '../io/csv-scanner.ts';
import { HeaderIndex, type CsvLayout } from './layout.ts';

const COLUMNS = ['t', 'i', 'j', 'k', 'v', 'q'] as const;
const BACI_REVISIONS: Readonly<Record<string, string>> = {
  '92': 'HS1992',
  '96': 'HS1996',
  '02': 'HS2002',
  '07': 'HS2007',
  '12': 'HS2012',
  '17': 'HS2017',
  '22': 'HS2022',
};

/**
 * CEPII BACI in its official layout (`t,i,j,k,v,q`): one reconciled flow per exporter i → importer j,
 * product k (HS6, written without leading zeros), year t; v in thousand USD (FOB), q in tonnes, `NA`
 * for missing. A row becomes an `X` flow with reporter = exporter and partner = importer. The HS
 * revision comes from the file name (`BACI_HS17_…`), else from `ingest.baciHsRevision`.
 */
export const baciLayout: CsvLayout = {
  name: 'baci',
  required: { columns: COLUMNS, title: 'BACI' },
  matches: (header) => header.length === COLUMNS.length && header.every((h, i) => h.trim() === COLUMNS[i]),
  bind(header, ctx) {
    const c = new HeaderIndex(header, ctx.fileName, 'BACI').require(COLUMNS);
    const rows = ctx.rows;
    const s = rows.scratch;
    const source = rows.sources.code('baci');
    const flowX = rows.flows.code('X');
    const fromName = /BACI_HS(\d\d)_/i.exec(ctx.fileName)?.[1];
    const revisionName = (fromName && BACI_REVISIONS[fromName]) || ctx.params.baciHsRevision;
    if (!fromName) ctx.notes.push(`${ctx.fileName}: HS revision ${revisionName} from ingest.baciHsRevision (not in the file name)`);
    const revision = rows.revisions.code(revisionName);
    const nFields = header.length;

    return (rec: CsvRecord) => {
      ctx.count('rows_read');
      if (rec.count < nFields) return ctx.reject(rec.line, header[rec.count] ?? '', '', 'missing_fields');
      const cmd = ctx.cmdCode(rec, c.k, 6);
      if (cmd < 0 || rows.cmds.values[cmd].length !== 6) return ctx.reject(rec.line, 'k', rec.text(c.k), 'invalid_code');
      if (!ctx.isSelected(cmd)) return ctx.count('filtered_hs');
      rows.clear();
      s.cmd = cmd;
      s.cmdLevel = 6;
      s.period = ctx.periodCode(rec, c.t);
      if (s.period < 0) return ctx.reject(rec.line, 't', rec.text(c.t), 'invalid_period');
      const exporter = ctx.reporterId(rec, c.i, 'baci', 'i');
      if (exporter === null) return;
      const importer = ctx.countryId(rec, c.j, 'baci', 'j');
      if (importer === null) return;
      s.reporter = exporter;
      s.partner = importer;
      s.flow = flowX;
      s.revision = revision;
      const value = ctx.amount(rec, c.v, 'v', 1000);
      if (value === null) return;
      const kg = ctx.amount(rec, c.q, 'q', 1000);
      if (kg === null) return;
      s.value = value;
      s.fob = value;
      s.kg = kg;
      ctx.commitRow(source, rec.line);
    };
  },
};
