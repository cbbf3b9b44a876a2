/**
 * Seeded inputs of `npm run bench`, written once to a data folder and reused while the generator's version
 * and the sizes are unchanged:
 * (a) a Comtrade Plus bulk CSV (the 47-column layout, quoted descriptions) of 2 M rows over 500 HS6 codes,
 *     ~6% of them on the control catalog's codes, with World rows, mode-of-transport breakdowns and exact
 *     duplicates (ingest's rules all have work to do); (b) is the same file read with `--hs all`;
 * (c) 1 M X and 1 M M annual flows as canonical Parquet, one per key and side, the two sides sharing 80% of their keys (the mirror join);
 * (d) canonical customs declarations, 200k and 1 M rows, resampled with seeded jitter from the bundled
 *     sample's declarations (so codes, descriptions and prices look like the pipeline's own data).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Table } from 'apache-arrow';
import { loadCatalog } from '../src/io/catalog.ts';
import { encodeParquet } from '../src/io/parquet.ts';
import { resolveHsSelector } from '../src/reference/catalog.ts';
import { COMTRADE_PLUS_HEADER } from '../src/synth/comtrade-csv.ts';
import { Rng } from '../src/synth/random.ts';
import { dictionaryVector, float64Vector, int8Vector } from '../src/table/columns.ts';

/** Bumped whenever a generator's output changes, so stale data is regenerated. */
const VERSION = 6;
const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Sizes of the generated inputs (the issue's, unless a smaller run is asked for). */
export interface BenchSizes {
  /** Rows of (e), issue 21's filtered bulk case. */
  bulkRows: number;
  comtradeRows: number;
  /** Rows of the sparse monthly panel over many reporters and the catalog's codes (issue 18 item 6). */
  sparseRows: number;
  mirrorFlowsPerSide: number;
  declarations: number[];
}

/** The sizes. */
export const fullSizes: BenchSizes = { bulkRows: 2_100_000, comtradeRows: 2_000_000, sparseRows: 1_200_000, mirrorFlowsPerSide: 1_000_000, declarations: [200_000, 1_000_000] };

/** Where each generated input is and what it holds. */
export interface BenchData {
  dir: string;
  comtrade: { path: string; rows: number; bytes: number; catalogRows: number; catalogCodes: string[] };
  /** (e) issue 21's filtered bulk case: ~2.1 M rows, ~400 MB, ~3% on the catalog, short texts. */
  bulk: { path: string; rows: number; bytes: number; catalogRows: number };
  sparse: { path: string; rows: number; bytes: number };
  mirror: { path: string; rows: number; bytes: number };
  declarations: { path: string; rows: number; bytes: number }[];
}

/** Generates the inputs into `dir` unless a manifest there says they already exist for these sizes. */
export async function ensureBenchData(dir: string, sizes: BenchSizes, log: (s: string) => void): Promise<BenchData> {
  await mkdir(dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const old = await readFile(manifestPath, 'utf8').then((t) => JSON.parse(t) as { version: number; sizes: BenchSizes; data: BenchData }, () => null);
  if (old && old.version === VERSION && JSON.stringify(old.sizes) === JSON.stringify(sizes) && old.data.dir === dir) {
    const present = await Promise.all([old.data.comtrade.path, old.data.bulk.path, old.data.sparse.path, old.data.mirror.path, ...old.data.declarations.map((d) => d.path)].map((p) => stat(p).then(() => true, () => false)));
    if (present.every(Boolean)) return old.data;
  }
  const catalog = await loadCatalog();
  const catalogCodes = resolveHsSelector('@catalog', catalog) ?? [];
  let t0 = performance.now();
  const comtrade = await writeComtrade(join(dir, 'comtrade_plus.csv'), sizes.comtradeRows, catalogCodes);
  log(`generated ${comtrade.path}: ${comtrade.rows.toLocaleString('en')} rows, ${mb(comtrade.bytes)} MB in ${secs(t0)} s`);
  t0 = performance.now();
  const bulk = await writeComtrade(join(dir, 'comtrade_plus_bulk.csv'), sizes.bulkRows, catalogCodes, { catalogShare: 0.03, shortText: true, seed: 'bench:bulk' });
  log(`generated ${bulk.path}: ${bulk.rows.toLocaleString('en')} rows, ${mb(bulk.bytes)} MB in ${secs(t0)} s`);
  t0 = performance.now();
  const sparse = await writeSparse(join(dir, 'comtrade_plus_sparse.csv'), sizes.sparseRows, catalogCodes);
  log(`generated ${sparse.path}: ${sparse.rows.toLocaleString('en')} rows, ${mb(sparse.bytes)} MB in ${secs(t0)} s`);
  t0 = performance.now();
  const mirror = await writeMirrorFlows(join(dir, 'mirror_flows.parquet'), sizes.mirrorFlowsPerSide);
  log(`generated ${mirror.path}: ${mirror.rows.toLocaleString('en')} flows, ${mb(mirror.bytes)} MB in ${secs(t0)} s`);
  const declarations = [];
  for (const n of sizes.declarations) {
    t0 = performance.now();
    const d = await writeDeclarations(join(dir, `declarations_${n}.csv`), n);
    log(`generated ${d.path}: ${d.rows.toLocaleString('en')} declarations, ${mb(d.bytes)} MB in ${secs(t0)} s`);
    declarations.push(d);
  }
  const data: BenchData = { dir, comtrade: { ...comtrade, catalogCodes }, bulk, sparse, mirror, declarations };
  await writeFile(manifestPath, JSON.stringify({ version: VERSION, sizes, data }, null, 2));
  return data;
}

const mb = (b: number) => (b / 1e6).toFixed(0);
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

/** Writes text produced in pieces through one stream, waiting when its buffer is full. */
class TextSink {
  private readonly out;
  private parts: string[] = [];
  private size = 0;
  bytes = 0;
  constructor(readonly path: string) {
    this.out = createWriteStream(`${path}.tmp`);
  }
  async write(s: string): Promise<void> {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 1 << 20) await this.flush();
  }
  private async flush(): Promise<void> {
    const buf = Buffer.from(this.parts.join(''));
    this.parts = [];
    this.size = 0;
    this.bytes += buf.length;
    if (!this.out.write(buf)) await new Promise<void>((r) => this.out.once('drain', () => r()));
  }
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    await rename(`${this.path}.tmp`, this.path);
  }
}

