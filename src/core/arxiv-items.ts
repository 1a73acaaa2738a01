// The static items of the arXiv checklist, decided from what was read: pith.sty and the stamp,
// the record's arXiv id, the sources (shell-escape, paths, referenced files, .bbl) and the
// upload's file names. Pure: the command reads the files, the clean compile and the pack are
// src/io/clean-compile.ts and src/io/pack.ts.
import {
  badFileName,
  badPath,
  isMacroName,
  resolveReference,
  scanTex,
  showReference,
  type ChecklistItem,
  type Reference,
} from './arxiv-checklist.js';
import type { StampedStyInfo } from './sty-read.js';

/** One item: `ok` null is n/a; a fix is kept on failures only. */
export function checklistItem(id: string, ok: boolean | null, detail: string, fix?: string): ChecklistItem {
  if (ok === null) return { id, status: 'n/a', detail };
  return ok ? { id, status: 'pass', detail } : { id, status: 'fail', detail, ...(fix ? { fix } : {}) };
}

/** What `pith-tex check` said, as far as the checklist needs it. */
export interface CheckOutcome {
  status: string;
  pith_number: string | null;
  findings: readonly { message: string; fix?: string }[];
}

export interface StampFacts {
  /** The root file's name and how to show its path in commands. */
  main: string;
  shown: string;
  /** pith.sty beside the root file (null: absent), what it says it was stamped with, and the current package. */
  sty: string | null;
  stamped: StampedStyInfo | null;
  packageSource: string;
  check: CheckOutcome;
}

/** The command that fixes a stamp problem as printed: check's own, else a stamp with the lock's number. */
export function stampFix(f: Pick<StampFacts, 'shown' | 'check'>): string {
  return (
    f.check.findings[0]?.fix ??
    (f.check.pith_number
      ? `pith-tex stamp ${f.shown} --number ${f.check.pith_number}`
      : `pith-tex stamp ${f.shown} --arxiv ID (or --bundle FILE)`)
  );
}

/** Items 1-2: pith.sty beside the root file, generated and current; the stamp checks. */
export function stampItems(f: StampFacts): ChecklistItem[] {
  const fix = stampFix(f);
  const { main, sty, stamped, check } = f;
  const styItem =
    sty === null
      ? checklistItem('pith.sty', false, `no pith.sty beside ${main}: arXiv has only TeX Live's packages`, fix)
      : !stamped?.generatedByPithTex
        ? checklistItem('pith.sty', false, 'pith.sty is not the copy pith-tex generates for this paper', fix)
        : stamped.edited
          ? checklistItem('pith.sty', false, 'pith.sty was edited by hand after pith-tex generated it', fix)
          : !sty.includes(f.packageSource.trimEnd())
            ? checklistItem('pith.sty', false, 'pith.sty carries an older pith package than this pith-tex', fix)
            : checklistItem('pith.sty', true, `pith.sty beside ${main}, generated for ${stamped.number} and current`);
  const stampItem =
    check.status === 'ok'
      ? checklistItem('stamp', true, `pith.lock.json, \\pithnumber and pith.sty agree on ${check.pith_number}; record and receipt verified`)
      : check.status === 'nothing-stamped'
        ? checklistItem('stamp', false, `${main} is not stamped`, fix)
        : checklistItem('stamp', false, check.findings.map((x) => x.message).join('; '), fix);
  return [styItem, stampItem];
}

/** Item 3: the lock's record is the arXiv paper being revised (when --arxiv-id names it). */
export function arxivIdItem(record: { id: string; version: number | null } | null, wantedId: string | null, shown: string): ChecklistItem {
  if (record === null) return checklistItem('arxiv-id', false, 'the lock names no arXiv record', `pith-tex stamp ${shown} --arxiv ID`);
  const named = `arXiv:${record.id}${record.version === null ? '' : `v${record.version}`}`;
  if (wantedId === null)
    return checklistItem('arxiv-id', null, `the record is ${named}; say --arxiv-id ID to check it is the paper being revised`);
  const same = wantedId === record.id;
  return checklistItem(
    'arxiv-id',
    same,
    same ? `the record is ${named}, the paper being revised` : `the record is ${named}, not ${wantedId}`,
    `pith-tex stamp ${shown} --arxiv ${wantedId}`,
  );
}

/** The paper's sources as TeX would read them from the root file, and what they use. */
export interface SourceWalk {
  texts: { file: string; text: string }[];
  refs: Reference[];
  shell: string[];
  graphicspath: string[];
  usesBib: boolean;
  usesFontspec: boolean;
}

