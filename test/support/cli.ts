// The one way tests run the command line: `pith-tex ...args` as a child process (bin/pith-tex.js
// under this Node), stdout and stderr collected as text, killed after a timeout.
// With `measure: true` the child is test/support/measured-cli.js, which reports its peak memory.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { cliPath, repoRoot } from '../helpers.js';

export const MEASURED_CLI = path.join(repoRoot, 'dist', 'test', 'support', 'measured-cli.js');

export interface CliRun {
  /** The exit code; null when the child was killed (timeout or signal). */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time of the child, ms. */
  ms: number;
  /** Peak resident memory of the child, MiB (only with `measure: true`; NaN otherwise). */
  maxRssMiB: number;
}

export interface CliOptions {
  cwd?: string;
  /** Added to this process's environment (NO_COLOR=1 is always set). */
  env?: NodeJS.ProcessEnv;
  /** Kill the child (SIGKILL) after this many ms; default 60 s. */
  timeoutMs?: number;
  /** Written to the child's stdin, which is then closed (default: no stdin). */
  input?: string;
  measure?: boolean;
}

const MAXRSS_LINE = /\nPITH_TEST_MAXRSS_KB=(\d+)\n$/;

/** Run `pith-tex ...args`; never rejects (a failed spawn is status null with the error on stderr). */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [options.measure ? MEASURED_CLI : cliPath, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    if (options.input !== undefined) child.stdin?.end(options.input);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (err) => (stderr += String(err)));
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const m = MAXRSS_LINE.exec(stderr);
      resolve({
        status,
        signal,
        stdout,
        stderr: m ? stderr.slice(0, m.index) : stderr,
        ms: Date.now() - started,
        maxRssMiB: m ? Number(m[1]) / 1024 : NaN,
      });
    });
  });
}
