// The one way tests run the command line: `pith-tex ...args`, stdout and stderr collected.
//
// By default the command runs inside the test's own process, through bin/pith-tex.js's `run`
// with the same dist/cli/ bundles the command uses: no node start-up per run (about 100 ms on
// the 2-core CI machine, which made the unit suite minutes long). The process-wide state a
// command reads is set for the run and put back after it: the working folder (process.chdir),
// the environment (NO_COLOR=1 plus options.env; an undefined value removes a variable),
// process.exitCode, and isTTY (false, as for a child whose output is a pipe). What it writes to
// stdout and stderr (process.stdout/stderr, or fs.writeSync to descriptors 1 and 2) is captured
// through an AsyncLocalStorage, so only the command's own writes are taken, never the runner's.
// One run at a time per test file: concurrent calls (Promise.all) queue.
//
// A real child process (bin/pith-tex.js under this Node) runs instead when the test needs what
// only a process has: `spawn: true` (a lock held by another pid, several commands at once, the
// shipped start-up itself), `measure: true` (peak memory, test/support/measured-cli.js), `input`
// (stdin), or PITH_TEX_TEST_CRASH_AT in `env` (stamp SIGKILLs itself at that point).
import { spawn } from 'node:child_process';
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cliPath, repoRoot } from '../helpers.js';

export const MEASURED_CLI = path.join(repoRoot, 'dist', 'test', 'support', 'measured-cli.js');

export interface CliRun {
  /** The exit code; null when the child was killed (timeout or signal). */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout as bytes (a --dry-run patch keeps the paper's own encoding). */
  stdoutBytes: Buffer;
  /** Wall time of the run, ms. */
  ms: number;
  /** Peak resident memory of the child, MiB (only with `measure: true`; NaN otherwise). */
  maxRssMiB: number;
}

export interface CliOptions {
  cwd?: string;
  /** Added to this process's environment (NO_COLOR=1 is always set); undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** Give up after this many ms (a child is SIGKILLed); default 60 s. */
  timeoutMs?: number;
  /** Written to the child's stdin, which is then closed (a child process; default: no stdin). */
  input?: string;
  /** Run in a child process and report its peak memory. */
  measure?: boolean;
  /** Run in a child process (node bin/pith-tex.js), not in this one. */
  spawn?: boolean;
}

/** Run `pith-tex ...args`; never rejects (a failed spawn is status null with the error on stderr). */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  // A crash point (PITH_TEX_TEST_CRASH_AT) SIGKILLs the process that runs the command.
  const child = options.spawn || options.measure || options.input !== undefined || options.env?.PITH_TEX_TEST_CRASH_AT !== undefined;
  return child ? spawnCli(args, options) : inProcess(args, options);
}

/** The environment a run sees: this process's, NO_COLOR=1, then options.env. */
function runEnv(extra: CliOptions['env'] = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

const MAXRSS_LINE = /\nPITH_TEST_MAXRSS_KB=(\d+)\n$/;

function spawnCli(args: readonly string[], options: CliOptions): Promise<CliRun> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [options.measure ? MEASURED_CLI : cliPath, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: runEnv(options.env),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    if (options.input !== undefined) child.stdin?.end(options.input);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    let failure = '';
    child.on('error', (e) => (failure = String(e)));
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8') + failure;
      const m = MAXRSS_LINE.exec(stderr);
      const stdoutBytes = Buffer.concat(out);
      resolve({
        status,
        signal,
        stdout: stdoutBytes.toString('utf8'),
        stdoutBytes,
        stderr: m ? stderr.slice(0, m.index) : stderr,
        ms: Date.now() - started,
        maxRssMiB: m ? Number(m[1]) / 1024 : NaN,
      });
    });
  });
}

// ---- In this process ----

interface Capture {
  stdout: Buffer[];
  stderr: Buffer[];
}
const capturing = new AsyncLocalStorage<Capture>();

