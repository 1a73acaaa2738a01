// TeX Live generations for the TeX tests: the machine's own (Debian bookworm: TeX Live 2022) and
// the Debian chroots that .ci/texlive-generations.sh builds once per machine (trixie: 2024,
// forky: 2026). A build runs in a folder under the chroot's /tmp, so the PDF and the .log are
// plain files on the host (read them with test/support/poppler.ts) and no bind mount is needed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { execa } from 'execa';
import { latexmkInvocation, type CompileResult, type Engine } from '../../src/io/tex.js';

export interface Generation {
  /** TeX Live's year: the host's as its pdfTeX reports it, or the chroot's. */
  name: string;
  /** The chroot's root on the host; null for the host's own TeX Live. */
  root: string | null;
}

const CACHE = '/var/cache/pith-tex';
/** The chroots, oldest first; `.ci/texlive-generations.sh` must use the same paths. */
export const CHROOTS: readonly Generation[] = [
  { name: '2024', root: path.join(CACHE, 'texlive-2024') },
  { name: '2026', root: path.join(CACHE, 'texlive-2026') },
];
const READY_MARKER = '.pith-ready';
const BUILD_HINT = 'build it with `bash .ci/texlive-generations.sh ensure` (as root)';

/** The host's TeX Live year, from `pdftex --version` ("... (TeX Live 2022/Debian)"). */
function hostYear(): string {
  const r = spawnSync('pdftex', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = /TeX Live (\d{4})/.exec(r.stdout ?? '');
  return m?.[1] ?? 'host';
}

export const isReady = (gen: Generation): boolean => gen.root === null || fs.existsSync(path.join(gen.root, READY_MARKER));

let cached: Generation[] | undefined;
/**
 * The generations to test: the host always, and each chroot that is ready. With CI=true or
 * PITH_TEX_GENERATIONS=all a missing chroot is an error (CI never skips a generation silently);
 * PITH_TEX_GENERATIONS=2022,2026 (names) picks some, and each named one must be ready.
 */
export function generations(): Generation[] {
  if (cached) return cached;
  const host: Generation = { name: hostYear(), root: null };
  const all = [host, ...CHROOTS];
  const wanted = (process.env.PITH_TEX_GENERATIONS ?? '').trim();
  const strict = process.env.CI === 'true' || wanted === 'all';
  let picked: Generation[];
  if (wanted === '' || wanted === 'all') {
    picked = all;
  } else {
    const names = wanted.split(',').map((s) => s.trim());
    const unknown = names.filter((n) => !all.some((g) => g.name === n));
    if (unknown.length > 0) {
      throw new Error(`PITH_TEX_GENERATIONS names ${unknown.join(', ')}; known: ${all.map((g) => g.name).join(', ')}`);
    }
    picked = all.filter((g) => names.includes(g.name));
  }
  const missing = picked.filter((g) => !isReady(g));
  if (missing.length > 0 && (strict || wanted !== '')) {
    const list = missing.map((g) => `TeX Live ${g.name} (${g.root})`).join(', ');
    throw new Error(`${list} not built: ${BUILD_HINT}`);
  }
  for (const g of missing) {
    process.stderr.write(`# skipping TeX Live ${g.name}: no ready chroot at ${g.root}; ${BUILD_HINT}\n`);
  }
  cached = picked.filter(isReady);
  return cached;
}

/** Looks a generation up by name among `generations()`. */
export function generation(name: string): Generation {
  const g = generations().find((x) => x.name === name);
  if (!g) throw new Error(`TeX Live ${name} is not among the generations tested here`);
  return g;
}

/** A short label for test names: "TL2022". */
export const label = (gen: Generation): string => `TL${gen.name}`;

/**
 * A fresh, empty build folder that `gen` can see: `hostPath` for the host's file functions,
 * `innerPath` for commands run in the generation. Remove it with `removeBuildDir(hostPath)`.
 */
export function makeBuildDir(gen: Generation, prefix: string): { hostPath: string; innerPath: string } {
  const base = gen.root === null ? os.tmpdir() : path.join(gen.root, 'tmp');
  const hostPath = fs.mkdtempSync(path.join(base, prefix));
  return { hostPath, innerPath: innerPath(gen, hostPath) };
}

export function removeBuildDir(hostPath: string): void {
  fs.rmSync(hostPath, { recursive: true, force: true });
}

/** The path inside `gen` of a host path (which must lie inside the chroot). */
export function innerPath(gen: Generation, hostPath: string): string {
  if (gen.root === null) return hostPath;
  const rel = path.relative(gen.root, path.resolve(hostPath));
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new Error(`${hostPath} is outside TeX Live ${gen.name}'s chroot ${gen.root}; make it with makeBuildDir`);
  }
  return `/${rel.split(path.sep).join('/')}`;
}

