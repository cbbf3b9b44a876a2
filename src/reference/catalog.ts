import { InputError, UsageError } from '../base/errors.ts';
import { splitCsvLine } from './csv-line.ts';

/** How much of an HS6 code the controlled goods are (../shared/docs/domain.md §1, "Specificity"). */
export type Specificity = 'dedicated' | 'shared' | 'basket';

/** One row of `controls.csv`: one control on one HS6 code (and mineral) for one period and status. */
export interface ControlInterval {
  /** The control, e.g. `cn-2024-46`; its intervals (active, suspended) share it. */
  controlId: string;
  /** China's 10-digit lines the announcement names under this HS6 for this mineral; empty when not known. */
  line10: string[];
  hs6: string;
  /** Lowercase mineral, or a group such as `rare_earths` when the HS6 line serves all its members. */
  mineral: string;
  specificity: Specificity;
  /** ISO3 of the controlling country (`CHN`). */
  origin: string;
  /** `*` for every destination, else ISO3 codes. */
  destinations: '*' | string[];
  /** First day in force, YYYY-MM-DD. */
  start: string;
  /** Last day in force (inclusive), YYYY-MM-DD; null while open. */
  end: string | null;
  status: 'active' | 'suspended';
  /** The announcement, e.g. `MOFCOM/GAC 2023 No. 23`. */
  source: string;
  /** False while the HS6 is only a candidate still to confirm against the announcement's annex. */
  verified: boolean;
  note: string;
}

/** An uncontrolled code kept to compare controlled ones with (not selected by `@catalog`; read beside it: {@link comparatorCodesFor}). */
export interface Comparator {
  hs6: string;
  mineral: string;
  /** Controlled HS6 codes it is a comparator for. */
  comparesTo: string[];
  note: string;
}

/** A word that names a mineral in goods descriptions. */
export interface Keyword {
  mineral: string;
  /** ISO 639-1 language, e.g. `en`, `zh`. */
  lang: string;
  keyword: string;
}

/** The control catalog: the calendar of controls, the comparator codes and the keywords. */
export interface Catalog {
  intervals: ControlInterval[];
  comparators: Comparator[];
  keywords: Keyword[];
}

const CONTROL_COLUMNS = [
  'control_id',
  'line10',
  'hs6',
  'mineral',
  'specificity',
  'origin',
  'destinations',
  'start',
  'end',
  'status',
  'source',
  'verified',
  'note',
] as const;
const COMPARATOR_COLUMNS = ['hs6', 'mineral', 'compares_to', 'note'] as const;
const KEYWORD_COLUMNS = ['mineral', 'lang', 'keyword'] as const;

/**
 * Minerals whose controlled HS6 lines the catalog lists once for the whole group: `@dysprosium` selects
 * the `rare_earths` rows. These are the seven of MOFCOM/GAC 2025 No. 18.
 */
const MINERAL_GROUPS: ReadonlyMap<string, readonly string[]> = new Map([
  ['rare_earths', ['samarium', 'gadolinium', 'terbium', 'dysprosium', 'lutetium', 'scandium', 'yttrium']],
]);

/**
 * Parses the catalog CSV texts (`controls.csv`, `keywords.csv` and, when given, `comparators.csv`);
 * throws {@link InputError} naming file, line and column on a bad row.
 */