/** Follow \input, \include and \subfile from `main` through the folder's `files`; `read` gives a file's text. */
export function walkSources(main: string, files: ReadonlySet<string>, read: (file: string) => string): SourceWalk {
  const walk: SourceWalk = { texts: [], refs: [], shell: [], graphicspath: [], usesBib: false, usesFontspec: false };
  const seen = new Set<string>();
  // Each source with the import folder it was read under (the import package's \subimport base).
  const queue: { file: string; base: string }[] = [{ file: main, base: '' }];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { file, base } = next;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = read(file);
    walk.texts.push({ file, text });
    const scan = scanTex(text, file, base);
    walk.refs.push(...scan.references);
    walk.shell.push(...scan.shellEscape.map((s) => `${s} in ${file}`));
    walk.graphicspath.push(...scan.graphicspath);
    walk.usesBib ||= scan.usesBibtex || scan.usesBiblatex;
    walk.usesFontspec ||= scan.packages.some((p) => p === 'fontspec' || p === 'unicode-math' || p === 'xeCJK');
    for (const r of scan.references) {
      if (!['input', 'include', 'subfile'].includes(r.command) || badPath(r.name)) continue;
      const res = resolveReference(r, [], files);
      if ('found' in res && res.found.endsWith('.tex')) queue.push({ file: res.found, base: r.base ?? '' });
    }
  }
  return walk;
}

/** Items 4-7 (shell-escape, paths, files, bbl) and the files the sources refer to. */
export function sourceItems(
  walk: SourceWalk,
  main: string,
  files: ReadonlySet<string>,
): { items: ChecklistItem[]; referenced: Set<string> } {
  const { refs, shell } = walk;
  const items: ChecklistItem[] = [];
  items.push(
    checklistItem(
      'shell-escape',
      shell.length === 0,
      shell.length === 0 ? 'nothing needs shell-escape' : `needs shell-escape, which arXiv never grants: ${shell.join(', ')}`,
      'replace them (minted → listings, svg → PDF figures, pythontex → precomputed output)',
    ),
  );
  const badPaths = refs.filter((r) => badPath(r.name) !== null);
  items.push(
    checklistItem(
      'paths',
      badPaths.length === 0,
      badPaths.length === 0
        ? 'no absolute or ".." paths'
        : badPaths.map((r) => `${showReference(r)} in ${r.from} is ${badPath(r.name)}`).join('; '),
      'copy the file into the paper folder and refer to it by a relative path',
    ),
  );
  const problems: string[] = [];
  const referenced = new Set<string>();
  for (const r of refs) {
    if (badPath(r.name) || isMacroName(r.name) || r.command === 'bibliography' || r.command === 'includeonly') continue;
    const res = resolveReference(r, walk.graphicspath, files);
    if ('found' in res) referenced.add(res.found);
    else if ('caseOnly' in res)
      problems.push(`${showReference(r)} in ${r.from} matches ${res.caseOnly} only ignoring case (arXiv's file system is case-sensitive)`);
    else problems.push(`${showReference(r)} in ${r.from}: no such file`);
  }
  const found =
    referenced.size === 0
      ? `${main} refers to no other files`
      : referenced.size === 1
        ? 'the one referenced file exists with the exact case'
        : `all ${referenced.size} referenced files exist with the exact case`;
  items.push(
    checklistItem(
      'files',
      problems.length === 0,
      problems.length === 0 ? found : problems.join('; '),
      'rename the file or fix the reference so that the names match exactly',
    ),
  );
  items.push(bblItem(walk.usesBib, main, files));
  return { items, referenced };
}

/** arXiv runs neither BibTeX nor biber: a paper with a bibliography uploads its .bbl. */
function bblItem(usesBib: boolean, main: string, files: ReadonlySet<string>): ChecklistItem {
  const bbl = `${main.replace(/\.tex$/, '')}.bbl`;
  if (!usesBib) return checklistItem('bbl', null, 'no BibTeX or biblatex bibliography');
  return checklistItem(
    'bbl',
    files.has(bbl),
    files.has(bbl)
      ? `${bbl} is present (arXiv runs neither BibTeX nor biber)`
      : `the paper uses a bibliography but ${bbl} is missing; arXiv runs neither BibTeX nor biber`,
    `latexmk -pdf ${main} in the folder, then upload ${bbl}`,
  );
}

/** Item 8: file names arXiv rejects, among what would be uploaded. */
export function fileNamesItem(upload: ReadonlySet<string>): ChecklistItem {
  const bad = [...upload].map((f) => [f, badFileName(f)] as const).filter(([, why]) => why !== null);
  return checklistItem(
    'file-names',
    bad.length === 0,
    bad.length === 0
      ? `all ${upload.size} uploaded file names are plain ASCII without spaces`
      : bad.map(([f, why]) => `${f}: ${why}`).join('; '),
    'rename the files (ASCII letters, digits, - _ . /) and update the references',
  );
}
