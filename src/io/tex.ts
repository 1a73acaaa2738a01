// Running TeX through latexmk, for the commands that compile a paper (and the TeX tests).
// Never shell-escape. (The tests read PDFs back with poppler: test/support/poppler.ts.)
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';

export type Engine = 'pdf' | 'xe' | 'lua' | 'dvipdfmx' | 'dvips';

export interface CompileResult {
  ok: boolean;
  exitCode: number;
  /** The TeX .log (empty when TeX did not start), followed by nothing else. */
  log: string;
  /** latexmk's own output (stdout + stderr): driver warnings (dvips, dvipdfmx, ps2pdf) land here. */
  output: string;
  pdfPath: string;
  durationMs: number;
}

// latexmk's engine switch per path. The DVI paths name their drivers explicitly: dvipdfmx for
// -pdfdvi, and dvips -z (HyperTeX links kept, as arXiv runs it) for -pdfps.
const ENGINE_ARGS: Record<Engine, string[]> = {
  pdf: ['-pdf'],
  xe: ['-pdfxe'],
  lua: ['-pdflua'],
  dvipdfmx: ['-pdfdvi', '-e', "$dvipdf = 'dvipdfmx %O -o %D %S'"],
  dvips: ['-pdfps', '-e', "$dvips = 'dvips -z %O -o %D %S'"],
};

/** latexmk's arguments and environment for `main` and `engine` (the tests run the same in other TeX Lives). */
export function latexmkInvocation(main: string, engine: Engine): { args: string[]; env: Record<string, string> } {
  return {
    args: [...ENGINE_ARGS[engine], '-interaction=nonstopmode', '-halt-on-error', '-file-line-error', '-no-shell-escape', main],
    env: { max_print_line: '1000', error_line: '254', half_error_line: '238' },
  };
}

/**
 * Compile `main` (a .tex file name inside `dir`) in `dir` itself: no -output-directory (lualatex
 * with \DocumentMetadata and -output-directory hung on TeX Live 2022).
 */
export async function compile(opts: { dir: string; main: string; engine: Engine; timeoutMs?: number }): Promise<CompileResult> {
  const { dir, main, engine } = opts;
  const stem = main.replace(/\.tex$/, '');
  const started = Date.now();
  const run = latexmkInvocation(main, engine);
  const res = await execa('latexmk', run.args, {
    cwd: dir,
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: opts.timeoutMs ?? 180_000,
    env: run.env,
  });
  const log = await readFile(path.join(dir, `${stem}.log`), 'utf8').catch(() => '');
  const exitCode = typeof res.exitCode === 'number' ? res.exitCode : -1;
  return {
    ok: exitCode === 0 && !res.timedOut,
    exitCode,
    log,
    output: typeof res.all === 'string' ? res.all : '',
    pdfPath: path.join(dir, `${stem}.pdf`),
    durationMs: Date.now() - started,
  };
}
