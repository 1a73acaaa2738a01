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
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LOCK_FILE, lockFromBundle, serializeLock, type PithLock } from '../core/lock.js';
import { formatNumber, parsePithNumber, recordUrl, type PithNumber } from '../core/number.js';
import { parseQuery, QueryError, type Query } from '../core/query.js';
import { ShapeError } from '../core/record.js';
import { readStampedSty, renderPithSty } from '../core/sty.js';
import { sameNumber, stampText, unifiedDiff, type StampContext } from '../core/tex-edit.js';
import { STRICT_HINT, titleVerdictOfRecord } from '../core/title-match.js';
import { failedCheckLines, type VerifyReport } from '../core/verify.js';
import { EXIT, PithError } from '../errors.js';
import { readBoundedText } from '../io/files.js';
import { readVerifiedBundle, readVerifiedLock } from '../io/local-sources.js';
import { printJson } from '../io/output.js';
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
}

export const STY_FILE = 'pith.sty';

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

const failedChecks = (report: VerifyReport): string => failedCheckLines(report).map((l) => `  ✗ ${l}`).join('\n');

function numberOfLock(lock: PithLock): PithNumber {
  const parsed = parsePithNumber(lock.pith_number);
  if (parsed.kind !== 'full' || parsed.year === null) throw new ShapeError('pith_number', 'pith:YEAR:BODY');
  return { body: parsed.body, year: parsed.year, full: formatNumber(parsed) };
}

async function fromBundleFile(file: string, options: StampOptions): Promise<ChosenRecord> {
  const { bundle } = await readVerifiedBundle(file, await loadTrustedKeys(options.trustKey));
  try {
    const lock = lockFromBundle(bundle);
    return { lock, number: numberOfLock(lock), from: `bundle ${file}` };
  } catch (err) {
    if (err instanceof ShapeError) throw new PithError(`${file}: ${err.field}: expected ${err.expected}`, EXIT.badInput);
    throw err;
  }
}

async function fromLockFile(file: string, options: StampOptions): Promise<ChosenRecord> {
  const { lock, report } = await readVerifiedLock(file, await loadTrustedKeys(options.trustKey));
  if (!report.ok) throw new PithError(`${file}: the lock file does not verify; nothing was changed\n${failedChecks(report)}`, EXIT.checkFailed);
  return { lock, number: numberOfLock(lock), from: `lock ${path.basename(file)}` };
}

/**
 * A query (--number/--arxiv/--doi, or the paper's own \pithnumber) through src/io/resolve.ts:
 * the same sources and verification as `pith-tex resolve`.
 */
async function fromQuery(raw: string, options: StampOptions, dir: string): Promise<ChosenRecord> {
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
    dir,
    ...(options.offline ? { offline: true } : {}),
    ...(options.resolver !== undefined ? { resolver: options.resolver } : {}),
    progress: Boolean(process.stderr.isTTY),
  });
  const lock = resolved.lock ?? (resolved.bundle ? lockFromBundle(resolved.bundle) : null);
  if (!lock) throw new PithError(`${raw}: the resolver gave no signed bundle or lock to stamp with; pass --bundle FILE`, EXIT.fetchFailed);
  return { lock, number: numberOfLock(lock), from: `${resolved.source.kind} ${resolved.source.location}` };
}

