// pith-tex verify FILE… | DIR: check bundles or records against the pinned keys.
// One file: its checklist (or the --json report). Several files or a folder (a mirror's): one
// line per file in the order given and a summary (--json: one JSON object per line, the summary
// last), verified by worker threads, one per core (verify-worker.ts). Exit 0 when all verify,
// 1 when one fails, 2 when one is not a readable bundle or record.
import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { escapeForTerminal } from '../core/escape.js';
import type { TrustedKey } from '../core/keys.js';
import { ShapeError } from '../core/record.js';
import { failedCheckLines, verifyDocument, type VerifyReport } from '../core/verify.js';
import { errorReport, EXIT, PithError, reportError, wantsJson } from '../errors.js';
import { readJsonFile } from '../io/files.js';
import { formatChecks, mark, printJson, say } from '../io/output.js';
import { loadTrustedKeys } from '../io/trust.js';
import type { WorkerAnswer, WorkerBatch, WorkerInit } from './verify-worker.js';
import { printOut } from '../io/print.js';

export interface VerifyOptions {
  json?: boolean;
  trustKey?: string[];
}

export async function run(files: string | string[], options: VerifyOptions): Promise<number> {
  const args = typeof files === 'string' ? [files] : files;
  if (args.length === 1 && !isDirectory(args[0] as string)) return verifyOne(args[0] as string, options);
  return verifyMany(args, options);
}

// Synchronous: one stat does not need fs/promises and libuv's thread pool at start-up.
const isDirectory = (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

async function verifyOne(file: string, options: VerifyOptions): Promise<number> {
  const trusted = await loadTrustedKeys(options.trustKey);
  const doc = await readJsonFile(file, 'Pith bundle or record');
  let report;
  try {
    report = verifyDocument(doc, trusted);
  } catch (err) {
    if (err instanceof ShapeError) throw new PithError(`${file}: ${err.field}: expected ${err.expected}`, EXIT.badInput);
    throw err;
  }
  if (options.json) {
    printJson({ file, ...report });
  } else {
    const failed = report.checks.filter((c) => c.status === 'fail').length;
    const verdict = report.ok ? 'verified' : `NOT verified: ${failed} check${failed === 1 ? '' : 's'} failed`;
    const what =
      report.kind === 'bundle'
        ? 'bundle'
        : report.kind === 'receipt'
          ? `bare receipt (the registry's signature over canonical_sha256 ${report.canonical_sha256}; the record itself is not in the file)`
          : 'record (hash and number only; signatures not checked)';
    say(`${report.pith_number ?? '(no number)'}  ${verdict}\n${file}: ${what}\n`);
    printOut(`${formatChecks(report.checks)}\n`); // escaped inside, around its colour codes
  }
  return report.ok ? EXIT.ok : EXIT.checkFailed;
}

// ---------------------------------------------------------------------------------------------
// Many files.

/** What verifying one file gave: the report, or why the file is not a bundle or record at all. */
export type FileVerdict = { file: string; report: VerifyReport } | { file: string; error: { message: string; exitCode: number } };

export async function verifyFile(file: string, trusted: readonly TrustedKey[]): Promise<FileVerdict> {
  try {
    const doc = await readJsonFile(file, 'Pith bundle or record');
    return { file, report: verifyDocument(doc, trusted) };
  } catch (err) {
    if (err instanceof ShapeError)
      return { file, error: { message: `${file}: ${err.field}: expected ${err.expected}`, exitCode: EXIT.badInput } };
    if (err instanceof PithError) return { file, error: { message: err.message, exitCode: err.exitCode } };
    return { file, error: { message: `${file}: internal error: ${(err as Error)?.message ?? String(err)}`, exitCode: 70 } };
  }
}

/** The files named: a folder stands for its regular `.json` files (not links), sorted. */
async function listFiles(args: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const arg of args) {
    if (!isDirectory(arg)) {
      files.push(arg);
      continue;
    }
    const entries = await fs.readdir(arg, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      throw new PithError(`${arg}: cannot read the folder (${err.code ?? String(err)})`, EXIT.badInput);
    });
    const json = entries
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map((e) => e.name)
      .sort();
    if (json.length === 0)
      throw new PithError(`${arg}: no .json files in this folder; name bundle files or a folder that holds them`, EXIT.badInput);
    files.push(...json.map((name) => path.join(arg, name)));
  }
  return files;
}

/** Below this many files one thread is quicker than starting workers. */
const PARALLEL_MIN = 16;
/** Files per message to a worker: few messages, and the workers stay busy to the end. */
const BATCH = 8;

