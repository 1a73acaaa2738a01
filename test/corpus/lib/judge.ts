// The verdict on one template in one TeX Live generation, from the unstamped and the stamped
// builds (pure: the facts come from lib/pdf.ts and lib/layout.ts).
import type { Expectation } from './expect.js';
import { findPhrase, grow, normalise, overfullChanges, overlapDepth, union, type Box, type LogFacts, type Page, type Word } from './layout.js';
import type { PdfFacts } from './pdf.js';

export interface BuildFacts {
  ok: boolean;
  /** The first TeX error, or why the build gave no PDF. */
  failure: string | null;
  log: LogFacts;
  pdf: PdfFacts | null;
}

/** One column's verdict: "ok" (perhaps with a note: "ok (…)"), or "FAIL …" and what is wrong. */
export type Cell = string;
export interface Row {
  template: string;
  texlive: string;
  placement: Cell;
  overlap: Cell;
  link: Cell;
  warnings: Cell;
  overfull: Cell;
  pages: Cell;
  leaks: Cell;
  pass: boolean;
}
export const COLUMNS = ['placement', 'overlap', 'link', 'warnings', 'overfull', 'pages', 'leaks'] as const;

/** The badge's frame: \fboxsep 1.5pt + \fboxrule 0.4pt around its text. */
const FRAME_PT = 1.9;
/** Slack for rounding in pdftotext's boxes and PDF rectangles. */
const EPS = 0.5;

export function judge(exp: Expectation, texlive: string, body: string, plain: BuildFacts, stamped: BuildFacts): Row {
  const row = (cells: Partial<Record<(typeof COLUMNS)[number], Cell>>, fill: Cell): Row => {
    const r = { template: exp.name, texlive, ...Object.fromEntries(COLUMNS.map((c) => [c, cells[c] ?? fill])) } as Omit<Row, 'pass'>;
    return { ...r, pass: COLUMNS.every((c) => r[c].startsWith('ok')) };
  };
  const known = exp.notOn[texlive];
  if ((!plain.ok || !plain.pdf) && known !== undefined) return row({}, `ok (not built on TeX Live ${texlive}: ${known})`);
  if (!plain.ok || !plain.pdf) return row({ placement: `FAIL unstamped build: ${plain.failure ?? 'no PDF'}` }, 'FAIL (no build)');
  if (!stamped.ok || !stamped.pdf) return row({ placement: `FAIL stamped build: ${stamped.failure ?? 'no PDF'}` }, 'FAIL (no build)');
  const pages = stamped.pdf.pages;
  const key = normalise(body);
  const hits = pages.flatMap((p, i) => p.words.filter((w) => normalise(w.text).includes(key)).map((w) => ({ page: i, word: w })));
  const badge = pickBadge(hits, stamped.pdf, body);
  const cells: Partial<Record<(typeof COLUMNS)[number], Cell>> = {
    pages: pages.length === plain.pdf.pages.length ? 'ok' : `FAIL ${plain.pdf.pages.length} -> ${pages.length}`,
    warnings: warningsCell(plain.log, stamped.log, exp.placement === 'none'),
    overfull: overfullCell(plain.log, stamped.log),
    leaks: leaksCell(hits.filter((h) => h !== badge), pages, stamped.pdf.outlines.filter((t) => normalise(t).includes(key))),
  };
  if (exp.placement === 'none') {
    // A title pith cannot reach: no badge, and the warning that says how to place one.
    return row({ ...cells, placement: badge ? `FAIL a badge on page ${badge.page + 1}, where none was expected` : 'ok' }, 'ok');
  }
  if (!badge) return row({ ...cells, placement: 'FAIL no badge in the PDF' }, 'FAIL no badge');
  cells.placement = placementCell(exp, pages, badge.page, badge.word);
  cells.overlap = overlapCell(pages[badge.page]!, badge.word, key);
  cells.link = linkCell(stamped.pdf, badge.page, badge.word, body);
  return row(cells, 'ok');
}

interface Hit {
  page: number;
  word: Word;
}

/**
 * A link rectangle drawn around the badge's frame covers its text: across the whole width, and
 * over all but 10 % of the height at top and bottom, since pdftotext's word boxes span the font's
 * ascent and descent, taller than the glyphs the frame is drawn around.
 */
