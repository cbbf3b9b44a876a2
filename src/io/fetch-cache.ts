import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import type { ApiRequest } from './comtrade-api.ts';

/**
 * Raw API answers on disk, one file per request: `DIR/responses/<sha256>.json` holds the body exactly
 * as received. The key is the sha256 of the normalised request (method, path, sorted query) — never of
 * the subscription key or the host, so a cache filled through one base URL serves another. Files are
 * written through a temporary name and a rename: an interrupted fetch leaves whole answers or none.
 */
export class ResponseCache {
  constructor(
    /** The cache folder (`--cache`). */
    readonly dir: string,
  ) {}

  /** The cache key of a request: sha256 hex of `GET path?sorted query`. */
  static key(req: ApiRequest): string {
    const q = new URLSearchParams(Object.keys(req.query).sort().map((k): [string, string] => [k, req.query[k]])).toString();
    return createHash('sha256').update(`GET ${req.path}?${q}`).digest('hex');
  }

  /** Path of a key's answer relative to the cache folder (what manifests and `source_file` record). */
  static relativePath(key: string): string {
    return `responses/${key}.json`;
  }

  /** The cached body of a request, or null when it was never fetched. */
  async read(req: ApiRequest): Promise<string | null> {
    return this.readKey(ResponseCache.key(req));
  }

  /** The cached body under a key, or null. */
  async readKey(key: string): Promise<string | null> {
    try {
      return await readFile(join(this.dir, ResponseCache.relativePath(key)), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  /** Stores a body under its request's key (atomically). */
  async write(req: ApiRequest, body: string): Promise<void> {
    await mkdir(join(this.dir, 'responses'), { recursive: true });
    await writeFileAtomic(join(this.dir, ResponseCache.relativePath(ResponseCache.key(req))), body);
  }
}
