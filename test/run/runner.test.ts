import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import coverage from '../../pipelines/coverage.ts';
import { buildAvailabilityTable } from '../../src/ingest/availability.ts';
import { LockHeldError, acquireLock } from '../../src/io/lock.ts';
import { loadCountryResolver } from '../../src/io/reference.ts';
import { readParquet, writeParquet } from '../../src/io/parquet.ts';
import { memoryLog } from '../../src/base/log.ts';
import { definePipeline, PipelineDeclarationError } from '../../src/pipeline.ts';
import { loadPipelines } from '../../src/run/registry.ts';
import { runCommand } from '../../src/commands/run-command.ts';
import { runPipeline } from '../../src/run/runner.ts';
import { loadCatalog } from '../../src/io/catalog.ts';
import { synthWorld } from '../../src/synth/synth-world.ts';
import { readStatus } from '../../src/commands/status.ts';

const SAMPLE = 'test/fixtures/comtrade_plus_small.csv';
let n = 0;
const fixed = () => ({ now: () => new Date('2026-01-01T00:00:00Z'), runId: () => `run-${++n}` });

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tw-run-'));
});

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = readFileSync(join(dir, f)).toString('base64');
  return out;
}

describe('runPipeline', () => {
  it('publishes a partition with _SUCCESS, a manifest with hashes, counts and stages, and skips a repeat', async () => {
    const out = join(root, 'skip');
    const log = memoryLog();
    const r = await runPipeline(coverage, { trade: [SAMPLE], out }, { ...fixed(), log });
    expect(r.status).toBe('succeeded');
    expect(r.partition).toBe('as_of=2024-02');
    const dir = join(out, 'coverage', 'as_of=2024-02');
    expect(readdirSync(dir).sort()).toEqual(['_SUCCESS', 'coverage.parquet', 'manifest.json', 'rejects.parquet', 'report.html']);
    const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({
      schema: 'tradewatch/run-manifest/v2',
      kind: 'pipeline',
      pipeline: 'coverage',
      status: 'succeeded',
      as_of: '2024-02',
      as_of_requested: 'latest',
      inputs: [{ kind: 'trade', path: 'test/fixtures/comtrade_plus_small.csv', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }],
      config_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      // the two 811231 rows are read beside 811292 (its comparator) and left out of coverage, counted
      counts: { 'ingest.rows_read': 25, 'ingest.comparator_rows_left_out': 2, 'out.coverage': 10 },
    });
    expect(m.stages.map((s: { name: string }) => s.name)).toEqual(['ingest', 'summarize_coverage']);
    expect(m.outputs.map((o: { path: string; rows: number }) => [o.path, o.rows])).toEqual([['coverage.parquet', 10], ['rejects.parquet', 0]]);
    expect(m.checks.find((c: { name: string }) => c.name === 'flows_not_empty')).toMatchObject({ severity: 'error', passed: true });

    const before = snapshot(dir);
    const again = await runPipeline(coverage, { trade: [SAMPLE], out }, { ...fixed(), log });
    expect(again.status).toBe('skipped');
    expect(snapshot(dir)).toEqual(before);
    expect(log.events.map((e) => e.event)).toContain('run.skipped');
  });

  it('fails its policy_drops check with exit 2 when a rule drops too many rows, and warns of rows a later release superseded (#18 item 2)', async () => {
    const dir = join(root, 'policy');
    await mkdir(dir, { recursive: true });
    const lines = readFileSync(SAMPLE, 'utf8').trimEnd().split('\n');
    // a second total for China → Thailand in January (450,000 revised to 470,000) inside the same file
    const revisedRow = lines[1].replace(/,450000,450000,/, ',470000,470000,');
    expect(revisedRow).not.toBe(lines[1]);
    writeFileSync(join(dir, 'one.csv'), [...lines, revisedRow].join('\n') + '\n');
    const failed = runPipeline(coverage, { trade: [join(dir, 'one.csv')], out: join(dir, 'out') }, fixed());
    await expect(failed).rejects.toThrow(/data check 'policy_drops' failed: 2 of 2\d rows dropped by policy .*conflicting_totals 2/);
    await expect(failed).rejects.toMatchObject({ exitCode: 2 });
    expect(existsSync(join(dir, 'out', 'coverage', 'as_of=2024-02'))).toBe(false);
    // the same revision as a later release of its own: kept, the earlier row superseded, the run warns and succeeds
    mkdirSync(join(dir, 'releases'), { recursive: true });
    writeFileSync(join(dir, 'releases', '2025-01.csv'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'releases', '2025-02.csv'), [lines[0], revisedRow].join('\n') + '\n');
    const log = memoryLog();
    const ok = await runPipeline(coverage, { trade: [join(dir, 'releases')], out: join(dir, 'out') }, { ...fixed(), log });
    expect(ok.manifest.counts['ingest.superseded_by_later_input']).toBe(1);
    expect(ok.manifest.checks.find((c) => c.name === 'no_superseded_rows')).toMatchObject({ severity: 'warn', passed: false });
    expect(ok.manifest.checks.find((c) => c.name === 'policy_drops')).toMatchObject({ severity: 'error', passed: true });
    expect(log.events.filter((e) => e.event === 'check.warn').map((e) => e.fields.check)).toEqual(['no_superseded_rows']);
  });

  it('warns of the files in a folder it left out for their extension (#18 item 11)', async () => {
    const dir = join(root, 'skipped-files');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'A.CSV'), readFileSync(SAMPLE));
    writeFileSync(join(dir, 'notes.txt'), 'not data');
    const log = memoryLog();
    const r = await runPipeline(coverage, { trade: [dir], out: join(dir, 'out') }, { ...fixed(), log });
    // display paths are relative to the working directory
    expect(r.manifest.inputs.map((i) => i.path)).toEqual([expect.stringMatching(/skipped-files\/A\.CSV$/)]);
    expect(log.events.find((e) => e.event === 'ingest.files_skipped')?.fields).toMatchObject({ level: 'warn', files: [expect.stringMatching(/skipped-files\/notes\.txt$/)] });
  });

  it('redoes with --force, and a config change or another tradewatch version is not skipped', async () => {
    const out = join(root, 'force');
    await runPipeline(coverage, { trade: [SAMPLE], out }, fixed());
    expect((await runPipeline(coverage, { trade: [SAMPLE], out, force: true }, fixed())).status).toBe('succeeded');
    expect((await runPipeline(coverage, { trade: [SAMPLE], out, set: ['ingest.maxRejectRate=0.5'] }, fixed())).status).toBe('succeeded');
    expect((await runPipeline(coverage, { trade: [SAMPLE], out }, fixed())).status).toBe('succeeded'); // the partition held the other config
    expect((await runPipeline(coverage, { trade: [SAMPLE], out }, fixed())).status).toBe('skipped');
    // the same partition written by an older tradewatch is redone
    const path = join(out, 'coverage', 'as_of=2024-02', 'manifest.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/"tradewatch_version": "[^"]*"/, '"tradewatch_version": "0.0.1"'));
    expect((await runPipeline(coverage, { trade: [SAMPLE], out }, fixed())).status).toBe('succeeded');
    expect((await runPipeline(coverage, { trade: [SAMPLE], out }, fixed())).status).toBe('skipped');
  });

  it('cuts at --as-of and names the partition after it', async () => {
    const out = join(root, 'asof');
    const r = await runPipeline(coverage, { trade: [SAMPLE], out, asOf: '2024-01' }, fixed());
    expect(r.partition).toBe('as_of=2024-01');
    expect(r.manifest.counts['ingest.after_as_of.flows']).toBe(5); // the five 811010 flows of 2024-02
  });

  it('leaves the previous partition byte-identical when a run dies mid-write, and the next run cleans its staging and says so', async () => {
    const out = join(root, 'crash');
    await runPipeline(coverage, { trade: [SAMPLE], out, asOf: '2024-02' }, fixed());
    const dir = join(out, 'coverage', 'as_of=2024-02');
    const before = snapshot(dir);
    let writes = 0;
    const dying = async (path: string, data: Uint8Array | string) => {
      if (++writes === 2) throw new Error('disk full (simulated)');
      await writeFile(path, data);
    };
    await expect(runPipeline(coverage, { trade: [SAMPLE], out, asOf: '2024-02', force: true }, { ...fixed(), writeFile: dying })).rejects.toThrow(
      'disk full',
    );
    expect(snapshot(dir)).toEqual(before);
    expect(readdirSync(join(out, '.staging', 'coverage'))).toHaveLength(1);
    const log = memoryLog();
    await runPipeline(coverage, { trade: [SAMPLE], out, asOf: '2024-02', force: true }, { ...fixed(), log });
    expect(log.events.filter((e) => e.event === 'staging.cleaned').map((e) => e.fields.what)).toEqual([
      expect.stringMatching(/^removed staging folder .*as_of=2024-02\.run-\d+$/),
    ]);
    expect(readdirSync(join(out, '.staging', 'coverage'))).toHaveLength(0);
  });

  it('survives a real SIGKILL mid-run: the old partition stays, the next run cleans up', async () => {
    const out = join(root, 'kill');
    await runPipeline(coverage, { trade: [SAMPLE], out, asOf: '2024-02' }, fixed());
    const dir = join(out, 'coverage', 'as_of=2024-02');
    const before = snapshot(dir);
    // a child process that stops inside the write of its first output, then is killed
    const script = join(root, 'killed-run.mts');
    writeFileSync(
      script,
      `import { writeFile } from 'node:fs/promises';
import coverage from ${JSON.stringify(join(process.cwd(), 'pipelines/coverage.ts'))};
import { runPipeline } from ${JSON.stringify(join(process.cwd(), 'src/run/runner.ts'))};
await runPipeline(coverage, { trade: [${JSON.stringify(join(process.cwd(), SAMPLE))}], out: ${JSON.stringify(out)}, asOf: '2024-02', force: true }, {
  writeFile: async (p, d) => { await writeFile(p + '.partial', d.slice(0, 10)); process.kill(process.pid, 'SIGKILL'); },
});
`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    expect(snapshot(dir)).toEqual(before);
    const status = await readStatus(out);
    expect(status.staging).toHaveLength(1);
    expect(status.locks).toMatchObject([{ stale: true }]);
    const log = memoryLog();
    const again = await runPipeline(coverage, { trade: [SAMPLE], out, asOf: '2024-02', force: true }, { ...fixed(), log });
    expect(again.status).toBe('succeeded');
    expect(log.events.map((e) => e.event)).toEqual(expect.arrayContaining(['lock.takeover', 'staging.cleaned']));
    expect((await readStatus(out)).staging).toHaveLength(0);
  });

  it('exits 3 when a live run holds the lock, and takes over a stale one with a warning', async () => {
    const out = join(root, 'lock');
    await mkdir(join(out, '.locks', 'coverage'), { recursive: true });
    const lockPath = join(out, '.locks', 'coverage', 'as_of=2024-02.lock');
    const held = await acquireLock(lockPath, { runId: 'other' });
    const err = await runPipeline(coverage, { trade: [SAMPLE], out }, fixed()).catch((e) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/held by run other/);
    await held.release();
    // a lock left by a process that is gone
    await writeFile(lockPath, JSON.stringify({ host: (await import('node:os')).hostname(), pid: 999999, run_id: 'ghost', started_at: '2026-01-01T00:00:00Z', heartbeat_at: '2026-01-01T00:00:00Z' }));
    const log = memoryLog();
    const r = await runPipeline(coverage, { trade: [SAMPLE], out }, { ...fixed(), log, isAlive: () => false });
    expect(r.status).toBe('succeeded');
    expect(log.events.find((e) => e.event === 'lock.takeover')?.fields).toMatchObject({ level: 'warn', previous_run: 'ghost' });
    expect(existsSync(lockPath)).toBe(false);
  });

  it('treats an old heartbeat from another host as stale, a fresh one as live', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-lock-'));
    const p = join(dir, 'x.lock');
    const info = (at: string) => JSON.stringify({ host: 'pod-7', pid: 1, run_id: 'k8s', started_at: at, heartbeat_at: at });
    await writeFile(p, info('2026-01-01T00:00:00Z'));
    const now = () => new Date('2026-01-01T00:09:00Z');
    await expect(acquireLock(p, { runId: 'me', now })).rejects.toThrow(LockHeldError);
    const later = () => new Date('2026-01-01T00:11:00Z');
    const l = await acquireLock(p, { runId: 'me', now: later });
    await l.release();
  });

  it('keeps the newest N partitions with --keep, and status lists them', async () => {
    const out = join(root, 'keep');
    for (const asOf of ['2023-11', '2023-12', '2024-01', '2024-02']) {
      await runPipeline(coverage, { trade: [SAMPLE], out, asOf, set: ['ingest.maxRejectRate=1'] }, fixed()).catch(() => null);
    }
    // 2023-11 and 2023-12 have no flows: the error check stops publication
    expect(readdirSync(join(out, 'coverage')).sort()).toEqual(['as_of=2024-01', 'as_of=2024-02']);
    await runPipeline(coverage, { trade: [SAMPLE], out, asOf: '2024-02', force: true, keep: 1 }, fixed());
    expect(readdirSync(join(out, 'coverage'))).toEqual(['as_of=2024-02']);
    const s = await readStatus(out, new Date('2026-01-01T02:00:00Z'));
    expect(s.partitions).toEqual([
      { pipeline: 'coverage', partition: 'as_of=2024-02', status: 'succeeded', age: '2h', finished_at: '2026-01-01T00:00:00.000Z', rows: { coverage: 10, rejects: 0 }, flags: null },
    ]);
  });
});

