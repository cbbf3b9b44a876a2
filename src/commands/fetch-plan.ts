import { normalizeRequest, type ApiRequest } from '../io/comtrade-api.ts';
import { UsageError } from '../base/errors.ts';

/** Frequency of a fetch: monthly or annual. */
export type Freq = 'M' | 'A';

/** One question to the Comtrade data API, before it becomes an HTTP request. Lists are sorted. */
export interface DataQuery {
  freq: Freq;
  /** API periods: `YYYYMM` (monthly) or `YYYY` (annual). */
  periods: readonly string[];
  /** Comtrade reporter codes; null asks for every reporter. */
  reporters: readonly number[] | null;
  /** Product codes, sent as they are (the API returns exactly these codes, not the longer ones under them). */
  cmdCodes: readonly string[];
  /** Flow codes; empty asks for every flow. */
  flows: readonly string[];
}

/** The query settings {@link dataRequest} turns into API parameters. */
export interface QuerySettings {
  /** Endpoint path with `{freq}`. */
  path: string;
  /** `maxRecords`: the result cap of this endpoint. */
  maxRecords: number;
  partnerCode: string;
  partner2Code: string;
  motCode: string;
  customsCode: string;
  includeDesc: boolean;
}

/**
 * Reads `--period`: `YYYY-MM:YYYY-MM` (monthly), `YYYY:YYYY` (annual), or one period. Returns the
 * frequency and every period in the range as the API writes them (`202401`, `2024`). Throws
 * {@link UsageError} for anything else, a range that runs backwards, or a mix of months and years.
 */
export function parsePeriodRange(text: string): { freq: Freq; periods: string[] } {
  const parts = text.trim().split(':');
  const bad = (why: string) =>
    new UsageError(`--period '${text}': ${why}; expected YYYY-MM:YYYY-MM (months), YYYY:YYYY (years) or one period`);
  if (parts.length > 2) throw bad('more than one colon');
  const ends = parts.map(readPeriod);
  if (ends.some((e) => e === null)) throw bad(`'${parts[ends.findIndex((e) => e === null)]}' is not a period`);
  const [from, to = from] = ends as { year: number; month: number | null }[];
  if ((from.month === null) !== (to.month === null)) throw bad('both ends must be months, or both years');
  const index = (p: { year: number; month: number | null }) => (p.month === null ? p.year : p.year * 12 + p.month - 1);
  if (index(from) > index(to)) throw bad('the range runs backwards');
  const periods: string[] = [];
  for (let i = index(from); i <= index(to); i++) {
    periods.push(from.month === null ? String(i) : `${Math.floor(i / 12)}${String((i % 12) + 1).padStart(2, '0')}`);
  }
  return { freq: from.month === null ? 'A' : 'M', periods };
}

/** The first questions of a fetch: the periods in chunks of `maxPeriodsPerRequest`, everything else whole. */
export function planQueries(q: DataQuery, maxPeriodsPerRequest: number): DataQuery[] {
  const out: DataQuery[] = [];
  for (let i = 0; i < q.periods.length; i += maxPeriodsPerRequest) {
    out.push({ ...q, periods: q.periods.slice(i, i + maxPeriodsPerRequest) });
  }
  return out;
}

/**
 * Splits a question whose answer reached the result cap into two that together ask the same: by
 * period first, then by reporter, then by product code, then by flow. A question for every reporter
 * is split over the reporters that `reportersIn` says published its periods. Returns null when the
 * question names one of each and cannot be split.
 */
export function splitQuery(q: DataQuery, reportersIn: (periods: readonly string[]) => readonly number[]): DataQuery[] | null {
  if (q.periods.length > 1) return halves(q.periods).map((periods) => ({ ...q, periods }));
  const reporters = q.reporters ?? reportersIn(q.periods);
  if (reporters.length > 1) return halves(reporters).map((r) => ({ ...q, reporters: r }));
  if (q.cmdCodes.length > 1) return halves(q.cmdCodes).map((cmdCodes) => ({ ...q, cmdCodes }));
  if (q.flows.length > 1) return halves(q.flows).map((flows) => ({ ...q, flows }));
  return null;
}

/** The HTTP request of a question: the data (or preview) endpoint with its parameters, normalised. */
export function dataRequest(q: DataQuery, s: QuerySettings): ApiRequest {
  return normalizeRequest(s.path.replace('{freq}', q.freq), {
    reporterCode: q.reporters?.join(','),
    period: q.periods.join(','),
    cmdCode: q.cmdCodes.join(','),
    flowCode: q.flows.join(','),
    partnerCode: s.partnerCode,
    partner2Code: s.partner2Code,
    motCode: s.motCode,
    customsCode: s.customsCode,
    maxRecords: String(s.maxRecords),
    includeDesc: String(s.includeDesc),
  });
}

/** The HTTP request for what each reporter published in some periods (every reporter when `reporters` is null). */
export function availabilityRequest(path: string, freq: Freq, periods: readonly string[], reporters: readonly number[] | null): ApiRequest {
  return normalizeRequest(path.replace('{freq}', freq), { period: periods.join(','), reporterCode: reporters?.join(',') });
}

function readPeriod(s: string): { year: number; month: number | null } | null {
  const m = /^(\d{4})(?:-?(\d{2}))?$/.exec(s.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = m[2] === undefined ? null : Number(m[2]);
  if (year < 1900 || year > 2100 || (month !== null && (month < 1 || month > 12))) return null;
  return { year, month };
}

function halves<T>(xs: readonly T[]): T[][] {
  const mid = Math.ceil(xs.length / 2);
  return [xs.slice(0, mid), xs.slice(mid)];
}
