// pith-tex arxiv [main.tex]: the arXiv submission checklist, then a compile from a clean copy
// (latexmk, no shell-escape, -recorder) whose PDF is inspected; --pack writes the upload.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync, constants as zlibc } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import {
  badFileName,
  badPath,
  flsFromRoots,
  flsInputs,
  isMacroName,
  OUTPUT_EXTS,
  packList,
  resolveReference,
  scanTex,
  showReference,
  type ChecklistItem,
  type Reference,
} from '../core/arxiv-checklist.js';
import { stampedOfSty } from '../core/check.js';
import { commentItem } from '../core/comments.js';
import { expectedOneOf } from '../core/suggest.js';
import { LOCK_FILE } from '../core/file-names.js';
import { isJsonObject, parseJson } from '../core/json.js';
import { parseQuery, QueryError, type Query } from '../core/query.js';
import { EXIT, PithError } from '../errors.js';
import { isMissing, readBoundedBytesSync, writeTarget } from '../io/files.js';
import { printJson, say } from '../io/output.js';
import { copyFiles, walkFiles, writeTarGz } from '../io/pack.js';
import { packageFile } from '../io/package-files.js';
import { findPaper } from '../io/paper-files.js';
import { checkPaper } from './check.js';

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

/** The compilers arXiv offers, as src/io/tex.ts compile() names them. */
export const ARXIV_ENGINES = ['pdf', 'xe', 'dvips', 'dvipdfmx'] as const;
type ArxivEngine = (typeof ARXIV_ENGINES)[number];

/** The clean copy's latexmkrc: arXiv's conditions (engines without shell-escape, -recorder). */
export const ARXIV_LATEXMKRC = [
  '# written by pith-tex arxiv: compile as arXiv does, whatever other rc files say',
  '$recorder = 1;',
  "$pdflatex = 'pdflatex -no-shell-escape %O %S';",
  "$latex = 'latex -no-shell-escape %O %S';",
  "$xelatex = 'xelatex -no-shell-escape %O %S';",
  "$lualatex = 'lualatex -no-shell-escape %O %S';",
  '',
].join('\n');

/** The user's and the site's own TeX trees (kpsewhich -var-value TEXMFHOME, TEXMFLOCAL). */
function texmfRoots(): string[] {
  const roots: string[] = [];
  for (const v of ['TEXMFHOME', 'TEXMFLOCAL']) {
    const r = spawnSync('kpsewhich', [`-var-value=${v}`], { encoding: 'utf8' });
    if (r.status === 0) roots.push(...r.stdout.trim().split(/[:;,{}]/).map((x) => x.replace(/^!!/, '').trim()).filter((x) => x.startsWith('/')));
  }
  return roots;
}

const packageSource = (): string => readFileSync(packageFile('tex', 'pith.sty'), 'utf8');

