import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import coverage from '../../pipelines/coverage.ts';
import { acquireLock } from '../../src/io/lock.ts';
import { runPipeline } from '../../src/run/runner.ts';

const SAMPLE = 'test/fixtures/comtrade_plus_small.csv';
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];
/** Holds the first write into a staging folder until a signal comes (see the file). */
const HOLD = ['--import', 'tsx', '--import', './test/cli/hold-staging-write.ts', 'src/cli/main.ts'];

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tw-jsonlog-'));
});

/** The lines of a stream, each parsed as JSON (a line that is not JSON fails the test with the line). */
function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${l}`);
      }
    });
}

/** Every line has `level` as a word and an `event`. */
function levelsOf(lines: Record<string, unknown>[]): unknown[] {
  return [...new Set(lines.map((l) => (typeof l.event === 'string' ? typeof l.level : 'no event')))];
}

/** Starts the CLI with the staging hold, sends `signal` once it holds, and resolves with the exit and both streams. */
function interrupted(args: string[], signal: 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; killedBy: string | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...HOLD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => {
      stderr += String(d);
      if (!sent && stderr.includes('"event":"test.holding"')) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code, killedBy) => resolve({ code, killedBy, stderr, stdout }));
  });
}

describe('--log-format json: every line is one JSON object with a word level (#19 item 3)', () => {
  it('run all ends with one run.result (partitions, status, flagged counts, report path); stdout result lines are JSON', () => {
    const out = join(root, 'all');
    const r = spawnSync(process.execPath, [...CLI, 'run', 'all', '--trade', SAMPLE, '--out', out, '--log-format', 'json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const log = jsonLines(r.stderr);
    expect(levelsOf(log)).toEqual(['string']);
    expect(log.filter((l) => l.level === 'info').length).toBeGreaterThan(0);
    const results = log.filter((l) => l.event === 'run.result');
    expect(results).toHaveLength(1);
    expect(log.at(-1)).toBe(results[0]);
    const mirror = JSON.parse(readFileSync(join(out, 'mirror-gaps', 'as_of=2024-02', 'manifest.json'), 'utf8'));
    const routes = JSON.parse(readFileSync(join(out, 'transshipment', 'as_of=2024-02', 'manifest.json'), 'utf8'));
    expect(results[0]).toMatchObject({
      level: 'info', status: 'succeeded', exit_code: 0, report: join(out, 'report', 'as_of=2024-02', 'report.html'),
      partitions: [
        { pipeline: 'coverage', partition: 'as_of=2024-02', status: 'succeeded', flagged: {} },
        { pipeline: 'mirror-gaps', partition: 'as_of=2024-02', status: 'succeeded', flagged: { mirror_gaps: mirror.counts['out.mirror_gaps'] } },
        { pipeline: 'transshipment', partition: 'as_of=2024-02', status: 'succeeded', flagged: { flagged_routes: routes.counts['out.flagged_routes'] } },
      ],
      flagged: mirror.counts['out.mirror_gaps'] + routes.counts['out.flagged_routes'],
    });
    expect(existsSync(join(out, 'report', 'as_of=2024-02', 'report.html'))).toBe(true);
    expect(jsonLines(r.stdout).map((l) => [l.level, l.event, l.status, l.pipeline])).toEqual([
      ['info', 'result', 'done', 'coverage'], ['info', 'result', 'done', 'mirror-gaps'], ['info', 'result', 'done', 'transshipment'],
    ]);
  });

  it('the lock message (exit 3), a usage error and a failed data check (exit 2) are JSON lines too, the last a cli.exit', async () => {
    const out = join(root, 'locked');
    const held = await acquireLock(join(out, '.locks', 'coverage', 'as_of=2024-02.lock'), { runId: 'other' }); // this process: alive
    let locked;
    try {
      locked = spawnSync(process.execPath, [...CLI, 'run', 'coverage', '--trade', SAMPLE, '--out', out, '--log-format', 'json'], { encoding: 'utf8' });
    } finally {
      await held.release();
    }
    expect(locked.status).toBe(3);
    const lockLog = jsonLines(locked.stderr);
    expect(levelsOf(lockLog)).toEqual(['string']);
    expect(lockLog.find((l) => l.event === 'run.result')).toMatchObject({ level: 'error', status: 'failed', exit_code: 3 });
    expect(lockLog.at(-1)).toMatchObject({ level: 'warn', event: 'cli.exit', exit_code: 3, error: expect.stringMatching(/is held by run other/) });

    const usage = spawnSync(process.execPath, [...CLI, 'run', 'coverage', '--out', out, '--bogus', '--log-format', 'json'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(jsonLines(usage.stderr)).toEqual([
      { level: 'error', time: expect.any(String), event: 'cli.exit', exit_code: 2, error: "unknown option '--bogus'", usage: '(run with --help for usage)' },
    ]);

    const early = spawnSync(process.execPath, [...CLI, 'run', 'coverage', '--trade', SAMPLE, '--out', join(root, 'early'), '--as-of', '2019-01', '--log-format', 'json'], { encoding: 'utf8' });
    expect(early.status).toBe(2);
    const earlyLog = jsonLines(early.stderr);
    expect(levelsOf(earlyLog)).toEqual(['string']);
    expect(earlyLog.at(-1)).toMatchObject({ level: 'error', event: 'cli.exit', exit_code: 2, error: expect.stringMatching(/data check 'flows_not_empty' failed/) });
  });
});

describe('SIGTERM and SIGINT stop run and ingest cleanly (#19 item 3)', () => {
  it('run on SIGTERM: lock released, staging folder removed, run.interrupted logged, the old partition kept, exit 143', async () => {
    const out = join(root, 'term');
    await runPipeline(coverage, { trade: [SAMPLE], out }, { now: () => new Date('2026-01-01T00:00:00Z'), runId: () => 'first' });
    const partition = join(out, 'coverage', 'as_of=2024-02');
    const before = readdirSync(partition).map((f) => [f, readFileSync(join(partition, f)).toString('base64')]);

    const r = await interrupted(['run', 'coverage', '--trade', SAMPLE, '--out', out, '--force', '--log-format', 'json'], 'SIGTERM');
    expect({ code: r.code, killedBy: r.killedBy }).toEqual({ code: 143, killedBy: null });
    expect(existsSync(join(out, '.locks', 'coverage', 'as_of=2024-02.lock'))).toBe(false);
    expect(readdirSync(join(out, '.staging', 'coverage'))).toEqual([]);
    expect(readdirSync(partition).map((f) => [f, readFileSync(join(partition, f)).toString('base64')])).toEqual(before);
    const log = jsonLines(r.stderr);
    expect(levelsOf(log)).toEqual(['string']);
    expect(log.filter((l) => l.event === 'run.interrupted')).toEqual([
      expect.objectContaining({ level: 'warn', signal: 'SIGTERM', partition: 'as_of=2024-02', lock_released: join(out, '.locks', 'coverage', 'as_of=2024-02.lock') }),
    ]);
    expect(log.find((l) => l.event === 'run.result')).toMatchObject({ status: 'interrupted', exit_code: 143 });
    expect(log.at(-1)).toMatchObject({ event: 'cli.exit', exit_code: 143 });
    expect(r.stdout).toBe('');
  });

  it('ingest on SIGINT: staging folder removed, --out not created, run.interrupted logged, exit 130', async () => {
    const out = join(root, 'int', 'tables');
    const r = await interrupted(['ingest', '--trade', SAMPLE, '--out', out, '--log-format', 'json'], 'SIGINT');
    expect({ code: r.code, killedBy: r.killedBy }).toEqual({ code: 130, killedBy: null });
    expect(readdirSync(join(root, 'int'))).toEqual([]); // neither tables/ nor tables.staging-<run id>/
    const log = jsonLines(r.stderr);
    expect(levelsOf(log)).toEqual(['string']);
    expect(log.filter((l) => l.event === 'run.interrupted')).toEqual([expect.objectContaining({ level: 'warn', command: 'ingest', signal: 'SIGINT' })]);
    expect(log.at(-1)).toMatchObject({ event: 'cli.exit', exit_code: 130 });
  });
});
