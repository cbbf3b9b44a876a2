import type { CsvRecord } from '../io/csv-scanner.ts';
import { InputError } from '../run/errors.ts';
import type { IngestContext } from './context.ts';

/** A CSV layout tradewatch can read: how to recognise its header and how to turn its records into flow rows. */
export interface CsvLayout {
  /** The value of the `source` column and of `--format`. */
  readonly name: string;
  /** True when the header is this layout's (used when `--format` is not given). */
  matches(header: readonly string[]): boolean;
  /** Binds to one file's header (throws {@link InputError} naming missing columns) and returns the record handler. */
  bind(header: readonly string[], ctx: IngestContext): (rec: CsvRecord) => void;
}

/** Case-insensitive column lookup over a header. */
export class HeaderIndex {
  private readonly index = new Map<string, number>();
  constructor(
    readonly header: readonly string[],
    private readonly fileName: string,
    private readonly layout: string,
  ) {
    header.forEach((h, i) => {
      const k = h.trim().toLowerCase();
      if (!this.index.has(k)) this.index.set(k, i);
    });
  }
  /** Whether the header has column `name`. */
  has(name: string): boolean {
    return this.index.has(name.toLowerCase());
  }
  /** Index of column `name`, or -1. */
  find(name: string): number {
    return this.index.get(name.toLowerCase()) ?? -1;
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
