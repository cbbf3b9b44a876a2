import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/io/lock.ts';
import { SCHEDULE_STATE_SCHEMA, type ScheduleState } from '../../src/io/schedule-state.ts';
import { resolveConfig } from '../../src/config/config.ts';
import { UsageError } from '../../src/base/errors.ts';
import { memoryLog } from '../../src/base/log.ts';
import type { RunArgs, RunResult } from '../../src/run/runner.ts';
import { retryDelaySeconds, runSchedule, type ScheduledRun } from '../../src/commands/schedule.ts';
import { quietMain } from '../cli/quiet-main.ts';

const SAMPLE = 'test/fixtures/comtrade_plus_small.csv';
const PIPELINES = ['coverage', 'mirror-gaps', 'transshipment'];

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tw-schedule-'));
});

/** A fresh folder with a config file holding `schedule` (state file inside the folder) and, optionally, a state file. */
async function setup(schedule: Record<string, unknown>, state?: Record<string, string>): Promise<{ dir: string; config: string; stateFile: string }> {
  const dir = join(root, `case-${++n}`);
  await mkdir(dir, { recursive: true });
  const stateFile = join(dir, 'state.json');
  const config = join(dir, 'tradewatch.json');
  await writeFile(config, JSON.stringify({ schedule: { stateFile, ...schedule } }));
  if (state) {
    const jobs = Object.fromEntries(Object.entries(state).map(([job, tick]) => [job, { tick, outcome: 'succeeded', attempts: 1, finished_at: tick }]));
    await writeFile(stateFile, JSON.stringify({ schema: SCHEDULE_STATE_SCHEMA, jobs }));
  }
  return { dir, config, stateFile };
}

/** A fake clock whose sleeps advance it, and a fake run that records what it was asked and when. */
function fakes(start: string, behave: (call: number, pipeline: string, args: RunArgs) => Promise<void> | void = () => {}) {
  let t = Date.parse(start);
  const sleeps: number[] = [];
  const calls: { pipeline: string; args: RunArgs; at: string }[] = [];
  const run: ScheduledRun = async (pipeline, args) => {
    calls.push({ pipeline, args, at: new Date(t).toISOString() });
    await behave(calls.length, pipeline, args);
    const partition = `as_of=${args.asOf ?? '2024-02'}`;
    return [{ status: 'succeeded', pipeline, partition, path: join(args.out, pipeline, partition) } as RunResult];
  };
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    run,
    sleeps,
    calls,
    pipelines: PIPELINES,
  };
}

async function readState(path: string): Promise<ScheduleState> {
  return JSON.parse(await readFile(path, 'utf8'));
}

const daily = { name: 'daily', pipeline: 'mirror-gaps', cron: '0 6 * * *', trade: ['data/comtrade'], out: 'out' };
const monthly = { name: 'monthly', pipeline: 'transshipment', cron: '0 6 5 * *', trade: ['data/comtrade'], out: 'out', asOf: 'previous-month' };

