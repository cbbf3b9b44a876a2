/**
 * The parallel read of large uncompressed CSV inputs: worker threads, each scanning one line-aligned byte
 * range of a file (src/io/byte-ranges.ts) into a TradePart that the main thread merges in file order.
 *
 * Compiled (`dist/`, the installed bin), workers run `dist/src/run/trade-worker.js`. From the TypeScript
 * sources (tsx, vitest), they run a bundle of `trade-worker.ts` made with esbuild (a devDependency) and
 * cached: a worker started on the sources through tsx's loader takes about a second to load, the bundle about
 * 30 ms. When no bundle can be made the caller reads every file on the main thread.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { writeFileAtomic } from '../io/atomic.ts';
import { lineAlignedRanges } from '../io/byte-ranges.ts';
import { REFERENCE_DIR } from '../io/catalog.ts';
import { CODE_DIR, COMPILED, PROJECT_ROOT } from '../io/project-paths.ts';
import type { IngestParams } from '../ingest/params.ts';
import type { TradePart } from '../ingest/trade-part.ts';
import type { TradeRangeJob, TradeWorkerMessage } from './trade-worker.ts';

/** Settings of the parallel read. */
export interface ParallelIngestOptions {
  /** Worker threads, one byte range each (default: the cores available); 1 or 0 reads every file on the main thread. */
  workers: number;
  /** Uncompressed CSV files smaller than this are read on the main thread (bytes, default 32 MiB). */
  minFileBytes: number;
}

/**
 * Defaults: as many workers as cores, files from 32 MiB. `TRADEWATCH_INGEST_WORKERS` and
 * `TRADEWATCH_INGEST_PARALLEL_MIN_BYTES` override them (an operator's knob: the tables do not depend on it).
 */
export function parallelIngestDefaults(env: NodeJS.ProcessEnv = process.env): ParallelIngestOptions {
  const num = (v: string | undefined, d: number) => (v !== undefined && v.trim() !== '' && Number.isFinite(Number(v)) ? Math.max(0, Math.floor(Number(v))) : d);
  return {
    workers: num(env.TRADEWATCH_INGEST_WORKERS, availableParallelism()),
    minFileBytes: num(env.TRADEWATCH_INGEST_PARALLEL_MIN_BYTES, 32 << 20),
  };
}

/** A file to read in ranges, with the run's settings. */
export interface RangeScan {
  path: string;
  display: string;
  bytes: number;
  header: string[];
  layout: string;
  params: IngestParams;
  hsCodes: string[] | null;
  /** Bytes read so far, for a progress bar. */
  onBytes?: (n: number) => void;
}

/** A fixed set of worker threads that read byte ranges of CSV files; close it when done. */
export class TradeWorkerPool {
  private nextId = 0;
  /** A worker's failure (one that could not even load, say): every later scan fails with it instead of waiting forever. */
  private failure: Error | null = null;
  private readonly pending = new Map<number, { resolve: (p: TradePart) => void; reject: (e: Error) => void; onBytes?: (n: number) => void }>();

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (m: TradeWorkerMessage) => this.receive(m));
      w.on('error', (e) => this.failAll(e));
      w.unref(); // an idle pool never keeps the process alive; a pending job refs its worker
    }
  }

  /** Starts `n` workers (they load the reference tables at once); null when the worker bundle cannot be made. */
  static async start(n: number): Promise<TradeWorkerPool | null> {
    if (n < 2) return null;
    let start: () => Worker;
    if (COMPILED) {
      const entry = pathToFileURL(join(CODE_DIR, 'src', 'run', 'trade-worker.js'));
      start = () => new Worker(entry);
    } else {
      const code = await workerBundle();
      if (code === null) return null;
      start = () => new Worker(code, { eval: true });
    }
    const workers = Array.from({ length: n }, start);
    for (const w of workers) w.postMessage({ warm: REFERENCE_DIR });
    return new TradeWorkerPool(workers);
  }

  /** Reads the file in one range per worker, in parallel; the parts come back in file order. */
  async scan(s: RangeScan): Promise<TradePart[]> {
    const ranges = await lineAlignedRanges(s.path, s.bytes, this.workers.length);
    return Promise.all(
      ranges.map((range, k) => {
        const job: TradeRangeJob = {
          id: this.nextId++, path: s.path, display: s.display, range, header: k === 0 ? null : s.header, last: k === ranges.length - 1,
          layout: s.layout, params: s.params, hsCodes: s.hsCodes, referenceDir: REFERENCE_DIR,
        };
        const worker = this.workers[k % this.workers.length];
        return new Promise<TradePart>((resolve, reject) => {
          if (this.failure) return reject(this.failure);
          this.pending.set(job.id, { resolve, reject, onBytes: s.onBytes });
          worker.ref();
          worker.postMessage(job);
        }).finally(() => worker.unref());
      }),
    );
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private receive(m: TradeWorkerMessage): void {
    if ('ready' in m) return;
    const job = this.pending.get(m.id);
    if (!job) return;
    if ('bytes' in m) job.onBytes?.(m.bytes);
    else {
      this.pending.delete(m.id);
      if ('part' in m) job.resolve(m.part);
      else job.reject(new Error(`trade worker: ${m.failure}`));
    }
  }

  private failAll(e: Error): void {
    this.failure ??= e;
    for (const job of this.pending.values()) job.reject(e);
    this.pending.clear();
  }
}