/**
 * The sparse shape of issue 18 item 6: monthly Comtrade Plus totals over 150 reporters × 150 partners × the
 * catalog's codes × 36 months, each key at most once, drawn at random: most pairs have a record in a few months
 * only, so every record opens its own rolling windows.
 */
async function writeSparse(path: string, rows: number, catalogCodes: string[]) {
  const rng = new Rng('bench:sparse');
  const areas = (await comtradeCountries()).slice(0, 150);
  const sink = new TextSink(path);
  await sink.write(`${COMTRADE_PLUS_HEADER}\n`);
  const seen = new Set<number>();
  const n = areas.length;
  let written = 0;
  while (written < rows) {
    const r = Math.floor(rng.next() * n), p = Math.floor(rng.next() * n), c = Math.floor(rng.next() * catalogCodes.length), t = Math.floor(rng.next() * 36);
    const m = rng.next() < 0.5;
    if (r === p) continue;
    const key = (((r * n + p) * catalogCodes.length + c) * 36 + t) * 2 + (m ? 1 : 0);
    if (seen.has(key)) continue;
    seen.add(key);
    const period = `${2022 + Math.floor(t / 12)}${String((t % 12) + 1).padStart(2, '0')}`;
    const v = (1000 + rng.next() * 1e6).toFixed(2), kg = (100 + rng.next() * 1e5).toFixed(3);
    const rep = areas[r], par = areas[p];
    await sink.write(
      `C,M,${period}01,${period.slice(0, 4)},${Number(period.slice(4))},${period},${rep.code},${rep.iso3},${quote(rep.name)},${m ? 'M' : 'X'},${m ? 'Import' : 'Export'},` +
        `${par.code},${par.iso3},${quote(par.name)},0,W00,World,H6,HS,True,${catalogCodes[c]},,6,True,C00,TOTAL CPC,0,0,TOTAL MOT,8,kg,${kg},False,-1,N/A,,False,` +
        `${kg},False,,False,${m ? v : ''},${m ? '' : v},${v},0,True,False\n`,
    );
    written++;
  }
  await sink.close();
  return { path, rows: written, bytes: (await stat(path)).size };
}

