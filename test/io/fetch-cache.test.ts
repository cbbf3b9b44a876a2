import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeRequest } from '../../src/io/comtrade-api.ts';
import { ResponseCache } from '../../src/io/fetch-cache.ts';

describe('ResponseCache', () => {
  const req = normalizeRequest('/data/v1/get/C/M/HS', { period: '202401,202402', cmdCode: '811010', motCode: '0' });

  it('keys a request by sha256 of method, path and sorted query, whatever order it was built in', () => {
    const same = normalizeRequest('/data/v1/get/C/M/HS', { motCode: '0', cmdCode: '811010', period: '202402,202401' });
    expect(ResponseCache.key(same)).toBe(ResponseCache.key(req));
    // sha256 of "GET /data/v1/get/C/M/HS?cmdCode=811010&motCode=0&period=202401%2C202402"
    expect(ResponseCache.key(req)).toBe('3b104c9eea2b83bb046059f12815ec324b4f7da82b5883e9d6026804966be72c');
    expect(ResponseCache.key(normalizeRequest('/data/v1/get/C/M/HS', { ...req.query, motCode: '1000' }))).not.toBe(ResponseCache.key(req));
    expect(ResponseCache.key(normalizeRequest('/public/v1/preview/C/M/HS', req.query))).not.toBe(ResponseCache.key(req));
  });

  it('reads null before a write, then the body byte for byte; writes leave no temporary files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-cache-'));
    const cache = new ResponseCache(dir);
    expect(await cache.read(req)).toBeNull();
    const body = '{"count":1,"data":[{"cmdCode":"811010","primaryValue":1.5}],"elapsedTime":"0.1 secs"}';
    await cache.write(req, body);
    expect(await cache.read(req)).toBe(body);
    expect(await readFile(join(dir, ResponseCache.relativePath(ResponseCache.key(req))), 'utf8')).toBe(body);
    expect(await readdir(join(dir, 'responses'))).toEqual([`${ResponseCache.key(req)}.json`]);
  });
});
