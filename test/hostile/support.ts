// Shared by the hostile-input tests (issue 12): a paper folder beside a "victim" folder whose
// files must never change, the CLI run as a child with its time and peak memory, and a
// fingerprint of a folder to prove nothing in it changed.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers.js';

export const MEASURED_CLI = path.join(repoRoot, 'dist', 'test', 'support', 'measured-cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the child, ms. */
  ms: number;
  /** Peak resident memory of the child, MiB (from process.resourceUsage in the child). */
  maxRssMiB: number;
}

/** Run `pith-tex ...args` as a child; killed after `timeoutMs` (then code is null). */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [MEASURED_CLI, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /\nPITH_TEST_MAXRSS_KB=(\d+)\n$/.exec(stderr);
      resolve({ code, stdout, stderr: m ? stderr.slice(0, m.index) : stderr, ms: Date.now() - started, maxRssMiB: m ? Number(m[1]) / 1024 : NaN });
    });
  });
}

const roots: string[] = [];
process.on('exit', () => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A fresh root with `paper/` (the author's folder) and `victim/` (a file outside it); removed at exit. */
export function arena(prefix: string): { root: string; paper: string; victim: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), `pith-hostile-${prefix}-`));
  roots.push(root);
  const paper = path.join(root, 'paper');
  const victim = path.join(root, 'victim');
  mkdirSync(paper);
  mkdirSync(victim);
  return { root, paper, victim };
}

/** Every entry under `dir` with its type, size, mode, mtime and content hash (links: their target). */
export function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = path.join(dir, r);
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) out[r] = `link ${readlinkSync(abs)}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${st.mode}`;
        visit(r);
      } else if (st.isFile()) out[r] = `file ${st.size} ${st.mode} ${st.mtimeMs} ${createHash('sha256').update(readFileSync(abs)).digest('hex')}`;
      else out[r] = `special ${st.mode}`;
    }
  };
  visit('');
  return out;
}
