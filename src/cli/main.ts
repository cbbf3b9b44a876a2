import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { stringify as toYaml } from 'yaml';
import { configDefaults } from '../run/config.ts';
import { EXIT, exitCodeOf } from '../run/errors.ts';
import { runIngest } from '../run/ingest.ts';
import { textLog } from '../run/log.ts';
import { VERSION } from '../run/version.ts';
import { runDemo } from '../run/demo.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];
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
        { log: textLog() },
      );
      process.stdout.write(`${summary.outDir}\n`);
      for (const f of summary.outputs) process.stdout.write(`  ${f.path}  ${f.rows} rows\n`);
      process.stdout.write(`  manifest.json\n`);
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
    .command('demo')
    .description('Run every pipeline on the bundled sample (what `npm start` does) and print where the results are.')
    .option('--out <dir>', 'output folder', 'out/sample')
    .action(async (o) => {
      await runDemo(o.out, textLog());
    });

  return program;
}

/** Runs the CLI and returns the exit code (0 done, 1 failed, 2 bad input/usage/config, 3 locked). */
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
    const code = exitCodeOf(e);
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`tradewatch: ${msg}\n`);
    if (code === EXIT.failed && e instanceof Error && e.stack && process.env.TRADEWATCH_DEBUG) process.stderr.write(`${e.stack}\n`);
    if (code === EXIT.failed) process.stderr.write('tradewatch: this is a failure of tradewatch itself; rerun with TRADEWATCH_DEBUG=1 for the stack and report it\n');
    return code;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('src/cli/main.ts') || process.argv[1]?.endsWith('bin/tradewatch.js')) {
  process.exitCode = await main(process.argv.slice(2));
}
