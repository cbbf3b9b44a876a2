/**
 * Worker thread of the parallel trade read: reads one byte range of a CSV file and scans it into a
 * TradePart (src/ingest/trade-part.ts). Started by {@link TradeWorkerPool} from a bundle of this file.
 */
import { parentPort } from 'node:worker_threads';
import { readRangeSync, type ByteRange } from '../io/byte-ranges.ts';
import { loadCountryNameIndex, loadCountryResolver } from '../io/reference.ts';
import { layoutByName } from '../ingest/ingest-trade.ts';
import type { IngestParams } from '../ingest/params.ts';
import { partBuffers, scanTradePart, type TradePart } from '../ingest/trade-part.ts';
import type { CountryNameIndex } from '../reference/country-names.ts';
import type { CountryResolver } from '../reference/countries.ts';
import { InputError } from '../base/errors.ts';

/** One range to read, as the pool posts it. */
export interface TradeRangeJob {
  id: number;
  path: string;
  display: string;
  range: ByteRange;
  /** The header, for a range after it; null for the range that starts the file. */
  header: string[] | null;
  last: boolean;
  layout: string;
  params: IngestParams;
  hsCodes: string[] | null;
  referenceDir: string;
}

/** What a worker posts back: progress in bytes read, then the part (or a failure outside the scan). */
export type TradeWorkerMessage =
  | { id: number; bytes: number }
  | { id: number; part: TradePart }
  | { id: number; failure: string }
  | { ready: true };

const PROGRESS_EVERY = 16 << 20;
let reference: Promise<{ resolver: CountryResolver; names: CountryNameIndex }> | null = null;
let referenceDir = '';

function referenceFor(dir: string) {
  if (!reference || dir !== referenceDir) {
    referenceDir = dir;
    reference = Promise.all([loadCountryResolver(dir), loadCountryNameIndex(dir)]).then(([resolver, names]) => ({ resolver, names }));
  }
  return reference;
}

async function run(job: TradeRangeJob): Promise<void> {
  const port = parentPort!;
  try {
    const { resolver, names } = await referenceFor(job.referenceDir);
    const layout = layoutByName(job.layout, job.params);
    if (layout === 'canonical') throw new Error('a CSV range cannot be read as canonical');
    const part = scanTradePart(counted(job, readRangeSync(job.path, job.range)), {
      display: job.display,
      layout,
      header: job.header,
      last: job.last,
      params: job.params,
      hsCodes: job.hsCodes,
      resolver,
      names,
    });
    port.postMessage({ id: job.id, part } satisfies TradeWorkerMessage, partBuffers(part));
  } catch (e) {
    port.postMessage({ id: job.id, failure: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies TradeWorkerMessage);
  }
}

/** Passes the chunks on, posting the bytes read every 16 MiB; a read error names the file, as the sequential read does. */
function* counted(job: TradeRangeJob, chunks: Iterable<Uint8Array>): Generator<Uint8Array> {
  let pending = 0;
  const it = chunks[Symbol.iterator]();
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = it.next();
    } catch (e) {
      throw new InputError(`${job.display}: cannot read: ${(e as Error).message}`);
    }
    if (next.done) break;
    pending += next.value.length;
    if (pending >= PROGRESS_EVERY) {
      parentPort!.postMessage({ id: job.id, bytes: pending } satisfies TradeWorkerMessage);
      pending = 0;
    }
    yield next.value;
  }
  if (pending) parentPort!.postMessage({ id: job.id, bytes: pending } satisfies TradeWorkerMessage);
}

parentPort?.on('message', (msg: TradeRangeJob | { warm: string }) => {
  if ('warm' in msg) void referenceFor(msg.warm).then(() => parentPort!.postMessage({ ready: true } satisfies TradeWorkerMessage));
  else void run(msg);
});
