// The text edit of `pith-tex stamp`: pure, byte-preserving, idempotent, reversible.
import test from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTex, existingNumber } from '../src/core/tex-analysis.js';
import { dominantEol, stampText, unstampText } from '../src/core/tex-edit.js';
import { decodeSource, encodeSource } from '../src/core/tex-encoding.js';
import { hasDocumentclass, maskTex } from '../src/core/tex-mask.js';
import { unifiedDiff } from '../src/core/patch.js';
import { chooseRoot, findIncludingRoot, parseLatexmkrcDefaultFiles } from '../src/core/paper.js';
import { int, pick, rng } from './support/random.js';
import { SEED } from './support/seed.js';

const B = SEED.body;
const B2 = '7E6MSA6GOP56H4R35CPJZVR5Y4';
const doc = (preamble: string, eol = '\n'): string =>
  ['\\documentclass{article}', ...preamble.split('\n'), '\\begin{document}', 'Hello.', '\\end{document}', ''].join(eol);

/** Stamp, and check the universal properties on the way. */
function stamp(text: string, body = B, ctx = {}): string {
  const once = stampText(text, body, ctx).text;
  assert.equal(stampText(once, body, ctx).text, once, 'stamping twice equals stamping once');
  return once;
}

test('inserts \\usepackage{pith} and \\pithnumber before hyperref when hyperref is loaded', () => {
  const src = doc('\\usepackage{amsmath}\n\\usepackage[colorlinks]{hyperref}\n\\usepackage{cleveref}');
  const out = stamp(src);
  assert.equal(
    out,
    doc(`\\usepackage{amsmath}\n\\usepackage{pith}\n\\pithnumber{${B}}\n\\usepackage[colorlinks]{hyperref}\n\\usepackage{cleveref}`),
  );
  assert.equal(unstampText(out), src);
});

test('inserts after the last \\usepackage without hyperref, and after \\documentclass with no package', () => {
  assert.equal(
    stamp(doc('\\usepackage{a}\n\\newcommand{\\x}{y}\n\\usepackage{b}\n\\title{T}')),
    doc(`\\usepackage{a}\n\\newcommand{\\x}{y}\n\\usepackage{b}\n\\usepackage{pith}\n\\pithnumber{${B}}\n\\title{T}`),
  );
  assert.equal(stamp(doc('\\title{T}')), doc(`\\usepackage{pith}\n\\pithnumber{${B}}\n\\title{T}`));
  // \documentclass with options over several lines.
  const multi = '\\documentclass[\n  11pt,\n  a4paper]{article}\n\\title{T}\n\\begin{document}\n\\end{document}\n';
  assert.equal(
    stamp(multi),
    `\\documentclass[\n  11pt,\n  a4paper]{article}\n\\usepackage{pith}\n\\pithnumber{${B}}\n\\title{T}\n\\begin{document}\n\\end{document}\n`,
  );
});

test('a \\usepackage with options spread over lines: the stamp goes after its last line', () => {
  const src = doc('\\usepackage[%\n  margin=1in,% wide\n  top=2cm]{geometry}\n\\title{T}');
  assert.equal(
    stamp(src),
    doc(`\\usepackage[%\n  margin=1in,% wide\n  top=2cm]{geometry}\n\\usepackage{pith}\n\\pithnumber{${B}}\n\\title{T}`),
  );
});

test('packages inside a conditional are not anchors; \\RequirePackage before \\documentclass is not either', () => {
  const src =
    '\\RequirePackage{fix-cm}\n\\documentclass{article}\n\\usepackage{a}\n\\ifpdf\n  \\usepackage{b}\n\\fi\n\\begin{document}\n\\end{document}\n';
  assert.equal(
    stamp(src),
    `\\RequirePackage{fix-cm}\n\\documentclass{article}\n\\usepackage{a}\n\\usepackage{pith}\n\\pithnumber{${B}}\n\\ifpdf\n  \\usepackage{b}\n\\fi\n\\begin{document}\n\\end{document}\n`,
  );
  const noTop = '\\documentclass{article}\n\\newif\\iffoo\n\\iffoo\\usepackage{b}\\fi\n\\begin{document}\n\\end{document}\n';
  assert.equal(
    stamp(noTop),
    `\\documentclass{article}\n\\usepackage{pith}\n\\pithnumber{${B}}\n\\newif\\iffoo\n\\iffoo\\usepackage{b}\\fi\n\\begin{document}\n\\end{document}\n`,
  );
});

