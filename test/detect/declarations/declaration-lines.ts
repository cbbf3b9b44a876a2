import type { Table } from 'apache-arrow';
import { expect } from 'vitest';
import { declarationIngestDefaults } from '../../../src/ingest/declaration-params.ts';
import { readDeclarations } from '../../../src/ingest/declarations.ts';
import { loadCountryCodeIndex } from '../../../src/io/reference.ts';

/** The canonical declaration CSV header. */
export const HEADER =
  'declaration_id,date,direction,declarant,exporter,importer,seller,declared_code,description,origin,departure,destination,transport_mode,net_mass_kg,quantity,quantity_unit,value,currency,office,label';

/** An ordinary titanium import from Japan into the USA (no rule fires on it). */
export const ORDINARY: Readonly<Record<string, string | number>> = {
  declaration_id: 'D1', date: '2024-03-01', direction: 'import', declarant: 'DCL', exporter: 'EXP', importer: 'IMP', seller: 'EXP',
  declared_code: '8108900000', description: 'Titanium plates', origin: 'JPN', departure: 'JPN', destination: 'USA', transport_mode: 'sea',
  net_mass_kg: 1000, quantity: 1000, quantity_unit: 'kg', value: 30000, currency: 'USD', office: 'USA-01', label: '',
};

/** A canonical CSV line of `base` with fields overridden by name (quoted where needed). */
export function declarationLine(base: Readonly<Record<string, string | number>>, f: Partial<Record<string, string | number>> = {}): string {
  const d = { ...base, ...f };
  return HEADER.split(',').map((k) => (/[,"]/.test(String(d[k])) ? `"${String(d[k]).replace(/"/g, '""')}"` : d[k])).join(',');
}

/** Declarations read from canonical CSV lines (the header is added); every line must be read without a reject. */
export async function declarationTable(lines: string[]): Promise<Table> {
  const countries = await loadCountryCodeIndex();
  const text = [HEADER, ...lines].join('\n') + '\n';
  const r = await readDeclarations([{ display: 'd.csv', kind: 'csv', chunks: [new TextEncoder().encode(text)] }], { params: declarationIngestDefaults, countries });
  expect(r.rejects.numRows).toBe(0);
  return r.table;
}
