import { join } from 'node:path';
import { inspectLock, judgeLock, type JudgeOptions } from '../io/lock.ts';
import { listLocks, listPartitions, listPipelineDirs, listStaging, readJsonIfExists } from '../io/partitions.ts';
import type { RunManifest } from './manifest.ts';

/** One line of `tradewatch status`. */
export interface StatusRow {
  pipeline: string;
  partition: string;
  status: string;
  age: string;
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
  why: string;
}

/** What `tradewatch status --out DIR` reports: partitions, and any lock or leftover staging folder. */
export interface StatusReport {
  partitions: StatusRow[];
  locks: StatusLock[];
  staging: { path: string; age: string }[];
}

/**
 * Reads the state of an output folder. Locks are judged with `lock` (default: this host, the default stale age
 * of 10 minutes — `status` does not read the config's `run.staleLockMinutes`).
 */
export async function readStatus(out: string, now = new Date(), lock: JudgeOptions = {}): Promise<StatusReport> {
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
    if (found.kind === 'unreadable') locks.push({ path: l.path, state: 'unreadable', stale: v.stale, run_id: null, host: null, pid: null, age, why: v.why });
    else locks.push({ path: l.path, state: v.stale ? 'stale' : 'live', stale: v.stale, run_id: found.info.run_id, host: found.info.host, pid: found.info.pid, age, why: v.why });
  }
  const staging = (await listStaging(out)).map((s) => ({ path: s.path, age: ago(now.getTime() - s.mtimeMs) }));
  return { partitions, locks, staging };
}

/** The report as readable lines. */
export function formatStatus(r: StatusReport): string {
  const lines: string[] = [];
  if (!r.partitions.length) lines.push('no partitions');
  for (const p of r.partitions) {
    const rows = Object.entries(p.rows).map(([k, v]) => `${k}=${v}`).join(' ');
    lines.push(`${p.pipeline.padEnd(14)} ${p.partition}  ${p.status.padEnd(10)} ${p.age.padStart(8)} ago  ${p.flags === null ? '' : `flags=${p.flags} `}${rows}`);
  }
  for (const l of r.locks) {
    if (l.state === 'unreadable') {
      lines.push(`lock ${l.path}: ${l.why.replace('unreadable', 'UNREADABLE')}: ${l.stale ? 'stale, the next run takes it over' : 'counts as held until older than the stale age, then the next run takes it over'}`);
    } else {
      lines.push(`lock ${l.path}: run ${l.run_id} on ${l.host} pid ${l.pid}, heartbeat ${l.age.startsWith('-') ? `${l.age.slice(1)} in the future` : `${l.age} ago`}${l.stale ? ` (STALE: ${l.why}; the next run takes it over)` : ' (live)'}`);
    }
  }
  for (const s of r.staging) lines.push(`staging ${s.path}: left by a failed or killed run ${s.age} ago (the next run of that partition removes it)`);
  return lines.join('\n') + '\n';
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
