import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectLock, judgeLock, type JudgeOptions } from '../io/lock.ts';
import { listLocks, listPartitions, listPipelineDirs, listStaging, readJsonIfExists } from '../io/partitions.ts';
import { EXIT, UsageError } from '../base/errors.ts';
import { listFailedRuns, type FailedRun } from '../run/failed-runs.ts';
import type { RunManifest } from '../base/manifest.ts';

/** One line of `tradewatch status`. */
export interface StatusRow {
  pipeline: string;
  partition: string;
  status: string;
  age: string;
  /** When the run that wrote it finished, ISO 8601 UTC (null without a manifest). */
  finished_at: string | null;
  rows: Record<string, number | null>;
  flags: number | null;
}

/**
 * A lock file under `OUT/.locks/`, judged by the rules a run uses (see `judgeLock`): `live` (a run holds it),
 * `stale` (the next run takes it over), or `unreadable` (empty, not JSON or missing a field: disk full at
 * creation, or a run between creating and writing it) — an unreadable lock holds until it is older than the
 * stale age by its modification time (`stale` says whether it is), then the next run takes it over.
 * `run_id`, `host` and `pid` are null for an unreadable lock.
 */
export interface StatusLock {
  path: string;
  state: 'live' | 'stale' | 'unreadable';
  stale: boolean;
  run_id: string | null;
  host: string | null;
  pid: number | null;
  /** Heartbeat age (readable) or file age by mtime (unreadable); negative when in the future. */
  age: string;
  /** The holder's last heartbeat, ISO 8601 (null for an unreadable lock). */
  heartbeat_at: string | null;
  /** The lock file's modification time, ISO 8601 UTC. */
  modified_at: string;
  why: string;
}

/**
 * A failed run still standing: the last failure of a pipeline and partition, until a run of that partition succeeds
 * (see {@link FailedRun}). `newest`: it concerns the pipeline's newest partition — a partition newer than any
 * published, the newest one failed again after it was published, or a `latest` run failed after it — which is
 * what `status --check` fails on.
 */
export interface StatusFailedRun extends Omit<FailedRun, 'schema'> {
  age: string;
  newest: boolean;
}

/**
 * What `tradewatch status --out DIR` reports: partitions, failed runs, and any lock or leftover staging folder, with
 * ISO 8601 times beside the ages; `problems` are what `--check` fails on (the newest partition of a pipeline failed or
 * is incomplete, a lock is stale).
 */
export interface StatusReport {
  /** When the status was read, ISO 8601 UTC. */
  checked_at: string;
  partitions: StatusRow[];
  /** Failed runs still standing, the latest first. */
  failed_runs: StatusFailedRun[];
  locks: StatusLock[];
  staging: { path: string; age: string; modified_at: string }[];
  problems: string[];
}

/** `status --check` found problems (exit 1); the status was printed with them. */
export class StatusCheckError extends Error {
  override readonly name = 'StatusCheckError';
  readonly exitCode = EXIT.failed;
  /** Printed already: not a failure of tradewatch itself. */
  readonly reported = true;
  constructor(readonly problems: string[]) {
    super(`status --check: ${problems.length} problem(s): ${problems.join('; ')}`);
  }
}

/**
 * Reads the state of an output folder. Locks are judged with `lock` (default: this host, the default stale age
 * of 10 minutes — `status` does not read the config's `run.staleLockMinutes`).
 */
export async function readStatus(out: string, now = new Date(), lock: JudgeOptions = {}): Promise<StatusReport> {
  // a mistyped --out must not read as "no partitions, all well" to a monitor
  const st = await stat(out).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
    throw e;
  });
  if (!st) throw new UsageError(`status --out ${out}: no such folder (give the --out of the runs)`);
  if (!st.isDirectory()) throw new UsageError(`status --out ${out}: not a folder (give the --out of the runs)`);
  const partitions: StatusRow[] = [];
  for (const pipeline of (await listPipelineDirs(out)).filter((d) => d !== 'report')) { // OUT/report holds run all's combined report, not a pipeline
    for (const p of await listPartitions(out, pipeline)) {
      const m = (await readJsonIfExists(join(p.path, 'manifest.json'))) as RunManifest | null;
      const rows: Record<string, number | null> = {};
      for (const o of m?.outputs ?? []) rows[o.path.replace(/\.parquet$/, '')] = o.rows;
      const flagged = Object.entries(rows).filter(([k]) => k.startsWith('flagged_') || k.endsWith('_gaps'));
      partitions.push({
        pipeline,
        partition: `as_of=${p.asOf}`,
        status: !p.complete ? 'incomplete' : (m?.status ?? 'unknown'),
        age: m ? ago(now.getTime() - Date.parse(m.finished_at)) : '?',
        finished_at: typeof m?.finished_at === 'string' ? m.finished_at : null,
        rows,
        flags: flagged.length ? flagged.reduce((a, [, v]) => a + (v ?? 0), 0) : null,
      });
    }
  }
  const locks: StatusLock[] = [];
  for (const l of await listLocks(out)) {
    const found = await inspectLock(l.path);
    if (found.kind === 'absent') continue; // released between the listing and the read
    const v = judgeLock(found, now, lock);
    const age = (v.ageMs < 0 ? '-' : '') + ago(Math.abs(v.ageMs));
    const modified_at = new Date(found.mtimeMs).toISOString();
    if (found.kind === 'unreadable') {
      locks.push({ path: l.path, state: 'unreadable', stale: v.stale, run_id: null, host: null, pid: null, age, heartbeat_at: null, modified_at, why: v.why });
    } else {
      locks.push({
        path: l.path, state: v.stale ? 'stale' : 'live', stale: v.stale, run_id: found.info.run_id, host: found.info.host, pid: found.info.pid, age,
        heartbeat_at: found.info.heartbeat_at, modified_at, why: v.why,
      });
    }
  }
  const staging = (await listStaging(out)).map((s) => ({ path: s.path, age: ago(now.getTime() - s.mtimeMs), modified_at: new Date(s.mtimeMs).toISOString() }));
  const failed_runs = (await listFailedRuns(out)).map(({ schema: _, ...f }) => ({
    ...f,
    age: ago(now.getTime() - Date.parse(f.failed_at)),
    newest: concernsNewest(f, partitions.find((p) => p.pipeline === f.pipeline)), // partitions are listed newest first
  }));
  const report = { checked_at: now.toISOString(), partitions, failed_runs, locks, staging, problems: [] as string[] };
  report.problems = statusProblems(report);
  return report;
}

