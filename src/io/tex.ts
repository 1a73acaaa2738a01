// Running TeX (through latexmk) and reading PDFs back (poppler's pdfinfo / pdftotext).
// Used by the TeX tests and by commands that compile a paper. Never shell-escape.
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

/**
 * Compile `main` (a .tex file name inside `dir`) in `dir` itself: no -output-directory (lualatex
 * with \DocumentMetadata and -output-directory hung on TeX Live 2022).
 */
export async function compile(opts: {
  dir: string;
  main: string;
  engine: Engine;
  timeoutMs?: number;
}): Promise<CompileResult> {
  const { dir, main, engine } = opts;
  const stem = main.replace(/\.tex$/, '');
  const started = Date.now();
  const res = await execa(
    'latexmk',
    [
      ...ENGINE_ARGS[engine],
      '-interaction=nonstopmode',
      '-halt-on-error',
      '-file-line-error',
      '-no-shell-escape',
      main,
    ],
    {
      cwd: dir,
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: opts.timeoutMs ?? 180_000,
      env: { max_print_line: '1000', error_line: '254', half_error_line: '238' },
    },
  );
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

async function run(cmd: string, args: string[]): Promise<string> {
  const res = await execa(cmd, args, { reject: false, stdin: 'ignore' });
  if (res.exitCode !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${res.exitCode}): ${String(res.stderr).trim()}`);
  }
  return String(res.stdout);
}

/** `pdfinfo -custom`: every Info dictionary entry, standard and custom, as key → value. */
export async function pdfInfoCustom(pdf: string): Promise<Record<string, string>> {
  const out = await run('pdfinfo', ['-custom', pdf]);
  return parseInfoLines(out);
}

/** `pdfinfo` (plain): Pages, Title, Producer, ... */
export async function pdfInfo(pdf: string): Promise<Record<string, string>> {
  return parseInfoLines(await run('pdfinfo', [pdf]));
}

function parseInfoLines(out: string): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of out.split(/\r?\n/)) {
    const m = /^([^:]+):\s?(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) info[m[1].trim()] = m[2].trim();
  }
  return info;
}

/** The document's XMP packet (`pdfinfo -meta`); empty when the PDF has none. */
export async function pdfXmp(pdf: string): Promise<string> {
  return run('pdfinfo', ['-meta', pdf]);
}

/** URLs of the link annotations (`pdfinfo -url`), in page order. */
export async function pdfUrls(pdf: string): Promise<{ page: number; url: string }[]> {
  const out = await run('pdfinfo', ['-url', pdf]);
  const urls: { page: number; url: string }[] = [];
  for (const line of out.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+\S+\s+(\S+)\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) urls.push({ page: Number(m[1]), url: m[2] });
  }
  return urls;
}

/** Text of the given pages (`pdftotext -layout`). */
export async function pdfText(pdf: string, pages: { firstPage?: number; lastPage?: number } = {}): Promise<string> {
  const args = ['-layout', '-enc', 'UTF-8'];
  if (pages.firstPage !== undefined) args.push('-f', String(pages.firstPage));
  if (pages.lastPage !== undefined) args.push('-l', String(pages.lastPage));
  return run('pdftotext', [...args, pdf, '-']);
}

export async function pdfPageCount(pdf: string): Promise<number> {
  const pages = Number((await pdfInfo(pdf)).Pages);
  if (!Number.isInteger(pages)) throw new Error(`pdfinfo gave no page count for ${pdf}`);
  return pages;
}
