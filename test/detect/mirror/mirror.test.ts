import { readFileSync } from 'node:fs';
import { Table as ArrowTable, type Table } from 'apache-arrow';
import { dictionaryVector, float64Vector, int32Vector } from '../../../src/table/columns.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { excessGap, mirrorGapDefaults, robustZ, scoreMirrorGaps, type MirrorGapParams } from '../../../src/detect/mirror/mirror-gaps.ts';
import { matchMirrorFlows, mirrorMatchDefaults } from '../../../src/detect/mirror/mirror-pairs.ts';
import { loadHsCorrespondence } from '../../../src/io/catalog.ts';
import { openInput, resolveInputs } from '../../../src/io/inputs.ts';
import { loadCountryResolver, loadEntrepots, loadFobImportReporters } from '../../../src/io/reference.ts';
import { ingestTrade, type IngestResult } from '../../../src/ingest/ingest-trade.ts';
import { ingestDefaults } from '../../../src/ingest/params.ts';
import type { CountryResolver } from '../../../src/reference/countries.ts';
import { readCodes, readFloats } from '../../../src/table/read.ts';
import { chunksOf, REAL_DATA, realPath, rowsOf } from '../../helpers.ts';
import { flowsOf } from './mirror-fixtures.ts';

let resolver: CountryResolver;
beforeAll(async () => {
  resolver = await loadCountryResolver();
});


function pairsOf(r: IngestResult, windows = mirrorMatchDefaults.windows) {
  return matchMirrorFlows(r.flows, r.areas, { ...mirrorMatchDefaults, windows }).pairs;
}

const at = (t: Table, where: Record<string, string>) =>
  rowsOf(t).filter((r) => Object.entries(where).every(([k, v]) => r[k] === v));

describe('excessGap', () => {
  it.skipIf(!REAL_DATA)('reproduces every excess_gap of the 2023 mirror statistics to 1e-9 (7.5% margin)', () => {
    const text = readFileSync(realPath('mirror-2023/mirror_statistics_2504_2805_2846.csv'), 'utf8').trim().split('\n');
    const head = text[0].split(',');
    const [iM, iX, iG] = ['importer_says', 'exporter_says', 'excess_gap'].map((c) => head.indexOf(c));
    expect(text.length - 1).toBe(96);
    for (const line of text.slice(1)) {
      const f = line.split(',');
      expect(Math.abs(excessGap(Number(f[iM]), Number(f[iX]), 0.075) - Number(f[iG]))).toBeLessThan(1e-9);
    }
  });
});

