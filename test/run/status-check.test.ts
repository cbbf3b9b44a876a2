import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import coverage from '../../pipelines/coverage.ts';
import { runPipeline } from '../../src/run/runner.ts';
import { formatStatus, readStatus } from '../../src/commands/status.ts';
import { quietMain as cli } from '../cli/quiet-main.ts';

const SAMPLE = 'test/fixtures/comtrade_plus_small.csv';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const at = (iso: string) => ({ now: () => new Date(iso), runId: () => `run-${iso}` });

let root: string;
let bad: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tw-status-check-'));
  // a second, conflicting total for China → Thailand in January inside one file: the policy_drops check fails (exit 2)
  const lines = readFileSync(SAMPLE, 'utf8').trimEnd().split('\n');
  bad = join(root, 'conflicting.csv');
  writeFileSync(bad, [...lines, lines[1].replace(/,450000,450000,/, ',470000,470000,')].join('\n') + '\n');
});

/** Runs the CLI in this process: exit code, stdout and stderr. */

describe('status for monitoring (#19 item 4)', () => {
  it('an --out that does not exist is a usage error (exit 2), not "no partitions"', async () => {
    const r = await cli(['status', '--out', join(root, 'no-such-folder')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/status --out .*no-such-folder: no such folder/);
    expect(r.stdout).toBe('');
  });

  it('shows the last failed run, --check exits 1 while the newest partition failed and 0 once it succeeds again; --json has ISO times', async () => {
    const out = join(root, 'failing');
    await runPipeline(coverage, { trade: [SAMPLE], out }, at('2026-01-01T00:00:00.000Z'));
    expect((await cli(['status', '--out', out, '--check'])).code).toBe(0);

    // the next run of the newest partition fails on its input: nothing published, the old partition stays
    await expect(runPipeline(coverage, { trade: [bad], out }, at('2026-01-02T00:00:00.000Z'))).rejects.toMatchObject({ exitCode: 2 });
    const s = await readStatus(out, new Date('2026-01-02T01:00:00.000Z'));
    expect(s.checked_at).toBe('2026-01-02T01:00:00.000Z');
    expect(s.partitions).toEqual([expect.objectContaining({ partition: 'as_of=2024-02', status: 'succeeded', finished_at: '2026-01-01T00:00:00.000Z' })]);
    expect(s.failed_runs).toEqual([
      expect.objectContaining({
        pipeline: 'coverage', partition: 'as_of=2024-02', run_id: 'run-2026-01-02T00:00:00.000Z', failed_at: '2026-01-02T00:00:00.000Z',
        exit_code: 2, error: expect.stringMatching(/data check 'policy_drops' failed/), age: '60m', newest: true,
      }),
    ]);
    expect(s.problems).toEqual([expect.stringMatching(/^coverage: the newest partition failed: run run-2026-01-02T00:00:00\.000Z as_of=2024-02 .*exit 2/)]);
    expect(formatStatus(s)).toMatch(/last failed run of coverage: run-2026-01-02T00:00:00\.000Z as_of=2024-02 60m ago at 2026-01-02T00:00:00\.000Z \(exit 2, the newest partition\): run coverage/);

    const check = await cli(['status', '--out', out, '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/PROBLEM coverage: the newest partition failed/);
    expect(check.stderr).toMatch(/status --check: 1 problem/);
    expect(check.stderr).not.toMatch(/report it/);
    const json = JSON.parse((await cli(['status', '--out', out, '--json'])).stdout);
    expect(json.checked_at).toMatch(ISO);
    expect(json.partitions[0].finished_at).toMatch(ISO);
    expect(json.failed_runs[0]).toMatchObject({ failed_at: '2026-01-02T00:00:00.000Z', started_at: '2026-01-02T00:00:00.000Z' });

    // a failed backfill of an older partition is shown, but the newest partition is fine
    await expect(runPipeline(coverage, { trade: [bad], out, asOf: '2024-01' }, at('2026-01-03T00:00:00.000Z'))).rejects.toMatchObject({ exitCode: 2 });
    // the newest partition succeeds again: its failure is cleared
    await runPipeline(coverage, { trade: [SAMPLE], out, force: true }, at('2026-01-04T00:00:00.000Z'));
    const after = await readStatus(out, new Date('2026-01-04T01:00:00.000Z'));
    expect(after.failed_runs.map((f) => [f.partition, f.newest])).toEqual([['as_of=2024-01', false]]);
    expect(after.problems).toEqual([]);
    expect((await cli(['status', '--out', out, '--check'])).code).toBe(0);
  });

  it('--check exits 1 on a stale lock, with the lock in the problems and its times in ISO', async () => {
    const out = join(root, 'stale');
    await runPipeline(coverage, { trade: [SAMPLE], out }, at('2026-01-01T00:00:00.000Z'));
    const dir = join(out, '.locks', 'coverage');
    await mkdir(dir, { recursive: true });
    // a run on this host whose process is gone
    await writeFile(join(dir, 'as_of=2024-03.lock'), JSON.stringify({ host: hostname(), pid: 999_999_999, run_id: 'ghost', started_at: '2026-01-01T00:00:00.000Z', heartbeat_at: '2026-01-01T00:00:30.000Z' }));
    const r = await cli(['status', '--out', out, '--check', '--json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.locks).toEqual([expect.objectContaining({ state: 'stale', run_id: 'ghost', heartbeat_at: '2026-01-01T00:00:30.000Z', modified_at: expect.stringMatching(ISO) })]);
    expect(json.problems).toEqual([expect.stringMatching(/^lock .*as_of=2024-03\.lock is stale: pid 999999999 is not running/)]);
  });
});
