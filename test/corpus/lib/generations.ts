// The TeX Live generations the corpus runs on: those of test/support/texlive.ts (the host's TeX
// Live and the Debian chroots for 2024 and 2026, built by .ci/texlive-generations.sh) when that
// module is present, else the host's TeX Live alone with the same interface. The module is
// looked up at run time so that this file needs no edit when texlive.ts lands on main.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { execa } from 'execa';

export interface Generation {
  name: string;
  root: string | null;
}
export interface RunResult {
  exitCode: number;
  timedOut: boolean;
  all: string;
}
interface GenerationsModule {
  generations(): Generation[];
  makeBuildDir(gen: Generation, prefix: string): { hostPath: string; innerPath: string };
  removeBuildDir(hostPath: string): void;
  runIn(gen: Generation, cwd: string, cmd: string[], opts?: { env?: Record<string, string>; timeoutMs?: number }): Promise<RunResult>;
}

function hostYear(): string {
  const r = spawnSync('pdftex', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return /TeX Live (\d{4})/.exec(r.stdout ?? '')?.[1] ?? 'host';
}

const hostOnly: GenerationsModule = {
  generations: () => [{ name: hostYear(), root: null }],
  makeBuildDir: (_gen, prefix) => {
    const hostPath = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    return { hostPath, innerPath: hostPath };
  },
  removeBuildDir: (hostPath) => fs.rmSync(hostPath, { recursive: true, force: true }),
  runIn: async (_gen, cwd, cmd, opts = {}) => {
    const [file, ...args] = cmd;
    if (file === undefined) throw new Error('runIn: empty command');
    const res = await execa(file, args, { cwd, reject: false, all: true, stdin: 'ignore', timeout: opts.timeoutMs ?? 180_000, env: opts.env ?? {} });
    return { exitCode: typeof res.exitCode === 'number' ? res.exitCode : -1, timedOut: Boolean(res.timedOut), all: String(res.all ?? '') };
  },
};

const shared = new URL('../../support/texlive.js', import.meta.url);
const impl: GenerationsModule = fs.existsSync(shared) ? ((await import(shared.href)) as GenerationsModule) : hostOnly;

export const generations = (): Generation[] => impl.generations();
export const makeBuildDir = (gen: Generation, prefix: string): { hostPath: string; innerPath: string } => impl.makeBuildDir(gen, prefix);
export const removeBuildDir = (hostPath: string): void => impl.removeBuildDir(hostPath);
export const runIn = (gen: Generation, cwd: string, cmd: string[], opts?: { env?: Record<string, string>; timeoutMs?: number }): Promise<RunResult> =>
  impl.runIn(gen, cwd, cmd, opts);