async function chooseRecord(options: StampOptions, dir: string, sources: readonly PaperSource[]): Promise<ChosenRecord> {
  const given = (['bundle', 'number', 'arxiv', 'doi'] as const).filter((k) => options[k] !== undefined);
  if (given.length > 1) throw new PithError(`give one of --bundle, --number, --arxiv, --doi (got ${given.map((g) => `--${g}`).join(', ')})`, EXIT.badInput);
  if (options.bundle !== undefined) return fromBundleFile(options.bundle, options);
  if (options.number !== undefined) return fromQuery(options.number, options, dir);
  if (options.arxiv !== undefined) return fromQuery(options.arxiv, options, dir);
  if (options.doi !== undefined) return fromQuery(options.doi, options, dir);
  const lockFile = path.join(dir, LOCK_FILE);
  const written = firstNumber(sources);
  if (await exists(lockFile)) {
    const fromLock = await fromLockFile(lockFile, options);
    // The paper names another record than the lock (edited by hand, or a stamp cut short):
    // which one is meant is the author's call, not ours.
    if (written && !sameNumber(written.value, fromLock.number.body, fromLock.number.year)) {
      throw new PithError(
        `${rel(written.file)} has \\pithnumber{${written.value.trim()}} but ${LOCK_FILE} holds ${fromLock.number.full}; nothing was changed. ` +
          `Say which record: pith-tex stamp --number ${written.value.trim()} (or --bundle FILE) to stamp the paper's number, or --number ${fromLock.number.full} to keep the lock's`,
        EXIT.badInput,
      );
    }
    return fromLock;
  }
  if (written) return fromQuery(written.value.trim(), options, dir);
  throw new PithError(
    'which record? pass --bundle FILE (the signed bundle from the record\'s page), --number pith:YEAR:BODY, --arxiv ID or --doi DOI; later stamps read pith.lock.json',
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

const exists = (file: string): Promise<boolean> =>
  fs.stat(file).then(
    () => true,
    () => false,
  );

// ---------------------------------------------------------------------------------------------
// Planning and writing.

interface PlannedFile {
  file: string;
  label: 'sty' | 'lock' | 'input' | 'paper';
  old: Uint8Array | null;
  data: Uint8Array;
  oldText: string;
  newText: string;
  details: string[];
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
    const r = stampText(i.src.text, number.body, ctx);
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
      throw new PithError(`--wait ${options.wait}: expected a number of seconds (0 refuses at once when another stamp holds the folder)`, EXIT.badInput);
    }
    waitMs = seconds * 1000;
  }
  // null: the folder cannot be written (the lock file cannot be made); a stamp with nothing to
  // change still reports so, and any write is refused before it starts (assertWritable).
  const release = options.dryRun ? null : await acquireFolderLock(dir, { waitMs: Number.isFinite(waitMs) ? waitMs : 10_000 });
  try {
    return await stampLocked(paper, dir, options);
  } finally {
    await release?.();
  }
}

