/**
 * The command implementations of the CLI, loaded when a command runs rather than when the CLI starts, so that
 * `tradewatch --help`, `--version` and a usage error load commander and a few small modules, not Arrow, Parquet,
 * the config schemas or the pipelines (about 0.4 s of module loading that every command would pay before reading a byte).
 *
 * The async entry points are stand-ins with the same signature that import their module on the first call. What
 * the actions use synchronously (the logger, the config defaults, YAML) is loaded by {@link loadCommandModules},
 * a `preAction` hook of the program that commander awaits before any action runs; those are live bindings.
 */
import type { Command } from 'commander';
import type * as ConfigModule from '../config/config.ts';
import type * as LogModule from '../base/log.ts';
import type * as Yaml from 'yaml';

type AsyncFn = (...args: never[]) => Promise<unknown>;
type AsyncKeys<M> = { [K in keyof M]: M[K] extends AsyncFn ? K : never }[keyof M];

/** `m[key]` of the module that `load` imports, as a function that imports it on its first call. */
function deferred<M, K extends AsyncKeys<M>>(load: () => Promise<M>, key: K): M[K] {
  return (async (...args: unknown[]) => ((await load())[key] as (...a: unknown[]) => Promise<unknown>)(...args)) as M[K];
}

export const runIngest = deferred(() => import('../commands/ingest.ts'), 'runIngest');
export const runCommand = deferred(() => import('../commands/run-command.ts'), 'runCommand');
export const readStatus = deferred(() => import('../commands/status.ts'), 'readStatus');
export const runSynth = deferred(() => import('../commands/synth.ts'), 'runSynth');
export const runDemo = deferred(() => import('../commands/demo.ts'), 'runDemo');
export const runSchedule = deferred(() => import('../commands/schedule.ts'), 'runSchedule');
export const runFetch = deferred(() => import('../commands/fetch.ts'), 'runFetch');

let log: typeof LogModule | undefined;

/** The CLI's logger ({@link LogModule.cliLog}); its module is loaded by {@link loadCommandModules} before any action. */
export const cliLog: typeof LogModule.cliLog = (...args) => {
  if (!log) throw new Error('cliLog: called before loadCommandModules (the preAction hook of buildCli)');
  return log.cliLog(...args);
};

/** The config defaults, for `config --defaults` (set by {@link loadCommandModules} before that action runs). */
export let configDefaults: typeof ConfigModule.configDefaults;
/** YAML's stringify, for `config --defaults` (set by {@link loadCommandModules} before that action runs). */
export let toYaml: typeof Yaml.stringify;

/**
 * The `preAction` hook of the program: loads the modules the action of `action` uses synchronously: the logger for
 * every command, the config defaults and YAML for `config`.
 */
export async function loadCommandModules(_program: Command, action: Command): Promise<void> {
  log ??= await import('../base/log.ts');
  if (action.name() === 'config' && !configDefaults) {
    const [config, yaml] = await Promise.all([import('../config/config.ts'), import('yaml')]);
    configDefaults = config.configDefaults;
    toYaml = yaml.stringify;
  }
}
