/** Exit codes that schedulers rely on (see the README and ../shared/docs/contracts.md). */
export const EXIT = {
  ok: 0,
  failed: 1,
  badInput: 2,
  locked: 3,
  /** `fetch` stopped at the API's daily call quota with its state saved: rerun later to resume. */
  quota: 4,
  /** `run` or `ingest` stopped by SIGINT (128 + 2): lock released, staging folder removed, nothing published. */
  interrupted: 130,
  /** `run` or `ingest` stopped by SIGTERM (128 + 15): lock released, staging folder removed, nothing published. */
  terminated: 143,
} as const;

/** Bad usage or configuration: exit 2, nothing written. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = EXIT.badInput;
}

/** Bad input data (unreadable file, unknown layout, missing column, too many rejects): exit 2, nothing written. */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly exitCode = EXIT.badInput;
}

/** `schedule --once` ended with jobs that failed after their retries (exit 1); each was already logged `schedule.failed`. */
export class ScheduledRunsFailedError extends Error {
  override readonly name = 'ScheduledRunsFailedError';
  readonly exitCode = EXIT.failed;
  /** The failures are in the log already: not a failure of tradewatch itself. */
  readonly reported = true;
  constructor(readonly jobs: string[]) {
    super(`schedule --once: ${jobs.length} job(s) failed after their retries: ${jobs.join(', ')} (see schedule.failed in the log)`);
  }
}

/** Errno codes that say the machine refused (disk full, read-only, permissions, too many files), not tradewatch. */
const ENVIRONMENT_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EMFILE', 'ENFILE', 'EIO', 'EBUSY', 'EXDEV']);

/**
 * The environment refused an operation on a path (a full or read-only disk, missing permissions): exit 1, with the
 * path and what to check, never "report it".
 */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
  readonly exitCode = EXIT.failed;
  constructor(
    readonly code: string,
    readonly path: string | null,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The system error `e` as an {@link EnvironmentError} when its errno is one of the machine's refusals (the path
 * from the error, else `path`); any other error as it is.
 */
export function asEnvironmentError(e: unknown, path?: string): unknown {
  if (e instanceof EnvironmentError || !e || typeof e !== 'object' || !('code' in e) || typeof e.code !== 'string' || !ENVIRONMENT_CODES.has(e.code)) return e;
  const where = ('path' in e && typeof e.path === 'string' ? e.path : null) ?? path ?? null;
  const what: Record<string, string> = {
    ENOSPC: 'the disk is full', EDQUOT: 'the disk quota is used up', EROFS: 'the file system is read-only', EACCES: 'permission denied',
    EPERM: 'operation not permitted', EMFILE: 'too many open files', ENFILE: 'too many open files on the system', EIO: 'an I/O error',
    EBUSY: 'the resource is busy', EXDEV: 'a rename across file systems',
  };
  const syscall = 'syscall' in e && typeof e.syscall === 'string' ? `${e.syscall} ` : '';
  return new EnvironmentError(
    e.code,
    where,
    `cannot ${syscall}${where ?? '(path unknown)'}: ${what[e.code]} (${e.code}); check the disk and permissions of that folder, then rerun`,
  );
}

/** The exit code for an error thrown anywhere in a run. */
export function exitCodeOf(err: unknown): number {
  if (err && typeof err === 'object' && 'exitCode' in err && typeof err.exitCode === 'number') return err.exitCode;
  return EXIT.failed;
}

/** The signals that stop a `run` or an `ingest` cleanly. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * A `run` or `ingest` stopped by SIGINT or SIGTERM at a safe point: its lock released and its staging folder removed
 * (logged `run.interrupted`), nothing published by the part that was stopped. Exit 130 (SIGINT) or 143 (SIGTERM).
 */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  readonly exitCode: number;
  /** Logged as `run.interrupted` already: not a failure of tradewatch itself. */
  readonly reported = true;
  constructor(
    readonly signal: StopSignal,
    what: string,
  ) {
    super(`${what}: stopped by ${signal}; lock released and staging folder removed, nothing of the stopped run was published`);
    this.exitCode = signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated;
  }
}

/** Throws {@link InterruptedError} when `signal` was aborted (its reason is the signal's name; SIGTERM when it is not one). */
export function throwIfInterrupted(signal: AbortSignal | undefined, what: string): void {
  if (!signal?.aborted) return;
  throw new InterruptedError(signal.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM', what);
}
