import { describe, expect, it } from 'vitest';
import { cifFobDefaults } from '../../../src/detect/mirror/cif-fob.ts';
import { matchMirrorFlows, mirrorMatchDefaults } from '../../../src/detect/mirror/mirror-pairs.ts';
import { cifFobObservations, estimatePairMargins } from '../../../src/detect/mirror/pair-margins.ts';
import { loadGeo } from '../../../src/io/geo.ts';
import { loadCountryResolver, loadFobImportReporters } from '../../../src/io/reference.ts';
import { ingestTrade } from '../../../src/ingest/ingest-trade.ts';
import { ingestDefaults } from '../../../src/ingest/params.ts';
import { chunksOf, rowsOf } from '../../helpers.ts';

const HEADER = 'period,reporterCode,flowCode,partnerCode,partner2Code,classificationCode,cmdCode,customsCode,mosCode,motCode,netWgt,cifvalue,fobvalue,primaryValue';
const PARTNERS = [156, 392, 410, 764, 484, 124, 276, 251, 381, 724, 36, 76, 356, 360, 458, 608, 704, 702, 344, 528, 56, 752, 579, 208, 246, 40, 203, 348, 616, 642, 792, 818, 710, 566, 32, 152];

async function flows(ratio: (partner: number) => number) {
  const lines = [HEADER];
  // the USA reports CIF and FOB for imports from many partners: the fit sample
  for (const c of PARTNERS) lines.push(`2024,842,M,${c},0,H6,811010,C00,0,0,1000,${(100000 * ratio(c)).toFixed(2)},100000,${(100000 * ratio(c)).toFixed(2)}`);
  // Thailand's exports to the USA: the pair to score
  lines.push('2024,764,X,842,0,H6,811010,C00,0,0,1000,,100000,100000');
  const resolver = await loadCountryResolver();
  return ingestTrade([{ display: 'm.csv', kind: 'csv', chunks: chunksOf(lines.join('\n'), 512) }], { params: ingestDefaults, resolver, hsCodes: null });
}

const FOB = new Set(['DZA', 'GEO', 'ZAF', 'BWA', 'LSO', 'NAM', 'SWZ']);

describe('estimatePairMargins', () => {
  it('predicts the margin the other pairs show, leaving the scored pair out', async () => {
    // every pair 8% except THA→USA itself, which claims 60%: it must not teach the model
    const r = await flows((c) => (c === 764 ? 1.6 : 1.08));
    const pairs = matchMirrorFlows(r.flows, r.areas, mirrorMatchDefaults).pairs;
    const ratio = estimatePairMargins(cifFobObservations(r.flows, FOB), pairs, await loadGeo(), cifFobDefaults);
    const rows = rowsOf(pairs, ['exporter', 'importer']);
    const tha = rows.findIndex((x) => x.exporter === 'THA' && x.importer === 'USA');
    expect(ratio[tha]).toBeCloseTo(1.08, 6);
  });

  it('falls back to the flat 1.06 with too few observations', async () => {
    const r = await flows(() => 1.1);
    const pairs = matchMirrorFlows(r.flows, r.areas, mirrorMatchDefaults).pairs;
    const ratio = estimatePairMargins(cifFobObservations(r.flows, FOB), pairs, await loadGeo(), { ...cifFobDefaults, minFitPairs: 1000 });
    expect([...new Set(ratio)]).toEqual([1.06]);
  });

  it('observations are the import records stating CIF and FOB, FOB reporters left out', async () => {
    const r = await flows((c) => (c === 764 ? 1.6 : 1.08));
    const obs = rowsOf(cifFobObservations(r.flows, FOB), ['importer', 'exporter', 'cif_usd', 'fob_usd', 'net_weight_kg']);
    expect(obs).toHaveLength(PARTNERS.length); // the THA export row states no CIF
    expect(obs.find((o) => o.exporter === 'THA')).toEqual({ importer: 'USA', exporter: 'THA', cif_usd: 160000, fob_usd: 100000, net_weight_kg: 1000 });
    // South Africa records imports FOB: its CIF = FOB rows say nothing about freight
    const zaf = await ingestTrade(
      [{ display: 'z.csv', kind: 'csv', chunks: chunksOf([HEADER, '2024,710,M,156,0,H6,811010,C00,0,0,1000,100000,100000,100000'].join('\n'), 512) }],
      { params: ingestDefaults, resolver: await loadCountryResolver(), hsCodes: null },
    );
    // the list is reference data handed in (data/reference/fob_import_reporters.csv): a list without ZAF keeps its row
    expect(cifFobObservations(zaf.flows, await loadFobImportReporters()).numRows).toBe(0);
    expect(cifFobObservations(zaf.flows, new Set(['DZA'])).numRows).toBe(1);
  });
});
