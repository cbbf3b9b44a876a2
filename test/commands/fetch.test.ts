import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ComtradeRequestError, QuotaError } from '../../src/io/comtrade-api.ts';
import { loadCatalog } from '../../src/io/catalog.ts';
import { readParquet, readParquetSchema } from '../../src/io/parquet.ts';
import { resolveHsSelector } from '../../src/reference/catalog.ts';
import { runFetch, type FetchArgs, type FetchEffects } from '../../src/commands/fetch.ts';
import { rowsOf } from '../helpers.ts';
import { makeAvailability, makeRecords, startFakeComtrade, type FakeComtrade } from '../io/fake-comtrade.ts';
import { quietMain as captured } from '../cli/quiet-main.ts';

const KEY = 'k-7c2e-secret';
const MONTHS = ['202401', '202402', '202403', '202404', '202405', '202406'];
// Thailand has not published June: no records, no availability
const RECORDS = makeRecords({ reporters: [156, 764, 842], partners: [0, 156, 764, 842, 699], months: MONTHS, cmds: ['811010', '811292'], flows: ['X', 'M'] })
  .filter((r) => !(r.reporterCode === 764 && r.period === '202406'));
const AVAILABILITY = makeAvailability(MONTHS.flatMap((m) => [156, 764, 842].filter((r) => !(r === 764 && m === '202406')).map((r): [number, string] => [r, m])));

let api: FakeComtrade;
let dir: string;
let sleeps: number[];
let runs = 0;

beforeAll(async () => {
  api = await startFakeComtrade(RECORDS, AVAILABILITY);
  dir = await mkdtemp(join(tmpdir(), 'tw-fetch-'));
});
afterAll(() => api.close());
beforeEach(() => {
  api.log.length = 0;
  api.quotaAfter(null);
  sleeps = [];
});

function fx(over: Partial<FetchEffects> = {}): FetchEffects {
  return {
    env: { COMTRADE_API_KEY: KEY },
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0,
    now: () => new Date('2026-01-01T00:00:00Z'),
    runId: () => 'test-run',
    ...over,
  };
}

/** Arguments for a fetch against the fake API into fresh folders (or the given cache). */
function args(over: Partial<FetchArgs> & { sets?: string[] } = {}): FetchArgs {
  runs++;
  const { sets = [], ...rest } = over;
  return {
    source: 'comtrade',
    period: '2024-01:2024-06',
    hs: '811010,811292',
    cache: join(dir, `cache-${runs}`),
    out: join(dir, `out-${runs}`),
    set: [`fetch.baseUrl="${api.baseUrl}"`, 'fetch.flowCodes=["X","M"]', ...sets],
    ...rest,
  };
}

const dataRequests = () => api.log.filter((l) => l.path.startsWith('/data/v1/get/'));
const json = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