test('updates an existing stamp in place: a new record changes the number and nothing else', () => {
  const stamped = stamp(doc('\\usepackage{amsmath}\n\\usepackage{pith}\n\\pithnumber{' + B + '}% the number'));
  const r = stampText(stamped, B2);
  assert.equal(r.text, stamped.replace(B, B2));
  assert.deepEqual(r.actions, [`updated \\pithnumber{${B}} to \\pithnumber{${B2}}`]);
  assert.equal(
    unifiedDiff(stamped, r.text, 'a', 'b')
      .split('\n')
      .filter((l) => /^[-+][^-+]/.test(l)).length,
    2,
  );
  assert.equal(stampText(stamped, B).changed, false);
});

test("\\pithnumber{pith:YEAR:BODY} is the same number; a new record keeps the author's form", () => {
  const src = doc(`\\usepackage{pith}\n\\pithnumber{pith:2021:${B}}`);
  assert.equal(stampText(src, B, { year: '2021' }).changed, false);
  assert.equal(stampText(src, B2, { year: '2022' }).text, src.replace(`pith:2021:${B}`, `pith:2022:${B2}`));
  assert.equal(stampText(doc(`\\usepackage{pith}\n\\pithnumber{${B.toLowerCase()}}`), B).changed, false);
});

test('\\usepackage[opts]{pith} and \\usepackage{a,pith,b} are stamps: only the number is added, after them', () => {
  assert.equal(
    stamp(doc('\\usepackage[badge=footnote]{pith}\n\\usepackage{x}')),
    doc(`\\usepackage[badge=footnote]{pith}\n\\pithnumber{${B}}\n\\usepackage{x}`),
  );
  assert.equal(
    stamp(doc('\\usepackage{a, pith ,b}\n\\usepackage{x}')),
    doc(`\\usepackage{a, pith ,b}\n\\pithnumber{${B}}\n\\usepackage{x}`),
  );
  assert.equal(stamp(doc('\\RequirePackage{pith}')), doc(`\\RequirePackage{pith}\n\\pithnumber{${B}}`));
  assert.equal(stamp(doc('\\usepackage{pithy}')), doc(`\\usepackage{pithy}\n\\usepackage{pith}\n\\pithnumber{${B}}`));
});

test('a \\pithnumber without the package gets \\usepackage{pith} on the line before it', () => {
  assert.equal(
    stamp(doc(`\\usepackage{x}\n\\pithnumber{${B2}}\n\\title{T}`)),
    doc(`\\usepackage{x}\n\\usepackage{pith}\n\\pithnumber{${B}}\n\\title{T}`),
  );
});

test('a \\pithnumber in the body is updated there, not duplicated in the preamble', () => {
  const src = `\\documentclass{article}\n\\usepackage{pith}\n\\begin{document}\n\\pithnumber{${B2}}\n\\end{document}\n`;
  assert.equal(stamp(src), src.replace(B2, B));
  const noPkg = `\\documentclass{article}\n\\usepackage{x}\n\\begin{document}\n\\pithnumber{${B}}\n\\end{document}\n`;
  assert.equal(
    stamp(noPkg),
    `\\documentclass{article}\n\\usepackage{x}\n\\usepackage{pith}\n\\begin{document}\n\\pithnumber{${B}}\n\\end{document}\n`,
  );
});

