import { Cron } from 'croner';

/** The part of a job that says when it runs. */
export interface JobTiming {
  /** 5-field cron expression. */
  cron: string;
  /** IANA time zone the expression is read in. */
  timezone: string;
}

/** A tick a job is due for. */
export interface DueTick {
  /** The most recent tick at or before now: the one run stands for all the ticks missed before it. */
  tick: Date;
  /** Ticks since the last handled one, this one included (1 = on time, more = caught up once); null on a first run. Counted up to {@link MAX_COUNTED}. */
  ticks: number | null;
}

/** Missed ticks are counted up to this many (a minutely job down for a month is not enumerated). */
export const MAX_COUNTED = 1000;

/**
 * Whether a job is due at `now`: its most recent cron tick at or before `now` is later than `last`, the
 * last tick handled (null: never ran, so the most recent tick is due). Missed ticks collapse to that
 * one tick. Pure: the clock is passed in.
 */
export function dueTick(job: JobTiming, last: Date | null, now: Date): DueTick | null {
  const cron = cronOf(job);
  // previousRuns is strict before its reference; 1 ms later makes it "at or before now" at ms precision
  const [tick] = cron.previousRuns(1, new Date(now.getTime() + 1));
  if (!tick || (last && tick.getTime() <= last.getTime())) return null;
  if (!last) return { tick, ticks: null };
  let ticks = 0;
  for (const t of cron.enumerate(last)) {
    if (t.getTime() > tick.getTime() || ++ticks >= MAX_COUNTED) break;
  }
  return { tick, ticks };
}

/** The first tick of a job strictly after `now`; null when the expression never fires again. */
export function nextTick(job: JobTiming, now: Date): Date | null {
  return cronOf(job).nextRun(now);
}

/** The month before the one `tick` falls in, in `timeZone`, as `YYYY-MM` (the partition of an `asOf: previous-month` job). */
export function previousMonth(tick: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric' }).formatToParts(tick);
  const year = Number(parts.find((p) => p.type === 'year')?.value);
  const month = Number(parts.find((p) => p.type === 'month')?.value); // 1-12
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

function cronOf(job: JobTiming): Cron {
  return new Cron(job.cron, { mode: '5-part', timezone: job.timezone }); // no callback: computes, never fires
}
