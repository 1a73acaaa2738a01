// Building one template, unstamped or stamped, in one TeX Live generation: copy the folder into a
// build folder the generation can see, stamp it with the real CLI, run latexmk, read log and PDF.
// Finished builds are kept by content hash (folder bytes, generation, options) outside the
// checkout, so an unchanged template is not built twice.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Expectation } from './expect.js';
import { makeBuildDir, removeBuildDir, runIn, type Generation } from './generations.js';
import { readLog } from './layout.js';
import type { BuildFacts } from './judge.js';
import { readPdf } from './pdf.js';

export type Variant = 'plain' | 'stamped';
/** Bump when the way a build is run changes, so cached builds are not reused. */
const BUILD_RECIPE = 1;
const CACHE = process.env.PITH_TEX_CORPUS_CACHE ?? path.join(os.tmpdir(), 'pith-tex-corpus-cache');

export interface StampTool {
  /** bin/pith-tex.js */
  cli: string;
  /** The signed bundle the stamp verifies offline. */
  bundle: string;
}

// latex -> dvips -z (HyperTeX links kept, as arXiv runs it) -> ps2pdf for EPS-figure papers.
const ENGINE_ARGS = { pdf: ['-pdf'], xe: ['-pdfxe'], lua: ['-pdflua'], dvips: ['-pdfps', '-e', "$dvips = 'dvips -z %O -o %D %S'"] } as const;

function latexmkArgs(exp: Expectation): string[] {
  return [...ENGINE_ARGS[exp.engine], '-interaction=nonstopmode', ...(exp.haltOnError ? ['-halt-on-error'] : []), '-no-shell-escape', exp.main];
}

function copyTree(from: string, to: string): void {
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (e.name === 'expect.json' || e.name === 'SOURCE.md') continue;
    const s = path.join(from, e.name);
    const d = path.join(to, e.name);
    if (e.isDirectory()) {
      fs.mkdirSync(d);
      copyTree(s, d);
    } else if (e.isFile()) fs.copyFileSync(s, d);
  }
}

function hashTree(dir: string, h = createHash('sha256'), rel = ''): ReturnType<typeof createHash> {
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) hashTree(dir, h, r);
    else if (e.isFile()) h.update(`${r}\0${fs.statSync(path.join(dir, r)).size}\0`).update(fs.readFileSync(path.join(dir, r)));
  }
  return h;
}

/** What identifies a generation's installed TeX: its dpkg status file's modification time. */
function generationStamp(gen: Generation): string {
  const status = path.join(gen.root ?? '/', 'var/lib/dpkg/status');
  const t = fs.existsSync(status) ? fs.statSync(status).mtimeMs : 0;
  return `${gen.name}:${gen.root ?? 'host'}:${t}`;
}

async function stamp(dir: string, exp: Expectation, tool: StampTool): Promise<void> {
  const res = await execa(process.execPath, [tool.cli, 'stamp', path.join(dir, exp.main), '--bundle', tool.bundle], { reject: false, all: true, stdin: 'ignore' });
  if (res.exitCode !== 0) throw new Error(`pith-tex stamp ${exp.name}/${exp.main} failed (${res.exitCode}): ${String(res.all).trim()}`);
}

interface Stored {
  exitCode: number;
  seconds: number;
}

export interface BuildResult extends BuildFacts {
  seconds: number;
  cached: boolean;
  /** The folder holding the PDF and log (kept with PITH_TEX_KEEP_TMP). */
  pdfPath: string | null;
}

/** Builds `exp` as `variant` in `gen`; the result's files live in the cache. */
export async function build(exp: Expectation, gen: Generation, variant: Variant, tool: StampTool): Promise<BuildResult> {
  const { hostPath, innerPath } = makeBuildDir(gen, `pith-corpus-${exp.name}-${variant}-`);
  try {
    copyTree(exp.dir, hostPath);
    if (variant === 'stamped') await stamp(hostPath, exp, tool);
    const key = hashTree(hostPath).update(`${BUILD_RECIPE}\0${generationStamp(gen)}\0${latexmkArgs(exp).join(' ')}`).digest('hex').slice(0, 32);
    const keep = path.join(CACHE, key);
    const stem = exp.main.replace(/\.tex$/, '');
    let cached = true;
    if (!fs.existsSync(path.join(keep, 'build.json'))) {
      cached = false;
      const started = Date.now();
      const res = await runIn(gen, innerPath, ['latexmk', ...latexmkArgs(exp)], {
        env: { max_print_line: '1000', error_line: '254', half_error_line: '238' },
        timeoutMs: 300_000,
      });
      const tmp = `${keep}.tmp-${process.pid}`;
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.mkdirSync(tmp, { recursive: true });
      for (const ext of ['pdf', 'log']) {
        const f = path.join(hostPath, `${stem}.${ext}`);
        if (fs.existsSync(f)) fs.copyFileSync(f, path.join(tmp, `main.${ext}`));
      }
      fs.writeFileSync(path.join(tmp, 'latexmk.out'), res.all);
      const stored: Stored = { exitCode: res.timedOut ? -1 : res.exitCode, seconds: (Date.now() - started) / 1000 };
      fs.writeFileSync(path.join(tmp, 'build.json'), JSON.stringify(stored));
      fs.rmSync(keep, { recursive: true, force: true });
      fs.renameSync(tmp, keep);
    }
    return await facts(keep, cached);
  } finally {
    if (!process.env.PITH_TEX_KEEP_TMP) removeBuildDir(hostPath);
  }
}

async function facts(keep: string, cached: boolean): Promise<BuildResult> {
  const stored = JSON.parse(fs.readFileSync(path.join(keep, 'build.json'), 'utf8')) as Stored;
  const logText = fs.existsSync(path.join(keep, 'main.log')) ? fs.readFileSync(path.join(keep, 'main.log'), 'latin1') : '';
  const log = readLog(logText);
  const pdfFile = path.join(keep, 'main.pdf');
  const hasPdf = fs.existsSync(pdfFile);
  // latexmk also exits non-zero when a .bib the template names is not shipped: a build counts
  // when TeX's last run made a PDF and did not stop (-halt-on-error stops at the first error).
  const fatal = /Fatal error occurred|Emergency stop/.test(logText);
  const ok = hasPdf && !fatal;
  const failure = ok ? null : (log.errors[0] ?? (hasPdf ? `latexmk exit ${stored.exitCode}` : `no PDF (latexmk exit ${stored.exitCode})`));
  const pdf = hasPdf ? await readPdf(pdfFile, fs.readFileSync(pdfFile)) : null;
  return { ok, failure, log, pdf, seconds: stored.seconds, cached, pdfPath: hasPdf ? pdfFile : null };
}