describe('run all', () => {
  it('runs every pipeline and writes the combined report next to them', async () => {
    const out = join(root, 'all');
    const results = await runCommand('all', { trade: [SAMPLE], out }, { ...fixed(), log: memoryLog() });
    expect(results.map((r) => [r.pipeline, r.status])).toEqual([['coverage', 'succeeded'], ['mirror-gaps', 'succeeded'], ['transshipment', 'succeeded']]);
    const html = readFileSync(join(out, 'report', 'as_of=2024-02', 'report.html'), 'utf8');
    expect(html).toContain('href="../../coverage/as_of=2024-02/report.html"');
    const mirror = readFileSync(join(out, 'mirror-gaps', 'as_of=2024-02', 'report.html'), 'utf8');
    expect(mirror).toMatch(/<h2>Mirror gaps — \d+ flagged/);
    expect(mirror).toContain('<th>reasons</th>');
    const tm = JSON.parse(readFileSync(join(out, 'transshipment', 'as_of=2024-02', 'manifest.json'), 'utf8'));
    expect(Object.keys(tm.counts).some((k) => k.startsWith('transshipment.'))).toBe(true); // candidates kept, pruned, controls outside the data
    const mm = JSON.parse(readFileSync(join(out, 'mirror-gaps', 'as_of=2024-02', 'manifest.json'), 'utf8'));
    expect(mm.counts['mirror-gaps.rows_used']).toBeGreaterThan(0);
    // transshipment read this run's mirror pairs: the file is an input of its manifest, with its hash
    const pairs = mm.outputs.find((o: { path: string }) => o.path === 'mirror_pairs.parquet');
    expect(tm.inputs.filter((i: { kind: string }) => i.kind === 'mirror').map((i: { sha256: string }) => i.sha256)).toEqual([pairs.sha256]);
    expect(tm.counts['transshipment.mirror_pairs_read']).toBe(pairs.rows);
    expect(tm.counts['transshipment.mirror_pairs_computed']).toBeUndefined();
  });

  it('when one pipeline of a level fails, its siblings finish before the command exits, and the summary says which published (#18 item 3)', async () => {
    const out = join(root, 'all-sibling');
    // a live run holds mirror-gaps' lock: that pipeline exits 3, coverage (the same level) still publishes
    const held = await acquireLock(join(out, '.locks', 'mirror-gaps', 'as_of=2024-02.lock'), { runId: 'other', isAlive: () => true, heartbeatMs: 3_600_000 });
    const log = memoryLog();
    try {
      await expect(runCommand('all', { trade: [SAMPLE], out }, { ...fixed(), log })).rejects.toBeInstanceOf(LockHeldError);
      // at the moment the command gave up, coverage had published and nothing was still running
      expect(existsSync(join(out, 'coverage', 'as_of=2024-02', '_SUCCESS'))).toBe(true);
      const summary = log.events.find((e) => e.event === 'run.all_failed')!.fields;
      expect(summary).toMatchObject({ published: ['coverage/as_of=2024-02'], not_run: ['transshipment'] });
      expect(summary.failed).toEqual([expect.stringMatching(/^mirror-gaps: .*is held by run other/)]);
      expect(existsSync(join(out, 'transshipment'))).toBe(false);
    } finally {
      await held.release();
    }
  });

  it('transshipment alone matches mirror pairs itself and says so; with --mirror it reads them, and a wrong --mirror is a usage error', async () => {
    const out = join(root, 'mirror-flag');
    const pipelines = await loadPipelines();
    const ts = pipelines.get('transshipment')!;
    const alone = await runPipeline(ts, { trade: [SAMPLE], out }, fixed());
    expect(alone.manifest.counts['transshipment.mirror_pairs_computed']).toBeGreaterThan(0);
    expect(alone.manifest.inputs.some((i) => i.kind === 'mirror')).toBe(false);
    const mg = await runPipeline(pipelines.get('mirror-gaps')!, { trade: [SAMPLE], out }, fixed());
    // the output root is enough: the newest complete mirror-gaps partition not after --as-of is used
    const read = await runPipeline(ts, { trade: [SAMPLE], out, mirror: out, force: true }, fixed());
    expect(read.manifest.counts['transshipment.mirror_pairs_read']).toBe(mg.manifest.outputs.find((o) => o.path === 'mirror_pairs.parquet')!.rows);
    expect(read.manifest.inputs.find((i) => i.kind === 'mirror')!.path).toContain(join('mirror-gaps', 'as_of=2024-02', 'mirror_pairs.parquet'));
    await expect(runPipeline(ts, { trade: [SAMPLE], out, mirror: join(root, 'nowhere') }, fixed())).rejects.toThrow(
      /--mirror .*nowhere: no mirror_pairs\.parquet there nor a complete mirror-gaps partition under it/,
    );
    // only the columns the mirror evidence uses are read: a file with just those gives the same routes;
    // one without `status` is refused by name
    const pairsPath = join(read.path, '..', '..', 'mirror-gaps', 'as_of=2024-02', 'mirror_pairs.parquet');
    const full = await readParquet(pairsPath);
    const thin = join(root, 'mirror-thin');
    await mkdir(thin, { recursive: true });
    await writeParquet(join(thin, 'mirror_pairs.parquet'), full.select(['exporter', 'importer', 'hs6', 'window', 'period_start', 'status', 'exporter_value_usd', 'importer_value_usd', 'importer_value_fob_usd']));
    const fromThin = await runPipeline(ts, { trade: [SAMPLE], out: join(root, 'mirror-thin-out'), mirror: thin }, fixed());
    const hashes = (r: typeof read) => r.manifest.outputs.map((o) => [o.path, o.sha256]);
    expect(hashes(fromThin)).toEqual(hashes(read));
    await writeParquet(join(thin, 'mirror_pairs.parquet'), full.select(['exporter', 'importer', 'hs6', 'window', 'period_start', 'exporter_value_usd', 'importer_value_usd']));
    await expect(runPipeline(ts, { trade: [SAMPLE], out: join(root, 'mirror-thin-out'), mirror: thin, force: true }, fixed())).rejects.toThrow(/'status'/);
  });
});

