// The V8 code caches of the bundles (bin/pith-tex.js, scripts/code-cache.mjs): made by the build,
// taken by node, and never used for bytes other than those they were made from.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './helpers.js';
import { makeStampedPaper } from './support/stamped-paper.js';
import { tempDir } from './support/temp.js';
import { BUNDLE_FILE } from './support/vectors.js';

/** The bundles scripts/code-cache.mjs trains: the commands authors wait on, and argv. */
const CACHED = ['check', 'stamp', 'verify', 'resolve', 'argv'];

/** Run `pith-tex ...args` in a child node (the flags V8 made the caches under) and say how each bundle loaded. */
function loads(root: string, cwd: string, args: string[]): { status: number | null; out: string; loads: Record<string, string> } {
  const script = `const b = require(${JSON.stringify(path.join(root, 'bin', 'pith-tex.js'))});
b.run(['node', 'pith-tex', ...${JSON.stringify(args)}]).then((code) => {
  require('fs').writeSync(2, '\\nLOADS ' + JSON.stringify(Object.fromEntries(b.bundleLoads)) + '\\n');
  process.exitCode = code;
});`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const found = /\nLOADS (.*)\n$/.exec(r.stderr);
  assert.ok(found, r.stderr);
  return { status: r.status, out: r.stdout, loads: JSON.parse(found[1]!) as Record<string, string> };
}

/** A copy of the built CLI (node_modules linked) with code caches made for its copies of the bundles. */
function copyOfCli(dir: string): string {
  for (const part of ['bin', path.join('dist', 'cli'), 'package.json', 'templates', 'tex', 'scripts', path.join('examples', 'moe-paper')]) {
    cpSync(path.join(repoRoot, part), path.join(dir, part), { recursive: true, filter: (f) => !f.endsWith('.v8') });
  }
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'code-cache.mjs')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'every training run succeeded');
  return dir;
}

describe('code caches', () => {
  test('the build leaves one beside each bundle authors wait on, and node takes it', async (t) => {
    for (const name of CACHED) assert.ok(existsSync(path.join(repoRoot, 'dist', 'cli', `${name}.cjs.v8`)), `${name}.cjs.v8`);
    const { dir } = await makeStampedPaper('pith-code-cache-', t);
    let r = loads(repoRoot, dir, ['check', 'main.tex']);
    assert.equal(r.status, 0);
    assert.deepEqual(r.loads, { 'check.cjs': 'cache' });
    r = loads(repoRoot, dir, ['verify', BUNDLE_FILE]);
    assert.equal(r.status, 0);
    assert.deepEqual(r.loads, { 'verify.cjs': 'cache' });
    r = loads(repoRoot, dir, ['stamp', 'main.tex', '--bundle', BUNDLE_FILE, '--dry-run']);
    assert.equal(r.status, 0);
    assert.deepEqual(r.loads, { 'argv.cjs': 'cache', 'stamp.cjs': 'cache' });
  });

  test('a bundle changed after its cache was made runs as changed: the cache is not used', async (t) => {
    const root = copyOfCli(tempDir(t, 'pith-code-cache-cli-'));
    const { dir } = await makeStampedPaper('pith-code-cache-paper-', t);
    // scripts/code-cache.mjs made the copy's caches: they are taken.
    assert.deepEqual(loads(root, dir, ['check', 'main.tex']).loads, { 'check.cjs': 'cache' });

    // One word changed, the length kept (V8's own check of a cache compares lengths only).
    const bundle = path.join(root, 'dist', 'cli', 'check.cjs');
    const source = readFileSync(bundle, 'utf8');
    assert.ok(source.includes('agree; record hash'));
    writeFileSync(bundle, source.replace('agree; record hash', 'AGREE; record hash'));
    const r = loads(root, dir, ['check', 'main.tex']);
    assert.equal(r.status, 0);
    assert.deepEqual(r.loads, { 'check.cjs': 'stale' });
    assert.match(r.out, /AGREE; record hash/, 'the changed bundle ran, not the cached code');
  });

  test('a cache V8 does not take (another V8, other flags) is compiled afresh, with the same result', async (t) => {
    const root = copyOfCli(tempDir(t, 'pith-code-cache-cli-'));
    const { dir } = await makeStampedPaper('pith-code-cache-paper-', t);
    const expected = loads(root, dir, ['check', 'main.tex']);
    // The first bytes after pith-tex's 64-byte header are V8's magic number and version hash.
    const cacheFile = path.join(root, 'dist', 'cli', 'check.cjs.v8');
    const data = readFileSync(cacheFile);
    data[64]! ^= 0xff;
    writeFileSync(cacheFile, data);
    const r = loads(root, dir, ['check', 'main.tex']);
    assert.deepEqual(r.loads, { 'check.cjs': 'rejected' });
    assert.equal(r.status, expected.status);
    assert.equal(r.out, expected.out);
  });

  test('through a linked install, a bundle is one module under its real path, and its cache is taken', async (t) => {
    const link = path.join(tempDir(t, 'pith-code-cache-link-'), 'pith-tex');
    symlinkSync(repoRoot, link);
    const { dir } = await makeStampedPaper('pith-code-cache-paper-', t);
    const script = `const b = require(${JSON.stringify(path.join(link, 'bin', 'pith-tex.js'))});
b.run(['node', 'pith-tex', 'check', 'main.tex']).then((code) => {
  const keys = Object.keys(require.cache).filter((k) => k.endsWith('check.cjs'));
  require('fs').writeSync(2, '\\nKEYS ' + JSON.stringify({ code, keys, loads: Object.fromEntries(b.bundleLoads) }) + '\\n');
});`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' });
    const found = /\nKEYS (.*)\n$/.exec(r.stderr);
    assert.ok(found, r.stderr);
    const seen = JSON.parse(found[1]!) as { code: number; keys: string[]; loads: Record<string, string> };
    assert.equal(seen.code, 0);
    assert.deepEqual(seen.keys, [realpathSync(path.join(repoRoot, 'dist', 'cli', 'check.cjs'))]);
    assert.deepEqual(seen.loads, { 'check.cjs': 'cache' });
  });
});
