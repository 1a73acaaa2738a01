// pith-tex stamp [main.tex]: resolve and verify the paper's record, then write pith.sty,
// pith.lock.json and the two lines in the paper. docs/stamp.md explains every choice.
//
// Order of writes (so a crash midway leaves a state `pith-tex check` and pith.sty report clearly):
//   1. pith.sty     (the package; a paper that already loads pith keeps compiling)
//   2. pith.lock.json
//   3. \input preamble files holding the stamp, then the root file, last.
// A crash after 1-2 leaves the paper's old \pithnumber (or none) beside a new pith.sty and lock:
// pith.sty's stamped-number check and `pith-tex check` both say "run pith-tex stamp". The paper is
// never left loading a pith.sty that is not there. Each file is written atomically (old or new).
import { statSync } from 'node:fs';
import path from 'node:path';
import { LOCK_FILE, STY_FILE } from '../core/file-names.js';
import { lockFromBundle, serializeLock, type PithLock } from '../core/lock.js';
import { formatNumber, parsePithNumber, recordUrl, type PithNumber } from '../core/number.js';
import { parseQuery, QueryError, type Query } from '../core/query.js';
import { macroNumberMessage, type SignatureVerifier } from '../core/check.js';
import { verifyEd25519 } from '../core/keys.js';
import { ShapeError } from '../core/record.js';
import { readStampedSty, renderPithSty } from '../core/sty.js';
import { sameNumber, stampText, type StampContext } from '../core/tex-edit.js';
import { STRICT_HINT, titleVerdictOfRecord, type TitleVerdict } from '../core/title-match.js';
import { failedCheckLines, type VerifyReport } from '../core/verify.js';
import { encodeSource } from '../core/tex-encoding.js';
import { decodeUtf8Lenient } from '../core/utf8.js';
import { EXIT, PithError } from '../errors.js';
import { MAX_JSON_BYTES, readBoundedText, readOptionalBytes, writeTarget } from '../io/files.js';
import { readVerifiedBundle, readVerifiedLock } from '../io/local-sources.js';
import { noteRecordSource, printJson, say, sayErr } from '../io/output.js';
import { printOut } from '../io/print.js';
import { packageFile, toolVersion } from '../io/package-files.js';
import {
  acquireFolderLock,
  assertWritable,
  encodeLike,
  findPaper,
  paperSources,
  readSource,
  removeStaleTemps,
  writeBytes,
  type PaperSource,
  type SourceFile,
} from '../io/paper-files.js';
import { rememberingVerifier } from '../io/signature-memo.js';
import { loadTrustedKeys } from '../io/trust.js';

