// Where pith.sty puts the badge on title mechanisms that once went wrong (issue 11), judged by
// geometry read back from the PDF: pdftotext -bbox-layout for the text boxes, the link
// annotation's /Rect (pdf-lib), the log for warnings and overfull boxes. Each fixture in
// test/fixtures/tex/placement/ is built twice with pdfLaTeX: with pith (its %PITH lines) and
// without. Criteria: the badge is on the title page, below the title's last line, above the
// abstract and the first section heading, clear of every other text box, covered by its link;
// same page count and warnings as without pith, no overfull box new or grown by more than 1 pt;
// the badge nowhere else (running heads, outlines). Where the title block is flush left, so is
// the badge. (No title at all: test/badge-marker.test.ts.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFString, PDFHexString } from 'pdf-lib';
import { repoRoot, fixture } from '../helpers.js';
import { compile, type CompileResult } from '../../src/io/tex.js';
import { SEED } from '../support/seed.js';
import { limiter } from '../support/slots.js';

const BODY = SEED.body;
const RECORD = `https://pith.science/pith/${BODY}`;
const packageSource = fs.readFileSync(path.join(repoRoot, 'tex', 'pith.sty'), 'utf8');

interface Case {
  name: string;
  /** The badge's left edge follows the title's (flush-left title blocks); else it is centred on the title. */
  align: 'left' | 'centre' | 'any';
}
const CASES: Case[] = [
  { name: 'ieee-compsoc-journal', align: 'centre' },
  { name: 'ieee-compsoc-journal-peerreview', align: 'centre' },
  { name: 'ieee-transmag', align: 'centre' },
  { name: 'ieee-peerreview', align: 'centre' },
  { name: 'ieee-peerreviewca', align: 'centre' },
  { name: 'ieee-compsoc-conference-peerreview', align: 'centre' },
  { name: 'apa7-jou', align: 'centre' },
  { name: 'quantumarticle', align: 'left' },
  { name: 'kluwer', align: 'left' },
  { name: 'jmlr-pmlr', align: 'any' },
  { name: 'aastex631-frontmatter', align: 'centre' },
  { name: 'revtex-aip', align: 'left' },
  { name: 'nature', align: 'left' },
  { name: 'koma-uni-titlepage', align: 'centre' },
];

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pith-tex-placement-'));
after(() => {
  if (!process.env.PITH_TEX_KEEP_TMP) fs.rmSync(tmpRoot, { recursive: true, force: true });
});

// Two latexmk runs at a time at most.
const slot = limiter(2);
interface Build {
  dir: string;
  result: CompileResult;
}
function build(name: string, withPith: boolean): Promise<Build> {
  const dir = path.join(tmpRoot, `${name}-${withPith ? 'pith' : 'base'}`);
  fs.mkdirSync(dir);
  let src = fs.readFileSync(fixture('tex', 'placement', `${name}.tex`), 'utf8');
  if (withPith) fs.writeFileSync(path.join(dir, 'pith.sty'), packageSource);
  else src = src.replace(/^.*%PITH\n/gm, '');
  fs.writeFileSync(path.join(dir, 'main.tex'), src);
  const p = slot(async () => ({ dir, result: await compile({ dir, main: 'main.tex', engine: 'pdf' }) }));
  p.catch(() => undefined);
  return p;
}
const builds = new Map<string, { base: Promise<Build>; pith: Promise<Build> }>();
const only = process.env.PITH_TEX_PLACEMENT?.split(',');
for (const c of CASES.map((c) => c.name)) {
  if (!only || only.includes(c)) builds.set(c, { base: build(c, false), pith: build(c, true) });
}

