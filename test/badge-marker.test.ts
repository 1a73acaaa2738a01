// "Badge not printed": pith.sty writes \pith@badge@notprinted to the .aux when a run placed no
// badge (no \maketitle, or a title page it cannot reach), with a LaTeX warning; `check` and
// `inspect` read the .aux beside the paper / PDF and say so next to "verified".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { auxSaysBadgeNotPrinted, BADGE_NOT_PRINTED_MARKER } from '../src/core/sty-read.js';
import { badgeNotPrinted } from '../src/commands/check.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp.js';
import { BODY, makeStampedPaper } from './support/stamped-paper.js';

const PROVIDE = '\\providecommand \\pith@aux@number [1]{}\\providecommand \\pith@aux@manual {}\\providecommand \\pith@badge@notprinted {}';

test('auxSaysBadgeNotPrinted: the marker at the start of a line, nothing else', async (t) => {
  assert.equal(BADGE_NOT_PRINTED_MARKER, '\\pith@badge@notprinted');
  assert.equal(auxSaysBadgeNotPrinted(`\\relax \n${PROVIDE}\n\\pith@badge@notprinted \n\\gdef \\@abspage@last{1}\n`), true);
  assert.equal(auxSaysBadgeNotPrinted(`\\relax \n${PROVIDE}\n\\pith@aux@manual \n`), false, 'the \\providecommand line alone is no marker');
  assert.equal(auxSaysBadgeNotPrinted('\\pith@badge@notprintedX\n'), false);
  assert.equal(auxSaysBadgeNotPrinted(''), false);
});

test('badgeNotPrinted reads a bounded tail of regular files only', async (t) => {
  const dir = tempDir(t, 'pith-aux-');
  const big = path.join(dir, 'big.aux');
  writeFileSync(big, `${'\\newlabel{x}{{1}{1}}\n'.repeat(20000)}\\pith@badge@notprinted \n\\gdef \\@abspage@last{9}\n`);
  assert.equal(badgeNotPrinted(big), true);
  const ok = path.join(dir, 'ok.aux');
  writeFileSync(ok, `\\relax \n${PROVIDE}\n\\pith@aux@manual \n`);
  assert.equal(badgeNotPrinted(ok), false);
  assert.equal(badgeNotPrinted(path.join(dir, 'missing.aux')), null);
  const folder = path.join(dir, 'folder.aux');
  mkdirSync(folder);
  assert.equal(badgeNotPrinted(folder), null);
  const fifo = path.join(dir, 'fifo.aux');
  if (spawnSync('mkfifo', [fifo]).status === 0) {
    const started = Date.now();
    assert.equal(badgeNotPrinted(fifo), null);
    assert.ok(Date.now() - started < 2000, 'a FIFO does not block');
  }
});

function latexmk(dir: string): void {
  const b = spawnSync('latexmk', ['-pdf', '-interaction=nonstopmode', '-halt-on-error', 'main.tex'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(b.status, 0, `${b.stdout}\n${b.stderr}`);
}

test('no \\maketitle: a warning naming \\pithbadge, the .aux marker, and check/inspect say "badge not printed"', async (t) => {
  const { dir, main } = await makeStampedPaper('pith-badge-marker-', t);
  latexmk(dir);
  const log = readFileSync(path.join(dir, 'main.log'), 'latin1');
  assert.match(log, /Package pith Warning: The Pith badge was not printed/);
  assert.match(log, /\\pithbadge/);
  assert.equal(auxSaysBadgeNotPrinted(readFileSync(path.join(dir, 'main.aux'), 'latin1')), true);

  let r = await runCli(['check', main, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).badge_printed, false);
  r = await runCli(['check', main]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /verified/);
  assert.match(r.stderr, /badge not printed/);

  r = await runCli(['inspect', path.join(dir, 'main.pdf'), '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).badge_printed, false);
  r = await runCli(['inspect', path.join(dir, 'main.pdf')]);
  assert.match(r.stdout, /verified, badge not printed/);

  // With a title the badge is printed: the marker goes, and so does the note.
  writeFileSync(main, readFileSync(main, 'utf8').replace('\\begin{document}\n', '\\title{T}\\author{A}\\begin{document}\n\\maketitle\n'));
  latexmk(dir);
  assert.equal(auxSaysBadgeNotPrinted(readFileSync(path.join(dir, 'main.aux'), 'latin1')), false);
  assert.ok(spawnSync('pdftotext', [path.join(dir, 'main.pdf'), '-'], { encoding: 'utf8' }).stdout.includes(BODY));
  r = await runCli(['check', main, '--json']);
  assert.equal(JSON.parse(r.stdout).badge_printed, true);
  r = await runCli(['check', main]);
  assert.doesNotMatch(r.stderr, /badge not printed/);
  r = await runCli(['inspect', path.join(dir, 'main.pdf')]);
  assert.doesNotMatch(r.stdout, /badge not printed/);
});

test('an .aux left by pith does no harm once pith is removed from the paper', async (t) => {
  const { dir, main } = await makeStampedPaper('pith-badge-removed-', t);
  latexmk(dir);
  writeFileSync(main, '\\documentclass{article}\n\\begin{document}\nHi.\n\\end{document}\n');
  latexmk(dir);
});