describe('matchMirrorFlows', () => {
  it('puts both sides side by side per window and gives each a status', async () => {
    const r = await flowsOf([
      // CHN→USA matched in 2024-01 (both publish every month below)
      '202401,156,842,811010,X,1000000,100', '202401,842,156,811010,M,1060000,100',
      // THA→USA: the US records imports, Thailand published (it has another record) but has none: ghost imports
      '202401,842,764,811010,M,500000,50', '202401,764,410,811010,X,10,1',
      // USA→MEX: Mexico never publishes anything: counterpart not reporting
      '202401,842,484,811010,X,300000,30',
      // CHN→KOR: China exports; Korea publishes and hides 800k in Areas nes: possibly confidential
      '202401,156,410,811010,X,800000,80', '202401,410,899,811010,M,850000,85', '202401,410,0,811010,M,850000,85',
    ]);
    const pairs = pairsOf(r, ['M']);
    const st = (e: string, i: string) => at(pairs, { exporter: e, importer: i })[0];
    expect(st('CHN', 'USA')).toMatchObject({ status: 'matched', exporter_value_usd: 1_000_000, importer_value_usd: 1_060_000, period_start: '2024-01', window: 'M' });
    expect(st('THA', 'USA')).toMatchObject({ status: 'ghost', missing_side: 'exporter', exporter_value_usd: 0, exporter_published: true });
    expect(st('USA', 'MEX')).toMatchObject({ status: 'counterpart_not_reporting', importer_value_usd: null, importer_published: false });
    expect(st('CHN', 'KOR')).toMatchObject({ status: 'possibly_confidential', importer_residual_usd: 850_000 });
  });

  it('takes what a reporter published from a shared coverage table (a run over every product)', async () => {
    // Mexico has no record among these products: on them alone, USA→MEX cannot be judged
    const r = await flowsOf(['202401,842,484,811010,X,300000,30', '202402,842,484,811010,X,300000,30']);
    expect(at(pairsOf(r, ['M']), { exporter: 'USA', importer: 'MEX' }).map((x) => x.status)).toEqual(['counterpart_not_reporting', 'counterpart_not_reporting']);
    // the run over every product saw Mexico publish imports in January (other products), exports in February
    const coverage = new ArrowTable({
      reporter: dictionaryVector(Int32Array.of(0, 0, 1), ['MEX', 'USA']),
      flow: dictionaryVector(Int32Array.of(0, 1, 0), ['M', 'X']),
      period: dictionaryVector(Int32Array.of(0, 1, 0), ['2024-01', '2024-02']),
    });
    const shared = matchMirrorFlows(r.flows, r.areas, { ...mirrorMatchDefaults, windows: ['M'] }, { coverage }).pairs;
    expect(rowsOf(shared, ['exporter', 'importer', 'period_start', 'status', 'importer_published'])).toEqual([
      { exporter: 'USA', importer: 'MEX', period_start: '2024-01', status: 'ghost', importer_published: true },
      { exporter: 'USA', importer: 'MEX', period_start: '2024-02', status: 'counterpart_not_reporting', importer_published: false },
    ]);
  });

  it('builds rolling and calendar windows on monthly data, and only years on annual data', async () => {
    const months = ['01', '02', '03'].flatMap((m) => [`2024${m},156,842,811010,X,100,1`, `2024${m},842,156,811010,M,106,1`]);
    const monthly = pairsOf(await flowsOf(months));
    const kinds = rowsOf(monthly, ['window', 'period_start', 'period_end', 'exporter_value_usd']).filter((r) => r.period_end === '2024-03');
    expect(kinds).toEqual([
      { window: 'M', period_start: '2024-03', period_end: '2024-03', exporter_value_usd: 100 },
      { window: 'R3', period_start: '2024-01', period_end: '2024-03', exporter_value_usd: 300 },
      { window: 'R12', period_start: '2023-04', period_end: '2024-03', exporter_value_usd: 300 },
    ]);
    const annual = pairsOf(await flowsOf(['2024,156,842,811010,X,100,1', '2024,842,156,811010,M,106,1']));
    expect(rowsOf(annual, ['window', 'period_start'])).toEqual([{ window: 'Y', period_start: '2024' }]);
  });

  it('says what it needs when a column is missing', () => {
    expect(() => matchMirrorFlows(rowsTable(), null, mirrorMatchDefaults)).toThrow("matchMirrorFlows: missing column 'reporter'");
  });
});

function rowsTable(): Table {
  return new ArrowTable({ value_usd: float64Vector(new Float64Array(0)) });
}

const FOB = new Set(['DZA', 'GEO', 'ZAF', 'BWA', 'LSO', 'NAM', 'SWZ']);
/** The nested flagged windows of gap row k, as plain objects. */
const windowsOf = (gaps: Table, k: number) => [...(gaps.getChild('windows')!.get(k) as { toArray(): { toJSON(): Record<string, unknown> }[] }).toArray()].map((w) => w.toJSON());

