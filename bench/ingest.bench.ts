/**
 * Ingest throughput on a generated Comtrade Plus file: 500k rows over 500 HS6 codes, of which the
 * catalog's codes are kept (--hs @catalog) and, second, every row kept. Median of 5 runs.
 */
import { loadCatalog } from '../src/io/catalog.ts';
import { loadCountryResolver } from '../src/io/reference.ts';
import { ingestTrade } from '../src/ingest/ingest-trade.ts';
import { ingestDefaults } from '../src/ingest/params.ts';
import { resolveHsSelector } from '../src/reference/catalog.ts';
import { Rng } from '../src/synth/random.ts';

const ROWS = 500_000;
const RUNS = 5;


const catalog = await loadCatalog();
const controlled = resolveHsSelector('@catalog', catalog) ?? [];
const codes = [...controlled];
for (let c = 100000; codes.length < 500; c += 1733) if (!codes.includes(String(c))) codes.push(String(c));
const countries = [156, 842, 764, 484, 276, 251, 699, 757, 579, 381, 392, 410, 528, 56, 702, 344, 784, 36, 124, 76];
const header =
  'freqCode,period,reporterCode,flowCode,partnerCode,partner2Code,classificationCode,cmdCode,customsCode,mosCode,motCode,qtyUnitAbbr,qty,isQtyEstimated,netWgt,isNetWgtEstimated,cifvalue,fobvalue,primaryValue\n';
const rng = new Rng('bench:7');
const rnd = () => rng.next();
const parts = [header];
for (let i = 0; i < ROWS; i++) {
  const cmd = codes[Math.floor(rnd() * codes.length)];
  const rep = countries[Math.floor(rnd() * countries.length)];
  let par = countries[Math.floor(rnd() * countries.length)];
  if (par === rep) par = 0;
  const flow = rnd() < 0.5 ? 'M' : 'X';
  const v = (rnd() * 1e6).toFixed(2);
  const kg = (rnd() * 1e4).toFixed(3);
  const period = `20${22 + Math.floor(rnd() * 3)}${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}`;
  parts.push(`M,${period},${rep},${flow},${par},0,H6,${cmd},C00,0,0,kg,${kg},False,${kg},False,${flow === 'M' ? v : ''},${flow === 'X' ? v : ''},${v}\n`);
}
const bytes = new TextEncoder().encode(parts.join(''));
const resolver = await loadCountryResolver();

for (const [label, hsCodes] of [['@catalog', controlled], ['all', null]] as const) {
  const times: number[] = [];
  let kept = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const chunks = function* () {
      for (let o = 0; o < bytes.length; o += 1 << 20) yield bytes.subarray(o, Math.min(bytes.length, o + (1 << 20)));
    };
    const res = await ingestTrade([{ display: 'bench.csv', kind: 'csv', chunks: chunks() }], { params: ingestDefaults, resolver, hsCodes });
    times.push(performance.now() - t0);
    kept = res.flows.numRows + res.areas.numRows;
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(RUNS / 2)];
  console.log(
    `ingest --hs ${label.padEnd(8)} ${ROWS} rows, ${(bytes.length / 1e6).toFixed(1)} MB: median ${ms.toFixed(0)} ms, ` +
      `${((bytes.length / 1e6) / (ms / 1000)).toFixed(0)} MB/s, ${Math.round(ROWS / (ms / 1000)).toLocaleString('en')} rows/s, ${kept} rows kept, ` +
      `peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
}