function coversText(r: Box, b: Box): boolean {
  const v = 0.1 * (b.yMax - b.yMin) + EPS;
  return r.xMin <= b.xMin + EPS && r.xMax >= b.xMax - EPS && r.yMin <= b.yMin + v && r.yMax >= b.yMax - v;
}

/**
 * Which occurrence of the number is the badge (the others are leaks): the first one a link to the
 * record covers, else the first one outside the running-head zone, else the first.
 */
function pickBadge(hits: Hit[], pdf: PdfFacts, body: string): Hit | undefined {
  const linked = hits.find((h) => pdf.links.some((l) => l.page === h.page && l.uri.includes(body) && coversText(l.rect, h.word)));
  return linked ?? hits.find((h) => h.word.yMin >= HEAD_ZONE * pdf.pages[h.page]!.height) ?? hits[0];
}
/** The top of a page where running heads live (as a fraction of its height). */
const HEAD_ZONE = 0.12;

const fmt = (n: number): string => n.toFixed(1);
const quote = (words: Word[]): string => JSON.stringify(words.map((w) => w.text).join(' ').slice(0, 40));

function placementCell(exp: Expectation, pages: Page[], badgePage: number, badge: Box): Cell {
  const titleLast = exp.titleLast;
  const titlePage = exp.titlePage !== null ? exp.titlePage - 1 : pages.findIndex((p) => titleLast !== null && findPhrase(p, titleLast).length > 0);
  if (titlePage < 0 || titlePage >= pages.length) return `FAIL title ${JSON.stringify(titleLast)} not found`;
  if (badgePage !== titlePage) return `FAIL badge on page ${badgePage + 1}, title on page ${titlePage + 1}`;
  const page = pages[titlePage]!;
  // An empty title (a bare template): judged against the abstract and the first heading only.
  const title = titleLast === null ? [] : findPhrase(page, titleLast);
  if (titleLast !== null && title.length === 0) return `FAIL title ${JSON.stringify(titleLast)} not on page ${titlePage + 1}`;
  const faults: string[] = [];
  if (title.length > 0) {
    const titleBox = union(title);
    if (badge.yMin < titleBox.yMax - EPS) faults.push(`badge (y ${fmt(badge.yMin)}) not below the title's last line (y ${fmt(titleBox.yMax)})`);
    const misaligned = exp.placement === 'title' ? alignment(page, title, badge) : null;
    if (misaligned) faults.push(misaligned);
  }
  if (exp.placement === 'footnote' && badge.yMin < 0.6 * page.height) faults.push(`badge at y ${fmt(badge.yMin)}, not in the footnote area`);
  const after = title.length === 0 ? 0 : page.words.indexOf(title[title.length - 1]!) + 1;
  for (const [what, phrase] of [['abstract', exp.abstract], ['first heading', exp.heading]] as const) {
    if (phrase === null || exp.placement === 'footnote') continue;
    const found = findPhrase(page, phrase, after);
    if (found.length === 0) {
      // Not after the title on its page: it must then be on a later page (the badge is above it).
      if (!pages.slice(titlePage + 1).some((p) => findPhrase(p, phrase).length > 0)) faults.push(`${what} ${JSON.stringify(phrase)} not found after the title (expect.json)`);
      continue;
    }
    const box = union(found);
    if (badge.yMax > box.yMin + EPS) faults.push(`badge (y ${fmt(badge.yMin)}) below the ${what} ${quote(found)} (y ${fmt(box.yMin)})`);
  }
  return faults.length === 0 ? 'ok' : `FAIL ${faults.join('; ')}`;
}

/**
 * Under a flush-left title the badge is flush left too (a centred badge under a flush-left title
 * block is the AIP/nature failure). Centred titles are not judged: the badge may be centred on the
 * page or, in two-column classes that set it after the title, on the first column.
 */