describe('comparators read beside the selection', () => {
  it('under the default --hs @catalog, transshipment gets 811231 beside 811292 for its counterfactual; mirror-gaps leaves it out and counts it', async () => {
    const world = synthWorld({ seed: 101, preset: 'hard' }, await loadCatalog());
    const file = Object.keys(world.files).find((f) => f.startsWith('trade/'))!;
    const dir = join(root, 'comparators');
    await mkdir(dir, { recursive: true });
    const trade = join(dir, 'world.csv');
    writeFileSync(trade, world.files[file]);
    const comparatorRows = world.files[file].split('\n').filter((l) => l.split(',')[20] === '811231').length;
    expect(comparatorRows).toBeGreaterThan(0);
    const pipelines = await loadPipelines();
    const out = join(dir, 'out');
    const ts = await runPipeline(pipelines.get('transshipment')!, { trade: [trade], out }, fixed());
    const routes = await readParquet(join(ts.path, 'routes_all.parquet'));
    const hs6 = routes.getChild('hs6')!.toArray() as string[];
    const surge = routes.getChild('comparator_first_leg_surge')!.toArray() as Float64Array;
    const measured = hs6.filter((h, i) => h === '811292' && Number.isFinite(surge[i])).length;
    // before, the comparator was never read under @catalog and every 811292 route's comparator was missing
    expect(measured).toBeGreaterThan(0);
    expect(new Set(hs6).has('811231')).toBe(false); // context, not a scored product
    expect(ts.manifest.counts['ingest.comparator_rows_left_out']).toBeUndefined();
    const mg = await runPipeline(pipelines.get('mirror-gaps')!, { trade: [trade], out }, fixed());
    // table rows of both comparators of @catalog (811231, 250490) after ingest's dedup and split, not CSV lines
    expect(mg.manifest.counts['ingest.comparator_rows_left_out']).toBeGreaterThan(0);
    const pairs = await readParquet(join(mg.path, 'mirror_pairs.parquet'));
    const codes = new Set(pairs.getChild('hs6')!.toArray() as string[]);
    expect(codes.has('811231') || codes.has('250490')).toBe(false);
    expect(codes.has('811292')).toBe(true);
  });
});

