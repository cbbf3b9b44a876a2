import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { glob, isDynamicPattern } from 'tinyglobby';
import { InputError } from '../base/errors.ts';

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

/** Names of the files an input folder is read for, any case (`B.CSV`, `X.CSV.GZ`, `y.Parquet`). */
const INPUT_NAME = /\.(csv|csv\.gz|parquet)$/i;

/** What {@link findInputs} found: the input files, and the files of the folders given that were left out. */
export interface FoundInputs {
  files: InputFile[];
  /**
   * Files inside a folder given as input that were not read because of their extension (`notes.txt`,
   * `data.xlsx`), as display paths, sorted; for the caller to warn about. Hidden files are not listed.
   */
  skipped: string[];
}

/**
 * Expands files, folders (recursively: `*.csv`, `*.csv.gz`, `*.parquet`, any case) and globs into a sorted,
 * de-duplicated list; throws {@link InputError} for a path that does not exist or matches nothing, and
 * for one that is not a regular file (a device such as `/dev/zero`, a FIFO, a socket: read or hashed, it
 * would never end). The files of a folder left out for their extension come back in `skipped`.
 */
export async function findInputs(args: readonly string[], cwd = process.cwd()): Promise<FoundInputs> {
  const found = new Set<string>();
  const skipped = new Set<string>();
  for (const arg of args) {
    let matches: string[];
    let left: string[] = [];
    if (isDynamicPattern(arg)) {
      matches = await glob(arg, { cwd, absolute: true, onlyFiles: true, expandDirectories: false });
    } else {
      const p = resolve(cwd, arg);
      const st = await stat(p).catch(() => null);
      if (!st) throw new InputError(`${arg}: no such file or folder`);
      if (st.isDirectory()) {
        const all = await glob('**/*', { cwd: p, absolute: true, onlyFiles: true });
        matches = all.filter((f) => INPUT_NAME.test(f));
        left = all.filter((f) => !INPUT_NAME.test(f));
      } else if (st.isFile()) matches = [p];
      else throw new InputError(`${arg}: not a regular file (${kindOf(st)}); give files or folders of files`);
    }
    for (const f of left) skipped.add(resolve(f));
    if (matches.length === 0) {
      const shown = left.length ? ` (left out: ${left.slice(0, 5).map((f) => displayOf(f, cwd)).join(', ')}${left.length > 5 ? ', …' : ''})` : '';
      throw new InputError(`${arg}: matches no .csv, .csv.gz or .parquet file${shown}`);
    }
    for (const m of matches) found.add(resolve(m));
  }
  const files: InputFile[] = [];
  for (const path of [...found].sort()) {
    const st = await stat(path);
    if (!st.isFile()) throw new InputError(`${displayOf(path, cwd)}: not a regular file (${kindOf(st)}); give files or folders of files`);
    files.push({ path, display: displayOf(path, cwd), bytes: st.size, format: formatOf(path), partitions: partitionsOf(path) });
  }
  return { files, skipped: [...skipped].filter((f) => !found.has(f)).sort().map((f) => displayOf(f, cwd)) };
}

/** {@link findInputs} without the list of files left out. */
export async function resolveInputs(args: readonly string[], cwd = process.cwd()): Promise<InputFile[]> {
  return (await findInputs(args, cwd)).files;
}

/** A path as shown: relative to the working directory. */
function displayOf(path: string, cwd: string): string {
  return relative(cwd, path) || path;
}

/** What a path that is not a regular file is, for a message. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
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

/** Throws {@link InputError} unless `path` is a regular file (a device or a pipe would be read forever). */
async function assertRegularFile(path: string, display: string): Promise<void> {
  const st = await stat(path).catch((e: Error) => {
    throw new InputError(`${display}: cannot read: ${e.message}`);
  });
  if (!st.isFile()) throw new InputError(`${display}: not a regular file (${kindOf(st)})`);
}

/** Streams a file's bytes with 1 MiB reads, gunzipped when `.gz`; read errors name the file, a path that is not a regular file is refused. */
export async function* openInput(file: InputFile): AsyncIterable<Uint8Array> {
  await assertRegularFile(file.path, file.display);
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
 * sha256 (hex) of a file's bytes as stored; {@link InputError} for a path that is not a regular file (a
 * device like `/dev/zero` would be hashed forever). A file hashed before in this process and unchanged since
 * (same size, inode, mtime and ctime — a write moves ctime, which no tool can set back) is not read again:
 * the pipelines of one `run all` hash the same inputs.
 */
export async function sha256File(path: string): Promise<string> {
  const st = await stat(path, { bigint: true });
  if (!st.isFile()) throw new InputError(`${path}: not a regular file; only files are hashed`);
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
