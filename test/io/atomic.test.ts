import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/io/atomic.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tradewatch-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes text and bytes, replaces an existing file, and leaves no temporary file', async () => {
    const path = join(dir, 'out.json');
    await writeFileAtomic(path, '{"a":1}\n');
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    expect(await readdir(dir)).toEqual(['out.json']);
  });

  it('writes an empty file', async () => {
    const path = join(dir, 'empty.bin');
    await writeFileAtomic(path, new Uint8Array(0));
    expect((await readFile(path)).length).toBe(0);
  });

  it('fails for a missing folder without creating anything', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'out.txt'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes its temporary file when the rename fails', async () => {
    const target = join(dir, 'taken');
    await mkdir(target);
    await writeFile(join(target, 'keep.txt'), 'kept');
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
    expect(await readFile(join(target, 'keep.txt'), 'utf8')).toBe('kept');
  });

  it('concurrent writers leave one complete version', async () => {
    const path = join(dir, 'race.txt');
    const versions = Array.from({ length: 16 }, (_, i) => String.fromCharCode(97 + i).repeat(200_000 + i));
    await Promise.all(versions.map((v) => writeFileAtomic(path, v)));
    expect(versions).toContain(await readFile(path, 'utf8'));
    expect(await readdir(dir)).toEqual(['race.txt']);
  });

  it('a reader running alongside the writer only ever sees whole files', async () => {
    const path = join(dir, 'big.bin');
    const a = new Uint8Array(2 << 20).fill(1);
    const b = new Uint8Array(3 << 20).fill(2);
    await writeFileAtomic(path, a);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 20; i++) await writeFileAtomic(path, i % 2 ? a : b);
      writing = false;
    })();
    const seen = new Set<string>();
    while (writing) {
      const got = await readFile(path);
      const whole = (got.length === a.length && got.every((x) => x === 1)) || (got.length === b.length && got.every((x) => x === 2));
      seen.add(whole ? `ok:${got.length}` : `torn:${got.length}`);
    }
    await writer;
    expect([...seen].filter((s) => s.startsWith('torn'))).toEqual([]);
  });
});
