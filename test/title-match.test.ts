import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findLatexTitle, matchTitle, titleCandidates, titleHash } from '../src/core/title-match.js';
import { analyzeTex } from '../src/core/tex-analysis.js';
import { repoRoot } from './helpers.js';
import { allRegistryVectors, seedBundle } from './support/vectors.js';

const doc = (preamble: string, body = '\\maketitle\nText.') =>
  `\\documentclass{article}\n${preamble}\n\\begin{document}\n${body}\n\\end{document}\n`;
const hashOf = (title: string) => titleHash(title);

test('the registry rule: every real record title hashes to its title_canon_sha256, raw TeX as written', () => {
  const titled = allRegistryVectors().filter((v) => v.title !== undefined);
  assert.ok(titled.length >= 14, `${titled.length} titles`);
  for (const v of titled) {
    assert.equal(titleHash(v.title as string), v.canonical_record.metadata.title_canon_sha256, v.arxiv_id);
    // Typed as a LaTeX title, the arXiv title is its own first candidate: the cleaning keeps
    // Schr\"odinger, $q$-deformed and "quotes" as written.
    const m = matchTitle(doc(`\\title{${v.title}}`), v.canonical_record.metadata.title_canon_sha256);
    assert.equal(m.status, 'match', v.arxiv_id);
    assert.equal(titleCandidates(v.title as string)[0], v.title);
  }
});

test('the example paper matches its own record', () => {
  const text = readFileSync(path.join(repoRoot, 'examples', 'moe-paper', 'main.tex'), 'utf8');
  const record = seedBundle().canonical_record as { metadata: { title_canon_sha256: string } };
  const m = matchTitle(text, record.metadata.title_canon_sha256);
  assert.equal(m.status, 'match');
  // and not another paper's
  const other = allRegistryVectors().find((v) => v.arxiv_id === '2201.05596')!;
  const miss = matchTitle(text, other.canonical_record.metadata.title_canon_sha256);
  assert.equal(miss.status, 'mismatch');
  if (miss.status === 'mismatch') assert.equal(miss.title, 'Scalable and Efficient MoE Training for Multitask Multilingual Models');
});

test('what an author adds for the page is dropped: thanks, footnotes, line breaks, short titles, fonts', () => {
  const want = 'Deep Nets for the Schr\\"odinger Equation';
  const cases: [string, string][] = [
    ['\\title{Deep Nets for\\\\ the Schr\\"odinger Equation\\thanks{Funded by {X} and \\emph{Y}.}}', 'thanks and \\\\'],
    ['\\title[Deep Nets]{Deep Nets for the\\\\[4pt] Schr\\"odinger Equation}', 'short title and \\\\[4pt]'],
    ['\\title{Deep Nets\\footnote{A note.} for the\\newline Schr\\"odinger\n  Equation}', 'footnote, \\newline, line break'],
    ['\\title{\\textbf{Deep Nets} for the {\\sc Schr\\"odinger} Equation}', 'font switches'],
    ['\\title{\\Large Deep Nets for the~Schr\\"odinger Equation}', 'size switch and ~'],
    ['\\title{Deep Nets for the \\texorpdfstring{Schr\\"odinger}{Schrodinger} Equation}', 'texorpdfstring'],
    ['\\icmltitle{Deep Nets for the Schr\\"odinger Equation}', 'ICML'],
    ['\\Title{Deep Nets for the Schr\\"odinger Equation}', 'MDPI'],
    ['\\title*{Deep Nets for the Schr\\"odinger Equation}', 'starred (svmult)'],
    [
      '% \\title{Old title}\n\\iffalse\\title{Older}\\fi\n\\title{Deep Nets for the % comment\nSchr\\"odinger Equation}',
      'comments, \\iffalse',
    ],
    ['\\def\\title#1{}\n\\title{Deep Nets for the Schr\\"odinger Equation}', 'a definition is not a use'],
  ];
  for (const [preamble, what] of cases) {
    assert.equal(matchTitle(doc(preamble), hashOf(want)).status, 'match', what);
  }
  // Inside a command's own group the braces stay (\"{o} is TeX the author typed on arXiv too).
  assert.equal(matchTitle(doc('\\title{Schr\\"{o}dinger}'), hashOf('Schr\\"{o}dinger')).status, 'match');
  assert.equal(matchTitle(doc('\\title{Schr\\"{o}dinger}'), hashOf('Schrödinger')).status, 'mismatch');
});

