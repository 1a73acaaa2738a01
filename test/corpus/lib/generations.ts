// The TeX Live generations the corpus runs on. Until test/support/texlive.ts (Debian chroots for
// 2024 and 2026) is on this branch, the host's TeX Live only, with the same interface.
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

function hostYear(): string {
  const r = spawnSync('pdftex', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return /TeX Live (\d{4})/.exec(r.stdout ?? '')?.[1] ?? 'host';
}

export function generations(): Generation[] {
  return [{ name: hostYear(), root: null }];
}

export function makeBuildDir(_gen: Generation, prefix: string): { hostPath: string; innerPath: string } {
  const hostPath = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { hostPath, innerPath: hostPath };
}

export function removeBuildDir(hostPath: string): void {
  fs.rmSync(hostPath, { recursive: true, force: true });
}

export async function runIn(
  _gen: Generation,
  cwd: string,
  cmd: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  const [file, ...args] = cmd;
  if (file === undefined) throw new Error('runIn: empty command');
  const res = await execa(file, args, { cwd, reject: false, all: true, stdin: 'ignore', timeout: opts.timeoutMs ?? 180_000, env: opts.env ?? {} });
  return { exitCode: typeof res.exitCode === 'number' ? res.exitCode : -1, timedOut: Boolean(res.timedOut), all: String(res.all ?? '') };
}
