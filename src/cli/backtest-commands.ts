import { type Command, InvalidArgumentError, Option } from 'commander';
// backtest.ts and tune.ts are imported by the actions, so that the CLI starts without them (see lazy-modules.ts)
import { cliLog } from './lazy-modules.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `1,2,3`, `1-5` or a mix (`1-3,7`): whole numbers ≥ 0, each once, in the order given. */
export function parseSeeds(v: string): number[] {
  const out: number[] = [];
  for (const part of v.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new InvalidArgumentError(`expected seeds like 1,2,3 or 1-5, got '${part}'`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (b < a) throw new InvalidArgumentError(`'${part}': the range runs backwards`);
    if (b - a > 1000) throw new InvalidArgumentError(`'${part}': more than 1000 seeds`);
    for (let s = a; s <= b; s++) if (!out.includes(s)) out.push(s);
  }
  return out;
}

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
};

/** The data options `backtest` and `tune` share: files with a truth.json, or synthetic worlds by seed. */
function dataOptions(cmd: Command): Command {
  return cmd
    .option('--truth <file>', "a synthetic world's truth.json (tradewatch synth): the routes, mirror anomalies and declaration anomalies to find")
    .option('--trade <path...>', 'trade statistics: files, folders or globs (routes and mirror gaps are judged)')
    .option('--declarations <path...>', 'customs declarations (judged against truth.json, or by their label column when the truth does not cover them)')
    .option('--history <path...>', 'earlier declarations with outcomes, for the learned model (as in run declarations)')
    .option('--reviews <file>', "analysts' verdicts (as in run --reviews): confirmed flags count as true, dismissed ones as false")
    .option('--format <format>', 'trade layout (default: detected)')
    .addOption(new Option('--seeds <list>', 'synthetic worlds made in memory instead of files, e.g. 1,2,3 or 1-5 (tune on 1-5; 101-120 measure quality)').argParser(parseSeeds))
    .addOption(new Option('--preset <preset>', 'preset of the --seeds worlds (default easy; wild draws its knobs per seed)').choices(['easy', 'hard', 'wild']))
    .option('--hold-out <family>', 'leave a family of the truth out of the worlds of the tuning seeds 1-5 and keep it in the others (tune without it, test with it); repeatable', collect)
    .option('--hs <selector>', "products (default: config run.hs, '@catalog'); truth on other codes is out of scope")
    .option('--config <file>', 'config file (YAML or JSON)')
    .option('--set <key=value>', 'override one config key; repeatable', collect)
    .requiredOption('--out <dir>', 'output folder')
    .addOption(new Option('--log-format <format>', 'text or json').choices(['text', 'json']).default('text'));
}

/** Adds `tradewatch backtest` and `tradewatch tune` to the command line. */
export function addBacktestCommands(program: Command): void {
  dataOptions(
    program
      .command('backtest')
      .description('Run the pipelines in memory on data with a known truth and print precision, recall, F1 and precision@k for routes, mirror gaps and declarations; writes OUT/backtest.parquet.'),
  ).action(async (o) => {
    const { formatBacktest, runBacktest } = await import('../commands/backtest.ts');
    const summary = await runBacktest(
      { truth: o.truth, trade: o.trade, declarations: o.declarations, history: o.history, reviews: o.reviews, format: o.format, seeds: o.seeds, preset: o.preset, holdOut: o.holdOut, hs: o.hs, config: o.config, set: o.set, out: o.out },
      { log: cliLog(o.logFormat) },
    );
    process.stdout.write(formatBacktest(summary));
    process.stdout.write(`${summary.path}\n${summary.jsonPath}\n`);
  });

  dataOptions(
    program
      .command('tune')
      .description('Sweep config values (a grid of --param ranges) over data with a known truth, grid points in parallel; writes OUT/tune.parquet, tune.csv, tune_runs.parquet and a precision-recall plot tune.svg.')
      .requiredOption('--param <key=from:to:step>', 'a camelCase config key and its values: from:to:step, a list a,b,c, or one value; repeatable (a grid)', collect),
  )
    .addOption(new Option('--concurrency <n>', 'grid points evaluated at once (default: config run.concurrency)').argParser(positive))
    .action(async (o) => {
      const { formatTune, runTune } = await import('../commands/tune.ts');
      const summary = await runTune(
        {
          params: o.param, truth: o.truth, trade: o.trade, declarations: o.declarations, history: o.history, reviews: o.reviews, format: o.format, seeds: o.seeds, preset: o.preset, holdOut: o.holdOut,
          hs: o.hs, config: o.config, set: o.set, out: o.out, concurrency: o.concurrency,
        },
        { log: cliLog(o.logFormat) },
      );
      process.stdout.write(formatTune(summary));
      for (const p of Object.values(summary.paths)) process.stdout.write(`${p}\n`);
    });
}
