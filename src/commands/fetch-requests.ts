import pLimit from 'p-limit';
import { ComtradeRequestError, describeRequest, parseApiBody, type ApiAnswer, type ApiRequest } from '../io/comtrade-api.ts';
import { ResponseCache } from '../io/fetch-cache.ts';
import { availabilityRequest, dataRequest, planQueries, splitQuery, type DataQuery, type QuerySettings } from './fetch-plan.ts';
import type { Log } from '../base/log.ts';

/** One request of a fetch, as `fetch-state.json` lists it. */
export interface RequestRecord {
  /** `availability.<i>`, or the data question's place in the split tree (`0.1.0`). */
  id: string;
  kind: 'availability' | 'data';
  /** The request as {@link describeRequest} writes it. */
  request: string;
  /** Its cache key. */
  key: string;
  /** `done` answered under the cap; `split` answered at the cap and asked again in parts; `pending` not asked yet. */
  status: 'pending' | 'done' | 'split' | 'failed';
  records: number | null;
  /** Sort key: plan order (availability first, then the split tree depth-first). */
  order: number[];
}

/** What {@link fetchAnswers} asks. */
export interface FetchQuestion {
  /** Everything wanted; split into requests here. */
  query: DataQuery;
  /** The data (or preview) endpoint's parameters; `maxRecords` is the cap an answer is judged against. */
  settings: QuerySettings;
  /** Path of the availability endpoint, with `{freq}`. */
  availabilityPath: string;
  maxPeriodsPerRequest: number;
  concurrency: number;
  /** Says how to get a larger cap, in the error for an answer that fills the cap and cannot be split. */
  capHint: string;
}

/** The answers of a fetch, and where it stopped if it did. */
export interface FetchOutcome {
  /** The records of every availability answer. */
  availability: Record<string, unknown>[];
  /** Data requests answered under the cap, in plan order: the answers to read. */
  leaves: RequestRecord[];
  /** Every request met, in plan order. */
  requests: RequestRecord[];
  counts: { 'requests.sent': number; 'requests.cached': number; 'requests.split': number };
  /** The first error that stopped the fetch (the quota, a request refused or failing for good, an answer that cannot be split), or null. */
  stoppedBy: Error | null;
}

/** Thrown into requests that were not sent because the fetch is stopping. */
const STOPPED = Symbol('stopped');

/**
 * Answers every question of a fetch from the cache, else from the API (caching each answer): first
 * what each reporter published, then the data in chunks of periods, splitting any question whose
 * answer reaches the cap (by period, reporter, product, flow) and asking the parts. Up to
 * `concurrency` requests are in flight. When a request fails for good it sends nothing more, lets the
 * requests in flight finish (their answers are cached), and returns with `stoppedBy` set, so the
 * caller can save the state; a rerun finds every answer it got in the cache.
 */
export async function fetchAnswers(q: FetchQuestion, cache: ResponseCache, send: (req: ApiRequest) => Promise<ApiAnswer>, log: Log): Promise<FetchOutcome> {
  const limit = pLimit(q.concurrency);
  const cap = q.settings.maxRecords;
  const counts = { 'requests.sent': 0, 'requests.cached': 0, 'requests.split': 0 };
  const requests: RequestRecord[] = [];
  const leaves: RequestRecord[] = [];
  const availability: Record<string, unknown>[] = [];
  const halt: { error: Error | null } = { error: null };
  /** Every error a request ended with: reported through `stoppedBy` and the state, not thrown. */
  const failures = new Set<unknown>();

  async function answer(req: ApiRequest, kind: RequestRecord['kind'], id: string, order: number[]): Promise<{ rec: RequestRecord; body: string; count: number }> {
    const rec: RequestRecord = { id, kind, request: describeRequest(req), key: ResponseCache.key(req), status: 'pending', records: null, order };
    requests.push(rec);
    const cached = await cache.read(req);
    if (cached !== null) {
      const count = countOf(cached);
      if (count !== null) {
        counts['requests.cached']++;
        return { rec, body: cached, count };
      }
      // the cache only ever holds whole answers, so something else wrote this one: asked again and replaced
      log('fetch.cache_unreadable', { level: 'warn', request: rec.request, key: rec.key });
    }
    return limit(async () => {
      if (halt.error) throw STOPPED;
      try {
        const a = await send(req);
        await cache.write(req, a.body);
        counts['requests.sent']++;
        return { rec, ...a };
      } catch (e) {
        rec.status = 'failed';
        halt.error ??= e as Error;
        failures.add(e);
        throw e;
      }
    });
  }

  async function visit(query: DataQuery, order: number[]): Promise<void> {
    const { rec, count } = await answer(dataRequest(query, q.settings), 'data', order.join('.'), order);
    rec.records = count;
    if (count < cap) {
      rec.status = 'done';
      leaves.push(rec);
      return;
    }
    const parts = splitQuery(query, reportersIn);
    if (!parts) {
      rec.status = 'failed';
      const message = `${rec.request}: ${count} records, the result cap, for one period, reporter, product and flow: it cannot be split further (${q.capHint})`;
      const e = new ComtradeRequestError(message, rec.request, 200);
      halt.error ??= e;
      failures.add(e);
      throw e;
    }
    rec.status = 'split';
    counts['requests.split']++;
    log('fetch.split', { request: rec.request, records: count, into: parts.length });
    await settle(parts.map((part, i) => visit(part, [...order, i])));
  }

  /** Reporters that published any of `periods`, by the availability answers: what "every reporter" is split over. */
  function reportersIn(periods: readonly string[]): number[] {
    const set = new Set(periods);
    const codes = new Set<number>();
    for (const r of availability) if (set.has(String(r.period)) && Number.isInteger(r.reporterCode)) codes.add(r.reporterCode as number);
    return [...codes].sort((a, b) => a - b);
  }

  const { freq, reporters } = q.query;
  const chunks = planQueries(q.query, q.maxPeriodsPerRequest);
  await settle(
    chunks.map(async (c, i) => {
      const { rec, body, count } = await answer(availabilityRequest(q.availabilityPath, freq, c.periods, reporters), 'availability', `availability.${i}`, [-1, i]);
      for (const r of parseApiBody(body).data) availability.push(r);
      rec.status = 'done';
      rec.records = count;
    }),
  ).catch(ignoreStopped);
  if (!halt.error) await settle(chunks.map((c, i) => visit(c, [i]))).catch(ignoreStopped);
  if (halt.error) log('fetch.stopped', { level: 'warn', reason: halt.error.message });
  return { availability, leaves: leaves.sort(byOrder), requests: requests.sort(byOrder), counts, stoppedBy: halt.error };

  /** Errors of requests are reported by the caller through `stoppedBy`; anything else is a bug and goes up. */
  function ignoreStopped(e: unknown): void {
    if (e === STOPPED || failures.has(e)) return;
    throw e;
  }
}

/** Records in a cached answer, or null when it cannot be read. */
function countOf(body: string): number | null {
  try {
    return parseApiBody(body).count;
  } catch {
    return null;
  }
}

/** Waits for every promise; then rethrows the first failure, preferring a real error to {@link STOPPED}. */
async function settle(promises: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  if (failed.length) throw failed.find((e) => e !== STOPPED) ?? STOPPED;
}

function byOrder(a: { order: number[] }, b: { order: number[] }): number {
  for (let i = 0; i < Math.min(a.order.length, b.order.length); i++) if (a.order[i] !== b.order[i]) return a.order[i] - b.order[i];
  return a.order.length - b.order.length;
}
