import { describe, expect, it } from 'vitest';
import { MANIFEST_SCHEMA, checkAnyManifest, checkManifest } from '../../src/base/manifest.ts';

describe('manifests: one schema, told apart by kind', () => {
  it('reads a version-1 manifest as what wrote it, by its command', () => {
    expect(checkAnyManifest({ schema: 'tradewatch/run-manifest/v1', command: 'ingest' }, 'm.json')).toMatchObject({ schema: MANIFEST_SCHEMA, kind: 'ingest' });
    expect(checkAnyManifest({ schema: 'tradewatch/run-manifest/v1', command: 'fetch comtrade' }, 'm.json').kind).toBe('fetch');
    expect(checkManifest({ schema: 'tradewatch/run-manifest/v1', pipeline: 'coverage' }, 'm.json')).toMatchObject({ kind: 'pipeline', pipeline: 'coverage' });
  });

  it('refuses another version, an unknown kind, and a non-pipeline manifest where a partition\'s is expected', () => {
    expect(() => checkAnyManifest({ schema: 'tradewatch/run-manifest/v9' }, 'm.json')).toThrow(/m.json: manifest schema 'tradewatch\/run-manifest\/v9' is not the expected 'tradewatch\/run-manifest\/v2'/);
    expect(() => checkAnyManifest({ schema: MANIFEST_SCHEMA, kind: 'other' }, 'm.json')).toThrow(/kind 'other'/);
    expect(() => checkManifest({ schema: MANIFEST_SCHEMA, kind: 'ingest' }, 'm.json')).toThrow(/a manifest of ingest, not of a pipeline run/);
  });
});
