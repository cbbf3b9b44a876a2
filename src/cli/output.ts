/**
 * What the CLI itself writes, beside the run's log: result lines on stdout, the last line of a failed command on
 * stderr, and what a signal does to `run` and `ingest`. Under `--log-format json` every line, on stdout and on stderr,
 * is one JSON object with `level` a word (`info`, `warn`, `error`), `time` (ISO 8601) and `event`, like the log's own
 * lines, so that `2>&1 >> tradewatch.jsonl` stays one JSON object per line. Small on purpose: the CLI loads it at start.
 */
import type { Command } from 'commander';
import { EXIT, type StopSignal } from '../base/errors.ts';

/** `--log-format` of the command line, read before commander parses it (a usage error must follow it too). */
export type OutputFormat = 'text' | 'json';

/** The `--log-format` given in `argv` (`--log-format json` or `--log-format=json`; the last one wins), else text. */
export function outputFormatIn(argv: readonly string[]): OutputFormat {
  let format: OutputFormat = 'text';
  argv.forEach((a, i) => {
    const v = a === '--log-format' ? argv[i + 1] : a.startsWith('--log-format=') ? a.slice('--log-format='.length) : undefined;
    if (v === 'json' || v === 'text') format = v;
  });
  return format;
}

/** One JSON line in the log's shape: level, time, event, then the fields. */
export function jsonLine(level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ level, time: new Date().toISOString(), event, ...fields }) + '\n';
}

/** A result line on stdout: `text` as it is, or under json a `result` event with `fields`. */
export function writeResult(format: OutputFormat, text: string, fields: Record<string, unknown>): void {
  process.stdout.write(format === 'json' ? jsonLine('info', 'result', fields) : `${text}\n`);
}

/** A run's result as a stdout line: `done  PATH`, `skipped  PATH` or `no-data  PATH  (no data yet for as_of=…)`. */
export function writeRunResult(
  format: OutputFormat,
  r: { status: string; pipeline: string; partition: string; path: string; manifest?: { data_through?: string } },
  extra: Record<string, unknown> = {},
): void {
  const status = r.status === 'skipped' ? 'skipped' : r.status === 'no_data' ? 'no-data' : 'done';
  const through = r.manifest?.data_through;
  const note = r.status === 'no_data' ? `no data yet for ${r.partition}${through ? `: the inputs end at ${through}` : ''}; nothing published` : null;
  writeResult(format, `${status}  ${r.path}${note ? `  (${note})` : ''}`, {
    ...extra, status, pipeline: r.pipeline, partition: r.partition, path: r.path, ...(note ? { note } : {}),
  });
}

/**
 * The last line of a command that did not succeed, on stderr: `tradewatch: MESSAGE` (and the hint or stack on lines of
 * their own), or one `cli.exit` event under json (level `warn` for exit 3, 4, 130 and 143, which are not failures of the
 * run's data or of tradewatch; `error` otherwise).
 */
export function writeExit(format: OutputFormat, code: number, message: string, more: { hint?: string; stack?: string; usage?: string } = {}): void {
  if (format === 'json') {
    const warn = code === EXIT.locked || code === EXIT.quota || code === EXIT.interrupted || code === EXIT.terminated;
    const fields: Record<string, unknown> = { exit_code: code, error: message };
    for (const [k, v] of Object.entries(more)) if (v) fields[k] = v;
    process.stderr.write(jsonLine(warn ? 'warn' : 'error', 'cli.exit', fields));
    return;
  }
  process.stderr.write(`tradewatch: ${message}\n`);
  if (more.stack) process.stderr.write(`${more.stack}\n`);
  if (more.hint) process.stderr.write(`tradewatch: ${more.hint}\n`);
}

/**
 * Under json, commander's own messages (a usage error, the hint after it, help shown on an error) are collected into
 * `into` instead of written, for {@link writeExit} to put in one line; on the program and every subcommand.
 */
export function collectUsageOutput(program: Command, into: string[]): void {
  const visit = (c: Command) => {
    c.configureOutput({ writeErr: (s) => void into.push(s), outputError: (s) => void into.push(s) });
    c.commands.forEach(visit);
  };
  visit(program);
}

/**
 * SIGINT and SIGTERM for `run` and `ingest`: the first aborts the returned signal (its reason the signal's name), and
 * the command stops at its next safe point — lock released, staging folder removed, `run.interrupted` logged, exit 130
 * (SIGINT) or 143 (SIGTERM). A second signal stops at once, leaving the lock (stale once this process is gone) and
 * the staging folder to the next run. `dispose` removes the handlers.
 */
export function stopOnSignals(format: OutputFormat, command: string): { signal: AbortSignal; dispose: () => void } {
  const stop = new AbortController();
  const onSignal = (sig: StopSignal) => {
    const code = sig === 'SIGINT' ? EXIT.interrupted : EXIT.terminated;
    if (stop.signal.aborted) {
      const message = `second ${sig}: stopping now; the next run takes over the lock and removes the staging folder`;
      process.stderr.write(format === 'json' ? jsonLine('warn', 'run.stopped_at_once', { command, signal: sig, exit_code: code, message }) : `tradewatch: ${message}\n`);
      process.exit(code);
    }
    const message = `${sig}: stopping at the next safe point (lock released, staging removed); a second ${sig} stops at once`;
    process.stderr.write(format === 'json' ? jsonLine('warn', 'run.stopping', { command, signal: sig, message }) : `tradewatch: ${message}\n`);
    stop.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
