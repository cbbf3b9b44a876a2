import { DataType, type Table } from 'apache-arrow';

/**
 * Row access to a small table (flagged rows: tens to thousands) by column name, with missing columns and
 * nulls read as null: the report shows what a table has and never fails on what it lacks.
 */
export class Rows {
  private readonly cols = new Map<string, { get(i: number): unknown } | null>();
  constructor(readonly table: Table) {}

  get length(): number {
    return this.table.numRows;
  }

  has(name: string): boolean {
    return this.col(name) !== null;
  }

  value(name: string, i: number): unknown {
    const v = this.col(name)?.get(i);
    return v === undefined ? null : v;
  }

  /** A number, or null (NaN and missing are null). */
  num(name: string, i: number): number | null {
    const v = this.value(name, i);
    const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : null;
    return n === null || n !== n ? null : n;
  }

  /** Text, or null. */
  str(name: string, i: number): string | null {
    const v = this.value(name, i);
    return v === null ? null : String(v);
  }

  /** A list column's items (an Arrow list or a plain array), or []. */
  list<T = unknown>(name: string, i: number): T[] {
    const v = this.value(name, i);
    if (v === null) return [];
    if (Array.isArray(v)) return v as T[];
    if (typeof v === 'object' && 'toArray' in v) return Array.from((v as { toArray(): ArrayLike<unknown> }).toArray(), (x) => plain(x) as T);
    return [];
  }

  private col(name: string): { get(i: number): unknown } | null {
    if (!this.cols.has(name)) {
      const field = this.table.schema.fields.find((f) => f.name === name);
      const v = field ? this.table.getChild(name) : null;
      // a date column (Date32: milliseconds from Arrow) reads as its `YYYY-MM-DD` text
      const day = (ms: unknown) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString().slice(0, 10));
      this.cols.set(name, v && field && DataType.isDate(field.type) ? { get: (i: number) => day(v.get(i)) } : v);
    }
    return this.cols.get(name)!;
  }
}

/** An Arrow struct row as a plain object; anything else unchanged. */
function plain(x: unknown): unknown {
  return x && typeof x === 'object' && 'toJSON' in x && typeof (x as { toJSON: unknown }).toJSON === 'function' ? (x as { toJSON(): unknown }).toJSON() : x;
}

/** USD in words a reader takes in at a glance: `USD 6.85 m`, `USD 450 k`, `USD 780`; `—` for null. */
export function usdShort(v: number | null): string {
  if (v === null || v !== v) return '—';
  const a = Math.abs(v);
  const sign = v < 0 ? '−' : '';
  if (a >= 1e9) return `${sign}USD ${(a / 1e9).toFixed(2)} bn`;
  if (a >= 1e6) return `${sign}USD ${(a / 1e6).toFixed(2)} m`;
  if (a >= 1e3) return `${sign}USD ${(a / 1e3).toFixed(a >= 1e5 ? 0 : 1)} k`;
  return `${sign}USD ${a.toFixed(0)}`;
}

/** A short axis label for USD: `6.8m`, `450k`, `0`. */
export function usdTick(v: number): string {
  const a = Math.abs(v);
  const t = (x: number) => String(Number(x.toFixed(x >= 10 ? 0 : 1)));
  if (a >= 1e9) return `${t(v / 1e9)}bn`;
  if (a >= 1e6) return `${t(v / 1e6)}m`;
  if (a >= 1e3) return `${t(v / 1e3)}k`;
  return t(v);
}

/** A number for a table cell: integers and USD with thousands separators, ratios with `digits` decimals. */
export function formatNumber(v: number | null, digits = 2): string {
  if (v === null || v !== v) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v) || Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(digits);
}

/** A share 0–1 as a percentage. */
export function percent(v: number | null): string {
  return v === null || v !== v ? '—' : `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;
}

/**
 * A log ratio (or log change) as the factor it stands for, the way people read it: `×6.5` for 1.87, `×344` for
 * 5.84, `×0.33` for −1.10 (a fall to a third); `—` for null or NaN.
 */
export function factorOfLog(x: number | null): string {
  if (x === null || x !== x) return '—';
  const v = Math.exp(x);
  if (!Number.isFinite(v)) return '×∞';
  if (v >= 10) return `×${Math.round(v).toLocaleString('en-US')}`;
  if (v >= 1) return `×${v.toFixed(1)}`;
  return `×${Number(v.toPrecision(2))}`;
}

/** A log ratio as an HTML cell: the factor, the log itself in the tooltip (`<span title="log 1.87">×6.5</span>`). */
export function factorHtml(x: number | null): string {
  if (x === null || x !== x) return '<span class="muted">—</span>';
  return `<span title="log ${x.toFixed(2)}">${factorOfLog(x)}</span>`;
}
