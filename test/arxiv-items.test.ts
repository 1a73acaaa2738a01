// The arXiv checklist's static items, decided without a file system or TeX (src/core/arxiv-items.ts),
// and the clean copy's file choice (src/io/clean-compile.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { arxivIdItem, fileNamesItem, sourceItems, stampFix, stampItems, walkSources, type StampFacts } from '../src/core/arxiv-items.js';
import { readStampedSty } from '../src/core/sty-read.js';
import { cleanCopyFiles } from '../src/io/clean-compile.js';
import { SEED } from './support/seed.js';
import { renderSty } from './support/stamped-paper.js';
import { readFileSync } from 'node:fs';
import { repoRoot } from './helpers.js';
import path from 'node:path';

const packageSource = readFileSync(path.join(repoRoot, 'tex', 'pith.sty'), 'utf8');

/** A folder in memory: walkSources reads through `read`. */
function walk(folder: Record<string, string>, main = 'main.tex') {
  const files = new Set(Object.keys(folder));
  return { files, walk: walkSources(main, files, (f) => folder[f] ?? '') };
}

describe('arxiv: sources', () => {
  test('walkSources follows \\input chains once each and collects shell-escape and bibliography use', () => {
    const { walk: w } = walk({
      'main.tex': '\\documentclass{article}\\usepackage{minted}\\input{a}\\input{a}\\begin{document}\\bibliography{refs}\\end{document}',
      'a.tex': '\\input{sub/b}',
      'sub/b.tex': '\\usepackage{fontspec}\\immediate\\write18{ls}',
    });
    assert.deepEqual(
      w.texts.map((t) => t.file),
      ['main.tex', 'a.tex', 'sub/b.tex'],
    );
    assert.deepEqual(w.shell, ['\\usepackage{minted} in main.tex', '\\write18 in sub/b.tex']);
    assert.equal(w.usesBib, true);
    assert.equal(w.usesFontspec, true);
  });

  test('sourceItems: a missing figure and a case-only match fail `files`; a missing .bbl fails `bbl`', () => {
    const { files, walk: w } = walk({
      'main.tex': '\\includegraphics{fig}\\includegraphics{Plot.png}\\bibliography{refs}',
      'plot.png': '',
    });
    const { items, referenced } = sourceItems(w, 'main.tex', files);
    const byId = Object.fromEntries(items.map((i) => [i.id, i]));
    assert.equal(byId.files?.status, 'fail');
    assert.match(byId.files?.detail ?? '', /\\includegraphics\{fig\} in main\.tex: no such file/);
    assert.match(byId.files?.detail ?? '', /matches plot\.png only ignoring case/);
    assert.equal(byId.bbl?.status, 'fail');
    assert.equal(byId['shell-escape']?.status, 'pass');
    assert.deepEqual([...referenced], []);
  });

  test('sourceItems: one found file is "the one referenced file"; no bibliography makes `bbl` n/a', () => {
    const { files, walk: w } = walk({ 'main.tex': '\\includegraphics{fig}', 'fig.pdf': '' });
    const { items, referenced } = sourceItems(w, 'main.tex', files);
    assert.deepEqual([...referenced], ['fig.pdf']);
    assert.equal(items.find((i) => i.id === 'files')?.detail, 'the one referenced file exists with the exact case');
    assert.equal(items.find((i) => i.id === 'bbl')?.status, 'n/a');
  });
});

describe('arxiv: the stamp items', () => {
  const facts = (over: Partial<StampFacts>): StampFacts => {
    const sty = renderSty();
    return {
      main: 'main.tex',
      shown: 'main.tex',
      sty,
      stamped: readStampedSty(sty),
      packageSource,
      check: { status: 'ok', pith_number: SEED.number, findings: [] },
      ...over,
    };
  };

  test('a generated, current pith.sty and an ok check pass both items', () => {
    assert.deepEqual(
      stampItems(facts({})).map((i) => i.status),
      ['pass', 'pass'],
    );
  });

  test("a hand-edited pith.sty fails, with check's own fix when it has one, else a stamp with the lock's number", () => {
    const sty = renderSty().replace(`{${SEED.body}}`, '{AAAAAAAAAAAAAAAAAAAAAAAAAA}');
    const [styItem] = stampItems(facts({ sty, stamped: readStampedSty(sty) }));
    assert.equal(styItem?.status, 'fail');
    assert.match(styItem?.detail ?? '', /edited by hand/);
    assert.equal(styItem?.fix, `pith-tex stamp main.tex --number ${SEED.number}`);
    const check = {
      status: 'mismatch',
      pith_number: SEED.number,
      findings: [{ message: 'differs', fix: 'pith-tex stamp main.tex --force' }],
    };
    assert.equal(stampFix({ shown: 'main.tex', check }), 'pith-tex stamp main.tex --force');
  });

  test('an older package inside pith.sty fails; no pith.sty fails naming the root file', () => {
    assert.match(stampItems(facts({ packageSource: `${packageSource}\n% newer\n` }))[0]?.detail ?? '', /older pith package/);
    assert.match(stampItems(facts({ sty: null, stamped: null }))[0]?.detail ?? '', /no pith\.sty beside main\.tex/);
  });
});

describe('arxiv: record id and file names', () => {
  test("the lock's record against --arxiv-id: n/a without it, pass when equal, fail when not", () => {
    const record = { id: '2109.10465', version: 1 };
    assert.equal(arxivIdItem(record, null, 'main.tex').status, 'n/a');
    assert.equal(arxivIdItem(record, '2109.10465', 'main.tex').status, 'pass');
    const other = arxivIdItem(record, '2201.05596', 'main.tex');
    assert.equal(other.status, 'fail');
    assert.equal(other.detail, 'the record is arXiv:2109.10465v1, not 2201.05596');
    assert.equal(arxivIdItem(null, null, 'main.tex').status, 'fail');
  });

  test('upload names with spaces or non-ASCII fail', () => {
    assert.equal(fileNamesItem(new Set(['main.tex', 'fig.pdf'])).status, 'pass');
    assert.match(fileNamesItem(new Set(['my fig.pdf', 'é.tex'])).detail, /my fig\.pdf: a space in the name; é\.tex: a non-ASCII character/);
  });
});

describe('arxiv: the clean copy', () => {
  test('leaves out the lock, .bib, hidden files and outputs, keeps figures that are PDFs', () => {
    const all = [
      'main.tex',
      'main.pdf',
      'main.aux',
      'fig.pdf',
      'refs.bib',
      'main.bbl',
      'pith.lock.json',
      '.latexmkrc',
      '.git/x',
      'pith.sty',
    ];
    assert.deepEqual(cleanCopyFiles(all, 'main.tex'), ['main.tex', 'fig.pdf', 'main.bbl', 'pith.sty']);
  });
});
