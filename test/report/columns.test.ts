import { readFileSync } from 'node:fs';
import type { Schema } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeColumn, OUTPUT_TABLES } from '../../src/report/columns.ts';
import { renderOutputsDoc, undescribedColumns, unusedDescriptions, writtenColumns } from '../../src/report/outputs-doc.ts';
import { collectOutputSchemas } from '../../src/commands/output-schemas.ts';

/** The schemas of every table a run on the bundled sample writes (ingest, run all, fetch's availability). */
let schemas: Map<string, Schema>;
beforeAll(async () => {
  schemas = await collectOutputSchemas();
}, 120_000);

describe('docs/outputs.md: every output table, column by column (#19 item 8)', () => {
  it('covers every table tradewatch writes', () => {
    expect([...schemas.keys()].sort()).toEqual(Object.keys(OUTPUT_TABLES).sort());
  });

  it('has a unit and a meaning for every column written (nested fields of lists of structs too)', () => {
    expect(undescribedColumns(schemas)).toEqual([]);
    for (const [t, s] of schemas) for (const c of writtenColumns(t, s)) expect(c.doc!.meaning.length, `${t}.${c.name}`).toBeGreaterThan(10);
  });

  it('describes no column that no table has', () => {
    expect(unusedDescriptions(schemas)).toEqual([]);
  });

  it('tells a column apart where it means different things (value_usd: a record, a coverage sum, a declaration)', () => {
    const meanings = ['flows', 'coverage', 'declarations_scored'].map((t) => describeColumn(t, 'value_usd')!.meaning);
    expect(new Set(meanings).size).toBe(3);
    expect(describeColumn('flagged_routes', 'evidence[].path')!.unit).toBe('absolute path');
  });

  it('is what scripts/write-outputs-doc.ts writes now (regenerate: npx tsx scripts/write-outputs-doc.ts)', () => {
    expect(readFileSync('docs/outputs.md', 'utf8')).toBe(renderOutputsDoc(schemas));
  });
});
