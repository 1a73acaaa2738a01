// Printing: --json as data on stdout, human text that reads as a checklist.
import { escapeForTerminal } from '../core/escape.js';
import type { Check } from '../core/verify.js';
import { printErr, printOut } from './print.js';

/**
 * Human output: every printer writes through these, so untrusted text (names from a bundle, a
 * resolver, a PDF or the paper's folder) reaches the terminal with its controls escaped.
 */
export const say = (text: string): void => printOut(escapeForTerminal(text));
export const sayErr = (text: string): void => printErr(escapeForTerminal(text));

export function printJson(value: unknown): void {
  printOut(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}

const useColour = (): boolean => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

const paint = (code: string, text: string): string => (useColour() ? `\u001b[${code}m${text}\u001b[0m` : text);

export const mark = {
  pass: () => paint('32', '✓'),
  fail: () => paint('31', '✗'),
  na: () => paint('2', '–'),
};

export function formatCheck(check: Check, idWidth: number): string {
  const symbol = check.status === 'pass' ? mark.pass() : check.status === 'fail' ? mark.fail() : mark.na();
  // The colour codes are ours; the id and detail are escaped before they are painted around.
  return `  ${symbol} ${escapeForTerminal(check.id.padEnd(idWidth))}  ${escapeForTerminal(check.detail)}`;
}

export function formatChecks(checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.id.length));
  return checks.map((c) => formatCheck(c, width)).join('\n');
}

export function warn(message: string): void {
  sayErr(`pith-tex: warning: ${message}\n`);
}

/**
 * Say on stderr when a record was verified against the user's cache rather than the paper's own
 * lock or a bundle file: the cache is this machine's, not the project's (the verdict still holds,
 * but a co-author without that cache would not reproduce it offline).
 */
export function noteRecordSource(source: { kind: string; location: string }): void {
  if (source.kind === 'cache') {
    sayErr(`pith-tex: note: verified against your cache (${source.location}), not a lock or bundle of the paper\n`);
  }
}
