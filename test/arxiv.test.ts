// pith-tex arxiv: a clean paper passes every item and packs an upload that compiles and inspects
// as verified; papers built to break each item fail that item.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import {
  badFileName,
  badPath,
  candidatesFor,
  flsInputs,
  joinFolder,
  packList,
  protectUrls,
  resolveReference,
  scanTex,
} from '../src/core/arxiv-checklist.js';
import { fixture, repoRoot } from './helpers.js';
import { lockText, renderSty, OTHER_BODY, BODY } from './support/stamped-paper.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp.js';

/** The clean fixture paper, stamped, in a folder removed after test `t`. */
function cleanPaper(t: TestContext): string {
  const dir = tempDir(t, 'pith-arxiv-paper-');
  cpSync(fixture('arxiv', 'clean'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'pith.lock.json'), lockText());
  writeFileSync(path.join(dir, 'pith.sty'), renderSty(BODY));
  return dir;
}

/** `pith-tex arxiv DIR/main.tex --json ...args`, its report parsed (null when stdout is not JSON). */
async function arxiv(dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const r = await runCli(['arxiv', path.join(dir, 'main.tex'), '--json', ...args], { timeoutMs: 180_000, env });
  let report: {
    ok: boolean;
    items: { id: string; status: string; detail: string; fix?: string }[];
    pack: { files: string[] } | null;
  } | null = null;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    /* asserted by the caller */
  }
  return { code: r.status, report, err: r.stderr, out: r.stdout };
}

const failing = (r: Awaited<ReturnType<typeof arxiv>>): string[] => {
  assert.ok(r.report, `a JSON report on stdout: ${r.out}${r.err}`);
  return r.report.items.filter((i) => i.status === 'fail').map((i) => i.id);
};

