/** A structured event sink: the CLI prints events as text lines or JSON lines; tests collect them. */
export type Log = (event: string, fields?: Record<string, unknown>) => void;

/** A logger that writes readable lines to stderr (the CLI's default until a run asks for JSON). */
export function textLog(stream: NodeJS.WritableStream = process.stderr): Log {
  return (event, fields = {}) => {
    const parts = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    stream.write(`[tradewatch] ${event}${parts.length ? ' ' + parts.join(' ') : ''}\n`);
  };
}

/** A logger that drops everything (for tests and quiet runs). */
export const silentLog: Log = () => {};
