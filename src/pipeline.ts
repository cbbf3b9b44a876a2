import type { Table } from 'apache-arrow';
import { dropRowsByValue } from './table/take-table.ts';
import type { Catalog } from './reference/catalog.ts';
import type { GeoTable } from './reference/geo.ts';
import type { HsCorrespondence } from './reference/hs-correspondence.ts';
import type { Config } from './config/config.ts';
import type { HandoffKey } from './datasets.ts';

/**
 * The inputs a pipeline can declare, and whether it needs them: trade flows from `--trade` (ingested with the
 * run's config, with `areas`, `subflows`, `consignment`), declarations from `--declarations` (with `--history`),
 * the shared tables of a run over every product (`--global DIR`), Comtrade's data-availability table
 * (`--availability FILE`), and the datasets other pipelines write (`src/datasets.ts`: `--mirror`, `--routes`, …).
 */
export type InputDecl = {
  trade?: 'required' | 'optional';
  declarations?: 'required' | 'optional';
  global?: 'optional';
  availability?: 'optional';
} & { [K in HandoffKey]?: 'optional' };

/** What each input is when given. */
export type InputValues = {
  trade: TradeInput;
  /** Canonical declarations, cut at the partition's as-of. */
  declarations: Table;
  global: GlobalTables;
  /** What each reporter published per period (reporter, period, freq, published, …). */
  availability: Table;
} & { [K in HandoffKey]: Table };

/**
 * What a pipeline with the declaration `D` receives: each required input present, each optional one when it was
 * given, the earlier declarations with outcomes (`--history`) beside declarations, and the reference data.
 */
export type InputsOf<D extends InputDecl> = { [K in keyof D & keyof InputValues as D[K] extends 'required' ? K : never]: InputValues[K] } & {
  [K in keyof D & keyof InputValues as D[K] extends 'required' ? never : K]?: InputValues[K];
} & { history?: Table; reference: ReferenceInput };

/** What the executor hands any pipeline: every input optional (a pipeline's own declaration narrows it). */
export type PipelineInputs = { [K in keyof InputValues]?: InputValues[K] } & { history?: Table; reference: ReferenceInput };

/** The trade tables a `trade` input hands to a pipeline. */
export interface TradeInput {
  flows: Table;
  areas: Table;
  subflows: Table;
  consignment: Table;
  /**
   * Comparator codes read beside the `--hs` selection (`comparatorCodesFor` in `src/reference/catalog.ts`): context for a pipeline
   * that declares `readsComparators`, left out of the tables handed to the others. Empty or absent: none.
   */
  comparators?: readonly string[];
  /**
   * Absolute path of each `source_file` value of `flows` that names a file on this machine (the run's inputs,
   * whose `source_file` is relative to the working directory, and files named by rows re-read from canonical
   * Parquet, when they resolve from it): where evidence points, from any working directory. Absent: unknown.
   */
  sourcePaths?: ReadonlyMap<string, string>;
}

/** Reference data every pipeline may use, loaded once per run by `src/run/`. */
export interface ReferenceInput {
  catalog: Catalog;
  hsCorrespondence: HsCorrespondence;
  geo: GeoTable;
  /** ISO3 → country name. */
  countryNames: ReadonlyMap<string, string>;
  /** HS6 → description (catalog and comparator codes). */
  hs6Descriptions: ReadonlyMap<string, string>;
  /** Reporters that record imports FOB, not CIF (`data/reference/fob_import_reporters.csv`): not adjusted, not fitted on. */
  fobImportReporters: ReadonlySet<string>;
  /** Entrepôts (`data/reference/entrepots.csv`): a mirror gap there is transit, shown with reason `entrepot`. */
  entrepots: ReadonlySet<string>;
}

/**
 * The tables that need a view across every product, from a run over all of them (`--global DIR`), so that a
 * run over one partition of the products uses them instead of estimating them from its slice.
 */
export interface GlobalTables {
  /** `coverage.parquet` of a coverage run: what each reporter published (reporter × flow × period). */
  coverage: Table;
  /** `reporter_reliability.parquet` of a mirror-gaps run: σ per reporter and year. */
  reliability: Table;
  /** `cif_fob_observations.parquet` of a mirror-gaps run: the CIF/FOB model's fit sample. */
  cifFobObservations: Table;
}

