// The arXiv submission checklist: the static items, as pure functions over the paper's texts and
// the folder's file list. (The compile from a clean copy and the packing are in
// src/commands/arxiv.ts and src/io/pack.ts.)
//
// Reading TeX: `maskTex` (src/core/tex-mask.ts) blanks comments, \iffalse branches, verbatim-like
// environments and \verb; before masking, a `%` inside \url{...} / \href{...} is protected, since
// there it is a character, not a comment.
import { LOCK_FILE } from './file-names.js';
import { inputFileNames } from './paper.js';
import { importArguments, inputArguments } from './tex-inputs.js';
import { maskTex } from './tex-mask.js';

export type ItemStatus = 'pass' | 'fail' | 'warn' | 'n/a';

export interface ChecklistItem {
  id: string;
  status: ItemStatus;
  detail: string;
  /** One line: how to fix a failed item. */
  fix?: string;
}

export interface Reference {
  command: 'input' | 'include' | 'includegraphics' | 'bibliography' | 'addbibresource' | 'includeonly' | 'subfile' | FileReadingCommand;
  /** As written. */
  name: string;
  /** The file that refers to it (relative to the root folder). */
  from: string;
  /**
   * A folder (relative to the root folder, ending in "/") that the import package adds to the
   * search: inside a file read by \import or \subimport, \input and \includegraphics also look
   * there, after the root folder. '' or absent elsewhere.
   */
  base?: string;
  /** How to show it when it is not `\command{name}` (an \import's two arguments). */
  shown?: string;
}

/**
 * Other commands that read a file into the paper (verbatim, listings, minted, pdfpages, svg,
 * standalone): the `paths` and `files` items see them as they see \input.
 */
export const FILE_READING_COMMANDS = [
  'verbatiminput',
  'VerbatimInput',
  'lstinputlisting',
  'inputminted',
  'includepdf',
  'includesvg',
  'includestandalone',
] as const;
export type FileReadingCommand = (typeof FILE_READING_COMMANDS)[number];

/** The reference as the author wrote it, for messages. */
export const showReference = (r: Reference): string => r.shown ?? `\\${r.command}{${r.name}}`;

/** Packages that need shell-escape (arXiv never grants it). */
export const SHELL_ESCAPE_PACKAGES = [
  'minted',
  'svg',
  'pythontex',
  'shellesc',
  'gnuplottex',
  'sagetex',
  'bashful',
  'pyluatex',
  'auto-pst-pdf',
  'pstool',
];

/** Protect `%` inside \url{...} and \href{...}: replaced by a non-comment character, same length. */
export function protectUrls(text: string): string {
  return text.replace(/\\(url|href|path)\s*\{([^{}\n]*)\}/g, (all: string) => all.replace(/%/g, '#'));
}

/** The code of a TeX text: comments, \iffalse, verbatim and \verb blanked (same length). */
export const texCode = (text: string): string => maskTex(protectUrls(text));

const ARG = '\\s*(?:\\[[^\\]]*\\]\\s*)*\\{([^{}]*)\\}';

export interface TexScan {
  references: Reference[];
  graphicspath: string[];
  packages: string[];
  shellEscape: string[];
  usesBibtex: boolean;
  usesBiblatex: boolean;
}

