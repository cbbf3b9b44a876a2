/** Exit codes that schedulers rely on (see the README and ../shared/docs/contracts.md). */
export const EXIT = {
  ok: 0,
  failed: 1,
  badInput: 2,
  locked: 3,
  /** `fetch` stopped at the API's daily call quota with its state saved: rerun later to resume. */
  quota: 4,
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

/** The exit code for an error thrown anywhere in a run. */
export function exitCodeOf(err: unknown): number {
  if (err && typeof err === 'object' && 'exitCode' in err && typeof err.exitCode === 'number') return err.exitCode;
  return EXIT.failed;
}
