import { z } from 'zod';

/** Settings of the run machinery (partitions, locks, concurrency). */
export const runParamsSchema = z
  .object({
    /** Product selector for pipelines (default `@catalog`: every code in the control catalog). */
    hs: z.string().min(1),
    /** Keep the newest N complete partitions per pipeline; 0 keeps all (default 0). */
    keep: z.number().int().min(0),
    /** Independent pipelines run in parallel up to this many (default 2, the machine's cores). */
    concurrency: z.number().int().min(1).max(64),
    /** Lock heartbeat interval, seconds (default 30). */
    heartbeatSeconds: z.number().positive(),
    /** A lock whose heartbeat is older than this is stale and taken over, minutes (default 10). */
    staleLockMinutes: z.number().positive(),
  })
  .strict();

/** Resolved run settings. */
export type RunParams = z.infer<typeof runParamsSchema>;

/** Defaults for {@link RunParams}. */
export const runDefaults: RunParams = {
  hs: '@catalog',
  keep: 0,
  concurrency: 2,
  heartbeatSeconds: 30,
  staleLockMinutes: 10,
};