test('commented-out stamps are not stamps; \\% is not a comment', () => {
  const src = doc(`% \\usepackage{pith}\n%\\pithnumber{${B2}}\n\\usepackage{x} % \\usepackage{pith}\n\\def\\p{50\\%}\\usepackage{y}`);
  const out = stamp(src);
  assert.equal(
    out,
    doc(
      `% \\usepackage{pith}\n%\\pithnumber{${B2}}\n\\usepackage{x} % \\usepackage{pith}\n\\def\\p{50\\%}\\usepackage{y}\n\\usepackage{pith}\n\\pithnumber{${B}}`,
    ),
  );
  assert.equal(unstampText(out), src);
  // "\\%" is a line break then a comment.
  assert.equal(analyzeTex('a\\\\% \\usepackage{pith}\n').pithPackage, null);
});

test('\\iffalse ... \\fi blocks are skipped, including nested conditionals; the \\else branch is code', () => {
  const src = doc(`\\iffalse\n\\usepackage{pith}\n\\ifx\\a\\b \\fi\n\\pithnumber{${B2}}\n\\fi\n\\usepackage{x}`);
  const out = stamp(src);
  assert.equal(
    out,
    doc(
      `\\iffalse\n\\usepackage{pith}\n\\ifx\\a\\b \\fi\n\\pithnumber{${B2}}\n\\fi\n\\usepackage{x}\n\\usepackage{pith}\n\\pithnumber{${B}}`,
    ),
  );
  const withElse = doc(`\\iffalse\n\\usepackage{old}\n\\else\n\\usepackage{pith}\n\\fi`);
  assert.notEqual(analyzeTex(withElse).pithPackage, null);
});

test('verbatim, comment, filecontents environments and \\verb are not code', () => {
  const src = `\\begin{filecontents*}{x.tex}\n\\documentclass{book}\n\\usepackage{pith}\n\\end{filecontents*}\n\\documentclass{article}\n\\usepackage{x}\n\\begin{comment}\n\\usepackage{pith}\n\\pithnumber{${B2}}\n\\end{comment}\n\\begin{document}\n\\begin{verbatim}\n\\pithnumber{${B2}}\n\\end{verbatim}\n\\verb|\\pithnumber{${B2}}|\n\\end{document}\n`;
  const out = stamp(src);
  assert.equal(out, src.replace('\\usepackage{x}\n', `\\usepackage{x}\n\\usepackage{pith}\n\\pithnumber{${B}}\n`));
  assert.equal(maskTex(src).length, src.length);
});

test('line endings, tabs, indentation, and the final newline (or its absence) are kept', () => {
  const crlf = doc('\t\\usepackage{amsmath}\t% maths\n\\title{T}', '\r\n');
  const out = stamp(crlf);
  assert.equal(out, doc(`\t\\usepackage{amsmath}\t% maths\n\t\\usepackage{pith}\n\t\\pithnumber{${B}}\n\\title{T}`, '\r\n'));
  assert.equal(dominantEol(out), '\r\n');
  assert.equal(unstampText(out), crlf);
  const noFinal = '\\documentclass{article}\n\\usepackage{x}';
  assert.equal(stamp(noFinal), `\\documentclass{article}\n\\usepackage{x}\n\\usepackage{pith}\n\\pithnumber{${B}}`);
  assert.equal(unstampText(stamp(noFinal)), noFinal);
  // A preamble file (no \documentclass) ending without a newline, CRLF elsewhere.
  const pre = '\\usepackage{a}\r\n\\usepackage{b}';
  assert.equal(stamp(pre), `\\usepackage{a}\r\n\\usepackage{b}\r\n\\usepackage{pith}\r\n\\pithnumber{${B}}`);
  assert.equal(unstampText(stamp(pre)), pre);
});

