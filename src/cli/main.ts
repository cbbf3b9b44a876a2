import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { asEnvironmentError, EnvironmentError, EXIT, exitCodeOf, ScheduledRunsFailedError } from '../base/errors.ts';
import { HANDOFFS, HANDOFF_KEYS } from '../datasets.ts';
import { pipelineNames } from '../run/registry.ts';
import { formatStatus, StatusCheckError } from '../commands/status.ts';
import { VERSION } from '../run/version.ts';
// the commands' implementations load when their command runs, not at start (--help stays fast): see lazy-modules.ts
import { cliLog, configDefaults, loadCommandModules, readStatus, runCommand, runDemo, runFetch, runIngest, runSchedule, runSynth, toYaml } from './lazy-modules.ts';
import { addBacktestCommands } from './backtest-commands.ts';
import { addCatalogCommand } from './catalog-command.ts';
import { collectUsageOutput, outputFormatIn, stopOnSignals, writeExit, writeResult, writeRunResult } from './output.ts';

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
    .exitOverride()
    .hook('preAction', loadCommandModules);

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
    .addOption(new Option('--log-format <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(async (o) => {
      // SIGINT/SIGTERM: the staging folder is removed, --out left as it was, exit 130/143
      const stop = stopOnSignals(o.logFormat, 'ingest');
      let summary;
      try {
        summary = await runIngest(
          { trade: o.trade, out: o.out, format: o.format, hs: o.hs, config: o.config, set: o.set, maxRejectRate: o.maxRejectRate },
          { log: cliLog(o.logFormat), signal: stop.signal },
        );
      } finally {
        stop.dispose();
      }
      if (o.logFormat === 'json') {
        writeResult('json', '', { status: 'done', path: summary.outDir, outputs: [...summary.outputs.map((f) => ({ path: f.path, rows: f.rows })), { path: 'manifest.json' }] });
        return;
      }
      process.stdout.write(`${summary.outDir}\n`);
      for (const f of summary.outputs) process.stdout.write(`  ${f.path}  ${f.rows} rows\n`);
      process.stdout.write(`  manifest.json\n`);
    });

  const run = program
    .command('run')
    .description(`Run a pipeline (${pipelineNames().join(', ')}) or all into OUT/<pipeline>/as_of=YYYY-MM/, skipped when that partition already succeeded with the same inputs, config and tradewatch version.`)
    .argument('<pipeline>', `a pipeline (${pipelineNames().join(', ')}), or all`)
    .requiredOption('--out <dir>', 'output folder')
    .option('--trade <path...>', 'trade statistics: files, folders or globs')
    .option('--global <dir>', "mirror-gaps, transshipment: the output root of a run over every product whose coverage, reporter reliability and CIF/FOB observations to use instead of estimating them from this run's products")
    .option('--availability <file>', "mirror-gaps, transshipment: the availability.parquet of 'tradewatch fetch' (what each reporter published per period), taken as coverage over what the rows show");
  // the datasets one pipeline writes and another reads (src/datasets.ts): a flag each
  for (const k of HANDOFF_KEYS) run.option(`--${k} <path>`, `pipelines that read ${HANDOFFS[k].output}: ${HANDOFFS[k].help}`);
  run
    .option('--declarations <path...>', 'declarations: customs declarations to screen (canonical CSV/Parquet, Korea Customs, or a mapping in config)')
    .option('--history <path...>', 'declarations: earlier declarations with inspection outcomes (label) to learn from')
    .option('--reviews <file>', 'analysts\' verdicts (CSV or Parquet: flag_id, verdict confirmed|dismissed|watch, note, reviewer, date[, score])')
    .option('--format <format>', 'input layout (default: detected)')
    .option('--as-of <YYYY-MM>', 'partition name and cut: no later period is read (default: the latest period in the inputs)')
    .option('--hs <selector>', "products (default: config run.hs, '@catalog')")
    .option('--config <file>', 'config file (YAML or JSON)')
    .option('--set <key=value>', 'override one config key; repeatable', collect)
    .option('--force', 'redo the partition even if it already succeeded')
    .option('--allow-as-of-after-data', 'publish an --as-of after the last period of the inputs anyway, its report saying where the data end (default: publish nothing, "no data yet", exit 0; config run.allowAsOfAfterData)')
    .addOption(new Option('--keep <n>', 'keep the newest N partitions per pipeline').argParser(count))
    .addOption(new Option('--concurrency <n>', 'pipelines run in parallel up to N (≥ 1)').argParser(positive))
    .addOption(new Option('--log-format <format>', 'text or json').choices(['text', 'json']).default('text'))
    .addOption(new Option('--max-reject-rate <share>', 'fail (exit 2) above this share of rejected rows').argParser(rate))
    .action(async (name: string, o) => {
      const log = cliLog(o.logFormat);
      const args = {
        ...Object.fromEntries(HANDOFF_KEYS.map((k) => [k, o[k] as string | undefined])),
        out: o.out, trade: o.trade, global: o.global, availability: o.availability, declarations: o.declarations, history: o.history, reviews: o.reviews, format: o.format, asOf: o.asOf, hs: o.hs, config: o.config, set: o.set,
        force: o.force, keep: o.keep, maxRejectRate: o.maxRejectRate, allowAsOfAfterData: o.allowAsOfAfterData,
      };
      // SIGINT/SIGTERM: the run in progress releases its lock and removes its staging folder, exit 130/143
      const stop = stopOnSignals(o.logFormat, `run ${name}`);
      let results;
      try {
        results = await runCommand(name, args, { log, concurrency: o.concurrency, signal: stop.signal });
      } finally {
        stop.dispose();
      }
      for (const r of results) writeRunResult(o.logFormat, r);
    });

  program
    .command('status')
    .description('List partitions with status, age, row counts and flags, and any stale lock or staging folder.')
    .requiredOption('--out <dir>', 'output folder')
    .option('--json', 'print JSON (times as ISO 8601)')
    .option('--check', 'for monitoring: exit 1 when the newest partition of a pipeline failed or is incomplete, or a lock is stale')
    .action(async (o) => {
      const report = await readStatus(o.out);
      process.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : formatStatus(report));
      if (o.check && report.problems.length) throw new StatusCheckError(report.problems);
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
          writeExit(o.logFormat, EXIT.failed, `second ${sig}: stopping now, without finishing the run in progress`);
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
            for (const x of r.results) writeRunResult(o.logFormat, x, { job: r.job, tick: r.tick });
            if (r.outcome === 'failed' || r.outcome === 'locked') writeResult(o.logFormat, `${r.outcome}  ${r.job}  ${r.tick}`, { status: r.outcome, job: r.job, tick: r.tick });
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
      if (o.logFormat === 'json') {
        const outputs = [...summary.outputs.map((f) => ({ path: f.path, rows: f.rows })), { path: 'fetch-state.json' }, { path: 'manifest.json' }];
        writeResult('json', '', { status: 'done', path: summary.outDir, outputs });
        return;
      }
      process.stdout.write(`${summary.outDir}\n`);
      for (const f of summary.outputs) process.stdout.write(`  ${f.path}  ${f.rows} rows\n`);
      process.stdout.write(`  fetch-state.json\n  manifest.json\n`);
    });

  addBacktestCommands(program);
  addCatalogCommand(program);

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
  // under --log-format json every line on stderr is one JSON object, commander's usage errors included
  const format = outputFormatIn(argv);
  const usage: string[] = [];
  try {
    const program = buildCli();
    if (format === 'json') collectUsageOutput(program, usage);
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are not failures; usage errors were already printed by commander (collected under json)
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT.ok;
      if (format === 'json') {
        const error = e.message.replace(/^error: /, '');
        writeExit(format, EXIT.badInput, error, { usage: usage.join('').replace(e.message, '').trim() });
      } else if (e.code === 'tradewatch.usage') process.stderr.write(`tradewatch: ${e.message}\n`);
      return EXIT.badInput;
    }
    // the machine refused (full or read-only disk, permissions): say where, not "report it"
    e = asEnvironmentError(e);
    const code = exitCodeOf(e);
    const msg = e instanceof Error ? e.message : String(e);
    const stack = code === EXIT.failed && e instanceof Error && e.stack && process.env.TRADEWATCH_DEBUG ? e.stack : undefined;
    const reported = e instanceof Error && 'reported' in e && e.reported === true; // failures of runs, already in the log
    const hint =
      code === EXIT.failed && !reported && !(e instanceof EnvironmentError)
        ? 'this is a failure of tradewatch itself; rerun with TRADEWATCH_DEBUG=1 for the stack and report it'
        : undefined;
    writeExit(format, code, msg, { stack, hint });
    return code;
  }
}

/**
 * Whether this module is the script the process was started with (`tsx src/cli/main.ts`, `node dist/src/cli/main.js`),
 * through any symlink. The bin (bin/tradewatch.js, the installed command) imports this module and calls main itself.
 */
function startedAsScript(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (startedAsScript()) {
  process.exitCode = await main(process.argv.slice(2));
}
