// arxiv --pack: the tarball is written in process (node-tar), the same bytes every time, with
// regular files of the paper folder only; it works with a bsdtar-like `tar` first on the PATH;
// --strip-comments packs the sources without their comments, which compile to the same text.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { list as listTar } from 'tar';
import { commentItem, findComments, stripComments, textComments } from '../src/core/comments.js';
import { packMtime, writeTarGz } from '../src/io/pack.js';
import { compile } from '../src/io/tex.js';
import { cliPath, fixture } from './helpers.js';
import { pdfText } from './support/poppler.js';
import { BODY, lockText, renderSty } from './support/stamped-paper.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp.js';
import type { TestContext } from 'node:test';

test('comments: found outside \\%, verbatim, \\verb and \\url; stripped keeping what TeX reads', () => {
  const text = [
    '% a whole-line comment',
    'text with 50\\% and a\\\\% comment after a line break',
    'joined%',
    '  % indented whole-line comment',
    'word% tail comment',
    '\\verb|%not| and \\url{https://x.org/a%20b}',
    '\\begin{verbatim}',
    '% inside verbatim',
    '\\end{verbatim}',
    '%%%%',
    'last',
  ].join('\n');
  assert.deepEqual(
    findComments(text).map((c) => c.line),
    [1, 2, 3, 4, 5, 10],
  );
  assert.deepEqual(
    textComments(text).map((c) => c.line),
    [1, 2, 4, 5],
    'a bare % or %%%% holds no text',
  );
  assert.equal(
    stripComments(text),
    [
      'text with 50\\% and a\\\\%',
      'joined%',
      'word%',
      '\\verb|%not| and \\url{https://x.org/a%20b}',
      '\\begin{verbatim}',
      '% inside verbatim',
      '\\end{verbatim}',
      'last',
    ].join('\n'),
  );
  assert.equal(stripComments('a\r\n% c\r\nb\r\n'), 'a\r\nb\r\n', 'CRLF kept');
  assert.equal(stripComments('no comments\n'), 'no comments\n');
  const item = commentItem([{ file: 'main.tex', text }], 'pith-tex arxiv main.tex --pack upload.tar.gz --strip-comments');
  assert.equal(item.status, 'warn');
  assert.match(
    item.detail,
    /^4 % comments with text will be public on arXiv .*: main\.tex:1: % a whole-line comment; main\.tex:2: % comment after a line break; main\.tex:4: % indented whole-line comment; …$/,
  );
  assert.equal(commentItem([{ file: 'a.tex', text: 'x%\n' }], 'f').status, 'pass');
});

