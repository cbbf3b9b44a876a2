import { Table, type Vector } from 'apache-arrow';
import type { CountryResolver } from '../reference/countries.ts';
import { AVAILABILITY_COLUMNS, type AvailabilityTable } from '../schema.ts';
import { StringDictionary, boolVector, dateVector, dictionaryVector, epochDayOf, float64Vector } from '../table/columns.ts';

/** What {@link buildAvailabilityTable} needs besides the records: what was asked. */
export interface AvailabilityAsked {
  freq: 'M' | 'A';
  /** API periods asked (`YYYYMM` or `YYYY`). */
  periods: readonly string[];
  /** Comtrade reporter codes asked, or null for every reporter (then the rows are the reporters found). */
  reporters: readonly number[] | null;
}

/**
 * The availability table from the records of data-availability answers (`reporterCode`, `period`,
 * `totalRecords`, `firstReleased`, `lastReleased`): one row per reporting country × period asked,
 * sorted by reporter and period, `published` false where no record names the pair. Reporters that are
 * not countries (EU, SACU) and codes the area table does not know are left out and counted. Pure.
 */
export function buildAvailabilityTable(
  records: Iterable<Record<string, unknown>>,
  asked: AvailabilityAsked,
  resolver: CountryResolver,
): { table: AvailabilityTable; counts: Record<string, number> } {
  const counts: Record<string, number> = { 'availability.records': 0, 'availability.skipped_non_country': 0, 'availability.skipped_unknown': 0 };
  const found = new Map<string, { records: number; first: string | null; last: string | null }>();
  const seen = new Set<string>();
  const periods = new Set(asked.periods);
  for (const r of records) {
    counts['availability.records']++;
    const iso = countryOf(Number(r.reporterCode), resolver, counts);
    const period = String(r.period ?? '');
    if (iso === null || !periods.has(period)) continue;
    seen.add(iso);
    const key = `${iso}|${period}`;
    const prev = found.get(key);
    const total = typeof r.totalRecords === 'number' ? r.totalRecords : NaN;
    const first = dateOf(r.firstReleased);
    const last = dateOf(r.lastReleased);
    found.set(key, {
      records: prev === undefined ? total : larger(prev.records, total),
      first: minText(prev?.first ?? null, first),
      last: maxText(prev?.last ?? null, last, true),
    });
  }
  const reporters = asked.reporters ? new Set(asked.reporters.flatMap((c) => countryOf(c, resolver, {}) ?? [])) : seen;
  const isoList = [...reporters].sort();
  const periodList = [...asked.periods].sort();
  const n = isoList.length * periodList.length;
  const dict = new StringDictionary();
  const reporter = new Int32Array(n);
  const period = new Int32Array(n);
  const freq = new Int32Array(n);
  const published = new Int8Array(n);
  const total = new Float64Array(n);
  // release dates are calendar dates: Date32 in the table (days since 1970-01-01), NaN null
  const first = new Float64Array(n);
  const last = new Float64Array(n);
  let i = 0;
  for (const iso of isoList) {
    for (const p of periodList) {
      const hit = found.get(`${iso}|${p}`);
      reporter[i] = dict.code(iso);
      period[i] = dict.code(asked.freq === 'M' ? `${p.slice(0, 4)}-${p.slice(4, 6)}` : p);
      freq[i] = dict.code(asked.freq);
      published[i] = hit ? 1 : 0;
      total[i] = hit ? hit.records : NaN;
      first[i] = epochDayOf(hit?.first);
      last[i] = epochDayOf(hit?.last);
      i++;
    }
  }
  const cols: Record<(typeof AVAILABILITY_COLUMNS)[number], Vector> = {
    reporter: dictionaryVector(reporter, dict.values),
    period: dictionaryVector(period, dict.values),
    freq: dictionaryVector(freq, dict.values),
    published: boolVector(published),
    records: float64Vector(total),
    first_released: dateVector(first),
    last_released: dateVector(last),
  };
  return { table: new Table(cols) as unknown as AvailabilityTable, counts };
}

function countryOf(code: number, resolver: CountryResolver, counts: Record<string, number>): string | null {
  const id = Number.isInteger(code) ? resolver.comtrade(code) : -1;
  if (id < 0) {
    counts['availability.skipped_unknown'] = (counts['availability.skipped_unknown'] ?? 0) + 1;
    return null;
  }
  if (resolver.kind[id] !== 'country') {
    counts['availability.skipped_non_country'] = (counts['availability.skipped_non_country'] ?? 0) + 1;
    return null;
  }
  return resolver.iso3[id];
}

/** The larger of two counts; NaN (not stated) loses to any number. */
function larger(a: number, b: number): number {
  return a !== a ? b : b !== b ? a : Math.max(a, b);
}

/** `YYYY-MM-DD` of a date-time text (`2024-03-15T00:00:00`), or null. */
function dateOf(v: unknown): string | null {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null;
}

function minText(a: string | null, b: string | null): string | null {
  return maxText(a, b, false);
}

function maxText(a: string | null, b: string | null, max: boolean): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return (a < b) === max ? b : a;
}
