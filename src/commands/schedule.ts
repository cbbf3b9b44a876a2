import { HANDOFF_KEYS } from '../datasets.ts';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { readConfigFile } from '../io/config-file.ts';
import { readScheduleState, writeScheduleState, type JobState, type ScheduleState } from '../io/schedule-state.ts';
import { resolveConfig } from '../config/config.ts';
import { EXIT, exitCodeOf, UsageError } from '../base/errors.ts';
import { silentLog, type Log } from '../base/log.ts';
import { loadPipelines } from '../run/registry.ts';
import { runCommand } from './run-command.ts';
import type { RunArgs, RunEffects, RunResult } from '../run/runner.ts';
import { dueTick, nextTick, previousMonth, type DueTick } from './schedule-due.ts';
import { jobName, type ScheduleJob, type ScheduleParams } from '../config/schedule-params.ts';

/** Arguments of `tradewatch schedule`. */
export interface ScheduleArgs {
  /** Config file with the `schedule` slice; also the config of every run. */
  config?: string;
  /** Config overrides for the scheduler and every run, as `--set key=value`. */
  set?: string[];
  /** Run whatever is due now, then exit (for cron and Kubernetes). */
  once?: boolean;
}

/** What runs one job: `runCommand` unless a test replaces it. */
export type ScheduledRun = (pipeline: string, args: RunArgs, fx: RunEffects & { log: Log; concurrency?: number }) => Promise<RunResult[]>;

/** Effects of the scheduler, injected so tests fix the clock, skip the waits and replace the runs. */
export interface ScheduleEffects {
  log?: Log;
  now?: () => Date;
  /** Waits `ms`, or less when `signal` aborts (must resolve, not reject, on abort). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  run?: ScheduledRun;
  /** Aborted on SIGTERM/SIGINT: no new run starts, the one in progress finishes. */
  signal?: AbortSignal;
  cwd?: string;
  /** Extra effects for every run (tests fix the run id). */
  runEffects?: RunEffects;
  /** Pipeline names a job may use besides `all` (default: the files in `pipelines/`). */
  pipelines?: readonly string[];
  /** Called as each tick is handled (the CLI prints result lines). */
  onOutcome?: (o: JobOutcome) => void;
}

/** How one due tick of one job ended. */
export interface JobOutcome {
  job: string;
  /** The tick, ISO 8601 UTC. */
  tick: string;
  /** `interrupted`: a stop came during a retry's back-off; the tick stays due for the next start. */
  outcome: JobState['outcome'] | 'interrupted';
  attempts: number;
  results: RunResult[];
  error?: string;
}

/** What `tradewatch schedule` returns. */
export interface ScheduleSummary {
  /** 0, or 1 when `--once` and a job failed after its retries. */
  exitCode: number;
  outcomes: JobOutcome[];
}

/**
 * `tradewatch schedule`: runs each job of config `schedule.jobs` when its cron expression says, through
 * the same `run` machinery and locks. A job is due when its most recent tick is later than the last tick
 * handled (kept in `schedule.stateFile`), so ticks missed while the process was down are caught up by one
 * run, not one per tick. A failed run is retried with exponential back-off up to `schedule.retries`, then
 * logged `schedule.failed`; another run holding the lock is logged `schedule.locked` and left to the next
 * tick. When `signal` aborts, no new run starts and the one in progress finishes. With `once`, handles
 * what is due now and returns.
 */
