import { readFile } from 'node:fs/promises';
import { splitCsvLine } from '../reference/csv-line.ts';
import { InputError } from '../base/errors.ts';
import { readParquet } from './parquet.ts';

/** One row of a reviews file as written: `score` is optional (the score the reviewer saw). */
export interface ReviewRow {
  flag_id: string;
  verdict: string;
  note: string;
  reviewer: string;
  date: string;
  score: number;
  /** The flagged output the flag belongs to (`flagged_routes`, `mirror_gaps`, `flagged_declarations`), when the file has an `output` column. */
  output: string | null;
  /** 1-based line (CSV) or row (Parquet), for messages. */
  line: number;
}

const REQUIRED = ['flag_id', 'verdict', 'note', 'reviewer', 'date'] as const;

/**
 * Reads a reviews file (CSV with a header, or Parquet): `flag_id, verdict, note, reviewer, date` and optional
 * `score` and `output`. Throws {@link InputError} naming the file, line and column for a missing column, an unknown verdict,
 * a date that is not `YYYY-MM-DD` or a score that is not a number (reviews are few and hand-written: a bad
 * line stops the run rather than being skipped).
 */
export async function readReviewsFile(path: string): Promise<ReviewRow[]> {
  const raw: Record<string, string>[] = [];
  const lines: number[] = [];
  if (path.endsWith('.parquet')) {
    const t = await readParquet(path);
    const names = t.schema.fields.map((f) => f.name);
    for (const c of REQUIRED) if (!names.includes(c)) throw new InputError(`${path}: missing column '${c}' (reviews need ${REQUIRED.join(', ')}; score optional)`);
    for (let i = 0; i < t.numRows; i++) {
      raw.push(Object.fromEntries(names.map((c) => [c, String(t.getChild(c)!.get(i) ?? '')])));
      lines.push(i + 1);
    }
  } else {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new InputError(`${path}: cannot read reviews (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    const all = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    const header = splitCsvLine(all[0] ?? '')?.map((h) => h.trim()) ?? [];
    for (const c of REQUIRED) if (!header.includes(c)) throw new InputError(`${path}: line 1: missing column '${c}' (reviews need ${REQUIRED.join(', ')}; score optional)`);
    for (let k = 1; k < all.length; k++) {
      if (!all[k].trim()) continue;
      const f = splitCsvLine(all[k]);
      if (!f || f.length !== header.length) throw new InputError(`${path}: line ${k + 1}: expected ${header.length} fields, got ${f ? f.length : 'a malformed quoted field'}`);
      raw.push(Object.fromEntries(header.map((h, j) => [h, f[j]])));
      lines.push(k + 1);
    }
  }
  return raw.map((r, k) => {
    const at = (c: string) => `${path}: ${path.endsWith('.parquet') ? 'row' : 'line'} ${lines[k]}, column '${c}'`;
    const verdict = r.verdict.trim().toLowerCase();
    if (!['confirmed', 'dismissed', 'watch'].includes(verdict)) throw new InputError(`${at('verdict')}: '${r.verdict}' is not confirmed, dismissed or watch`);
    if (!r.flag_id.trim()) throw new InputError(`${at('flag_id')}: empty`);
    const date = r.date.trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) throw new InputError(`${at('date')}: '${r.date}' is not a date YYYY-MM-DD`);
    const s = r.score?.trim() ?? '';
    const score = s === '' || s === 'null' ? NaN : Number(s);
    if (s !== '' && s !== 'null' && !Number.isFinite(score)) throw new InputError(`${at('score')}: '${r.score}' is not a number`);
    const output = r.output?.trim() || null;
    return { flag_id: r.flag_id.trim(), verdict, note: r.note ?? '', reviewer: r.reviewer ?? '', date, score, output, line: lines[k] };
  });
}
