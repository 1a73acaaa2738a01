import { escapeForTerminal } from './core/escape.js';
import { printErr, printOut } from './io/print.js';

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

/** What each exit code means: the one table shown by every command's --help and in the README. */
export const EXIT_MEANINGS: Record<ExitCode, string> = {
  0: 'verified / all consistent / done',
  1: 'a check failed (hash, signature, number mismatch, an arXiv item)',
  2: 'bad input or usage (unreadable file, malformed JSON, wrong shape, bad option)',
  3: 'could not fetch (not found, resolver unreachable, offline with nothing cached)',
  4: 'refused to change a file (hand-edited pith.sty, locked by another stamp, read-only)',
};

/** The exit-code table as --help prints it. */
export const exitCodeHelp = (): string =>
  `Exit codes:\n${Object.entries(EXIT_MEANINGS)
    .map(([code, meaning]) => `  ${code}  ${meaning}`)
    .join('\n')}`;

const PITH_ERROR = Symbol.for('pith-tex.PithError');

/** An error for the user: one line that names the file, the field and the fix. */
export class PithError extends Error {
  readonly [PITH_ERROR] = true;
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.badInput,
  ) {
    super(message);
    this.name = 'PithError';
  }
  /** Each of the CLI's bundles (scripts/bundle.mjs) has its own copy of this class: `instanceof` goes by the mark. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [PITH_ERROR]?: unknown })[PITH_ERROR] === true;
  }
}

/** The stable name of an exit code in JSON errors: EXIT's own key in snake case (badInput → bad_input). */
function exitKind(exitCode: number): string {
  const key = Object.keys(EXIT).find((k) => EXIT[k as keyof typeof EXIT] === exitCode && exitCode !== EXIT.ok);
  return key === undefined ? 'internal' : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The --json form of an error, so a script reading stdout always gets JSON: the same one-line
 * message a person sees on stderr, its exit code and a stable name for that code.
 */
export function errorReport(message: string, exitCode: number): { ok: false; error: { exit_code: number; kind: string; message: string } } {
  return { ok: false, error: { exit_code: exitCode, kind: exitKind(exitCode), message } };
}

/** errorReport as the text written to stdout. */
export const errorJson = (message: string, exitCode: number): string => `${JSON.stringify(errorReport(message, exitCode), null, 2)}\n`;

/** Whether argv asks for JSON (an option before any `--`). */
export function wantsJson(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--json') return true;
  }
  return false;
}

/**
 * Report an error a command threw: a PithError as its one line and exit code, anything else as
 * an internal error (exit 70) with its stack. Under --json the error also goes to stdout as data.
 */
export function reportError(err: unknown, json: boolean): number {
  const known = err instanceof PithError;
  const message = known ? err.message : `internal error: ${(err as Error)?.message ?? String(err)}`;
  const line = known ? message : `internal error: ${(err as Error)?.stack ?? String(err)}`;
  printErr(`pith-tex: ${escapeForTerminal(line)}\n`);
  const code = known ? err.exitCode : 70;
  if (json) printOut(errorJson(message, code));
  return code;
}
