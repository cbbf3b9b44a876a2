import type { Table } from 'apache-arrow';
import type { GeoTable } from '../reference/geo.ts';
import { StringDictionary } from '../table/columns.ts';
import { readCodes, readFloats } from '../table/read.ts';
import { FOB_IMPORT_REPORTERS, predictCifFobLeaveOut, type CifFobParams } from './cif-fob.ts';

/**
 * The CIF/FOB ratio to apply to each mirror pair window, from a model fitted across all pairs where an
 * importer reported both CIF and FOB (distance, contiguity, landlockedness, unit value), leaving the
 * scored exporter–importer pair's own observations out, so persistent misinvoicing on a pair cannot
 * teach the model to expect it. Rows align 1:1 with `pairs`; NaN where the importer's own FOB or the
 * FOB-reporter rule applies instead (the scorer handles those). Pure.
 */
export function estimatePairMargins(flows: Table, pairs: Table, geo: GeoTable, p: CifFobParams): Float64Array {
  const who = 'estimatePairMargins';
  const countries = new StringDictionary();
  const pairId = (a: string, b: string) => countries.code(a) * 8192 + countries.code(b);

  // observations: import records with both CIF and FOB stated
  const rep = readCodes(flows, 'reporter', who);
  const par = readCodes(flows, 'partner', who);
  const flow = readCodes(flows, 'flow', who);
  const cif = readFloats(flows, 'cif_usd', who);
  const fob = readFloats(flows, 'fob_usd', who);
  const kg = readFloats(flows, 'net_weight_kg', who);
  const isM = flow.values.map((f) => f === 'M');
  const idx: number[] = [];
  for (let i = 0; i < flows.numRows; i++) {
    if (flow.codes[i] < 0 || !isM[flow.codes[i]] || !(cif[i] > 0 && fob[i] > 0)) continue;
    if (FOB_IMPORT_REPORTERS.has(rep.values[rep.codes[i]])) continue;
    idx.push(i);
  }
  const m = idx.length;
  const obs = features(m);
  const obsCif = new Float64Array(m);
  const obsFob = new Float64Array(m);
  const obsGroup = new Int32Array(m);
  idx.forEach((i, k) => {
    const importer = rep.values[rep.codes[i]];
    const exporter = par.values[par.codes[i]];
    fill(obs, k, geo, importer, exporter, kg[i] > 0 ? fob[i] / kg[i] : NaN);
    obsCif[k] = cif[i];
    obsFob[k] = fob[i];
    obsGroup[k] = pairId(exporter, importer);
  });

  // targets: every pair window
  const e = readCodes(pairs, 'exporter', who);
  const im = readCodes(pairs, 'importer', who);
  const xv = readFloats(pairs, 'exporter_value_usd', who);
  const xk = readFloats(pairs, 'exporter_kg', who);
  const n = pairs.numRows;
  const tgt = features(n);
  const tgtGroup = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const exporter = e.values[e.codes[i]];
    const importer = im.values[im.codes[i]];
    fill(tgt, i, geo, importer, exporter, xk[i] > 0 ? xv[i] / xk[i] : NaN);
    tgtGroup[i] = pairId(exporter, importer);
  }
  return predictCifFobLeaveOut({ ...obs, cif: obsCif, fob: obsFob, group: obsGroup }, { ...tgt, group: tgtGroup }, p);
}

function features(n: number) {
  return {
    distKm: new Float64Array(n),
    contig: new Uint8Array(n),
    llImporter: new Uint8Array(n),
    llExporter: new Uint8Array(n),
    unitValue: new Float64Array(n),
  };
}

function fill(f: ReturnType<typeof features>, k: number, geo: GeoTable, importer: string, exporter: string, unitValue: number): void {
  f.distKm[k] = geo.distanceKm(importer, exporter) ?? NaN;
  f.contig[k] = geo.contiguous(importer, exporter) ? 1 : 0;
  f.llImporter[k] = geo.landlocked(importer) ? 1 : 0;
  f.llExporter[k] = geo.landlocked(exporter) ? 1 : 0;
  f.unitValue[k] = unitValue;
}
