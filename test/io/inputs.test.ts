import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveInputs } from '../../src/io/inputs.ts';

describe('resolveInputs', () => {
  it('expands folders recursively and globs, sorted and de-duplicated, with paths relative to the working directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-inputs-'));
    await mkdir(join(dir, 'y=2024'));
    for (const f of ['b.csv', 'a.csv.gz', 'notes.txt', 'y=2024/c.parquet']) await writeFile(join(dir, f), 'x');
    const files = await resolveInputs(['.', '*.csv', 'b.csv'], dir);
    expect(files.map((f) => [f.display, f.format])).toEqual([
      ['a.csv.gz', 'csv.gz'],
      ['b.csv', 'csv'],
      [join('y=2024', 'c.parquet'), 'parquet'],
    ]);
    expect(files[1].bytes).toBe(1);
  });

  it('names a path that does not exist and a glob that matches nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-inputs-'));
    await expect(resolveInputs(['missing.csv'], dir)).rejects.toThrow('missing.csv: no such file or folder');
    await expect(resolveInputs(['*.csv'], dir)).rejects.toThrow('*.csv: matches no .csv, .csv.gz or .parquet file');
  });
});