/** Verify `files`, calling `each` with every verdict (in any order) and its index. */
async function verifyAll(files: readonly string[], trusted: TrustedKey[], each: (index: number, v: FileVerdict) => void): Promise<void> {
  // Loaded here: one file never pays for threads.
  const [{ availableParallelism }, { Worker }] = await Promise.all([import('node:os'), import('node:worker_threads')]);
  const cores = availableParallelism();
  if (files.length < PARALLEL_MIN || cores < 2) {
    for (let i = 0; i < files.length; i++) each(i, await verifyFile(files[i] as string, trusted));
    return;
  }
  const script = new URL(import.meta.url.endsWith('.cjs') ? './verify-worker.cjs' : './verify-worker.js', import.meta.url);
  const workers = Array.from(
    { length: Math.min(cores, Math.ceil(files.length / BATCH)) },
    () => new Worker(script, { workerData: { pithVerifyWorker: true, trusted } satisfies WorkerInit }),
  );
  let next = 0;
  const send = (w: InstanceType<typeof Worker>): boolean => {
    if (next >= files.length) return false;
    w.postMessage({ first: next, files: files.slice(next, next + BATCH) } satisfies WorkerBatch);
    next += BATCH;
    return true;
  };
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let inFlight = 0;
            w.on('error', reject);
            w.on('message', (answer: WorkerAnswer) => {
              answer.verdicts.forEach((v, k) => each(answer.first + k, v));
              inFlight--;
              if (send(w)) inFlight++;
              if (inFlight === 0) resolve();
            });
            // Two batches each, so a worker never waits for the next one.
            for (let k = 0; k < 2; k++) if (send(w)) inFlight++;
            if (inFlight === 0) resolve();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** One file's line for people: the mark, then the untrusted text escaped (escapeForTerminal). */
function verdictLine(v: FileVerdict): string {
  if ('error' in v) return `${mark.fail()} ${escapeForTerminal(v.error.message)}`;
  const r = v.report;
  const failed = failedCheckLines(r);
  const verdict = !r.ok
    ? `NOT verified: ${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.join('; ')}`
    : r.kind === 'bundle'
      ? 'verified'
      : r.kind === 'receipt'
        ? 'bare receipt verified (the signature over canonical_sha256; no record in the file)'
        : 'record verified (hash and number only; signatures not checked)';
  return `${r.ok ? mark.pass() : mark.fail()} ${escapeForTerminal(`${r.pith_number ?? '(no number)'}  ${v.file}  ${verdict}`)}`;
}

const verdictJson = (v: FileVerdict): string =>
  JSON.stringify('error' in v ? { file: v.file, ...errorReport(v.error.message, v.error.exitCode) } : { file: v.file, ...v.report });

async function verifyMany(args: readonly string[], options: VerifyOptions): Promise<number> {
  const trusted = await loadTrustedKeys(options.trustKey);
  const files = await listFiles(args);
  const started = process.hrtime.bigint();
  const counts = { verified: 0, failed: 0, unreadable: 0 };
  // Verdicts arrive in any order; lines go out in the order of the files.
  const waiting = new Map<number, FileVerdict>();
  let printed = 0;
  await verifyAll(files, trusted, (index, v) => {
    if ('error' in v) counts.unreadable++;
    else if (v.report.ok) counts.verified++;
    else counts.failed++;
    waiting.set(index, v);
    let out = '';
    for (let w = waiting.get(printed); w !== undefined; w = waiting.get(printed)) {
      waiting.delete(printed++);
      out += `${options.json ? verdictJson(w) : verdictLine(w)}\n`;
    }
    if (out) printOut(out);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const ok = counts.verified === files.length;
  if (options.json) {
    const summary = {
      report: 'pith-tex/verify-summary',
      report_version: 1,
      ok,
      files: files.length,
      ...counts,
      seconds: Number(seconds.toFixed(3)),
    };
    printOut(`${JSON.stringify(summary)}\n`);
  } else {
    const rate = seconds > 0 ? `, ${(files.length / seconds).toFixed(0)} files/s` : '';
    const problems = [
      counts.failed && `${counts.failed} failed`,
      counts.unreadable && `${counts.unreadable} not readable as a bundle or record`,
    ].filter(Boolean);
    printOut(
      `${ok ? 'all verified' : problems.join(', ')}: ${counts.verified} of ${files.length} verified in ${seconds.toFixed(2)} s${rate}\n`,
    );
  }
  return counts.unreadable > 0 ? EXIT.badInput : counts.failed > 0 ? EXIT.checkFailed : EXIT.ok;
}

// ---------------------------------------------------------------------------------------------
// The fast entry point (bin/pith-tex.js), without commander.

/**
 * `verify FILE… [--json] [--trust-key FILE]…`. Returns null for anything else (--help, an unknown
 * option, no file) so the caller hands over to commander, which explains.
 */
export async function runFromArgv(args: readonly string[]): Promise<number | null> {
  const options: VerifyOptions = {};
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--json') options.json = true;
    else if (a === '--trust-key' || a.startsWith('--trust-key=')) {
      const v = a === '--trust-key' ? args[++i] : a.slice('--trust-key='.length);
      if (!v) return null;
      (options.trustKey ??= []).push(v);
    } else if (a === '--') (files.push(...args.slice(i + 1)), (i = args.length));
    else if (a.startsWith('-') && a !== '-') return null;
    else files.push(a);
  }
  if (files.length === 0) return null;
  try {
    return await run(files, options);
  } catch (err) {
    return reportError(err, wantsJson(args));
  }
}
