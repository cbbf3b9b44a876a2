import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The house's floors (docs/architecture.md): a file may import from its own floor and the floors below, never
 * from one above. From the ground up: the ground floor (errors, log and manifest types, typed-array kernels, the
 * flow schema); the rooms that read, refer and detect; the config and the pipeline definition; the pipelines;
 * the executor (src/run/); the commands (src/commands/); the CLI.
 */
const FLOORS: { floor: number; rooms: string[] }[] = [
  { floor: 0, rooms: ['src/base/', 'src/table/', 'src/schema.ts'] },
  { floor: 1, rooms: ['src/reference/', 'src/io/', 'src/synth/', 'src/ingest/', 'src/detect/', 'src/flags/', 'src/evaluate/', 'src/report/'] },
  { floor: 2, rooms: ['src/config/', 'src/pipeline.ts', 'src/datasets.ts'] },
  { floor: 3, rooms: ['pipelines/'] },
  { floor: 4, rooms: ['src/run/'] },
  { floor: 5, rooms: ['src/commands/'] },
  { floor: 6, rooms: ['src/cli/'] },
];

const root = join(import.meta.dirname, '../..');

function floorOf(file: string): number | null {
  for (const f of FLOORS) if (f.rooms.some((r) => (r.endsWith('/') ? file.startsWith(r) : file === r))) return f.floor;
  return null;
}

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every relative module a file names: static imports and re-exports, and import() of a literal path. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) {
    out.push(normalize(join(dirname(file), m[1] ?? m[2])));
  }
  return out;
}

const files = [...sources('src'), ...sources('pipelines')];

describe('the floors of the house', () => {
  it('places every source file on a floor', () => {
    expect(files.filter((f) => floorOf(f) === null)).toEqual([]);
    expect(files.length).toBeGreaterThan(100);
  });

  it('no file imports from a floor above its own: nothing below the executor imports from it, and it does not import pipelines/ back', () => {
    const up = files.flatMap((f) =>
      importsOf(f)
        .filter((t) => (floorOf(t) ?? -1) > floorOf(f)!)
        .map((t) => `${f} (floor ${floorOf(f)}) -> ${relative(root, join(root, t))} (floor ${floorOf(t)})`),
    );
    expect(up).toEqual([]);
  });

  it('sees the imports it checks (the scan is not blind)', () => {
    expect(importsOf('src/run/runner.ts')).toContain('src/pipeline.ts');
    expect(importsOf('pipelines/mirror-gaps.ts')).toContain('src/pipeline.ts');
  });
});
