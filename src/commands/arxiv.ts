// pith-tex arxiv [main.tex]: the arXiv submission checklist. The static items are decided in
// src/core/arxiv-items.ts from what this file reads; then a compile from a clean copy
// (src/io/clean-compile.ts) whose PDF is inspected; --pack writes the upload (src/io/pack.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { flsFromRoots, flsInputs, packList, type ChecklistItem } from '../core/arxiv-checklist.js';
import { arxivIdItem, checklistItem, fileNamesItem, sourceItems, stampFix, stampItems, walkSources } from '../core/arxiv-items.js';
import { stampedOfSty } from '../core/check.js';
import { commentItem } from '../core/comments.js';
import { LOCK_FILE } from '../core/file-names.js';
import { decodeUtf8Lenient } from '../core/utf8.js';
import { isJsonObject, parseJson } from '../core/json.js';
import { parseQuery, QueryError, type Query } from '../core/query.js';
import { expectedOneOf } from '../core/suggest.js';
import { EXIT, PithError } from '../errors.js';
import { ARXIV_ENGINES, cleanCopyFiles, type ArxivEngine, type CleanCompile } from '../io/clean-compile.js';
import { isMissing, readBoundedBytesSync } from '../io/files.js';
import { printJson, say } from '../io/output.js';
import { packOutput, walkFiles, writeTarGz } from '../io/pack.js';
import { packageFile } from '../io/package-files.js';
import { findPaper } from '../io/paper-files.js';
import { checkPaper } from './check.js';

export { ARXIV_ENGINES, ARXIV_LATEXMKRC } from '../io/clean-compile.js';

export interface ArxivOptions {
  json?: boolean;
  arxivId?: string;
  pack?: string;
  /** --no-compile: the static items only. */
  compile?: boolean;
  engine?: string;
  /** --strip-comments: pack the .tex files without their `%` comments. */
  stripComments?: boolean;
}

export interface ArxivReport {
  report: 'pith-tex/arxiv';
  report_version: 1;
  paper: string;
  ok: boolean;
  items: ChecklistItem[];
  pack: { file: string; files: string[]; comments_stripped: string[] } | null;
}

