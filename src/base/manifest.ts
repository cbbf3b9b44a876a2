/** The manifest schema every run writes; reading another version fails with both versions named. */
export const MANIFEST_SCHEMA = 'tradewatch/run-manifest/v1';

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

/** What `OUT/<pipeline>/as_of=…/manifest.json` records. */
export interface RunManifest {
  schema: typeof MANIFEST_SCHEMA;
  tradewatch_version: string;
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
  run_id: string;
  status: RunStatus;
  started_at: string;
  finished_at: string;
  duration_s: number;
  inputs: ManifestInput[];
  /** sha256 over the inputs' hashes, in order. */
  inputs_sha256: string;
  config: unknown;
  config_sha256: string;
  counts: Record<string, number>;
  stages: { name: string; seconds: number; rows: number | null }[];
  checks: DataCheck[];
  outputs: { path: string; rows: number | null; sha256: string }[];
  error?: string;
}

/** Checks a parsed manifest's schema version; throws naming the expected and found versions. */
export function checkManifest(value: unknown, where: string): RunManifest {
  const found = (value as { schema?: unknown } | null)?.schema;
  if (found !== MANIFEST_SCHEMA) {
    throw new Error(`${where}: manifest schema '${String(found)}' is not the expected '${MANIFEST_SCHEMA}'`);
  }
  return value as RunManifest;
}
