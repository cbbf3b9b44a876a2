import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

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
  const aside = `${paths.staging}.old`;
  const hadOld = await exists(paths.final);
  if (hadOld) await rename(paths.final, aside);
  await mkdirFor(paths.final);
  await rename(paths.staging, paths.final);
  if (hadOld) await rm(aside, { recursive: true, force: true });
}

/**
 * Cleans what killed runs left for one partition: staging folders of other runs are removed, and a
 * partition moved aside but never replaced (killed between the two renames) is put back.
 * Returns what it did, for the log.
 */
export async function recoverPartition(paths: PartitionPaths, pipeline: string, out: string): Promise<string[]> {
  const done: string[] = [];
  const base = paths.staging.slice(0, paths.staging.lastIndexOf('.'));
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

/** Removes all but the newest `keep` complete partitions of a pipeline; returns the removed paths. */
export async function prunePartitions(out: string, pipeline: string, keep: number): Promise<string[]> {
  if (keep <= 0) return [];
  const parts = (await listPartitions(out, pipeline)).filter((p) => p.complete);
  const removed: string[] = [];
  for (const p of parts.slice(keep)) {
    await rm(p.path, { recursive: true, force: true });
    removed.push(p.path);
  }
  return removed;
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
