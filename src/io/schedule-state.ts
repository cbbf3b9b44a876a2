import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError } from '../base/errors.ts';
import { writeFileAtomic } from './atomic.ts';

/** Schema version of the scheduler's state file. */
export const SCHEDULE_STATE_SCHEMA = 'tradewatch/schedule-state/v1';

/** How the scheduler last handled a job's tick. */
export interface JobState {
  /** The tick handled, ISO 8601 UTC. */
  tick: string;
  /**
   * `succeeded` (published or skipped), `failed` (after all retries), `locked` (another run held the lock), `no_data`
   * (no data yet for the tick's as-of: the tick is due again after `schedule.noDataRetryHours`).
   */
  outcome: 'succeeded' | 'failed' | 'locked' | 'no_data';
  /** Runs tried for the tick (1 + retries used). */
  attempts: number;
  /** When handling finished, ISO 8601 UTC. */
  finished_at: string;
  /** The last error, for `failed` and `locked`. */
  error?: string;
}

/** What the state file holds: the last handled tick per job name. */
export interface ScheduleState {
  schema: typeof SCHEDULE_STATE_SCHEMA;
  jobs: Record<string, JobState>;
}

/** Reads the state file; an empty state when it does not exist yet. Throws {@link InputError} for a file of another version or not JSON. */
export async function readScheduleState(path: string): Promise<ScheduleState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { schema: SCHEDULE_STATE_SCHEMA, jobs: {} };
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError(`schedule state ${path}: not JSON; remove it to start afresh (every job is then due once)`);
  }
  const found = (raw as { schema?: unknown } | null)?.schema;
  if (found !== SCHEDULE_STATE_SCHEMA) {
    throw new InputError(`schedule state ${path}: expected schema ${SCHEDULE_STATE_SCHEMA}, found ${JSON.stringify(found ?? null)}`);
  }
  return raw as ScheduleState;
}

/** Writes the state file atomically (temporary file and rename), creating its folder. */
export async function writeScheduleState(path: string, state: ScheduleState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, JSON.stringify(state, null, 2) + '\n');
}
