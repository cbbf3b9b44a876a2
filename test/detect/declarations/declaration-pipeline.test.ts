import type { Table } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import declarationsPipeline from '../../../pipelines/declarations.ts';
import { loadCatalog } from '../../../src/io/catalog.ts';
import type { Catalog } from '../../../src/reference/catalog.ts';
import { declarationsDefaults } from '../../../src/config/params.ts';
import type { ReferenceInput } from '../../../src/pipeline.ts';
import { readFloats } from '../../../src/table/read.ts';
import { ORDINARY, declarationLine, declarationTable } from './declaration-lines.ts';

// issue 19 item 11, through pipelines/declarations.ts: the score that ships is the evaluated rank blend, and a
// history without labels is said apart from a history of one class

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog();
});

const decl = declarationTable;

const BASE = { ...ORDINARY, date: '2024-06-03' };
const line = (f: Partial<Record<string, string | number>>): string => declarationLine(BASE, f);

/** Runs the pipeline in memory; returns its outputs and the counts it recorded. */
async function run(declarations: Table, history: Table) {
  const counts: Record<string, number> = {};
  const out = await declarationsPipeline.run(
    { declarations, history, reference: { catalog } as unknown as ReferenceInput },
    declarationsDefaults,
    (_name, fn) => fn(),
    (k, n) => (counts[k] = (counts[k] ?? 0) + n),
  );
  return { out, counts };
}

/** Twelve declarations of June 2024 from four importers, values spread so the model's scores differ. */
async function june(): Promise<Table> {
  return decl(Array.from({ length: 12 }, (_, k) => line({ declaration_id: `J${k}`, importer: `IMP-${k % 4}`, value: 20000 + 1500 * k, date: `2024-06-${String(3 + k).padStart(2, '0')}` })));
}

describe('the declarations pipeline', () => {
  it('ships the evaluated score: with a model, score = the percentile rank of the model score (modelWeight 1), not a weighted mean of probabilities', async () => {
    // Jan–Apr 2024: importer IMP-0 is caught half of the time, the others never
    const history = await decl(
      Array.from({ length: 48 }, (_, k) =>
        line({ declaration_id: `H${k}`, date: `2024-0${1 + (k % 4)}-10`, importer: `IMP-${k % 3}`, value: 25000 + 700 * k, label: k % 3 === 0 && k % 2 === 0 ? 1 : 0 }),
      ),
    );
    const { out, counts } = await run(await june(), history);
    expect(counts.history_rows_fitted).toBe(48);
    const model = readFloats(out.declarations_scored, 'model_score');
    const score = readFloats(out.declarations_scored, 'score');
    expect(model.length).toBe(12);
    expect(new Set(model).size).toBeGreaterThan(1);
    // the percentile rank, computed here the plain way: (rows below + (ties − 1) / 2) / (n − 1)
    const n = model.length;
    const expected = Array.from(model, (m) => (model.filter((x) => x < m).length + (model.filter((x) => x === m).length - 1) / 2) / (n - 1));
    expect(Array.from(score)).toEqual(expected.map((x) => expect.closeTo(x, 12)));
    // flagged: no rule fired, so the top 5% of twelve: the one row at rank 1
    expect(expected.filter((x) => x >= 0.95).length).toBe(1);
    expect(out.flagged_declarations.numRows).toBe(1);
    expect(readFloats(out.flagged_declarations, 'score')[0]).toBe(1);
  });

  it('a history without labels fits no model and says so apart from one class (model_not_fitted_no_labels, for the check history_has_labels)', async () => {
    const history = await decl(Array.from({ length: 8 }, (_, k) => line({ declaration_id: `H${k}`, date: '2024-02-10', importer: `IMP-${k % 3}` })));
    const { out, counts } = await run(await june(), history);
    expect(counts).toMatchObject({ history_rows_unlabelled: 8, model_not_fitted_no_labels: 1 });
    expect(counts.model_not_fitted_one_class).toBeUndefined();
    expect(counts.model_scored).toBe(0);
    expect(Array.from(readFloats(out.declarations_scored, 'model_score')).every((v) => Number.isNaN(v))).toBe(true);
  });

  it('labels only after the first declaration screened count as none', async () => {
    const history = await decl([line({ declaration_id: 'H0', date: '2024-07-01', label: 1 }), line({ declaration_id: 'H1', date: '2024-07-02', label: 0 })]);
    const { counts } = await run(await june(), history);
    expect(counts).toMatchObject({ history_rows_not_earlier: 2, model_not_fitted_no_labels: 1 });
    expect(counts.model_not_fitted_one_class).toBeUndefined();
  });

  it('a labelled history of one class is still counted as one class', async () => {
    const history = await decl([line({ declaration_id: 'H0', date: '2024-02-01', label: 0 }), line({ declaration_id: 'H1', date: '2024-03-02', label: 0 })]);
    const { counts } = await run(await june(), history);
    expect(counts.model_not_fitted_one_class).toBe(1);
    expect(counts.model_not_fitted_no_labels).toBeUndefined();
  });
});