export function scanTex(text: string, from: string, base = ''): TexScan {
  const code = texCode(text);
  const references: Reference[] = [];
  const add = (command: Reference['command'], raw: string): void => {
    for (const name of raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')) {
      // `#1` is a macro's parameter (\newcommand{\fig}[1]{\includegraphics{#1}}), not a file.
      if (name.includes('#')) continue;
      references.push(base ? { command, name, from, base } : { command, name, from });
    }
  };
  // The import package's commands: \import{dir}{file} (dir from the root) and the sub- forms (dir from the current import).
  for (const { sub, kind, folder: dir, file, text: all } of importArguments(code)) {
    if (dir.includes('#') || file.includes('#') || file.trim() === '') continue;
    const folder = joinFolder(sub ? base : '', dir.trim());
    references.push({
      command: kind === 'includefrom' ? 'include' : 'input',
      name: `${folder}${file.trim()}`,
      from,
      base: folder,
      shown: all.replace(/\s+/g, ' '),
    });
  }
  for (const a of inputArguments(code, ['input', 'include', 'subfile'])) add(a.command, a.name);
  for (const m of code.matchAll(new RegExp(`\\\\includegraphics\\*?${ARG}`, 'g'))) add('includegraphics', m[1] as string);
  // \inputminted[opts]{language}{file}: the file is the second argument.
  for (const m of code.matchAll(new RegExp(`\\\\(${FILE_READING_COMMANDS.join('|')})(?![a-zA-Z])\\*?${ARG}(?:\\s*\\{([^{}]*)\\})?`, 'g'))) {
    const command = m[1] as FileReadingCommand;
    const name = command === 'inputminted' ? m[3] : m[2];
    if (name !== undefined) add(command, name);
  }
  for (const m of code.matchAll(new RegExp(`\\\\bibliography(?![a-zA-Z])${ARG}`, 'g'))) add('bibliography', m[1] as string);
  for (const m of code.matchAll(new RegExp(`\\\\addbibresource${ARG}`, 'g'))) add('addbibresource', m[1] as string);
  const graphicspath: string[] = [];
  for (const m of code.matchAll(/\\graphicspath\s*\{((?:\s*\{[^{}]*\})*)\s*\}/g)) {
    for (const d of (m[1] as string).matchAll(/\{([^{}]*)\}/g)) graphicspath.push(d[1] as string);
  }
  const packages: string[] = [];
  for (const m of code.matchAll(/\\(?:usepackage|RequirePackage)\s*(?:\[[^\]]*\]\s*)?\{([^{}]*)\}/g)) {
    packages.push(
      ...(m[1] as string)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    );
  }
  const shellEscape = packages.filter((p) => SHELL_ESCAPE_PACKAGES.includes(p)).map((p) => `\\usepackage{${p}}`);
  if (/\\(?:immediate\s*)?\\write\s*18|\\ShellEscape(?![a-zA-Z])/.test(code)) shellEscape.push('\\write18');
  return {
    references,
    graphicspath,
    packages,
    shellEscape,
    usesBibtex: /\\bibliography(?![a-zA-Z])\s*\{/.test(code),
    usesBiblatex: packages.includes('biblatex') || /\\addbibresource/.test(code),
  };
}

/** `base` + `dir` as a folder path ending in "/" ('' for the root); "a/../b" collapsed, an absolute dir kept. */
export function joinFolder(base: string, dir: string): string {
  if (dir === '' || dir === '.' || dir === './') return base;
  if (badPath(dir) === 'an absolute path') return dir.endsWith('/') ? dir : `${dir}/`;
  const parts: string[] = [];
  for (const seg of `${base}${dir}`.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(seg);
  }
  return parts.length === 0 ? '' : `${parts.join('/')}/`;
}

/** Absolute paths and `..` segments: arXiv unpacks into one folder and refuses both. */
export function badPath(name: string): string | null {
  if (/^(?:\/|~|[A-Za-z]:[\\/]|\\\\)/.test(name)) return 'an absolute path';
  if (name.split(/[\\/]/).includes('..')) return 'a ".." path outside the folder';
  return null;
}