/** A file of the paper folder through the bounded reader (regular files only, exit 2); null when absent. */
function readPaperFile(file: string, what: string): string | null {
  try {
    return new TextDecoder().decode(readBoundedBytesSync(file, 64 * 1024 * 1024, what));
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** Whether `file` starts as a gzipped ustar archive: what --pack writes (and may overwrite). */
function isGzipTarball(file: string): boolean {
  let head: Uint8Array;
  try {
    head = readBoundedBytesSync(file, 64 * 1024, 'tarball', true);
  } catch {
    return false;
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) return false;
  try {
    const tar = gunzipSync(head, { finishFlush: zlibc.Z_SYNC_FLUSH, maxOutputLength: 1024 });
    return Buffer.from(tar.subarray(257, 262)).toString('latin1') === 'ustar';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
  }
}

/**
 * Decide, before anything runs, where --pack may write (exit 4 otherwise): never through a link
 * that leaves the output's folder, never over one of the paper's own files, never over an
 * existing file that is not a gzipped tarball (the one a previous --pack wrote).
 */
async function packOutput(out: string, dir: string, files: ReadonlySet<string>): Promise<string> {
  const target = await writeTarget(out);
  const rel = path.relative(dir, target);
  const own = !rel.startsWith('..') && !path.isAbsolute(rel) && files.has(rel.split(path.sep).join('/'));
  const exists = existsSync(target);
  if (exists && !isGzipTarball(target)) {
    throw new PithError(
      `--pack ${out}: ${own ? `is ${rel}, one of the paper's own files` : 'exists and is not a gzipped tarball'}; refused, nothing was changed. Name a new file, e.g. --pack upload.tar.gz`,
      EXIT.refused,
    );
  }
  return target;
}

export async function arxivChecklist(paperArg: string | undefined, options: ArxivOptions = {}): Promise<ArxivReport> {
  if (options.engine !== undefined && !(ARXIV_ENGINES as readonly string[]).includes(options.engine)) {
    const why = options.engine === 'lua' ? ' (arXiv does not offer LuaLaTeX to authors)' : '';
    throw new PithError(`--engine ${options.engine}: ${expectedOneOf(options.engine, ARXIV_ENGINES)}${why}`, EXIT.badInput);
  }
  const root = await findPaper(paperArg, process.cwd(), 'arxiv');
  // --arxiv-id in any form resolve accepts (id, vN, abs URL, arxiv: prefix, DOI); the version does not matter.
  let wantedId: string | null = null;
  if (options.arxivId !== undefined) {
    let query: Query | null = null;
    try {
      query = parseQuery(options.arxivId);
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
    }
    if (query?.kind !== 'arxiv') throw new PithError(`--arxiv-id ${options.arxivId}: expected an arXiv id (2109.10465, hep-th/9901001, an arxiv.org URL or its DOI)`, EXIT.badInput);
    wantedId = query.id;
  }
  if (options.stripComments && !options.pack) throw new PithError('--strip-comments works with --pack OUT.tar.gz (the tarball is written without comments; your files are never changed)', EXIT.badInput);
  const dir = path.dirname(root);
  const main = path.basename(root);
  const stem = main.replace(/\.tex$/, '');
  const shown = path.relative(process.cwd(), root) || root;
  const all = walkFiles(dir);
  const files = new Set(all);
  const packTo = options.pack === undefined || options.compile === false ? null : await packOutput(options.pack, dir, files);
  const items: ChecklistItem[] = [];
  const item = (id: string, ok: boolean | null, detail: string, fix?: string): void => {
    items.push(ok === null ? { id, status: 'n/a', detail } : ok ? { id, status: 'pass', detail } : { id, status: 'fail', detail, ...(fix ? { fix } : {}) });
  };

  // 1. pith.sty beside the root file, generated and current.
  const sty = readPaperFile(path.join(dir, 'pith.sty'), 'pith.sty');
  const stamped = sty === null ? null : stampedOfSty(sty);
  const check = await checkPaper(root);
  // The fix for a stamp problem is the command that works as printed: check's own (which names
  // the record, with --force when pith.sty needs it), else the stamp with the lock's number.
  const stamp =
    check.findings[0]?.fix ?? (check.pith_number ? `pith-tex stamp ${shown} --number ${check.pith_number}` : `pith-tex stamp ${shown} --arxiv ID (or --bundle FILE)`);
  if (sty === null) item('pith.sty', false, `no pith.sty beside ${main}: arXiv has only TeX Live's packages`, stamp);
  else if (!stamped?.generatedByPithTex) item('pith.sty', false, 'pith.sty is not the copy pith-tex generates for this paper', stamp);
  else if (stamped.edited) item('pith.sty', false, 'pith.sty was edited by hand after pith-tex generated it', stamp);
  else if (!sty.includes(packageSource().trimEnd())) item('pith.sty', false, 'pith.sty carries an older pith package than this pith-tex', stamp);
  else item('pith.sty', true, `pith.sty beside ${main}, generated for ${stamped.number} and current`);

  // 2. The stamp checks.
  if (check.status === 'ok') item('stamp', true, `pith.lock.json, \\pithnumber and pith.sty agree on ${check.pith_number}; record and receipt verified`);
  else if (check.status === 'nothing-stamped') item('stamp', false, `${main} is not stamped`, stamp);
  else item('stamp', false, check.findings.map((f) => f.message).join('; '), stamp);

  // 3. The record's arXiv id.
  let recordId: string | null = null;
  let recordVersion: number | null = null;
  try {
    const lock = parseJson(readPaperFile(path.join(dir, LOCK_FILE), LOCK_FILE) ?? '');
    const src = isJsonObject(lock) && isJsonObject(lock.canonical_record) ? lock.canonical_record.source : null;
    if (isJsonObject(src) && src.kind === 'arxiv' && typeof src.id === 'string') {
      recordId = src.id;
      recordVersion = typeof src.version === 'number' ? src.version : null;
    }
  } catch {
    /* reported by the stamp item */
  }
  const vtext = recordVersion === null ? '' : `v${recordVersion}`;
  if (recordId === null) item('arxiv-id', false, 'the lock names no arXiv record', `pith-tex stamp ${shown} --arxiv ID`);
  else if (wantedId === null) item('arxiv-id', null, `the record is arXiv:${recordId}${vtext}; say --arxiv-id ID to check it is the paper being revised`);
  else {
    const same = wantedId === recordId;
    item('arxiv-id', same, same ? `the record is arXiv:${recordId}${vtext}, the paper being revised` : `the record is arXiv:${recordId}${vtext}, not ${wantedId}`, `pith-tex stamp ${shown} --arxiv ${wantedId}`);
  }

  // 4-7. Read the sources: shell-escape, paths, referenced files, .bbl.
  const refs: Reference[] = [];
  const shell: string[] = [];
  const graphicspath: string[] = [];
  let usesBib = false;
  let usesFontspec = false;
  const seen = new Set<string>();
  const texts: { file: string; text: string }[] = [];
  // Each source with the import folder it was read under (the import package's \subimport base).
  const queue: { file: string; base: string }[] = [{ file: main, base: '' }];
  while (queue.length > 0) {
    const { file: f, base } = queue.shift() as { file: string; base: string };
    if (seen.has(f)) continue;
    seen.add(f);
    const text = readPaperFile(path.join(dir, f), '.tex file') ?? '';
    texts.push({ file: f, text });
    const scan = scanTex(text, f, base);
    refs.push(...scan.references);
    shell.push(...scan.shellEscape.map((s) => `${s} in ${f}`));
    graphicspath.push(...scan.graphicspath);
    usesBib ||= scan.usesBibtex || scan.usesBiblatex;
    usesFontspec ||= scan.packages.some((p) => p === 'fontspec' || p === 'unicode-math' || p === 'xeCJK');
    for (const r of scan.references) {
      if (!['input', 'include', 'subfile'].includes(r.command) || badPath(r.name)) continue;
      const res = resolveReference(r, [], files);
      if ('found' in res && res.found.endsWith('.tex')) queue.push({ file: res.found, base: r.base ?? '' });
    }
  }
  item('shell-escape', shell.length === 0, shell.length === 0 ? 'nothing needs shell-escape' : `needs shell-escape, which arXiv never grants: ${shell.join(', ')}`, 'replace them (minted → listings, svg → PDF figures, pythontex → precomputed output)');
  const badPaths = refs.filter((r) => badPath(r.name) !== null);
  item('paths', badPaths.length === 0, badPaths.length === 0 ? 'no absolute or ".." paths' : badPaths.map((r) => `${showReference(r)} in ${r.from} is ${badPath(r.name)}`).join('; '), 'copy the file into the paper folder and refer to it by a relative path');
  const problems: string[] = [];
  const referenced = new Set<string>();
  for (const r of refs) {
    if (badPath(r.name) || isMacroName(r.name) || r.command === 'bibliography' || r.command === 'includeonly') continue;
    const res = resolveReference(r, graphicspath, files);
    if ('found' in res) referenced.add(res.found);
    else if ('caseOnly' in res) problems.push(`${showReference(r)} in ${r.from} matches ${res.caseOnly} only ignoring case (arXiv's file system is case-sensitive)`);
    else problems.push(`${showReference(r)} in ${r.from}: no such file`);
  }
  item('files', problems.length === 0, problems.length === 0 ? (referenced.size === 0 ? `${main} refers to no other files` : referenced.size === 1 ? 'the one referenced file exists with the exact case' : `all ${referenced.size} referenced files exist with the exact case`) : problems.join('; '), 'rename the file or fix the reference so that the names match exactly');
  const bbl = `${stem}.bbl`;
  if (!usesBib) item('bbl', null, 'no BibTeX or biblatex bibliography');
  else item('bbl', files.has(bbl), files.has(bbl) ? `${bbl} is present (arXiv runs neither BibTeX nor biber)` : `the paper uses a bibliography but ${bbl} is missing; arXiv runs neither BibTeX nor biber`, `latexmk -pdf ${main} in the folder, then upload ${bbl}`);

  // Comments with text: public on arXiv, where anyone can download the source.
  const comments = commentItem(texts, `pith-tex arxiv ${shown} --pack upload.tar.gz --strip-comments`);
  items.push(comments);

  // 8. File names arXiv rejects, among what would be uploaded.
  const upload = new Set<string>([main, ...referenced, ...(files.has('pith.sty') ? ['pith.sty'] : []), ...(files.has(bbl) ? [bbl] : [])]);

  // 9. The compile from a clean copy, and its PDF.
  let packed: ArxivReport['pack'] = null;
  if (options.compile === false) {
    item('compile', null, 'skipped (--no-compile)');
  } else {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'pith-arxiv-'));
    try {
      // Like arXiv: no lock, no hidden files, no outputs, and no .bib (arXiv runs no BibTeX, so the
      // compile must live on the uploaded .bbl).
      const clean = all.filter((f) => f !== LOCK_FILE && !f.endsWith('.bib') && !f.split('/').some((s) => s.startsWith('.')) && !OUTPUT_EXTS.some((e) => f.endsWith(e) && !(e === '.pdf' && f !== `${stem}.pdf`)));
      copyFiles(dir, tmp, clean);
      // The user's own latexmkrc (~/.latexmkrc, or a `latexmkrc` in the paper folder) must not
      // turn shell-escape or the recorder back on or off: latexmk reads the folder's rc last.
      writeFileSync(path.join(tmp, 'latexmkrc'), ARXIV_LATEXMKRC);
      const { compile } = await import('../io/tex.js');
      // arXiv's own choice when none is given: fontspec means XeLaTeX, else pdfLaTeX.
      const engine = (options.engine ?? (usesFontspec ? 'xe' : 'pdf')) as ArxivEngine;
      const result = await withProgress(`compiling a clean copy with latexmk (${engine}, no shell-escape)`, () => compile({ dir: tmp, main, engine }));
      if (!result.ok) {
        const err = /^(?:! |.*:\d+: ).*$/m.exec(result.log)?.[0] ?? `latexmk exited ${result.exitCode}`;
        item('compile', false, `the clean copy does not compile without shell-escape: ${err}`, `fix the error, then run pith-tex arxiv ${shown} again`);
      } else {
        item('compile', true, `a clean copy compiles with latexmk (${engine}, no shell-escape)`);
        const [{ inspectPdf }, { failedCheckLines }] = await Promise.all([import('./inspect.js'), import('../core/verify.js')]);
        try {
          const report = await inspectPdf(result.pdfPath, { lock: path.join(dir, LOCK_FILE), offline: true });
          item('pdf', report.ok, report.ok ? `its PDF carries ${report.pdf_metadata.number}, verified against ${LOCK_FILE}` : `its PDF does not verify: ${failedCheckLines(report).join('; ')}`, stamp);
        } catch (err) {
          item('pdf', false, `its PDF: ${(err as Error).message}`, 'load pith with its PDF metadata on: \\usepackage{pith}, without metadata=false');
        }
        const fls = path.join(tmp, `${stem}.fls`);
        if (existsSync(fls)) {
          const own = flsFromRoots(readFileSync(fls, 'utf8'), texmfRoots());
          item('tex-live', own.length === 0, own.length === 0 ? "the compile read nothing from your TEXMFHOME or the site's TEXMFLOCAL" : `the compile read files arXiv's TeX Live does not have: ${own.join(', ')}`, 'copy them into the paper folder (beside the root file)');
          const list = packList(flsInputs(readFileSync(fls, 'utf8'), tmp), main, files);
          for (const f of list) upload.add(f);
          if (options.pack && packTo) {
            const rel = path.relative(dir, packTo).split(path.sep).join('/');
            if (list.includes(rel)) {
              item('pack', false, `--pack ${options.pack} is ${rel}, a file the compile read; not written`, 'name a new file outside the upload, e.g. --pack ../upload.tar.gz');
            } else {
              try {
                const written = await writeTarGz(packTo, dir, list, { stripComments: Boolean(options.stripComments) });
                packed = { file: options.pack, files: written.files, comments_stripped: written.stripped };
              } catch (err) {
                item('pack', false, `could not write ${options.pack}: ${(err as Error).message}`, 'check the folder can be written, then run again');
              }
            }
          }
        } else if (options.pack) {
          item('pack', false, `no ${stem}.fls from the compile: cannot tell which files it read`, 'run with latexmk 4.x (it records with -recorder)');
        }
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const badNames = [...upload].map((f) => [f, badFileName(f)] as const).filter(([, why]) => why !== null);
  item('file-names', badNames.length === 0, badNames.length === 0 ? `all ${upload.size} uploaded file names are plain ASCII without spaces` : badNames.map(([f, why]) => `${f}: ${why}`).join('; '), 'rename the files (ASCII letters, digits, - _ . /) and update the references');
  if (options.pack && options.compile === false) item('pack', false, '--pack needs the compile (it packs what the compile read)', 'drop --no-compile');

  return { report: 'pith-tex/arxiv', report_version: 1, paper: shown, ok: items.every((i) => i.status !== 'fail'), items, pack: packed };
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
      const stripped = report.pack.comments_stripped.length > 0 ? ` (comments removed from ${report.pack.comments_stripped.join(', ')}; your files are unchanged)` : '';
      lines.push(`packed ${report.pack.files.length} files into ${report.pack.file}: ${report.pack.files.join(', ')}${stripped}`);
    }
    lines.push(report.ok ? `ready for arXiv: ${report.paper}` : `not ready for arXiv: ${report.items.filter((i) => i.status === 'fail').length} item(s) to fix`);
    say(`${lines.join('\n')}\n`);
  }
  return report.ok ? EXIT.ok : EXIT.checkFailed;
}
