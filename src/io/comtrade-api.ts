import { EXIT } from '../base/errors.ts';
import { silentLog, type Log } from '../base/log.ts';

/**
 * One GET to the UN Comtrade API as tradewatch sends it and caches it: a path and a query with sorted
 * keys, sorted list items and no empty values. The subscription key is never part of it (it travels
 * in a header), so requests can be logged, cached and named in errors.
 */
export interface ApiRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
}

/** Retry and timeout settings of {@link createComtradeClient} (the `fetch` config slice has them). */
export interface ClientOptions {
  /** Scheme and host, e.g. `https://comtradeapi.un.org`. */
  baseUrl: string;
  /** Subscription key, sent as `Ocp-Apim-Subscription-Key`; null for the keyless endpoints. */
  key: string | null;
  maxRetries: number;
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
  timeoutSeconds: number;
}

/** Effects the client needs, passed in so tests neither wait nor depend on chance. */
export interface HttpEffects {
  fetch?: typeof globalThis.fetch;
  /** Waits `ms` milliseconds (tests record the waits instead). */
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1), for the back-off jitter. */
  random?: () => number;
  /** For `Retry-After` given as an HTTP date. */
  now?: () => Date;
  log?: Log;
}

/** A 200 answer: its body as received (what the cache keeps) and the number of records it holds. */
export interface ApiAnswer {
  body: string;
  count: number;
}

/** A request the API refused or kept failing after every retry; names the request, never the key. */
export class ComtradeRequestError extends Error {
  override readonly name = 'ComtradeRequestError';
  readonly exitCode = EXIT.failed;
  /** Not a fault in tradewatch: the CLI prints the message without the bug-report line. */
  readonly reported = true;
  constructor(
    message: string,
    /** The request, as {@link describeRequest} writes it. */
    readonly request: string,
    /** HTTP status of the last answer, or null when there was none (network error, timeout). */
    readonly status: number | null,
  ) {
    super(message);
  }
}

/** The API's daily call quota is used up: nothing more can be fetched until it is replenished. */
export class QuotaError extends Error {
  override readonly name = 'QuotaError';
  readonly exitCode = EXIT.quota;
  readonly reported = true;
  constructor(
    message: string,
    readonly request: string,
  ) {
    super(message);
  }
}

/**
 * Normalises a request: drops empty values, sorts the query keys and the items of comma lists, so the
 * same question always gives the same request (and cache key) whatever order it was built in.
 */
export function normalizeRequest(path: string, query: Readonly<Record<string, string | undefined>>): ApiRequest {
  const out: Record<string, string> = {};
  for (const k of Object.keys(query).sort()) {
    const v = query[k];
    if (v === undefined || v === '') continue;
    out[k] = v.includes(',') ? [...new Set(v.split(','))].sort().join(',') : v;
  }
  return { path, query: out };
}

/** `GET /path?a=1&b=2` with the query in its normalised order (no key: safe to log and print). */
export function describeRequest(req: ApiRequest): string {
  const q = new URLSearchParams(req.query as Record<string, string>).toString();
  return `GET ${req.path}${q ? `?${decodeURIComponent(q)}` : ''}`;
}

/**
 * Parses an answer body: `{ count, data: [...] }`. Throws when it is not JSON of that shape, or when
 * it carries an `error` text (the API answers some bad queries with 200 and an error).
 */
export function parseApiBody(body: string): { count: number; data: Record<string, unknown>[] } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new BrokenAnswer(`the answer is not JSON (${body.length} bytes, starting ${JSON.stringify(body.slice(0, 40))})`);
  }
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { data?: unknown }).data)) {
    throw new BrokenAnswer('the answer has no data list');
  }
  const { data, count, error } = json as { data: Record<string, unknown>[]; count?: unknown; error?: unknown };
  if (typeof error === 'string' && error.trim() !== '') throw new RefusedAnswer(`the API answered with an error: ${error.trim()}`);
  return { count: Math.max(typeof count === 'number' ? count : 0, data.length), data };
}

/**
 * A function that sends one request and returns the 200 answer, retrying 429, 5xx, network errors,
 * timeouts and broken answers with exponential back-off and jitter (a `Retry-After` is honoured as
 * given). Throws {@link QuotaError} at once when the daily quota is used up, and
 * {@link ComtradeRequestError} naming the request for any other refusal or when the retries run out.
 */
