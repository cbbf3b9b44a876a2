/**
 * The manifest schema every run writes (pipeline runs, ingest, fetch: one shape, told apart by `kind`). Version 1
 * (before `kind`) is still read; any other version fails with both versions named.
 */
export const MANIFEST_SCHEMA = 'tradewatch/run-manifest/v2';

/** The schema before `kind`: pipeline, ingest and fetch manifests with the same name and different shapes. */
export const MANIFEST_SCHEMA_V1 = 'tradewatch/run-manifest/v1';

/** What wrote a manifest. */
export type ManifestKind = 'pipeline' | 'ingest' | 'fetch';

/** Closed set of run states. */
export type RunStatus = 'succeeded' | 'failed' | 'skipped' | 'no_data';

/** A data check recorded in the manifest: an `error` stops publication, a `warn` is recorded. */
export interface DataCheck {
  name: string;
  severity: 'error' | 'warn';
  passed: boolean;
  message: string;
}

/** One input file of a run. */
export interface ManifestInput {
  kind: string;
  path: string;
  bytes: number;
  sha256: string;
  layout?: string | null;
}

/** What every manifest records, whoever wrote it. */
export interface ManifestCommon {
  schema: typeof MANIFEST_SCHEMA;
  kind: ManifestKind;
  tradewatch_version: string;
  run_id: string;
  status: RunStatus;
  started_at: string;
  finished_at: string;
  duration_s: number;
  inputs: ManifestInput[];
  config: unknown;
  config_sha256: string;
  counts: Record<string, number>;
  outputs: { path: string; rows: number | null; sha256: string }[];
  error?: string;
}

/** What `OUT/<pipeline>/as_of=…/manifest.json` records. */
export interface RunManifest extends ManifestCommon {
  kind: 'pipeline';
  pipeline: string;
  partition: string;
  as_of: string;
  /** `--as-of` as asked (`latest` when not given): a later run asking the same thing may be skipped. */
  as_of_requested: string;
  /**
   * The last period of the data the partition holds (`YYYY-MM`; annual `YYYY` counts as `YYYY-12`): `as_of` or earlier.
   * Earlier when `--as-of` was after the inputs and the run was allowed to publish anyway. Absent in older manifests.
   */
  data_through?: string;
  /** sha256 over the inputs' hashes, in order. */
  inputs_sha256: string;
  stages: { name: string; seconds: number; rows: number | null }[];
  checks: DataCheck[];
}

/** The products an ingest or fetch read: the selector, its codes (null: every code) and the comparators read beside them. */
export interface ManifestHs {
  selector: string;
  codes: string[] | null;
  comparators: string[];
}

/** What `tradewatch ingest` writes beside its tables. */
export interface IngestManifest extends ManifestCommon {
  kind: 'ingest';
  command: 'ingest';
  /** The layout asked for, or `detected`. */
  format: string;
  hs: ManifestHs;
  notes: unknown;
}

/** What `tradewatch fetch` writes beside its tables. */
export interface FetchManifest extends ManifestCommon {
  kind: 'fetch';
  command: string;
  api: { base_url: string; keyed: boolean; cap: unknown; cache: string };
  period: { freq: string; from: string | undefined; to: string | undefined };
  hs: ManifestHs;
  /** Comtrade reporter codes asked for, or all. */
  reporters: number[] | 'all';
  notes: unknown;
}

/** Any manifest tradewatch writes. */
export type Manifest = RunManifest | IngestManifest | FetchManifest;

/**
 * Checks a parsed manifest's schema version and kind; a version-1 manifest is read as what wrote it (`command`
 * `ingest` or `fetch …`, else a pipeline run). Throws naming the expected and found versions or kinds.
 */
export function checkAnyManifest(value: unknown, where: string): Manifest {
  const v = value as { schema?: unknown; kind?: unknown; command?: unknown } | null;
  const found = v?.schema;
  if (found === MANIFEST_SCHEMA_V1 && v) {
    const command = typeof v.command === 'string' ? v.command : '';
    const kind: ManifestKind = command === 'ingest' ? 'ingest' : command.startsWith('fetch') ? 'fetch' : 'pipeline';
    return { ...(v as object), schema: MANIFEST_SCHEMA, kind } as Manifest;
  }
  if (found !== MANIFEST_SCHEMA) {
    throw new Error(`${where}: manifest schema '${String(found)}' is not the expected '${MANIFEST_SCHEMA}' (or '${MANIFEST_SCHEMA_V1}')`);
  }
  if (v?.kind !== 'pipeline' && v?.kind !== 'ingest' && v?.kind !== 'fetch') throw new Error(`${where}: manifest kind '${String(v?.kind)}' is not pipeline, ingest or fetch`);
  return value as Manifest;
}

/** {@link checkAnyManifest} for a pipeline run's partition: another kind fails, naming it. */
export function checkManifest(value: unknown, where: string): RunManifest {
  const m = checkAnyManifest(value, where);
  if (m.kind !== 'pipeline') throw new Error(`${where}: a manifest of ${m.kind}, not of a pipeline run`);
  return m;
}
