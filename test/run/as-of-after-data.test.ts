import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import coverage from '../../pipelines/coverage.ts';
import { memoryLog } from '../../src/base/log.ts';
import { runPipeline } from '../../src/run/runner.ts';
import { runSchedule } from '../../src/commands/schedule.ts';
import { quietMain as cli } from '../cli/quiet-main.ts';

// the sample's flows end at 2024-02 (its periods are 2024-01 and 2024-02)
const SAMPLE = 'test/fixtures/comtrade_plus_small.csv';
let n = 0;
const fixed = () => ({ now: () => new Date('2026-01-01T00:00:00Z'), runId: () => `asof-${++n}` });

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tw-asof-'));
});

/** Runs the CLI in this process: exit code and stdout (the log goes to fd 2 directly and is not captured). */

describe('--as-of after the data (#19 item 2)', () => {
  it('publishes nothing and says "no data yet": no partition, no lock, no staging, run.no_new_data with where the inputs end', async () => {
    const out = join(root, 'after');
    const log = memoryLog();
    const r = await runPipeline(coverage, { trade: [SAMPLE], out, asOf: '2030-01' }, { ...fixed(), log });
    expect(r).toMatchObject({ status: 'no_data', partition: 'as_of=2030-01', manifest: { status: 'no_data', as_of: '2030-01', data_through: '2024-02', outputs: [] } });
    expect(existsSync(join(out, 'coverage'))).toBe(false);
    expect(existsSync(join(out, '.locks'))).toBe(false);
    expect(existsSync(join(out, '.staging'))).toBe(false);
    const said = log.events.filter((e) => e.event === 'run.no_new_data');
    expect(said).toHaveLength(1);
    expect(said[0].fields).toMatchObject({ partition: 'as_of=2030-01', data_through: '2024-02' });
    expect(said[0].fields.message).toMatch(/^no data yet for as_of=2030-01: the inputs end at 2024-02; nothing published/);
  });

  it('with --allow-as-of-after-data publishes the partition, and its manifest and report say the data end at 2024-02', async () => {
    const out = join(root, 'allowed');
    const log = memoryLog();
    const r = await runPipeline(coverage, { trade: [SAMPLE], out, asOf: '2030-01', allowAsOfAfterData: true }, { ...fixed(), log });
    expect(r.status).toBe('succeeded');
    const dir = join(out, 'coverage', 'as_of=2030-01');
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({ as_of: '2030-01', data_through: '2024-02', config: { run: { allowAsOfAfterData: true } } });
    expect(m.checks.find((c: { name: string }) => c.name === 'as_of_after_data')).toEqual({
      name: 'as_of_after_data', severity: 'warn', passed: false,
      message: 'as_of=2030-01 is after the last period of the inputs (2024-02): this partition holds data up to 2024-02 only',
    });
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('data up to 2024-02');
    expect(html).not.toContain('data up to 2030-01');
    expect(log.events.filter((e) => e.event === 'check.warn').map((e) => e.fields.check)).toContain('as_of_after_data');
    // the same through config, for schedule jobs (set: [run.allowAsOfAfterData=true])
    const viaSet = await runPipeline(coverage, { trade: [SAMPLE], out: join(root, 'allowed-set'), asOf: '2030-01', set: ['run.allowAsOfAfterData=true'] }, fixed());
    expect(viaSet.status).toBe('succeeded');
  });

  it('run all --as-of 2030-01: exit 0, "no data yet" on stdout for each pipeline, nothing published, no combined report; an --as-of before the data exits 2', async () => {
    const out = join(root, 'all');
    const r = await cli(['run', 'all', '--trade', SAMPLE, '--out', out, '--as-of', '2030-01']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(
      ['coverage', 'mirror-gaps', 'transshipment'].map((p) => `no-data  ${resolve(out, p, 'as_of=2030-01')}  (no data yet for as_of=2030-01: the inputs end at 2024-02; nothing published)`),
    );
    expect(existsSync(out) ? readdirSync(out).filter((f) => !f.startsWith('.')) : []).toEqual([]);
    const before = await cli(['run', 'all', '--trade', SAMPLE, '--out', join(root, 'all-before'), '--as-of', '2019-01']);
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/data check 'flows_not_empty' failed/);
  });

  it("a schedule job with asOf: previous-month ticking in April publishes no as_of=2024-03 from data ending 2024-02", async () => {
    const dir = join(root, 'schedule');
    const config = join(root, 'schedule.json');
    const job = { name: 'monthly', pipeline: 'coverage', cron: '0 6 5 * *', trade: [resolve(SAMPLE)], out: dir, asOf: 'previous-month' };
    await writeFile(config, JSON.stringify({ schedule: { stateFile: join(root, 'schedule-state.json'), jobs: [job] } }));
    const log = memoryLog();
    const s = await runSchedule({ config, once: true }, { log, now: () => new Date('2024-04-05T07:00:00Z'), runEffects: { runId: () => `sched-${++n}` } });
    expect(s.exitCode).toBe(0);
    expect(s.outcomes.map((o) => [o.outcome, o.results.map((x) => [x.status, x.partition])])).toEqual([['no_data', [['no_data', 'as_of=2024-03']]]]);
    expect(existsSync(join(dir, 'coverage', 'as_of=2024-03'))).toBe(false);
    expect(log.events.find((e) => e.event === 'run.no_new_data')?.fields).toMatchObject({ job: 'monthly', partition: 'as_of=2024-03', data_through: '2024-02' });
  });

  it('a tick that found no data yet waits for it: not due again within schedule.noDataRetryHours, then run again and published once March arrives', async () => {
    const dir = join(root, 'schedule-wait');
    const trade = join(root, 'schedule-wait.csv');
    const lines = (await readFile(SAMPLE, 'utf8')).trimEnd().split('\n');
    await writeFile(trade, lines.join('\n') + '\n');
    const config = join(root, 'schedule-wait.json');
    const job = { name: 'monthly', pipeline: 'coverage', cron: '0 6 5 * *', trade: [trade], out: dir, asOf: 'previous-month' };
    await writeFile(config, JSON.stringify({ schedule: { stateFile: join(root, 'schedule-wait-state.json'), jobs: [job] } }));
    const at = (iso: string) => runSchedule({ config, once: true }, { log: memoryLog(), now: () => new Date(iso), runEffects: { runId: () => `wait-${++n}` } });
    expect((await at('2024-04-05T07:00:00Z')).outcomes.map((o) => o.outcome)).toEqual(['no_data']);
    // an hour later: the tick is handled for now
    expect((await at('2024-04-05T08:00:00Z')).outcomes).toEqual([]);
    // March's figures arrive; a day later the same tick runs again and publishes
    await writeFile(trade, [...lines, ...lines.slice(1).filter((l) => l.includes(',20240201,2024,2,202402,')).map((l) => l.replace(/,20240201,2024,2,202402,/, ',20240301,2024,3,202403,'))].join('\n') + '\n');
    const again = await at('2024-04-06T07:30:00Z');
    expect(again.outcomes.map((o) => [o.tick, o.outcome, o.results.map((x) => [x.status, x.partition])])).toEqual([
      ['2024-04-05T06:00:00.000Z', 'succeeded', [['succeeded', 'as_of=2024-03']]],
    ]);
    expect(existsSync(join(dir, 'coverage', 'as_of=2024-03', '_SUCCESS'))).toBe(true);
  });
});