async function stampLocked(paper: string, dir: string, options: StampOptions): Promise<number> {
  const root = await readSource(paper);
  const sources = await paperSources(root);
  const chosen = await chooseRecord(options, dir, sources);
  const { number, lock } = chosen;
  // Is this the right paper? The paper's \title against the record's title hash.
  const title = titleVerdictOfRecord(root.text, lock.canonical_record, number.full, rel(paper));
  if (title && !title.ok) {
    if (options.strict) throw new PithError(`${title.message}; nothing was changed (--strict)`, EXIT.checkFailed);
    process.stderr.write(`pith-tex: warning: ${title.message}${STRICT_HINT}\n`);
  }
  const version = toolVersion();
  const styFile = path.join(dir, STY_FILE);
  const lockFile = path.join(dir, LOCK_FILE);
  if (!options.dryRun) await removeStaleTemps(dir, [STY_FILE, LOCK_FILE, ...sources.map((s) => path.basename(s.file))]);

  const planned: PlannedFile[] = [];
  const enc = new TextEncoder();

  // 1. pith.sty
  const [templateText, packageSource] = await Promise.all([
    readBoundedText(packageFile('templates', 'pith.sty.hbs'), 1 << 20, 'pith.sty template'),
    readBoundedText(packageFile('tex', 'pith.sty'), 1 << 20, 'pith.sty package source'),
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
  const oldSty = await fs.readFile(styFile).then((b) => new Uint8Array(b), () => null);
  const styDetails: string[] = [];
  if (oldSty) {
    const oldStyText = new TextDecoder().decode(oldSty);
    const info = readStampedSty(oldStyText);
    if (!info.generatedByPithTex && !options.force) {
      throw new PithError(
        `${rel(styFile)}: was not generated by pith-tex (your own or a CTAN copy?); left alone, nothing was changed. Move it away, or pass --force to replace it`,
        EXIT.refused,
      );
    }
    if (info.edited && !options.force) {
      throw new PithError(
        `${rel(styFile)}: was edited by hand after pith-tex generated it; left alone, nothing was changed. Pass --force to regenerate it (the edits are lost), or keep your copy and stamp elsewhere`,
        EXIT.refused,
      );
    }
    if (oldStyText !== styText) {
      styDetails.push(
        !info.generatedByPithTex || info.edited
          ? 'replaced (--force)'
          : info.toolVersion !== undefined && info.toolVersion !== version
            ? `upgraded from pith-tex ${info.toolVersion}`
            : 'updated',
      );
    }
  } else {
    styDetails.push('written');
  }
  if (styDetails.length > 0) {
    planned.push({ file: styFile, label: 'sty', old: oldSty, data: enc.encode(styText), oldText: oldSty ? new TextDecoder().decode(oldSty) : '', newText: styText, details: styDetails });
  }

  // 2. pith.lock.json
  const lockText = serializeLock(lock);
  const oldLock = await fs.readFile(lockFile).then((b) => new Uint8Array(b), () => null);
  const oldLockText = oldLock ? new TextDecoder().decode(oldLock) : '';
  if (oldLockText !== lockText) {
    planned.push({ file: lockFile, label: 'lock', old: oldLock, data: enc.encode(lockText), oldText: oldLockText, newText: lockText, details: [oldLock ? 'updated' : 'written'] });
  }

  // 3. the paper: \input preamble files first, the root last.
  const texPlans = planTex(sources, number);
  const inputs = texPlans.slice(1).filter((p) => p.text !== p.file.text);
  const rootPlan = texPlans[0] as (typeof texPlans)[number];
  for (const p of [...inputs, ...(rootPlan.text !== rootPlan.file.text ? [rootPlan] : [])]) {
    planned.push({
      file: p.file.file,
      label: p === rootPlan ? 'paper' : 'input',
      old: p.file.bytes,
      data: encodeLike(p.file, p.text),
      oldText: p.file.text,
      newText: p.text,
      details: p.actions,
    });
  }

  const summary = {
    paper: rel(paper),
    pith_number: number.full,
    record_from: chosen.from,
    dry_run: Boolean(options.dryRun),
    changed: planned.map((p) => ({ file: rel(p.file), what: p.details })),
    title: title && { status: title.status, message: title.message },
  };

  if (options.dryRun) {
    if (options.json) {
      printJson({ ...summary, diffs: planned.map((p) => diffOf(p)) });
    } else {
      for (const p of planned) process.stdout.write(diffOf(p));
      process.stdout.write(
        planned.length === 0
          ? `Already stamped with ${number.full}; nothing to do\n`
          : `Dry run: would change ${planned.map((p) => rel(p.file)).join(', ')} for ${number.full}; nothing was written\n`,
      );
    }
    return EXIT.ok;
  }

  // Refuse before writing anything if any target (or its folder) is read-only.
  for (const p of planned) await assertWritable(p.file, p.old !== null);

  for (const p of planned) {
    await writeBytes(p.file, p.data, stepHook(p.label));
    crashPoint(`after-${p.label}`);
  }

  if (options.json) {
    printJson(summary);
  } else if (planned.length === 0) {
    process.stdout.write(`Already stamped with ${number.full}; nothing to do\n`);
  } else {
    const paperPlan = planned.filter((p) => p.label === 'paper' || p.label === 'input');
    const extras = planned.filter((p) => p.label === 'sty' || p.label === 'lock').map((p) => `${p.label === 'sty' ? 'pith.sty' : 'lock'} ${p.details.join(', ')}`);
    const lead = paperPlan.length > 0 ? `Stamped ${rel(paper)} with ${number.full}` : `${rel(paper)} already carries ${number.full}`;
    process.stdout.write(`${lead}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}\n`);
    for (const p of paperPlan) for (const d of p.details) process.stdout.write(`  ${rel(p.file)}: ${d}\n`);
  }
  if (!options.json && title?.ok) process.stdout.write(`  ${title.message}\n`);
  return EXIT.ok;
}

function diffOf(p: PlannedFile): string {
  const name = rel(p.file);
  if (p.label === 'sty' && p.old === null) {
    return `+++ ${name} (new file: the generated package, ${p.newText.split('\n').length - 1} lines)\n`;
  }
  return unifiedDiff(p.oldText, p.newText, p.old === null ? '/dev/null' : `a/${name}`, `b/${name}`);
}