export interface StampOptions {
  bundle?: string;
  number?: string;
  arxiv?: string;
  doi?: string;
  trustKey?: string[];
  offline?: boolean;
  resolver?: string;
  force?: boolean;
  dryRun?: boolean;
  json?: boolean;
  /** A title that does not match the record is an error (exit 1), not a warning. */
  strict?: boolean;
  /** Seconds to wait for another stamp of the same folder (default 10; 0 refuses at once). */
  wait?: string;
  /** Accept a bundle older than one verified before (anti-rollback). */
  allowOlder?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Test hook: PITH_TEX_TEST_CRASH_AT=<point> kills the process (SIGKILL) at that point, e.g.
// `sty:temp-written`, `lock:renamed`, `after-lock`, `paper:temp-synced` (test/crash.test.ts).
function crashPoint(point: string): void {
  if (process.env.PITH_TEX_TEST_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
const stepHook = (label: string) => (step: string) => crashPoint(`${label}:${step}`);

// ---------------------------------------------------------------------------------------------
// Choosing the record.

interface ChosenRecord {
  lock: PithLock;
  number: PithNumber;
  /** Where it came from, for the message. */
  from: string;
}

const failedChecks = (report: VerifyReport): string =>
  failedCheckLines(report)
    .map((l) => `  ✗ ${l}`)
    .join('\n');

function numberOfLock(lock: PithLock): PithNumber {
  const parsed = parsePithNumber(lock.pith_number);
  if (parsed.kind !== 'full' || parsed.year === null) throw new ShapeError('pith_number', 'pith:YEAR:BODY');
  return { body: parsed.body, year: parsed.year, full: formatNumber(parsed) };
}

async function fromBundleFile(file: string, options: StampOptions, verify: SignatureVerifier): Promise<ChosenRecord> {
  const { bundle } = await readVerifiedBundle(file, await loadTrustedKeys(options.trustKey), verify);
  try {
    const lock = lockFromBundle(bundle);
    return { lock, number: numberOfLock(lock), from: `bundle ${file}` };
  } catch (err) {
    if (err instanceof ShapeError) throw new PithError(`${file}: ${err.field}: expected ${err.expected}`, EXIT.badInput);
    throw err;
  }
}

async function fromLockFile(file: string, options: StampOptions, verify: SignatureVerifier): Promise<ChosenRecord> {
  const { lock, report } = await readVerifiedLock(file, await loadTrustedKeys(options.trustKey), verify);
  if (!report.ok)
    throw new PithError(`${file}: the lock file does not verify; nothing was changed\n${failedChecks(report)}`, EXIT.checkFailed);
  return { lock, number: numberOfLock(lock), from: `lock ${path.basename(file)}` };
}

/**
 * A query (--number/--arxiv/--doi, or the paper's own \pithnumber) through src/io/resolve.ts:
 * the same sources and verification as `pith-tex resolve`.
 */
async function fromQuery(raw: string, options: StampOptions, dir: string, verify: SignatureVerifier): Promise<ChosenRecord> {
  let query: Query;
  try {
    query = parseQuery(raw);
  } catch (err) {
    if (err instanceof QueryError) throw new PithError(err.message, EXIT.badInput);
    throw err;
  }
  // Loaded only when a query is resolved (a --bundle stamp never needs the HTTP client).
  const { resolveQuery } = await import('../io/resolve.js');
  const trusted = await loadTrustedKeys(options.trustKey);
  const resolved = await resolveQuery(query, {
    trusted,
    verify,
    dir,
    ...(options.offline ? { offline: true } : {}),
    ...(options.allowOlder ? { allowOlder: true } : {}),
    ...(options.resolver !== undefined ? { resolver: options.resolver } : {}),
    progress: Boolean(process.stderr.isTTY),
  });
  noteRecordSource(resolved.source);
  const lock = resolved.lock ?? (resolved.bundle ? lockFromBundle(resolved.bundle) : null);
  if (!lock) throw new PithError(`${raw}: the resolver gave no signed bundle or lock to stamp with; pass --bundle FILE`, EXIT.fetchFailed);
  return { lock, number: numberOfLock(lock), from: `${resolved.source.kind} ${resolved.source.location}` };
}

async function chooseRecord(
  options: StampOptions,
  dir: string,
  sources: readonly PaperSource[],
  verify: SignatureVerifier,
): Promise<ChosenRecord> {
  const paperFile = (sources[0] as PaperSource).file;
  const given = (['bundle', 'number', 'arxiv', 'doi'] as const).filter((k) => options[k] !== undefined);
  if (given.length > 1)
    throw new PithError(`give one of --bundle, --number, --arxiv, --doi (got ${given.map((g) => `--${g}`).join(', ')})`, EXIT.badInput);
  if (options.bundle !== undefined) return fromBundleFile(options.bundle, options, verify);
  if (options.number !== undefined) return fromQuery(options.number, options, dir, verify);
  if (options.arxiv !== undefined) return fromQuery(options.arxiv, options, dir, verify);
  if (options.doi !== undefined) return fromQuery(options.doi, options, dir, verify);
  const lockFile = path.join(dir, LOCK_FILE);
  const written = firstNumber(sources);
  if (written && written.value.includes('\\'))
    throw new PithError(`${macroNumberMessage(rel(written.file), written.value)}; nothing was changed`, EXIT.badInput);
  if (exists(lockFile)) {
    const fromLock = await fromLockFile(lockFile, options, verify);
    // The paper names another record than the lock (edited by hand, or a stamp cut short):
    // which one is meant is the author's call, not ours.
    if (written && !sameNumber(written.value, fromLock.number.body, fromLock.number.year)) {
      throw new PithError(
        `${rel(written.file)} has \\pithnumber{${written.value.trim()}} but ${LOCK_FILE} holds ${fromLock.number.full}; nothing was changed. ` +
          `Say which record: pith-tex stamp ${rel(paperFile)} --number ${fromLock.number.full} keeps the lock's; pith-tex stamp ${rel(paperFile)} --number ${written.value.trim()} stamps the paper's`,
        EXIT.badInput,
      );
    }
    return fromLock;
  }
  if (written) return fromQuery(written.value.trim(), options, dir, verify);
  throw new PithError(
    `which record? pith-tex stamp ${rel(paperFile)} --arxiv ID (or --bundle FILE, the signed bundle from the record's page, --number pith:YEAR:BODY or --doi DOI); later stamps read pith.lock.json`,
    EXIT.badInput,
  );
}

/** The first code `\\pithnumber{...}` among the paper's files (root first), with its file. */
function firstNumber(sources: readonly PaperSource[]): { file: string; value: string } | null {
  for (const src of sources) {
    const n = src.analysis.numbers[0];
    if (n) return { file: src.file, value: n.value };
  }
  return null;
}

const exists = (file: string): boolean => statSync(file, { throwIfNoEntry: false }) !== undefined;

// ---------------------------------------------------------------------------------------------
// Planning and writing.

/** One file the stamp writes: its old bytes (null: new), its new bytes and what changes, in words. */
export interface PlannedFile {
  file: string;
  label: 'sty' | 'lock' | 'input' | 'paper';
  old: Uint8Array | null;
  data: Uint8Array;
  oldText: string;
  newText: string;
  /** The file's encoding, so a Latin-1 file's patch is written in Latin-1 (it applies byte for byte). */
  encoding: SourceFile['encoding'];
  details: string[];
}

/** What a stamp will do: the files in write order (pith.sty, lock, \input files, the root last). */
export interface StampPlan {
  paper: string;
  dir: string;
  number: PithNumber;
  from: string;
  files: PlannedFile[];
  /** Is this the right paper: the root file's \title against the record's title hash. */
  title: TitleVerdict | null;
}

/** Everything planStamp decides from: the record, the paper's files and the old generated files. */
export interface StampState {
  paper: string;
  dir: string;
  chosen: ChosenRecord;
  sources: readonly PaperSource[];
  /** The pith.sty this pith-tex generates for the record. */
  styText: string;
  version: string;
  oldSty: Uint8Array | null;
  oldLock: Uint8Array | null;
  force: boolean;
}

function planTex(sources: readonly PaperSource[], number: PithNumber): { file: SourceFile; text: string; actions: string[] }[] {
  const info = sources.map((s) => ({ src: s, pkg: s.analysis.pithPackage !== null, num: s.analysis.numbers.length > 0 }));
  const root = info[0] as (typeof info)[number];
  // The stamp's home: the root, unless only an \input preamble file holds (part of) it.
  const home = root.pkg || root.num ? root : (info.find((i) => i.pkg || i.num) ?? root);
  return info.map((i) => {
    const others = info.filter((o) => o !== i);
    const ctx: StampContext =
      i === home
        ? { year: number.year, packageElsewhere: others.some((o) => o.pkg), numberElsewhere: others.some((o) => o.num) }
        : { year: number.year, packageElsewhere: true, numberElsewhere: true };
    const r = stampText(i.src.text, number.body, ctx, i.src.analysis);
    return { file: i.src, text: r.text, actions: r.actions };
  });
}

const rel = (file: string): string => {
  const r = path.relative(process.cwd(), file);
  return r === '' ? file : r.startsWith('..') && path.isAbsolute(file) ? file : r;
};

export async function run(file: string | undefined, options: StampOptions): Promise<number> {
  const paper = await findPaper(file, process.cwd());
  const dir = path.dirname(paper);
  let waitMs = Number(process.env.PITH_TEX_LOCK_WAIT_MS ?? 10_000);
  if (options.wait !== undefined) {
    const seconds = Number(options.wait);
    if (options.wait.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
      throw new PithError(
        `--wait ${options.wait}: expected a number of seconds (0 refuses at once when another stamp holds the folder)`,
        EXIT.badInput,
      );
    }
    waitMs = seconds * 1000;
  }
  // null: the folder cannot be written (the lock file cannot be made); a stamp with nothing to
  // change still reports so, and any write is refused before it starts (assertWritable).
  const release = options.dryRun ? null : await acquireFolderLock(dir, { waitMs: Number.isFinite(waitMs) ? waitMs : 10_000 });
  // Signatures verified before on this machine are found in the cache's memory of them (a stamp run
  // again, like the check before each build, skips OpenSSL's set-up); what verifies now is
  // remembered once the stamp has done its work (io/signature-memo.ts).
  const memo = rememberingVerifier(verifyEd25519);
  try {
    const state = await readStampState(paper, dir, options, memo.verify);
    const plan = planStamp(state);
    titleWarning(plan, Boolean(options.strict));
    if (options.dryRun) {
      await reportDryRun(plan, Boolean(options.json));
      await memo.save();
      return EXIT.ok;
    }
    await applyPlan(
      plan,
      state.sources.map((s) => path.basename(s.file)),
    );
    reportStamp(plan, Boolean(options.json));
    await memo.save();
    return EXIT.ok;
  } finally {
    await release?.();
  }
}

/** Read what the plan is made from: the paper's files, the record, the old pith.sty and lock. */
async function readStampState(paper: string, dir: string, options: StampOptions, verify: SignatureVerifier): Promise<StampState> {
  const root = await readSource(paper);
  const sources = await paperSources(root);
  const chosen = await chooseRecord(options, dir, sources, verify);
  const { number, lock } = chosen;
  const version = toolVersion();
  // Through the bounded reader: a lock or pith.sty that is a FIFO, a device or a folder is exit 2.
  const readOld = (name: string): Promise<Uint8Array | null> => readOptionalBytes(path.join(dir, name), MAX_JSON_BYTES, name);
  const [templateText, packageSource, oldSty, oldLock] = await Promise.all([
    readBoundedText(packageFile('templates', 'pith.sty.hbs'), 1 << 20, 'pith.sty template'),
    readBoundedText(packageFile('tex', 'pith.sty'), 1 << 20, 'pith.sty package source'),
    readOld(STY_FILE),
    readOld(LOCK_FILE),
  ]);
  const styText = renderPithSty({
    templateText,
    packageSource,
    values: {
      body: number.body,
      year: number.year,
      number: number.full,
      // The registry's own address, never --resolver: a mirror or a test server must not end up
      // in the PDF (docs/stamp.md).
      recordUrl: recordUrl(number.body),
      canonicalSha256: lock.canonical_sha256,
      toolVersion: version,
    },
  });
  return { paper, dir, chosen, sources, styText, version, oldSty, oldLock, force: Boolean(options.force) };
}

const decode = (bytes: Uint8Array | null): string => (bytes ? decodeUtf8Lenient(bytes) : '');

/** What happens to pith.sty: [] (unchanged) or one word; throws exit 4 for a copy that is not ours. */
function styChange(state: StampState): string[] {
  const { oldSty, styText, force, version } = state;
  if (!oldSty) return ['written'];
  const styFile = path.join(state.dir, STY_FILE);
  const oldStyText = decode(oldSty);
  const info = readStampedSty(oldStyText);
  if (!info.generatedByPithTex && !force) {
    throw new PithError(
      `${rel(styFile)}: was not generated by pith-tex (your own or a CTAN copy?); left alone, nothing was changed. Move it away, or pass --force to replace it`,
      EXIT.refused,
    );
  }
  if (info.edited && !force) {
    throw new PithError(
      `${rel(styFile)}: was edited by hand after pith-tex generated it; left alone, nothing was changed. Pass --force to regenerate it (the edits are lost), or keep your copy and stamp elsewhere`,
      EXIT.refused,
    );
  }
  if (oldStyText === styText) return [];
  if (!info.generatedByPithTex || info.edited) return ['replaced (--force)'];
  return info.toolVersion !== undefined && info.toolVersion !== version ? [`upgraded from pith-tex ${info.toolVersion}`] : ['updated'];
}

/**
 * Decide every write of the stamp, in the order it is made: pith.sty, the lock, the \input
 * preamble files, the root file last (see the top of this file). Pure: reads nothing, writes
 * nothing; throws exit 4 when pith.sty is not ours to replace.
 */
export function planStamp(state: StampState): StampPlan {
  const { number, lock, from } = state.chosen;
  const enc = new TextEncoder();
  const files: PlannedFile[] = [];
  const styDetails = styChange(state);
  if (styDetails.length > 0) {
    const file = path.join(state.dir, STY_FILE);
    files.push({
      file,
      label: 'sty',
      old: state.oldSty,
      data: enc.encode(state.styText),
      oldText: decode(state.oldSty),
      newText: state.styText,
      encoding: 'utf-8',
      details: styDetails,
    });
  }
  const lockText = serializeLock(lock);
  const oldLockText = decode(state.oldLock);
  if (oldLockText !== lockText) {
    const file = path.join(state.dir, LOCK_FILE);
    files.push({
      file,
      label: 'lock',
      old: state.oldLock,
      data: enc.encode(lockText),
      oldText: oldLockText,
      newText: lockText,
      encoding: 'utf-8',
      details: [state.oldLock ? 'updated' : 'written'],
    });
  }
  const texPlans = planTex(state.sources, number);
  const [rootPlan, ...inputPlans] = texPlans as [(typeof texPlans)[number], ...typeof texPlans];
  for (const p of [...inputPlans, rootPlan]) {
    if (p.text === p.file.text) continue;
    files.push({
      file: p.file.file,
      label: p === rootPlan ? 'paper' : 'input',
      old: encodeSource(p.file),
      data: encodeLike(p.file, p.text),
      oldText: p.file.text,
      newText: p.text,
      encoding: p.file.encoding,
      details: p.actions,
    });
  }
  const root = state.sources[0];
  // The title from the masked preamble the analysis already holds: masking a 50 MB source
  // again would double stamp's memory.
  const record = state.chosen.lock.canonical_record;
  const title = root ? titleVerdictOfRecord(root.text, record, number.full, rel(state.paper), root.analysis.maskedPreamble) : null;
  return { paper: state.paper, dir: state.dir, number, from, files, title };
}

/**
 * Make the plan's writes, each atomic, in plan order, after refusing (exit 4) if any target or
 * its folder is read-only. The caller holds the folder lock. Crash points for test/crash.test.ts.
 */
export async function applyPlan(plan: StampPlan, sourceNames: readonly string[]): Promise<void> {
  await removeStaleTemps(plan.dir, [STY_FILE, LOCK_FILE, ...sourceNames]);
  // Refused before anything is written: a link leaving the paper's folder (exit 4, naming it).
  for (const p of plan.files) await writeTarget(p.file, plan.dir);
  for (const p of plan.files) await assertWritable(p.file, p.old !== null);
  for (const p of plan.files) {
    await writeBytes(p.file, p.data, stepHook(p.label), plan.dir);
    crashPoint(`after-${p.label}`);
  }
}

/** The order a reader (and `patch`) sees the files: the root file first, the lock last. */
const PATCH_ORDER: Record<PlannedFile['label'], number> = { paper: 0, input: 1, sty: 2, lock: 3 };

/**
 * The plan as a patch that `patch -p1` applies in the paper's folder: `a/` and `b/` paths
 * relative to that folder, `/dev/null` for a new file. One byte array per file, each in its
 * file's encoding, so a Latin-1 paper's patch matches its bytes.
 */
export async function formatPatch(plan: StampPlan): Promise<Uint8Array[]> {
  const { unifiedDiff } = await import('../core/patch.js'); // the diff library: only a dry run needs it
  const files = [...plan.files].sort((a, b) => PATCH_ORDER[a.label] - PATCH_ORDER[b.label]);
  return files.map((p) => {
    const name = path.relative(plan.dir, p.file).split(path.sep).join('/');
    const text = unifiedDiff(p.oldText, p.newText, p.old === null ? '/dev/null' : `a/${name}`, `b/${name}`);
    return p.encoding === 'latin1' ? encodeLike({ text: '', encoding: 'latin1', bom: false }, text) : new TextEncoder().encode(text);
  });
}

function summaryOf(plan: StampPlan, dryRun: boolean) {
  return {
    paper: rel(plan.paper),
    pith_number: plan.number.full,
    record_from: plan.from,
    dry_run: dryRun,
    changed: plan.files.map((p) => ({ file: rel(p.file), what: p.details })),
    title: plan.title && { status: plan.title.status, message: plan.title.message },
  };
}

/** A title that does not match the record: a warning, or under --strict an error before any write. */
function titleWarning(plan: StampPlan, strict: boolean): void {
  const t = plan.title;
  if (!t || t.ok) return;
  if (strict) throw new PithError(`${t.message}; nothing was changed (--strict)`, EXIT.checkFailed);
  sayErr(`pith-tex: warning: ${t.message}${STRICT_HINT}\n`);
}

/** --dry-run: the patch on stdout (nothing else, so it can be piped to `patch -p1`), a summary on stderr. */
async function reportDryRun(plan: StampPlan, json: boolean): Promise<void> {
  const patch = await formatPatch(plan);
  if (json) {
    printJson({ ...summaryOf(plan, true), diffs: patch.map((b) => decodeUtf8Lenient(b)) });
    return;
  }
  for (const bytes of patch) printOut(bytes);
  sayErr(
    plan.files.length === 0
      ? `Already stamped with ${plan.number.full}; nothing to do\n`
      : `Dry run: would change ${plan.files.map((p) => rel(p.file)).join(', ')} for ${plan.number.full}; nothing was written (apply with: patch -p1 in ${rel(plan.dir) || '.'})\n`,
  );
}

function reportStamp(plan: StampPlan, json: boolean): void {
  if (json) {
    printJson(summaryOf(plan, false));
    return;
  }
  const { number, files } = plan;
  const titleLine = plan.title?.ok ? `  ${plan.title.message}\n` : '';
  if (files.length === 0) {
    say(`Already stamped with ${number.full}; nothing to do\n${titleLine}`);
    return;
  }
  const paperFiles = files.filter((p) => p.label === 'paper' || p.label === 'input');
  const extras = files
    .filter((p) => p.label === 'sty' || p.label === 'lock')
    .map((p) => `${p.label === 'sty' ? 'pith.sty' : 'lock'} ${p.details.join(', ')}`);
  const lead =
    paperFiles.length > 0 ? `Stamped ${rel(plan.paper)} with ${number.full}` : `${rel(plan.paper)} already carries ${number.full}`;
  say(`${lead}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}\n`);
  for (const p of paperFiles) for (const d of p.details) say(`  ${rel(p.file)}: ${d}\n`);
  say(titleLine);
}
