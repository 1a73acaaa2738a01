// pith-tex check [main.tex]: offline, fast consistency check of a stamped paper.
//
// Run before every build (the latexmk hook), so bin/pith-tex.js dispatches `check` straight
// here (runFromArgv) without commander, and the static imports below are only node built-ins
// and small first-party modules without dependencies (core json, check, paper, tex-edit).
// The full verifier (@noble/ed25519) is loaded only when the lean one does not say "verified",
// or when --trust-key is given; the receipt's signature is looked up among those verified
// before on this machine (io/signature-memo.ts) before node:crypto's Ed25519 is asked.
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  auxSaysBadgeNotPrinted,
  compareStamp,
  formatFinding,
  leanLockClaims,
  signatureMemoKey,
  type SignedMessage,
  stampedOfSty,
  type CheckInputs,
  type CheckReport,
} from '../core/check.js';
import { LOCK_FILE, STY_FILE } from '../core/file-names.js';
import { parseJson, type JsonValue } from '../core/json.js';
import type { PithLock } from '../core/lock.js';
import { splitFullNumber } from '../core/number.js';
import { inputFileNames, preambleFiles } from '../core/paper.js';
import { escapeForTerminal } from '../core/escape.js';
import { compileSha256Soon } from '../core/sha256.js';
import { analyzeTex } from '../core/tex-analysis.js';
import { decodeUtf8Lenient } from '../core/utf8.js';
import type { TitleVerdict } from '../core/title-match.js';
import { errorJson, EXIT, PithError, wantsJson } from '../errors.js';
import { isMissing, readBoundedBytesSync } from '../io/files.js';
import { findPaper } from '../io/paper-files.js';
import { printErr, printOut } from '../io/print.js';
import { rememberedAsVerified } from '../io/signature-memo.js';

export interface CheckOptions {
  json?: boolean;
  trustKey?: string[];
  /** Print nothing on success (the hook's mode). */
  quiet?: boolean;
  /** A title that does not match the record fails the check (exit 1). */
  strict?: boolean;
}

class CheckUsage extends PithError {}

/** Largest file the check reads: a .tex source (arXiv's whole upload is 50 MB), a lock, a pith.sty. */
const MAX_READ_BYTES = 64 * 1024 * 1024;