describe('schedule --once', () => {
  it('runs the due job, leaves the not-due one, records the tick, and does nothing more on a second call', async () => {
    const { config, stateFile } = await setup(
      { jobs: [daily, monthly] },
      { daily: '2026-03-09T06:00:00.000Z', monthly: '2026-03-05T06:00:00.000Z' },
    );
    const f = fakes('2026-03-10T07:00:00Z');
    const log = memoryLog();
    const s = await runSchedule({ config, once: true }, { ...f, log });
    expect(s.exitCode).toBe(0);
    expect(f.calls).toEqual([
      { pipeline: 'mirror-gaps', at: '2026-03-10T07:00:00.000Z', args: expect.objectContaining({ out: 'out', trade: ['data/comtrade'], asOf: undefined, config, set: [] }) },
    ]);
    expect(s.outcomes.map((o) => [o.job, o.tick, o.outcome, o.attempts])).toEqual([['daily', '2026-03-10T06:00:00.000Z', 'succeeded', 1]]);
    expect(log.events.find((e) => e.event === 'schedule.due')?.fields).toMatchObject({ job: 'daily', ticks: 1, catch_up: false, as_of: 'latest' });
    expect(f.sleeps).toEqual([]);
    const state = await readState(stateFile);
    expect(state.jobs.daily).toMatchObject({ tick: '2026-03-10T06:00:00.000Z', outcome: 'succeeded', attempts: 1, finished_at: '2026-03-10T07:00:00.000Z' });
    expect(state.jobs.monthly.tick).toBe('2026-03-05T06:00:00.000Z');

    const again = await runSchedule({ config, once: true }, { ...f, log });
    expect(again.outcomes).toEqual([]);
    expect(f.calls).toHaveLength(1);
  });

  it("hands a job's declarations, history, reviews, global tables and availability table to its run", async () => {
    const screening = {
      name: 'screening', pipeline: 'all', cron: '0 6 * * *', trade: ['data/comtrade'], declarations: ['data/decl'], history: ['data/hist'], reviews: 'reviews.csv', global: '/global',
      availability: 'fetched/availability.parquet', out: 'out',
    };
    const { config } = await setup({ jobs: [screening] }, { screening: '2026-03-09T06:00:00.000Z' });
    const f = fakes('2026-03-10T07:00:00Z');
    await runSchedule({ config, once: true }, f);
    expect(f.calls[0].args).toMatchObject({
      trade: ['data/comtrade'], declarations: ['data/decl'], history: ['data/hist'], reviews: 'reviews.csv', global: '/global', availability: 'fetched/availability.parquet', mirror: undefined,
    });
  });

  it('is due exactly at the tick, not a minute before', async () => {
    const { config } = await setup({ jobs: [daily] }, { daily: '2026-03-09T06:00:00.000Z' });
    const before = fakes('2026-03-10T05:59:00Z');
    expect((await runSchedule({ config, once: true }, before)).outcomes).toEqual([]);
    const at = fakes('2026-03-10T06:00:00Z');
    expect((await runSchedule({ config, once: true }, at)).outcomes.map((o) => o.tick)).toEqual(['2026-03-10T06:00:00.000Z']);
  });

  it('runs every job once on a first start (no state file), oldest tick first', async () => {
    const { config, stateFile } = await setup({ jobs: [daily, monthly] });
    expect(existsSync(stateFile)).toBe(false);
    const f = fakes('2026-03-10T07:00:00Z');
    const s = await runSchedule({ config, once: true }, f);
    expect(s.outcomes.map((o) => [o.job, o.tick])).toEqual([
      ['monthly', '2026-03-05T06:00:00.000Z'],
      ['daily', '2026-03-10T06:00:00.000Z'],
    ]);
    expect(f.calls.map((c) => [c.pipeline, c.args.asOf])).toEqual([['transshipment', '2026-02'], ['mirror-gaps', undefined]]);
    expect(Object.keys((await readState(stateFile)).jobs).sort()).toEqual(['daily', 'monthly']);
  });
});

describe('catch-up', () => {
  it('runs a job once for all the ticks missed while down, as the latest tick', async () => {
    // down from January to 20 April: the ticks of 5 Feb, 5 Mar and 5 Apr were missed
    const { config, stateFile } = await setup({ jobs: [monthly] }, { monthly: '2026-01-05T06:00:00.000Z' });
    const f = fakes('2026-04-20T12:00:00Z');
    const log = memoryLog();
    const s = await runSchedule({ config, once: true }, { ...f, log });
    expect(f.calls.map((c) => [c.pipeline, c.args.asOf])).toEqual([['transshipment', '2026-03']]);
    expect(s.outcomes.map((o) => o.tick)).toEqual(['2026-04-05T06:00:00.000Z']);
    expect(log.events.find((e) => e.event === 'schedule.due')?.fields).toMatchObject({ tick: '2026-04-05T06:00:00.000Z', ticks: 3, catch_up: true, as_of: '2026-03' });
    expect((await readState(stateFile)).jobs.monthly.tick).toBe('2026-04-05T06:00:00.000Z');
  });

  it('the long-running scheduler catches up once at start, then runs at each tick, waiting at most pollSeconds', async () => {
    const hourly = { name: 'hourly', pipeline: 'coverage', cron: '0 * * * *', out: 'out' };
    const { config } = await setup({ jobs: [hourly], pollSeconds: 1200 }, { hourly: '2026-03-10T07:00:00.000Z' });
    const stop = new AbortController();
    const f = fakes('2026-03-10T10:30:00Z', (call) => {
      if (call === 3) stop.abort('SIGTERM');
    });
    const s = await runSchedule({ config }, { ...f, signal: stop.signal });
    expect(s.exitCode).toBe(0);
    // 08:00, 09:00 and 10:00 were missed: one run at 10:30 for 10:00; then 11:00 and 12:00 on time
    expect(f.calls.map((c) => c.at)).toEqual(['2026-03-10T10:30:00.000Z', '2026-03-10T11:00:00.000Z', '2026-03-10T12:00:00.000Z']);
    expect(s.outcomes.map((o) => o.tick)).toEqual(['2026-03-10T10:00:00.000Z', '2026-03-10T11:00:00.000Z', '2026-03-10T12:00:00.000Z']);
    // 10:30 → 11:00 is 30 min: waited as 20 + 10; 11:00 → 12:00 as 3 × 20
    expect(f.sleeps).toEqual([1_200_000, 600_000, 1_200_000, 1_200_000, 1_200_000]);
  });
});

