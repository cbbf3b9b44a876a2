import type { Table } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadReference } from '../../src/run/reference-input.ts';
import { configDefaults } from '../../src/config/config.ts';
import type { PipelineDef, PipelineInputs, ReferenceInput, TradeInput } from '../../src/pipeline.ts';
import { loadPipelines } from '../../src/run/registry.ts';
import { readTrade, hashInputs } from '../../src/run/trade.ts';
import { readDeclarationInputs } from '../../src/run/declarations-input.ts';

/**
 * Every detector, through the pipeline that runs it, on the edge of its input: no rows (outputs of no rows,
 * with their columns, never a throw), and a required column missing (an error naming it). Table-driven over the
 * pipelines: a new one fails the first test until it names the column it needs.
 */
let pipelines: Map<string, PipelineDef>;
let reference: ReferenceInput;
let trade: TradeInput;
let declarations: Table;

beforeAll(async () => {
  pipelines = await loadPipelines();
  reference = await loadReference();
  const inputs = await hashInputs('trade', ['data/sample/trade'], process.cwd());
  const { result } = await readTrade(inputs, { params: configDefaults.ingest, log: () => {} });
  trade = { flows: result.flows, areas: result.areas, subflows: result.subflows, consignment: result.consignment };
  const d = await readDeclarationInputs(await hashInputs('declarations', ['data/sample/declarations'], process.cwd()), { params: configDefaults.declarations.ingest, log: () => {} });
  declarations = d.table;
}, 60_000);

const empty = (t: TradeInput): TradeInput => ({ flows: t.flows.slice(0, 0), areas: t.areas.slice(0, 0), subflows: t.subflows.slice(0, 0), consignment: t.consignment.slice(0, 0) });
const without = (t: Table, column: string) => t.select(t.schema.fields.map((f) => f.name).filter((n) => n !== column));
const run = (def: PipelineDef, inputs: Omit<PipelineInputs, 'reference'>) => Promise.resolve().then(() => def.run({ ...inputs, reference }, def.params(configDefaults), (_s, fn) => fn(), () => {}));

/** Per pipeline, a column its detector cannot do without. */
const NEEDS: Record<string, string> = { coverage: 'reporter', 'mirror-gaps': 'hs6', transshipment: 'hs6', declarations: 'declared_code' };

it('covers every pipeline of pipelines/ (a new one names the column it needs here)', () => {
  expect(Object.keys(NEEDS).sort()).toEqual([...pipelines.keys()].sort());
});

describe.each(Object.keys(NEEDS))('%s on the edge of its input', (name) => {
  const inputsOf = (over: { flows?: Table; declarations?: Table } = {}): Omit<PipelineInputs, 'reference'> => {
    const def = pipelines.get(name)!;
    const out: Omit<PipelineInputs, 'reference'> = {};
    if (def.inputs.trade) out.trade = { ...empty(trade), ...(over.flows ? { flows: over.flows } : {}) };
    if (def.inputs.declarations) out.declarations = over.declarations ?? declarations.slice(0, 0);
    return out;
  };

  it('is a pipeline of the project', () => {
    expect([...pipelines.keys()]).toContain(name);
  });

  it('gives every output with no rows on inputs with no rows', async () => {
    const def = pipelines.get(name)!;
    const out = await run(def, inputsOf());
    expect(Object.keys(out).sort()).toEqual([...def.outputs].sort());
    expect(Object.values(out).map((t) => t.numRows)).toEqual(def.outputs.map(() => 0));
  });

  it('names the column when a required one is missing', async () => {
    const def = pipelines.get(name)!;
    const input = def.inputs.trade ? 'flows' : 'declarations';
    const column = NEEDS[name];
    const source = input === 'flows' ? trade.flows : declarations;
    await expect(run(def, inputsOf({ [input]: without(source, column) }))).rejects.toThrow(new RegExp(`missing column '${column}'`));
  });
});