describe('fetch comtrade: splitting at the result cap', () => {
  it('splits by period, then by the reporters that published, until every answer is under the cap; a rerun sends nothing', async () => {
    const a = args({ sets: ['fetch.maxRecords=30', 'fetch.maxPeriodsPerRequest=3'] });
    const s = await runFetch(a, fx());

    // 2 availability requests (3 months each) and 32 data requests: per chunk the root, the two-month
    // half, and per month itself, {CHN,THA} (32 ≥ 30: split again), USA, CHN, THA — June has no THA
    expect(api.log).toHaveLength(34);
    expect(api.log.every((l) => l.status === 200 && l.headers['ocp-apim-subscription-key'] === KEY)).toBe(true);
    expect(new Set(api.log.map((l) => `${l.path}?${new URLSearchParams(l.query)}`)).size).toBe(34);
    const data = dataRequests();
    expect(data).toHaveLength(32);
    const answered = (q: Record<string, string>) => RECORDS.filter((r) =>
      Object.entries(q).every(([k, v]) => !['period', 'reporterCode', 'cmdCode', 'flowCode'].includes(k) || v.split(',').includes(String(r[k]))));
    const sizes = data.map((l) => Math.min(30, answered(l.query).length));
    expect(sizes.filter((n) => n >= 30)).toHaveLength(15); // truncated: split
    expect(sizes.filter((n) => n < 30)).toEqual(Array(17).fill(16)); // leaves: one reporter × month
    const june = data.filter((l) => l.query.period === '202406').map((l) => l.query.reporterCode ?? 'all');
    expect(june.sort()).toEqual(['156', '842', 'all']);

    expect(s.counts).toMatchObject({ 'requests.sent': 34, 'requests.cached': 0, 'requests.split': 15, 'requests.total': 34, 'requests.answers_read': 17 });
    const flows = await readParquet(join(a.out, 'flows.parquet'));
    const areas = await readParquet(join(a.out, 'areas.parquet'));
    const countryRecords = RECORDS.filter((r) => r.partnerCode !== 0);
    expect(flows.numRows).toBe(countryRecords.length);
    expect(flows.numRows).toBe(204);
    expect(areas.numRows).toBe(68);
    const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
    expect(sum(rowsOf(flows, ['value_usd']).map((r) => r.value_usd as number))).toBe(sum(countryRecords.map((r) => r.primaryValue as number)));
    expect(rowsOf(flows, ['period', 'reporter', 'partner', 'flow', 'cmd_code', 'value_usd', 'cif_usd', 'fob_usd', 'net_weight_kg', 'qty_unit', 'source'])
      .find((r) => r.period === '2024-03' && r.reporter === 'THA' && r.partner === 'IND' && r.flow === 'M' && r.cmd_code === '811292'))
      .toEqual({ period: '2024-03', reporter: 'THA', partner: 'IND', flow: 'M', cmd_code: '811292', value_usd: 1993, cif_usd: 1993, fob_usd: null, net_weight_kg: 199.3, qty_unit: 'kg', source: 'comtrade' });

    const state = await json(join(a.out, 'fetch-state.json'));
    expect(state).toMatchObject({ schema: 'tradewatch/fetch-state/v1', status: 'complete', done: 34, total: 34 });
    expect(state.requests.filter((r: { status: string }) => r.status === 'split')).toHaveLength(15);
    expect((await readdir(a.out)).sort()).toEqual([
      'areas.parquet', 'availability.parquet', 'consignment.parquet', 'fetch-state.json', 'flows.parquet', 'manifest.json', 'rejects.parquet', 'subflows.parquet',
    ]);

    // the same fetch again with the same cache: nothing is sent, the tables are byte-identical
    api.log.length = 0;
    const again = { ...a, out: join(dir, 'out-again') };
    const s2 = await runFetch(again, fx());
    expect(api.log).toEqual([]);
    expect(s2.counts).toMatchObject({ 'requests.sent': 0, 'requests.cached': 34 });
    expect(s2.outputs).toEqual(s.outputs);
    const m1 = await json(join(a.out, 'manifest.json'));
    const m2 = await json(join(again.out, 'manifest.json'));
    expect(m2.inputs).toEqual(m1.inputs);
    expect(m1.inputs).toHaveLength(19); // 17 data answers and 2 availability answers
  });

  it('records which reporter published which period in availability.parquet', async () => {
    const a = args({ sets: ['fetch.maxPeriodsPerRequest=3'] });
    await runFetch(a, fx());
    const rows = rowsOf(await readParquet(join(a.out, 'availability.parquet')));
    expect(rows).toHaveLength(18);
    expect(rows.filter((r) => !r.published)).toEqual([
      { reporter: 'THA', period: '2024-06', freq: 'M', published: false, records: null, first_released: null, last_released: null },
    ]);
    expect(rows[0]).toEqual({ reporter: 'CHN', period: '2024-01', freq: 'M', published: true, records: 100156, first_released: Date.UTC(2024, 0, 28), last_released: Date.UTC(2025, 0, 15) });
    // release dates are written as Parquet dates and read back as Arrow Date32 (#19 item 8)
    const schema = await readParquetSchema(join(a.out, 'availability.parquet'));
    for (const c of ['first_released', 'last_released']) expect(String(schema.fields.find((f) => f.name === c)!.type)).toBe('Date32<DAY>');
    expect(rows.map((r) => `${r.reporter} ${r.period}`).slice(0, 7)).toEqual([
      'CHN 2024-01', 'CHN 2024-02', 'CHN 2024-03', 'CHN 2024-04', 'CHN 2024-05', 'CHN 2024-06', 'THA 2024-01',
    ]);
  });

  it('treats an answer of exactly the cap as truncated and splits it, here by product code', async () => {
    // China in January: 2 codes × 2 flows × 4 partners = 16 records, the cap
    const a = args({ period: '2024-01', reporters: ['CHN'], sets: ['fetch.maxRecords=16'] });
    const s = await runFetch(a, fx());
    // the two halves are asked at once (fetch.concurrency): their order in the server's log is the order they arrived
    const [whole, ...halves] = dataRequests().map((l) => `${l.query.cmdCode} ${l.query.reporterCode}`);
    // 811231 is asked too: the comparator of 811292, read beside it (the server has none of it)
    expect([whole, ...halves.sort()]).toEqual(['811010,811231,811292 156', '811010,811231 156', '811292 156']);
    expect(s.counts).toMatchObject({ 'requests.split': 1, 'requests.answers_read': 2 });
    expect((await readParquet(join(a.out, 'flows.parquet'))).numRows).toBe(12);
  });

  it('fails naming the request when one period, reporter, product and flow still fills the cap', async () => {
    const a = args({ period: '2024-01', reporters: ['CHN'], hs: '811010', sets: ['fetch.maxRecords=4', 'fetch.flowCodes=["X"]'] });
    const e = await runFetch(a, fx()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ComtradeRequestError);
    expect((e as Error).message).toBe(
      'GET /data/v1/get/C/M/HS?cmdCode=811010&customsCode=C00&flowCode=X&includeDesc=false&maxRecords=4&motCode=0&partner2Code=0&period=202401&reporterCode=156: ' +
        '4 records, the result cap, for one period, reporter, product and flow: it cannot be split further (raise fetch.maxRecords if your subscription allows more)',
    );
    expect(await json(join(a.out, 'fetch-state.json'))).toMatchObject({ status: 'failed', done: 1, total: 2 });
    expect(existsSync(join(a.out, 'flows.parquet'))).toBe(false);
  });
});