interface Area {
  code: number;
  iso3: string;
  name: string;
}

async function comtradeCountries(): Promise<Area[]> {
  const text = await readFile(join(ROOT, 'data/reference/comtrade_areas.csv'), 'utf8');
  const out: Area[] = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /^(\d+),([A-Z]{3}),country,(.*)$/.exec(line.trim());
    if (m) out.push({ code: Number(m[1]), iso3: m[2], name: m[3].replace(/^"|"$/g, '').replaceAll('""', '"') });
  }
  return out;
}

async function hs6Descriptions(): Promise<Map<string, string>> {
  const text = await readFile(join(ROOT, 'data/reference/hs6_descriptions.csv'), 'utf8');
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const m = /^[^,]+,(\d{6}),(.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2].replace(/^"|"$/g, '').replaceAll('""', '"'));
  }
  return out;
}

const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/**
 * (a): unique keys per code (period × reporter × flow × partner, walked by a stride coprime to the key
 * space), a catalog code with probability 0.06; 10% of totals followed by two mode-of-transport rows that
 * add up to them, 0.5% of lines written twice.
 */
async function writeComtrade(path: string, rows: number, catalogCodes: string[], opts: { catalogShare?: number; shortText?: boolean; seed?: string } = {}) {
  const rng = new Rng(opts.seed ?? 'bench:comtrade');
  const catalogShare = opts.catalogShare ?? 0.06;
  const all = await comtradeCountries();
  const preferred = [156, 842, 764, 484, 276, 251, 699, 757, 579, 381, 392, 410, 528, 56, 702, 344, 784, 36, 124, 76];
  const countries = [...all.filter((c) => preferred.includes(c.code)), ...rng.shuffle(all.filter((c) => !preferred.includes(c.code))).slice(0, 60 - preferred.length)];
  const descs = await hs6Descriptions();
  const others: string[] = [];
  for (let c = 100_003; others.length < 500 - catalogCodes.length; c += 1733) if (!catalogCodes.includes(String(c))) others.push(String(c));
  const codeDesc = (c: string) => (opts.shortText ? `Product ${c}` : quote(descs.get(c) ?? `Product ${c}; other than in primary forms, n.e.c., including waste and scrap`));
  const catDesc = catalogCodes.map(codeDesc);
  const otherDesc = others.map(codeDesc);
  const periods = Array.from({ length: 36 }, (_, k) => `${2022 + Math.floor(k / 12)}${String((k % 12) + 1).padStart(2, '0')}`);
  const KEYS = periods.length * countries.length * 2 * countries.length;
  const STRIDE = 100_003; // prime, coprime to the key space
  const perCode = new Int32Array(500);
  const sink = new TextSink(path);
  await sink.write(`${COMTRADE_PLUS_HEADER}\n`);
  let written = 0;
  let catalogRows = 0;
  const line = (period: string, rep: Area, flow: string, par: Area | null, code: string, desc: string, mot: number, v: number, kg: number) => {
    const motDesc = mot === 0 ? 'TOTAL MOT' : mot === 1000 ? 'Air' : 'Water';
    const value = v.toFixed(2);
    const cif = flow === 'M' ? value : '';
    const fob = flow === 'X' ? value : '';
    const kgs = kg.toFixed(3);
    const p = par ?? { code: 0, iso3: 'W00', name: 'World' };
    return (
      `C,M,${period}01,${period.slice(0, 4)},${Number(period.slice(4))},${period},${rep.code},${rep.iso3},${quote(rep.name)},${flow},${flow === 'X' ? 'Export' : 'Import'},` +
      `${p.code},${p.iso3},${quote(p.name)},0,W00,World,H6,HS,True,${code},${desc},6,True,C00,TOTAL CPC,0,${mot},${motDesc},8,kg,${kgs},False,-1,N/A,,False,` +
      `${kgs},False,,False,${cif},${fob},${value},0,True,False\n`
    );
  };
  while (written < rows) {
    const isCat = rng.next() < catalogShare;
    const ci = isCat ? Math.floor(rng.next() * catalogCodes.length) : catalogCodes.length + Math.floor(rng.next() * others.length);
    const code = isCat ? catalogCodes[ci] : others[ci - catalogCodes.length];
    const desc = isCat ? catDesc[ci] : otherDesc[ci - catalogCodes.length];
    let key = (perCode[ci]++ * STRIDE + ci * 7919) % KEYS;
    const t = key % periods.length;
    key = Math.floor(key / periods.length);
    const r = key % countries.length;
    key = Math.floor(key / countries.length);
    const flow = key % 2 === 0 ? 'X' : 'M';
    const pk = Math.floor(key / 2); // 0 … 58 another country (the reporter skipped), 59 World
    const partner = pk === countries.length - 1 ? null : countries[pk >= r ? pk + 1 : pk];
    const value = Math.round(Math.exp(rng.normal(10, 2)) * 100) / 100 + 1;
    const kg = value / Math.exp(rng.normal(3, 1));
    const total = line(periods[t], countries[r], flow, partner, code, desc, 0, value, kg);
    const n0 = written;
    await sink.write(total);
    written++;
    if (written < rows && rng.next() < 0.005) {
      await sink.write(total);
      written++;
    }
    if (written + 1 < rows && rng.next() < 0.1) {
      const share = Math.round(value * rng.uniform(0.2, 0.8) * 100) / 100;
      await sink.write(line(periods[t], countries[r], flow, partner, code, desc, 1000, share, kg / 2));
      await sink.write(line(periods[t], countries[r], flow, partner, code, desc, 2000, Math.round((value - share) * 100) / 100, kg / 2));
      written += 2;
    }
    if (isCat) catalogRows += written - n0;
  }
  await sink.close();
  return { path, rows: written, bytes: sink.bytes, catalogRows };
}

