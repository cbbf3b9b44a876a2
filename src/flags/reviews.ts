import { Table, type Vector } from 'apache-arrow';
import { dictionaryVector, float64Vector, int32Vector, StringDictionary } from '../table/columns.ts';
import { readCodes, readFloats } from '../table/read.ts';
import { takeTable } from '../table/take-table.ts';

/** An analyst's verdict on a flag, from a reviews file. */
export interface Verdict {
  flagId: string;
  verdict: 'confirmed' | 'dismissed' | 'watch';
  note: string;
  reviewer: string;
  /** `YYYY-MM-DD`. */
  date: string;
  /** The flag's score when the verdict was given (from the file, or the run the reviewer saw); NaN unknown. */
  scoreAtVerdict: number;
}

/** Values of a reviews file's `verdict` column. */
export const VERDICTS = ['confirmed', 'dismissed', 'watch'] as const;

/** The columns {@link applyVerdicts} adds to a flagged table, in order: every flagged output has them, null without verdicts. */
export const VERDICT_COLUMNS = ['verdict', 'verdict_note', 'verdict_reviewer', 'verdict_date', 'score_at_verdict'] as const;

/**
 * A flagged table with the verdict columns of {@link applyVerdicts}, all null: a run without `--reviews` writes the
 * same columns as one with it, so a reader's query does not depend on whether verdicts were given. Pure.
 */
export function withoutVerdicts(flagged: Table): Table {
  const n = flagged.numRows;
  const out: Record<string, Vector> = {};
  for (const f of flagged.schema.fields) out[f.name] = flagged.getChild(f.name)!;
  const none = () => dictionaryVector(new Int32Array(n).fill(-1), []);
  Object.assign(out, {
    verdict: none(),
    verdict_note: none(),
    verdict_reviewer: none(),
    verdict_date: none(),
    score_at_verdict: float64Vector(new Float64Array(n).fill(NaN)),
  } satisfies Record<(typeof VERDICT_COLUMNS)[number], Vector>);
  return new Table(out);
}

/** Settings of {@link applyVerdicts}; config `run.reviews`. */
export interface ReviewParams {
  /** A dismissed flag comes back when its score rose by more than this since the verdict (score units, default `0.1`). */
  resurfaceMargin: number;
}

/**
 * Applies analysts' verdicts to a flagged table (`flag_id`, `score`, `rank`): adds `verdict`, `verdict_note`,
 * `verdict_reviewer`, `verdict_date` and `score_at_verdict`, and drops dismissed flags unless their score
 * rose by more than `resurfaceMargin` since the verdict (then `verdict` reads `dismissed_resurfaced`); a
 * dismissed flag whose earlier score is unknown stays suppressed. Ranks are renumbered. The latest verdict on
 * a flag wins. Pure.
 */
export function applyVerdicts(flagged: Table, verdicts: readonly Verdict[], p: ReviewParams): { table: Table; counts: Record<string, number> } {
  const counts: Record<string, number> = { confirmed: 0, watch: 0, dismissed_suppressed: 0, dismissed_resurfaced: 0 };
  const latest = new Map<string, Verdict>();
  for (const v of verdicts) {
    const prev = latest.get(v.flagId);
    if (!prev || v.date >= prev.date) latest.set(v.flagId, v);
  }
  const ids = readCodes(flagged, 'flag_id', 'applyVerdicts');
  const score = readFloats(flagged, 'score', 'applyVerdicts');
  const n = flagged.numRows;
  const keep: number[] = [];
  const kind = new Int32Array(n).fill(-1);
  const kinds = new StringDictionary();
  const text = { note: new StringDictionary(), reviewer: new StringDictionary(), date: new StringDictionary() };
  const cols = { note: new Int32Array(n).fill(-1), reviewer: new Int32Array(n).fill(-1), date: new Int32Array(n).fill(-1) };
  const before = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const v = ids.codes[i] >= 0 ? latest.get(ids.values[ids.codes[i]]) : undefined;
    if (!v) {
      keep.push(i);
      continue;
    }
    let k: string = v.verdict;
    if (v.verdict === 'dismissed') {
      const rose = score[i] - v.scoreAtVerdict > p.resurfaceMargin;
      if (!rose) {
        counts.dismissed_suppressed++;
        continue;
      }
      k = 'dismissed_resurfaced';
      counts.dismissed_resurfaced++;
    } else counts[v.verdict]++;
    keep.push(i);
    kind[i] = kinds.code(k);
    cols.note[i] = text.note.code(v.note);
    cols.reviewer[i] = text.reviewer.code(v.reviewer);
    cols.date[i] = text.date.code(v.date);
    before[i] = v.scoreAtVerdict;
  }
  const seen = new Set(ids.values);
  counts.unknown_flag_ids = [...latest.keys()].filter((id) => !seen.has(id)).length;
  const rows = Int32Array.from(keep);
  const out: Record<string, Vector> = {};
  const kept = takeTable(flagged, rows);
  for (const f of kept.schema.fields) out[f.name] = f.name === 'rank' ? int32Vector(Int32Array.from(rows, (_, k) => k + 1)) : kept.getChild(f.name)!;
  const pick = (c: Int32Array) => Int32Array.from(rows, (i) => c[i]);
  Object.assign(out, {
    verdict: dictionaryVector(pick(kind), kinds.values),
    verdict_note: dictionaryVector(pick(cols.note), text.note.values),
    verdict_reviewer: dictionaryVector(pick(cols.reviewer), text.reviewer.values),
    verdict_date: dictionaryVector(pick(cols.date), text.date.values),
    score_at_verdict: float64Vector(Float64Array.from(rows, (i) => before[i])),
  });
  return { table: new Table(out), counts };
}
