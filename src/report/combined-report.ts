import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.ts';
import { listPartitions, readJsonIfExists } from '../io/partitions.ts';
import { checkManifest, type RunManifest } from '../base/manifest.ts';
import { renderRunIndex, type RunIndexEntry } from './render-run-index.ts';

/** A pipeline the combined report lists: its name and the flagged outputs its `report` declares. */
export interface CombinedPipeline {
  name: string;
  sections?: readonly { output: string; title: string }[];
}

/** What {@link writeCombinedReport} wrote. */
export interface CombinedReport {
  path: string;
  /** The partitions listed, `pipeline/as_of=…`. */
  listed: string[];
  /** Partitions whose manifest could not be read, with why (left out of the page). */
  unreadable: string[];
}

/**
 * Rewrites `OUT/report/as_of=ASOF/report.html` from what is on disk: for each pipeline (in the order given), its
 * newest complete partition not after `asOf`, by its manifest; a pipeline with none is left out. `fresh` are the
 * results of the command that just ran: their manifests stand for the ones on disk (a skipped run shows as
 * unchanged). The page says when it was generated. Run after any run, so the combined report never lags a
 * single pipeline's re-run.
 */
export async function writeCombinedReport(
  out: string,
  asOf: string,
  pipelines: readonly CombinedPipeline[],
  opts: { generatedAt: Date; fresh?: readonly { pipeline: string; partition: string; manifest: RunManifest }[] },
): Promise<CombinedReport> {
  const entries: RunIndexEntry[] = [];
  const listed: string[] = [];
  const unreadable: string[] = [];
  for (const p of pipelines) {
    const newest = (await listPartitions(out, p.name)).find((e) => e.complete && e.asOf <= asOf);
    if (!newest) continue;
    const partition = `as_of=${newest.asOf}`;
    let manifest = opts.fresh?.find((r) => r.pipeline === p.name && r.partition === partition)?.manifest ?? null;
    if (!manifest) {
      const where = join(newest.path, 'manifest.json');
      try {
        const raw = await readJsonIfExists(where);
        manifest = raw === null ? null : checkManifest(raw, where);
        if (!manifest) unreadable.push(`${p.name}/${partition}: no manifest.json`);
      } catch (e) {
        unreadable.push(`${p.name}/${partition}: ${(e as Error).message}`);
      }
    }
    if (!manifest) continue;
    entries.push({ manifest, sections: p.sections });
    listed.push(`${p.name}/${partition}`);
  }
  const dir = join(out, 'report', `as_of=${asOf}`);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'report.html');
  await writeFileAtomic(path, renderRunIndex(entries, { generatedAt: opts.generatedAt }));
  return { path, listed, unreadable };
}
