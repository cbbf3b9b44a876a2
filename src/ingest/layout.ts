import type { CsvRecord } from '../io/csv-scanner.ts';
import { InputError } from '../base/errors.ts';
import type { IngestContext } from './context.ts';

/** A CSV layout tradewatch can read: how to recognise its header and how to turn its records into flow rows. */
export interface CsvLayout {
  /** The value of the `source` column and of `--format`. */
  readonly name: string;
  /** True when the header is this layout's (used when `--format` is not given). */
  matches(header: readonly string[]): boolean;
  /** Binds to one file's header (throws {@link InputError} naming missing columns) and returns the record handler. */
  bind(header: readonly string[], ctx: IngestContext): (rec: CsvRecord) => void;
  /**
   * The columns {@link bind} cannot do without and the layout's name in messages: with them, a header that
   * misses a few of them is named as this layout's, with the missing columns, instead of an unknown layout.
   */
  readonly required?: { readonly columns: readonly string[]; readonly title: string };
}

/**
 * Case-insensitive column lookup over a header. A name the header gives twice (or more) cannot be read:
 * asking for it ({@link find}, {@link require}) throws {@link InputError} naming the file, the column and its
 * positions, instead of silently taking the first one. Duplicates of columns nobody reads do no harm.
 */
export class HeaderIndex {
  private readonly index = new Map<string, number>();
  /** Positions (0-based) of every name the header gives more than once. */
  private readonly repeated = new Map<string, number[]>();
  constructor(
    readonly header: readonly string[],
    private readonly fileName: string,
    private readonly layout: string,
  ) {
    header.forEach((h, i) => {
      const k = h.trim().toLowerCase();
      const first = this.index.get(k);
      if (first === undefined) this.index.set(k, i);
      else this.repeated.set(k, [...(this.repeated.get(k) ?? [first]), i]);
    });
  }
  /** Whether the header has column `name`. */
  has(name: string): boolean {
    return this.index.has(name.toLowerCase());
  }
  /** Index of column `name`, or -1; throws {@link InputError} when the header has it more than once. */
  find(name: string): number {
    const k = name.toLowerCase();
    const at = this.repeated.get(k);
    if (at) {
      const shown = at.map((i) => `'${this.header[i].trim()}' at column ${i + 1}`).join(' and ');
      throw new InputError(
        `${this.fileName}: column '${name}' appears ${at.length} times in the header (${shown}); the ${this.layout} layout reads it, ` +
          `and which one is meant is unknown — rename or remove the extra column`,
      );
    }
    return this.index.get(k) ?? -1;
  }
  /** Indexes of required columns; throws naming every missing one. */
  require<const K extends string>(names: readonly K[]): Record<K, number> {
    const missing = names.filter((n) => !this.has(n));
    if (missing.length) {
      throw new InputError(
        `${this.fileName}: missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} for the ${this.layout} layout`,
      );
    }
    const out = {} as Record<K, number>;
    for (const n of names) out[n] = this.find(n);
    return out;
  }
}

/** True when every name is a column of the header (case-insensitive). */
export function hasColumns(header: readonly string[], names: readonly string[]): boolean {
  const set = new Set(header.map((h) => h.trim().toLowerCase()));
  return names.every((n) => set.has(n.toLowerCase()));
}

/** The columns of `names` the header lacks (case-insensitive). */
export function missingColumns(header: readonly string[], names: readonly string[]): string[] {
  const set = new Set(header.map((h) => h.trim().toLowerCase()));
  return names.filter((n) => !set.has(n.toLowerCase()));
}

/** A header field that may be shown in a message: a short column name of letters, digits and common punctuation. */
const COLUMN_NAME = /^[\p{L}\p{N} _.()$%#&+\-\/]{0,48}$/u;

/**
 * The first columns of a header, for an error message, only when the line looks like a CSV header (at least
 * two fields, each a short column name); else a note that it is not shown. An input that is not a CSV file
 * (`/etc/passwd`, a key file, binary data) must not have its first line echoed into logs.
 */
export function headerExcerpt(header: readonly string[], max = 8): string {
  const names = header.map((h) => h.trim());
  if (names.length < 2 || !names.every((n) => COLUMN_NAME.test(n)) || !names.some((n) => n !== '')) {
    return `the first line is not a CSV header (${names.length} field${names.length === 1 ? '' : 's'}; not shown)`;
  }
  return `header: ${names.slice(0, max).join(',')}${names.length > max ? ',…' : ''}`;
}
