/**
 * The fault-injection suite's cases: a data team's bad day, each as the command a user runs and what it must
 * do. `docs/operations.md` lists the same classes (a test keeps the two in step).
 */
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SAMPLE = 'test/fixtures/comtrade_plus_small.csv';
const SAMPLE_LINES = readFileSync(SAMPLE, 'utf8').trimEnd().split('\n');
const DECL_HEADER =
  'declaration_id,date,direction,declarant,exporter,importer,seller,declared_code,description,origin,departure,destination,transport_mode,net_mass_kg,quantity,quantity_unit,value,currency,office,label';
const DECL = (id: string, mass = '10') => `${id},2024-02-05,import,DCL-01,THA-001,IMP-001,THA-001,8110101000,Antimony,CHN,THA,USA,sea,${mass},10,kg,100,USD,USA-01,`;

export interface FaultCase {
  /** The class of fault, as docs/operations.md names it. */
  name: string;
  /** Where the fault is: input, lock, output, usage, environment. */
  kind: 'input' | 'lock' | 'output' | 'usage' | 'environment';
  /** Prepares the fault in `dir` and returns the command line. */
  arrange(dir: string): string[];
  /** The exit code the contract asks for. */
  exit: 0 | 1 | 2 | 3;
  /** What stderr's last lines or a manifest written under `dir` must say; null: nothing asked (the log goes to fd 2 directly and is not seen here). */
  says: RegExp | null;
  /** What must not be said: never "report it" for a fault of the data or the machine. */
  never?: RegExp;
  /** Files that must (true) or must not (false) exist afterwards, relative to `dir`. */
  files?: Record<string, boolean>;
  /** How tradewatch handles it, for the docs. */
  handled: string;
}

const run = (dir: string, ...more: string[]) => ['run', 'coverage', '--out', join(dir, 'out'), '--log-format', 'json', ...more];
const PARTITION = 'out/coverage/as_of=2024-02/_SUCCESS';
const aged = (path: string, minutes: number) => {
  const t = new Date(Date.now() - minutes * 60_000);
  utimesSync(path, t, t);
};
const lockFile = (dir: string) => {
  const p = join(dir, 'out', '.locks', 'coverage');
  mkdirSync(p, { recursive: true });
  return join(p, 'as_of=2024-02.lock');
};

