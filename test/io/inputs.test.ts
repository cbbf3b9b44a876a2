import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findInputs, openInput, resolveInputs, sha256File } from '../../src/io/inputs.ts';
import { InputError } from '../../src/base/errors.ts';

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

  it('reads upper-case extensions in a folder and returns the files it left out for their extension', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-inputs-'));
    await mkdir(join(dir, 'sub'));
    for (const f of ['B.CSV', 'X.CSV.GZ', 'Y.PARQUET', 'notes.txt', 'sub/readme.md', 'sub/c.Csv']) await writeFile(join(dir, f), 'x');
    const found = await findInputs(['.'], dir);
    expect(found.files.map((f) => [f.display, f.format])).toEqual([
      ['B.CSV', 'csv'],
      ['X.CSV.GZ', 'csv.gz'],
      ['Y.PARQUET', 'parquet'],
      [join('sub', 'c.Csv'), 'csv'],
    ]);
    expect(found.skipped).toEqual(['notes.txt', join('sub', 'readme.md')]);
    expect((await resolveInputs(['.'], dir)).length).toBe(4);
    await expect(resolveInputs(['sub/readme.md', '.'], dir)).resolves.toHaveLength(5); // a file named on the command line is read
    const only = await mkdtemp(join(tmpdir(), 'tw-inputs-'));
    await writeFile(join(only, 'data.xlsx'), 'x');
    await expect(resolveInputs(['.'], only)).rejects.toThrow('.: matches no .csv, .csv.gz or .parquet file (left out: data.xlsx)');
  });

  it('refuses a device as input, naming the path, instead of reading or hashing it forever', async () => {
    await expect(resolveInputs(['/dev/zero'])).rejects.toThrow(new InputError('/dev/zero: not a regular file (a character device); give files or folders of files'));
    await expect(resolveInputs(['/dev/null'])).rejects.toThrow(InputError);
    await expect(sha256File('/dev/zero')).rejects.toThrow('/dev/zero: not a regular file');
    const read = async () => {
      for await (const chunk of openInput({ path: '/dev/urandom', display: '/dev/urandom', bytes: 0, format: 'csv', partitions: {} })) void chunk;
    };
    await expect(read()).rejects.toThrow('/dev/urandom: not a regular file (a character device)');
  });

  it.skipIf(process.platform === 'win32')('refuses a named pipe given as input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-inputs-'));
    execFileSync('mkfifo', [join(dir, 'pipe.csv')]);
    await expect(resolveInputs(['pipe.csv'], dir)).rejects.toThrow('pipe.csv: not a regular file (a named pipe)');
  });
});