test('encodings: UTF-8 with and without BOM, Latin-1 declared or detected, decoded and encoded back byte for byte', () => {
  const utf8 = new TextEncoder().encode(doc('\\usepackage{x}\n\\title{Café – naïve}'));
  const d1 = decodeSource(utf8);
  assert.deepEqual([d1.encoding, d1.bom], ['utf-8', false]);
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]);
  const d2 = decodeSource(bom);
  assert.deepEqual([d2.encoding, d2.bom], ['utf-8', true]);
  assert.deepEqual(encodeSource(d2), bom);
  assert.ok(!d2.text.startsWith('\ufeff'));
  // Latin-1 by declaration (bytes that would also be valid UTF-8: "Ã©" is C3 A9).
  const latin = Uint8Array.from(
    [...'\\documentclass{article}\n\\usepackage[latin1]{inputenc}\n\\title{Caf']
      .map((c) => c.charCodeAt(0))
      .concat([0xc3, 0xa9, 0x7d, 0x0a]),
  );
  const d3 = decodeSource(latin);
  assert.equal(d3.encoding, 'latin1');
  assert.deepEqual(encodeSource(d3), latin);
  const stamped = encodeSource({ ...d3, text: stamp(d3.text) });
  assert.deepEqual(encodeSource({ ...d3, text: unstampText(decodeSource(stamped).text) }), latin);
  // Latin-1 by detection: invalid UTF-8 (a lone E9).
  const bad = Uint8Array.from([...'\\documentclass{article}\n\\title{Caf'].map((c) => c.charCodeAt(0)).concat([0xe9, 0x7d, 0x0a]));
  const d4 = decodeSource(bad);
  assert.equal(d4.encoding, 'latin1');
  assert.deepEqual(encodeSource(d4), bad);
  // A commented-out inputenc does not count.
  assert.equal(decodeSource(new TextEncoder().encode('% \\usepackage[latin1]{inputenc}\n\\documentclass{article}\n')).encoding, 'utf-8');
  // Each 8-bit option of inputenc (the byte search before masking must let every one through),
  // and utf8 beside a comment that names one.
  const ascii = (text: string) => Uint8Array.from([...text].map((c) => c.charCodeAt(0)));
  for (const option of [
    'latin1',
    'latin9',
    'latin10',
    'l7xenc',
    'cp1252',
    'ansinew',
    'applemac',
    'macce',
    'cp437',
    'cp858',
    'decmulti',
    'next',
  ]) {
    const text = `\\documentclass{article}\n\\usepackage[ ${option} ]{inputenc}\n\\title{Caf\xc3\xa9}\n\\begin{document}\n\\end{document}\n`;
    assert.equal(decodeSource(ascii(text)).encoding, 'latin1', option);
  }
  const utf8Declared =
    '\\documentclass{article}\n% was [latin1] once\n\\usepackage[utf8]{inputenc}\n\\title{Caf\xc3\xa9}\n\\begin{document}\n';
  assert.equal(decodeSource(ascii(utf8Declared)).encoding, 'utf-8');
});

test('a stamp in an \\input preamble file: the context stops inserts, and the file is updated in place', () => {
  const main = doc('\\input{preamble}\n\\usepackage{x}');
  assert.deepEqual(analyzeTex(main).inputs, ['preamble']);
  assert.equal(stampText(main, B, { packageElsewhere: true, numberElsewhere: true }).changed, false);
  const pre = `\\usepackage{amsmath}\n\\usepackage{pith}\n\\pithnumber{${B2}}\n`;
  assert.equal(stamp(pre, B), pre.replace(B2, B));
  // Package in the preamble file, no number anywhere: the number goes into the home file after its packages.
  assert.equal(stamp(main, B, { packageElsewhere: true }), doc(`\\input{preamble}\n\\usepackage{x}\n\\pithnumber{${B}}`));
});

