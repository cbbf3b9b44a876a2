import { describe, expect, it } from 'vitest';
import { dueTick, MAX_COUNTED, nextTick, previousMonth } from '../../src/commands/schedule-due.ts';

const d = (iso: string) => new Date(iso);
const utc = (cron: string) => ({ cron, timezone: 'UTC' });

describe('dueTick', () => {
  it('is the most recent tick at or before now, when later than the last handled one', () => {
    expect(dueTick(utc('0 6 * * *'), d('2026-03-09T06:00:00Z'), d('2026-03-10T06:00:00Z'))).toEqual({ tick: d('2026-03-10T06:00:00Z'), ticks: 1 });
    expect(dueTick(utc('0 6 * * *'), d('2026-03-09T06:00:00Z'), d('2026-03-10T05:59:59.999Z'))).toBeNull();
    expect(dueTick(utc('0 6 * * *'), d('2026-03-10T06:00:00Z'), d('2026-03-10T23:00:00Z'))).toBeNull();
  });

  it('on a first run (nothing handled) is the most recent tick, with no count', () => {
    expect(dueTick(utc('0 6 5 * *'), null, d('2026-03-10T00:00:00Z'))).toEqual({ tick: d('2026-03-05T06:00:00Z'), ticks: null });
  });

  it('collapses missed ticks into the latest one and counts them, up to a cap', () => {
    expect(dueTick(utc('0 6 * * *'), d('2026-03-05T06:00:00Z'), d('2026-03-10T07:00:00Z'))).toEqual({ tick: d('2026-03-10T06:00:00Z'), ticks: 5 });
    // every minute, down for a week: 10 080 ticks, counted up to the cap
    expect(dueTick(utc('* * * * *'), d('2026-03-01T00:00:00Z'), d('2026-03-08T00:00:00Z'))).toEqual({ tick: d('2026-03-08T00:00:00Z'), ticks: MAX_COUNTED });
  });

  it('reads the expression in the job time zone (06:00 Berlin is 05:00 UTC in winter, 04:00 in summer)', () => {
    const berlin = { cron: '0 6 * * *', timezone: 'Europe/Berlin' };
    expect(dueTick(berlin, null, d('2026-01-15T12:00:00Z'))?.tick).toEqual(d('2026-01-15T05:00:00Z'));
    expect(dueTick(berlin, null, d('2026-07-15T12:00:00Z'))?.tick).toEqual(d('2026-07-15T04:00:00Z'));
    expect(dueTick(berlin, null, d('2026-07-15T03:59:00Z'))?.tick).toEqual(d('2026-07-14T04:00:00Z'));
  });

  it('is never due for an expression that never fires', () => {
    expect(dueTick(utc('0 0 30 2 *'), null, d('2026-03-10T00:00:00Z'))).toBeNull();
    expect(nextTick(utc('0 0 30 2 *'), d('2026-03-10T00:00:00Z'))).toBeNull();
  });
});

describe('nextTick', () => {
  it('is strictly after now', () => {
    expect(nextTick(utc('0 6 * * *'), d('2026-03-10T06:00:00Z'))).toEqual(d('2026-03-11T06:00:00Z'));
    expect(nextTick(utc('0 6 5 * *'), d('2026-12-10T00:00:00Z'))).toEqual(d('2027-01-05T06:00:00Z'));
  });
});

describe('previousMonth', () => {
  it('is the month before the tick, in the job time zone, across a year', () => {
    expect(previousMonth(d('2026-03-05T06:00:00Z'), 'UTC')).toBe('2026-02');
    expect(previousMonth(d('2026-01-05T06:00:00Z'), 'UTC')).toBe('2025-12');
    // 23:30 UTC on 28 Feb is already 1 March in Berlin
    expect(previousMonth(d('2026-02-28T23:30:00Z'), 'UTC')).toBe('2026-01');
    expect(previousMonth(d('2026-02-28T23:30:00Z'), 'Europe/Berlin')).toBe('2026-02');
  });
});