function failMessage(b: Build): string {
  const err = b.result.log.split('\n').filter((l) => /^!|^\.\/main\.tex:\d+:/.test(l));
  return `latexmk exit ${b.result.exitCode} in ${b.dir}\n${err.slice(0, 8).join('\n')}`;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
interface Word extends Box {
  t: string;
}
interface Line extends Box {
  t: string;
  words: Word[];
}
function pageLines(pdf: string, page: number): Line[] {
  const xml = execFileSync('pdftotext', ['-bbox-layout', '-f', String(page), '-l', String(page), pdf, '-'], { encoding: 'utf8' });
  const num = (s: string | undefined): number => Number(s);
  const lines: Line[] = [];
  for (const lm of xml.matchAll(/<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([\s\S]*?)<\/line>/g)) {
    const words = [...(lm[5] ?? '').matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map(
      (w) => ({
        x0: num(w[1]),
        y0: num(w[2]),
        x1: num(w[3]),
        y1: num(w[4]),
        t: w[5] ?? '',
      }),
    );
    lines.push({ x0: num(lm[1]), y0: num(lm[2]), x1: num(lm[3]), y1: num(lm[4]), t: words.map((w) => w.t).join(' '), words });
  }
  return lines;
}
function pdfText(pdf: string, page?: number): string {
  const range = page === undefined ? [] : ['-f', String(page), '-l', String(page)];
  return execFileSync('pdftotext', [...range, pdf, '-'], { encoding: 'utf8' });
}
async function pdfFacts(pdf: string): Promise<{ pages: number; links: (Box & { page: number; uri: string })[]; outline: string[] }> {
  const doc = await PDFDocument.load(fs.readFileSync(pdf), { updateMetadata: false });
  const links: (Box & { page: number; uri: string })[] = [];
  doc.getPages().forEach((p, i) => {
    const annots = p.node.lookup(PDFName.of('Annots'));
    if (!(annots instanceof PDFArray)) return;
    for (let k = 0; k < annots.size(); k++) {
      const a = annots.lookup(k);
      if (!(a instanceof PDFDict)) continue;
      const action = a.lookup(PDFName.of('A'));
      const uri = action instanceof PDFDict ? action.lookup(PDFName.of('URI')) : undefined;
      const rect = a.lookup(PDFName.of('Rect'));
      if (!(uri instanceof PDFString || uri instanceof PDFHexString) || !(rect instanceof PDFArray)) continue;
      const r = rect.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : 0));
      const [ax = 0, ay = 0, bx = 0, by = 0] = r;
      const h = p.getHeight();
      links.push({
        page: i + 1,
        uri: uri.decodeText(),
        x0: Math.min(ax, bx),
        x1: Math.max(ax, bx),
        y0: h - Math.max(ay, by),
        y1: h - Math.min(ay, by),
      });
    }
  });
  const outline: string[] = [];
  const walk = (item: unknown): void => {
    for (let it = item; it instanceof PDFDict; it = it.lookup(PDFName.of('Next'))) {
      const t = it.lookup(PDFName.of('Title'));
      if (t instanceof PDFString || t instanceof PDFHexString) outline.push(t.decodeText());
      walk(it.lookup(PDFName.of('First')));
    }
  };
  const root = doc.catalog.lookup(PDFName.of('Outlines'));
  if (root instanceof PDFDict) walk(root.lookup(PDFName.of('First')));
  return { pages: doc.getPageCount(), links, outline };
}

