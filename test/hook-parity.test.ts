// One verdict: `pith-tex check` and a latexmk build with the hook agree on the `\iffalse` case of
// issue 13 and on 200 generated preambles (comments, conditionals, verbatim, \input chains).
// The hook runs `pith-tex check` itself, so the parity is by construction; the test still builds
// a sample of the papers with latexmk, and checks every verdict against the generator's own
// (which \pithnumber is live TeX and which is not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPaper } from '../src/commands/check.js';
import { haveLatexmk, installHookIn, latexmk } from './support/latexmk.js';
import { int, pick, rng } from './support/random.js';
import { BODY, lockText, OTHER_BODY, renderSty } from './support/stamped-paper.js';

const GOOD = [
  BODY,
  BODY.toLowerCase(),
  `pith:2021:${BODY}`,
  `pith:${BODY}`,
  `PITH:2021:${BODY.toLowerCase()}`,
  `${BODY.slice(0, 13)} ${BODY.slice(13)}`,
];
const BAD = [OTHER_BODY, `pith:2020:${BODY}`, `pith:2021:${OTHER_BODY}`, BODY.slice(0, 16)];

interface Paper {
  /** File name → text; main.tex is the root. */
  files: Record<string, string>;
  /** What TeX would make of it: 0 every live \pithnumber is the lock's (and there is one), 1 otherwise. */
  expected: 0 | 1;
}

const number = (v: string): string => `\\pithnumber{${v}}`;

/** A \pithnumber TeX reads, in one of the ways it can be written. */
function live(r: () => number, v: string): string {
  return pick(r, [number(v), `\\iftrue ${number(v)}\\fi`, `\\iffalse ${number(pick(r, BAD))}\\else ${number(v)}\\fi`]);
}

/** Text TeX does not read as a \pithnumber (in a preamble, or in the body too when `body`). */
function decoy(r: () => number, body: boolean): string {
  const v = pick(r, [...BAD, 'not a number']);
  const forms = [
    `% ${number(v)}`,
    `\\iffalse ${number(v)} \\fi`,
    `\\iffalse\n  \\ifx\\a\\b ${number(v)}\\fi\n  ${number(v)}\n\\fi`,
    '% \\input{decoy}',
    '\\iffalse \\input{decoy} \\fi',
  ];
  if (body)
    forms.push(
      `\\begin{verbatim}\n${number(v)}\n\\end{verbatim}`,
      `\\verb|${number(v)}|`,
      `\\begin{comment}\n${number(v)}\n\\end{comment}`,
    );
  return pick(r, forms);
}

const shuffle = <T>(r: () => number, items: T[]): T[] => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = int(r, 0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
};

function generate(r: () => number): Paper {
  const depth = int(r, 0, 2); // main.tex \inputs pre1.tex, which \inputs pre2.tex
  const preambles: string[][] = Array.from({ length: depth + 1 }, () => []);
  const body: string[] = [];
  const numbers = Array.from({ length: pick(r, [0, 1, 1, 1, 2]) }, () =>
    r() < 0.7 ? { v: pick(r, GOOD), good: true } : { v: pick(r, BAD), good: false },
  );
  for (const n of numbers) {
    const where = int(r, 0, depth + 1);
    if (where > depth) body.push(number(n.v));
    else preambles[where]!.push(live(r, n.v));
  }
  for (let i = int(r, 0, 4); i > 0; i--) preambles[int(r, 0, depth)]!.push(decoy(r, false));
  for (let i = int(r, 0, 3); i > 0; i--) body.push(decoy(r, true));
  for (let d = 0; d < depth; d++)
    preambles[d]!.push(pick(r, [`\\input{pre${d + 1}}`, `\\input{pre${d + 1}.tex}`, `\\input pre${d + 1}\n`]));
  const files: Record<string, string> = {
    'main.tex': [
      '\\documentclass{article}',
      '\\usepackage{pith}',
      '\\usepackage{comment}',
      ...shuffle(r, preambles[0]!),
      '\\begin{document}',
      'Hi.',
      ...shuffle(r, body),
      '\\end{document}',
      '',
    ].join('\n'),
    'decoy.tex': `${number(OTHER_BODY)}\n`,
  };
  for (let d = 1; d <= depth; d++) files[`pre${d}.tex`] = `${shuffle(r, preambles[d]!).join('\n')}\n`;
  return { files, expected: numbers.length > 0 && numbers.every((n) => n.good) ? 0 : 1 };
}

/** The case: a \pithnumber inside \iffalse, which neither TeX nor the check reads. */
const IFFALSE: Paper = {
  files: {
    'main.tex': `\\documentclass{article}\n\\usepackage{pith}\n\\pithnumber{${BODY}}\n\\iffalse \\pithnumber{${OTHER_BODY}} \\fi\n\\begin{document}\nHi.\n\\end{document}\n`,
  },
  expected: 0,
};

const lock = lockText();
const sty = renderSty(BODY);

const EXIT = { ok: 0, mismatch: 1, 'nothing-stamped': 2 } as const;

test(
  'the \\iffalse case and 200 generated preambles: `pith-tex check` and latexmk with the hook give one verdict',
  { timeout: 300_000 },
  async (t) => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'pith-parity-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const r = rng(13);
    const papers: [string, Paper][] = [
      ['iffalse', IFFALSE],
      ...Array.from({ length: 200 }, (_, i): [string, Paper] => [`p${i}`, generate(r)]),
    ];
    const verdicts = new Map<string, number>();
    for (const [name, paper] of papers) {
      const dir = path.join(root, name);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'pith.lock.json'), lock);
      writeFileSync(path.join(dir, 'pith.sty'), sty);
      for (const [file, text] of Object.entries(paper.files)) writeFileSync(path.join(dir, file), text);
      const report = await checkPaper(path.join(dir, 'main.tex'));
      const verdict = EXIT[report.status];
      verdicts.set(name, verdict);
      assert.equal(
        verdict,
        paper.expected,
        `${name}: check says ${report.status} (${report.findings.map((f) => f.message).join('; ')})\n${paper.files['main.tex']}`,
      );
    }
    const counts = [0, 1].map((v) => [...verdicts.values()].filter((x) => x === v).length);
    assert.ok(counts[0]! >= 40 && counts[1]! >= 40, `both verdicts are well represented: ${counts}`);
    if (!haveLatexmk) return t.skip('latexmk is not installed: the builds were not run');
    // The builds: the \iffalse case, then the first 10 papers of each verdict.
    const sample = [
      'iffalse',
      ...[0, 1].flatMap((v) =>
        papers
          .filter(([n]) => n !== 'iffalse' && verdicts.get(n) === v)
          .slice(0, 10)
          .map(([n]) => n),
      ),
    ];
    for (const name of sample) {
      const dir = path.join(root, name);
      installHookIn(dir);
      const b = latexmk(dir, ['-pdf']);
      const where = `${name} (check: ${verdicts.get(name)}, latexmk: ${b.code})\n${papers.find(([n]) => n === name)?.[1].files['main.tex']}\n${b.log}`;
      if (verdicts.get(name) === 0) {
        assert.equal(b.code, 0, where);
        assert.match(b.log, /pith-tex hook: main\.tex: pith\.lock\.json, \\pithnumber and pith\.sty agree/, where);
      } else {
        assert.equal(b.code, 12, where);
        assert.match(b.log, /pith-tex hook: the check failed \(above\); this LaTeX run is stopped/, where);
        assert.doesNotMatch(b.log, /Output written on/, where);
      }
    }
  },
);