test('a subtitle is tried after a colon; no title is reported as such', () => {
  const src = doc('\\title{Pith}\n\\subtitle{Numbers for Papers}');
  assert.deepEqual(findLatexTitle(src), { title: 'Pith', subtitle: 'Numbers for Papers', command: 'title' });
  assert.equal(matchTitle(src, hashOf('Pith: Numbers for Papers')).status, 'match');
  assert.equal(matchTitle(src, hashOf('Pith')).status, 'match');
  assert.equal(matchTitle(doc(''), hashOf('Pith')).status, 'no-title');
  assert.equal(matchTitle(doc('\\title'), hashOf('Pith')).status, 'no-title');
});

test('a different title is a mismatch, and case and spacing are not differences', () => {
  assert.equal(matchTitle(doc('\\title{On  the\tTheory}'), hashOf('on the theory')).status, 'match');
  assert.equal(matchTitle(doc('\\title{On the Theory}'), hashOf('On a Theory')).status, 'mismatch');
  assert.equal(matchTitle(doc('\\title{On the Theory.}'), hashOf('On the Theory')).status, 'mismatch', 'punctuation counts');
});

test('findLatexTitle from the masked preamble (what check has) is the whole-source answer, on every corpus template and on edge cases', () => {
  const corpus = path.join(repoRoot, 'test', 'corpus');
  const sources = readdirSync(corpus)
    .filter((d) => existsSync(path.join(corpus, d, 'expect.json')))
    .map((d) => readFileSync(path.join(corpus, d, JSON.parse(readFileSync(path.join(corpus, d, 'expect.json'), 'utf8')).main), 'latin1'));
  assert.ok(sources.length >= 40, `${sources.length} corpus sources`);
  const edges = [
    doc('', '\\title{In the Body}\\maketitle'), // no title in the preamble
    doc('\\title{Main}', '\\subtitle{Sub in the Body}'), // a subtitle only the body has
    doc('\\title{Main}\\subtitle{Sub}'),
    doc('% \\title{Commented}\n\\title{Real}'),
    doc('\\iffalse \\title{Hidden} \\fi \\title{Shown}'),
    doc('\\title[Short]{Long Title}'),
    doc('\\title{Unclosed in the preamble', 'rest}'), // a group the preamble does not close
    doc('\\title[unclosed', ']{X}'),
    doc('\\def\\title#1{}\\title{After a definition}'),
    doc('\\newcommand\\subtitle[1]{}\\title{T}', '\\subtitle{S}'),
    doc(''),
  ];
  for (const source of [...sources, ...edges]) {
    const { maskedPreamble } = analyzeTex(source);
    assert.deepEqual(findLatexTitle(source, maskedPreamble), findLatexTitle(source), source.slice(0, 200));
  }
});

test('matchTitle stops at the first candidate that matches, and lists every candidate on a miss', () => {
  const latex = '\\title{\\textbf{Bold} Title\\thanks{x}}\\subtitle{Sub}';
  const all = titleCandidates(findLatexTitle(doc(latex))!);
  assert.ok(all.length >= 4, all.join(' | '));
  for (const [i, c] of all.entries()) {
    const m = matchTitle(doc(latex), hashOf(c));
    assert.equal(m.status, 'match');
    assert.equal((m as { candidate: string }).candidate, all[i]);
  }
  assert.deepEqual((matchTitle(doc(latex), hashOf('other')) as { candidates: string[] }).candidates, all);
});
