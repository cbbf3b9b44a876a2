import { createHash, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Table } from 'apache-arrow';
import { writeFileAtomic } from '../io/atomic.ts';
import { REFERENCE_DIR, loadCatalog } from '../io/catalog.ts';
import { QuotaError, createComtradeClient, parseApiBody, type HttpEffects } from '../io/comtrade-api.ts';
import { readConfigFile } from '../io/config-file.ts';
import { ResponseCache } from '../io/fetch-cache.ts';
import { encodeParquetInSlices } from '../io/parquet.ts';
import { AREA_TABLE_FILES, loadCountryNameIndex, loadCountryResolver } from '../io/reference.ts';
import { readReferenceText } from '../io/reference-text.ts';
import { buildAvailabilityTable } from '../ingest/availability.ts';
import { comtradeJsonToCsv } from '../ingest/comtrade-json.ts';
import { ingestTrade, type TradeSource } from '../ingest/ingest-trade.ts';
import { comparatorCodesFor, resolveHsSelector } from '../reference/catalog.ts';
import { parseAreaTable } from '../reference/countries.ts';
import { hashConfig, resolveConfig, stableStringify } from '../config/config.ts';
import { UsageError } from '../base/errors.ts';
import { parsePeriodRange } from './fetch-plan.ts';
import { fetchAnswers } from './fetch-requests.ts';
import { silentLog } from '../base/log.ts';
import { MANIFEST_SCHEMA, type FetchManifest, type ManifestInput } from '../base/manifest.ts';
import { VERSION } from '../run/version.ts';

/** Arguments of `tradewatch fetch comtrade`. */
export interface FetchArgs {
  /** The source; only `comtrade` for now. */
  source: string;
  /** `YYYY-MM:YYYY-MM`, `YYYY:YYYY` or one period. */
  period: string;
  hs?: string;
  /** ISO3 or Comtrade codes; items may be comma lists. Every reporter when absent. */
  reporters?: string[];
  cache: string;
  out: string;
  config?: string;
  set?: string[];
}

