import { Field, Float64, List, Utf8, vectorFromArray, type DataType } from 'apache-arrow';
import { MANIFEST_SCHEMA, type RunManifest } from '../../src/base/manifest.ts';

/** A succeeded transshipment manifest for as_of=2024-06; fields overridable. */
export function manifest(over: Partial<RunManifest> = {}): RunManifest {
  return {
    schema: MANIFEST_SCHEMA, kind: 'pipeline', tradewatch_version: '0.1.0', pipeline: 'transshipment', partition: 'as_of=2024-06', as_of: '2024-06',
    as_of_requested: 'latest', run_id: 'run-1', status: 'succeeded', started_at: '2026-01-01T00:00:00.000Z', finished_at: '2026-01-01T00:00:01.000Z',
    duration_s: 1, inputs: [], inputs_sha256: 'a'.repeat(64), config: {}, config_sha256: 'b'.repeat(64), counts: {}, stages: [], checks: [], outputs: [],
    ...over,
  };
}

export const text = (xs: (string | null)[]) => vectorFromArray(xs, new Utf8());
export const num = (xs: (number | null)[]) => vectorFromArray(xs, new Float64());
export const list = <T extends DataType>(xs: unknown[][], item: T) => vectorFromArray(xs, new List(new Field('item', item, true)));
