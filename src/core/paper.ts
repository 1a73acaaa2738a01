// Finding a paper's root file, purely from names and texts (the I/O is in src/io/paper-files.ts).
import type { TexAnalysis } from './tex-analysis.js';
import { importArguments, inputArguments } from './tex-inputs.js';
import { hasDocumentclass, maskTex } from './tex-mask.js';

export interface Candidate {
  /** Path relative to the folder searched (e.g. `main.tex`, `../paper.tex`). */
  name: string;
  text: string;
}

/**
 * The files named by `@default_files` in a .latexmkrc (Perl): `@default_files = ('a.tex', "b");`,
 * `qw(a.tex b.tex)`, `push @default_files, 'c.tex';`. `#` comments are ignored.
 */
export function parseLatexmkrcDefaultFiles(text: string): string[] {
  const code = text
    .split(/\r\n|\n|\r/)
    .map((line) => line.replace(/(^|\s)#.*$/, '$1'))
    .join('\n');
  const out: string[] = [];
  const re = /(?:@default_files\s*=|push\s*\(?\s*@default_files\s*,)\s*([\s\S]*?);/g;
  for (const m of code.matchAll(re)) {
    const rhs = m[1] as string;
    const qw = /qw\s*([(\[{<\/|])([\s\S]*?)[)\]}>\/|]/.exec(rhs);
    if (qw) {
      out.push(...(qw[2] as string).split(/\s+/).filter((s) => s !== ''));
      continue;
    }
    for (const q of rhs.matchAll(/'([^']*)'|"([^"]*)"/g)) out.push((q[1] ?? q[2]) as string);
  }
  return out;
}

export const isRootText = (text: string): boolean => hasDocumentclass(text);

/** The names a `\input`/`\include`/`\subfile`/`\import` in `text` refers to, as written. */
export function includedNames(text: string): string[] {
  const masked = maskTex(text);
  const imports = importArguments(masked).filter((a) => !a.sub && a.kind === 'import');
  return [...inputArguments(masked, ['input', 'include', 'subfile']).map((a) => a.name), ...imports.map((a) => a.file.trim())].filter(
    (n) => n !== '',
  );
}

const stripTex = (name: string): string =>
  name
    .replace(/\\/g, '/')
    .replace(/^\.\//, '')
    .replace(/\.tex$/, '');

/** Does a file named `includer` (relative) include `target` (relative, same base folder)? */
export function includes(includerText: string, includerName: string, targetName: string): boolean {
  const dir = includerName.includes('/') ? includerName.slice(0, includerName.lastIndexOf('/') + 1) : '';
  const want = normalise(targetName);
  return includedNames(includerText).some((n) => normalise(dir + n) === want || normalise(n) === want);
}

function normalise(name: string): string {
  const parts: string[] = [];
  for (const p of stripTex(name).split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

export type RootChoice =
  | { kind: 'root'; name: string; via: 'latexmkrc' | 'single-documentclass' }
  | { kind: 'none'; message: string }
  | { kind: 'ambiguous'; names: string[]; message: string };

/**
 * Choose the root among a folder's .tex files: the first `@default_files` entry that exists, else
 * the single file with `\documentclass`.
 */
export function chooseRoot(candidates: readonly Candidate[], latexmkrc: string | null): RootChoice {
  if (latexmkrc !== null) {
    for (const f of parseLatexmkrcDefaultFiles(latexmkrc)) {
      const hit = candidates.find((c) => c.name === f || c.name === `${f}.tex`);
      if (hit) return { kind: 'root', name: hit.name, via: 'latexmkrc' };
    }
  }
  const roots = candidates
    .filter((c) => isRootText(c.text))
    .map((c) => c.name)
    .sort();
  if (roots.length === 1) return { kind: 'root', name: roots[0] as string, via: 'single-documentclass' };
  if (roots.length === 0) {
    return { kind: 'none', message: "no .tex file with \\documentclass here; name the paper's main file: pith-tex stamp main.tex" };
  }
  return {
    kind: 'ambiguous',
    names: roots,
    message: `several .tex files have \\documentclass (${roots.join(', ')}); name one: pith-tex stamp ${roots[0]}`,
  };
}

/** A root file among `candidates` that includes `target`, for "did you mean" messages. */
export function findIncludingRoot(target: string, candidates: readonly Candidate[]): string | null {
  const roots = candidates.filter((c) => isRootText(c.text));
  return roots.find((c) => includes(c.text, c.name, target))?.name ?? null;
}

/** The names TeX tries for `\input{name}`, in its order: name.tex, then name (a .tex name alone). */
export const inputFileNames = (name: string): string[] => (name.endsWith('.tex') ? [name] : [`${name}.tex`, name]);

export interface AnalyzedFile {
  file: string;
  analysis: TexAnalysis;
}

/**
 * The root file and the preamble files it `\input`s, two levels deep (where pith-tex stamp may
 * keep the stamp), root first, at most about 50. The I/O is the caller's: `resolve` finds the
 * file an `\input` name refers to (or null), `read` reads and analyses it. Shared by stamp and
 * by the quick check, which reads synchronously.
 */
export async function preambleFiles<T extends AnalyzedFile>(
  root: T,
  io: { resolve: (name: string) => Promise<string | null> | string | null; read: (file: string) => Promise<T> | T },
): Promise<T[]> {
  const out: T[] = [root];
  const seen = new Set([root.file]);
  let frontier: T[] = [root];
  for (let depth = 0; depth < 2 && frontier.length > 0; depth++) {
    const next: T[] = [];
    for (const src of frontier) {
      for (const name of src.analysis.inputs) {
        const file = await io.resolve(name);
        if (!file || seen.has(file) || out.length > 50) continue;
        seen.add(file);
        const f = await io.read(file);
        out.push(f);
        next.push(f);
      }
    }
    frontier = next;
  }
  return out;
}