test('root files: \\documentclass in code only; .latexmkrc @default_files; the including root is named', () => {
  assert.equal(hasDocumentclass('% \\documentclass{article}\n\\section{x}'), false);
  assert.equal(hasDocumentclass('\\documentclass{article}'), true);
  assert.deepEqual(parseLatexmkrcDefaultFiles("# x\n@default_files = ('paper.tex', \"b.tex\");\npush @default_files, 'c';\n"), [
    'paper.tex',
    'b.tex',
    'c',
  ]);
  assert.deepEqual(parseLatexmkrcDefaultFiles('@default_files = qw(one.tex two);'), ['one.tex', 'two']);
  const cands = [
    { name: 'intro.tex', text: '\\section{Intro}' },
    { name: 'paper.tex', text: '\\documentclass{article}\\begin{document}\\input{intro}\\end{document}' },
    { name: 'other.tex', text: '\\documentclass{article}' },
  ];
  assert.deepEqual(chooseRoot(cands, "@default_files = ('paper.tex');"), { kind: 'root', name: 'paper.tex', via: 'latexmkrc' });
  assert.equal(chooseRoot(cands, null).kind, 'ambiguous');
  assert.deepEqual(chooseRoot(cands.slice(0, 2), null), { kind: 'root', name: 'paper.tex', via: 'single-documentclass' });
  assert.equal(chooseRoot(cands.slice(0, 1), null).kind, 'none');
  assert.equal(findIncludingRoot('intro.tex', cands), 'paper.tex');
  assert.equal(findIncludingRoot('/p/sec/a.tex', [{ name: '/p/main.tex', text: '\\documentclass{x}\\include{sec/a}' }]), '/p/main.tex');
  assert.equal(existingNumber(doc(`\\pithnumber{ ${B} }`)), B);
});

test('unified diff: hunks with context, "no newline" marker, empty when equal', () => {
  assert.equal(unifiedDiff('a\n', 'a\n', 'x', 'y'), '');
  const d = unifiedDiff('1\n2\n3\n4\n5\n6\n7\n8\n', '1\n2\n3\n4\nnew\n5\n6\n7\n8\n', 'a/f', 'b/f');
  assert.equal(d, '--- a/f\n+++ b/f\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+new\n 5\n 6\n 7\n');
  assert.match(unifiedDiff('a', 'a\nb', 'x', 'y'), /\\ No newline at end of file/);
});

// ---------------------------------------------------------------------------------------------
// Property test: random realistic preambles.

function randomSource(seed: number): { bytes: Uint8Array; latin1: boolean } {
  const r = rng(seed);
  const eol = pick(r, ['\n', '\r\n', '\n', '\r\n', 'mixed']);
  const latin1 = r() < 0.25;
  const words = ['amsmath', 'graphicx', 'xcolor', 'booktabs', 'geometry', 'natbib', 'cleveref', 'hyperref', 'microtype', 'tikz'];
  const accents = latin1 ? ['é', 'ü', 'ß', 'ø'] : ['é', 'ü', '—', 'α', '名'];
  const ws = () => pick(r, ['', '', ' ', '\t', '  ', '\t\t']);
  const gen: (() => string)[] = [
    () => `${ws()}% ${pick(r, ['a comment', `\\usepackage{pith}`, `\\pithnumber{${B2}}`, `note ${pick(r, accents)}`])}`,
    () =>
      `${ws()}\\usepackage${r() < 0.5 ? `[${pick(r, ['utf8', 'margin=1in', 'colorlinks,linkcolor=blue', 'T1'])}]` : ''}{${pick(r, words)}}${r() < 0.2 ? ' % why' : ''}`,
    () => `${ws()}\\usepackage{${pick(r, words)},${pick(r, words)}}`,
    () => `${ws()}\\newcommand{\\x${int(r, 0, 99)}}{${pick(r, ['x', '\\mathbf{x}', `caf${pick(r, accents)}`])}}`,
    () => '',
    () => ws(),
    () => `\\title{${pick(r, ['On things', `Na${pick(r, accents)}ve`, '50\\% faster'])}}`,
    () => `\\iffalse\n\\usepackage{pith}\n\\pithnumber{${B2}}\n\\fi`,
    () => `\\begin{comment}\n\\usepackage{pith}\n\\end{comment}`,
    () => `\\ifdefined\\foo\n  \\usepackage{bar}\n\\fi`,
    () => `\\usepackage[%\n  opt=1,\n]{${pick(r, words)}}`,
  ];
  const lines: string[] = [];
  if (r() < 0.3) lines.push(`% !TEX program = pdflatex`);
  const preambleOnly = r() < 0.2;
  if (!preambleOnly) lines.push(`\\documentclass${r() < 0.5 ? '[11pt]' : ''}{${pick(r, ['article', 'amsart', 'report'])}}`);
  const n = int(r, 0, 14);
  for (let i = 0; i < n; i++) lines.push(pick(r, gen)());
  if (!preambleOnly) lines.push('\\begin{document}', `Text ${pick(r, accents)}.`, '\\end{document}');
  let text = '';
  lines
    .join('\n')
    .split('\n')
    .forEach((l, i, all) => {
      text += l;
      if (i < all.length - 1) text += eol === 'mixed' ? pick(r, ['\n', '\r\n']) : eol;
    });
  if (r() < 0.7) text += eol === 'mixed' ? '\n' : eol;
  const body = latin1 ? Uint8Array.from([...text].map((c) => c.charCodeAt(0))) : new TextEncoder().encode(text);
  const withBom = !latin1 && r() < 0.3;
  return { bytes: withBom ? new Uint8Array([0xef, 0xbb, 0xbf, ...body]) : body, latin1 };
}