export function parseCatalog(texts: { controls: string; keywords: string; comparators?: string }): Catalog {
  const controlRows = readCsv(texts.controls, 'controls.csv', CONTROL_COLUMNS);
  const intervals = controlRows.map(parseInterval);
  checkOverlaps(intervals, controlRows);
  const controlled = new Set(intervals.map((iv) => iv.hs6));
  const comparators =
    texts.comparators === undefined
      ? []
      : readCsv(texts.comparators, 'comparators.csv', COMPARATOR_COLUMNS).map((r) => parseComparator(r, controlled));
  const known = new Set([...knownMinerals(intervals), ...comparators.map((c) => c.mineral)]);
  const keywordRows = readCsv(texts.keywords, 'keywords.csv', KEYWORD_COLUMNS);
  const keywords = keywordRows.map((r) => parseKeyword(r, known));
  const seen = new Map<string, number>();
  keywords.forEach((k, i) => {
    const key = `${k.mineral}|${k.lang}|${k.keyword.toLowerCase()}`;
    const first = seen.get(key);
    if (first !== undefined) throw new InputError(`keywords.csv line ${keywordRows[i].line}: repeats line ${first}`);
    seen.set(key, keywordRows[i].line);
  });
  return { intervals, comparators, keywords };
}

/**
 * Resolves an --hs selector: '@catalog' (every controlled HS6, active or suspended, not comparators),
 * '@<mineral>' (e.g. '@antimony'; a rare earth such as '@dysprosium' selects the `rare_earths` rows),
 * 'all' (returns null = no filter), or a comma list of 2–10 digit codes ('811292,811010'), which may mix
 * in '@' items. Throws {@link UsageError} naming the selector for an unknown mineral or a malformed code.
 * Returns sorted unique codes.
 */
export function resolveHsSelector(sel: string, catalog: Catalog): string[] | null {
  const trimmed = sel.trim();
  if (trimmed.toLowerCase() === 'all') return null;
  const out = new Set<string>();
  for (const raw of trimmed.split(',')) {
    const item = raw.trim();
    if (item === '@catalog') {
      for (const iv of catalog.intervals) out.add(iv.hs6);
    } else if (item.startsWith('@')) {
      const mineral = item.slice(1).toLowerCase();
      const hits = catalog.intervals.filter((iv) => selectsMineral(iv.mineral, mineral));
      if (!hits.length) {
        const known = [...knownMinerals(catalog.intervals)].sort().join(', ');
        throw new UsageError(`--hs '${sel}': unknown mineral '${mineral}' (known: ${known})`);
      }
      for (const iv of hits) out.add(iv.hs6);
    } else if (/^\d{2,10}$/.test(item)) {
      out.add(item);
    } else {
      throw new UsageError(
        `--hs '${sel}': '${item}' is not a product code of 2–10 digits; use codes like 811292,811010, @catalog, @<mineral> or all`,
      );
    }
  }
  return [...out].sort();
}

/**
 * The comparator codes to read beside a selection (`resolveHsSelector`'s result): every catalog comparator of a
 * selected controlled code that the selection does not already cover (a selected code is a prefix: `8112`
 * covers 811231). They are context for the transshipment counterfactual, not products to score. `null` (every
 * code) needs none. Sorted, unique.
 */
export function comparatorCodesFor(selected: readonly string[] | null, catalog: Catalog): string[] {
  if (selected === null) return [];
  const covers = (code: string) => selected.some((s) => code.startsWith(s));
  // a selected 8- or 10-digit line of a controlled code (81129210) asks for that code's comparators too
  const touches = (code: string) => selected.some((s) => code.startsWith(s) || s.startsWith(code));
  const out = new Set<string>();
  for (const c of catalog.comparators) if (!covers(c.hs6) && c.comparesTo.some(touches)) out.add(c.hs6);
  return [...out].sort();
}

/**
 * Intervals in force (status active) for hs6 to a destination (ISO3) on a date (YYYY-MM-DD, or YYYY-MM
 * for its first day), in catalog order. A suspended interval is not in force: on 2026-01-15 the US ban
 * (2024 No. 46) is suspended while licensing to every destination still applies.
 */
export function controlsInForce(catalog: Catalog, hs6: string, destination: string, date: string): ControlInterval[] {
  if (!/^\d{6}$/.test(hs6)) throw new Error(`controlsInForce: '${hs6}' is not a 6-digit HS code`);
  const day = date.length === 7 ? `${date}-01` : date;
  if (!isIsoDate(day)) throw new Error(`controlsInForce: '${date}' is not a date (YYYY-MM-DD or YYYY-MM)`);
  return catalog.intervals.filter(
    (iv) =>
      iv.status === 'active' &&
      iv.hs6 === hs6 &&
      iv.start <= day &&
      (iv.end === null || day <= iv.end) &&
      (iv.destinations === '*' || iv.destinations.includes(destination)),
  );
}