/**
 * What a run writes to stdout and stderr, diverted into its capture: process.stdout/stderr.write,
 * and fs.writeSync to descriptors 1 and 2 (check prints straight to the descriptors; the bundles
 * call fs through the module object, so they see this one).
 */
function divertWrites(): void {
  const writeSync = fs.writeSync;
  fs.writeSync = function (fd: number, data: unknown, ...rest: unknown[]): number {
    const capture = capturing.getStore();
    if (!capture || (fd !== 1 && fd !== 2)) return (writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
    let bytes: Buffer;
    if (typeof data === 'string') bytes = Buffer.from(data, typeof rest[1] === 'string' ? (rest[1] as BufferEncoding) : 'utf8');
    else {
      const view = data as NodeJS.ArrayBufferView;
      const all = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
      const offset = typeof rest[0] === 'number' ? rest[0] : 0;
      const length = typeof rest[1] === 'number' ? rest[1] : all.length - offset;
      bytes = Buffer.from(all.subarray(offset, offset + length));
    }
    capture[fd === 1 ? 'stdout' : 'stderr'].push(bytes);
    return bytes.length;
  } as typeof fs.writeSync;
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const write = stream.write;
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const capture = capturing.getStore();
      if (!capture) return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
      const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
      capture[name].push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk as Uint8Array));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (done) process.nextTick(done);
      return true;
    } as typeof stream.write;
  }
}

interface Bin {
  run(argv: string[]): Promise<number>;
}
let bin: Bin | null = null;

/** The run in progress (or one that timed out and is still going): the next run waits for it. */
let busy: Promise<unknown> = Promise.resolve();

/** Set process.env to `env` in place (the object node's own code and child processes read). */
function setEnv(env: NodeJS.ProcessEnv): void {
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
}

async function inProcess(args: readonly string[], options: CliOptions): Promise<CliRun> {
  const before = busy;
  let finished!: () => void;
  busy = new Promise<void>((resolve) => (finished = resolve));
  await before;
  bin ??= loadBin();
  const saved = { cwd: process.cwd(), env: { ...process.env }, exitCode: process.exitCode };
  const ttys = [process.stdout, process.stderr].filter((s) => s.isTTY);
  const restore = (): void => {
    process.chdir(saved.cwd);
    setEnv(saved.env);
    process.exitCode = saved.exitCode;
    for (const s of ttys) s.isTTY = true;
    finished();
  };
  const capture: Capture = { stdout: [], stderr: [] };
  const started = Date.now();
  let running: Promise<number>;
  try {
    if (options.cwd) process.chdir(options.cwd);
    setEnv(runEnv(options.env));
    process.exitCode = undefined;
    for (const s of ttys) s.isTTY = false;
    running = capturing.run(capture, () => bin!.run([process.execPath, cliPath, ...args]));
  } catch (err) {
    // As a child that cannot start (a working folder that is not there): status null, the error on stderr.
    restore();
    return { status: null, signal: null, stdout: '', stdoutBytes: Buffer.alloc(0), stderr: String(err), ms: 0, maxRssMiB: NaN };
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), options.timeoutMs ?? 60_000)));
  const status = await Promise.race([running, timedOut]);
  clearTimeout(timer);
  // Timed out: the run keeps the process's state until it ends; the next run waits for that.
  if (status === null) void running.finally(restore);
  else restore();
  const stdoutBytes = Buffer.concat(capture.stdout);
  const stderr = Buffer.concat(capture.stderr).toString('utf8');
  return {
    status,
    signal: status === null ? 'SIGKILL' : null,
    stdout: stdoutBytes.toString('utf8'),
    stdoutBytes,
    stderr: status === null ? `${stderr}\n(runCli: timed out after ${options.timeoutMs ?? 60_000} ms in this process)\n` : stderr,
    ms: Date.now() - started,
    maxRssMiB: NaN,
  };
}

/** bin/pith-tex.js as a module, with this process's writes diverted for capture from then on. */
function loadBin(): Bin {
  divertWrites();
  return createRequire(import.meta.url)(cliPath) as Bin;
}
