/**
 * The months of a synthetic panel: index 0 is the first month; indices outside the panel (e.g. -1, the
 * month before it, whose shipments importers with a one-month lag record in month 0) are still valid.
 */
export class MonthAxis {
  /** `YYYY-MM` of every month in the panel, in order. */
  readonly periods: readonly string[];
  private readonly first: number;

  /** The months from `from` to `to` (both `YYYY-MM`, inclusive); throws when either is malformed or to < from. */
  constructor(from: string, to: string) {
    this.first = monthNumber(from);
    const last = monthNumber(to);
    if (last < this.first) throw new Error(`month axis: ${to} is before ${from}`);
    const periods: string[] = [];
    for (let m = this.first; m <= last; m++) periods.push(monthText(m));
    this.periods = periods;
  }

  /** Number of months in the panel. */
  get length(): number {
    return this.periods.length;
  }

  /** Index of a `YYYY-MM` month (negative or ≥ length when outside the panel). */
  index(period: string): number {
    return monthNumber(period) - this.first;
  }

  /** `YYYY-MM` of index `i`, inside the panel or not. */
  period(i: number): string {
    return monthText(this.first + i);
  }

  /** `YYYYMM` of index `i`, as Comtrade writes periods. */
  compact(i: number): string {
    return this.period(i).replace('-', '');
  }

  /**
   * Index of the first month a dated measure shapes: its own month when it starts by the 15th, else the
   * next one (a control from 2024-09-15 shapes September; one from 2024-12-03 shapes December).
   */
  effectiveIndex(date: string): number {
    const day = Number(date.slice(8, 10));
    return this.index(date.slice(0, 7)) + (day > 15 ? 1 : 0);
  }

  /** Days in the month of index `i`. */
  daysIn(i: number): number {
    const m = this.first + i;
    return MonthAxis.daysInMonth(Math.floor(m / 12), (m % 12) + 1);
  }

  /** Days in a calendar month (`month` 1–12), leap years included. */
  static daysInMonth(year: number, month: number): number {
    if (month !== 2) return [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  }
}

function monthNumber(period: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new Error(`month axis: '${period}' is not a month YYYY-MM`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

function monthText(m: number): string {
  return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
}
