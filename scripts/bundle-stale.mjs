// Whether dist/cli/ (scripts/bundle.mjs) is older than the files it is built from: read by
// `node scripts/bundle.mjs --if-stale` and by test/helpers.ts, which rebuilds only when stale (a
// test run after `npx tsc` alone never starts a stale CLI, and an up-to-date one costs a few stats).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The files besides src/ that the bundles are built from. */
const INPUTS = ['templates/pith.sty.hbs', 'package.json', 'scripts/bundle.mjs'];

/** The newest modification time among the files the bundles are built from. */
function newestSource(root) {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(path.join(root, 'src'));
  for (const f of INPUTS) newest = Math.max(newest, statSync(path.join(root, f)).mtimeMs);
  return newest;
}

/** dist/cli/meta.json, written last by a build. */
export const bundleMeta = (root) => path.join(root, 'dist', 'cli', 'meta.json');

/** True when the bundles are missing or older than a source. */
export function bundleIsStale(root) {
  const meta = bundleMeta(root);
  return !existsSync(meta) || statSync(meta).mtimeMs < newestSource(root);
}