describe('stopping (SIGTERM)', () => {
  it('finishes the run in progress, starts no other, records it, and returns 0', async () => {
    const { config, stateFile } = await setup({ jobs: [daily, { ...daily, name: 'daily-too', pipeline: 'coverage' }] });
    const stop = new AbortController();
    let finished = false;
    const f = fakes('2026-03-10T07:00:00Z', async () => {
      stop.abort('SIGTERM'); // the signal arrives while the run works
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      finished = true;
    });
    const log = memoryLog();
    const s = await runSchedule({ config }, { ...f, log, signal: stop.signal });
    expect(finished).toBe(true);
    expect(s.exitCode).toBe(0);
    expect(f.calls.map((c) => c.pipeline)).toEqual(['mirror-gaps']);
    expect(f.sleeps).toEqual([]);
    const events = log.events.map((e) => e.event).filter((e) => e !== 'schedule.next');
    expect(events).toEqual(['schedule.started', 'schedule.due', 'schedule.stopping', 'schedule.done', 'schedule.stopped']);
    expect(log.events.find((e) => e.event === 'schedule.stopping')?.fields).toMatchObject({ running: 'daily' });
    expect(Object.keys((await readState(stateFile)).jobs)).toEqual(['daily']); // daily-too stays due for the next start
  });

  it('stops during a retry back-off without recording the tick, so the next start tries again', async () => {
    const { config, stateFile } = await setup({ jobs: [daily], retries: 3, retryBaseSeconds: 10 });
    const stop = new AbortController();
    const f = fakes('2026-03-10T07:00:00Z', () => {
      throw new Error('network share unavailable');
    });
    const sleep = async (ms: number) => {
      await f.sleep(ms);
      stop.abort('SIGTERM');
    };
    const s = await runSchedule({ config }, { ...f, sleep, signal: stop.signal });
    expect(s.exitCode).toBe(0);
    expect(s.outcomes.map((o) => [o.outcome, o.attempts])).toEqual([['interrupted', 1]]);
    expect(f.sleeps).toEqual([10_000]);
    expect(existsSync(stateFile)).toBe(false);
  });
});

describe('retries', () => {
  it('retries a failing run with doubling back-off up to retries, then reports it and moves on; --once exits 1', async () => {
    const { config, stateFile } = await setup({ jobs: [daily, { ...monthly, name: 'flaky' }], retries: 3, retryBaseSeconds: 10, retryMaxSeconds: 25 });
    const f = fakes('2026-03-10T07:00:00Z', (_call, pipeline) => {
      if (pipeline === 'mirror-gaps') throw new Error('disk full (simulated)');
      if (f.calls.filter((c) => c.pipeline === 'transshipment').length < 3) throw new Error('share not mounted yet');
    });
    const log = memoryLog();
    const s = await runSchedule({ config, once: true }, { ...f, log });
    // flaky (tick of 5 March) first: two failures then a success; daily: 1 + 3 retries, all failing
    expect(s.outcomes.map((o) => [o.job, o.outcome, o.attempts])).toEqual([['flaky', 'succeeded', 3], ['daily', 'failed', 4]]);
    expect(f.sleeps).toEqual([10_000, 20_000, 10_000, 20_000, 25_000]);
    expect(s.exitCode).toBe(1);
    expect(log.events.filter((e) => e.event === 'schedule.failed').map((e) => e.fields)).toEqual([
      expect.objectContaining({ job: 'daily', level: 'error', attempts: 4, exit_code: 1, error: 'disk full (simulated)' }),
    ]);
    expect((await readState(stateFile)).jobs.daily).toMatchObject({ outcome: 'failed', attempts: 4, error: 'disk full (simulated)' });
    // moved on: the failed tick is not run again, the next one is
    const later = fakes('2026-03-10T08:00:00Z');
    expect((await runSchedule({ config, once: true }, later)).outcomes).toEqual([]);
    const nextDay = fakes('2026-03-11T06:00:00Z');
    expect((await runSchedule({ config, once: true }, nextDay)).outcomes.map((o) => [o.job, o.outcome])).toEqual([['daily', 'succeeded']]);
  });

  it('does not retry bad input or config (exit 2)', async () => {
    const { config } = await setup({ jobs: [daily], retries: 3 });
    const f = fakes('2026-03-10T07:00:00Z', () => {
      throw new UsageError('run mirror-gaps: give --trade PATH…');
    });
    const s = await runSchedule({ config, once: true }, f);
    expect(s.outcomes.map((o) => [o.outcome, o.attempts, o.error])).toEqual([['failed', 1, 'run mirror-gaps: give --trade PATH…']]);
    expect(f.sleeps).toEqual([]);
  });

  it('computes the back-off: base doubled per retry, capped', () => {
    const p = { retryBaseSeconds: 60, retryMaxSeconds: 900 };
    expect([1, 2, 3, 4, 5, 6].map((a) => retryDelaySeconds(a, p))).toEqual([60, 120, 240, 480, 900, 900]);
  });
});

