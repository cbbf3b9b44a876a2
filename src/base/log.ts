import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * A structured event sink: `event` is a short dotted name (`stage.done`), `fields` the numbers and names
 * that go with it (run id, pipeline, partition, stage, counts, duration). Warnings carry `level: 'warn'`.
 */
export type Log = (event: string, fields?: Record<string, unknown>) => void;

/** Log line formats of the CLI's `--log-format`. */
export type LogFormat = 'text' | 'json';

/**
 * A pino-backed logger on stderr (stdout stays for results): readable lines for people, or one JSON
 * object per event for log shippers (`level` a word: `info`, `warn`, `error`; `time` ISO 8601; `event`).
 * Writes synchronously so nothing is lost when the process exits.
 */
export function cliLog(format: LogFormat = 'text', base: Record<string, unknown> = {}): Log {
  const logger: Logger =
    format === 'json'
      ? pino(
          // levels as words ("info", "warn", "error"), as in every other line the CLI writes under --log-format json
          { base: { ...base }, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'event', formatters: { level: (label) => ({ level: label }) } },
          pino.destination({ fd: 2, sync: true }),
        )
      : pino(
          { base: { ...base }, messageKey: 'event' },
          pretty({
            destination: 2,
            sync: true,
            colorize: Boolean(process.stderr.isTTY),
            ignore: 'pid,hostname,run_id',
            messageKey: 'event',
            translateTime: 'SYS:HH:MM:ss',
            singleLine: true,
          }),
        );
  return (event, fields = {}) => {
    const { level, ...rest } = fields;
    if (level === 'warn') logger.warn(rest, event);
    else if (level === 'error') logger.error(rest, event);
    else logger.info(rest, event);
  };
}

/** A logger that keeps events in memory (tests read them back). */
export function memoryLog(): Log & { events: { event: string; fields: Record<string, unknown> }[] } {
  const events: { event: string; fields: Record<string, unknown> }[] = [];
  const log = ((event: string, fields: Record<string, unknown> = {}) => {
    events.push({ event, fields });
  }) as Log & { events: typeof events };
  log.events = events;
  return log;
}

/** A logger that drops everything. */
export const silentLog: Log = () => {};