function alignment(page: Page, title: Word[], badge: Box): Cell | null {
  const last = title[title.length - 1]!;
  const line = union(page.words.filter((w) => w.line === last.line));
  // The text block: words of lines with at least three words (margin line numbers are single words).
  const counts = new Map<number, number>();
  for (const w of page.words) counts.set(w.line, (counts.get(w.line) ?? 0) + 1);
  const block = union(page.words.filter((w) => (counts.get(w.line) ?? 0) >= 3));
  const slack = 0.02 * page.width;
  const centre = (b: Box): number => (b.xMin + b.xMax) / 2;
  const flushLeft = Math.abs(centre(line) - centre(block)) > slack && line.xMin <= block.xMin + slack;
  if (!flushLeft || Math.abs(badge.xMin - line.xMin) <= 3) return null;
  return `badge at x ${fmt(badge.xMin)} under a flush-left title (x ${fmt(line.xMin)})`;
}

function overlapCell(page: Page, badge: Word, key: string): Cell {
  const frame = grow(badge, FRAME_PT);
  const hit = page.words
    .filter((w) => w !== badge && !normalise(w.text).includes(key))
    .map((w) => ({ w, d: overlapDepth(frame, w) }))
    .filter((x) => x.d > 0.05)
    .sort((a, b) => b.d - a.d);
  if (hit.length === 0) return 'ok';
  return `FAIL frame overlaps ${quote(hit.slice(0, 3).map((x) => x.w))} by ${fmt(hit[0]!.d)} pt`;
}

function linkCell(pdf: PdfFacts, page: number, badge: Box, body: string): Cell {
  const links = pdf.links.filter((l) => l.uri.includes(body));
  if (links.length === 0) return 'FAIL no link to the record';
  const here = links.filter((l) => l.page === page);
  if (here.length === 0) return `FAIL link on page ${links[0]!.page + 1}, badge on ${page + 1}`;
  if (here.some((l) => coversText(l.rect, badge))) return 'ok';
  const r = here[0]!.rect;
  return `FAIL link rect [${[r.xMin, r.yMin, r.xMax, r.yMax].map(fmt).join(' ')}] misses the badge [${[badge.xMin, badge.yMin, badge.xMax, badge.yMax].map(fmt).join(' ')}]`;
}

/**
 * New warnings (and TeX errors) fail; warnings that vanished are noted but pass: a badge's line
 * reflows the text, so layout warnings (column balance, float specifiers) may go away. With
 * placement "none", pith's own "badge was not printed" warning is the one expected addition.
 */
function warningsCell(plain: LogFacts, stamped: LogFacts, expectNotPrinted: boolean): Cell {
  let added = [...stamped.warnings].filter((w) => !plain.warnings.has(w));
  const gone = [...plain.warnings].filter((w) => !stamped.warnings.has(w));
  const errors = stamped.errors.filter((e) => !plain.errors.includes(e));
  if (expectNotPrinted) {
    const notPrinted = added.filter((w) => /^Package pith Warning: .*not printed/.test(w));
    if (notPrinted.length === 0) return 'FAIL no pith warning that the badge was not printed';
    added = added.filter((w) => !notPrinted.includes(w));
  }
  const cut = (p: string): string => p.slice(0, 90);
  if (added.length + errors.length > 0) {
    return `FAIL ${[...errors.map((e) => `+! ${e}`), ...added.map((w) => `+${w}`), ...gone.map((w) => `-${w}`)].map(cut).join(' | ')}`;
  }
  return gone.length === 0 ? 'ok' : `ok (vanished: ${gone.map(cut).join(' | ')})`;
}

function overfullCell(plain: LogFacts, stamped: LogFacts): Cell {
  const changes = overfullChanges(plain.overfull, stamped.overfull);
  if (changes.length === 0) return 'ok';
  return `FAIL ${changes.map((c) => (c.before === null ? `new ${fmt(c.after)}pt` : `${fmt(c.before)}->${fmt(c.after)}pt`) + ` ${JSON.stringify(c.key.slice(0, 40))}`).join(' | ')}`;
}

function leaksCell(extra: Hit[], pages: Page[], outlines: string[]): Cell {
  const where = extra.map(({ page, word }) => {
    const h = pages[page]!.height;
    const zone = word.yMin < HEAD_ZONE * h ? 'running head' : word.yMin > 0.88 * h ? 'foot' : 'text';
    return `page ${page + 1} ${zone} (y ${fmt(word.yMin)})`;
  });
  if (outlines.length > 0) where.push(`outline ${JSON.stringify(outlines[0]!.slice(0, 40))}`);
  return where.length === 0 ? 'ok' : `FAIL also in ${where.join(', ')}`;
}