/** A folder of files and a link that leaves it. */
function folder(t: TestContext): string {
  const dir = tempDir(t, 'pith-pack-');
  mkdirSync(path.join(dir, 'sec'));
  writeFileSync(path.join(dir, 'main.tex'), '\\documentclass{article}\n% secret\n\\begin{document}x\\end{document}\n');
  writeFileSync(path.join(dir, 'sec', 'a.tex'), 'A\n');
  writeFileSync(path.join(dir, 'b.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  symlinkSync('/etc/hostname', path.join(dir, 'link.tex'));
  return dir;
}

test('writeTarGz: sorted regular files, owner 0/0, no user names, one mtime, the same bytes twice; links refused', async (t) => {
  const dir = folder(t);
  const out = path.join(dir, 'up.tar.gz');
  const files = ['sec/a.tex', 'main.tex', 'b.png'];
  await writeTarGz(out, dir, files);
  const first = readFileSync(out);
  // Other mtimes and permissions on disk: the same tarball.
  utimesSync(path.join(dir, 'main.tex'), new Date(2030, 1, 1), new Date(2030, 1, 1));
  chmodSync(path.join(dir, 'b.png'), 0o600);
  await writeTarGz(out, dir, [...files].reverse());
  assert.deepEqual(readFileSync(out), first, 'byte-identical');
  const entries: {
    path: string;
    type: string;
    uid: number | undefined;
    gid: number | undefined;
    uname: string | undefined;
    mtime: Date | undefined;
  }[] = [];
  await listTar({
    file: out,
    onReadEntry: (e) => entries.push({ path: e.path, type: e.type, uid: e.uid, gid: e.gid, uname: e.uname, mtime: e.mtime }),
  });
  assert.deepEqual(
    entries.map((e) => e.path),
    ['b.png', 'main.tex', 'sec/a.tex'],
  );
  for (const e of entries) {
    assert.equal(e.type, 'File');
    assert.ok(!e.uid && !e.gid, `${e.path}: owner 0/0`);
    assert.ok(!e.uname, `${e.path}: no user name`);
    assert.equal(e.mtime?.getTime(), packMtime({}).getTime());
  }
  assert.equal(packMtime({ SOURCE_DATE_EPOCH: '1700000000' }).getTime(), 1_700_000_000_000);
  for (const bad of ['link.tex', '../x.tex', '/etc/hostname', 'missing.tex']) {
    await assert.rejects(
      writeTarGz(path.join(dir, 'bad.tar.gz'), dir, [bad]),
      (err: Error & { exitCode?: number }) => err.exitCode === 4 && /not packed/.test(err.message),
      bad,
    );
  }
  const stripped = await writeTarGz(out, dir, files, { stripComments: true });
  assert.deepEqual(stripped.stripped, ['main.tex']);
  assert.match(readFileSync(path.join(dir, 'main.tex'), 'utf8'), /% secret/, "the author's file is untouched");
});

test(
  'arxiv --pack --strip-comments with a bsdtar-like tar first on the PATH: the upload compiles to the same text',
  { timeout: 300_000 },
  async (t) => {
    const dir = tempDir(t, 'pith-pack-paper-');
    cpSync(fixture('arxiv', 'clean'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'pith.lock.json'), lockText());
    writeFileSync(path.join(dir, 'pith.sty'), renderSty(BODY));
    const main = path.join(dir, 'main.tex');
    const original = readFileSync(main, 'utf8').replace(
      '\\input{sections/intro}',
      '\\input{sections/intro}\n% TODO: reviewer 2 hated this\nA 50\\% rise,% joined\nsplit\\verb|%kept| here.\n  % an indented note\nEnd.',
    );
    writeFileSync(main, original);
    // bsdtar (macOS, Windows) rejects GNU tar's long options: a `tar` that fails on any of them.
    const fakeBin = tempDir(t, 'pith-fake-tar-');
    writeFileSync(
      path.join(fakeBin, 'tar'),
      '#!/bin/sh\nfor a in "$@"; do case "$a" in --owner*|--group*|--numeric-owner|--format*) echo "tar: Option $a is not supported" >&2; exit 1;; esac; done\nexec /usr/bin/env -u PATH /bin/tar "$@"\n',
    );
    chmodSync(path.join(fakeBin, 'tar'), 0o755);
    const out = path.join(dir, 'upload.tar.gz');
    const r = await runCli(['arxiv', 'main.tex', '--pack', out, '--strip-comments'], {
      cwd: dir,
      env: { PATH: `${fakeBin}${path.delimiter}${process.env.PATH}` },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /! comments: 4 % comments with text will be public on arXiv/);
    assert.match(r.stdout, /packed 5 files into .*upload\.tar\.gz: .* \(comments removed from main\.tex; your files are unchanged\)/);
    assert.equal(readFileSync(main, 'utf8'), original, "the author's file is untouched");

    const unpacked = tempDir(t, 'pith-pack-unpacked-');
    assert.equal(spawnSync('tar', ['xzf', out, '-C', unpacked]).status, 0);
    const packedMain = readFileSync(path.join(unpacked, 'main.tex'), 'utf8');
    assert.doesNotMatch(packedMain, /reviewer 2|an indented note|joined|commented-out-missing/);
    assert.match(packedMain, /A 50\\% rise,%\nsplit\\verb\|%kept\| here\./);
    assert.match(packedMain, /\\url\{https:\/\/example\.org\/a%20b\}/);
    // The stripped upload and the author's own copy give the same PDF text.
    const [stripped, own] = await Promise.all([
      compile({ dir: unpacked, main: 'main.tex', engine: 'pdf' }),
      compile({ dir, main: 'main.tex', engine: 'pdf' }),
    ]);
    assert.ok(stripped.ok && own.ok, stripped.log.slice(-1500) + own.log.slice(-1500));
    assert.equal(await pdfText(stripped.pdfPath), await pdfText(own.pdfPath));
  },
);

test('the clean compile shows its progress on a terminal (and nothing when stderr is not one)', { timeout: 300_000 }, async (t) => {
  const dir = tempDir(t, 'pith-pack-tty-');
  cpSync(fixture('arxiv', 'clean'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'pith.lock.json'), lockText());
  writeFileSync(path.join(dir, 'pith.sty'), renderSty(BODY));
  // util-linux's `script` (bsdutils, essential on Debian) runs the command on a pseudo-terminal.
  const quoted = [process.execPath, cliPath, 'arxiv', 'main.tex'].map((a) => `'${a}'`).join(' ');
  const tty = spawnSync('script', ['-qec', quoted, '/dev/null'], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
  assert.equal(tty.status, 0, tty.stdout + tty.stderr);
  assert.match(tty.stdout, /\rcompiling a clean copy with latexmk \(pdf, no shell-escape\)… 0 s\u001b\[K/);
  assert.match(tty.stdout, /\r\u001b\[K✓ pith\.sty/, 'the progress line is cleared before the checklist');
  const piped = await runCli(['arxiv', 'main.tex'], { cwd: dir, timeoutMs: 240_000 });
  assert.equal(piped.status, 0, piped.stderr);
  assert.doesNotMatch(piped.stderr, /compiling/);
});
