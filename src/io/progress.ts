import cliProgress from 'cli-progress';

/** A progress sink for a long stage: total known up front, increments as work is done. */
export interface Progress {
  add(n: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr when it is a terminal (cli-progress), else a no-op: logs and pipes get no
 * bar noise. `unit` names what is counted (`MB`, `routes`).
 */
export function progressBar(label: string, total: number, unit: 'bytes' | 'items' = 'items'): Progress {
  if (!process.stderr.isTTY || total <= 0) return { add() {}, stop() {} };
  const scale = unit === 'bytes' ? 1 / 2 ** 20 : 1;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% {value}/{total} ${unit === 'bytes' ? 'MiB' : ''} eta {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let done = 0;
  bar.start(Math.ceil(total * scale), 0);
  return {
    add(n) {
      done += n;
      bar.update(Math.floor(done * scale));
    },
    stop() {
      bar.stop();
    },
  };
}
