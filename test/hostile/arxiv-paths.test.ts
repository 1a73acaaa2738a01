// Issue 12 items 9 and 11: the arXiv `paths` item sees every command that reads a file into the
// paper, flagging absolute and ".." paths (they were embedded in the compiled PDF unflagged);
// a \pithnumber built by a macro is one clear line in check and stamp (pith.sty refuses it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BODY, lockText, paperTex, renderSty } from '../support/stamped-paper.js';
import { arena, fingerprint } from './support.js';
import { runCli } from '../support/cli.js';

const READERS = [
  '\\verbatiminput{/etc/passwd}',
  '\\VerbatimInput[numbers=left]{../secret.txt}',
  '\\lstinputlisting[language=C]{/home/u/.ssh/id_rsa}',
  '\\inputminted[linenos]{python}{../../x.py}',
  '\\includepdf[pages=-]{/tmp/a.pdf}',
  '\\includesvg[width=1cm]{../fig}',
  '\\addbibresource{/abs/refs.bib}',
  '\\bibliography{../refs}',
  '\\import{/abs/dir/}{file}',
  '\\subimport{../up/}{f}',
];

test('arxiv: absolute and ".." paths in every file-reading command are flagged by the paths item', async () => {
  const a = arena('paths');
  writeFileSync(path.join(a.paper, 'pith.lock.json'), lockText());
  writeFileSync(path.join(a.paper, 'pith.sty'), renderSty(BODY));
  writeFileSync(path.join(a.paper, 'main.tex'), paperTex(BODY).replace('Hi.', `Hi.\n${READERS.join('\n')}\n`));
  const before = fingerprint(a.root);
  const r = await runCli(['arxiv', path.join(a.paper, 'main.tex'), '--no-compile', '--json']);
  assert.equal(r.status, 1, r.stderr);
  const paths = JSON.parse(r.stdout).items.find((i: { id: string }) => i.id === 'paths');
  assert.equal(paths.status, 'fail');
  for (const [shown, why] of [
    ['\\verbatiminput{/etc/passwd}', 'an absolute path'],
    ['\\VerbatimInput{../secret.txt}', 'a ".." path outside the folder'],
    ['\\lstinputlisting{/home/u/.ssh/id_rsa}', 'an absolute path'],
    ['\\inputminted{../../x.py}', 'a ".." path outside the folder'],
    ['\\includepdf{/tmp/a.pdf}', 'an absolute path'],
    ['\\includesvg{../fig}', 'a ".." path outside the folder'],
    ['\\addbibresource{/abs/refs.bib}', 'an absolute path'],
    ['\\bibliography{../refs}', 'a ".." path outside the folder'],
    ['\\import{/abs/dir/}{file}', 'an absolute path'],
    ['\\subimport{../up/}{f}', 'a ".." path outside the folder'],
  ]) {
    assert.ok(paths.detail.includes(`${shown} in main.tex is ${why}`), `${shown}: ${paths.detail}`);
  }
  assert.deepEqual(fingerprint(a.root), before);
});

test('a \\pithnumber built by a macro: check exits 1 with one line naming the file, stamp exits 2 with the same words', async () => {
  const a = arena('macro');
  writeFileSync(path.join(a.paper, 'pith.lock.json'), lockText());
  writeFileSync(path.join(a.paper, 'pith.sty'), renderSty(BODY));
  writeFileSync(path.join(a.paper, 'main.tex'), paperTex('pith:2021:\\mynum', `\\newcommand\\mynum{${BODY}}\n`));
  const before = fingerprint(a.root);
  const check = await runCli(['check', a.paper]);
  assert.equal(check.status, 1, check.stderr);
  const lines = check.stderr.trim().split('\n');
  assert.equal(lines.length, 1, check.stderr);
  assert.match(
    lines[0] as string,
    /main\.tex: \\pithnumber\{pith:2021:\\mynum\} is written with a macro; pith\.sty, check and stamp read the number only as written out: write it literally, \\pithnumber\{pith:YEAR:BODY\}/,
  );
  const stamp = await runCli(['stamp', path.join(a.paper, 'main.tex')]);
  assert.equal(stamp.status, 2, stamp.stderr);
  assert.match(
    stamp.stderr,
    /main\.tex: \\pithnumber\{pith:2021:\\mynum\} is written with a macro; .*write it literally, \\pithnumber\{pith:YEAR:BODY\}; nothing was changed/,
  );
  assert.deepEqual(fingerprint(a.root), before);
});