test('property: for 2,000 random preambles, stamping twice = once, unstamping gives back the bytes, re-stamping changes only the number', () => {
  for (let seed = 1; seed <= 2000; seed++) {
    const { bytes, latin1 } = randomSource(seed);
    const src = decodeSource(bytes);
    if (latin1 && /[\x80-\xff]/.test(src.text)) assert.equal(src.encoding, 'latin1', `seed ${seed}`);
    assert.deepEqual(encodeSource(src), bytes, `seed ${seed}: decode/encode round trip`);
    const once = stampText(src.text, B);
    const onceBytes = encodeSource({ ...src, text: once.text });
    const again = decodeSource(onceBytes);
    assert.equal(again.encoding, src.encoding, `seed ${seed}: encoding kept`);
    assert.equal(again.bom, src.bom, `seed ${seed}: BOM kept`);
    assert.deepEqual(encodeSource({ ...again, text: stampText(again.text, B).text }), onceBytes, `seed ${seed}: idempotent`);
    assert.deepEqual(encodeSource({ ...again, text: unstampText(again.text) }), bytes, `seed ${seed}: unstamp gives the original bytes`);
    const a = analyzeTex(once.text);
    assert.ok(a.pithPackage, `seed ${seed}: package present`);
    assert.deepEqual(
      a.numbers.map((x) => x.value),
      [B],
      `seed ${seed}`,
    );
    const other = stampText(once.text, B2).text;
    assert.equal(other, once.text.replace(`\\pithnumber{${B}}`, `\\pithnumber{${B2}}`), `seed ${seed}: only the number changes`);
  }
});

// ---------------------------------------------------------------------------------------------
// Review additions: non-conditional \if... macros, the author's pith:BODY form, one-line
// preambles, and the dry-run diff applied back.

test('\\ifthenelse and etoolbox tests are not conditionals: packages after them are still anchors; inside \\iffalse they do not nest', () => {
  const src = doc(
    '\\usepackage{ifthen,etoolbox}\n\\ifthenelse{\\boolean{x}}{a}{b}\n\\ifdef{\\foo}{}{}\n\\ifstrequal{a}{b}{}{}\n\\usepackage{b}',
  );
  assert.equal(
    stamp(src),
    doc(
      `\\usepackage{ifthen,etoolbox}\n\\ifthenelse{\\boolean{x}}{a}{b}\n\\ifdef{\\foo}{}{}\n\\ifstrequal{a}{b}{}{}\n\\usepackage{b}\n\\usepackage{pith}\n\\pithnumber{${B}}`,
    ),
  );
  const skipped = doc(`\\iffalse\n\\ifthenelse{x}{y}{z}\n\\usepackage{pith}\n\\fi\n\\usepackage{b}`);
  assert.equal(analyzeTex(skipped).pithPackage, null, 'the \\fi closes the \\iffalse');
  assert.equal(
    stamp(skipped),
    doc(`\\iffalse\n\\ifthenelse{x}{y}{z}\n\\usepackage{pith}\n\\fi\n\\usepackage{b}\n\\usepackage{pith}\n\\pithnumber{${B}}`),
  );
  // Real conditionals still count: \ifdefined, \ifcsname, \ifnum, \ifx, \ifpdf.
  const real = doc('\\usepackage{a}\n\\ifdefined\\x\n\\usepackage{b}\n\\fi\n\\ifcsname y\\endcsname\\usepackage{c}\\fi');
  assert.equal(
    stamp(real),
    doc(
      `\\usepackage{a}\n\\usepackage{pith}\n\\pithnumber{${B}}\n\\ifdefined\\x\n\\usepackage{b}\n\\fi\n\\ifcsname y\\endcsname\\usepackage{c}\\fi`,
    ),
  );
});