/** LaTeX/package/class warnings (first line, line numbers dropped) and overfull box amounts. */
function logFacts(log: string): { warnings: Set<string>; overfull: number[] } {
  const warnings = new Set<string>();
  for (const m of log.matchAll(/^(?:LaTeX|Package|Class) (?:\S+ )?Warning: [^\n]*/gm)) {
    warnings.add(
      m[0]
        .replace(/ on input line \d+\.?/, '')
        .replace(/\d+/g, 'N')
        .trim(),
    );
  }
  const overfull = [...log.matchAll(/^Overfull \\[hv]box \(([\d.]+)pt too/gm)].map((m) => Number(m[1]));
  return { warnings, overfull };
}

const union = (ws: Box[]): Box => ({
  x0: Math.min(...ws.map((w) => w.x0)),
  y0: Math.min(...ws.map((w) => w.y0)),
  x1: Math.max(...ws.map((w) => w.x1)),
  y1: Math.max(...ws.map((w) => w.y1)),
});
/** The frame around the text (\fboxsep 1.5pt + \fboxrule 0.4pt) and a clear gap of 0.5pt. */
const FRAME = 2.4;

for (const c of CASES.filter((c) => builds.has(c.name))) {
  test(`${c.name}: badge under the title, above the abstract and the first heading, clear of the text`, async () => {
    const b = builds.get(c.name)!;
    const [base, pith] = [await b.base, await b.pith];
    assert.ok(base.result.ok, failMessage(base));
    assert.ok(pith.result.ok, failMessage(pith));
    const pdf = pith.result.pdfPath;

    const all = pdfText(pdf);
    assert.equal(all.split('pith:').length - 1, 1, `the badge appears once (no running head, no reference block) in ${pith.dir}`);
    // The page carrying the title (uni-titlepage's main title page follows a half-title).
    const facts = await pdfFacts(pdf);
    let page = 1;
    while (page < facts.pages && !/Scaling/.test(pdfText(pdf, page))) page++;
    const lines = pageLines(pdf, page);
    const badgeWords = lines.flatMap((l) => l.words).filter((w) => w.t.includes(BODY));
    assert.ok(badgeWords.length > 0, `the badge is on the title page (${page}) in ${pith.dir}:\n${pdfText(pdf, page)}`);
    const badge = union(badgeWords);

    const titleLine = lines.filter((l) => /Scaling/.test(l.t)).sort((p, q) => q.y1 - p.y1)[0];
    assert.ok(titleLine, `title on page 1 in ${pith.dir}`);
    assert.ok(titleLine.y1 <= badge.y0, `badge (top ${badge.y0}) below the title's last line (bottom ${titleLine.y1}) in ${pith.dir}`);
    const below = (re: RegExp): Line[] => lines.filter((l) => re.test(l.t) && l.y0 > titleLine.y1);
    for (const [what, re] of [
      ['the abstract', /We study sparse|^Abstract/i],
      ['the first heading', /I\s?NTRODUCTION|Introduction/],
    ] as const) {
      for (const l of below(re))
        assert.ok(badge.y1 <= l.y0, `badge (bottom ${badge.y1}) above ${what} (“${l.t}”, top ${l.y0}) in ${pith.dir}`);
    }
    const overlaps = lines
      .flatMap((l) => l.words)
      .filter((w) => !badgeWords.includes(w))
      .filter((w) => w.x0 < badge.x1 + FRAME && w.x1 > badge.x0 - FRAME && w.y0 < badge.y1 + FRAME && w.y1 > badge.y0 - FRAME);
    assert.deepEqual(
      overlaps.map((w) => w.t),
      [],
      `nothing within the badge's frame in ${pith.dir}`,
    );

    const link = facts.links.find((l) => l.page === page && l.uri === RECORD);
    assert.ok(link, `a link to the record on the title page in ${pith.dir}`);
    assert.ok(
      link.x0 <= badge.x0 + 0.5 && link.x1 >= badge.x1 - 0.5 && link.y0 <= badge.y0 + 0.5 && link.y1 >= badge.y1 - 0.5,
      `the link ${JSON.stringify(link)} covers the badge ${JSON.stringify(badge)} in ${pith.dir}`,
    );
    assert.ok(!facts.outline.some((t) => t.includes('pith')), `no badge in the outlines: ${facts.outline.join(' | ')}`);

    if (c.align === 'left')
      assert.ok(Math.abs(badge.x0 - titleLine.x0) <= 3, `badge flush left with the title (${badge.x0} vs ${titleLine.x0}) in ${pith.dir}`);
    if (c.align === 'centre') {
      const mid = (x: Box): number => (x.x0 + x.x1) / 2;
      assert.ok(
        Math.abs(mid(badge) - mid(titleLine)) <= 3,
        `badge centred on the title (${mid(badge)} vs ${mid(titleLine)}) in ${pith.dir}`,
      );
    }

    const baseFacts = await pdfFacts(base.result.pdfPath);
    assert.equal(facts.pages, baseFacts.pages, `same page count as without pith in ${pith.dir}`);
    const [lb, lp] = [logFacts(base.result.log), logFacts(pith.result.log)];
    assert.deepEqual([...lp.warnings].sort(), [...lb.warnings].sort(), `same warnings as without pith in ${pith.dir}`);
    const left = [...lb.overfull].sort((x, y) => y - x);
    for (const amount of [...lp.overfull].sort((x, y) => y - x)) {
      const i = left.findIndex((a) => amount <= a + 1);
      assert.ok(
        i >= 0,
        `overfull box of ${amount}pt is new or grew by more than 1pt (without pith: ${lb.overfull.join(', ') || 'none'}) in ${pith.dir}`,
      );
      left.splice(i, 1);
    }
  });
}