/** Names and times one stage, counts the rows it returns, and returns its value. */
export type StageFn = <T>(name: string, fn: () => T) => T;

/** Records a count by reason in the run's manifest (candidates kept and pruned, rows left out, …). */
export type CountFn = (key: string, n: number) => void;

/** One declared stage: its name and the outputs it produces. */
export interface StageDecl {
  name: string;
  produces?: readonly string[];
}

/** A pipeline: what it reads, its stages, what it writes, which config slice it takes. */
export interface PipelineDef<P = unknown, D extends InputDecl = InputDecl> {
  /** Equals the file name in `pipelines/`. */
  name: string;
  description: string;
  /** Its inputs; a dataset another pipeline writes (`src/datasets.ts`) makes `run all` run this one after that one. */
  inputs: D;
  /**
   * Of a dataset another pipeline writes, the columns this one uses: only those are read (a file without one of
   * them gives a table without it, for the detector to name). Absent: every column.
   */
  columns?: { [K in HandoffKey]?: readonly string[] };
  /**
   * True when the pipeline uses the uncontrolled comparator codes read beside the `--hs` selection (the
   * transshipment counterfactual); the others get the trade tables without them ({@link tradeInScope}).
   */
  readsComparators?: boolean;
  /** Its slice of the resolved config. */
  params: (config: Config) => P;
  stages: readonly StageDecl[];
  /** Output tables, written as `<name>.parquet` in the partition. */
  outputs: readonly string[];
  /** Flagged outputs shown at the top of the run's report.html, with the columns an analyst reads first. */
  report?: readonly { output: string; title: string; columns: readonly string[] }[];
  run(inputs: InputsOf<D>, params: P, stage: StageFn, count: CountFn): Record<string, Table> | Promise<Record<string, Table>>;
}

/** Thrown for a pipeline declaration that cannot run; the message says how to fix it. */
export class PipelineDeclarationError extends Error {
  override readonly name = 'PipelineDeclarationError';
}

/**
 * Declares a pipeline and checks it at load time: stage names must be unique snake_case, every output
 * must be produced by a declared stage, and names must be valid file names.
 */
export function definePipeline<P, const D extends InputDecl>(def: PipelineDef<P, D>): PipelineDef<P, D> {
  const where = `pipeline '${def.name}'`;
  if (!/^[a-z][a-z0-9-]*$/.test(def.name)) throw new PipelineDeclarationError(`${where}: the name must be kebab-case and equal the file name in pipelines/`);
  const seen = new Set<string>();
  for (const s of def.stages) {
    if (!/^[a-z][a-z0-9_]*$/.test(s.name)) throw new PipelineDeclarationError(`${where}: stage '${s.name}' must be snake_case`);
    if (seen.has(s.name)) throw new PipelineDeclarationError(`${where}: stage '${s.name}' is declared twice; give each stage its own name`);
    seen.add(s.name);
  }
  const produced = new Set(def.stages.flatMap((s) => s.produces ?? []));
  const missing = def.outputs.filter((o) => !produced.has(o));
  if (missing.length) {
    throw new PipelineDeclarationError(
      `${where}: output${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} not produced by any stage; ` +
        `add it to a stage's 'produces' list or remove it from 'outputs'`,
    );
  }
  for (const o of def.outputs) if (!/^[a-z][a-z0-9_]*$/.test(o)) throw new PipelineDeclarationError(`${where}: output '${o}' must be snake_case`);
  return Object.freeze(def);
}

/**
 * The trade tables a pipeline gets: as read when it `readsComparators` (or none were read), else without
 * the rows of the comparator codes read beside the selection; `left` is how many rows that left out.
 */
export function tradeInScope(trade: TradeInput, def: Pick<PipelineDef, 'readsComparators'>): { trade: TradeInput; left: number } {
  const codes = trade.comparators ?? [];
  if (def.readsComparators || !codes.length) return { trade, left: 0 };
  const drop = new Set(codes);
  let left = 0;
  const cut = (t: Table): Table => {
    const r = dropRowsByValue(t, 'hs6', (v) => drop.has(v), 'tradeInScope');
    left += r.dropped;
    return r.table;
  };
  return { trade: { flows: cut(trade.flows), areas: cut(trade.areas), subflows: cut(trade.subflows), consignment: cut(trade.consignment) }, left };
}