describe('scoreMirrorGaps', () => {
  // no floors and no noise test: these worlds are too small for a noise scale of their own
  const strict: MirrorGapParams = { ...mirrorGapDefaults, minValueUsd: 0, minGapUsd: 0, ghostMinValueUsd: 0, minZ: 0 };

  it('adjusts CIF to FOB (own FOB, else flat 1.06; FOB reporters unadjusted) and flags by sign', async () => {
    const r = await flowsOf([
      '2024,156,842,811010,X,1000000,100', '2024,842,156,811010,M,3180000,100',
      '2024,156,710,811010,X,1000000,100', '2024,710,156,811010,M,1000000,100',
    ]);
    const { pairs, gaps } = scoreMirrorGaps(pairsOf(r), strict, { fobImporters: FOB });
    expect(at(pairs, { importer: 'USA' })[0]).toMatchObject({ importer_value_fob_usd: 3_000_000, cif_fob_ratio: 1.06, gap_usd: 2_000_000 });
    expect(at(pairs, { importer: 'USA' })[0].log_ratio as number).toBeCloseTo(Math.log(3), 12);
    expect(at(pairs, { importer: 'ZAF' })[0]).toMatchObject({ importer_value_fob_usd: 1_000_000, cif_fob_ratio: 1, log_ratio: 0 });
    expect(rowsOf(gaps, ['importer', 'rank'])).toEqual([{ importer: 'USA', rank: 1 }]);
    expect([...(gaps.getChild('reasons')!.get(0) as { toArray(): string[] }).toArray()]).toEqual(['importer_exceeds', 'unit_value_mismatch']); // same weight, 3× the value
    expect(gaps.getChild('flag_id')!.get(0)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('flags exactly at the thresholds and not below the noise floors', async () => {
    const p: MirrorGapParams = { ...mirrorGapDefaults, minAbsLogRatio: Math.log(1.5), minValueUsd: 100_000, minGapUsd: 0, minZ: 0, minZComparable: 0 };
    const at15 = await flowsOf(['2024,156,842,811010,X,100000,1', `2024,842,156,811010,M,${150000 * 1.06},1`]);
    expect(scoreMirrorGaps(pairsOf(at15), p).gaps.numRows).toBe(1);
    const small = await flowsOf(['2024,156,842,811010,X,1000,1', '2024,842,156,811010,M,9000,1']);
    expect(scoreMirrorGaps(pairsOf(small), p).gaps.numRows).toBe(0);
  });

  it('does not flag a shipment recorded a month later, but does flag a gap that persists', async () => {
    const months = Array.from({ length: 8 }, (_, k) => `2024${String(k + 1).padStart(2, '0')}`);
    const shifted = [
      ...months.map((m) => `${m},156,842,811010,X,${m === '202403' ? 2000000 : 1000000},1`),
      ...months.map((m) => `${m},842,156,811010,M,${m === '202404' ? 2120000 : 1060000},1`),
    ];
    const s1 = scoreMirrorGaps(pairsOf(await flowsOf(shifted)), { ...mirrorGapDefaults, minZ: 0, flagWindows: ['R3', 'R12'] });
    expect(s1.gaps.numRows).toBe(0);
    const under = [...months.map((m) => `${m},156,842,811010,X,400000,1`), ...months.map((m) => `${m},842,156,811010,M,1060000,1`)];
    const s2 = scoreMirrorGaps(pairsOf(await flowsOf(under)), { ...mirrorGapDefaults, minZ: 0, flagWindows: ['R3', 'R12'] });
    expect(s2.gaps.numRows).toBe(1); // one flag for the pair, its windows nested
    // eight published months: every R3 from 2024-03 compares; no R12 is fully published, so none compares
    const w = windowsOf(s2.gaps, 0);
    expect(new Set(w.map((r) => r.window))).toEqual(new Set(['R3']));
    expect(w.map((r) => r.period_end)).toEqual(['2024-03', '2024-04', '2024-05', '2024-06', '2024-07']);
  });

  it('marks hs_scope_changed when the two sides report 811292 in HS2017 and HS2022', async () => {
    const atlas = ingestDefaults.mappings['comtrade-atlas'];
    const params = { ...ingestDefaults, mappings: { ...ingestDefaults.mappings, old: { ...atlas, hsRevision: 'HS2017' } } };
    const head = 'year,reporter,partner,cmd,flow,value,netwgt';
    const ing = (line: string, format: string) => ({ display: `${format}.csv`, kind: 'csv' as const, format, chunks: chunksOf(`${head}\n${line}\n`, 99) });
    const both = await ingestTrade([ing('2024,276,842,811292,X,1000000,100', 'mapped:old'), ing('2024,842,276,811292,M,5000000,500', 'mapped:comtrade-atlas')], {
      params, resolver, hsCodes: null,
    });
    const flows = both.flows;
    const corr = await loadHsCorrespondence();
    const pairs = matchMirrorFlows(flows, null, mirrorMatchDefaults).pairs;
    const { gaps } = scoreMirrorGaps(pairs, strict, { hsScopeChanged: (h, a, b) => corr.scopeChange(h, a, b) === true });
    expect(rowsOf(gaps, ['exporter_hs_revision', 'importer_hs_revision'])).toEqual([{ exporter_hs_revision: 'HS2017', importer_hs_revision: 'HS2022' }]);
    expect([...(gaps.getChild('reasons')!.get(0) as { toArray(): string[] }).toArray()]).toContain('hs_scope_changed');
  });

  it('uses a shared reliability table instead of estimating one, and returns it', async () => {
    const r = await flowsOf(['2024,156,842,811010,X,1000000,100', '2024,842,156,811010,M,3180000,100']);
    // effects of a run over every product: China exports as its best, the US imports 0.4 above Japan, μ 0.2
    const reliability = new ArrowTable({
      reporter: dictionaryVector(Int32Array.of(0, 1, 2), ['CHN', 'USA', 'JPN']),
      year: int32Vector(Int32Array.of(2024, 2024, 2024)),
      exporter_effect: float64Vector(Float64Array.of(0, NaN, NaN), true),
      importer_effect: float64Vector(Float64Array.of(NaN, 0.3, -0.1), true),
      grand_mean: float64Vector(Float64Array.of(0.2, 0.2, 0.2)),
    });
    const own = scoreMirrorGaps(pairsOf(r), strict);
    expect(at(own.pairs, { importer: 'USA' })[0].importer_reliability).not.toBeCloseTo(0.05 / 0.45, 6);
    const shared = scoreMirrorGaps(pairsOf(r), strict, { reliability });
    // half of what no reporter explains: (0.2 + 0 − 0.1)/2 = 0.05; the US: 0.05 + 0.3 + 0.1 = 0.45 → 0.05/0.45
    expect(at(shared.pairs, { importer: 'USA' })[0]).toMatchObject({ exporter_sigma: 0.05, exporter_reliability: 1 });
    expect(at(shared.pairs, { importer: 'USA' })[0].importer_sigma as number).toBeCloseTo(0.45, 12);
    expect(at(shared.pairs, { importer: 'USA' })[0].importer_reliability as number).toBeCloseTo(0.05 / 0.45, 12);
    expect(shared.reliability).toBe(reliability);
  });

  it('handles an empty pair table', async () => {
    const empty = pairsOf(await flowsOf([]));
    const s = scoreMirrorGaps(empty, mirrorGapDefaults);
    expect([s.pairs.numRows, s.gaps.numRows, s.reliability.numRows]).toEqual([0, 0, 0]);
  });
});

describe('robustZ', () => {
  it('uses median and MAD with nulls removed, and stays null on small or flat groups', () => {
    const v = Float64Array.from([1, 2, 3, 4, 100, NaN, 5, 5, 5, 5, 5]);
    const g = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    const z = robustZ(v, g, 5);
    // group 0: median 3, MAD 1 → 1.4826
    expect(z[4]).toBeCloseTo(97 / 1.4826, 10);
    expect(Number.isNaN(z[5])).toBe(true);
    expect(Number.isNaN(z[6])).toBe(true); // MAD 0
    expect(Number.isNaN(robustZ(Float64Array.from([1, 2]), Int32Array.from([0, 0]), 5)[0])).toBe(true);
  });
});

describe.skipIf(!REAL_DATA)('mirror gaps on the real atlas records', () => {
  let scored: ReturnType<typeof scoreMirrorGaps>;
  let baci: IngestResult;
  beforeAll(async () => {
    const ing = async (paths: string[], format: string) => {
      const inputs = await resolveInputs(paths);
      return ingestTrade(inputs.map((f) => ({ display: f.display, kind: 'csv' as const, chunks: openInput(f) })), { params: ingestDefaults, resolver, format, hsCodes: null });
    };
    const r = await ing([realPath('comtrade-atlas/raw_comtrade')], 'mapped:comtrade-atlas');
    scored = scoreMirrorGaps(matchMirrorFlows(r.flows, r.areas, mirrorMatchDefaults).pairs, mirrorGapDefaults, {
      fobImporters: await loadFobImportReporters(), entrepots: await loadEntrepots(),
    });
    baci = await ing([realPath('comtrade-atlas/baci_recon/baci_2022.csv'), realPath('comtrade-atlas/baci_recon/baci_2024.csv')], 'mapped:atlas-baci');
  });

  it('pairs Thailand → USA antimony 2024: exporter USD 22,722,446.50, importer 30.18 m', () => {
    const row = at(scored.pairs, { exporter: 'THA', importer: 'USA', hs6: '811010', period_end: '2024' })[0];
    expect(row.exporter_value_usd).toBe(22_722_446.5);
    expect(Math.abs((row.importer_value_usd as number) / 30.18e6 - 1)).toBeLessThan(0.005);
    expect(row.status).toBe('matched');
  });

  it('over every code, China → USA 811292 stays within noise: China\'s exports are off so widely that year that 3–5× is under the comparable bar (the pipeline\'s catalog scope flags it: test/real-cases)', () => {
    const w = at(scored.pairs, { exporter: 'CHN', importer: 'USA', hs6: '811292' });
    const y = (p: string) => w.find((r) => r.period_end === p)!;
    // the US books 3.4× (2022) and 5.5× (2024) what China reports, but China's exporter σ over every code is wide
    expect(Math.exp(y('2022').log_ratio as number)).toBeGreaterThan(3);
    expect(Math.exp(y('2024').log_ratio as number)).toBeGreaterThan(5);
    expect(w.map((r) => r.noise_source)).toEqual(['reporters', 'reporters']);
    expect(w.map((r) => Math.abs(r.z as number) < mirrorGapDefaults.minZComparable)).toEqual([true, true]);
    expect(w.map((r) => r.window_flagged)).toEqual([false, false]);
  });

  it('reconciles closer to BACI than the plain mean of both sides, in both years', async () => {
    const corr = await loadHsCorrespondence();
    const b = new Map<string, number>();
    {
      const e = readCodes(baci.flows, 'reporter'), i = readCodes(baci.flows, 'partner'), h = readCodes(baci.flows, 'hs6'), p = readCodes(baci.flows, 'period');
      const v = readFloats(baci.flows, 'value_usd');
      for (let k = 0; k < baci.flows.numRows; k++) b.set(`${e.values[e.codes[k]]}|${i.values[i.codes[k]]}|${h.values[h.codes[k]]}|${p.values[p.codes[k]]}`, v[k]);
    }
    const scopeChanged = (hs6: string) => corr.scopeChange(hs6, 'HS2017', 'HS2022') === true; // unknown: taken as unchanged
    const figures = compareWithBaci(scored.pairs, b, scopeChanged);
        for (const y of ['2022', '2024']) expect(figures[y].reconciled).toBeLessThan(figures[y].mean);
    // the figures in the README
    expect(figures['2022']).toEqual({ pairs: 3831, exporter: 0.4985, importer: 0.2473, mean: 0.2399, reconciled: 0.2269 });
    expect(figures['2024']).toEqual({ pairs: 3402, exporter: 0.5163, importer: 0.2395, mean: 0.25, reconciled: 0.2359 });
  });
});

/** Median |ln(estimate / BACI)| on matched yearly pairs whose sides disagree (both ≥ USD 1,000, |ln ratio| > 0.25). */
function compareWithBaci(pairs: Table, baci: Map<string, number>, scopeChanged: (hs6: string) => boolean) {
  const e = readCodes(pairs, 'exporter'), im = readCodes(pairs, 'importer'), h = readCodes(pairs, 'hs6'), pe = readCodes(pairs, 'period_end'), st = readCodes(pairs, 'status');
  const x = readFloats(pairs, 'exporter_value_usd'), m = readFloats(pairs, 'importer_value_fob_usd'), rec = readFloats(pairs, 'reconciled_value_usd');
  const out: Record<string, Record<string, number>> = {};
  for (const year of ['2022', '2024']) {
    const d: Record<string, number[]> = { exporter: [], importer: [], mean: [], reconciled: [] };
    for (let k = 0; k < pairs.numRows; k++) {
      const hs = h.values[h.codes[k]];
      if (st.values[st.codes[k]] !== 'matched' || pe.values[pe.codes[k]] !== year || scopeChanged(hs)) continue;
      if (!(x[k] >= 1000 && m[k] >= 1000) || Math.abs(Math.log(m[k] / x[k])) <= 0.25) continue;
      const bv = baci.get(`${e.values[e.codes[k]]}|${im.values[im.codes[k]]}|${hs}|${year}`);
      if (!(bv! > 0)) continue;
      d.exporter.push(Math.abs(Math.log(x[k] / bv!)));
      d.importer.push(Math.abs(Math.log(m[k] / bv!)));
      d.mean.push(Math.abs(Math.log((x[k] + m[k]) / 2 / bv!)));
      d.reconciled.push(Math.abs(Math.log(rec[k] / bv!)));
    }
    const med = (a: number[]) => {
      const s = [...a].sort((p, q) => p - q);
      return Math.round(s[Math.floor(s.length / 2)] * 1e4) / 1e4;
    };
    out[year] = { pairs: d.exporter.length, ...Object.fromEntries(Object.entries(d).map(([k, v]) => [k, med(v)])) };
  }
  return out;
}
