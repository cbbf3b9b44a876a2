import { join } from 'node:path';
import { Table } from 'apache-arrow';
import { compareFlags } from '../flags/flag-changes.ts';
import { applyVerdicts, withoutVerdicts, type ReviewParams, type Verdict } from '../flags/reviews.ts';
import { readParquet, readParquetSchema } from '../io/parquet.ts';
import { listPartitions, readJsonIfExists } from '../io/partitions.ts';
import { readReviewsFile } from '../io/reviews.ts';
import { dictionaryVector, float64Vector, StringDictionary } from '../table/columns.ts';
import { readFloats } from '../table/read.ts';

/** Of the outputs a pipeline reports as flagged, those that hold flags (`flag_id`, `score` and `rank` columns). */
function flaggedOutputs(tables: Record<string, Table>, reported: readonly string[]): string[] {
  return reported.filter((o) => tables[o] && ['flag_id', 'score', 'rank'].every((c) => tables[o].schema.fields.some((f) => f.name === c)));
}

/**
 * Review verdicts and run-to-run changes on a run's flagged outputs (those its `report` declares): verdicts from `reviewsPath` (dismissed
 * flags suppressed unless their score rose; without it the verdict columns are there, null), then each flag compared by `flag_id` with the newest complete
 * partition of the pipeline not after `asOf` (the previous successful run). Returns the outputs with their
 * new columns, every change in one `changes` table, and counts for the manifest.
 */
export async function reviewAndCompare(
  pipeline: string,
  tables: Record<string, Table>,
  opts: { out: string; asOf: string; flagged: readonly string[]; reviewsPath?: string; reviews: ReviewParams },
): Promise<{ tables: Record<string, Table>; changes: Table | null; counts: Record<string, number> }> {
  const outputs = flaggedOutputs(tables, opts.flagged);
  if (!outputs.length) return { tables, changes: null, counts: {} };
  const counts: Record<string, number> = {};
  const partitions = (await listPartitions(opts.out, pipeline)).filter((p) => p.complete && p.asOf <= opts.asOf);
  const previous = partitions[0] ?? null;
  const verdicts = opts.reviewsPath ? await loadVerdicts(opts.reviewsPath, partitions, outputs) : null;
  const result = { ...tables };
  const changes: Table[] = [];
  for (const o of outputs) {
    let t = tables[o];
    if (verdicts) {
      const r = applyVerdicts(t, verdicts, opts.reviews);
      t = r.table;
      for (const [k, n] of Object.entries(r.counts)) counts[`reviews.${o}.${k}`] = n;
    } else t = withoutVerdicts(t); // the same columns, null: a reader's query never depends on whether verdicts were given
    const before = previous ? await readFlags(join(previous.path, `${o}.parquet`)) : null;
    const c = compareFlags(o, t, before);
    result[o] = c.table;
    changes.push(c.changes);
    for (const [k, n] of Object.entries(c.counts)) counts[`changes.${o}.${k}`] = n;
  }
  return { tables: result, changes: changes.length === 1 ? changes[0] : concatTables(changes), counts };
}

/** Verdicts with the score each flag had when it was judged: the file's `score`, else the flag's score in the newest run finished by that day. */
async function loadVerdicts(path: string, partitions: { path: string }[], outputs: string[]): Promise<Verdict[]> {
  const rows = await readReviewsFile(path);
  const verdicts: Verdict[] = rows.map((r) => ({
    flagId: r.flag_id, verdict: r.verdict as Verdict['verdict'], note: r.note, reviewer: r.reviewer, date: r.date, scoreAtVerdict: r.score,
  }));
  const pending = verdicts.filter((v) => v.scoreAtVerdict !== v.scoreAtVerdict);
  for (const p of partitions) {
    if (!pending.length) break;
    const m = (await readJsonIfExists(join(p.path, 'manifest.json'))) as { finished_at?: string } | null;
    const day = m?.finished_at?.slice(0, 10);
    if (!day) continue;
    const scores = new Map<string, number>();
    for (const o of outputs) {
      const t = await readFlags(join(p.path, `${o}.parquet`));
      if (!t) continue;
      const id = t.getChild('flag_id')!;
      const s = t.getChild('score')!;
      for (let i = 0; i < t.numRows; i++) scores.set(id.get(i), s.get(i));
    }
    for (let k = pending.length - 1; k >= 0; k--) {
      const v = pending[k];
      if (v.date >= day && scores.has(v.flagId)) {
        v.scoreAtVerdict = scores.get(v.flagId)!;
        pending.splice(k, 1);
      }
    }
  }
  return verdicts;
}

/** `flag_id` and `score` of a flagged output file, or null when the file is not there (an older run, another pipeline version). */
async function readFlags(path: string): Promise<Table | null> {
  const schema = await readParquetSchema(path).catch(() => null);
  if (!schema || !['flag_id', 'score'].every((c) => schema.fields.some((f) => f.name === c))) return null;
  return readParquet(path, { columns: ['flag_id', 'score'] });
}

/** The change lists of several outputs as one table, dictionaries rebuilt (few rows: one per flag). */
function concatTables(ts: Table[]): Table {
  const text = (c: string) => {
    const dict = new StringDictionary();
    const codes = ts.flatMap((t) => Array.from({ length: t.numRows }, (_, i) => t.getChild(c)!.get(i) as string | null));
    return dictionaryVector(Int32Array.from(codes, (v) => (v === null ? -1 : dict.code(v))), dict.values);
  };
  const num = (c: string) => float64Vector(Float64Array.from(ts.flatMap((t) => Array.from(readFloats(t, c, 'changes')))));
  return new Table({
    output: text('output'), flag_id: text('flag_id'), change: text('change'),
    score: num('score'), previous_score: num('previous_score'), score_change: num('score_change'),
  });
}
