import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { quietMain } from './quiet-main.ts';

const SAMPLE = 'test/fixtures/comtrade_plus_small.csv';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-main-'));
});


describe('exit codes: bad input is 2, the environment 1 with its path, never "report it" (#18 item 12)', () => {
  it('--concurrency 0 is a usage error', async () => {
    const r = await quietMain(['run', 'all', '--trade', SAMPLE, '--out', join(dir, 'c0'), '--concurrency', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--concurrency.*expected a whole number ≥ 1/);
  });

  it('an --as-of before the data and an --hs that selects nothing fail their data check on the input: exit 2', async () => {
    const early = await quietMain(['run', 'coverage', '--trade', SAMPLE, '--out', join(dir, 'early'), '--as-of', '2019-01', '--log-format', 'json']);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/data check 'flows_not_empty' failed: no flows left after --hs and --as-of/);
    expect(early.stderr).not.toMatch(/report it/);
    const none = await quietMain(['run', 'coverage', '--trade', SAMPLE, '--out', join(dir, 'none'), '--hs', '2709', '--as-of', '2024-02', '--log-format', 'json']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/flows_not_empty/);
    expect(existsSync(join(dir, 'none', 'coverage', 'as_of=2024-02'))).toBe(false);
  });

  it('a folder the machine refuses to write (here /sys, refused even to root) exits 1 naming the path, not as a failure of tradewatch', async () => {
    const r = await quietMain(['ingest', '--trade', SAMPLE, '--out', '/sys/tradewatch-out']);
    expect(r.code).toBe(1);
    // EPERM as root, EACCES as anyone else
    expect(r.stderr).toMatch(/cannot mkdir \/sys\/tradewatch-out\.staging-[^:]+: (operation not permitted \(EPERM\)|permission denied \(EACCES\)); check the disk and permissions of that folder/);
    expect(r.stderr).not.toMatch(/report it/);
  });
});

describe('--max-reject-rate holds for declarations too (#18 item 14)', () => {
  it('a run of the declarations pipeline fails on a bad file at the default rate and reads it under --max-reject-rate 0.6', async () => {
    const file = join(dir, 'decl.csv');
    writeFileSync(
      file,
      [
        'declaration_id,date,direction,declarant,exporter,importer,seller,declared_code,description,origin,departure,destination,transport_mode,net_mass_kg,quantity,quantity_unit,value,currency,office,label',
        'D1,2024-03-05,import,DCL-01,THA-001,IMP-001,THA-001,8110101000,Antimony,CHN,THA,USA,sea,10,10,kg,100,USD,USA-01,',
        'D2,2024-03-06,import,DCL-01,THA-001,IMP-001,THA-001,8110101000,Antimony,CHN,THA,USA,sea,ten,10,kg,100,USD,USA-01,',
      ].join('\n') + '\n',
    );
    const strict = await quietMain(['run', 'declarations', '--declarations', file, '--out', join(dir, 'decl-out'), '--log-format', 'json']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/1 of 2 declarations rejected \(50\.00% > maxRejectRate 1\.00%\)/);
    const loose = await quietMain(['run', 'declarations', '--declarations', file, '--out', join(dir, 'decl-out'), '--max-reject-rate', '0.6', '--log-format', 'json']);
    expect(loose.code).toBe(0);
  });
});

