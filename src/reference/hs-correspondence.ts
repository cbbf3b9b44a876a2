import { InputError } from '../base/errors.ts';

/** How codes of two HS revisions correspond, seen from the first: `n:1` = several codes merge into one. */
export type HsRelation = '1:1' | 'n:1' | '1:n' | 'n:n';

/** Where one HS6 code of a revision goes in another revision. */
export interface HsMapping {
  /** Codes in the target revision, sorted. */
  codes: string[];
  /** `1:1` only when the code maps to one code and nothing else maps there. */
  relation: HsRelation;
}

/** Revisions in order; the table links neighbours only. */
const REVISION_ORDER = ['HS1992', 'HS1996', 'HS2002', 'HS2007', 'HS2012', 'HS2017', 'HS2022'] as const;
/** Comtrade's classification codes: H0 = HS as of 1992 … H6 = HS2022. */
const COMTRADE_CODES = new Map(REVISION_ORDER.map((rev, i) => [`H${i}`, rev]));
const HEADER = ['from_revision', 'from_hs6', 'to_revision', 'to_hs6', 'relation'];
const RELATIONS = new Set<string>(['1:1', 'n:1', '1:n', 'n:n']);

/**
 * Names an HS revision the way tradewatch stores it: Comtrade's `H4`/`H5`/`H6` (and `H0`–`H3`) and short
 * forms like `HS17` become `HS2012`/`HS2017`/`HS2022`…; anything else comes back trimmed, unchanged, for
 * the caller to reject.
 */
export function normalizeHsRevision(code: string): string {
  const t = code.trim();
  const u = t.toUpperCase();
  const comtrade = COMTRADE_CODES.get(u);
  if (comtrade) return comtrade;
  const m = /^HS ?(\d{2}|\d{4})$/.exec(u);
  if (m) {
    const year = m[1].length === 4 ? m[1] : `${Number(m[1]) >= 88 ? '19' : '20'}${m[1]}`;
    if ((REVISION_ORDER as readonly string[]).includes(`HS${year}`)) return `HS${year}`;
  }
  return t;
}

/** One row of `hs_correspondence.csv`: a code pair of neighbouring revisions, its relation seen from `from`. */
export interface HsCorrespondenceRow {
  fromRevision: string;
  fromHs6: string;
  toRevision: string;
  toHs6: string;
  relation: HsRelation;
}

/**
 * The HS6 correspondence between neighbouring HS revisions for the catalog's codes, as read from
 * `data/reference/hs_correspondence.csv` (built by `scripts/build-hs-correspondence.ts`).
 */
export class HsCorrespondence {
  /** `from>to` → from-code → its pairs. */
  private readonly steps = new Map<string, Map<string, HsCorrespondenceRow[]>>();

  constructor(rows: Iterable<HsCorrespondenceRow>) {
    for (const r of rows) {
      const key = `${r.fromRevision}>${r.toRevision}`;
      let step = this.steps.get(key);
      if (!step) this.steps.set(key, (step = new Map()));
      let pairs = step.get(r.fromHs6);
      if (!pairs) step.set(r.fromHs6, (pairs = []));
      pairs.push(r);
    }
  }

  /**
   * Where `from.hs6` of `from.revision` goes in the neighbouring revision `toRevision`. Throws for
   * revisions that are not neighbours in the table, or for a code the table does not cover (it holds the
   * catalog's and comparators' codes and everything linked to them, not the whole nomenclature).
   */
  relationBetween(from: { revision: string; hs6: string }, toRevision: string): HsMapping {
    const fromRev = normalizeHsRevision(from.revision);
    const toRev = normalizeHsRevision(toRevision);
    const step = this.steps.get(`${fromRev}>${toRev}`);
    if (!step) {
      throw new Error(`hs_correspondence.csv links no ${fromRev} codes to ${toRev}; ask one neighbouring revision at a time`);
    }
    const pairs = step.get(from.hs6);
    if (!pairs) {
      throw new Error(`hs_correspondence.csv has no ${fromRev} ${from.hs6} → ${toRev} row (it covers the catalog's codes only)`);
    }
    const codes = pairs.map((p) => p.toHs6).sort();
    // The stored pair relations were computed on the whole UN table; a subset cannot recompute them.
    let relation: HsRelation;
    if (pairs.length === 1) relation = pairs[0].relation;
    else relation = pairs.every((p) => p.relation === '1:n') ? '1:n' : 'n:n';
    return { codes, relation };
  }

