/**
 * Builds `data/reference/hs_correspondence.csv`: for every HS6 code of the control catalog and its
 * comparators, how it corresponds between HS2022 and HS2017, and between HS2017 and HS2012, from the UN
 * correlation tables in insongkim/concordance (MIT), as copied to `../shared/data/hs-nomenclature`.
 *
 *   npx tsx scripts/build-hs-correspondence.ts        # TRADEWATCH_REAL_DATA overrides ../shared/data
 *
 * Re-runnable: the output depends only on the two tables and the catalog, in a fixed order.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadCatalog, REFERENCE_DIR } from '../src/io/catalog.ts';
import {
  formatHsCorrespondence,
  type HsCorrespondenceRow,
  type HsRelation,
  normalizeHsRevision,
} from '../src/reference/hs-correspondence.ts';

/** One UN correlation table: code pairs from one revision to an older one, with the table's relation. */
export interface CorrelationTable {
  fromRevision: string;
  toRevision: string;
  pairs: { from: string; to: string; relation: HsRelation }[];
}

/** The two tables this script reads, newest first. */
export const TABLE_FILES = ['HS2022_to_HS2017_correlations.csv', 'HS2017_to_HS2012_correlations.csv'] as const;

/**
 * Reads a UN correlation table as converted to CSV: a `Between` line, then a header naming the two
 * revisions (`HS2022, HS2017,Relationship` or `HS 2017,,HS 2012,Relationship`; the unnamed column holds
 * `ex` marks) and one code pair a line. Checks that each stated relation is what the pairs imply.
 */
export function readCorrelationTable(text: string, fileName: string): CorrelationTable {
  const lines = text.split(/\r?\n/);
  const header = (lines[1] ?? '').split(',').map((h) => h.trim());
  const revCols = header.flatMap((h, i) => (/^HS\d{4}$/.test(normalizeHsRevision(h)) ? [i] : []));
  const relCol = header.indexOf('Relationship');
  if (!lines[0]?.startsWith('Between') || revCols.length !== 2 || relCol < 0) {
    throw new Error(`${fileName}: expected a 'Between' line and a header with two revisions and Relationship`);
  }
  const [fromCol, toCol] = revCols;
  const table: CorrelationTable = {
    fromRevision: normalizeHsRevision(header[fromCol]),
    toRevision: normalizeHsRevision(header[toCol]),
    pairs: [],
  };
  for (let i = 2; i < lines.length; i++) {
    if (!lines[i]) continue;
    const f = lines[i].split(',').map((x) => x.trim());
    const [from, to, relation] = [f[fromCol], f[toCol], f[relCol]];
    if (!/^\d{6}$/.test(from) || !/^\d{6}$/.test(to) || !/^(1:1|n:1|1:n|n:n)$/.test(relation)) {
      throw new Error(`${fileName} line ${i + 1}: cannot read '${lines[i]}'`);
    }
    table.pairs.push({ from, to, relation: relation as HsRelation });
  }
  const targets = countBy(table.pairs, (p) => p.from);
  const sources = countBy(table.pairs, (p) => p.to);
  for (const p of table.pairs) {
    const implied = relationOf(targets.get(p.from)!, sources.get(p.to)!);
    if (implied !== p.relation) {
      throw new Error(`${fileName}: ${p.from} → ${p.to} is stated ${p.relation} but the pairs make it ${implied}`);
    }
  }
  return table;
}

/**
 * The correspondence rows for `seeds` (codes of the first table's `fromRevision`): each seed's pairs, read
 * forwards, and every pair of the codes they reach, read backwards, so that each code listed on the
 * `from` side has all its pairs; then the same in the older table, seeded with the codes reached.
 * Relations come from the whole table, never from the subset.
 */
export function buildHsCorrespondenceRows(tables: readonly CorrelationTable[], seeds: Iterable<string>): HsCorrespondenceRow[] {
  const rows: HsCorrespondenceRow[] = [];
  let current = new Set(seeds);
  for (const t of tables) {
    const byFrom = groupBy(t.pairs, (p) => p.from);
    const byTo = groupBy(t.pairs, (p) => p.to);
    const reached = new Set<string>();
    for (const code of [...current].sort()) {
      const pairs = byFrom.get(code);
      if (!pairs) throw new Error(`${code} is not a ${t.fromRevision} code of the ${t.fromRevision}→${t.toRevision} table`);
      for (const p of pairs) {
        rows.push({ fromRevision: t.fromRevision, fromHs6: p.from, toRevision: t.toRevision, toHs6: p.to, relation: p.relation });
        reached.add(p.to);
      }
    }
    for (const code of reached) {
      for (const p of byTo.get(code)!) {
        rows.push({ fromRevision: t.toRevision, fromHs6: p.to, toRevision: t.fromRevision, toHs6: p.from, relation: flip(p.relation) });
      }
    }
    current = reached;
  }
  const key = (r: HsCorrespondenceRow) => `${r.fromRevision}|${r.fromHs6}|${r.toRevision}|${r.toHs6}`;
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function relationOf(targetsOfFrom: number, sourcesOfTo: number): HsRelation {
  if (targetsOfFrom === 1) return sourcesOfTo === 1 ? '1:1' : 'n:1';
  return sourcesOfTo === 1 ? '1:n' : 'n:n';
}

function flip(r: HsRelation): HsRelation {
  return r === 'n:1' ? '1:n' : r === '1:n' ? 'n:1' : r;
}

function countBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const dataDir = process.env.TRADEWATCH_REAL_DATA ? resolve(process.env.TRADEWATCH_REAL_DATA) : resolve(root, '../shared/data');
  const tables = await Promise.all(
    TABLE_FILES.map(async (f) => readCorrelationTable(await readFile(join(dataDir, 'hs-nomenclature', f), 'utf8'), f)),
  );
  const catalog = await loadCatalog();
  // The catalog's codes are China's current (HS2022-based) lines.
  const seeds = [...catalog.intervals.map((iv) => iv.hs6), ...catalog.comparators.map((c) => c.hs6)];
  const rows = buildHsCorrespondenceRows(tables, seeds);
  const out = join(REFERENCE_DIR, 'hs_correspondence.csv');
  await writeFile(out, formatHsCorrespondence(rows));
  console.log(`${out}: ${rows.length} rows for ${new Set(seeds).size} catalog and comparator codes`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    console.error((e as Error).message);
    process.exitCode = 1;
  });
}