/** A file of the paper folder through the bounded reader (regular files only, exit 2); null when absent. */
function readPaperFile(file: string, what: string): string | null {
  try {
    return decodeUtf8Lenient(readBoundedBytesSync(file, 64 * 1024 * 1024, what));
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** --arxiv-id in any form resolve accepts (id, vN, abs URL, arxiv: prefix, DOI); the version does not matter. */
function wantedArxivId(arg: string | undefined): string | null {
  if (arg === undefined) return null;
  let query: Query | null = null;
  try {
    query = parseQuery(arg);
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
  }
  if (query?.kind !== 'arxiv') {
    throw new PithError(`--arxiv-id ${arg}: expected an arXiv id (2109.10465, hep-th/9901001, an arxiv.org URL or its DOI)`, EXIT.badInput);
  }
  return query.id;
}

function checkOptions(options: ArxivOptions): void {
  if (options.engine !== undefined && !(ARXIV_ENGINES as readonly string[]).includes(options.engine)) {
    const why = options.engine === 'lua' ? ' (arXiv does not offer LuaLaTeX to authors)' : '';
    throw new PithError(`--engine ${options.engine}: ${expectedOneOf(options.engine, ARXIV_ENGINES)}${why}`, EXIT.badInput);
  }
  if (options.stripComments && !options.pack) {
    throw new PithError(
      '--strip-comments works with --pack OUT.tar.gz (the tarball is written without comments; your files are never changed)',
      EXIT.badInput,
    );
  }
}

/** The arXiv record pith.lock.json names, if any (a broken lock is reported by the stamp item). */
function lockRecord(dir: string): { id: string; version: number | null } | null {
  try {
    const lock = parseJson(readPaperFile(path.join(dir, LOCK_FILE), LOCK_FILE) ?? '');
    const src = isJsonObject(lock) && isJsonObject(lock.canonical_record) ? lock.canonical_record.source : null;
    if (isJsonObject(src) && src.kind === 'arxiv' && typeof src.id === 'string') {
      return { id: src.id, version: typeof src.version === 'number' ? src.version : null };
    }
  } catch {
    /* reported by the stamp item */
  }
  return null;
}

/** The paper as the checklist sees it. */
interface Paper {
  dir: string;
  main: string;
  stem: string;
  shown: string;
  all: string[];
  files: Set<string>;
}

export async function arxivChecklist(paperArg: string | undefined, options: ArxivOptions = {}): Promise<ArxivReport> {
  checkOptions(options);
  const root = await findPaper(paperArg, process.cwd(), 'arxiv');
  const wantedId = wantedArxivId(options.arxivId);
  const dir = path.dirname(root);
  const main = path.basename(root);
  const all = walkFiles(dir);
  const paper: Paper = {
    dir,
    main,
    stem: main.replace(/\.tex$/, ''),
    shown: path.relative(process.cwd(), root) || root,
    all,
    files: new Set(all),
  };
  const packTo = options.pack === undefined || options.compile === false ? null : await packOutput(options.pack, dir, paper.files);

  const sty = readPaperFile(path.join(dir, 'pith.sty'), 'pith.sty');
  const check = await checkPaper(root);
  const stampFacts = {
    main,
    shown: paper.shown,
    sty,
    stamped: sty === null ? null : stampedOfSty(sty),
    check,
    packageSource: readFileSync(packageFile('tex', 'pith.sty'), 'utf8'),
  };
  const items: ChecklistItem[] = [...stampItems(stampFacts), arxivIdItem(lockRecord(dir), wantedId, paper.shown)];

  const walk = walkSources(main, paper.files, (f) => readPaperFile(path.join(dir, f), '.tex file') ?? '');
  const sources = sourceItems(walk, main, paper.files);
  items.push(...sources.items);
  // Comments with text: public on arXiv, where anyone can download the source.
  items.push(commentItem(walk.texts, `pith-tex arxiv ${paper.shown} --pack upload.tar.gz --strip-comments`));

  const bbl = `${paper.stem}.bbl`;
  const upload = new Set<string>([
    main,
    ...sources.referenced,
    ...(paper.files.has('pith.sty') ? ['pith.sty'] : []),
    ...(paper.files.has(bbl) ? [bbl] : []),
  ]);
  let packed: ArxivReport['pack'] = null;
  if (options.compile === false) {
    items.push(checklistItem('compile', null, 'skipped (--no-compile)'));
  } else {
    const engine = (options.engine ?? (walk.usesFontspec ? 'xe' : 'pdf')) as ArxivEngine;
    const outcome = await compileAndPack(paper, engine, stampFix(stampFacts), options, packTo);
    items.push(...outcome.items);
    for (const f of outcome.read ?? []) upload.add(f);
    packed = outcome.packed;
  }
  items.push(fileNamesItem(upload));
  if (options.pack && options.compile === false)
    items.push(checklistItem('pack', false, '--pack needs the compile (it packs what the compile read)', 'drop --no-compile'));

  return {
    report: 'pith-tex/arxiv',
    report_version: 1,
    paper: paper.shown,
    ok: items.every((i) => i.status !== 'fail'),
    items,
    pack: packed,
  };
}

/**
 * The clean compile's items (engine: arXiv's own choice when none is given, fontspec meaning
 * XeLaTeX), and the pack of what it read when --pack asks for one.
 */
async function compileAndPack(
  paper: Paper,
  engine: ArxivEngine,
  fix: string,
  options: ArxivOptions,
  packTo: string | null,
): Promise<{ items: ChecklistItem[]; read: string[] | null; packed: ArxivReport['pack'] }> {
  const { withCleanCompile } = await import('../io/clean-compile.js');
  const what = `compiling a clean copy with latexmk (${engine}, no shell-escape)`;
  const compiled = await withProgress(what, () =>
    withCleanCompile({ dir: paper.dir, files: cleanCopyFiles(paper.all, paper.main), main: paper.main, engine }, (result) =>
      compileItems(result, paper, engine, fix),
    ),
  );
  const items = [...compiled.items];
  let packed: ArxivReport['pack'] = null;
  if (options.pack && packTo && compiled.read) {
    const outcome = await writePack(compiled.read, paper, options.pack, packTo, Boolean(options.stripComments));
    if ('item' in outcome) items.push(outcome.item);
    else packed = outcome.packed;
  } else if (options.pack && compiled.read === null && compiled.compiled) {
    const why = `no ${paper.stem}.fls from the compile: cannot tell which files it read`;
    items.push(checklistItem('pack', false, why, 'run with latexmk 4.x (it records with -recorder)'));
  }
  return { items, read: compiled.read, packed };
}

/** Items 9-10 from the clean compile: it compiled, its PDF verifies, it read nothing from TEXMFHOME; what it read. */
async function compileItems(
  result: CleanCompile,
  paper: Paper,
  engine: ArxivEngine,
  fix: string,
): Promise<{ items: ChecklistItem[]; compiled: boolean; read: string[] | null }> {
  if (!result.ok) {
    const err = /^(?:! |.*:\d+: ).*$/m.exec(result.log)?.[0] ?? `latexmk exited ${result.exitCode}`;
    const item = checklistItem(
      'compile',
      false,
      `the clean copy does not compile without shell-escape: ${err}`,
      `fix the error, then run pith-tex arxiv ${paper.shown} again`,
    );
    return { items: [item], compiled: false, read: null };
  }
  const items = [checklistItem('compile', true, `a clean copy compiles with latexmk (${engine}, no shell-escape)`)];
  const [{ inspectPdf }, { failedCheckLines }] = await Promise.all([import('./inspect.js'), import('../core/verify.js')]);
  try {
    const report = await inspectPdf(result.pdfPath, { lock: path.join(paper.dir, LOCK_FILE), offline: true });
    const detail = report.ok
      ? `its PDF carries ${report.pdf_metadata.number}, verified against ${LOCK_FILE}`
      : `its PDF does not verify: ${failedCheckLines(report).join('; ')}`;
    items.push(checklistItem('pdf', report.ok, detail, fix));
  } catch (err) {
    items.push(
      checklistItem(
        'pdf',
        false,
        `its PDF: ${(err as Error).message}`,
        'load pith with its PDF metadata on: \\usepackage{pith}, without metadata=false',
      ),
    );
  }
  if (result.fls === null) return { items, compiled: true, read: null };
  const { texmfRoots } = await import('../io/clean-compile.js');
  const own = flsFromRoots(result.fls, texmfRoots());
  const detail =
    own.length === 0
      ? "the compile read nothing from your TEXMFHOME or the site's TEXMFLOCAL"
      : `the compile read files arXiv's TeX Live does not have: ${own.join(', ')}`;
  items.push(checklistItem('tex-live', own.length === 0, detail, 'copy them into the paper folder (beside the root file)'));
  return { items, compiled: true, read: packList(flsInputs(result.fls, result.dir), paper.main, paper.files) };
}

/** Write the upload tarball of `list` at `packTo` (decided by packOutput); an item when refused or failed. */
async function writePack(
  list: readonly string[],
  paper: Paper,
  out: string,
  packTo: string,
  stripComments: boolean,
): Promise<{ item: ChecklistItem } | { packed: NonNullable<ArxivReport['pack']> }> {
  const rel = path.relative(paper.dir, packTo).split(path.sep).join('/');
  if (list.includes(rel)) {
    return {
      item: checklistItem(
        'pack',
        false,
        `--pack ${out} is ${rel}, a file the compile read; not written`,
        'name a new file outside the upload, e.g. --pack ../upload.tar.gz',
      ),
    };
  }
  try {
    const written = await writeTarGz(packTo, paper.dir, list, { stripComments });
    return { packed: { file: out, files: written.files, comments_stripped: written.stripped } };
  } catch (err) {
    return {
      item: checklistItem(
        'pack',
        false,
        `could not write ${out}: ${(err as Error).message}`,
        'check the folder can be written, then run again',
      ),
    };
  }
}

/**
 * Run `work`, showing `what` and the seconds elapsed on stderr while it runs when stderr is a
 * terminal (the clean compile is silent for 10 s or more); the line is cleared afterwards.
 */
async function withProgress<T>(what: string, work: () => Promise<T>): Promise<T> {
  if (!process.stderr.isTTY) return work();
  const started = Date.now();
  const show = (): void => {
    process.stderr.write(`\r${what}… ${Math.round((Date.now() - started) / 1000)} s\u001b[K`);
  };
  show();
  const timer = setInterval(show, 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    process.stderr.write('\r\u001b[K');
  }
}

export async function run(paper: string | undefined, options: ArxivOptions = {}): Promise<number> {
  const report = await arxivChecklist(paper, options);
  if (options.json) printJson(report);
  else {
    const lines = report.items.map((i) => {
      const mark = i.status === 'pass' ? '✓' : i.status === 'fail' ? '✗' : i.status === 'warn' ? '!' : '–';
      return `${mark} ${i.id}: ${i.detail}${(i.status === 'fail' || i.status === 'warn') && i.fix ? `\n    fix: ${i.fix}` : ''}`;
    });
    if (report.pack) {
      const stripped =
        report.pack.comments_stripped.length > 0
          ? ` (comments removed from ${report.pack.comments_stripped.join(', ')}; your files are unchanged)`
          : '';
      lines.push(`packed ${report.pack.files.length} files into ${report.pack.file}: ${report.pack.files.join(', ')}${stripped}`);
    }
    lines.push(
      report.ok
        ? `ready for arXiv: ${report.paper}`
        : `not ready for arXiv: ${report.items.filter((i) => i.status === 'fail').length} item(s) to fix`,
    );
    say(`${lines.join('\n')}\n`);
  }
  return report.ok ? EXIT.ok : EXIT.checkFailed;
}