test("the author's form is kept for a new record: BODY, pith:BODY, pith:YEAR:BODY", () => {
  for (const [was, now] of [
    [B2, B],
    [`pith:${B2}`, `pith:${B}`],
    [`PITH:2022:${B2}`, `pith:2021:${B}`],
  ] as const) {
    const src = doc(`\\usepackage{pith}\n\\pithnumber{${was}}`);
    assert.equal(stamp(src, B, { year: '2021' }), src.replace(was, now), was);
  }
});

test('one-line preambles: the stamp never goes before \\documentclass nor after \\begin{document}', () => {
  const a = '\\documentclass{article}\\usepackage{hyperref}\n\\begin{document}\nx\n\\end{document}\n';
  assert.equal(
    stamp(a),
    `\\documentclass{article}\n\\usepackage{pith}\n\\pithnumber{${B}}\n\\usepackage{hyperref}\n\\begin{document}\nx\n\\end{document}\n`,
  );
  const b = '\\documentclass{article}\n\\usepackage{x}\\begin{document}x\\end{document}';
  assert.equal(
    stamp(b),
    `\\documentclass{article}\n\\usepackage{x}\n\\usepackage{pith}\n\\pithnumber{${B}}\n\\begin{document}x\\end{document}`,
  );
  const c = '\\documentclass{article}\\begin{document}x\\end{document}\r\n';
  assert.equal(stamp(c), `\\documentclass{article}\r\n\\usepackage{pith}\r\n\\pithnumber{${B}}\r\n\\begin{document}x\\end{document}\r\n`);
  const d = `\\documentclass{article}\n\\usepackage{pith}\\begin{document}x\\end{document}\n`;
  assert.equal(stamp(d), `\\documentclass{article}\n\\usepackage{pith}\n\\pithnumber{${B}}\n\\begin{document}x\\end{document}\n`);
  for (const t of [a, b, c, d]) {
    const out = analyzeTex(stamp(t));
    assert.ok(out.pithPackage && out.documentclassEnd !== null && out.pithPackage.start > out.documentclassEnd, t);
    assert.ok(
      out.numbers.every((n) => n.start < out.preambleEnd),
      t,
    );
  }
});

