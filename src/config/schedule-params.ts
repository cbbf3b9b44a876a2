import { Cron } from 'croner';
import { z } from 'zod';
import { HANDOFF_KEYS, type HandoffKey } from '../datasets.ts';

/** One scheduled job: a pipeline (or `all`), when it runs, and the arguments of its `run`. */
export const scheduleJobSchema = z
  .object({
    /** Names the job in logs and in the state file; unique (default: the pipeline name). */
    name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'use letters, digits, dot, dash and underscore').optional(),
    /** A pipeline name (`mirror-gaps`, `transshipment`, …) or `all`. */
    pipeline: z.string().min(1),
    /** When it runs: a 5-field cron expression (minute hour day month weekday), e.g. `0 6 5 * *`; croner syntax. */
    cron: z.string().min(1).superRefine((pattern, ctx) => {
      const problem = cronProblem(pattern);
      if (problem) ctx.addIssue({ code: 'custom', message: `not a cron expression (${problem}); expected 5 fields, e.g. "0 6 5 * *"` });
    }),
    /** IANA time zone the cron expression is read in (default `UTC`). */
    timezone: z.string().min(1).refine(validTimeZone, 'not an IANA time zone (e.g. UTC, Europe/Berlin)').default('UTC'),
    /** Trade statistics: files, folders or globs, as `run --trade` (default none). */
    trade: z.array(z.string().min(1)).default([]),
    /** Customs declarations to screen, as `run --declarations` (default none). */
    declarations: z.array(z.string().min(1)).default([]),
    /** Earlier declarations with outcomes, as `run --history` (default none). */
    history: z.array(z.string().min(1)).default([]),
    /** Analysts' verdicts, as `run --reviews` (default none). */
    reviews: z.string().min(1).optional(),
    /** The output root of a run over every product, as `run --global` (default none). */
    global: z.string().min(1).optional(),
    /** The availability.parquet of `tradewatch fetch`, as `run --availability` (default none). */
    availability: z.string().min(1).optional(),
    /** Input layout, as `run --format` (default: detected from the header). */
    format: z.string().min(1).optional(),
    /** Output folder, as `run --out`. */
    out: z.string().min(1),
    /**
     * The partition: `latest` lets the data decide (the latest period in the inputs), `previous-month`
     * pins it to the month before the tick, in `timezone` (default `latest`).
     */
    asOf: z.enum(['latest', 'previous-month']).default('latest'),
    /** Product selector, as `run --hs` (default: config `run.hs`). */
    hs: z.string().min(1).optional(),
    /** Keep the newest N partitions (N ≥ 1), as `run --keep` (default: config `run.keep`; leave out to keep every one). */
    keep: z.number().int().min(1, { message: 'keep must be 1 or more (leave it out to keep every partition)' }).optional(),
    /** Config overrides for this job's runs only, as `run --set key=value` (default none). */
    set: z.array(z.string().min(1)).default([]),
  })
  // a dataset another pipeline writes (src/datasets.ts: mirror, routes, …), as `run --<key>` (default: `all` uses its own run)
  .extend(handoffJobKeys())
  .strict();

function handoffJobKeys(): { [K in HandoffKey]: z.ZodOptional<z.ZodString> } {
  return Object.fromEntries(HANDOFF_KEYS.map((k) => [k, z.string().min(1).optional()])) as { [K in HandoffKey]: z.ZodOptional<z.ZodString> };
}

/** A resolved scheduled job. */
export type ScheduleJob = z.infer<typeof scheduleJobSchema>;

/** Settings of `tradewatch schedule`. */
export const scheduleParamsSchema = z
  .object({
    /** The jobs; each job's name must be unique (default none). */
    jobs: z.array(scheduleJobSchema),
    /** A failed run is retried this many times, with exponential back-off, before it is reported (default 2). */
    retries: z.number().int().min(0).max(20),
    /** Wait before the first retry, seconds; doubled for each further one (default 60). */
    retryBaseSeconds: z.number().min(0),
    /** Longest wait between retries, seconds (default 900). */
    retryMaxSeconds: z.number().min(0),
    /**
     * File keeping the last handled tick of each job, so a restarted scheduler knows what it missed;
     * relative to the working directory (default `.tradewatch/schedule-state.json`).
     */
    stateFile: z.string().min(1),
    /** The long-running scheduler looks at the clock at least this often, seconds (default 60). */
    pollSeconds: z.number().positive(),
    /**
     * A tick whose run found no data yet for its as-of (`run.no_new_data`: the month's figures are not published)
     * is tried again after this many hours, until data comes or the job's next tick replaces it (default 24).
     */
    noDataRetryHours: z.number().positive(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.jobs.forEach((j, i) => {
      const name = jobName(j);
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['jobs', i, 'name'], message: `job name '${name}' is used twice; give each job a unique name` });
      seen.add(name);
    });
  });

/** Resolved `schedule` settings. */
export type ScheduleParams = z.infer<typeof scheduleParamsSchema>;

/** Defaults of the `schedule` slice. */
export const scheduleDefaults: ScheduleParams = {
  jobs: [],
  retries: 2,
  retryBaseSeconds: 60,
  retryMaxSeconds: 900,
  stateFile: '.tradewatch/schedule-state.json',
  pollSeconds: 60,
  noDataRetryHours: 24,
};

/** A job's name: its `name`, or its pipeline's. */
export function jobName(job: Pick<ScheduleJob, 'name' | 'pipeline'>): string {
  return job.name ?? job.pipeline;
}

/** Why croner refuses a pattern, or null when it parses. */
function cronProblem(pattern: string): string | null {
  try {
    new Cron(pattern, { mode: '5-part' }); // no callback: parses only, schedules nothing
    return null;
  } catch (e) {
    return (e as Error).message.replace(/^CronPattern: /, '');
  }
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