describe('fetch comtrade: retries, quota and resume', () => {
  it('retries a 429 after its Retry-After and a 500 after the back-off, without waiting for real', async () => {
    api.cue({ status: 429, headers: { 'Retry-After': '2' }, body: JSON.stringify({ statusCode: 429, message: 'Rate limit is exceeded. Try again in 2 seconds.' }) });
    api.cue({ status: 500 });
    const a = args({ period: '2024-01', reporters: ['CHN'] });
    const s = await runFetch(a, fx());
    expect(dataRequests().map((l) => l.status)).toEqual([429, 500, 200]);
    expect(sleeps).toEqual([2000, 1000]); // Retry-After as given; then the second back-off step (2 s) at its lower edge
    expect(s.counts).toMatchObject({ 'requests.retried': 2, 'requests.sent': 2 });
    expect((await readParquet(join(a.out, 'flows.parquet'))).numRows).toBe(12);
  });

  it('stops at the daily quota with the state saved (exit 4), and a rerun sends only what is missing', async () => {
    const a = args({ sets: ['fetch.maxRecords=30', 'fetch.maxPeriodsPerRequest=3'] });
    api.quotaAfter(10);
    const e = await runFetch(a, fx()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QuotaError);
    expect((e as QuotaError).exitCode).toBe(4);
    expect((e as Error).message).toMatch(/^quota reached; 10 of \d+ requests done; rerun the same command to resume \(answers kept in .*\) — GET .*Out of call volume quota/);
    const state = await json(join(a.out, 'fetch-state.json'));
    expect(state).toMatchObject({ status: 'quota_reached', done: 10 });
    expect(state.total).toBeGreaterThan(10);
    expect(state.requests.filter((r: { status: string }) => r.status === 'pending' || r.status === 'failed').length).toBe(state.total - 10);
    expect(await readdir(a.out)).toEqual(['fetch-state.json']);
    const answeredFirst = api.log.filter((l) => l.status === 200).length;
    expect(answeredFirst).toBe(10);

    api.quotaAfter(null);
    api.log.length = 0;
    const s = await runFetch(a, fx());
    expect(s.counts).toMatchObject({ 'requests.sent': 24, 'requests.cached': 10, 'requests.total': 34 });
    expect(api.log.filter((l) => l.status === 200)).toHaveLength(24);
    expect(await json(join(a.out, 'fetch-state.json'))).toMatchObject({ status: 'complete', done: 34, total: 34 });
    // the same tables as a fetch that was never interrupted
    const whole = args({ sets: ['fetch.maxRecords=30', 'fetch.maxPeriodsPerRequest=3'] });
    expect((await runFetch(whole, fx())).outputs).toEqual(s.outputs);
  });
});