let bundle: Promise<string | null> | null = null;

/** Where built bundles are kept between processes (beside the other tools' caches; not in git). */
const CACHE_DIR = join(PROJECT_ROOT, 'node_modules', '.cache', 'tradewatch');
const CACHE_INDEX = join(CACHE_DIR, 'trade-worker.json');

/**
 * The worker's code as one CommonJS script, made once per process; null when esbuild is not there. The last
 * bundle is kept in node_modules/.cache with the sha256 of every source file in it, and reused while they
 * are unchanged (reading ~40 small files costs a few ms, building ~80 ms).
 */
function workerBundle(): Promise<string | null> {
  bundle ??= (async () => {
    const entry = fileURLToPath(new URL('./trade-worker.ts', import.meta.url));
    const cached = await readCachedBundle(entry).catch(() => null);
    if (cached !== null) return cached;
    try {
      const esbuild = loadEsbuild();
      const out = await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        write: false,
        metafile: true,
        logLevel: 'silent',
        // modules find the project's root from import.meta.url (src/io/project-paths.ts walks up to package.json)
        define: { 'import.meta.url': '__tradewatch_module_url' },
        banner: { js: `const __tradewatch_module_url = ${JSON.stringify(pathToFileURL(entry).href)};` },
      });
      const code = out.outputFiles[0].text;
      const inputs = Object.keys(out.metafile.inputs).map((f) => resolve(process.cwd(), f));
      await writeCachedBundle(entry, inputs, code).catch(() => {}); // a read-only install just builds every time
      return code;
    } catch {
      return null;
    }
  })();
  return bundle;
}

interface BundleIndex {
  entry: string;
  inputs: string[];
  key: string;
  file: string;
}

async function sourcesKey(inputs: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const f of inputs) hash.update(f).update('\0').update(await readFile(f)).update('\0');
  return hash.digest('hex');
}

async function readCachedBundle(entry: string): Promise<string | null> {
  const index = JSON.parse(await readFile(CACHE_INDEX, 'utf8')) as BundleIndex;
  if (index.entry !== entry || index.key !== (await sourcesKey(index.inputs))) return null;
  return readFile(join(CACHE_DIR, index.file), 'utf8');
}

async function writeCachedBundle(entry: string, inputs: string[], code: string): Promise<void> {
  const key = await sourcesKey(inputs);
  const file = `trade-worker-${key.slice(0, 16)}.cjs`;
  await mkdir(CACHE_DIR, { recursive: true });
  await writeFileAtomic(join(CACHE_DIR, file), code);
  await writeFileAtomic(CACHE_INDEX, JSON.stringify({ entry, inputs, key, file } satisfies BundleIndex));
}

interface Esbuild {
  build(o: Record<string, unknown>): Promise<{ outputFiles: { text: string }[]; metafile: { inputs: Record<string, unknown> } }>;
}

function loadEsbuild(): Esbuild {
  const require = createRequire(import.meta.url);
  try {
    return require('esbuild') as Esbuild;
  } catch {
    return createRequire(require.resolve('tsx/package.json'))('esbuild') as Esbuild;
  }
}
