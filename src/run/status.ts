import { join } from 'node:path';
import { isLockStale, readLock } from '../io/lock.ts';
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

/** What `tradewatch status --out DIR` reports: partitions, and any stale lock or leftover staging folder. */
export interface StatusReport {
  partitions: StatusRow[];
  locks: { path: string; run_id: string; host: string; pid: number; stale: boolean }[];
  staging: { path: string; age: string }[];
}

/** Reads the state of an output folder. */
export async function readStatus(out: string, now = new Date()): Promise<StatusReport> {
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
  const locks = [];
  for (const l of await listLocks(out)) {
    const info = await readLock(l.path);
    if (info) locks.push({ path: l.path, run_id: info.run_id, host: info.host, pid: info.pid, stale: isLockStale(info, now) });
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
  for (const l of r.locks) lines.push(`lock ${l.path}: run ${l.run_id} on ${l.host} pid ${l.pid}${l.stale ? ' (STALE: the next run takes it over)' : ' (live)'}`);
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