export function createComtradeClient(opts: ClientOptions, fx: HttpEffects = {}): (req: ApiRequest) => Promise<ApiAnswer> {
  const doFetch = fx.fetch ?? globalThis.fetch;
  const sleep = fx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = fx.random ?? Math.random;
  const now = fx.now ?? (() => new Date());
  const log = fx.log ?? silentLog;
  const base = opts.baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.key) headers['Ocp-Apim-Subscription-Key'] = opts.key;

  return async function send(req: ApiRequest): Promise<ApiAnswer> {
    const what = describeRequest(req);
    const url = `${base}${req.path}?${new URLSearchParams(req.query as Record<string, string>).toString()}`;
    for (let attempt = 0; ; attempt++) {
      let status: number | null = null;
      let why: string;
      let retryAfterMs: number | null = null;
      try {
        const res = await doFetch(url, { headers, signal: AbortSignal.timeout(opts.timeoutSeconds * 1000) });
        status = res.status;
        const body = await res.text();
        if (res.status === 200) {
          try {
            const { count } = parseApiBody(body);
            log('fetch.answer', { request: what, records: count, attempt });
            return { body, count };
          } catch (e) {
            if (e instanceof RefusedAnswer) throw new ComtradeRequestError(`${what}: ${e.message}`, what, status);
            throw e;
          }
        }
        const message = messageOf(body);
        if ((res.status === 403 || res.status === 429) && /quota/i.test(message)) {
          throw new QuotaError(`${what}: the daily call quota is used up (HTTP ${res.status}: ${message})`, what);
        }
        if (res.status === 401 || (res.status === 403 && !opts.key)) {
          throw new ComtradeRequestError(`${what}: HTTP ${res.status}: ${message} — check COMTRADE_API_KEY`, what, status);
        }
        if (res.status !== 429 && res.status < 500) throw new ComtradeRequestError(`${what}: HTTP ${res.status}: ${message}`, what, status);
        why = `HTTP ${res.status}: ${message}`;
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now());
      } catch (e) {
        if (e instanceof QuotaError || e instanceof ComtradeRequestError) throw e;
        why = e instanceof BrokenAnswer ? e.message : `no answer (${causeOf(e)})`;
      }
      if (attempt >= opts.maxRetries) {
        throw new ComtradeRequestError(`${what}: ${why}; gave up after ${attempt + 1} attempt${attempt ? 's' : ''}`, what, status);
      }
      const waitMs = retryAfterMs ?? backoffMs(attempt, opts, random());
      log('fetch.retry', { level: 'warn', request: what, status, reason: why, attempt: attempt + 1, wait_s: waitMs / 1000 });
      await sleep(waitMs);
    }
  };
}

/**
 * The wait before retry `attempt + 1`, ms: the back-off doubles from `backoffBaseSeconds` up to
 * `backoffMaxSeconds`, and the wait is drawn from its upper half ("equal jitter"), so clients that
 * failed together do not retry together but none retries at once.
 */
export function backoffMs(attempt: number, p: Pick<ClientOptions, 'backoffBaseSeconds' | 'backoffMaxSeconds'>, u: number): number {
  const ceiling = Math.min(p.backoffMaxSeconds, p.backoffBaseSeconds * 2 ** attempt) * 1000;
  return Math.round(ceiling / 2 + (u * ceiling) / 2);
}

/** `Retry-After` as milliseconds: delta seconds or an HTTP date; null when absent or unreadable. */
function parseRetryAfter(header: string | null, now: Date): number | null {
  if (header === null) return null;
  const t = header.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const at = Date.parse(t);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** The API's own message (`{"statusCode":…,"message":…}`), else the start of the body. */
function messageOf(body: string): string {
  try {
    const j = JSON.parse(body) as { message?: unknown; error?: unknown };
    if (typeof j.message === 'string') return j.message;
    if (typeof j.error === 'string') return j.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = body.trim().replace(/\s+/g, ' ');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text || '(empty body)';
}

function causeOf(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'TimeoutError') return 'timed out';
    const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? e.message;
  }
  return String(e);
}

/** A 200 answer that cannot be read (cut short, not JSON): worth another try. */
class BrokenAnswer extends Error {}
/** A 200 answer that says the query is wrong: another try would get the same. */
class RefusedAnswer extends Error {}
