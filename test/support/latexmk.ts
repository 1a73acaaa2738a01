// Real latexmk runs for the hook tests: PATHs with and without pith-tex and Node, a hook
// installed by the CLI, and file writes that latexmk is sure to see.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliPath } from '../helpers.js';

export const haveLatexmk = spawnSync('latexmk', ['-v'], { encoding: 'utf8' }).status === 0;

const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
};

/** PATH with a `pith-tex` (a shell script running this checkout's CLI) first. */
export function pathWithPithTex(): string {
  const binDir = tempDir('pith-bin-');
  const shim = path.join(binDir, 'pith-tex');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`);
  chmodSync(shim, 0o755);
  return `${binDir}${path.delimiter}${process.env.PATH ?? ''}`;
}

/**
 * PATH without pith-tex and without node: a folder of links to everything in the folders that
 * hold latexmk, pdflatex, perl and sh, except node, npm, npx, corepack and pith-tex.
 */
export function pathWithoutNode(): string {
  const dir = tempDir('pith-nonode-');
  for (const tool of ['latexmk', 'pdflatex', 'perl', 'sh']) {
    const where = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (!where) continue;
    for (const name of readdirSync(path.dirname(where))) {
      if (/^(node|nodejs|npm|npx|corepack|pith-tex)$/.test(name) || existsSync(path.join(dir, name))) continue;
      symlinkSync(path.join(path.dirname(where), name), path.join(dir, name));
    }
  }
  return dir;
}

/** Remove the PATH folders made here (call from test.after). */
export function cleanUpPaths(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Write, then date the file ahead, each time at least a second later than the last: latexmk
 * compares whole-second mtimes and sizes, and a tampered number has the same size.
 */
let lastStamp = 0;
export function writeLater(file: string, text: string): void {
  writeFileSync(file, text);
  lastStamp = Math.max(Date.now() + 2000, lastStamp + 1100);
  const t = new Date(lastStamp);
  utimesSync(file, t, t);
}

export function latexmk(dir: string, args: string[], PATH = process.env.PATH ?? ''): { code: number | null; log: string } {
  const r = spawnSync('latexmk', ['-interaction=nonstopmode', '-halt-on-error', ...args, 'main.tex'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH },
    timeout: 120_000,
  });
  return { code: r.status, log: `${r.stdout}\n${r.stderr}` };
}

/** `pith-tex hook install DIR` through the CLI; throws with its output if it fails. */
export function installHookIn(dir: string): string {
  const r = spawnSync(process.execPath, [cliPath, 'hook', 'install', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`hook install failed: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** As on a co-author's machine: the block's installing pith-tex is not there. */
export function forgetInstalledPithTex(dir: string): void {
  const rc = path.join(dir, '.latexmkrc');
  const text = readFileSync(rc, 'utf8');
  const moved = text.replace(
    /^our @pith_tex_installed = \(.*\);$/m,
    "our @pith_tex_installed = ('/nonexistent/bin/node', '/nonexistent/pith-tex/bin/pith-tex.js');",
  );
  if (moved === text) throw new Error('no @pith_tex_installed line in the block');
  writeFileSync(rc, moved);
}
