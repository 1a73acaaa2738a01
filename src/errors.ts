// Exit codes and the one error type commands throw. Documented in the README and --help.
export const EXIT = {
  ok: 0,
  /** A verification or consistency check failed. */
  checkFailed: 1,
  /** Bad input or usage: unreadable file, malformed JSON, wrong shape, bad option. */
  badInput: 2,
  /** Could not fetch: not found, resolver unreachable, offline with nothing cached. */
  fetchFailed: 3,
  /** Refused to change a file: hand-edited pith.sty, locked by another stamp, read-only. */
  refused: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error for the user: one line that names the file, the field and the fix. */
export class PithError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.badInput,
  ) {
    super(message);
    this.name = 'PithError';
  }
}
