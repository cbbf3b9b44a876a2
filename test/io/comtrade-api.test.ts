import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ComtradeRequestError,
  QuotaError,
  backoffMs,
  createComtradeClient,
  describeRequest,
  normalizeRequest,
  parseApiBody,
  type ClientOptions,
} from '../../src/io/comtrade-api.ts';
import { memoryLog } from '../../src/base/log.ts';
import { QUOTA_BODY, makeRecords, startFakeComtrade, type FakeComtrade } from './fake-comtrade.ts';

const KEY = 'k-3f9a-secret';
let api: FakeComtrade;
let sleeps: number[];

beforeAll(async () => {
  api = await startFakeComtrade(makeRecords({ reporters: [156], partners: [0, 764, 842], months: ['202401'], cmds: ['811010'], flows: ['X'] }), []);
});
afterAll(() => api.close());
beforeEach(() => {
  api.log.length = 0;
  api.quotaAfter(null);
  sleeps = [];
});

function client(over: Partial<ClientOptions> = {}, random = () => 0) {
  const opts: ClientOptions = { baseUrl: api.baseUrl, key: KEY, maxRetries: 3, backoffBaseSeconds: 1, backoffMaxSeconds: 60, timeoutSeconds: 30, ...over };
  return createComtradeClient(opts, {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random,
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
}

const REQ = normalizeRequest('/data/v1/get/C/M/HS', { reporterCode: '156', period: '202401', cmdCode: '811010', maxRecords: '100' });

describe('normalizeRequest and describeRequest', () => {
  it('sorts keys and comma-list items and drops empty values, so the same question is the same request', () => {
    const a = normalizeRequest('/p', { period: '202402,202401', cmdCode: '811292,811010', partnerCode: '', motCode: '0', flowCode: undefined });
    const b = normalizeRequest('/p', { motCode: '0', cmdCode: '811010,811292', period: '202401,202402' });
    expect(a).toEqual(b);
    expect(Object.keys(a.query)).toEqual(['cmdCode', 'motCode', 'period']);
    expect(describeRequest(a)).toBe('GET /p?cmdCode=811010,811292&motCode=0&period=202401,202402');
  });
});

describe('the Comtrade client', () => {
  it('sends the key as Ocp-Apim-Subscription-Key, never in the URL, and returns the body with its record count', async () => {
    const a = await client()(REQ);
    expect(a.count).toBe(3);
    expect(JSON.parse(a.body).data.map((r: { partnerCode: number }) => r.partnerCode)).toEqual([0, 764, 842]);
    expect(api.log).toHaveLength(1);
    expect(api.log[0].headers['ocp-apim-subscription-key']).toBe(KEY);
    expect(api.log[0].query).toEqual({ cmdCode: '811010', maxRecords: '100', period: '202401', reporterCode: '156' });
    expect(sleeps).toEqual([]);
  });

  it('sends no key header without a key', async () => {
    await client({ key: null })(REQ);
    expect(api.log[0].headers['ocp-apim-subscription-key']).toBeUndefined();
  });

  it('waits exactly Retry-After on a 429 (no jitter) and then succeeds', async () => {
    api.cue({ status: 429, headers: { 'Retry-After': '2' }, body: JSON.stringify({ statusCode: 429, message: 'Rate limit is exceeded. Try again in 2 seconds.' }) });
    const a = await client()(REQ);
    expect(a.count).toBe(3);
    expect(sleeps).toEqual([2000]);
    expect(api.log.map((l) => l.status)).toEqual([429, 200]);
  });

  it('reads a Retry-After given as an HTTP date against the injected clock', async () => {
    api.cue({ status: 503, headers: { 'Retry-After': 'Thu, 01 Jan 2026 00:00:07 GMT' } });
    await client()(REQ);
    expect(sleeps).toEqual([7000]);
  });

  it('backs off exponentially with jitter on 5xx: waits from the upper half of 1 s, 2 s, 4 s', async () => {
    for (let i = 0; i < 3; i++) api.cue({ status: 500 });
    await client()(REQ);
    expect(sleeps).toEqual([500, 1000, 2000]); // random() = 0: the lower edge of each half
    expect(api.log.map((l) => l.status)).toEqual([500, 500, 500, 200]);
    sleeps = [];
    for (let i = 0; i < 2; i++) api.cue({ status: 502 });
    await client({}, () => 0.5)(REQ);
    expect(sleeps).toEqual([750, 1500]);
  });

  it('caps the back-off at backoffMaxSeconds', () => {
    const p = { backoffBaseSeconds: 1, backoffMaxSeconds: 3 };
    expect([0, 1, 2, 3, 4].map((k) => backoffMs(k, p, 0))).toEqual([500, 1000, 1500, 1500, 1500]);
    expect(backoffMs(5, p, 0.999999)).toBe(3000);
  });

  it('gives up after maxRetries with an error naming the request and the last status, not the key', async () => {
    for (let i = 0; i < 3; i++) api.cue({ status: 500, body: JSON.stringify({ statusCode: 500, message: 'Internal server error' }) });
    const e = await client({ maxRetries: 2 })(REQ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ComtradeRequestError);
    expect((e as Error).message).toBe(
      'GET /data/v1/get/C/M/HS?cmdCode=811010&maxRecords=100&period=202401&reporterCode=156: HTTP 500: Internal server error; gave up after 3 attempts',
    );
    expect((e as ComtradeRequestError).status).toBe(500);
    expect((e as Error).message).not.toContain(KEY);
    expect(api.log).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('stops at once on the daily quota (403 "Out of call volume quota"): a QuotaError, no retry', async () => {
    api.cue({ status: 403, body: QUOTA_BODY });
    const e = await client()(REQ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QuotaError);
    expect((e as QuotaError).exitCode).toBe(4);
    expect((e as Error).message).toContain('Out of call volume quota');
    expect((e as QuotaError).request).toBe(describeRequest(REQ));
    expect(api.log).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('does not retry a 400 or a 200 that carries an error, and retries a 200 that is not JSON', async () => {
    api.cue({ status: 400, body: JSON.stringify({ statusCode: 400, message: 'Invalid parameter cmdCode' }) });
    const e400 = await client()(REQ).catch((x: unknown) => x);
    expect((e400 as Error).message).toMatch(/: HTTP 400: Invalid parameter cmdCode$/);
    expect(api.log).toHaveLength(1);

    api.cue({ status: 200, body: JSON.stringify({ count: 0, data: [], error: 'period must be YYYY or YYYYMM' }) });
    const e200 = await client()(REQ).catch((x: unknown) => x);
    expect((e200 as Error).message).toMatch(/the API answered with an error: period must be YYYY or YYYYMM$/);
    expect(api.log).toHaveLength(2);

    api.cue({ status: 200, body: '{"count": 3, "data": [{"per' });
    const log = memoryLog();
    const a = await createComtradeClient(
      { baseUrl: api.baseUrl, key: KEY, maxRetries: 3, backoffBaseSeconds: 1, backoffMaxSeconds: 60, timeoutSeconds: 30 },
      { sleep: async (ms) => void sleeps.push(ms), random: () => 0, log },
    )(REQ);
    expect(a.count).toBe(3);
    expect(sleeps).toEqual([500]);
    expect(log.events.find((x) => x.event === 'fetch.retry')?.fields).toMatchObject({ status: 200, attempt: 1, wait_s: 0.5 });
  });

  it('retries when nothing answers, and names the request when it never does', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r())); // a port nobody listens on any more
    const dead = createComtradeClient(
      { baseUrl: `http://127.0.0.1:${port}`, key: KEY, maxRetries: 1, backoffBaseSeconds: 1, backoffMaxSeconds: 60, timeoutSeconds: 5 },
      { sleep: async (ms) => void sleeps.push(ms), random: () => 0 },
    );
    const e = await dead(REQ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ComtradeRequestError);
    expect((e as Error).message).toMatch(/^GET \/data\/v1\/get\/C\/M\/HS\?cmdCode=811010.*: no answer \(ECONNREFUSED\); gave up after 2 attempts$/);
    expect(sleeps).toEqual([500]);
  });
});

describe('parseApiBody', () => {
  it('counts the records, taking the larger of count and the data length', () => {
    expect(parseApiBody('{"count": 2, "data": [{}, {}]}').count).toBe(2);
    expect(parseApiBody('{"data": [{}, {}, {}]}').count).toBe(3);
    expect(() => parseApiBody('{"count": 1}')).toThrow('the answer has no data list');
  });
});
