// The folder walk, the clean copy and the upload tarball for `pith-tex arxiv`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { EXIT, PithError } from '../errors.js';

/** Every file under `dir` (relative, `/`-separated, exact case); .git and node_modules skipped. */
export function walkFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string): void => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== '.git' && e.name !== 'node_modules') visit(r);
      } else if (e.isFile()) out.push(r);
    }
  };
  visit('');
  return out.sort();
}

/** Copy `files` (relative) from `from` to `to`. */
export function copyFiles(from: string, to: string, files: readonly string[]): void {
  for (const f of files) {
    mkdirSync(path.dirname(path.join(to, f)), { recursive: true });
    copyFileSync(path.join(from, f), path.join(to, f));
  }
}

/**
 * Write `files` (relative to `dir`) as a gzipped ustar archive at `out` with the system tar:
 * numeric owner 0, so the archive does not carry the author's user name.
 */
export function writeTarGz(out: string, dir: string, files: readonly string[]): void {
  const target = path.resolve(out);
  const temp = `${target}.${process.pid}.tmp`;
  const r = spawnSync('tar', ['-czf', temp, '--format=ustar', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '--', ...files], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(temp, { force: true });
    throw new PithError(`${out}: tar failed (${r.error?.message ?? r.stderr.trim()})`, EXIT.refused);
  }
  renameSync(temp, target);
}