/**
 * True when a destination-specific prohibition (here: the US ban of 2024 No. 46) is in force for hs6 to
 * destination on date; a suspended ban is not, and licensing alone (destinations `*`) is not a ban.
 */
export function isBanned(catalog: Catalog, hs6: string, destination: string, date: string): boolean {
  return controlsInForce(catalog, hs6, destination, date).some((iv) => iv.destinations !== '*');
}

function selectsMineral(rowMineral: string, wanted: string): boolean {
  return (
    rowMineral === wanted ||
    (MINERAL_GROUPS.get(rowMineral)?.includes(wanted) ?? false) ||
    (MINERAL_GROUPS.get(wanted)?.includes(rowMineral) ?? false)
  );
}

function knownMinerals(intervals: readonly ControlInterval[]): Set<string> {
  const out = new Set<string>();
  for (const iv of intervals) {
    out.add(iv.mineral);
    for (const m of MINERAL_GROUPS.get(iv.mineral) ?? []) out.add(m);
  }
  return out;
}

/** A data row of a CSV file: its 1-based line and a getter that names file, line and column on errors. */
interface CsvRow<C extends string> {
  line: number;
  get(column: C): string;
  fail(column: C, why: string): InputError;
}

function parseInterval(r: CsvRow<(typeof CONTROL_COLUMNS)[number]>): ControlInterval {
  const controlId = r.get('control_id');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(controlId)) throw r.fail('control_id', 'is not a lowercase id like cn-2023-23');
  const hs6 = r.get('hs6');
  if (!/^\d{6}$/.test(hs6)) throw r.fail('hs6', 'is not a 6-digit code');
  const line10 = r.get('line10') === '' ? [] : r.get('line10').split(';');
  for (const l of line10) {
    if (!/^\d{10}$/.test(l) || !l.startsWith(hs6)) throw r.fail('line10', `holds '${l}', not a 10-digit line under ${hs6}`);
  }
  const mineral = r.get('mineral');
  if (!/^[a-z][a-z_]*$/.test(mineral)) throw r.fail('mineral', 'is not a lowercase mineral name');
  const specificity = r.get('specificity');
  if (specificity !== 'dedicated' && specificity !== 'shared' && specificity !== 'basket') {
    throw r.fail('specificity', 'is not dedicated, shared or basket');
  }
  const origin = r.get('origin');
  if (!/^[A-Z]{3}$/.test(origin)) throw r.fail('origin', 'is not an ISO3 code');
  const dest = r.get('destinations');
  const destinations = dest === '*' ? '*' : dest.split(';');
  if (destinations !== '*' && !destinations.every((d) => /^[A-Z]{3}$/.test(d))) {
    throw r.fail('destinations', "is neither '*' nor ISO3 codes separated by ';'");
  }
  const start = r.get('start');
  if (!isIsoDate(start)) throw r.fail('start', 'is not a date YYYY-MM-DD');
  const end = r.get('end') === '' ? null : r.get('end');
  if (end !== null && !isIsoDate(end)) throw r.fail('end', 'is not a date YYYY-MM-DD (or empty while open)');
  if (end !== null && end < start) throw r.fail('end', `is before start ${start}`);
  const status = r.get('status');
  if (status !== 'active' && status !== 'suspended') throw r.fail('status', 'is not active or suspended');
  const source = r.get('source');
  if (!source) throw r.fail('source', 'is empty: name the announcement');
  const verified = r.get('verified');
  if (verified !== 'true' && verified !== 'false') throw r.fail('verified', 'is not true or false');
  return Object.freeze({
    controlId,
    line10,
    hs6,
    mineral,
    specificity,
    origin,
    destinations,
    start,
    end,
    status,
    source,
    verified: verified === 'true',
    note: r.get('note'),
  });
}