describe('--global: tables computed once over every product', () => {
  const columns = ['status', 'exporter_published', 'importer_published', 'cif_fob_ratio', 'exporter_reliability', 'importer_reliability', 'log_ratio', 'reconciled_value_usd'];
  const keyOf = (t: Awaited<ReturnType<typeof readParquet>>, i: number) => ['exporter', 'importer', 'hs6', 'window', 'period_start'].map((c) => t.getChild(c)!.get(i)).join('|');
  /** Per column, how many of `part`'s rows differ from the same pair window in `whole`. */
  const differences = (part: Awaited<ReturnType<typeof readParquet>>, whole: Awaited<ReturnType<typeof readParquet>>) => {
    const at = new Map<string, number>();
    for (let i = 0; i < whole.numRows; i++) at.set(keyOf(whole, i), i);
    const diff: Record<string, number> = {};
    for (let i = 0; i < part.numRows; i++) {
      const j = at.get(keyOf(part, i));
      if (j === undefined) throw new Error(`pair window ${keyOf(part, i)} is not in the run over every product`);
      for (const c of columns) if (!Object.is(part.getChild(c)!.get(i), whole.getChild(c)!.get(j))) diff[c] = (diff[c] ?? 0) + 1;
    }
    return diff;
  };

  it('a run over one mineral with --global scores its pairs as the run over every product does', async () => {
    const trade = ['data/sample/trade'];
    const global = join(root, 'global-all');
    const all = await runCommand('all', { trade, out: global, hs: 'all' }, { ...fixed(), log: memoryLog() });
    const wholePairs = await readParquet(join(all.find((r) => r.pipeline === 'mirror-gaps')!.path, 'mirror_pairs.parquet'));
    const pipelines = await loadPipelines();
    const mg = pipelines.get('mirror-gaps')!;
    const shared = await runPipeline(mg, { trade, out: join(root, 'global-part'), hs: '@antimony', global }, fixed());
    const alone = await runPipeline(mg, { trade, out: join(root, 'global-alone'), hs: '@antimony' }, fixed());
    const sharedPairs = await readParquet(join(shared.path, 'mirror_pairs.parquet'));
    expect(sharedPairs.numRows).toBeGreaterThan(500);
    expect(differences(sharedPairs, wholePairs)).toEqual({});
    // alone, the margin model is fitted on antimony's records only: its ratios (and so its gaps) differ
    expect(differences(await readParquet(join(alone.path, 'mirror_pairs.parquet')), wholePairs).cif_fob_ratio).toBeGreaterThan(100);
    // the three files are inputs of the manifest, with the counts of what was used
    expect(shared.manifest.inputs.filter((i) => i.kind === 'global').map((i) => i.path.split('/').slice(-2).join('/')).sort()).toEqual([
      'as_of=2025-06/cif_fob_observations.parquet', 'as_of=2025-06/coverage.parquet', 'as_of=2025-06/reporter_reliability.parquet',
    ]);
    expect(shared.manifest.counts['mirror-gaps.global.reliability_rows']).toBe(all.find((r) => r.pipeline === 'mirror-gaps')!.manifest.counts['out.reporter_reliability']);
    expect(alone.manifest.counts['mirror-gaps.global.reliability_rows']).toBeUndefined();
    // a folder without the three files is a usage error naming what is missing
    await expect(runPipeline(mg, { trade, out: join(root, 'global-part'), hs: '@antimony', global: join(global, 'mirror-gaps'), force: true }, fixed())).rejects.toThrow(
      /--global .*: no coverage\.parquet \(coverage\), reporter_reliability\.parquet \(mirror-gaps\), cif_fob_observations\.parquet \(mirror-gaps\)/,
    );
  });
});