/** Apply a unified diff (as unifiedDiff writes it) to `old`: the test's own small `patch`. */
function applyUnified(old: string, diff: string): string {
  const a = old.match(/[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g) ?? [];
  const out: string[] = [];
  let pos = 0;
  const lines = diff.split('\n');
  let i = 2;
  let last: string | null = null;
  while (i < lines.length) {
    const h = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(lines[i] as string);
    if (!h) break;
    const start = Number(h[2]) === 0 ? Number(h[1]) : Number(h[1]) - 1;
    while (pos < start) out.push(a[pos++] as string);
    i++;
    while (i < lines.length && /^[ +\-\\]/.test(lines[i] as string)) {
      const l = lines[i] as string;
      if (l.startsWith('\\')) {
        if (last === '+' || last === ' ') out[out.length - 1] = (out[out.length - 1] as string).replace(/\n$/, '');
      } else if (l[0] === '+') {
        out.push(`${l.slice(1)}\n`);
      } else {
        if (l[0] === ' ') out.push(a[pos] as string);
        pos++;
      }
      last = l.startsWith('\\') ? last : (l[0] as string);
      i++;
    }
  }
  while (pos < a.length) out.push(a[pos++] as string);
  return out.join('');
}

test('property: the dry-run diff of 500 random edits, applied back, gives the new text', () => {
  const r = rng(7);
  for (let n = 0; n < 500; n++) {
    const old = Array.from({ length: int(r, 0, 30) }, () => `${pick(r, ['a', 'b', 'c', '\\usepackage{x}', ''])}\n`);
    const neu = [...old];
    for (let k = int(r, 0, 6); k > 0; k--) {
      const at = int(r, 0, neu.length);
      if (r() < 0.5 && neu.length > 0) neu.splice(Math.min(at, neu.length - 1), 1);
      else neu.splice(at, 0, `${pick(r, ['new', 'b', '\\pithnumber{X}'])}\n`);
    }
    let oldText = old.join('');
    let newText = neu.join('');
    if (r() < 0.2) oldText = oldText.replace(/\n$/, '');
    if (r() < 0.2) newText = newText.replace(/\n$/, '');
    const d = unifiedDiff(oldText, newText, 'a', 'b', int(r, 0, 3));
    if (oldText === newText) assert.equal(d, '');
    else assert.equal(applyUnified(oldText, d), newText, `case ${n}:\n${JSON.stringify(oldText)}\n${JSON.stringify(newText)}\n${d}`);
  }
});

test('analyzeTex finds numbers and the preamble end in windows exactly as a search of the whole masked text does', () => {
  const r = rng(16);
  const pieces = [
    '\\pithnumber{X}',
    '\\pithnumber {Y}',
    '\\pithnumber\n  {Z}',
    '\\pithnumber%c\n{W}',
    '\\pithnumbers{no}',
    '\\pithnumber{a{b}c}',
    '\\pithnumber' + ' '.repeat(300) + '{far}',
    '\\pithnumber{' + 'v'.repeat(400) + '}',
    '\\pithnumber{open',
    '% \\pithnumber{C}\n',
    '\\iffalse \\pithnumber{F}\\fi ',
    '\\begin{verbatim}\\pithnumber{V}\\end{verbatim}',
    '\\verb|\\pithnumber{v}|',
    '\\begin{document}',
    '\\begin {document}',
    '% \\begin{document}\n',
    '\\begin' + ' '.repeat(500) + '{document}',
    '\\usepackage{x}',
    '\n',
    'text ',
    '{',
    '}',
  ];
  for (let t = 0; t < 300; t++) {
    const text = Array.from({ length: int(r, 1, 30) }, () => pick(r, pieces)).join('');
    const masked = maskTex(text);
    const whole = [...masked.matchAll(/\\pithnumber(?![a-zA-Z])\s*\{([^{}]*)\}/g)].map((m) => m.index);
    const a = analyzeTex(text);
    assert.deepEqual(
      a.numbers.map((n) => n.start),
      whole,
      JSON.stringify(text),
    );
    assert.equal(a.preambleEnd, /\\begin\s*\{document\}/.exec(masked)?.index ?? text.length, JSON.stringify(text));
    assert.equal(a.maskedPreamble, masked.slice(0, a.preambleEnd));
  }
});

test('decodeSource is lossless: encodeSource gives back every byte (stamp keeps no copy of the bytes)', () => {
  const r = rng(2026);
  const cases: Uint8Array[] = [new Uint8Array(0), new Uint8Array([0xef, 0xbb, 0xbf]), new Uint8Array([0xef, 0xbb, 0xbf, 0xe9])];
  for (let i = 0; i < 400; i++) {
    const length = int(r, 0, 300);
    // Random bytes (mostly not UTF-8), UTF-8 text with and without a BOM, and ASCII with an inputenc line.
    const kind = i % 4;
    if (kind === 0) cases.push(Uint8Array.from({ length }, () => int(r, 0, 255)));
    else {
      const text = Array.from({ length }, () => pick(r, ['a', '\\', '%', '\n', '\r\n', 'é', '名', '𝔸', '\u0000', '\ufeff'])).join('');
      const head = kind === 3 ? '\\documentclass{article}\n\\usepackage[latin1]{inputenc}\n' : '';
      const bytes = new TextEncoder().encode(head + text);
      cases.push(kind === 2 ? Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes]) : bytes);
    }
  }
  for (const bytes of cases) assert.deepEqual(encodeSource(decodeSource(bytes)), bytes);
});
