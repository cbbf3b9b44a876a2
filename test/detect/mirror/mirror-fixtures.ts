import { ingestTrade, type IngestResult } from '../../../src/ingest/ingest-trade.ts';
import { ingestDefaults } from '../../../src/ingest/params.ts';
import { loadCountryResolver } from '../../../src/io/reference.ts';
import { chunksOf } from '../../helpers.ts';

/**
 * Flows from `period,reporter,partner,cmd,flow,value,netwgt` lines (Comtrade area codes; `2024` annual, `202401`
 * monthly), through ingest with the atlas mapping: the inline worlds of the mirror tests.
 */
export async function flowsOf(lines: string[]): Promise<IngestResult> {
  const text = ['year,reporter,partner,cmd,flow,value,netwgt', ...lines].join('\n');
  return ingestTrade([{ display: 'f.csv', kind: 'csv', chunks: chunksOf(text, 4096) }], {
    params: ingestDefaults, resolver: await loadCountryResolver(), format: 'mapped:comtrade-atlas', hsCodes: null,
  });
}