export const FAULT_CASES: FaultCase[] = [
  {
    name: 'empty lock file left by a full disk, younger than the stale age',
    kind: 'lock',
    arrange: (dir) => (writeFileSync(lockFile(dir), ''), run(dir, '--trade', SAMPLE)),
    exit: 3,
    says: /is unreadable \(empty file\) and \d+ s old by its modification time/,
    files: { [PARTITION]: false },
    handled: 'held while younger than run.staleLockMinutes by its mtime (a run may be writing it), exit 3',
  },
  {
    name: 'empty lock file older than the stale age',
    kind: 'lock',
    arrange: (dir) => {
      const p = lockFile(dir);
      writeFileSync(p, '');
      aged(p, 60);
      return run(dir, '--trade', SAMPLE);
    },
    exit: 0,
    says: null,
    files: { [PARTITION]: true },
    handled: 'taken over with a lock.takeover warning; status lists it as unreadable until then',
  },
  {
    name: 'corrupt lock file (not JSON), old',
    kind: 'lock',
    arrange: (dir) => {
      const p = lockFile(dir);
      writeFileSync(p, '{"host": "a", "pid":');
      aged(p, 60);
      return run(dir, '--trade', SAMPLE);
    },
    exit: 0,
    says: null,
    files: { [PARTITION]: true },
    handled: 'as an empty one',
  },
  {
    name: 'lock of another host with a heartbeat from the future',
    kind: 'lock',
    arrange: (dir) => {
      const future = new Date(Date.now() + 86_400_000).toISOString();
      writeFileSync(lockFile(dir), JSON.stringify({ host: 'elsewhere', pid: 1, run_id: 'r0', started_at: future, heartbeat_at: future }));
      return run(dir, '--trade', SAMPLE);
    },
    exit: 0,
    says: null,
    files: { [PARTITION]: true },
    handled: 'a heartbeat more than the stale age ahead is stale (clock skew or a corrupt value)',
  },
  {
    name: 'revised release: two overlapping extracts, the later one revising a value',
    kind: 'input',
    arrange: (dir) => {
      mkdirSync(join(dir, 'in'), { recursive: true });
      writeFileSync(join(dir, 'in', '2025-01.csv'), SAMPLE_LINES.join('\n') + '\n');
      writeFileSync(join(dir, 'in', '2025-02.csv'), [SAMPLE_LINES[0], SAMPLE_LINES[1].replace(',450000,450000,', ',470000,470000,')].join('\n') + '\n');
      return run(dir, '--trade', join(dir, 'in'));
    },
    exit: 0,
    says: /"no_superseded_rows",\s*"passed": false/,
    files: { [PARTITION]: true },
    handled: 'the later input in path order supersedes the key (superseded_by_later_input), a warning and a warn data check',
  },
  {
    name: 'two totals of one key inside one input (rows dropped by policy above the limit)',
    kind: 'input',
    arrange: (dir) => {
      writeFileSync(join(dir, 'one.csv'), [...SAMPLE_LINES, SAMPLE_LINES[1].replace(',450000,450000,', ',470000,470000,')].join('\n') + '\n');
      return run(dir, '--trade', join(dir, 'one.csv'));
    },
    exit: 2,
    says: /data check 'policy_drops' failed: 2 of \d+ rows dropped by policy/,
    never: /report it/,
    files: { [PARTITION]: false },
    handled: 'the policy_drops data check (ingest.maxPolicyDropRate) fails the run, exit 2, nothing published',
  },
  {
    name: 'value 1e400 (overflows to Infinity)',
    kind: 'input',
    arrange: (dir) => {
      writeFileSync(join(dir, 'inf.csv'), [SAMPLE_LINES[0], SAMPLE_LINES[1].replace(',450000,450000,', ',1e400,1e400,'), ...SAMPLE_LINES.slice(2)].join('\n') + '\n');
      return run(dir, '--trade', join(dir, 'inf.csv'));
    },
    exit: 2,
    says: /1 of 2\d rows rejected .*invalid_number/,
    handled: 'rejected as invalid_number with file, line and column; here 1 of 24 is above --max-reject-rate, exit 2',
  },
  {
    name: 'a header that names a column twice',
    kind: 'input',
    arrange: (dir) => {
      writeFileSync(join(dir, 'dup.csv'), [SAMPLE_LINES[0].replace('fobvalue', 'primaryValue'), ...SAMPLE_LINES.slice(1)].join('\n') + '\n');
      return run(dir, '--trade', join(dir, 'dup.csv'));
    },
    exit: 2,
    says: /primaryValue/,
    handled: 'refused naming the file, the column and its positions',
  },
  {
    name: 'a broken file among good ones (every row rejected, under the rate over all files)',
    kind: 'input',
    arrange: (dir) => {
      mkdirSync(join(dir, 'in'), { recursive: true });
      const good = Array.from({ length: 8 }, () => SAMPLE_LINES.slice(1)).flatMap((rows, k) => rows.map((r) => r.replace(/,2024(0[12]),/g, `,20${15 + k}$1,`).replace(/,(\d{4})0(1|2)01,(\d{4}),/, ',$10$201,$3,')));
      writeFileSync(join(dir, 'in', 'a.csv'), [SAMPLE_LINES[0], ...good].join('\n') + '\n');
      writeFileSync(join(dir, 'in', 'b.csv'), [SAMPLE_LINES[0], SAMPLE_LINES[1].replace(',450000,450000,', ',n/a,n/a,')].join('\n') + '\n');
      return run(dir, '--trade', join(dir, 'in'), '--as-of', '2024-02');
    },
    exit: 2,
    says: /b\.csv: 1 of 1 rows rejected \(100\.00% > --max-reject-rate 1\.00% for this file/,
    handled: 'the reject rate holds per file too; the file is named',
  },
  {
    name: 'a system file given as --trade',
    kind: 'input',
    arrange: (dir) => (writeFileSync(join(dir, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n'), run(dir, '--trade', join(dir, 'passwd'))),
    exit: 2,
    says: /unknown layout/,
    never: /root:x:0:0/,
    handled: 'unknown layout, the first line not echoed',
  },
  {
    name: 'an endless device given as --trade',
    kind: 'input',
    arrange: (dir) => run(dir, '--trade', '/dev/zero'),
    exit: 2,
    says: /\/dev\/zero/,
    handled: 'refused before it is read or hashed: not a regular file',
  },
  {
    name: '--as-of before the data',
    kind: 'input',
    arrange: (dir) => run(dir, '--trade', SAMPLE, '--as-of', '2019-01'),
    exit: 2,
    says: /data check 'flows_not_empty' failed/,
    never: /report it/,
    handled: 'the flows_not_empty data check fails on the input: exit 2',
  },
  {
    name: 'the same declarations file in two folders',
    kind: 'input',
    arrange: (dir) => {
      for (const d of ['x', 'y']) {
        mkdirSync(join(dir, 'decl', d), { recursive: true });
        writeFileSync(join(dir, 'decl', d, 'd.csv'), [DECL_HEADER, DECL('D1'), DECL('D2')].join('\n') + '\n');
      }
      return ['run', 'declarations', '--declarations', join(dir, 'decl'), '--out', join(dir, 'out'), '--log-format', 'json'];
    },
    exit: 0,
    says: /"declarations.duplicate_across_files": 2/,
    handled: 'collapsed to the first file in path order (duplicate_across_files), a warn data check',
  },
  {
    name: '--keep 0',
    kind: 'usage',
    arrange: (dir) => run(dir, '--trade', SAMPLE, '--keep', '0'),
    exit: 2,
    says: /--keep 0: --keep N keeps the newest N/,
    handled: 'refused as usage, nothing read',
  },
  {
    name: '--concurrency 0',
    kind: 'usage',
    arrange: (dir) => ['run', 'all', '--trade', SAMPLE, '--out', join(dir, 'out'), '--concurrency', '0'],
    exit: 2,
    says: /expected a whole number ≥ 1/,
    handled: 'refused as usage',
  },
  {
    name: '--set __proto__.x=1',
    kind: 'usage',
    arrange: (dir) => run(dir, '--trade', SAMPLE, '--set', '__proto__.polluted=1'),
    exit: 2,
    says: /__proto__/,
    handled: 'refused naming the key; Object.prototype untouched',
  },
  {
    name: 'ingest into a folder holding files an ingest did not write',
    kind: 'output',
    arrange: (dir) => {
      mkdirSync(join(dir, 'tables'), { recursive: true });
      writeFileSync(join(dir, 'tables', 'notes.txt'), 'mine');
      return ['ingest', '--trade', SAMPLE, '--out', join(dir, 'tables')];
    },
    exit: 2,
    says: /holds notes\.txt, which an ingest did not write/,
    files: { 'tables/notes.txt': true, 'tables/flows.parquet': false },
    handled: 'refused: the set is swapped in whole, so the folder must be an earlier ingest or empty',
  },
  {
    name: 'an output folder the machine refuses (read-only, permissions)',
    kind: 'environment',
    arrange: () => ['ingest', '--trade', SAMPLE, '--out', '/sys/tradewatch-fault'],
    exit: 1,
    says: /cannot mkdir \/sys\/tradewatch-fault\.staging-.*check the disk and permissions of that folder/,
    never: /report it/,
    handled: 'exit 1 naming the path and what to check, never "report it"',
  },
];
