// V8 code caches for the bundles authors wait on (bin/pith-tex.js says how they are used and
// when they are not): the commands run once each, on a copy of the example paper, with
// PITH_TEX_CODE_CACHE=write, and what V8 compiled for each bundle in that run is written beside
// it, dist/cli/NAME.cjs.v8. Made with this machine's node, for this build of the bundles.
//
//   node scripts/code-cache.mjs     (scripts/bundle.mjs runs it after each build)
//
// A run that fails leaves its bundle without a cache (a warning here; the bundle still works, and
// test/code-cache.test.ts fails): the tests, not this script, judge the commands.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const example = path.join(root, 'examples', 'moe-paper');
const bundleName = readdirSync(example).find((f) => f.endsWith('.bundle.json'));
const number = JSON.parse(readFileSync(path.join(example, bundleName), 'utf8')).pith_number;

/** Each run in order; a later run of the same bundle replaces the cache of an earlier one. */
const TRAINING_RUNS = [
  // The first stamp writes pith.sty, the lock and the paper; the second, the one kept, is the
  // stamp run again with nothing to change.
  ['stamp', 'main.tex', '--bundle', bundleName],
  ['stamp', 'main.tex', '--bundle', bundleName],
  ['check', 'main.tex'],
  ['verify', bundleName],
  ['resolve', number, '--bundle', bundleName, '--offline'],
];

const work = mkdtempSync(path.join(os.tmpdir(), 'pith-code-cache-'));
try {
  for (const f of ['main.tex', bundleName]) copyFileSync(path.join(example, f), path.join(work, f));
  const env = { ...process.env, PITH_TEX_CODE_CACHE: 'write', XDG_CACHE_HOME: path.join(work, 'cache'), NO_COLOR: '1' };
  for (const args of TRAINING_RUNS) {
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'pith-tex.js'), ...args], { cwd: work, env, encoding: 'utf8' });
    if (r.status !== 0) {
      console.warn(`code-cache: pith-tex ${args.join(' ')} exited ${r.status}; its bundle gets no code cache\n${r.stderr}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