/** A file's text through the bounded reader (regular files only, exit 2), or null when it does not exist. */
function readText(file: string, what = 'file'): string | null {
  try {
    return decodeUtf8Lenient(readBoundedBytesSync(file, MAX_READ_BYTES, what));
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/**
 * The .aux of the last LaTeX run: true when pith.sty placed no badge, false when it did (or said
 * nothing), null when there is no readable .aux. pith.sty writes its marker at the end of the run,
 * so only the file's tail is read: bounded, regular files only, never blocking on a FIFO.
 */
export function badgeNotPrinted(auxFile: string): boolean | null {
  let fd: number;
  try {
    fd = openSync(auxFile, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return null;
    const length = Math.min(stat.size, 16 * 1024);
    const buf = Buffer.alloc(length);
    const read = readSync(fd, buf, 0, length, stat.size - length);
    return auxSaysBadgeNotPrinted(buf.subarray(0, read).toString('latin1'));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The lock as check reads it: its verdict for compareStamp, and the parsed document (null: absent or not JSON). */
interface LockInput {
  verdict: CheckInputs['lock'];
  document: JsonValue | null;
}

/** A receipt signature holds: remembered as verified, or verified now by node:crypto (and remembered). */
async function signatureHolds(signed: SignedMessage): Promise<boolean> {
  const key = signatureMemoKey(signed);
  if (rememberedAsVerified(key)) return true;
  const [{ leanVerifyEd25519 }, { rememberVerified }] = await Promise.all([
    import('../core/ed25519-node.js'),
    import('../io/signature-memo.js'),
  ]);
  const ok = leanVerifyEd25519(signed.signature, signed.message, signed.publicKey);
  if (ok) await rememberVerified(key);
  return ok;
}

async function lockInput(lockFile: string, options: CheckOptions): Promise<LockInput> {
  const text = readText(lockFile, LOCK_FILE);
  if (text === null) return { verdict: null, document: null };
  let value: JsonValue;
  try {
    value = parseJson(text);
  } catch (err) {
    const problems = [`not valid JSON (${(err as Error).message})`];
    return { verdict: { number: null, body: null, year: null, verified: false, problems }, document: null };
  }
  return { verdict: await lockVerdict(value, options), document: value };
}

async function lockVerdict(value: JsonValue, options: CheckOptions): Promise<CheckInputs['lock']> {
  const lean = options.trustKey?.length ? null : leanLockClaims(value);
  if (lean?.signed && (await signatureHolds(lean.signed))) {
    return { number: lean.number, body: lean.body, year: lean.year, verified: true, problems: [] };
  }
  // Slow path: the full verifier says what is wrong (and has the last word on signatures).
  const [lockMod, { loadTrustedKeys }, { ShapeError }, { failedCheckLines }] = await Promise.all([
    import('../core/lock.js'),
    import('../io/trust.js'),
    import('../core/record.js'),
    import('../core/verify.js'),
  ]);
  const trusted = await loadTrustedKeys(options.trustKey);
  try {
    const assertLock: (v: JsonValue) => asserts v is PithLock = lockMod.assertLock;
    assertLock(value);
    const report = lockMod.verifyLock(value, trusted);
    const problems = failedCheckLines(report);
    const num = report.pith_number ?? null;
    const parts = num ? splitFullNumber(num) : null;
    return { number: num, body: parts?.body ?? null, year: parts?.year ?? null, verified: report.ok, problems };
  } catch (err) {
    if (err instanceof ShapeError)
      return { number: null, body: null, year: null, verified: false, problems: [`${err.field}: expected ${err.expected}`] };
    throw err;
  }
}

/** Gather the three places and compare them. Throws CheckUsage (or PithError) for unreadable input. */
export async function checkPaper(
  paperArg: string | undefined,
  options: CheckOptions = {},
): Promise<CheckReport & { title?: TitleVerdict | null }> {
  // SHA-256's WebAssembly compiles in the background while the paper is read (it is first used by lockInput).
  const sha256Ready = compileSha256Soon();
  const paperFile = await findPaper(paperArg, process.cwd(), 'check');
  const dir = path.dirname(paperFile);
  const styText = readText(path.join(dir, STY_FILE), STY_FILE);
  const shown = path.relative(process.cwd(), paperFile) || paperFile;
  // The paper's \pithnumber values: in the root file and in the preamble files it \inputs (where
  // pith-tex stamp also looks), each with the file it is in.
  const rootText = readText(paperFile);
  if (rootText === null) throw new CheckUsage(`${paperFile}: no such file`);
  const analysed = (file: string, text: string) => ({ file, analysis: analyzeTex(text) });
  const root = analysed(path.resolve(paperFile), rootText);
  // Anything but a folder is what TeX would read: a FIFO or device there is refused by readText.
  const present = (f: string): boolean => {
    try {
      return !statSync(f).isDirectory();
    } catch {
      return false;
    }
  };
  const files = await preambleFiles(root, {
    resolve: (name) =>
      inputFileNames(name)
        .map((n) => path.resolve(dir, n))
        .find(present) ?? null,
    read: (file) => analysed(file, readText(file) ?? ''),
  });
  const paperNumbers: string[] = [];
  const paperNumberFiles: string[] = [];
  for (const { file, analysis } of files) {
    for (const n of analysis.numbers) {
      paperNumbers.push(n.value);
      paperNumberFiles.push(path.relative(process.cwd(), file) || file);
    }
  }
  await sha256Ready;
  const lock = await lockInput(path.join(dir, LOCK_FILE), options);
  const report = compareStamp({
    paper: shown,
    paperNumbers,
    paperNumberFiles,
    lock: lock.verdict,
    sty: styText === null ? null : stampedOfSty(styText),
    stampCommand: `pith-tex stamp ${shown}`,
  });
  const notPrinted = badgeNotPrinted(paperFile.replace(/(\.tex)?$/, '.aux'));
  if (notPrinted !== null) report.badge_printed = !notPrinted;
  if (report.status !== 'ok' || report.pith_number === null) return report;
  // All agree and the lock verified: is it the right paper?
  const record = (lock.document as { canonical_record?: unknown } | null)?.canonical_record;
  const { titleVerdictOfRecord } = await import('../core/title-match.js'); // off the static graph: check stays lean
  return { ...report, title: titleVerdictOfRecord(rootText, record, report.pith_number, shown, root.analysis.maskedPreamble) };
}

const BADGE_NOT_PRINTED = 'badge not printed: the last LaTeX run placed no badge; put \\pithbadge where it should appear';

export function formatReport(report: CheckReport): { out: string; err: string } {
  if (report.status === 'nothing-stamped') {
    return {
      out: '',
      err: `pith-tex: nothing stamped: ${report.paper} has no \pithnumber, and there is no ${LOCK_FILE} and no generated pith.sty beside it — fix: pith-tex stamp ${report.paper} --arxiv ID (or --bundle FILE)
`,
    };
  }
  if (report.status === 'ok') {
    return {
      out: `✓ ${report.pith_number}: ${report.paper}, pith.sty and ${LOCK_FILE} agree; record hash, number and receipt signature verified\n`,
      err: report.badge_printed === false ? `pith-tex: ${BADGE_NOT_PRINTED}\n` : '',
    };
  }
  return { out: '', err: report.findings.map((f) => `pith-tex: ✗ ${formatFinding(f)}\n`).join('') };
}

export async function run(paper: string | undefined, options: CheckOptions = {}): Promise<number> {
  let report: Awaited<ReturnType<typeof checkPaper>>;
  try {
    report = await checkPaper(paper, options);
  } catch (err) {
    const code = err instanceof CheckUsage ? EXIT.badInput : err instanceof PithError ? err.exitCode : null;
    if (code === null) throw err;
    const message = (err as Error).message;
    printErr(`pith-tex: ${escapeForTerminal(message)}\n`);
    if (options.json) printOut(errorJson(message, code));
    return code;
  }
  if (options.json) {
    printOut(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const { out, err } = formatReport(report);
    if (out && !options.quiet) printOut(escapeForTerminal(out + (report.title?.ok ? `  ${report.title.message}\n` : '')));
    if (err) printErr(escapeForTerminal(err));
  }
  if (report.title && !report.title.ok) {
    const { STRICT_HINT } = await import('../core/title-match.js');
    if (!options.json)
      printErr(`pith-tex check: ${options.strict ? `✗ ${report.title.message}` : `warning: ${report.title.message}${STRICT_HINT}`}\n`);
    if (options.strict) return EXIT.checkFailed;
  }
  return report.status === 'ok' ? EXIT.ok : report.status === 'mismatch' ? EXIT.checkFailed : EXIT.badInput;
}

/**
 * The fast entry point used by bin/pith-tex.js: `check [main.tex] [--json] [--quiet]
 * [--trust-key FILE]...`. Returns null for --help/-h so the caller hands over to commander.
 */
export async function runFromArgv(args: readonly string[]): Promise<number | null> {
  const options: CheckOptions = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--help' || a === '-h') return null;
    else if (a === '--json') options.json = true;
    else if (a === '--quiet' || a === '-q') options.quiet = true;
    else if (a === '--strict') options.strict = true;
    else if (a === '--trust-key' || a.startsWith('--trust-key=')) {
      const v = a === '--trust-key' ? args[++i] : a.slice('--trust-key='.length);
      if (!v) return usage('--trust-key needs a FILE', args);
      (options.trustKey ??= []).push(v);
    } else if (a === '--') (positionals.push(...args.slice(i + 1)), (i = args.length));
    else if (a.startsWith('-') && a !== '-') return usage(`unknown option ${a}`, args);
    else positionals.push(a);
  }
  if (positionals.length > 1) return usage(`too many arguments: ${positionals.join(' ')}`, args);
  return run(positionals[0], options);
}

function usage(message: string, args: readonly string[]): number {
  printErr(`pith-tex: ${escapeForTerminal(message)}\n(run pith-tex check --help for usage)\n`);
  if (wantsJson(args)) printOut(errorJson(message, EXIT.badInput));
  return EXIT.badInput;
}
