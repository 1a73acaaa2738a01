// What the bench scripts share: where things are, the vector bundle, a true median, and timing
// a child process (wall time, failing loudly on a non-zero exit).
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEED } from '../test/support/seed.js';
import { renderSty } from '../test/support/stamped-paper.js';

/** The repository (bench scripts run from dist/bench/). */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cli = path.join(root, 'bin', 'pith-tex.js');
export const bundleFile = path.join(root, 'test', 'fixtures', '2109.10465v1.bundle.json');
export const BODY = SEED.body;

/** The median (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The machine's load averages (1, 5, 15 minutes), as `uptime` prints them. */
export const loadAverage = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

/**
 * Peak resident memory (KiB) of one run of `cmd args`, read from GNU time's `-v` report
 * (/usr/bin/time: `apt-get install time`); null when it is not installed.
 */
export function peakKiB(cmd: string, args: readonly string[], options: SpawnSyncOptions = {}): number | null {
  if (!existsSync('/usr/bin/time')) return null;
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { ...options, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench: ${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return m ? Number(m[1]) : null;
}

/** Wall time of one run of `cmd args` in ms; throws if it exits non-zero. */
export function timeRun(cmd: string, args: readonly string[], options: SpawnSyncOptions = {}): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore', ...options });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`bench: ${cmd} ${args.join(' ')} exited ${r.status}`);
  return ms;
}

/** pith.sty exactly as `pith-tex stamp` writes it for the vector record (the tests' renderer). */
export const stampedSty = (canonicalSha256: string): string => renderSty(BODY, SEED.year, canonicalSha256);