export async function runSchedule(args: ScheduleArgs, fx: ScheduleEffects = {}): Promise<ScheduleSummary> {
  const log = fx.log ?? silentLog;
  const now = fx.now ?? (() => new Date());
  const sleep = fx.sleep ?? sleepUnlessAborted;
  const signal = fx.signal ?? new AbortController().signal;
  const cwd = fx.cwd ?? process.cwd();
  const config = resolveConfig({ file: args.config ? await readConfigFile(args.config) : undefined, fileName: args.config, sets: args.set });
  const params = config.schedule;
  if (!params.jobs.length) throw new UsageError(`schedule: no jobs; add them under schedule.jobs in ${args.config ?? 'a config file (--config FILE)'}`);
  const known = fx.pipelines ?? [...(await loadPipelines()).keys()];
  params.jobs.forEach((j, i) => {
    if (j.pipeline !== 'all' && !known.includes(j.pipeline)) {
      throw new UsageError(`schedule.jobs.${i} (${jobName(j)}): unknown pipeline '${j.pipeline}' (known: ${known.join(', ')}, all)`);
    }
  });
  const statePath = resolve(cwd, params.stateFile);
  const state = await readScheduleState(statePath);

  let running: string | null = null;
  const onAbort = () => log('schedule.stopping', { running, note: running ? 'finishing the run in progress' : 'no run in progress' });
  signal.addEventListener('abort', onAbort, { once: true });
  log('schedule.started', { jobs: params.jobs.map(jobName), state_file: statePath, once: Boolean(args.once) });
  for (const j of params.jobs) logNext(log, j, now());

  const outcomes: JobOutcome[] = [];
  try {
    while (!signal.aborted) {
      const at = now();
      const due = params.jobs
        .map((job) => ({ job, due: dueTick(job, lastTick(state, job, at, params), at) }))
        .filter((d): d is { job: ScheduleJob; due: DueTick } => d.due !== null)
        .sort((a, b) => a.due.tick.getTime() - b.due.tick.getTime()); // stable: config order within a tick
      for (const { job, due: d } of due) {
        if (signal.aborted) break;
        running = jobName(job);
        const o = await handleTick(job, d, { args, params, concurrency: config.run.concurrency, log, now, sleep, signal, cwd, fx });
        running = null;
        outcomes.push(o);
        fx.onOutcome?.(o);
        if (o.outcome !== 'interrupted') {
          state.jobs[o.job] = { tick: o.tick, outcome: o.outcome, attempts: o.attempts, finished_at: now().toISOString(), ...(o.error ? { error: o.error } : {}) };
          await writeScheduleState(statePath, state);
          logNext(log, job, now());
        }
      }
      if (args.once) break;
      if (due.length) continue; // runs take time: look at the clock again before waiting
      await sleep(msUntilNextTick(params, now()), signal);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  const failed = outcomes.filter((o) => o.outcome === 'failed').length;
  log('schedule.stopped', { handled: outcomes.length, failed, reason: signal.aborted ? 'signal' : 'once' });
  return { exitCode: args.once && failed ? EXIT.failed : EXIT.ok, outcomes };
}

// defined with the other errors so that the CLI catches it without loading the scheduler
export { ScheduledRunsFailedError } from '../base/errors.ts';

/** Wait before retry `attempt` (1 = first retry): base doubled per retry, capped; seconds. */
export function retryDelaySeconds(attempt: number, p: Pick<ScheduleParams, 'retryBaseSeconds' | 'retryMaxSeconds'>): number {
  return Math.min(p.retryMaxSeconds, p.retryBaseSeconds * 2 ** (attempt - 1));
}

interface TickContext {
  args: ScheduleArgs;
  params: ScheduleParams;
  concurrency: number;
  log: Log;
  now: () => Date;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  cwd: string;
  fx: ScheduleEffects;
}

/** Runs one due tick of a job, retrying failures with back-off. */
async function handleTick(job: ScheduleJob, due: DueTick, c: TickContext): Promise<JobOutcome> {
  const name = jobName(job);
  const tick = due.tick.toISOString();
  const asOf = job.asOf === 'previous-month' ? previousMonth(due.tick, job.timezone) : undefined;
  const runArgs: RunArgs = {
    ...Object.fromEntries(HANDOFF_KEYS.map((k) => [k, job[k]])),
    out: job.out,
    trade: job.trade.length ? [...job.trade] : undefined,
    declarations: job.declarations.length ? [...job.declarations] : undefined,
    history: job.history.length ? [...job.history] : undefined,
    reviews: job.reviews,
    global: job.global,
    availability: job.availability,
    format: job.format,
    asOf,
    hs: job.hs,
    config: c.args.config,
    set: [...(c.args.set ?? []), ...job.set],
    keep: job.keep,
  };
  const ctx = { job: name, pipeline: job.pipeline, tick };
  const runLog: Log = (event, fields) => c.log(event, { job: name, ...fields });
  c.log('schedule.due', { ...ctx, as_of: asOf ?? 'latest', ticks: due.ticks, catch_up: (due.ticks ?? 1) > 1 });
  const run = c.fx.run ?? runCommand;
  for (let attempt = 1; ; attempt++) {
    try {
      const results = await run(job.pipeline, runArgs, { ...c.fx.runEffects, now: c.fx.now, cwd: c.cwd, log: runLog, concurrency: c.concurrency });
      // nothing published because the month's data is not there yet: the tick waits for it, it is not done
      if (results.length && results.every((r) => r.status === 'no_data')) {
        c.log('schedule.no_data', { ...ctx, attempts: attempt, retry_in_hours: c.params.noDataRetryHours, note: 'no data yet for the as-of; the tick is tried again' });
        return { job: name, tick, outcome: 'no_data', attempts: attempt, results };
      }
      c.log('schedule.done', { ...ctx, attempts: attempt, results: results.map((r) => `${r.status} ${r.path}`) });
      return { job: name, tick, outcome: 'succeeded', attempts: attempt, results };
    } catch (e) {
      const error = (e as Error)?.message ?? String(e);
      const code = exitCodeOf(e);
      if (code === EXIT.locked) {
        c.log('schedule.locked', { ...ctx, level: 'warn', attempts: attempt, error, note: 'another run holds the lock; the next tick runs again' });
        return { job: name, tick, outcome: 'locked', attempts: attempt, results: [], error };
      }
      // bad input or config does not mend itself within a back-off: report now, the next tick tries again
      if (code === EXIT.badInput || attempt > c.params.retries) {
        c.log('schedule.failed', { ...ctx, level: 'error', attempts: attempt, exit_code: code, error });
        return { job: name, tick, outcome: 'failed', attempts: attempt, results: [], error };
      }
      const seconds = retryDelaySeconds(attempt, c.params);
      c.log('schedule.retry', { ...ctx, level: 'warn', attempt, of: c.params.retries, in_seconds: seconds, error });
      await c.sleep(seconds * 1000, c.signal);
      if (c.signal.aborted) {
        c.log('schedule.interrupted', { ...ctx, level: 'warn', attempts: attempt, error, note: 'stopped during back-off; the tick stays due' });
        return { job: name, tick, outcome: 'interrupted', attempts: attempt, results: [], error };
      }
    }
  }
}

/**
 * The job's last handled tick. A tick that found no data yet counts as handled until `noDataRetryHours` after it was
 * tried, then as not handled (the same tick is due again; a later tick, if one has come, replaces it).
 */
function lastTick(state: ScheduleState, job: ScheduleJob, at: Date, params: Pick<ScheduleParams, 'noDataRetryHours'>): Date | null {
  const s = state.jobs[jobName(job)];
  if (!s) return null;
  const tick = new Date(s.tick);
  if (s.outcome === 'no_data' && at.getTime() - Date.parse(s.finished_at) >= params.noDataRetryHours * 3_600_000) return new Date(tick.getTime() - 1);
  return tick;
}

function logNext(log: Log, job: ScheduleJob, at: Date): void {
  log('schedule.next', { job: jobName(job), tick: nextTick(job, at)?.toISOString() ?? null });
}

/** Time to the earliest next tick of any job, at most `pollSeconds` (the clock can jump: sleep, NTP). */
function msUntilNextTick(p: ScheduleParams, at: Date): number {
  const poll = p.pollSeconds * 1000;
  const ticks = p.jobs.map((j) => nextTick(j, at)?.getTime()).filter((t): t is number => t !== undefined);
  return ticks.length ? Math.max(0, Math.min(poll, Math.min(...ticks) - at.getTime())) : poll;
}

/** Real waiting: resolves after `ms`, or at once when `signal` aborts. */
async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  // timers cap at 2^31-1 ms (about 24.8 days)
  await delay(Math.min(ms, 2 ** 31 - 1), undefined, { signal }).catch((e: unknown) => {
    if ((e as Error)?.name !== 'AbortError') throw e;
  });
}