describe('pith-tex arxiv', () => {
  test('scanTex: % in \\url is not a comment, comments and verbatim are skipped, graphicspath read', () => {
    const text = readFileSync(fixture('arxiv', 'clean', 'main.tex'), 'utf8');
    const scan = scanTex(text, 'main.tex');
    assert.deepEqual(
      scan.references.map((r) => r.name),
      ['sections/intro', 'plot', 'refs'],
    );
    assert.deepEqual(scan.graphicspath, ['figs/']);
    assert.equal(scan.usesBibtex, true);
    assert.equal(protectUrls('\\url{a%b} % c'), '\\url{a#b} % c');
    assert.deepEqual(
      scanTex('\\url{x%y}\\input{a}', 'm').references.map((r) => r.name),
      ['a'],
    );
    assert.deepEqual(scanTex('\\usepackage[cache=false]{minted}\\immediate\\write18{ls}', 'm').shellEscape, [
      '\\usepackage{minted}',
      '\\write18',
    ]);
    const files = new Set(['figs/Plot.PNG', 'figs/plot.png', 'a.tex']);
    assert.deepEqual(resolveReference({ command: 'includegraphics', name: 'plot', from: 'm' }, ['figs/'], files), {
      found: 'figs/plot.png',
    });
    assert.deepEqual(resolveReference({ command: 'input', name: 'A', from: 'm' }, [], files), { caseOnly: 'a.tex' });
    assert.equal(badPath('/etc/x'), 'an absolute path');
    assert.equal(badPath('../x'), 'a ".." path outside the folder');
    assert.equal(badPath('figs/x'), null);
    assert.match(badFileName('my fig.png')!, /space/);
    assert.match(badFileName('.hidden')!, /hidden/);
    assert.match(badFileName('figür.png')!, /non-ASCII/);
    assert.deepEqual(
      flsInputs(
        'PWD /t/x\nINPUT /usr/share/texlive/a.sty\nINPUT ./main.tex\nINPUT /t/x/figs/p.png\nINPUT ./figs//q.png\nINPUT main.aux\n',
        '/t/x',
      ),
      ['main.tex', 'figs/p.png', 'figs/q.png', 'main.aux'],
    );
    assert.deepEqual(
      packList(
        ['main.tex', 'main.aux', 'main.pdf', 'figs/p.pdf', 'pith.lock.json', 'x.log'],
        'main.tex',
        new Set(['main.tex', 'main.aux', 'main.pdf', 'figs/p.pdf', 'pith.lock.json', 'pith.sty', 'main.bbl']),
      ),
      ['figs/p.pdf', 'main.bbl', 'main.tex', 'pith.sty'],
    );
  });

  test('arxiv: a clean paper passes every item; the packed upload compiles and its PDF inspects as verified', async (t) => {
    const dir = cleanPaper(t);
    const unpack = tempDir(t, 'pith-arxiv-unpack-');
    const out = path.join(dir, 'upload.tar.gz');
    const r = await arxiv(dir, ['--arxiv-id', '2109.10465', '--pack', out]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.deepEqual(failing(r), []);
    assert.deepEqual(
      r.report!.items.map((i) => i.id),
      ['pith.sty', 'stamp', 'arxiv-id', 'shell-escape', 'paths', 'files', 'bbl', 'comments', 'compile', 'pdf', 'tex-live', 'file-names'],
    );
    // The fixture keeps one comment with text (a commented-out figure): a warning, not a failure.
    assert.ok(r.report!.items.every((i) => i.status === 'pass' || (i.id === 'comments' && i.status === 'warn')));
    assert.deepEqual(r.report!.pack!.files, ['figs/plot.png', 'main.bbl', 'main.tex', 'pith.sty', 'sections/intro.tex']);
    const untar = spawnSync('tar', ['xzf', out, '-C', unpack], { encoding: 'utf8' });
    assert.equal(untar.status, 0, untar.stderr);
    const listed = spawnSync('tar', ['tzf', out], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
    assert.ok(!listed.some((f) => /lock|\.pdf$|\.aux$|\.log$/.test(f)), listed.join(' '));
    const b = spawnSync('latexmk', ['-pdf', '-interaction=nonstopmode', '-halt-on-error', 'main.tex'], {
      cwd: unpack,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(b.status, 0, b.stdout);
    const i = await runCli(['inspect', path.join(unpack, 'main.pdf'), '--lock', path.join(dir, 'pith.lock.json')]);
    assert.equal(i.status, 0, i.stdout + i.stderr);
    assert.match(i.stdout, /verified/);
  });

  const edit = (dir: string, f: (t: string) => string): void => {
    const file = path.join(dir, 'main.tex');
    writeFileSync(file, f(readFileSync(file, 'utf8')));
  };
  const before = (marker: string, add: string) => (t: string) => t.replace(marker, `${add}\n${marker}`);

  /** The clean paper with a chapter read through the import package (\\import, then \\subimport inside it). */
  function importPaper(dir: string): void {
    mkdirSync(path.join(dir, 'chapters', 'one', 'figs'), { recursive: true });
    copyFileSync(path.join(dir, 'figs', 'plot.png'), path.join(dir, 'chapters', 'one', 'figs', 'local.png'));
    writeFileSync(
      path.join(dir, 'chapters', 'one', 'body.tex'),
      'Chapter one.\n\\subimport{part/}{detail}\n\\includegraphics[width=1cm]{figs/local}\n',
    );
    mkdirSync(path.join(dir, 'chapters', 'one', 'part'));
    writeFileSync(path.join(dir, 'chapters', 'one', 'part', 'detail.tex'), 'A detail, read relative to its chapter.\n');
    edit(dir, (t) =>
      t
        .replace('\\usepackage{pith}', '\\usepackage{import}\n\\usepackage{pith}')
        .replace('\\input{sections/intro}', '\\input{sections/intro}\n\\import{chapters/one/}{body}'),
    );
  }

  const breakers: [string, (dir: string) => void, string[], string[]?][] = [
    ['no pith.sty', (d) => rmSync(path.join(d, 'pith.sty')), ['pith.sty', 'stamp']],
    [
      'the plain package, not the generated copy',
      (d) => copyFileSync(path.join(repoRoot, 'tex', 'pith.sty'), path.join(d, 'pith.sty')),
      ['pith.sty', 'stamp'],
    ],
    [
      'a hand-edited pith.sty',
      (d) => writeFileSync(path.join(d, 'pith.sty'), renderSty(BODY).replace('\\Provides', '%x\n\\Provides')),
      ['pith.sty', 'stamp'],
    ],
    ['a tampered \\pithnumber', (d) => edit(d, (t) => t.replace(BODY, OTHER_BODY)), ['stamp']],
    ['another arXiv id', () => {}, ['arxiv-id'], ['--arxiv-id', '2201.05596v2']],
    ['minted', (d) => edit(d, before('\\usepackage{pith}', '\\usepackage{minted}')), ['shell-escape']],
    ['\\write18', (d) => edit(d, before('\\end{document}', '\\immediate\\write18{ls}')), ['shell-escape']],
    ['an absolute \\input', (d) => edit(d, before('\\end{document}', '\\input{/etc/hostname}')), ['paths']],
    ['a .. \\includegraphics', (d) => edit(d, before('\\end{document}', '\\includegraphics{../plot}')), ['paths']],
    ['a figure in the wrong case', (d) => edit(d, (t) => t.replace('{plot}', '{Plot}')), ['files']],
    ['a missing \\input', (d) => edit(d, before('\\end{document}', '\\input{sections/missing}')), ['files']],
    ['no .bbl', (d) => rmSync(path.join(d, 'main.bbl')), ['bbl']],
    [
      'a missing file behind \\subimport',
      (d) => {
        importPaper(d);
        rmSync(path.join(d, 'chapters', 'one', 'part', 'detail.tex'));
      },
      ['files'],
    ],
    [
      'a figure in the wrong case inside an \\import',
      (d) => {
        importPaper(d);
        renameSync(path.join(d, 'chapters', 'one', 'figs', 'local.png'), path.join(d, 'chapters', 'one', 'figs', 'Local.png'));
      },
      ['files'],
    ],
    ['an \\import from outside the folder', (d) => edit(d, before('\\end{document}', '\\import{../shared/}{macros}')), ['paths']],
    [
      'a file name with a space',
      (d) => {
        renameSync(path.join(d, 'figs', 'plot.png'), path.join(d, 'figs', 'my plot.png'));
        edit(d, (t) => t.replace('{plot}', '{my plot}'));
      },
      ['file-names'],
    ],
  ];

  for (const [name, breakIt, expected, extra] of breakers) {
    test(`arxiv (static items): ${name} fails exactly ${expected.join(', ')}`, async (t) => {
      const dir = cleanPaper(t);
      breakIt(dir);
      const r = await arxiv(dir, ['--no-compile', ...(extra ?? ['--arxiv-id', '2109.10465'])]);
      assert.equal(r.code, 1, r.out + r.err);
      assert.deepEqual(failing(r), expected, JSON.stringify(r.report?.items, null, 1));
      for (const i of r.report!.items.filter((x) => x.status === 'fail'))
        assert.ok(i.fix && !i.fix.includes('\n'), `${i.id} has a one-line fix`);
    });
  }

  test('scanTex: the import package (\\import, \\subimport, \\inputfrom, \\includefrom): file names and search folders', () => {
    const top = scanTex('\\import{chapters/one/}{body}\\includefrom{ap}{x}\\import*{/abs/}{y}', 'main.tex');
    assert.deepEqual(
      top.references.map((r) => [r.command, r.name, r.base, r.shown]),
      [
        ['input', 'chapters/one/body', 'chapters/one/', '\\import{chapters/one/}{body}'],
        ['include', 'ap/x', 'ap/', '\\includefrom{ap}{x}'],
        ['input', '/abs/y', '/abs/', '\\import*{/abs/}{y}'],
      ],
    );
    // Inside chapters/one/body.tex: \subimport is relative to it, \import to the root; \input and
    // \includegraphics look in the root first, then in the import's folder.
    const inner = scanTex(
      '\\subimport{part/}{detail}\\subinputfrom{../two}{z}\\import{other/}{w}\\input{local}\\includegraphics{figs/p}',
      'chapters/one/body.tex',
      'chapters/one/',
    );
    assert.deepEqual(
      inner.references.map((r) => [r.name, r.base]),
      [
        ['chapters/one/part/detail', 'chapters/one/part/'],
        ['chapters/two/z', 'chapters/two/'],
        ['other/w', 'other/'],
        ['local', 'chapters/one/'],
        ['figs/p', 'chapters/one/'],
      ],
    );
    assert.deepEqual(candidatesFor(inner.references[3]!, []), ['local.tex', 'local', 'chapters/one/local.tex', 'chapters/one/local']);
    assert.deepEqual(resolveReference(inner.references[4]!, [], new Set(['chapters/one/figs/p.png'])), {
      found: 'chapters/one/figs/p.png',
    });
    assert.equal(joinFolder('a/b/', '../../..'), '../');
    assert.equal(badPath(`${joinFolder('a/', '../../x')}f`), 'a ".." path outside the folder');
    assert.equal(joinFolder('a/', './'), 'a/');
  });

  test('arxiv: a paper read through \\import and \\subimport passes, and its upload has the imported files', async (t) => {
    const dir = cleanPaper(t);
    importPaper(dir);
    const out = path.join(dir, 'upload.tar.gz');
    const r = await arxiv(dir, ['--arxiv-id', '2109.10465', '--pack', out]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.deepEqual(failing(r), []);
    assert.match(r.report!.items.find((i) => i.id === 'files')!.detail, /all 5 referenced files/);
    for (const f of ['chapters/one/body.tex', 'chapters/one/part/detail.tex', 'chapters/one/figs/local.png'])
      assert.ok(r.report!.pack!.files.includes(f), f);
  });

  test('arxiv: a paper that does not compile from a clean copy fails the compile item', async (t) => {
    const dir = cleanPaper(t);
    edit(dir, before('\\end{document}', '\\undefinedcommandhere'));
    const r = await arxiv(dir, ['--arxiv-id', '2109.10465']);
    assert.equal(r.code, 1);
    assert.deepEqual(failing(r), ['compile']);
    assert.match(r.report!.items.find((i) => i.id === 'compile')!.detail, /Undefined control sequence/);
  });

  // ---------------------------------------------------------------- more items, each broken alone

  const staticRun = (dir: string) => arxiv(dir, ['--no-compile', '--arxiv-id', '2109.10465']);

  const moreBreakers: [string, (dir: string) => void, string[]][] = [
    ['svg', (d) => edit(d, before('\\usepackage{pith}', '\\usepackage{svg}')), ['shell-escape']],
    ['pythontex', (d) => edit(d, before('\\usepackage{pith}', '\\usepackage{pythontex}')), ['shell-escape']],
    ['shellesc', (d) => edit(d, before('\\usepackage{pith}', '\\usepackage{shellesc}')), ['shell-escape']],
    ['a missing \\include', (d) => edit(d, before('\\end{document}', '\\include{chapters/two}')), ['files']],
    ['an absolute \\bibliography', (d) => edit(d, (t) => t.replace('\\bibliography{refs}', '\\bibliography{/home/me/refs}')), ['paths']],
    [
      'biblatex without its .bbl',
      (d) => {
        rmSync(path.join(d, 'main.bbl'));
        edit(d, (t) =>
          t
            .replace('\\bibliographystyle{plain}\n\\bibliography{refs}', '\\printbibliography')
            .replace('\\usepackage{pith}', '\\usepackage{biblatex}\\addbibresource{refs.bib}\n\\usepackage{pith}'),
        );
      },
      ['bbl'],
    ],
    ['a .bbl named after another file', (d) => renameSync(path.join(d, 'main.bbl'), path.join(d, 'paper.bbl')), ['bbl']],
    [
      'a hidden file in the upload',
      (d) => {
        writeFileSync(path.join(d, '.macros.tex'), '% macros\n');
        edit(d, before('\\begin{document}', '\\input{.macros}'));
      },
      ['file-names'],
    ],
    [
      'a non-ASCII file name',
      (d) => {
        renameSync(path.join(d, 'figs', 'plot.png'), path.join(d, 'figs', 'plöt.png'));
        edit(d, (t) => t.replace('{plot}', '{plöt}'));
      },
      ['file-names'],
    ],
    [
      'a wrong-case \\input inside an \\input file',
      (d) => {
        writeFileSync(path.join(d, 'sections', 'Two.tex'), 'Two.\n');
        writeFileSync(path.join(d, 'sections', 'intro.tex'), 'Intro.\n\\input{sections/two}\n');
      },
      ['files'],
    ],
  ];

  for (const [name, breakIt, expected] of moreBreakers) {
    test(`arxiv (static items): ${name} fails exactly ${expected.join(', ')}`, async (t) => {
      const dir = cleanPaper(t);
      breakIt(dir);
      const r = await staticRun(dir);
      assert.equal(r.code, 1, r.out + r.err);
      assert.deepEqual(failing(r), expected, JSON.stringify(r.report?.items, null, 1));
    });
  }

  test('arxiv (static items): what must NOT fail — macro parameters, \\jobname names, % in \\url and \\href, verbatim, comment env, \\graphicspath with two folders', async (t) => {
    const dir = cleanPaper(t);
    writeFileSync(path.join(dir, 'img.png'), readFileSync(path.join(dir, 'figs', 'plot.png')));
    cpSync(path.join(dir, 'figs'), path.join(dir, 'img2'), { recursive: true });
    renameSync(path.join(dir, 'img2', 'plot.png'), path.join(dir, 'img2', 'other.png'));
    edit(dir, (t) =>
      t
        .replace(
          '\\graphicspath{{figs/}}',
          '\\graphicspath{{figs/}{img2/}}\n\\newcommand{\\fig}[1]{\\includegraphics[width=1cm]{#1}}\n\\usepackage{comment}',
        )
        .replace(
          '\\end{document}',
          [
            '\\includegraphics{other}\\includegraphics{img.png}\\fig{plot}',
            '\\url{http://x.org/a%20b}\\input{sections/intro}',
            '\\href{http://x.org/%7Eme}{me} \\includegraphics{img}',
            '\\begin{comment}\n\\input{in-comment-env}\n\\end{comment}',
            '\\begin{verbatim}\n\\usepackage{minted} \\input{/abs/path} \\write18{x}\n\\end{verbatim}',
            '% \\usepackage{minted} \\input{../up}',
            '\\IfFileExists{\\jobname.extra}{\\input{\\jobname.extra}}{}',
            '\\end{document}',
          ].join('\n'),
        ),
    );
    const r = await staticRun(dir);
    assert.equal(r.code, 0, JSON.stringify(r.report?.items, null, 1) + r.err);
    assert.deepEqual(failing(r), []);
  });

  test('arxiv: a PDF without the Pith metadata fails the pdf item; --pack leaves out unused files, the hook rc, the lock and outputs', async (t) => {
    const dir = cleanPaper(t);
    // Stray files and a hooked .latexmkrc: none of them is read by the compile, none is packed.
    writeFileSync(path.join(dir, 'notes.txt'), 'private\n');
    writeFileSync(path.join(dir, 'figs', 'unused.png'), readFileSync(path.join(dir, 'figs', 'plot.png')));
    assert.equal((await runCli(['hook', 'install', dir])).status, 0);
    writeFileSync(path.join(dir, 'main.aux'), '\\relax\n');
    writeFileSync(path.join(dir, 'main.pdf'), '%PDF-1.5 stale\n');
    const out = path.join(dir, 'up.tar.gz');
    let r = await arxiv(dir, ['--arxiv-id', '2109.10465', '--pack', out]);
    assert.equal(r.code, 0, JSON.stringify(r.report?.items, null, 1) + r.err);
    const listed = spawnSync('tar', ['tzf', out], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
    assert.deepEqual(listed, ['figs/plot.png', 'main.bbl', 'main.tex', 'pith.sty', 'sections/intro.tex']);

    edit(dir, (t) => t.replace('\\usepackage{pith}', '\\usepackage[metadata=false]{pith}'));
    r = await arxiv(dir, ['--arxiv-id', '2109.10465']);
    assert.equal(r.code, 1, r.out + r.err);
    assert.deepEqual(failing(r), ['pdf']);
    assert.match(r.report!.items.find((i) => i.id === 'pdf')!.detail, /no Pith metadata/);
  });

  test('arxiv: human output is a ✓/✗ list with one "fix:" line per ✗; exit 2 for a missing paper', async (t) => {
    const dir = cleanPaper(t);
    edit(dir, before('\\usepackage{pith}', '\\usepackage{minted}'));
    const r = await runCli(['arxiv', path.join(dir, 'main.tex'), '--no-compile']);
    assert.equal(r.status, 1);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.some((l) => /^✓ pith\.sty:/.test(l)));
    const bad = lines.findIndex((l) => /^✗ shell-escape:/.test(l));
    assert.ok(bad >= 0, r.stdout);
    assert.match(lines[bad + 1]!, /^ {4}fix: /);
    // One fix per ✗, and one per ! warning (comments: the command that packs without them).
    assert.equal(lines.filter((l) => /^ {4}fix: /.test(l)).length, lines.filter((l) => l.startsWith('✗') || l.startsWith('!')).length);
    assert.equal((await runCli(['arxiv', path.join(dir, 'nope.tex')])).status, 2);
  });

  test("arxiv: the clean compile ignores the user's latexmkrc (shell-escape on, recorder off) and the folder's latexmkrc", async (t) => {
    const dir = cleanPaper(t);
    const home = tempDir(t, 'pith-arxiv-home-');
    const marker = path.join(home, 'shell-escape-ran');
    writeFileSync(path.join(home, '.latexmkrc'), "$recorder = 0;\n$pdflatex = 'pdflatex -shell-escape %O %S';\n");
    writeFileSync(path.join(dir, 'latexmkrc'), "$pdflatex = 'pdflatex -shell-escape %O %S';\n");
    edit(dir, before('\\end{document}', `\\immediate\\write18{touch ${marker}}`));
    const out = path.join(dir, 'up.tar.gz');
    const r = await runCli(['arxiv', path.join(dir, 'main.tex'), '--json', '--pack', out], {
      timeoutMs: 180_000,
      env: { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') },
    });
    const report = JSON.parse(r.stdout) as { items: { id: string; status: string }[]; pack: { files: string[] } | null };
    assert.deepEqual(
      report.items.filter((i) => i.status === 'fail').map((i) => i.id),
      ['shell-escape'],
      r.stdout,
    );
    assert.equal(existsSync(marker), false, '\\write18 did not run in the clean compile');
    assert.deepEqual(report.pack?.files, ['figs/plot.png', 'main.bbl', 'main.tex', 'pith.sty', 'sections/intro.tex'], 'the recorder ran');
  });

  test("arxiv: a package read from the user's TEXMFHOME fails the tex-live item (arXiv has only TeX Live)", async (t) => {
    const dir = cleanPaper(t);
    const texmf = tempDir(t, 'pith-texmfhome-');
    mkdirSync(path.join(texmf, 'tex', 'latex', 'mine'), { recursive: true });
    writeFileSync(
      path.join(texmf, 'tex', 'latex', 'mine', 'pithtestmine.sty'),
      '\\ProvidesPackage{pithtestmine}\n\\newcommand\\mine{mine}\n',
    );
    edit(dir, before('\\usepackage{pith}', '\\usepackage{pithtestmine}'));
    const r = await runCli(['arxiv', path.join(dir, 'main.tex'), '--json'], { timeoutMs: 180_000, env: { TEXMFHOME: texmf } });
    const report = JSON.parse(r.stdout) as { items: { id: string; status: string; detail: string; fix?: string }[] };
    assert.deepEqual(
      report.items.filter((i) => i.status === 'fail').map((i) => i.id),
      ['tex-live'],
      r.stdout,
    );
    assert.match(report.items.find((i) => i.id === 'tex-live')!.detail, /pithtestmine\.sty/);
  });

  test('arxiv: fontspec means XeLaTeX, as arXiv decides; --engine lua (not offered by arXiv) or an unknown engine is bad usage', async (t) => {
    const dir = cleanPaper(t);
    assert.equal((await arxiv(dir, ['--engine', 'lua'])).code, 2);
    assert.equal((await arxiv(dir, ['--engine', 'nonsense'])).code, 2);
    edit(dir, before('\\usepackage{pith}', '\\usepackage{fontspec}'));
    const r = await arxiv(dir, ['--arxiv-id', '2109.10465']);
    assert.equal(r.code, 0, JSON.stringify(r.report?.items, null, 1) + r.err);
    assert.match(r.report!.items.find((i) => i.id === 'compile')!.detail, /\(xe,/);
    assert.equal(r.report!.items.find((i) => i.id === 'pdf')!.status, 'pass');
  });

  test('arxiv: a paper that refers to no other file says so (not "all 0 referenced files")', async (t) => {
    const dir = cleanPaper(t);
    edit(dir, (t) => t.replace('\\input{sections/intro}', '').replace('\\includegraphics[width=1cm]{plot}', ''));
    const r = await arxiv(dir, ['--no-compile', '--arxiv-id', '2109.10465']);
    assert.equal(r.report!.items.find((i) => i.id === 'files')!.detail, 'main.tex refers to no other files');
  });
});
