import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.ts';
import { readJsonIfExists } from '../io/partitions.ts';

/** Schema of a failed-run record. */
export const FAILED_RUN_SCHEMA = 'tradewatch/failed-run/v1';

/**
 * The last failed run of one pipeline and partition, kept in `OUT/.runs/<pipeline>/failed.as_of=YYYY-MM.json` (or
 * `failed.latest.json` when the run failed before it knew its partition: `--as-of` not given and the inputs unreadable)
 * until a run of that partition succeeds. A failed run publishes nothing, so without it `status` could not tell
 * that the newest partition failed.
 */
export interface FailedRun {
  schema: typeof FAILED_RUN_SCHEMA;
  pipeline: string;
  /** `as_of=YYYY-MM`, or null when the run failed before it knew it. */
  partition: string | null;
  as_of: string | null;
  /** `--as-of` as asked (`latest` when not given). */
  as_of_requested: string;
  run_id: string;
  started_at: string;
  failed_at: string;
  exit_code: number;
  error: string;
}

const PREFIX = 'failed.';

function recordPath(out: string, pipeline: string, asOf: string | null): string {
  return join(out, '.runs', pipeline, `${PREFIX}${asOf ? `as_of=${asOf}` : 'latest'}.json`);
}

/** Records a failed run (replacing the previous failure of the same pipeline and partition). */
export async function recordFailedRun(out: string, run: Omit<FailedRun, 'schema'>): Promise<void> {
  const path = recordPath(out, run.pipeline, run.as_of);
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, JSON.stringify({ schema: FAILED_RUN_SCHEMA, ...run }, null, 2) + '\n');
}

/**
 * A run of `asOf` succeeded: its partition's failure record goes, and so does the record of a failed `latest` run
 * when this run was a `latest` one too.
 */
export async function clearFailedRuns(out: string, pipeline: string, asOf: string, asOfRequested: string): Promise<void> {
  await rm(recordPath(out, pipeline, asOf), { force: true });
  if (asOfRequested === 'latest') await rm(recordPath(out, pipeline, null), { force: true });
}

/** Every failure record under `OUT/.runs/`, the latest failure first. Unreadable records are left out. */
export async function listFailedRuns(out: string): Promise<FailedRun[]> {
  const root = join(out, '.runs');
  const found: FailedRun[] = [];
  for (const pipeline of await readdir(root).catch(() => [] as string[])) {
    for (const name of await readdir(join(root, pipeline)).catch(() => [] as string[])) {
      if (!name.startsWith(PREFIX) || !name.endsWith('.json')) continue;
      const raw = (await readJsonIfExists(join(root, pipeline, name)).catch(() => null)) as Partial<FailedRun> | null;
      if (raw?.schema === FAILED_RUN_SCHEMA && typeof raw.failed_at === 'string' && typeof raw.pipeline === 'string') found.push(raw as FailedRun);
    }
  }
  return found.sort((a, b) => (a.failed_at < b.failed_at ? 1 : a.failed_at > b.failed_at ? -1 : 0));
}

