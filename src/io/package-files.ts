// Files that ship with pith-tex itself (package.json, tex/pith.sty, templates/), found from this
// module's own place, whether it runs from src/ (tests) or dist/src/ (the installed CLI).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/** The pith-tex package folder: the nearest one above this module that holds package.json. */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('pith-tex package root not found');
    dir = up;
  }
  return (root = dir);
}

/** A path inside the pith-tex package, e.g. packageFile('tex', 'pith.sty'). */
export const packageFile = (...parts: string[]): string => path.join(packageRoot(), ...parts);

let version: string | null = null;

/** pith-tex's version: package.json's, the one place it is written ('0.0.0' if unreadable). Read once. */
export function toolVersion(): string {
  if (version !== null) return version;
  try {
    const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version?: string };
    version = pkg.version ?? '0.0.0';
  } catch {
    version = '0.0.0';
  }
  return version;
}
