/**
 * Throughput of the CSV scanner on ~50 MB of a 10-column numeric trade-like CSV generated in memory,
 * with a callback that reads two fields (as ingest does for most columns).
 * Run: npx tsx bench/csv-scanner.bench.ts
 */
import { type CsvRecord, scanCsv, scanCsvBuffer } from '../src/io/csv-scanner.ts';
import { Rng } from '../src/synth/random.ts';

const TARGET_BYTES = 50 * 1024 * 1024;
const CHUNK = 64 * 1024;
const RUNS = 5;


function generate(): Uint8Array {
  const rng = new Rng('bench:42');
  const rnd = () => rng.next();
  const parts = ['period,reporterCode,partnerCode,cmdCode,flowCode,primaryValue,netWgt,qty,isQtyEstimated,motCode\n'];
  let size = parts[0].length;
  while (size < TARGET_BYTES) {
    const row =
      `${2015 + Math.floor(rnd() * 10)}${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')},` +
      `${Math.floor(rnd() * 900)},${Math.floor(rnd() * 900)},${String(Math.floor(rnd() * 999999)).padStart(6, '0')},` +
      `${rnd() < 0.5 ? 'M' : 'X'},${(rnd() * 1e8).toFixed(2)},${(rnd() * 1e6).toFixed(3)},${Math.floor(rnd() * 1e5)},` +
      `${rnd() < 0.9 ? 'False' : 'True'},${rnd() < 0.8 ? 0 : 1000}\n`;
    parts.push(row);
    size += row.length;
  }
  return new TextEncoder().encode(parts.join(''));
}

let sink = 0;
const opts = {
  onHeader: () => (rec: CsvRecord) => {
    sink += rec.int(1) + rec.number(5);
  },
};

function* chunks(buf: Uint8Array): Iterable<Uint8Array> {
  for (let i = 0; i < buf.length; i += CHUNK) yield buf.subarray(i, i + CHUNK);
}

async function measure(name: string, buf: Uint8Array, run: () => number | Promise<number>): Promise<void> {
  const rates: number[] = [];
  let rows = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    rows = await run();
    const ms = performance.now() - t0;
    rates.push(buf.length / 1e6 / (ms / 1000));
  }
  rates.sort((a, b) => a - b);
  const fmt = (x: number) => x.toFixed(0).padStart(5);
  console.log(`${name.padEnd(30)} median ${fmt(rates[RUNS >> 1])} MB/s  best ${fmt(rates[RUNS - 1])} MB/s  (${rows} rows)`);
}

const buf = generate();
console.log(`generated ${(buf.length / 1e6).toFixed(1)} MB; ${RUNS} runs each (the first warms up the JIT)`);
await measure('scanCsvBuffer', buf, () => scanCsvBuffer(buf, opts));
await measure(`scanCsv, ${CHUNK / 1024} KiB chunks`, buf, () => scanCsv(chunks(buf), opts));
if (sink === 0) console.log('');