/** (c): 1 M X and 1 M M annual flows as canonical Parquet (the generator `bench/mirror.bench.ts` uses too). */
async function writeMirrorFlows(path: string, n: number) {
  const table = mirrorFlows(n);
  const bytes = encodeParquet(table);
  await writeFile(`${path}.tmp`, bytes);
  await rename(`${path}.tmp`, path);
  return { path, rows: table.numRows, bytes: bytes.length };
}

/**
 * (d): each row a seeded draw from the bundled sample's declarations: a new id and date (2022-01 … 2024-12),
 * parties from pools that grow with the row count (~200 declarations each), mass and value scaled together
 * by a lognormal factor and the value by ±15% noise.
 */
async function writeDeclarations(path: string, rows: number) {
  const rng = new Rng(`bench:declarations:${rows}`);
  const text = await readFile(join(ROOT, 'data/sample/declarations/declarations_7.csv'), 'utf8');
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = lines[0];
  const cols = header.split(',');
  const templates = lines.slice(1).map(splitCsvLine);
  const at = (name: string) => cols.indexOf(name);
  const [iDate, iDecl, iExp, iImp, iSel, iMass, iQty, iVal, iId] = ['date', 'declarant', 'exporter', 'importer', 'seller', 'net_mass_kg', 'quantity', 'value', 'declaration_id'].map(at);
  const pool = Math.max(1, Math.round(rows / 200 / 30));
  const day0 = Date.UTC(2022, 0, 1);
  const days = Math.floor((Date.UTC(2024, 11, 31) - day0) / 86_400_000);
  // dates in order, as customs extracts come
  const dayOf = Int32Array.from({ length: rows }, () => Math.floor(rng.next() * (days + 1))).sort();
  const sink = new TextSink(path);
  await sink.write(`${header}\n`);
  for (let i = 0; i < rows; i++) {
    const f = [...templates[Math.floor(rng.next() * templates.length)]];
    const party = Math.floor(rng.next() * pool);
    f[iId] = `B-${String(i + 1).padStart(7, '0')}`;
    f[iDate] = new Date(day0 + dayOf[i] * 86_400_000).toISOString().slice(0, 10);
    f[iDecl] = `${f[iDecl]}-${party % 7}`;
    f[iExp] = `${f[iExp]}-${party}`;
    f[iImp] = `${f[iImp]}-${party}`;
    f[iSel] = `${f[iSel]}-${party}`;
    const scale = Math.exp(rng.normal(0, 0.8));
    const mass = Number(f[iMass]);
    if (f[iMass] !== '' && mass === mass) f[iMass] = (mass * scale).toFixed(3);
    const qty = Number(f[iQty]);
    if (f[iQty] !== '' && qty === qty) f[iQty] = (qty * scale).toFixed(3);
    const value = Number(f[iVal]);
    if (f[iVal] !== '' && value === value) f[iVal] = (value * scale * rng.uniform(0.85, 1.15)).toFixed(2);
    await sink.write(`${f.map(quote).join(',')}\n`);
  }
  await sink.close();
  return { path, rows, bytes: sink.bytes };
}