/** Effects of a fetch, passed in so tests use a local server, a fixed clock and no real waits. */
export interface FetchEffects extends HttpEffects {
  /** Where `COMTRADE_API_KEY` is read (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  runId?: () => string;
  cwd?: string;
}

/** What a finished fetch reports. */
export interface FetchSummary {
  outDir: string;
  outputs: { path: string; rows: number; sha256: string }[];
  counts: Record<string, number>;
}

const TABLES = ['flows', 'subflows', 'areas', 'consignment', 'rejects'] as const;

/**
 * `tradewatch fetch comtrade`: asks the UN Comtrade API what each reporter published and then for the
 * selected products over `--period`, splitting any question whose answer reaches the result cap;
 * keeps every answer in `--cache`, so a rerun sends nothing twice and an interrupted fetch resumes;
 * writes the canonical tables through ingest, `availability.parquet`, `fetch-state.json` and a manifest
 * to `--out`. Stops at the daily quota with {@link QuotaError} (exit 4) after saving the state.
 */
export async function runFetch(args: FetchArgs, fx: FetchEffects = {}): Promise<FetchSummary> {
  const log = fx.log ?? silentLog;
  const now = fx.now ?? (() => new Date());
  const started = now();
  const runId = fx.runId?.() ?? randomUUID();
  const cwd = fx.cwd ?? process.cwd();
  const env = fx.env ?? process.env;

  if (args.source !== 'comtrade') throw new UsageError(`fetch: unknown source '${args.source}' (known: comtrade)`);
  const sets = [...(args.set ?? [])];
  if (args.hs !== undefined) sets.push(`fetch.hs=${JSON.stringify(args.hs)}`);
  const config = resolveConfig({ file: args.config ? await readConfigFile(args.config) : undefined, fileName: args.config, sets });
  const p = config.fetch;
  const { freq, periods } = parsePeriodRange(args.period);
  const catalog = await loadCatalog();
  const selected = resolveHsSelector(p.hs, catalog);
  if (selected === null) throw new UsageError(`fetch: --hs all would download the whole dataset; name products (@catalog, @<mineral> or codes)`);
  // the selected codes' uncontrolled comparators are fetched too, as a run reads them (the transshipment counterfactual)
  const comparators = comparatorCodesFor(selected, catalog);
  const hsCodes = [...selected, ...comparators].sort();
  const reporters = args.reporters?.length ? await reporterCodes(args.reporters) : null;
  const key = env.COMTRADE_API_KEY?.trim() || null;
  const cap = key ? p.maxRecords : p.previewMaxRecords;
  const cacheDir = resolve(cwd, args.cache);
  const outDir = resolve(cwd, args.out);
  const cache = new ResponseCache(cacheDir);
  let retried = 0;
  const send = createComtradeClient(
    { baseUrl: p.baseUrl, key, maxRetries: p.maxRetries, backoffBaseSeconds: p.backoffBaseSeconds, backoffMaxSeconds: p.backoffMaxSeconds, timeoutSeconds: p.timeoutSeconds },
    {
      ...fx,
      log(event, fields) {
        if (event === 'fetch.retry') retried++;
        log(event, fields);
      },
    },
  );
  log('fetch.start', { run_id: runId, freq, periods: periods.length, products: hsCodes.length, reporters: reporters?.length ?? 'all', keyed: Boolean(key), cap, cache: cacheDir });
  if (!key) log('fetch.keyless', { level: 'warn', message: `no COMTRADE_API_KEY: using the public preview (${cap} records per request)` });

  const got = await fetchAnswers(
    {
      query: { freq, periods, reporters, cmdCodes: hsCodes, flows: p.flowCodes },
      settings: { path: key ? p.paths.data : p.paths.preview, maxRecords: cap, partnerCode: p.partnerCode, partner2Code: p.partner2Code, motCode: p.motCode, customsCode: p.customsCode, includeDesc: p.includeDesc },
      availabilityPath: key ? p.paths.availability : p.paths.previewAvailability,
      maxPeriodsPerRequest: p.maxPeriodsPerRequest,
      concurrency: p.concurrency,
      capHint: key ? 'raise fetch.maxRecords if your subscription allows more' : 'set COMTRADE_API_KEY for the larger cap',
    },
    cache,
    send,
    log,
  );
  const done = got.requests.filter((r) => r.status === 'done' || r.status === 'split').length;
  const state = (status: 'complete' | 'quota_reached' | 'failed', error?: string) =>
    stableStringify(
      {
        schema: 'tradewatch/fetch-state/v1', status, run_id: runId, updated_at: now().toISOString(), cache: cacheDir, period: args.period, hs: p.hs,
        reporters: reporters ?? 'all', done, total: got.requests.length, ...(error ? { error } : {}),
        requests: got.requests.map(({ id, kind, status: st, records: n, request, key: k }) => ({ id, kind, status: st, records: n, request, key: k })),
      },
      2,
    ) + '\n';
  const stop = got.stoppedBy;
  if (stop) {
    const quota = stop instanceof QuotaError;
    await mkdir(outDir, { recursive: true });
    await writeFileAtomic(join(outDir, 'fetch-state.json'), state(quota ? 'quota_reached' : 'failed', stop.message));
    if (!quota) throw stop;
    throw new QuotaError(
      `quota reached; ${done} of ${got.requests.length} requests done; rerun the same command to resume (answers kept in ${cacheDir}) — ${stop.message}`,
      stop.request,
    );
  }

  // Every answer is in the cache: read them back one at a time through ingest, in plan order.
  const resolver = await loadCountryResolver();
  const inputs: ManifestInput[] = [];
  async function* sources(): AsyncIterable<TradeSource> {
    for (const leaf of got.leaves) {
      const body = (await cache.readKey(leaf.key)) as string;
      const path = ResponseCache.relativePath(leaf.key);
      inputs.push({ kind: 'comtrade-api', path, bytes: Buffer.byteLength(body), sha256: sha256(body), layout: 'comtrade' });
      yield { display: path, kind: 'csv', format: 'comtrade', chunks: comtradeJsonToCsv(parseApiBody(body).data) };
    }
  }
  const result = await ingestTrade(sources(), { format: 'comtrade', hsCodes, params: config.ingest, resolver, names: await loadCountryNameIndex() });
  const avail = buildAvailabilityTable(got.availability, { freq, periods, reporters }, resolver);
  for (const r of got.requests.filter((x) => x.kind === 'availability')) {
    const body = (await cache.readKey(r.key)) as string;
    inputs.push({ kind: 'comtrade-availability', path: ResponseCache.relativePath(r.key), bytes: Buffer.byteLength(body), sha256: sha256(body) });
  }

  await mkdir(outDir, { recursive: true });
  const outputs: FetchSummary['outputs'] = [];
  const tables: [string, Table][] = [...TABLES.map((n) => [n, result[n] as Table] as [string, Table]), ['availability', avail.table]];
  for (const [name, table] of tables) {
    const bytes = await encodeParquetInSlices(table);
    await writeFileAtomic(join(outDir, `${name}.parquet`), bytes);
    outputs.push({ path: `${name}.parquet`, rows: table.numRows, sha256: sha256(bytes) });
  }
  const allCounts = sortKeys({
    ...result.counts, ...avail.counts, ...got.counts, 'requests.retried': retried, 'requests.total': got.requests.length, 'requests.answers_read': got.leaves.length,
  });
  const finished = now();
  await writeFileAtomic(join(outDir, 'fetch-state.json'), state('complete'));
  const manifest: FetchManifest = {
    schema: MANIFEST_SCHEMA,
    kind: 'fetch',
    tradewatch_version: VERSION,
    command: 'fetch comtrade',
    run_id: runId,
    status: 'succeeded',
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
    duration_s: (finished.getTime() - started.getTime()) / 1000,
    inputs,
    api: { base_url: p.baseUrl, keyed: Boolean(key), cap, cache: cacheDir },
    period: { freq, from: periods[0], to: periods[periods.length - 1] },
    hs: { selector: p.hs, codes: selected, comparators },
    reporters: reporters ?? 'all',
    config,
    config_sha256: hashConfig(config),
    counts: allCounts,
    notes: result.notes,
    outputs,
  };
  await writeFileAtomic(join(outDir, 'manifest.json'), stableStringify(manifest, 2) + '\n');
  log('fetch.done', { out: outDir, flows: result.flows.numRows, sent: got.counts['requests.sent'], cached: got.counts['requests.cached'], seconds: manifest.duration_s });
  return { outDir, outputs, counts: allCounts };
}

/**
 * Reporter arguments as Comtrade codes: an ISO3 code stands for every Comtrade code of that country
 * (USA: 841 and 842), a number for itself. Throws {@link UsageError} naming what is unknown.
 */
async function reporterCodes(items: readonly string[]): Promise<number[]> {
  const rows = parseAreaTable(await readReferenceText(join(REFERENCE_DIR, AREA_TABLE_FILES.comtrade)), AREA_TABLE_FILES.comtrade);
  const out = new Set<number>();
  const unknown: string[] = [];
  for (const item of items.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const hits = /^\d+$/.test(item)
      ? rows.filter((r) => r.code === Number(item))
      : rows.filter((r) => r.kind === 'country' && r.iso3 === item.toUpperCase());
    if (hits.length === 0) unknown.push(item);
    for (const r of hits) out.add(r.code);
  }
  if (unknown.length) throw new UsageError(`--reporters: unknown reporter${unknown.length > 1 ? 's' : ''} '${unknown.join("', '")}' (give ISO3 codes like CHN or Comtrade codes like 156)`);
  return [...out].sort((a, b) => a - b);
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function sortKeys(c: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(c).sort(([a], [b]) => (a < b ? -1 : 1)));
}
