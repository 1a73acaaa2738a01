// The CLI's bundles (scripts/bundle.mjs, dist/cli/): what each one holds, which files a run
// loads, and that the bundled paths (check's slow path, the precompiled pith.sty template)
// behave as the sources do.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliPath, repoRoot } from './helpers.js';
import { tempDir } from './support/temp.js';
import { BODY, makeStampedPaper, renderSty } from './support/stamped-paper.js';
import { BUNDLE_FILE } from './support/vectors.js';

const meta = JSON.parse(readFileSync(path.join(repoRoot, 'dist', 'cli', 'meta.json'), 'utf8')) as Record<string, { inputs: string[] }>;
const inputsOf = (bundle: string): string[] => {
  const m = meta[bundle];
  assert.ok(m, `dist/cli/${bundle} was built`);
  return m.inputs;
};
const COMMANDER = /node_modules\/commander\//;
const HANDLEBARS = /node_modules\/handlebars\//;
const HANDLEBARS_COMPILER = /node_modules\/handlebars\/(?:lib\/|dist\/cjs\/handlebars\/compiler\/|dist\/cjs\/handlebars\.js$)/;
const NOBLE = /node_modules\/@noble\//;
const HTTP = /^src\/io\/http\.ts$/;

test('check.cjs holds none of commander, Handlebars, noble or io/http', (t) => {
  const inputs = inputsOf('check.cjs');
  assert.ok(inputs.includes('src/commands/check.ts'));
  for (const banned of [COMMANDER, HANDLEBARS, NOBLE, HTTP]) {
    assert.deepEqual(
      inputs.filter((i) => banned.test(i)),
      [],
      `check.cjs holds ${banned}`,
    );
  }
  // The full verifier (noble) is in the slow path's bundle, loaded only when the lean check fails.
  assert.ok(inputsOf('check-slow.cjs').some((i) => NOBLE.test(i)));
});

test("verify.cjs holds no commander, Handlebars or io/http; stamp.cjs only Handlebars' runtime", (t) => {
  for (const banned of [COMMANDER, HANDLEBARS, HTTP])
    assert.deepEqual(
      inputsOf('verify.cjs').filter((i) => banned.test(i)),
      [],
    );
  const stamp = inputsOf('stamp.cjs');
  assert.ok(
    stamp.some((i) => i.endsWith('handlebars/runtime.js')),
    'stamp.cjs uses handlebars/runtime',
  );
  assert.deepEqual(
    stamp.filter((i) => HANDLEBARS_COMPILER.test(i)),
    [],
    'no Handlebars compiler in stamp.cjs',
  );
  assert.deepEqual(
    stamp.filter((i) => COMMANDER.test(i)),
    [],
  );
  assert.ok(inputsOf('cli.cjs').some((i) => COMMANDER.test(i)));
});

/** Run the CLI and list the CommonJS files the process loaded (from require.cache at exit). */
function runTraced(t: TestContext, args: string[], cwd = repoRoot): { code: number | null; out: string; err: string; loaded: string[] } {
  const dir = tempDir(t, 'pith-trace-');
  const trace = path.join(dir, 'loaded.json');
  const preload = path.join(dir, 'trace.cjs');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(trace)}, JSON.stringify(Object.keys(require.cache))));\n`,
  );
  const r = spawnSync(process.execPath, ['--require', preload, cliPath, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  const loaded = (JSON.parse(readFileSync(trace, 'utf8')) as string[]).filter((f) => f !== preload).map((f) => path.relative(repoRoot, f));
  return { code: r.status, out: r.stdout, err: r.stderr, loaded };
}

test('pith-tex check loads bin/pith-tex.js and dist/cli/check.cjs, nothing else', async (t) => {
  const paper = await makeStampedPaper('pith-paper-', t);
  const r = runTraced(t, ['check', paper.main]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.loaded.sort(), ['bin/pith-tex.js', 'dist/cli/check.cjs']);
});

test("check's slow path runs from check-slow.cjs: a lock whose signature fails is reported by the full verifier", async (t) => {
  const paper = await makeStampedPaper('pith-paper-', t);
  const lockFile = path.join(paper.dir, 'pith.lock.json');
  const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
  const sig = lock.receipt.signature_b64 as string;
  lock.receipt.signature_b64 = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
  writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
  const r = runTraced(t, ['check', paper.main]);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /receipt\.signature/);
  assert.ok(r.loaded.includes('dist/cli/check-slow.cjs'), r.loaded.join(', '));
  assert.ok(!r.loaded.includes('dist/cli/cli.cjs'), 'no commander');
});

test('pith-tex verify FILE loads dist/cli/verify.cjs only; --help goes to commander', (t) => {
  const r = runTraced(t, ['verify', BUNDLE_FILE]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.loaded.sort(), ['bin/pith-tex.js', 'dist/cli/verify.cjs']);
  const help = runTraced(t, ['verify', '--help']);
  assert.equal(help.code, 0, help.err);
  assert.match(help.out, /Usage: pith-tex verify/);
  assert.ok(help.loaded.includes('dist/cli/cli.cjs'));
  // A usage error is commander's, as before: exit 2.
  assert.equal(runTraced(t, ['verify', '--bogus', BUNDLE_FILE]).code, 2);
});

test('stamp writes pith.sty exactly as the template compiled from templates/pith.sty.hbs renders it', (t) => {
  const dir = tempDir(t, 'pith-bundle-stamp-');
  writeFileSync(path.join(dir, 'main.tex'), '\\documentclass{article}\n\\begin{document}\nHi.\n\\end{document}\n');
  const r = runTraced(t, ['stamp', 'main.tex', '--bundle', BUNDLE_FILE], dir);
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(path.join(dir, 'pith.sty'), 'utf8'), renderSty(BODY));
  // Read without commander (src/argv.ts); the resolver's bundle is not needed for --bundle.
  assert.deepEqual(r.loaded.sort(), ['bin/pith-tex.js', 'dist/cli/argv.cjs', 'dist/cli/commands.json', 'dist/cli/stamp.cjs']);
  assert.ok(!r.loaded.some((f) => /handlebars/.test(f)), 'Handlebars comes bundled (runtime only), not from node_modules');
});