describe('fetch comtrade: arguments and the keyless preview', () => {
  it('without a key uses the public preview endpoints and their cap of 500, sends no key header, and selects @catalog by default', async () => {
    const a = args({ period: '2024-02', hs: undefined });
    await runFetch(a, fx({ env: {} }));
    expect(api.log.map((l) => l.path)).toEqual(['/public/v1/getDA/C/M/HS', '/public/v1/preview/C/M/HS']);
    expect(api.log.every((l) => l.headers['ocp-apim-subscription-key'] === undefined)).toBe(true);
    expect(api.log[1].query.maxRecords).toBe('500');
    // the controlled codes and the comparators read beside them (250490, 811231)
    const catalog = await loadCatalog();
    const selected = resolveHsSelector('@catalog', catalog) as string[];
    expect(api.log[1].query.cmdCode).toBe([...selected, '250490', '811231'].sort().join(','));
    expect((await readParquet(join(a.out, 'flows.parquet'))).numRows).toBe(36); // February: 3 reporters × 2 codes × 2 flows × 3 country partners
  });

  it('reads reporters as ISO3 (every Comtrade code of the country) or codes, and refuses unknown ones before sending anything', async () => {
    await runFetch(args({ period: '2024-01', reporters: ['usa,CHN'] }), fx());
    expect(api.log[0].query.reporterCode).toBe('156,841,842');
    api.log.length = 0;
    const bad = args({ reporters: ['CHN', 'XYZ'] });
    await expect(runFetch(bad, fx())).rejects.toThrow("--reporters: unknown reporter 'XYZ'");
    await expect(runFetch(args({ hs: 'all' }), fx())).rejects.toThrow('--hs all would download the whole dataset');
    expect(api.log).toEqual([]);
    expect(existsSync(bad.out)).toBe(false);
  });
});

describe('tradewatch fetch (CLI)', () => {
  /** The CLI with the key in the environment, as a user runs it. */
  async function quietMain(argv: string[]): Promise<{ code: number; stderr: string }> {
    const before = process.env.COMTRADE_API_KEY;
    process.env.COMTRADE_API_KEY = KEY;
    try {
      return await captured(argv);
    } finally {
      if (before === undefined) delete process.env.COMTRADE_API_KEY;
      else process.env.COMTRADE_API_KEY = before;
    }
  }
  const cli = (a: FetchArgs) => ['fetch', 'comtrade', '--period', a.period, '--cache', a.cache, '--out', a.out, '--log-format', 'json', ...(a.set ?? []).flatMap((s) => ['--set', s])];

  it('exits 4 with a clear message at the quota, and 2 on a bad period (nothing written)', async () => {
    api.quotaAfter(0);
    const a = args();
    const r = await quietMain(cli(a));
    expect(r.code).toBe(4);
    // under --log-format json the last line is a JSON cli.exit (level warn: not a failure)
    expect(JSON.parse(r.stderr.trim().split('\n').at(-1)!)).toMatchObject({ level: 'warn', event: 'cli.exit', exit_code: 4, error: expect.stringMatching(/^quota reached; 0 of 1 requests done; rerun the same command to resume/) });
    expect(r.stderr).not.toContain('failure of tradewatch itself');
    expect(r.stderr).not.toContain(KEY);

    const b = args({ period: '2024-13' });
    const bad = await quietMain(cli(b));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--period '2024-13': '2024-13' is not a period");
    expect(existsSync(b.out)).toBe(false);
  });
});