describe('with the real run machinery', () => {
  it('logs lock contention and leaves it to the next tick, then publishes the partition on the next tick', async () => {
    const out = join(root, 'real-out');
    const { config, stateFile } = await setup({ jobs: [{ name: 'cov', pipeline: 'coverage', cron: '0 6 * * *', trade: [SAMPLE], out }], retries: 2 });
    let t = Date.parse('2026-03-10T06:00:30Z');
    const now = () => new Date(t);
    const sleeps: number[] = [];
    const sleep = async (ms: number) => void sleeps.push(ms);
    const held = await acquireLock(join(out, '.locks', 'coverage', 'as_of=2024-02.lock'), { runId: 'other', now });
    const log = memoryLog();
    const locked = await runSchedule({ config, once: true }, { log, now, sleep, cwd: process.cwd(), runEffects: { runId: () => 'sched-1' } });
    await held.release();
    expect(locked.exitCode).toBe(0);
    expect(locked.outcomes.map((o) => [o.outcome, o.attempts])).toEqual([['locked', 1]]);
    expect(log.events.find((e) => e.event === 'schedule.locked')?.fields).toMatchObject({ job: 'cov', level: 'warn', error: expect.stringMatching(/held by run other/) });
    expect(sleeps).toEqual([]);
    expect(existsSync(join(out, 'coverage'))).toBe(false);
    expect((await readState(stateFile)).jobs.cov.outcome).toBe('locked');

    t = Date.parse('2026-03-11T06:00:30Z');
    const done = await runSchedule({ config, once: true }, { log, now, sleep, cwd: process.cwd(), runEffects: { runId: () => 'sched-2' } });
    expect(done.outcomes.map((o) => [o.outcome, o.results.map((r) => [r.status, r.partition])])).toEqual([['succeeded', [['succeeded', 'as_of=2024-02']]]]);
    const dir = join(out, 'coverage', 'as_of=2024-02');
    expect((await readdir(dir)).sort()).toEqual(['_SUCCESS', 'coverage.parquet', 'manifest.json', 'rejects.parquet', 'report.html']);
    const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({ pipeline: 'coverage', status: 'succeeded', run_id: 'sched-2', as_of: '2024-02', started_at: '2026-03-11T06:00:30.000Z' });
    // the run's own events carry the job name
    expect(log.events.find((e) => e.event === 'run.published')?.fields).toMatchObject({ job: 'cov', run_id: 'sched-2', partition: 'as_of=2024-02' });
  });
});