/** Two intervals of one control, code and mineral must not overlap where their destinations meet. */
function checkOverlaps(intervals: readonly ControlInterval[], rows: readonly { line: number }[]): void {
  const byKey = new Map<string, number[]>();
  intervals.forEach((iv, i) => {
    const key = `${iv.controlId}|${iv.hs6}|${iv.mineral}`;
    const earlier = byKey.get(key) ?? [];
    for (const j of earlier) {
      const o = intervals[j];
      const destinationsMeet =
        o.destinations === '*' || iv.destinations === '*' || o.destinations.some((d) => iv.destinations.includes(d));
      const datesMeet = (o.end === null || iv.start <= o.end) && (iv.end === null || o.start <= iv.end);
      if (destinationsMeet && datesMeet) {
        throw new InputError(
          `controls.csv line ${rows[i].line}: ${iv.controlId} ${iv.hs6} ${iv.mineral} overlaps the interval on line ${rows[j].line}`,
        );
      }
    }
    byKey.set(key, [...earlier, i]);
  });
}

function parseComparator(r: CsvRow<(typeof COMPARATOR_COLUMNS)[number]>, controlled: ReadonlySet<string>): Comparator {
  const hs6 = r.get('hs6');
  if (!/^\d{6}$/.test(hs6)) throw r.fail('hs6', 'is not a 6-digit code');
  if (controlled.has(hs6)) throw r.fail('hs6', 'is a controlled code in controls.csv; a comparator must be uncontrolled');
  const mineral = r.get('mineral');
  if (!/^[a-z][a-z_]*$/.test(mineral)) throw r.fail('mineral', 'is not a lowercase mineral name');
  const comparesTo = r.get('compares_to').split(';');
  for (const c of comparesTo) {
    if (!controlled.has(c)) throw r.fail('compares_to', `names '${c}', which is not a controlled code in controls.csv`);
  }
  return Object.freeze({ hs6, mineral, comparesTo, note: r.get('note') });
}

function parseKeyword(r: CsvRow<(typeof KEYWORD_COLUMNS)[number]>, known: ReadonlySet<string>): Keyword {
  const mineral = r.get('mineral');
  if (!known.has(mineral)) throw r.fail('mineral', 'is not a mineral of controls.csv or comparators.csv');
  const lang = r.get('lang');
  if (!/^[a-z]{2}$/.test(lang)) throw r.fail('lang', 'is not a two-letter language code');
  const keyword = r.get('keyword').trim();
  if (!keyword) throw r.fail('keyword', 'is empty');
  return Object.freeze({ mineral, lang, keyword });
}

function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Splits CSV text, one record a line (quoted fields with `""` escapes, LF or CRLF), and checks the header is `columns`. */
function readCsv<C extends string>(text: string, fileName: string, columns: readonly C[]): CsvRow<C>[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0] ?? '';
  if (header !== columns.join(',')) {
    throw new InputError(`${fileName} line 1: expected the columns '${columns.join(',')}', found '${header}'`);
  }
  const rows: CsvRow<C>[] = [];
  lines.forEach((text, i) => {
    const line = i + 1;
    if (i === 0 || text === '') return;
    const fields = splitCsvLine(text);
    if (!fields) throw new InputError(`${fileName} line ${line}: a quoted field is not closed where a field ends`);
    if (fields.length !== columns.length) {
      throw new InputError(`${fileName} line ${line}: ${fields.length} fields, expected ${columns.length}`);
    }
    const get = (column: C) => fields[columns.indexOf(column)];
    rows.push({
      line,
      get,
      fail: (column: C, why: string) => new InputError(`${fileName} line ${line}, column ${column}: '${get(column)}' ${why}`),
    });
  });
  return rows;
}

