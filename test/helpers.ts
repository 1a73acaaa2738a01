// Shared paths for tests: compiled tests live in dist/test/**, sources and fixtures in test/.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

export const repoRoot = findRoot();
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures');
export const fixture = (...parts: string[]): string => path.join(fixturesDir, ...parts);
export const cliPath = path.join(repoRoot, 'bin', 'pith-tex.js');
