import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { quietMain } from './quiet-main.ts';
import { readParquet } from '../../src/io/parquet.ts';
import { runIngest } from '../../src/commands/ingest.ts';
import { rowsOf } from '../helpers.ts';

const SAMPLE = 'test/fixtures/comtrade_plus_small.csv';
const fixed = { now: () => new Date('2026-01-01T00:00:00Z'), runId: () => 'test-run' };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-ingest-'));
});


describe('tradewatch ingest', () => {
  it('writes the five tables and a manifest with hashes and counts', async () => {
    const out = join(dir, 'a');
    const s = await runIngest({ trade: [SAMPLE], out }, fixed);
    expect((await readdir(out)).sort()).toEqual([
      'areas.parquet', 'consignment.parquet', 'flows.parquet', 'manifest.json', 'rejects.parquet', 'subflows.parquet',
    ]);
    const m = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({ schema: 'tradewatch/run-manifest/v2', kind: 'ingest', command: 'ingest', status: 'succeeded', run_id: 'test-run' });
    expect(m.inputs).toEqual([{ kind: 'trade', path: SAMPLE, bytes: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), layout: 'comtrade' }]);
    expect(m.counts).toMatchObject({ rows_read: 25, duplicate_exact: 1, breakdown_row: 2, zero_weight_nulled: 1, 'out.flows': 18 });
    expect(m.outputs.find((o: { path: string }) => o.path === 'flows.parquet')).toMatchObject({ rows: 18 });
    expect(s.outputs.map((o) => o.rows)).toEqual([18, 1, 2, 1, 0]);
    const flows = await readParquet(join(out, 'flows.parquet'));
    expect(flows.numRows).toBe(18);
    expect(String(flows.schema.fields.find((f) => f.name === 'reporter')!.type)).toBe('Dictionary<Int32, Utf8>');
  });

  it('gives byte-identical tables and an identical manifest for the same input and clock', async () => {
    await runIngest({ trade: [SAMPLE], out: join(dir, 'b1') }, fixed);
    await runIngest({ trade: [SAMPLE], out: join(dir, 'b2') }, fixed);
    for (const f of await readdir(join(dir, 'b1'))) {
      expect(Buffer.compare(await readFile(join(dir, 'b1', f)), await readFile(join(dir, 'b2', f))), f).toBe(0);
    }
  });

  it('replaces the set whole: a write that fails halfway leaves the previous set and manifest intact (#18 item 4)', async () => {
    const out = join(dir, 'set');
    await runIngest({ trade: [SAMPLE], out }, fixed);
    const before = Object.fromEntries(await Promise.all((await readdir(out)).map(async (f) => [f, (await readFile(join(out, f))).toString('base64')])));
    // another selection writes other tables; the fifth write (rejects.parquet) fails: disk full
    let writes = 0;
    const failing = async (path: string, data: Uint8Array | string) => {
      if (++writes === 5) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });
      await writeFile(path, data);
    };
    await expect(runIngest({ trade: [SAMPLE], out, hs: '811010' }, { ...fixed, runId: () => 'second', writeFile: failing })).rejects.toThrow(/ENOSPC/);
    const after = Object.fromEntries(await Promise.all((await readdir(out)).map(async (f) => [f, (await readFile(join(out, f))).toString('base64')])));
    expect(after).toEqual(before);
    // nothing left beside it
    expect((await readdir(dir)).filter((n) => n.startsWith('set.'))).toEqual([]);
    // and an ingest that succeeds replaces it
    await runIngest({ trade: [SAMPLE], out, hs: '811010' }, { ...fixed, runId: () => 'third' });
    expect((await readParquet(join(out, 'flows.parquet'))).numRows).toBeLessThan(18);
  });

  it('refuses an --out that holds files an ingest did not write, before reading anything into it', async () => {
    const out = join(dir, 'foreign');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'notes.txt'), 'mine');
    await expect(runIngest({ trade: [SAMPLE], out }, fixed)).rejects.toThrow(/--out .*foreign holds notes\.txt, which an ingest did not write/);
    expect(await readdir(out)).toEqual(['notes.txt']);
  });

  it('reads gzip and re-reads its own Parquet output as canonical', async () => {
    const gz = join(dir, 'sample.csv.gz');
    await writeFile(gz, gzipSync(await readFile(SAMPLE)));
    await runIngest({ trade: [gz], out: join(dir, 'gz') }, fixed);
    const a = await readParquet(join(dir, 'gz', 'flows.parquet'));
    await runIngest({ trade: [join(dir, 'gz', 'flows.parquet')], out: join(dir, 'again') }, fixed);
    const b = await readParquet(join(dir, 'again', 'flows.parquet'));
    const cols = ['period', 'reporter', 'partner', 'flow', 'cmd_code', 'value_usd', 'net_weight_kg', 'total_basis', 'source', 'source_line'];
    expect(rowsOf(b, cols).map((r) => ({ ...r, total_basis: 'reported' }))).toEqual(rowsOf(a, cols));
  });

  it('exits 2 and writes nothing for a missing file, an unknown layout, a corrupt gzip and too many rejects', async () => {
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'a,b\n1,2\n');
    const corrupt = join(dir, 'corrupt.csv.gz');
    await writeFile(corrupt, Buffer.from('not gzip at all'));
    const broken = join(dir, 'broken.csv');
    const lines = (await readFile(SAMPLE, 'utf8')).split('\n');
    await writeFile(broken, [lines[0], ...lines.slice(1).map((l) => l.replace(',811010,', ',81x010,'))].join('\n'));
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.csv'), /missing\.csv: no such file or folder/],
      [bad, /bad\.csv: unknown layout \(header: a,b\)/],
      [corrupt, /corrupt\.csv\.gz: cannot read: incorrect header check/],
      [broken, /19 of 25 rows rejected \(76\.00% > --max-reject-rate 1\.00%\)/],
    ];
    for (const [input, message] of cases) {
      const out = join(dir, `none-${cases.findIndex((c) => c[0] === input)}`);
      const r = await quietMain(['ingest', '--trade', input, '--out', out]);
      expect(r.code, input).toBe(2);
      expect(r.stderr).toMatch(message);
      await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    }
  });

  it('exits 2 on usage and config errors, 0 for help', async () => {
    expect((await quietMain(['ingest', '--out', join(dir, 'x')])).code).toBe(2);
    expect((await quietMain(['ingest', '--trade', SAMPLE, '--out', join(dir, 'x'), '--set', 'ingest.nope=1'])).stderr).toMatch(/unknown key 'ingest\.nope'/);
    expect((await quietMain(['ingest', '--trade', SAMPLE, '--out', join(dir, 'x'), '--max-reject-rate', '7'])).code).toBe(2);
    expect((await quietMain(['ingest', '--trade', SAMPLE, '--out', join(dir, 'x'), '--hs', '@unobtainium'])).stderr).toMatch(/unknown mineral 'unobtainium'/);
    expect((await quietMain(['ingest', '--help'])).code).toBe(0);
    expect((await quietMain(['config', '--defaults'])).code).toBe(0);
  });
});

describe('tradewatch synth', () => {
  it('writes the trade panel, the declarations and truth.json, and exits 2 on a bad preset', async () => {
    const out = join(dir, 'synth');
    const r = await quietMain(['synth', '--seed', '3', '--out', out]);
    expect(r.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['declarations', 'trade', 'truth.json']);
    expect(JSON.parse(await readFile(join(out, 'truth.json'), 'utf8'))).toMatchObject({ seed: 3, preset: 'easy' });
    expect((await quietMain(['synth', '--seed', '3', '--preset', 'medium', '--out', out])).code).toBe(2);
  });
});