/** Splits one line of the sample CSV (quoted fields, no newlines inside). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (line[q + 1] === '"') {
          s += line.slice(i, q + 1);
          i = q + 2;
        } else {
          s += line.slice(i, q);
          i = q + 2;
          break;
        }
      }
      out.push(s);
    } else {
      let e = line.indexOf(',', i);
      if (e < 0) e = line.length;
      out.push(line.slice(i, e));
      i = e + 1;
    }
  }
  return out;
}

/**
 * Seeded exporter- and importer-side annual flows for the mirror join: `n` per side over 60 countries × 500
 * HS6 codes, ~80% of keys on both sides, built straight as canonical columns.
 */
export function mirrorFlows(n: number): Table {
  const rng = new Rng('bench:mirror');
  const rnd = () => rng.next();
  const countries = Array.from({ length: 60 }, (_, i) => `C${String(i).padStart(2, '0')}`);
  const codes = Array.from({ length: 500 }, (_, i) => String(100000 + i * 1733));
  const rows = 2 * n;
  const rep = new Int32Array(rows), par = new Int32Array(rows), flow = new Int32Array(rows), hs = new Int32Array(rows);
  const val = new Float64Array(rows), kg = new Float64Array(rows);
  // every (exporter, importer, hs6) key at most once per side: a shuffled key space, X on its first n keys,
  // M on the same key 80% of the time and otherwise on a key after them (one flow per key and side, as a
  // reporter publishes it; n up to 1.4 M per side)
  const space = 60 * 59 * 500;
  if (n + Math.ceil(0.25 * n) > space) throw new Error(`mirrorFlows: at most ${Math.floor(space / 1.25)} flows per side`);
  const keys = Int32Array.from({ length: space }, (_, k) => k);
  for (let k = space - 1; k > 0; k--) {
    const j = Math.floor(rnd() * (k + 1));
    const t = keys[k];
    keys[k] = keys[j];
    keys[j] = t;
  }
  let spare = n;
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    const e = key % 60, rest = Math.floor(key / 60), im0 = rest % 59, h = Math.floor(rest / 59);
    const im = im0 >= e ? im0 + 1 : im0;
    rep[i] = e; par[i] = im; flow[i] = 0; hs[i] = h; val[i] = 1000 + rnd() * 1e6; kg[i] = val[i] / (5 + rnd() * 20);
    const j = n + i;
    const key2 = rnd() < 0.8 || spare >= space ? key : keys[spare++];
    const e2 = key2 % 60, r2 = Math.floor(key2 / 60), i2 = r2 % 59, h2 = Math.floor(r2 / 59);
    const im2 = i2 >= e2 ? i2 + 1 : i2;
    rep[j] = im2; par[j] = e2; flow[j] = 1; hs[j] = h2; val[j] = val[i] * (1.0 + rnd() * 0.2); kg[j] = kg[i];
  }
  return new Table({
    reporter: dictionaryVector(rep, countries),
    partner: dictionaryVector(par, countries),
    flow: dictionaryVector(flow, ['X', 'M']),
    hs6: dictionaryVector(hs, codes),
    period: dictionaryVector(new Int32Array(rows), ['2024']),
    source: dictionaryVector(new Int32Array(rows), ['comtrade']),
    cmd_level: int8Vector(new Int8Array(rows).fill(6)),
    hs_revision: dictionaryVector(new Int32Array(rows), ['HS2022']),
    value_usd: float64Vector(val),
    fob_usd: float64Vector(new Float64Array(rows).fill(NaN)),
    net_weight_kg: float64Vector(kg),
  });
}