/** Whether a failed run concerns the newest partition of its pipeline (`newest`: that pipeline's newest published one). */
function concernsNewest(f: Omit<FailedRun, 'schema'>, newest: StatusRow | undefined): boolean {
  if (!newest) return true;
  const asOf = newest.partition.replace(/^as_of=/, '');
  const later = newest.finished_at === null || f.failed_at > newest.finished_at;
  if (f.as_of === null) return later; // a `latest` run that failed before it knew its partition
  return f.as_of > asOf || (f.as_of === asOf && later);
}

/** What `status --check` fails on: the newest partition of a pipeline failed or is incomplete, a lock is stale. */
function statusProblems(r: Omit<StatusReport, 'problems'>): string[] {
  const problems: string[] = [];
  const pipelines = [...new Set([...r.partitions.map((p) => p.pipeline), ...r.failed_runs.map((f) => f.pipeline)])].sort();
  for (const pipeline of pipelines) {
    const failed = r.failed_runs.find((f) => f.pipeline === pipeline && f.newest); // the latest first
    const newest = r.partitions.find((p) => p.pipeline === pipeline);
    if (failed) {
      problems.push(
        `${pipeline}: the newest partition failed: run ${failed.run_id} ${failed.partition ?? '(as_of latest)'} at ${failed.failed_at} (exit ${failed.exit_code}): ${failed.error}`,
      );
    } else if (newest && newest.status !== 'succeeded') {
      problems.push(`${pipeline}: the newest partition ${newest.partition} is ${newest.status}`);
    }
  }
  for (const l of r.locks) if (l.stale) problems.push(`lock ${l.path} is stale: ${l.why}`);
  return problems;
}

/** The report as readable lines. */
export function formatStatus(r: StatusReport): string {
  const lines: string[] = [];
  if (!r.partitions.length) lines.push('no partitions');
  for (const p of r.partitions) {
    const rows = Object.entries(p.rows).map(([k, v]) => `${k}=${v}`).join(' ');
    lines.push(`${p.pipeline.padEnd(14)} ${p.partition}  ${p.status.padEnd(10)} ${p.age.padStart(8)} ago  ${p.flags === null ? '' : `flags=${p.flags} `}${rows}`);
  }
  for (const pipeline of [...new Set(r.failed_runs.map((f) => f.pipeline))]) {
    const f = r.failed_runs.find((x) => x.pipeline === pipeline)!; // the latest first
    lines.push(
      `last failed run of ${pipeline}: ${f.run_id} ${f.partition ?? '(as_of latest)'} ${f.age} ago at ${f.failed_at} (exit ${f.exit_code}${f.newest ? ', the newest partition' : ''}): ${f.error}`,
    );
  }
  for (const l of r.locks) {
    if (l.state === 'unreadable') {
      lines.push(`lock ${l.path}: ${l.why.replace('unreadable', 'UNREADABLE')}: ${l.stale ? 'stale, the next run takes it over' : 'counts as held until older than the stale age, then the next run takes it over'}`);
    } else {
      lines.push(`lock ${l.path}: run ${l.run_id} on ${l.host} pid ${l.pid}, heartbeat ${l.age.startsWith('-') ? `${l.age.slice(1)} in the future` : `${l.age} ago`}${l.stale ? ` (STALE: ${l.why}; the next run takes it over)` : ' (live)'}`);
    }
  }
  for (const s of r.staging) lines.push(`staging ${s.path}: left by a failed or killed run ${s.age} ago (the next run of that partition removes it)`);
  for (const p of r.problems) lines.push(`PROBLEM ${p}`);
  return lines.join('\n') + '\n';
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