describe("--availability: Comtrade's availability table as coverage", () => {
  it('hands mirror-gaps what it says each reporter published, records it as an input with its hash, and refuses a file without its columns', async () => {
    const mg = (await loadPipelines()).get('mirror-gaps')!;
    const statusOf = async (dir: string) => {
      const pairs = await readParquet(join(dir, 'mirror_pairs.parquet'));
      const at = (c: string, i: number) => pairs.getChild(c)!.get(i);
      for (let i = 0; i < pairs.numRows; i++) {
        if (at('exporter', i) === 'CHN' && at('importer', i) === 'THA' && at('window', i) === 'M' && at('period_start', i) === '2024-02') return at('status', i);
      }
      return undefined;
    };
    // Thailand has no import row in 2024-02: on the rows alone, China's exports to it that month cannot be judged
    const alone = await runPipeline(mg, { trade: [SAMPLE], out: join(root, 'availability-alone') }, fixed());
    expect(await statusOf(alone.path)).toBe('counterpart_not_reporting');
    // the availability table says Thailand published 2024-01 and 2024-02 (both flows): a published month without the flow
    const { table } = buildAvailabilityTable(
      [{ reporterCode: 764, period: '202401', totalRecords: 9 }, { reporterCode: 764, period: '202402', totalRecords: 7 }],
      { freq: 'M', periods: ['202401', '202402'], reporters: [764] }, await loadCountryResolver(),
    );
    const file = join(root, 'availability.parquet');
    await writeParquet(file, table);
    const r = await runPipeline(mg, { trade: [SAMPLE], out: join(root, 'availability-run'), availability: file }, fixed());
    expect(await statusOf(r.path)).toBe('ghost');
    expect(r.manifest.inputs.filter((i) => i.kind === 'availability')).toEqual([
      { kind: 'availability', path: expect.stringMatching(/availability\.parquet$/), bytes: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), layout: null },
    ]);
    expect(r.manifest.counts['mirror-gaps.rows_self_partner']).toBe(0);
    // a file that is not an availability table is a usage error naming what it lacks
    const bad = join(root, 'not-availability.parquet');
    await writeParquet(bad, table.select(['reporter', 'freq']));
    await expect(runPipeline(mg, { trade: [SAMPLE], out: join(root, 'availability-bad'), availability: bad }, fixed())).rejects.toThrow(/--availability .*: no column period, published/);
  });
});

