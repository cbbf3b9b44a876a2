import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { stringify as toYaml } from 'yaml';
import { configDefaults } from '../run/config.ts';
import { asEnvironmentError, EnvironmentError, EXIT, exitCodeOf } from '../run/errors.ts';
import { runIngest } from '../run/ingest.ts';
import { runCommand } from '../run/run-command.ts';
import { formatStatus, readStatus } from '../run/status.ts';
import { runSynth } from '../run/synth.ts';
import { cliLog } from '../run/log.ts';
import { VERSION } from '../run/version.ts';
import { runDemo } from '../run/demo.ts';
import { runSchedule, ScheduledRunsFailedError } from '../run/schedule.ts';
import { runFetch } from '../run/fetch.ts';
import { addBacktestCommands } from './backtest-commands.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
};
const count = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
};
const rate = (v: string) => {
  const r = Number(v);
  if (!Number.isFinite(r) || r < 0 || r > 1) throw new InvalidArgumentError('expected a share between 0 and 1, e.g. 0.01');
  return r;
};

/** Builds the `tradewatch` command line (exported for tests). */
export function buildCli(): Command {
  const program = new Command('tradewatch')
    .description('Find where strategic minerals leak around export controls: mirror gaps, transshipment routes, declaration screening.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('ingest')
    .description('Read trade statistics (Comtrade Plus, legacy Comtrade, BACI, canonical Parquet, or a mapped CSV) into the canonical tables.')
    .requiredOption('--trade <path...>', 'input files, folders or globs (.csv, .csv.gz, .parquet); repeatable')
    .requiredOption('--out <dir>', 'output folder: flows, subflows, areas, consignment, rejects (.parquet) and manifest.json')
    .option('--format <format>', 'comtrade | comtrade-legacy | baci | canonical | mapped:<name> (default: detected from the header)')
    .option('--hs <selector>', "products: 'all', '@catalog', '@<mineral>' or a list '811292,811010' (default: config ingest.hs, 'all')")
    .option('--config <file>', 'config file (YAML or JSON)')
    .option('--set <key=value>', 'override one config key, e.g. ingest.maxRejectRate=0.05; repeatable', collect)
    .addOption(new Option('--max-reject-rate <share>', 'fail (exit 2, nothing written) above this share of rejected rows').argParser(rate))
    .action(async (o) => {
      const summary = await runIngest(
        { trade: o.trade, out: o.out, format: o.format, hs: o.hs, config: o.config, set: o.set, maxRejectRate: o.maxRejectRate },
        { log: cliLog() },
      );
      process.stdout.write(`${summary.outDir}\n`);
      for (const f of summary.outputs) process.stdout.write(`  ${f.path}  ${f.rows} rows\n`);
      process.stdout.write(`  manifest.json\n`);
    });

  program
    .command('run')
    .description('Run a pipeline (or all) into OUT/<pipeline>/as_of=YYYY-MM/, skipped when that partition already succeeded with the same inputs, config and tradewatch version.')
    .argument('<pipeline>', 'a pipeline name, or all')
    .requiredOption('--out <dir>', 'output folder')
    .option('--trade <path...>', 'trade statistics: files, folders or globs')
    .option('--global <dir>', "mirror-gaps, transshipment: the output root of a run over every product whose coverage, reporter reliability and CIF/FOB observations to use instead of estimating them from this run's products")
    .option('--availability <file>', "mirror-gaps, transshipment: the availability.parquet of 'tradewatch fetch' (what each reporter published per period), taken as coverage over what the rows show")
    .option('--mirror <dir>', "transshipment: a mirror-gaps partition (or output root) whose mirror_pairs.parquet to use (default: match mirror pairs in the run; 'run all' uses its own mirror-gaps run)")
    .option('--routes <file>', "declarations: a flagged_routes.parquet from a transshipment run ('run all' uses its own)")
    .option('--declarations <path...>', 'declarations: customs declarations to screen (canonical CSV/Parquet, Korea Customs, or a mapping in config)')
    .option('--history <path...>', 'declarations: earlier declarations with inspection outcomes (label) to learn from')
    .option('--reviews <file>', 'analysts\' verdicts (CSV or Parquet: flag_id, verdict confirmed|dismissed|watch, note, reviewer, date[, score])')
    .option('--format <format>', 'input layout (default: detected)')
    .option('--as-of <YYYY-MM>', 'partition name and cut: no later period is read (default: the latest period in the inputs)')
    .option('--hs <selector>', "products (default: config run.hs, '@catalog')")
    .option('--config <file>', 'config file (YAML or JSON)')
    .option('--set <key=value>', 'override one config key; repeatable', collect)
    .option('--force', 'redo the partition even if it already succeeded')
    .addOption(new Option('--keep <n>', 'keep the newest N partitions per pipeline').argParser(count))
    .addOption(new Option('--concurrency <n>', 'pipelines run in parallel up to N (≥ 1)').argParser(positive))
    .addOption(new Option('--log-format <format>', 'text or json').choices(['text', 'json']).default('text'))
    .addOption(new Option('--max-reject-rate <share>', 'fail (exit 2) above this share of rejected rows').argParser(rate))
    .action(async (name: string, o) => {
      const log = cliLog(o.logFormat);
      const args = {
        out: o.out, trade: o.trade, mirror: o.mirror, global: o.global, availability: o.availability, routes: o.routes, declarations: o.declarations, history: o.history, reviews: o.reviews, format: o.format, asOf: o.asOf, hs: o.hs, config: o.config, set: o.set,
        force: o.force, keep: o.keep, maxRejectRate: o.maxRejectRate,
      };
      const results = await runCommand(name, args, { log, concurrency: o.concurrency });
      for (const r of results) process.stdout.write(`${r.status === 'skipped' ? 'skipped' : 'done'}  ${r.path}\n`);
    });

  program
    .command('status')
    .description('List partitions with status, age, row counts and flags, and any stale lock or staging folder.')
    .requiredOption('--out <dir>', 'output folder')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const report = await readStatus(o.out);
      process.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : formatStatus(report));
    });

  program
    .command('synth')
    .description('Generate a seeded synthetic world: a monthly Comtrade Plus panel, declarations and truth.json (see docs/synth.md).')
    .requiredOption('--seed <n>', 'seed (1-5 are for tuning thresholds, 101-110 for testing detection quality)', count)
    .addOption(new Option('--preset <preset>', 'easy, hard or wild (knobs drawn per seed)').choices(['easy', 'hard', 'wild']).default('easy'))
    .requiredOption('--out <dir>', 'output folder')
    .action(async (o) => {
      for (const path of await runSynth({ seed: o.seed, preset: o.preset, out: o.out })) process.stdout.write(`${path}\n`);
    });

  program
    .command('config')
    .description('Print configuration.')
    .option('--defaults', 'print every key with its default value (YAML)')
    .option('--json', 'print JSON instead of YAML')
    .action((o) => {
      if (!o.defaults) throw new CommanderError(EXIT.badInput, 'tradewatch.usage', 'config: pass --defaults');
      process.stdout.write(o.json ? JSON.stringify(configDefaults, null, 2) + '\n' : toYaml(configDefaults));
    });

  program
    .command('schedule')
    .description('Run the jobs of config schedule.jobs on their cron expressions until SIGTERM (the run in progress finishes, exit 0); --once runs what is due now and exits.')
    .option('--config <file>', 'config file (YAML or JSON) with schedule.jobs; also the config of every run')
    .option('--once', 'run whatever is due now, then exit (for cron and Kubernetes): 1 if a job failed after its retries, else 0')
    .option('--set <key=value>', 'override one config key, for the scheduler and every run; repeatable', collect)
    .addOption(new Option('--log-format <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(async (o) => {
      const stop = new AbortController();
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        if (++signals > 1) {
          process.stderr.write(`tradewatch: second ${sig}: stopping now, without finishing the run in progress\n`);
          process.exit(EXIT.failed);
        }
        stop.abort(sig);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      try {
        const summary = await runSchedule({ config: o.config, set: o.set, once: o.once }, {
          log: cliLog(o.logFormat),
          signal: stop.signal,
          onOutcome: (r) => {
            for (const x of r.results) process.stdout.write(`${x.status === 'skipped' ? 'skipped' : 'done'}  ${x.path}\n`);
            if (r.outcome === 'failed' || r.outcome === 'locked') process.stdout.write(`${r.outcome}  ${r.job}  ${r.tick}\n`);
          },
        });
        if (summary.exitCode !== EXIT.ok) {
          throw new ScheduledRunsFailedError(summary.outcomes.filter((x) => x.outcome === 'failed').map((x) => x.job));
        }
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });

  program
    .command('fetch')
    .description('Download trade statistics from the UN Comtrade API into the canonical tables, caching every answer (rerun to resume). Key: COMTRADE_API_KEY.')
    .argument('<source>', 'comtrade')
    .requiredOption('--period <range>', 'YYYY-MM:YYYY-MM (months), YYYY:YYYY (years) or one period')
    .requiredOption('--cache <dir>', 'folder of raw answers, one file per request (reused across runs)')
    .requiredOption('--out <dir>', 'output folder: flows, subflows, areas, consignment, rejects, availability (.parquet), fetch-state.json, manifest.json')
    .option('--hs <selector>', "products: '@catalog', '@<mineral>' or a list '811292,811010' (default: config fetch.hs, '@catalog')")
    .option('--reporters <codes...>', 'reporters as ISO3 or Comtrade codes, e.g. CHN,THA (default: every reporter)')
    .option('--config <file>', 'config file (YAML or JSON)')
    .option('--set <key=value>', 'override one config key, e.g. fetch.concurrency=1; repeatable', collect)
    .addOption(new Option('--log-format <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(async (source: string, o) => {
      const summary = await runFetch(
        { source, period: o.period, hs: o.hs, reporters: o.reporters, cache: o.cache, out: o.out, config: o.config, set: o.set },
        { log: cliLog(o.logFormat) },
      );
      process.stdout.write(`${summary.outDir}\n`);
      for (const f of summary.outputs) process.stdout.write(`  ${f.path}  ${f.rows} rows\n`);
      process.stdout.write(`  fetch-state.json\n  manifest.json\n`);
    });

  addBacktestCommands(program);

  program
    .command('demo')
    .description('Run every pipeline on the bundled sample (what `npm start` does) and print where the results are.')
    .option('--out <dir>', 'output folder', 'out/sample')
    .action(async (o) => {
      await runDemo(o.out, cliLog());
    });

  return program;
}

/** Runs the CLI and returns the exit code (0 done, 1 failed, 2 bad input/usage/config, 3 locked, 4 fetch stopped at the API quota). */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are not failures; usage errors were already printed by commander
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT.ok;
      if (e.code === 'tradewatch.usage') process.stderr.write(`tradewatch: ${e.message}\n`);
      return EXIT.badInput;
    }
    // the machine refused (full or read-only disk, permissions): say where, not "report it"
    e = asEnvironmentError(e);
    const code = exitCodeOf(e);
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`tradewatch: ${msg}\n`);
    if (code === EXIT.failed && e instanceof Error && e.stack && process.env.TRADEWATCH_DEBUG) process.stderr.write(`${e.stack}\n`);
    const reported = e instanceof Error && 'reported' in e && e.reported === true; // failures of runs, already in the log
    if (code === EXIT.failed && !reported && !(e instanceof EnvironmentError)) process.stderr.write('tradewatch: this is a failure of tradewatch itself; rerun with TRADEWATCH_DEBUG=1 for the stack and report it\n');
    return code;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('src/cli/main.ts') || process.argv[1]?.endsWith('bin/tradewatch.js')) {
  process.exitCode = await main(process.argv.slice(2));
}
