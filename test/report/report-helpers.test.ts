import { describe, expect, it } from 'vitest';
import { partitionOfInput } from '../../src/report/anchors.ts';
import { factorHtml, factorOfLog } from '../../src/report/cells.ts';
import { controlName, type ControlDate } from '../../src/report/control-dates.ts';

// issue 19 item 7: the helpers behind "×6.5, not log 1.87", controls by name and links between partitions

const CATALOG: ControlDate[] = [
  { controlId: 'cn-2023-39', hs6: '250410', origin: 'CHN', destinations: '*', start: '2023-12-01', end: null, status: 'active', source: 'MOFCOM/GAC 2023 No. 39' },
  { controlId: 'cn-2024-46', hs6: '811292', origin: 'CHN', destinations: '*', start: '2024-12-01', end: null, status: 'active', source: 'MOFCOM 2024 No. 46' },
  { controlId: 'cn-2024-46', hs6: '250410', origin: 'CHN', destinations: ['USA'], start: '2024-12-03', end: '2025-11-08', status: 'active', source: 'MOFCOM 2024 No. 46' },
  { controlId: 'cn-2024-46', hs6: '250410', origin: 'CHN', destinations: ['USA'], start: '2025-11-09', end: '2026-11-27', status: 'suspended', source: 'MOFCOM 2024 No. 46' },
];

describe('factors of log ratios', () => {
  it('says ×6.5 where the log is 1.87, ×344 for 5.84, ×0.5 for a halving, and keeps the log in the tooltip', () => {
    expect(factorOfLog(1.87)).toBe('×6.5');
    expect(factorOfLog(5.84)).toBe('×344');
    expect(factorOfLog(Math.log(0.5))).toBe('×0.5');
    expect(factorOfLog(Math.log(12_345))).toBe('×12,345');
    expect(factorOfLog(null)).toBe('—');
    expect(factorOfLog(NaN)).toBe('—');
    expect(factorHtml(1.87)).toBe('<span title="log 1.87">×6.5</span>');
  });
});

describe('controlName', () => {
  it('names a control by its announcement and its first active day for that code and destination, else the id', () => {
    expect(controlName(CATALOG, 'cn-2023-39', '250410', 'USA')).toBe('MOFCOM/GAC 2023 No. 39 (from 2023-12-01)');
    expect(controlName(CATALOG, 'cn-2024-46', '250410', 'USA')).toBe('MOFCOM 2024 No. 46 (from 2024-12-03)');
    expect(controlName(CATALOG, 'cn-2024-46', '811292', 'JPN')).toBe('MOFCOM 2024 No. 46 (from 2024-12-01)');
    expect(controlName(CATALOG, 'cn-2099-01', '250410', 'USA')).toBe('cn-2099-01');
    expect(controlName(undefined, 'cn-2023-39')).toBe('cn-2023-39');
  });
});

describe('partitionOfInput', () => {
  it('finds the partition an input was read from, and none outside a partition folder', () => {
    expect(partitionOfInput('../out/transshipment/as_of=2025-06/flagged_routes.parquet', 'transshipment')).toBe('as_of=2025-06');
    expect(partitionOfInput('C:\\out\\mirror-gaps\\as_of=2024-12\\mirror_pairs.parquet', 'mirror-gaps')).toBe('as_of=2024-12');
    expect(partitionOfInput('out/transshipment/as_of=2025-06/flagged_routes.parquet', 'mirror-gaps')).toBeNull();
    expect(partitionOfInput('exports/flagged_routes.parquet', 'transshipment')).toBeNull();
  });
});
