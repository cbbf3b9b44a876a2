import { Table } from 'apache-arrow';
import type { GeoTable } from '../../reference/geo.ts';
import { StringDictionary, dictionaryVector, float64Vector, take } from '../../table/columns.ts';
import { readCodes, readFloats } from '../../table/read.ts';
import { predictCifFobLeaveOut, type CifFobParams } from './cif-fob.ts';

/**
 * The observations the CIF/FOB model is fitted on: import records whose reporter states both CIF and FOB
 * (reporters that record imports FOB left out: `fobImportReporters`, the reference list
 * `reference.fobImportReporters`), one row each: importer,
 * exporter, cif_usd, fob_usd, net_weight_kg. Thin enough to be computed once over every product and shared
 * (`--global`). Pure.
 */
export function cifFobObservations(flows: Table, fobImportReporters: ReadonlySet<string>): Table {
  const who = 'cifFobObservations';
  const rep = readCodes(flows, 'reporter', who);
  const par = readCodes(flows, 'partner', who);
  const flow = readCodes(flows, 'flow', who);
  const cif = readFloats(flows, 'cif_usd', who);
  const fob = readFloats(flows, 'fob_usd', who);
  const kg = readFloats(flows, 'net_weight_kg', who);
  const isM = flow.values.map((f) => f === 'M');
  const fobReporter = rep.values.map((r) => fobImportReporters.has(r));
  const rows: number[] = [];
  for (let i = 0; i < flows.numRows; i++) {
    if (flow.codes[i] < 0 || !isM[flow.codes[i]] || !(cif[i] > 0 && fob[i] > 0)) continue;
    if (rep.codes[i] < 0 || par.codes[i] < 0 || fobReporter[rep.codes[i]]) continue;
    rows.push(i);
  }
  const at = Int32Array.from(rows);
  return new Table({
    importer: dictionaryVector(take(rep.codes, at), rep.values),
    exporter: dictionaryVector(take(par.codes, at), par.values),
    cif_usd: float64Vector(take(cif, at)),
    fob_usd: float64Vector(take(fob, at)),
    net_weight_kg: float64Vector(take(kg, at)),
  });
}

/**
 * The CIF/FOB ratio to apply to each mirror pair window, from a model fitted on `observations` (see
 * {@link cifFobObservations}: distance, contiguity, landlockedness, unit value), leaving the scored
 * exporter–importer pair's own observations out, so persistent misinvoicing on a pair cannot teach the
 * model to expect it. Rows align 1:1 with `pairs`; NaN where the importer's own FOB or the FOB-reporter
 * rule applies instead (the scorer handles those). Pure.
 */
export function estimatePairMargins(observations: Table, pairs: Table, geo: GeoTable, p: CifFobParams): Float64Array {
  const who = 'estimatePairMargins';
  const countries = new StringDictionary();
  const pairId = (a: string, b: string) => countries.code(a) * 8192 + countries.code(b);

  const imp = readCodes(observations, 'importer', who);
  const exp = readCodes(observations, 'exporter', who);
  const cif = readFloats(observations, 'cif_usd', who);
  const fob = readFloats(observations, 'fob_usd', who);
  const kg = readFloats(observations, 'net_weight_kg', who);
  const m = observations.numRows;
  const obs = features(m);
  const obsGroup = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const importer = imp.values[imp.codes[k]];
    const exporter = exp.values[exp.codes[k]];
    fill(obs, k, geo, importer, exporter, kg[k] > 0 ? fob[k] / kg[k] : NaN);
    obsGroup[k] = pairId(exporter, importer);
  }
  const obsCif = cif;
  const obsFob = fob;

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
