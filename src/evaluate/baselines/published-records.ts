/**
 * Shared by the baseline detectors: which reporter published which flow and period, and each exporter → importer
 * pair's records, from which a side's value per period is read (a published period without a record is zero, an
 * unpublished one unknown).
 */
import { Int32Builder, Int8Builder, StringDictionary } from '../../table/columns.ts';
import { NumberMap } from '../../table/number-map.ts';
import type { CodedColumn } from '../../table/read.ts';

/** Per flow code: 0 for exports (`X`), 1 for imports (`M`), -1 for any other flow (the mirror matcher's). */
export { flowSides } from '../../detect/mirror/mirror-windows.ts';

/** Period index: months since year 0 (YYYY·12 + MM − 1) or the year; below this until year 3333. */
const SPAN = 40_000;

/** Per period code: `YYYY` → the year (annual), `YYYY-MM` → months since year 0; throws naming any other text. */
export function periodIndex(values: readonly string[], who: string): { t: Float64Array; annual: Int8Array } {
  const t = new Float64Array(values.length);
  const annual = new Int8Array(values.length);
  values.forEach((v, k) => {
    if (/^\d{4}$/.test(v)) (t[k] = Number(v)), (annual[k] = 1);
    else if (/^\d{4}-(0[1-9]|1[0-2])$/.test(v)) t[k] = Number(v.slice(0, 4)) * 12 + Number(v.slice(5, 7)) - 1;
    else throw new Error(`${who}: period '${v}' is neither YYYY nor YYYY-MM`);
  });
  return { t, annual };
}

/** Reporters and partners on one country dictionary: each reporter and partner code's id in it, and per id 1 for a country (ISO3 other than `WLD`), 0 for the world or an area. */
export function countryIds(rep: CodedColumn, par: CodedColumn): { countries: StringDictionary; repOf: Int32Array; parOf: Int32Array; isCountry: Uint8Array } {
  const countries = new StringDictionary();
  const repOf = Int32Array.from(rep.values, (v) => countries.code(v));
  const parOf = Int32Array.from(par.values, (v) => countries.code(v));
  const isCountry = Uint8Array.from(countries.values, (c) => (/^[A-Z]{3}$/.test(c) && c !== 'WLD' ? 1 : 0));
  return { countries, repOf, parOf, isCountry };
}

/** What each reporter published: reporter × flow side × frequency × period, each year's months, and each reporter's frequencies. */
export class Published {
  private readonly cells = new NumberMap(1024);
  private readonly months = new NumberMap(256);
  /** Per reporter × side: bit 0 it published some month, bit 1 some year. */
  readonly freqs: Uint8Array;
  constructor(countries: number) {
    this.freqs = new Uint8Array(countries * 2);
  }
  /** Records that reporter c published side s (0 X, 1 M) for period t of that frequency. */
  mark(c: number, s: number, annual: number, t: number): void {
    const k = ((c * 2 + s) * 2 + annual) * SPAN + t;
    if (this.cells.has(k)) return;
    this.cells.set(k, 1);
    this.freqs[c * 2 + s] |= 1 << annual;
    if (!annual) this.months.add((c * 2 + s) * SPAN + Math.floor(t / 12), 1);
  }
  /** Whether reporter c published side s for period t of that frequency. */
  has(c: number, s: number, annual: number, t: number): boolean {
    return this.cells.has(((c * 2 + s) * 2 + annual) * SPAN + t);
  }
  /** Whether reporter c published side s in all twelve months of year y. */
  fullYear(c: number, s: number, y: number): boolean {
    return this.months.get((c * 2 + s) * SPAN + y, 0) === 12;
  }
}

/** Each exporter → importer × HS6 pair's records by side (the exporter's X, the importer's M), frequency and period, the first of each kept, pair ids in order of first record. */
export class PairRecords {
  /** Exporter, importer and HS6 code of each pair, by pair id. */
  readonly exporter = new Int32Builder();
  readonly importer = new Int32Builder();
  readonly hs6 = new Int32Builder();
  private readonly ids = new NumberMap(1024); // (hs6 · countries + exporter) · countries + importer → pair id
  private readonly kept = new Int8Builder(); // bit 0/1: exporter's X monthly/annual, bit 2/3: importer's M monthly/annual
  private readonly values = new NumberMap(1024); // record key → value (NaN: a record without a value, null or negative)

  constructor(
    private readonly countries: number,
    private readonly published: Published,
  ) {}

  /** Number of pairs. */
  get size(): number {
    return this.exporter.length;
  }

  /** Id of the pair exporter e → importer im of HS6 code h; -1 when it has no record. */
  find(h: number, e: number, im: number): number {
    return this.ids.get((h * this.countries + e) * this.countries + im, -1);
  }

  /** Keeps reporter r's record with partner q of code h, side s (0 r's X to q, 1 r's M from q), period t, a null or negative value as a record without one: its pair's id, or -1 when that side already has a record of the period (several sources: the first is kept). */
  add(h: number, r: number, q: number, s: number, annual: number, t: number, value: number): number {
    const e = s === 0 ? r : q, im = s === 0 ? q : r;
    const pk = (h * this.countries + e) * this.countries + im;
    let g = this.ids.get(pk, -1);
    if (g < 0) {
      g = this.exporter.length;
      this.ids.set(pk, g);
      this.exporter.push(e);
      this.importer.push(im);
      this.hs6.push(h);
      this.kept.push(0);
    }
    const rk = recKey(g, s, annual, t);
    if (this.values.has(rk)) return -1;
    this.values.set(rk, value >= 0 ? value : NaN);
    this.kept.data[g] |= 1 << (s * 2 + annual);
    return g;
  }

  /** Whether pair g is compared monthly: each side keeps it monthly or, with no record of it, its reporter publishes that flow monthly. */
  monthly(g: number): boolean {
    const fl = this.kept.data[g], freqs = this.published.freqs;
    const xs = fl & 3 || freqs[this.exporter.data[g] * 2], ms = (fl >> 2) & 3 || freqs[this.importer.data[g] * 2 + 1];
    return (xs === 0 || (xs & 1) === 1) && (ms === 0 || (ms & 1) === 1);
  }

  /** Side s of pair g for period t (a month, or a year in annual mode): -1 when its reporter did not publish it, NaN for a record without a value, 0 for a published period with no record. */
  sideValue(g: number, s: number, annual: number, t: number): number {
    const pub = this.published, recs = this.values;
    const c = s === 0 ? this.exporter.data[g] : this.importer.data[g];
    const has = (this.kept.data[g] >> (s * 2)) & 3;
    if (!annual) return pub.has(c, s, 0, t) ? recs.get(recKey(g, s, 0, t), 0) : -1;
    // its annual records when it keeps the pair annually (or, without records, publishes annually), else its months summed
    if (has & 2 || (!has && pub.has(c, s, 1, t))) return pub.has(c, s, 1, t) ? recs.get(recKey(g, s, 1, t), 0) : -1;
    if (!pub.fullYear(c, s, t)) return -1;
    let sum = 0;
    for (let mo = 0; mo < 12; mo++) sum += recs.get(recKey(g, s, 0, t * 12 + mo), 0);
    return sum;
  }
}

function recKey(g: number, side: number, annual: number, t: number): number {
  return ((g * 2 + side) * 2 + annual) * SPAN + t;
}
