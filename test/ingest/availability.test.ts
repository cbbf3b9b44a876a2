import { describe, expect, it } from 'vitest';
import { buildAvailabilityTable } from '../../src/ingest/availability.ts';
import { loadCountryResolver } from '../../src/io/reference.ts';
import { rowsOf } from '../helpers.ts';

describe('buildAvailabilityTable', () => {
  it('gives one row per asked country × period; aggregates, unknown codes and other periods are left out and counted', async () => {
    const resolver = await loadCountryResolver();
    const records = [
      { reporterCode: 842, period: '202401', totalRecords: 5, firstReleased: '2024-03-10T00:00:00', lastReleased: '2024-03-10T00:00:00' },
      { reporterCode: 841, period: '202401', totalRecords: 9, firstReleased: '2024-03-01T00:00:00', lastReleased: '2024-06-01T00:00:00' },
      { reporterCode: 97, period: '202401', totalRecords: 1 },
      { reporterCode: 9999, period: '202401', totalRecords: 1 },
      { reporterCode: 156, period: '202312', totalRecords: 1 },
    ];
    const { table, counts } = buildAvailabilityTable(records, { freq: 'M', periods: ['202401', '202402'], reporters: [156, 841, 842] }, resolver);
    expect(rowsOf(table)).toEqual([
      { reporter: 'CHN', period: '2024-01', freq: 'M', published: false, records: null, first_released: null, last_released: null },
      { reporter: 'CHN', period: '2024-02', freq: 'M', published: false, records: null, first_released: null, last_released: null },
      { reporter: 'USA', period: '2024-01', freq: 'M', published: true, records: 9, first_released: Date.UTC(2024, 2, 1), last_released: Date.UTC(2024, 5, 1) },
      { reporter: 'USA', period: '2024-02', freq: 'M', published: false, records: null, first_released: null, last_released: null },
    ]);
    expect(counts).toEqual({ 'availability.records': 5, 'availability.skipped_non_country': 1, 'availability.skipped_unknown': 1 });
    // release dates are calendar dates, not text (#19 item 8)
    for (const c of ['first_released', 'last_released']) expect(String(table.schema.fields.find((f) => f.name === c)!.type)).toBe('Date32<DAY>');
  });
});