describe('the declarations pipeline', () => {
  it('screens the sample declarations with the flagged routes of a transshipment run, records both inputs, and skips a repeat', async () => {
    const out = join(root, 'declarations');
    const log = memoryLog();
    const results = await runCommand('all', { trade: ['data/sample/trade'], declarations: ['data/sample/declarations'], out }, { ...fixed(), log });
    expect(results.map((r) => r.pipeline)).toEqual(['coverage', 'mirror-gaps', 'transshipment', 'declarations']);
    const m = results[3].manifest;
    expect(m.inputs.map((i) => i.kind).sort()).toEqual(['declarations', 'routes']); // trade is not a declarations input
    expect(m.inputs.find((i) => i.kind === 'declarations')).toMatchObject({ path: 'data/sample/declarations/declarations_7.csv', layout: 'canonical' });
    expect(m.counts['declarations.rows_read']).toBe(1129);
    expect(m.counts['declarations.rule.via_flagged_hub']).toBeGreaterThan(0); // the sample's origin ≠ departure declarations through its routes
    const flagged = m.outputs.find((o) => o.path === 'flagged_declarations.parquet')!;
    expect(flagged.rows).toBe(m.counts['declarations.flagged']);
    expect(m.outputs.find((o) => o.path === 'declarations_scored.parquet')!.rows).toBe(1129);
    const again = await runCommand('declarations', { declarations: ['data/sample/declarations'], routes: join(results[2].path, 'flagged_routes.parquet'), out }, { ...fixed(), log });
    expect(again[0].status).toBe('skipped');
  });

  it("is left out of 'run all' without --declarations, and the log says why; alone it asks for them", async () => {
    const log = memoryLog();
    const results = await runCommand('all', { trade: [SAMPLE], out: join(root, 'no-decl') }, { ...fixed(), log });
    expect(results.map((r) => r.pipeline)).not.toContain('declarations');
    expect(log.events.find((e) => e.event === 'run.not_run')?.fields).toEqual({ pipeline: 'declarations', reason: 'no --declarations given' });
    const pipelines = await loadPipelines();
    await expect(runPipeline(pipelines.get('declarations')!, { out: join(root, 'no-decl') }, fixed())).rejects.toThrow('run declarations: give --declarations PATH…');
  });
});