/** A file name arXiv rejects (spaces, non-ASCII, hidden, absolute), or null. */
export function badFileName(rel: string): string | null {
  if (rel.startsWith('/')) return 'an absolute path';
  if (/\s/.test(rel)) return 'a space in the name';
  if (/[^\x21-\x7e]/.test(rel)) return 'a non-ASCII character in the name';
  if (rel.split('/').some((seg) => seg.startsWith('.'))) return 'a hidden file (name starts with ".")';
  if (/[&*?"'<>|`$;]/.test(rel)) return 'a shell special character in the name';
  return null;
}

const GRAPHICS_EXTS = [
  '.pdf',
  '.png',
  '.jpg',
  '.jpeg',
  '.mps',
  '.jbig2',
  '.jb2',
  '.PDF',
  '.PNG',
  '.JPG',
  '.JPEG',
  '.JBIG2',
  '.JB2',
  '.eps',
];

const normal = (p: string): string =>
  p
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/\.\//g, '/');

/** The names TeX would try for a reference, in its order (relative to the root folder). */
export function candidatesFor(ref: Reference, graphicspath: readonly string[]): string[] {
  const own = candidatesFrom(ref, graphicspath);
  // In an imported file, the import's folder is searched after the root folder (an \import's
  // own name already includes it).
  if (!ref.base || ref.shown) return own;
  return [...own, ...candidatesFrom({ ...ref, name: `${ref.base}${ref.name}`, base: '' }, graphicspath).filter((c) => !own.includes(c))];
}

function candidatesFrom(ref: Reference, graphicspath: readonly string[]): string[] {
  const n = normal(ref.name);
  const hasExt = /\.[A-Za-z0-9]+$/.test(n.split('/').pop() ?? '');
  switch (ref.command) {
    case 'input':
    case 'subfile':
      return inputFileNames(n);
    case 'include':
      return [`${n}.tex`];
    case 'includegraphics': {
      const dirs = ['', ...graphicspath.map((d) => normal(d.endsWith('/') ? d : `${d}/`))];
      const exts = hasExt ? [''] : GRAPHICS_EXTS;
      return dirs.flatMap((d) => exts.map((e) => `${d}${n}${e}`));
    }
    case 'bibliography':
      return [n.endsWith('.bib') ? n : `${n}.bib`];
    case 'includepdf':
      return hasExt ? [n] : [n, `${n}.pdf`];
    case 'includesvg':
      return hasExt ? [n] : [`${n}.svg`, n];
    case 'includestandalone':
      return hasExt ? [n] : [`${n}.tex`, n];
    default:
      return [n];
  }
}

export type Resolution = { found: string } | { caseOnly: string } | { missing: true };

/** A name built by a macro (\input{\jobname-supp}): TeX alone knows it; the compile checks it. */
export const isMacroName = (name: string): boolean => name.includes('\\');

/** Find a reference among the folder's files, exact case first; report a case-only match. */
export function resolveReference(ref: Reference, graphicspath: readonly string[], files: ReadonlySet<string>): Resolution {
  const cands = candidatesFor(ref, graphicspath);
  for (const c of cands) if (files.has(c)) return { found: c };
  const lower = new Map([...files].map((f) => [f.toLowerCase(), f]));
  for (const c of cands) {
    const hit = lower.get(c.toLowerCase());
    if (hit) return { caseOnly: hit };
  }
  return { missing: true };
}

/** The files a latexmk `-recorder` .fls says were read, relative to `dir`, without TeX's own. */
export function flsInputs(fls: string, dir: string): string[] {
  let pwd = dir;
  const out = new Set<string>();
  for (const line of fls.split(/\r?\n/)) {
    if (line.startsWith('PWD ')) pwd = line.slice(4);
    if (!line.startsWith('INPUT ')) continue;
    let f = line.slice(6);
    if (f.startsWith('/')) {
      const base = pwd.endsWith('/') ? pwd : `${pwd}/`;
      if (!f.startsWith(base)) continue; // TeX Live's own files, fonts, the format
      f = f.slice(base.length);
    }
    f = normal(f);
    if (f === '' || f.startsWith('../')) continue;
    out.add(f);
  }
  return [...out];
}

/**
 * Files the compile read from outside the paper folder under one of `roots` (the user's
 * TEXMFHOME and the site's TEXMFLOCAL): packages arXiv's TeX Live does not have.
 */
export function flsFromRoots(fls: string, roots: readonly string[]): string[] {
  const bases = roots.filter((r) => r.startsWith('/')).map((r) => (r.endsWith('/') ? r : `${r}/`));
  const out = new Set<string>();
  for (const line of fls.split(/\r?\n/)) {
    if (!line.startsWith('INPUT /')) continue;
    const f = line.slice(6).replace(/\/{2,}/g, '/');
    if (bases.some((b) => f.startsWith(b))) out.add(f);
  }
  return [...out].sort();
}

/** Files a compile writes that never belong in an upload. */
export const OUTPUT_EXTS = [
  '.aux',
  '.log',
  '.out',
  '.toc',
  '.lof',
  '.lot',
  '.fls',
  '.fdb_latexmk',
  '.synctex.gz',
  '.bcf',
  '.run.xml',
  '.blg',
  '.nav',
  '.snm',
  '.vrb',
  '.pdf',
  '.dvi',
  '.xdv',
  '.ps',
  '.idx',
  '.ilg',
  '.glo',
  '.ist',
  '.brf',
  '.thm',
  '.loa',
];

/** The upload: what the compile read, plus pith.sty and the .bbl; never the lock, PDFs or aux files. */
export function packList(read: readonly string[], main: string, present: ReadonlySet<string>): string[] {
  const stem = main.replace(/\.tex$/, '');
  const keep = new Set<string>();
  for (const f of read) {
    if (f === LOCK_FILE) continue;
    // A .pdf figure is an input; the paper's own PDF is not.
    if (f === `${stem}.pdf`) continue;
    if (f.endsWith('.pdf') ? false : OUTPUT_EXTS.some((e) => f.endsWith(e))) continue;
    if (present.has(f)) keep.add(f);
  }
  for (const f of [main, 'pith.sty', `${stem}.bbl`]) if (present.has(f)) keep.add(f);
  return [...keep].sort();
}
