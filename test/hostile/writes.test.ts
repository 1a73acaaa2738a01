// Issue 12 item 1: never write outside the paper's folder. Every file the tool writes (the
// lock, pith.sty even with --force, .latexmkrc, the --pack tarball, cache entries) refuses a
// symbolic link whose target lies outside, naming the link and its target; nothing outside
// changes, and nothing inside is half-written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { BUNDLE_FILE } from '../support/vectors.js';
import { BODY, lockText, paperTex, renderSty } from '../support/stamped-paper.js';
import { arena, fingerprint } from './support.js';
import { runCli } from '../support/cli.js';

const PLAIN = '\\documentclass{article}\n\\begin{document}\nHi.\n\\end{document}\n';
const BASHRC = 'export PATH=/usr/bin\n';

function stampArena(link: 'pith.lock.json' | 'pith.sty', target: string) {
  const a = arena('write');
  writeFileSync(path.join(a.paper, 'main.tex'), PLAIN);
  writeFileSync(path.join(a.victim, '.bashrc'), BASHRC);
  writeFileSync(path.join(a.victim, 'evil.sty'), '\\ProvidesPackage{pith}\n');
  symlinkSync(target, path.join(a.paper, link));
  return a;
}

test('stamp: pith.lock.json linked to ../victim/.bashrc is refused (exit 4), .bashrc and the paper untouched', async () => {
  const a = stampArena('pith.lock.json', '../victim/.bashrc');
  const [victim, paper] = [fingerprint(a.victim), fingerprint(a.paper)];
  const r = await runCli(['stamp', path.join(a.paper, 'main.tex'), '--bundle', BUNDLE_FILE]);
  assert.equal(r.status, 4, r.stderr);
  assert.match(
    r.stderr,
    /pith\.lock\.json: is a symbolic link to \.\.\/victim\/\.bashrc \(.*victim\/\.bashrc\), outside .*paper; pith-tex never writes through a link that leaves the folder/,
  );
  assert.doesNotMatch(r.stdout, /lock updated|Stamped/);
  assert.deepEqual(fingerprint(a.victim), victim);
  assert.deepEqual(fingerprint(a.paper), paper, 'no pith.sty written before the refusal, main.tex unchanged');
});

test('stamp: a dangling lock link pointing outside is refused too; the target is not created', async () => {
  const a = stampArena('pith.lock.json', '../victim/created-by-attack');
  const r = await runCli(['stamp', path.join(a.paper, 'main.tex'), '--bundle', BUNDLE_FILE]);
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stderr, /is a symbolic link to \.\.\/victim\/created-by-attack/);
  assert.equal(existsSync(path.join(a.victim, 'created-by-attack')), false);
});

test('stamp --force: pith.sty linked outside is refused (exit 4), the linked file untouched', async () => {
  const a = stampArena('pith.sty', '../victim/evil.sty');
  const victim = fingerprint(a.victim);
  const r = await runCli(['stamp', path.join(a.paper, 'main.tex'), '--bundle', BUNDLE_FILE, '--force']);
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stderr, /pith\.sty: is a symbolic link to \.\.\/victim\/evil\.sty/);
  assert.deepEqual(fingerprint(a.victim), victim);
  assert.equal(readFileSync(path.join(a.paper, 'main.tex'), 'utf8'), PLAIN);
});

test('stamp: a link that stays inside the paper folder is still written through (the link kept)', async () => {
  const a = arena('write-inside');
  mkdirSync(path.join(a.paper, 'src'));
  writeFileSync(path.join(a.paper, 'main.tex'), PLAIN);
  writeFileSync(path.join(a.paper, 'src', 'lock.json'), '');
  symlinkSync('src/lock.json', path.join(a.paper, 'pith.lock.json'));
  const r = await runCli(['stamp', path.join(a.paper, 'main.tex'), '--bundle', BUNDLE_FILE]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(path.join(a.paper, 'src', 'lock.json'), 'utf8'), lockText());
  assert.equal(fingerprint(a.paper)['pith.lock.json'], 'link src/lock.json');
});

