// Shared by the hostile-input tests (issue 12): a paper folder beside a "victim" folder whose
// files must never change, and a fingerprint of a folder to prove nothing in it changed.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
      } else if (st.isFile())
        out[r] = `file ${st.size} ${st.mode} ${st.mtimeMs} ${createHash('sha256').update(readFileSync(abs)).digest('hex')}`;
      else out[r] = `special ${st.mode}`;
    }
  };
  visit('');
  return out;
}
