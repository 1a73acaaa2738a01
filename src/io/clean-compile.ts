// The clean compile of `pith-tex arxiv`: the paper's folder copied as arXiv would receive it
// (no lock, no hidden files, no outputs, no .bib) and compiled by latexmk under arXiv's
// conditions (no shell-escape, -recorder), whatever the user's own latexmkrc says.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OUTPUT_EXTS } from '../core/arxiv-checklist.js';
import { LOCK_FILE } from '../core/file-names.js';
import { copyFiles } from './pack.js';
import type { CompileResult } from './tex.js';

/** The compilers arXiv offers, as src/io/tex.ts compile() names them. */
export const ARXIV_ENGINES = ['pdf', 'xe', 'dvips', 'dvipdfmx'] as const;
export type ArxivEngine = (typeof ARXIV_ENGINES)[number];

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

/** Which of the folder's files (relative) arXiv would receive: no lock, no hidden files, no outputs, no .bib. */
export function cleanCopyFiles(all: readonly string[], main: string): string[] {
  const stem = main.replace(/\.tex$/, '');
  // arXiv runs no BibTeX, so the compile must live on the uploaded .bbl.
  return all.filter(
    (f) =>
      f !== LOCK_FILE &&
      !f.endsWith('.bib') &&
      !f.split('/').some((s) => s.startsWith('.')) &&
      !OUTPUT_EXTS.some((e) => f.endsWith(e) && !(e === '.pdf' && f !== `${stem}.pdf`)),
  );
}

export interface CleanCompile extends CompileResult {
  /** The compile's -recorder listing (null when latexmk wrote none). */
  fls: string | null;
  /** The folder the copy was compiled in (removed when `use` returns). */
  dir: string;
}

/**
 * Copy `files` of `dir` into a temporary folder, compile `main` there with `engine`, hand the
 * result to `use` (its PDF is still on disk), then remove the folder.
 */
export async function withCleanCompile<T>(
  src: { dir: string; files: readonly string[]; main: string; engine: ArxivEngine },
  use: (result: CleanCompile) => Promise<T>,
): Promise<T> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pith-arxiv-'));
  try {
    copyFiles(src.dir, tmp, src.files);
    // The user's own latexmkrc (~/.latexmkrc, or a `latexmkrc` in the paper folder) must not
    // turn shell-escape or the recorder back on or off: latexmk reads the folder's rc last.
    writeFileSync(path.join(tmp, 'latexmkrc'), ARXIV_LATEXMKRC);
    // execa loads only when a compile runs.
    const { compile } = await import('./tex.js');
    const result = await compile({ dir: tmp, main: src.main, engine: src.engine });
    const flsFile = path.join(tmp, `${src.main.replace(/\.tex$/, '')}.fls`);
    return await use({ ...result, fls: existsSync(flsFile) ? readFileSync(flsFile, 'utf8') : null, dir: tmp });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The user's and the site's own TeX trees (kpsewhich -var-value TEXMFHOME, TEXMFLOCAL). */
export function texmfRoots(): string[] {
  const roots: string[] = [];
  for (const v of ['TEXMFHOME', 'TEXMFLOCAL']) {
    const r = spawnSync('kpsewhich', [`-var-value=${v}`], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const dirs = r.stdout.trim().split(/[:;,{}]/);
    roots.push(...dirs.map((x) => x.replace(/^!!/, '').trim()).filter((x) => x.startsWith('/')));
  }
  return roots;
}
