import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { glob, isDynamicPattern } from 'tinyglobby';
import { InputError } from '../run/errors.ts';

/** One input file found from the command line. */
export interface InputFile {
  /** Absolute path. */
  path: string;
  /** Path as shown in outputs and messages: relative to the working directory, so outputs do not depend on where a clone lives. */
  display: string;
  bytes: number;
  format: 'csv' | 'csv.gz' | 'parquet';
  /** Hive-style partition values: the `key=value` folders of its path, e.g. `{ year: '2024', hs6: '811292' }`. */
  partitions: Record<string, string>;
}

const EXTENSIONS = ['**/*.csv', '**/*.csv.gz', '**/*.parquet'];

/**
 * Expands files, folders (recursively: `*.csv`, `*.csv.gz`, `*.parquet`) and globs into a sorted,
 * de-duplicated list; throws {@link InputError} for a path that does not exist or matches nothing.
 */
export async function resolveInputs(args: readonly string[], cwd = process.cwd()): Promise<InputFile[]> {
  const found = new Set<string>();
  for (const arg of args) {
    let matches: string[];
    if (isDynamicPattern(arg)) {
      matches = await glob(arg, { cwd, absolute: true, onlyFiles: true, expandDirectories: false });
    } else {
      const p = resolve(cwd, arg);
      const st = await stat(p).catch(() => null);
      if (!st) throw new InputError(`${arg}: no such file or folder`);
      matches = st.isDirectory() ? await glob(EXTENSIONS, { cwd: p, absolute: true, onlyFiles: true }) : [p];
    }
    if (matches.length === 0) throw new InputError(`${arg}: matches no .csv, .csv.gz or .parquet file`);
    for (const m of matches) found.add(resolve(m));
  }
  const out: InputFile[] = [];
  for (const path of [...found].sort()) {
    const st = await stat(path);
    out.push({ path, display: relative(cwd, path) || path, bytes: st.size, format: formatOf(path), partitions: partitionsOf(path) });
  }
  return out;
}

/**
 * The `key=value` folders of a path (not its file name), whatever part of a partitioned dataset was given;
 * a key repeated deeper wins.
 */
function partitionsOf(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of path.split(sep).slice(0, -1)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(part);
    if (!m) continue;
    try {
      out[m[1]] = decodeURIComponent(m[2]); // Hive escapes '/', '=' and the like as %XX
    } catch {
      out[m[1]] = m[2];
    }
  }
  return out;
}

function formatOf(path: string): InputFile['format'] {
  const p = path.toLowerCase();
  if (p.endsWith('.parquet')) return 'parquet';
  if (p.endsWith('.gz')) return 'csv.gz';
  return 'csv';
}

/** Streams a file's bytes with 1 MiB reads, gunzipped when `.gz`; read errors name the file. */
export async function* openInput(file: InputFile): AsyncIterable<Uint8Array> {
  const raw = createReadStream(file.path, { highWaterMark: 1 << 20 });
  try {
    if (file.format === 'csv.gz') {
      const gunzip = createGunzip({ chunkSize: 1 << 20 });
      pipeline(raw, gunzip, () => {}); // errors surface through the gunzip iterator below
      for await (const chunk of gunzip) yield chunk as Uint8Array;
    } else {
      for await (const chunk of raw) yield chunk as Uint8Array;
    }
  } catch (e) {
    throw new InputError(`${file.display}: cannot read: ${(e as Error).message}`);
  }
}

/** Hashes already computed in this process, by path and the file's identity (size, inode, mtime, ctime). */
const hashes = new Map<string, { identity: string; sha256: Promise<string> }>();

/**
 * sha256 (hex) of a file's bytes as stored. A file hashed before in this process and unchanged since (same
 * size, inode, mtime and ctime — a write moves ctime, which no tool can set back) is not read again: the
 * pipelines of one `run all` hash the same inputs.
 */
export async function sha256File(path: string): Promise<string> {
  const st = await stat(path, { bigint: true });
  const identity = `${st.size}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}`;
  const known = hashes.get(path);
  if (known?.identity === identity) return known.sha256;
  const sha256 = (async () => {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  })();
  hashes.set(path, { identity, sha256 });
  sha256.catch(() => hashes.delete(path));
  return sha256;
}
