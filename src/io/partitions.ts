import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireLock, LockHeldError, type LockOptions } from './lock.ts';

/** Where one pipeline's partitions, staging folders and locks live under `OUT`. */
export interface PartitionPaths {
  /** `OUT/<pipeline>/as_of=YYYY-MM` */
  final: string;
  /** `OUT/.staging/<pipeline>/as_of=YYYY-MM.<run id>` */
  staging: string;
  /** `OUT/.locks/<pipeline>/as_of=YYYY-MM.lock` */
  lock: string;
}

/** Paths of a partition of `pipeline` for one run. */
export function partitionPaths(out: string, pipeline: string, asOf: string, runId: string): PartitionPaths {
  const part = `as_of=${asOf}`;
  return {
    final: join(out, pipeline, part),
    staging: join(out, '.staging', pipeline, `${part}.${runId}`),
    lock: join(out, '.locks', pipeline, `${part}.lock`),
  };
}

/** A partition folder found on disk. */
export interface PartitionEntry {
  pipeline: string;
  asOf: string;
  path: string;
  /** Whether `_SUCCESS` is there. */
  complete: boolean;
}

/** Lists `OUT/<pipeline>/as_of=*` folders, newest as-of first. */
export async function listPartitions(out: string, pipeline: string): Promise<PartitionEntry[]> {
  const dir = join(out, pipeline);
  const names = await readdir(dir).catch(() => [] as string[]);
  const out2: PartitionEntry[] = [];
  for (const name of names) {
    const m = /^as_of=(\d{4}-\d{2})$/.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    const complete = await exists(join(path, '_SUCCESS'));
    out2.push({ pipeline, asOf: m[1], path, complete });
  }
  return out2.sort((a, b) => (a.asOf < b.asOf ? 1 : a.asOf > b.asOf ? -1 : 0));
}

/** Pipelines with a folder under `OUT` (not the hidden staging and lock folders). */
export async function listPipelineDirs(out: string): Promise<string[]> {
  const names = await readdir(out, { withFileTypes: true }).catch(() => []);
  return names.filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
}

/** Staging folders left under `OUT/.staging/<pipeline>/` (by killed or failed runs), with their age. */
export async function listStaging(out: string, pipeline?: string): Promise<{ pipeline: string; path: string; name: string; mtimeMs: number }[]> {
  const root = join(out, '.staging');
  const pipelines = pipeline ? [pipeline] : await readdir(root).catch(() => [] as string[]);
  const found: { pipeline: string; path: string; name: string; mtimeMs: number }[] = [];
  for (const p of pipelines) {
    for (const name of await readdir(join(root, p)).catch(() => [] as string[])) {
      const path = join(root, p, name);
      const st = await stat(path).catch(() => null);
      if (st) found.push({ pipeline: p, path, name, mtimeMs: st.mtimeMs });
    }
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Lock files under `OUT/.locks/`. */
export async function listLocks(out: string): Promise<{ pipeline: string; path: string }[]> {
  const root = join(out, '.locks');
  const found: { pipeline: string; path: string }[] = [];
  for (const p of await readdir(root).catch(() => [] as string[])) {
    for (const name of await readdir(join(root, p)).catch(() => [] as string[])) {
      if (name.endsWith('.lock')) found.push({ pipeline: p, path: join(root, p, name) });
    }
  }
  return found;
}

/**
 * Swaps a complete staging folder in as the partition: the old partition is moved aside first and
 * removed only after the new one is in place, so a reader sees the old or the new, never a mix.
 */
export async function publishPartition(paths: PartitionPaths): Promise<void> {
  await swapFolderIn(paths.staging, paths.final, `${paths.staging}.old`);
}

/**
 * Swaps a complete folder `staging` in as `final`: the old `final` is moved to `aside` first and removed only
 * after the new one is in place, so a reader sees the old or the new, never a mix (a partition; an ingest's set).
 */
export async function swapFolderIn(staging: string, final: string, aside: string): Promise<void> {
  const hadOld = await exists(final);
  if (hadOld) await rename(final, aside);
  await mkdirFor(final);
  await rename(staging, final);
  if (hadOld) await rm(aside, { recursive: true, force: true });
}

/**
 * Cleans what killed runs left for one partition: staging folders of other runs are removed, and a
 * partition moved aside but never replaced (killed between the two renames) is put back.
 * Returns what it did, for the log.
 */
export async function recoverPartition(paths: PartitionPaths, pipeline: string, out: string): Promise<string[]> {
  const done: string[] = [];
  const base = stagingBase(paths);
  for (const s of await listStaging(out, pipeline)) {
    if (!s.path.startsWith(`${base}.`) || s.path === paths.staging) continue;
    if (s.path.endsWith('.old') && !(await exists(paths.final)) && (await exists(join(s.path, '_SUCCESS')))) {
      await mkdirFor(paths.final);
      await rename(s.path, paths.final);
      done.push(`restored ${paths.final} from ${s.path}`);
      continue;
    }
    await rm(s.path, { recursive: true, force: true });
    done.push(`removed staging folder ${s.path}`);
  }
  return done;
}

/**
 * Retention: removes complete partitions of a pipeline beyond the newest `keep`, but never `own`, the as-of
 * (`YYYY-MM`) of the partition the run just published. The rule is "the newest `keep`, plus this run's own when it
 * is not among them": a run of the latest period keeps exactly `keep`; a backfill (`--as-of` older than what is
 * there) keeps the newest `keep` that readers use and itself, one more than `keep`, until the next regular run
 * trims it. (Counting the run's own partition among the `keep` would make `--keep 1` on a backfill delete the
 * latest partition.) `keep` ≤ 0 keeps everything (config `run.keep: 0`). Returns the removed paths.
 */
export async function prunePartitions(out: string, pipeline: string, keep: number, own?: string): Promise<string[]> {
  if (keep <= 0) return [];
  const parts = (await listPartitions(out, pipeline)).filter((p) => p.complete);
  const removed: string[] = [];
  for (const p of parts.slice(keep)) {
    if (p.asOf === own) continue;
    await rm(p.path, { recursive: true, force: true });
    removed.push(p.path);
  }
  return removed;
}

/**
 * On a skipped run: staging folders that killed or failed runs left for this partition are cleaned the way a
 * run cleans them ({@link recoverPartition}), under the partition's lock taken only for that moment (and only when
 * there is something to clean). When a live run holds the lock the folders may be its own: they are left and
 * listed in `left`, with `heldBy` saying who holds it.
 */
export async function cleanStagingBriefly(
  paths: PartitionPaths,
  pipeline: string,
  out: string,
  lock: LockOptions,
): Promise<{ done: string[]; left: string[]; heldBy?: string }> {
  const base = stagingBase(paths);
  const left = (await listStaging(out, pipeline)).filter((s) => s.path.startsWith(`${base}.`) && s.path !== paths.staging).map((s) => s.path);
  if (!left.length) return { done: [], left };
  let held;
  try {
    held = await acquireLock(paths.lock, lock);
  } catch (e) {
    if (e instanceof LockHeldError) return { done: [], left, heldBy: e.message };
    throw e;
  }
  try {
    return { done: await recoverPartition(paths, pipeline, out), left: [] };
  } finally {
    await held.release();
  }
}

function stagingBase(paths: PartitionPaths): string {
  return paths.staging.slice(0, paths.staging.lastIndexOf('.'));
}

/** Reads a JSON file, or null when it is absent. */
export async function readJsonIfExists(path: string): Promise<unknown | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null)) !== null;
}

async function mkdirFor(path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
}