  /**
   * True when `hs6` of `revA` does not cover exactly the same goods in `revB`: some step between them is
   * not 1:1. Walks through the revisions in between (HS2012 → HS2017 → HS2022); false when revA = revB.
   */
  isScopeChanged(hs6: string, revA: string, revB: string): boolean {
    const a = REVISION_ORDER.indexOf(normalizeHsRevision(revA) as (typeof REVISION_ORDER)[number]);
    const b = REVISION_ORDER.indexOf(normalizeHsRevision(revB) as (typeof REVISION_ORDER)[number]);
    if (a < 0 || b < 0) throw new Error(`isScopeChanged: unknown HS revision '${a < 0 ? revA : revB}'`);
    let codes = [hs6];
    for (let i = a; i !== b; i += a < b ? 1 : -1) {
      const next = new Set<string>();
      for (const code of codes) {
        const m = this.relationBetween({ revision: REVISION_ORDER[i], hs6: code }, REVISION_ORDER[a < b ? i + 1 : i - 1]);
        if (m.relation !== '1:1') return true;
        for (const c of m.codes) next.add(c);
      }
      codes = [...next];
    }
    return false;
  }

  /** {@link isScopeChanged}, or null when the table does not cover the code (outside the catalog's codes). */
  scopeChange(hs6: string, revA: string, revB: string): boolean | null {
    try {
      return this.isScopeChanged(hs6, revA, revB);
    } catch {
      return null;
    }
  }
}

/** Parses `hs_correspondence.csv`; throws {@link InputError} naming the line and column of a bad row. */
export function parseHsCorrespondence(text: string, fileName = 'hs_correspondence.csv'): HsCorrespondence {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0]?.split(',') ?? [];
  if (header.join(',') !== HEADER.join(',')) {
    throw new InputError(`${fileName} line 1: expected the header '${HEADER.join(',')}', found '${lines[0] ?? ''}'`);
  }
  const rows: HsCorrespondenceRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const f = lines[i].split(',');
    const bad = (col: number, why: string) =>
      new InputError(`${fileName} line ${i + 1}, column ${HEADER[col]}: '${f[col] ?? ''}' ${why}`);
    if (f.length !== HEADER.length) {
      throw new InputError(`${fileName} line ${i + 1}: ${f.length} fields, expected ${HEADER.length}`);
    }
    for (const col of [0, 2]) if (!/^HS\d{4}$/.test(f[col])) throw bad(col, 'is not a revision like HS2017');
    for (const col of [1, 3]) if (!/^\d{6}$/.test(f[col])) throw bad(col, 'is not a 6-digit code');
    if (!RELATIONS.has(f[4])) throw bad(4, 'is not one of 1:1, n:1, 1:n, n:n');
    rows.push({ fromRevision: f[0], fromHs6: f[1], toRevision: f[2], toHs6: f[3], relation: f[4] as HsRelation });
  }
  return new HsCorrespondence(rows);
}

/** Writes rows as `hs_correspondence.csv` text (header, one row a line, `\n` endings), in the order given. */
export function formatHsCorrespondence(rows: Iterable<HsCorrespondenceRow>): string {
  let out = `${HEADER.join(',')}\n`;
  for (const r of rows) out += `${r.fromRevision},${r.fromHs6},${r.toRevision},${r.toHs6},${r.relation}\n`;
  return out;
}
