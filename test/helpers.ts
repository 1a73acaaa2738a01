// Shared paths for tests: compiled tests live in dist/test/**, sources and fixtures in test/.
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

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

// The CLI runs from dist/cli/ (scripts/bundle.mjs): rebuilt here when a source is newer, so a
// test run after `npx tsc` alone never starts a stale CLI (checked here with a few stats; node
// starts the build only when it is stale).
const stale = (await import(pathToFileURL(path.join(repoRoot, 'scripts', 'bundle-stale.mjs')).href)) as {
  bundleIsStale(root: string): boolean;
};
if (stale.bundleIsStale(repoRoot)) {
  const bundled = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'bundle.mjs')], { encoding: 'utf8' });
  if (bundled.status !== 0) throw new Error(`scripts/bundle.mjs failed: ${bundled.stderr}`);
}