test('hook install: .latexmkrc linked outside is refused (exit 4)', async () => {
  const a = arena('rc');
  writeFileSync(path.join(a.victim, 'rc'), '$pdf_mode = 1;\n');
  symlinkSync('../victim/rc', path.join(a.paper, '.latexmkrc'));
  const victim = fingerprint(a.victim);
  const r = await runCli(['hook', 'install', a.paper]);
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stderr, /\.latexmkrc: is a symbolic link to \.\.\/victim\/rc/);
  assert.deepEqual(fingerprint(a.victim), victim);
});

function stampedPaper(a: { paper: string }): void {
  writeFileSync(path.join(a.paper, 'pith.lock.json'), lockText());
  writeFileSync(path.join(a.paper, 'pith.sty'), renderSty(BODY));
  writeFileSync(path.join(a.paper, 'main.tex'), paperTex());
}

test('arxiv --pack: a tarball path linked outside is refused (exit 4) before anything runs', async () => {
  const a = arena('pack-link');
  stampedPaper(a);
  writeFileSync(path.join(a.victim, 'upload.tar.gz'), 'not yours');
  symlinkSync('../victim/upload.tar.gz', path.join(a.paper, 'upload.tar.gz'));
  const [victim, paper] = [fingerprint(a.victim), fingerprint(a.paper)];
  const r = await runCli(['arxiv', path.join(a.paper, 'main.tex'), '--pack', path.join(a.paper, 'upload.tar.gz')]);
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stderr, /upload\.tar\.gz: is a symbolic link to \.\.\/victim\/upload\.tar\.gz/);
  assert.deepEqual(fingerprint(a.victim), victim);
  assert.deepEqual(fingerprint(a.paper), paper);
});

test('arxiv --pack main.tex: the source is never replaced by the tarball (exit 4); nor is any file that is not a tarball', async () => {
  const a = arena('pack-self');
  stampedPaper(a);
  writeFileSync(path.join(a.root, 'notes.txt'), 'my notes\n');
  const paper = fingerprint(a.paper);
  const self = await runCli(['arxiv', path.join(a.paper, 'main.tex'), '--pack', path.join(a.paper, 'main.tex')]);
  assert.equal(self.status, 4, self.stderr);
  assert.match(self.stderr, /--pack .*main\.tex: is main\.tex, one of the paper's own files; refused, nothing was changed/);
  assert.doesNotMatch(self.stdout, /ready for arXiv/);
  const other = await runCli(['arxiv', path.join(a.paper, 'main.tex'), '--pack', path.join(a.root, 'notes.txt')]);
  assert.equal(other.status, 4, other.stderr);
  assert.match(other.stderr, /notes\.txt: exists and is not a gzipped tarball; refused/);
  assert.equal(readFileSync(path.join(a.root, 'notes.txt'), 'utf8'), 'my notes\n');
  assert.deepEqual(fingerprint(a.paper), paper);
});

test('arxiv: a pith.sty or a lock that is a folder is exit 2 with one line, not an internal error', async () => {
  for (const name of ['pith.sty', 'pith.lock.json']) {
    const a = arena('folder');
    stampedPaper(a);
    const { rmSync } = await import('node:fs');
    rmSync(path.join(a.paper, name));
    mkdirSync(path.join(a.paper, name));
    const r = await runCli(['arxiv', path.join(a.paper, 'main.tex'), '--no-compile']);
    assert.equal(r.status, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${name.replace(/\./g, '\\.')}: is a folder, not a regular file`));
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  }
});

test('cache: a bundle entry linked outside the cache is never written through (the resolve still succeeds, with a warning)', async () => {
  const a = arena('cache');
  const bundles = path.join(a.root, 'cache', 'pith-tex', 'bundles');
  mkdirSync(bundles, { recursive: true });
  writeFileSync(path.join(a.victim, 'held.json'), '{"mine":true}\n');
  symlinkSync(path.join('..', '..', '..', 'victim', 'held.json'), path.join(bundles, `${BODY}.json`));
  const victim = fingerprint(a.victim);
  const r = await runCli(['resolve', `pith:2021:${BODY}`, '--bundle', BUNDLE_FILE], {
    env: { XDG_CACHE_HOME: path.join(a.root, 'cache') },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    /warning: cannot write the cache .*bundles\/NMB7QKC2NJYNHLPG6XMF2N35IK\.json: is a symbolic link to \.\.\/\.\.\/\.\.\/victim\/held\.json/,
  );
  assert.deepEqual(fingerprint(a.victim), victim);
});
