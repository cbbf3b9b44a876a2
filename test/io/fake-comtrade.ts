import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the UN Comtrade API, started by the tests on port 0: answers the data, preview
 * and availability endpoints from in-memory records in the API's shape (`{ elapsedTime, count, data,
 * error }`), filtered by the query and cut at `maxRecords` (and at 500 on the preview), and plays
 * scripted answers (429 with Retry-After, 500, the quota message) on cue.
 */
export interface FakeComtrade {
  baseUrl: string;
  /** Every request received, in order of arrival. */
  log: { path: string; query: Record<string, string>; headers: IncomingHttpHeaders; status: number }[];
  /** Data and availability records served. */
  records: Record<string, unknown>[];
  availability: Record<string, unknown>[];
  /** Queues a scripted answer for the next request that `match` accepts (default: any data request). */
  cue(answer: Scripted, match?: (path: string, query: Record<string, string>) => boolean): void;
  /** After `n` more 200 answers, every request gets the quota message (403) until `quotaAfter(null)`. */
  quotaAfter(n: number | null): void;
  close(): Promise<void>;
}

/** A scripted answer. */
export interface Scripted {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** The quota answer of the API's gateway. */
export const QUOTA_BODY = JSON.stringify({ statusCode: 403, message: 'Out of call volume quota. Quota will be replenished in 05:12:33.' });

const FILTERS: Record<string, string> = {
  reporterCode: 'reporterCode',
  period: 'period',
  cmdCode: 'cmdCode',
  flowCode: 'flowCode',
  partnerCode: 'partnerCode',
  partner2Code: 'partner2Code',
  motCode: 'motCode',
  customsCode: 'customsCode',
};

/** Starts the fake API on 127.0.0.1 and a free port. */
export async function startFakeComtrade(records: Record<string, unknown>[], availability: Record<string, unknown>[]): Promise<FakeComtrade> {
  const cues: { answer: Scripted; match: (path: string, query: Record<string, string>) => boolean }[] = [];
  let quotaLeft: number | null = null;
  const log: FakeComtrade['log'] = [];
  const fake = { records, availability } as FakeComtrade;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
      log.push({ path: url.pathname, query, headers: req.headers, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (quotaLeft !== null && quotaLeft <= 0) return reply(403, QUOTA_BODY);
    const cued = cues.findIndex((c) => c.match(url.pathname, query));
    if (cued >= 0) {
      const [{ answer }] = cues.splice(cued, 1);
      return reply(answer.status, answer.body ?? JSON.stringify({ statusCode: answer.status, message: `scripted ${answer.status}` }), answer.headers);
    }
    let data: Record<string, unknown>[];
    if (/^\/(data\/v1\/getDa|public\/v1\/getDA)\/C\/[MA]\/HS$/.test(url.pathname)) {
      data = fake.availability.filter((r) => matches(r, query, ['period', 'reporterCode']));
    } else if (/^\/(data\/v1\/get|public\/v1\/preview)\/C\/[MA]\/HS$/.test(url.pathname)) {
      const cap = Math.min(Number(query.maxRecords ?? 500), url.pathname.startsWith('/public/') ? 500 : Infinity);
      data = fake.records.filter((r) => matches(r, query, Object.keys(FILTERS))).slice(0, cap);
    } else {
      return reply(404, JSON.stringify({ statusCode: 404, message: 'Resource not found' }));
    }
    if (quotaLeft !== null) quotaLeft--;
    reply(200, JSON.stringify({ elapsedTime: '0.01 secs', count: data.length, data, error: '' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    baseUrl: `http://127.0.0.1:${port}`,
    log,
    cue(answer: Scripted, match = (path: string) => path.includes('/get/') || path.includes('/preview/')) {
      cues.push({ answer, match });
    },
    quotaAfter(n: number | null) {
      quotaLeft = n;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

function matches(r: Record<string, unknown>, query: Record<string, string>, keys: string[]): boolean {
  for (const k of keys) {
    const want = query[k];
    if (want === undefined) continue;
    if (!want.split(',').includes(String(r[k]))) return false;
  }
  return true;
}

const COUNTRIES: Record<number, string> = { 156: 'CHN', 764: 'THA', 842: 'USA', 699: 'IND' };

/**
 * Monthly records in the data API's shape: every reporter × partner (World 0 and the other countries)
 * × flow × product × month, totals only (motCode 0, customsCode C00, partner2Code 0). Values are
 * small integers that name the record, so a test can compute any sum.
 */
export function makeRecords(o: { reporters: number[]; partners: number[]; months: string[]; cmds: string[]; flows: string[] }): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const period of o.months) {
    for (const reporterCode of o.reporters) {
      for (const flowCode of o.flows) {
        for (const cmdCode of o.cmds) {
          for (const partnerCode of o.partners) {
            if (partnerCode === reporterCode) continue;
            const value = 1000 + (partnerCode % 100) * 10 + Number(period.slice(4));
            out.push({
              typeCode: 'C', freqCode: 'M', refPeriodId: Number(`${period}01`), refYear: Number(period.slice(0, 4)), refMonth: Number(period.slice(4)),
              period, reporterCode, reporterISO: COUNTRIES[reporterCode] ?? null, reporterDesc: null, flowCode, flowDesc: null,
              partnerCode, partnerISO: partnerCode === 0 ? 'W00' : COUNTRIES[partnerCode] ?? null, partnerDesc: null,
              partner2Code: 0, partner2ISO: 'W00', partner2Desc: null, classificationCode: 'H6', classificationSearchCode: 'HS',
              isOriginalClassification: true, cmdCode, cmdDesc: null, aggrLevel: 6, isLeaf: true, customsCode: 'C00', customsDesc: null,
              mosCode: '0', motCode: 0, motDesc: null, qtyUnitCode: 8, qtyUnitAbbr: null, qty: value / 10, isQtyEstimated: false,
              altQtyUnitCode: -1, altQtyUnitAbbr: null, altQty: null, isAltQtyEstimated: false, netWgt: value / 10,
              isNetWgtEstimated: false, grossWgt: null, isGrossWgtEstimated: false, cifvalue: flowCode === 'M' ? value : null,
              fobvalue: flowCode === 'X' ? value : null, primaryValue: value, legacyEstimationFlag: 0, isReported: true, isAggregate: false,
            });
          }
        }
      }
    }
  }
  return out;
}

/** Availability records (one per reporter × month) in the getDa answer's shape. */
export function makeAvailability(pairs: [reporterCode: number, period: string][]): Record<string, unknown>[] {
  return pairs.map(([reporterCode, period]) => ({
    datasetCode: Number(`${reporterCode}${period}`), typeCode: 'C', freqCode: 'M', period, reporterCode, reporterISO: COUNTRIES[reporterCode] ?? null,
    reporterDesc: null, classificationCode: 'H6', classificationSearchCode: 'HS', isOriginalClassification: true, totalRecords: 100_000 + reporterCode,
    datasetChecksum: 1, firstReleased: `${period.slice(0, 4)}-${period.slice(4)}-28T00:00:00`, lastReleased: '2025-01-15T00:00:00',
  }));
}