describe('review verdicts and run-to-run changes', () => {
  it('suppresses a dismissed flag, brings back one whose score rose, keeps the verdicts, and lists what changed since the previous run', async () => {
    const out = join(root, 'reviews');
    const ts = (await loadPipelines()).get('transshipment')!;
    const args = { trade: ['data/sample/trade'], out };
    const first = await runPipeline(ts, args, fixed());
    const dir = first.path;
    const { readParquet } = await import('../../src/io/parquet.ts');
    const { rowsOf } = await import('../helpers.ts');
    const before = rowsOf(await readParquet(join(dir, 'flagged_routes.parquet')), ['flag_id', 'score', 'change']);
    expect(before.length).toBe(3);
    expect(before.map((r) => r.change)).toEqual(['new', 'new', 'new']); // no earlier run
    const [a, b, c] = before.map((r) => r.flag_id as string);
    const reviews = join(root, 'reviews.csv');
    writeFileSync(reviews, [
      'flag_id,verdict,note,reviewer,date,score',
      `${a},dismissed,"producer, not a hub",ana,2026-01-01,`, // score looked up in the run finished that day: no rise
      `${b},dismissed,seen before,ana,2026-01-01,${(before[1].score as number) - 0.2}`, // the score rose 0.2 since
      `${c},confirmed,matches the bill of lading,ben,2026-01-02,`,
    ].join('\n'));
    const second = await runPipeline(ts, { ...args, reviews, force: true }, fixed());
    const after = rowsOf(await readParquet(join(second.path, 'flagged_routes.parquet')), ['flag_id', 'rank', 'verdict', 'verdict_reviewer', 'change', 'score_change']);
    expect(after).toEqual([
      { flag_id: b, rank: 1, verdict: 'dismissed_resurfaced', verdict_reviewer: 'ana', change: 'persisting', score_change: 0 },
      { flag_id: c, rank: 2, verdict: 'confirmed', verdict_reviewer: 'ben', change: 'persisting', score_change: 0 },
    ]);
    const changes = rowsOf(await readParquet(join(second.path, 'changes.parquet')), ['flag_id', 'change']);
    expect(changes).toEqual([{ flag_id: b, change: 'persisting' }, { flag_id: c, change: 'persisting' }, { flag_id: a, change: 'dropped' }]);
    expect(second.manifest.counts).toMatchObject({
      'reviews.flagged_routes.dismissed_suppressed': 1, 'reviews.flagged_routes.dismissed_resurfaced': 1, 'reviews.flagged_routes.confirmed': 1,
      'changes.flagged_routes.persisting': 2, 'changes.flagged_routes.dropped': 1,
    });
    expect(second.manifest.inputs.some((i) => i.kind === 'reviews')).toBe(true);
  });

  it('stops with the file, line and column of a bad verdict (exit 2), writing nothing', async () => {
    const out = join(root, 'bad-reviews');
    const reviews = join(root, 'bad-reviews.csv');
    writeFileSync(reviews, 'flag_id,verdict,note,reviewer,date\nabc,maybe,,ana,2026-01-01\n');
    const ts = (await loadPipelines()).get('transshipment')!;
    const err = await runPipeline(ts, { trade: [SAMPLE], out, reviews }, fixed()).catch((e) => e);
    expect(err.message).toBe(`${reviews}: line 2, column 'verdict': 'maybe' is not confirmed, dismissed or watch`);
    expect(err.exitCode).toBe(2);
    expect(existsSync(join(out, 'transshipment', 'as_of=2024-02'))).toBe(false);
  });
});