// /proc inside each chroot (lost at a reboot): mounted at first use, once per process.
const procMounted = new Map<string, Promise<void>>();
function ensureProc(root: string): Promise<void> {
  let p = procMounted.get(root);
  if (!p) {
    p = (async () => {
      const target = path.join(root, 'proc');
      const mounts = fs.readFileSync('/proc/mounts', 'utf8');
      if (mounts.split('\n').some((l) => l.split(' ')[1] === target)) return;
      await execa('mount', ['-t', 'proc', 'proc', target], { stdin: 'ignore' });
    })();
    procMounted.set(root, p);
  }
  return p;
}

export interface RunResult {
  exitCode: number;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved. */
  all: string;
}

// Inside a chroot the host's environment is not passed on (its PATH, TMPDIR, TEXINPUTS, HOME
// name host things); only these and opts.env.
const CHROOT_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
};

/** Runs `cmd` in `cwd` (a path inside `gen`): on the host, or through chroot(8). Never rejects. */
export async function runIn(
  gen: Generation,
  cwd: string,
  cmd: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  const [file, ...args] = cmd;
  if (file === undefined) throw new Error('runIn: empty command');
  const common = { reject: false, all: true, stdin: 'ignore', timeout: opts.timeoutMs ?? 180_000 } as const;
  let res;
  if (gen.root === null) {
    res = await execa(file, args, { ...common, cwd, env: opts.env ?? {} });
  } else {
    await ensureProc(gen.root);
    const env = Object.entries({ ...CHROOT_ENV, ...opts.env }).map(([k, v]) => `${k}=${v}`);
    // chroot, env and sh each exec the next, so a timeout's kill reaches the command itself.
    res = await execa(
      'chroot',
      [gen.root, '/usr/bin/env', '-i', ...env, '/bin/sh', '-c', 'cd "$1" && shift && exec "$@"', 'sh', cwd, file, ...args],
      {
        ...common,
        extendEnv: false,
      },
    );
  }
  return {
    exitCode: typeof res.exitCode === 'number' ? res.exitCode : -1,
    timedOut: Boolean(res.timedOut),
    stdout: String(res.stdout ?? ''),
    stderr: String(res.stderr ?? ''),
    all: String(res.all ?? ''),
  };
}

/**
 * What src/io/tex.ts `compile` does, in `gen`: latexmk on `main` in `dir` (a host path; for a
 * chroot it must come from makeBuildDir). Paths in the result are host paths.
 */
export async function compileIn(
  gen: Generation,
  opts: { dir: string; main: string; engine: Engine; timeoutMs?: number },
): Promise<CompileResult> {
  const { dir, main, engine } = opts;
  const stem = main.replace(/\.tex$/, '');
  const started = Date.now();
  const run = latexmkInvocation(main, engine);
  const res = await runIn(gen, innerPath(gen, dir), ['latexmk', ...run.args], {
    env: run.env,
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
  });
  const log = await fs.promises.readFile(path.join(dir, `${stem}.log`), 'utf8').catch(() => '');
  return {
    ok: res.exitCode === 0 && !res.timedOut,
    exitCode: res.exitCode,
    log,
    output: res.all,
    pdfPath: path.join(dir, `${stem}.pdf`),
    durationMs: Date.now() - started,
  };
}