describe('schedule config', () => {
  it('is empty by default', () => {
    expect(resolveConfig({}).schedule).toEqual({
      jobs: [],
      retries: 2,
      retryBaseSeconds: 60,
      retryMaxSeconds: 900,
      stateFile: '.tradewatch/schedule-state.json',
      pollSeconds: 60,
      noDataRetryHours: 24,
    });
  });

  it('fills job defaults and rejects what is wrong, naming the key', () => {
    const job = { pipeline: 'coverage', cron: '0 6 5 * *', out: 'out' };
    expect(resolveConfig({ file: { schedule: { jobs: [job] } } }).schedule.jobs).toEqual([{ ...job, timezone: 'UTC', trade: [], declarations: [], history: [], asOf: 'latest', set: [] }]);
    const bad = (j: Record<string, unknown>) => () => resolveConfig({ file: { schedule: { jobs: [{ ...job, ...j }] } }, fileName: 'tw.yaml' });
    expect(bad({ cron: '61 * * * *' })).toThrow(
      `config tw.yaml: 'schedule.jobs.0.cron': not a cron expression (Invalid value for minute: 61); expected 5 fields, e.g. "0 6 5 * *"`,
    );
    expect(bad({ cron: '0 0 6 5 * *' })).toThrow(/'schedule\.jobs\.0\.cron': not a cron expression \(mode '5-part' requires exactly 5 parts/);
    expect(bad({ timezone: 'Mars/Olympus' })).toThrow(`config tw.yaml: 'schedule.jobs.0.timezone': not an IANA time zone (e.g. UTC, Europe/Berlin)`);
    // --keep 0 is refused by run; a job asking for it would fail every tick, so the config refuses it up front
    expect(bad({ keep: 0 })).toThrow(/'schedule\.jobs\.0\.keep': keep must be 1 or more \(leave it out to keep every partition\)/);
    expect(bad({ asof: 'latest' })).toThrow(/unknown key 'schedule\.jobs\.0\.asof' \(valid keys here: name, pipeline, cron, timezone, trade, declarations, history, reviews, global, availability, format, out, asOf, hs, keep, set, mirror, routes\)/);
    expect(() => resolveConfig({ file: { schedule: { jobs: [job, job] } } })).toThrow(
      "config: 'schedule.jobs.1.name': job name 'coverage' is used twice; give each job a unique name",
    );
  });

  it('refuses an unknown pipeline and an empty job list before running anything', async () => {
    const { config } = await setup({ jobs: [{ ...daily, pipeline: 'mirror-gap' }] });
    await expect(runSchedule({ config, once: true }, fakes('2026-03-10T07:00:00Z'))).rejects.toThrow(
      "schedule.jobs.0 (daily): unknown pipeline 'mirror-gap' (known: coverage, mirror-gaps, transshipment, all)",
    );
    const empty = await setup({ jobs: [] });
    await expect(runSchedule({ config: empty.config, once: true }, fakes('2026-03-10T07:00:00Z'))).rejects.toThrow(UsageError);
  });
});

describe('tradewatch schedule (CLI)', () => {
  it('exits 2 without jobs, and 1 with --once when a job failed (a missing input)', async () => {
    const empty = await setup({ jobs: [] });
    const r = await quietMain(['schedule', '--once', '--config', empty.config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/schedule: no jobs; add them under schedule\.jobs/);

    const missing = await setup({ jobs: [{ name: 'cov', pipeline: 'coverage', cron: '0 6 * * *', trade: [join(root, 'nowhere.csv')], out: join(root, 'cli-out') }], retryBaseSeconds: 0 });
    const f = await quietMain(['schedule', '--once', '--config', missing.config, '--log-format', 'json']);
    expect(f.code).toBe(1);
    // under --log-format json the result lines and the last line on stderr are JSON too
    expect(JSON.parse(f.stdout)).toMatchObject({ level: 'info', event: 'result', status: 'failed', job: 'cov', tick: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T06:00:00\.000Z$/) });
    expect(JSON.parse(f.stderr)).toMatchObject({ level: 'error', event: 'cli.exit', exit_code: 1, error: expect.stringMatching(/^schedule --once: 1 job\(s\) failed after their retries: cov/) });
    expect(f.stderr).not.toMatch(/failure of tradewatch itself/);
  });

  it('binds SIGTERM: a real signal after the first run started ends the process with exit 0, the run published', async () => {
    const out = join(root, 'signal-out');
    const { config, stateFile } = await setup({ jobs: [{ name: 'cov', pipeline: 'coverage', cron: '* * * * *', trade: [SAMPLE], out }] });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'schedule', '--config', config, '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (b) => (stdout += String(b)));
    child.stderr.on('data', (b) => {
      stderr += String(b);
      if (stderr.includes('"event":"schedule.due"') && !child.killed) child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
    const events = stderr.trim().split('\n').map((l) => JSON.parse(l) as { event: string; reason?: string });
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['schedule.stopping', 'schedule.done', 'schedule.stopped']));
    expect(events.at(-1)).toMatchObject({ event: 'schedule.stopped', reason: 'signal' });
    expect(stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ event: 'result', status: 'done', job: 'cov', path: join(out, 'coverage', 'as_of=2024-02') }),
    ]);
    expect(existsSync(join(out, 'coverage', 'as_of=2024-02', '_SUCCESS'))).toBe(true);
    expect(Object.keys((await readState(stateFile)).jobs)).toEqual(['cov']);
  });
});