describe('pipeline declarations', () => {
  const base = { name: 'x', description: '', inputs: {}, params: () => ({}), run: () => ({}) };
  it('rejects repeated stage names and outputs no stage produces, saying how to fix it', () => {
    expect(() => definePipeline({ ...base, stages: [{ name: 'a' }, { name: 'a' }], outputs: [] })).toThrow(
      "pipeline 'x': stage 'a' is declared twice; give each stage its own name",
    );
    expect(() => definePipeline({ ...base, stages: [{ name: 'a', produces: ['t'] }], outputs: ['t', 'u'] })).toThrow(
      "pipeline 'x': output 'u' not produced by any stage; add it to a stage's 'produces' list or remove it from 'outputs'",
    );
    expect(() => definePipeline({ ...base, stages: [], outputs: [] })).not.toThrow();
    expect(() => definePipeline({ ...base, stages: [{ name: 'a', produces: ['t'] }], outputs: ['t'] })).not.toThrow(PipelineDeclarationError);
  });

  it('loads every pipelines/*.ts', async () => {
    const all = await loadPipelines();
    expect([...all.keys()]).toContain('coverage');
    for (const def of all.values()) expect(def.outputs.length).toBeGreaterThan(0);
  });
});

describe('the CLI on a schedule', () => {
  it('writes one parseable JSON object per event with --log-format json, and exit codes 0 then 0 (skipped)', () => {
    const out = join(root, 'cli');
    const args = ['--import', 'tsx', 'src/cli/main.ts', 'run', 'coverage', '--trade', SAMPLE, '--out', out, '--log-format', 'json'];
    const first = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(first.status).toBe(0);
    const events = first.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.event).slice(0, 5)).toEqual(['ingest.file', 'stage.done', 'stage.start', 'stage.done', 'run.published']);
    expect(events[4]).toMatchObject({ pipeline: 'coverage', partition: 'as_of=2024-02', run_id: expect.any(String) });
    expect(events.at(-1)).toMatchObject({ event: 'run.result', level: 'info', status: 'succeeded' });
    // under json the result lines on stdout are JSON too
    expect(first.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 'info', event: 'result', status: 'done', path: expect.stringMatching(/coverage\/as_of=2024-02$/) }),
    ]);
    const second = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ event: 'result', status: 'skipped' });
    const bad = spawnSync(process.execPath, [...args.slice(0, 4), 'nope', '--out', out], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown pipeline 'nope' \(known: coverage, declarations, mirror-gaps, transshipment, all\)/);
  });
});
