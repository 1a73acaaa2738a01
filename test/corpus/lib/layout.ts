// Pure readers of what a build left: `pdftotext -bbox-layout` pages (words with their boxes, y
// growing downwards from the page's top) and the LaTeX log (warnings, overfull boxes).

export interface Box {
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}
export interface Word extends Box {
  text: string;
  /** Index of the word's line on its page (words of one pdftotext line share it). */
  line: number;
}
export interface Page {
  width: number;
  height: number;
  words: Word[];
}

const num = (attrs: string, key: string): number => {
  const m = new RegExp(`${key}="([-0-9.]+)"`).exec(attrs);
  if (!m?.[1]) throw new Error(`pdftotext -bbox-layout: no ${key} in <${attrs}>`);
  return Number(m[1]);
};

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescape = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return ENTITIES[e] ?? m;
  });

/** The pages of a `pdftotext -bbox-layout` XHTML document, words in reading order. */
export function parseBboxLayout(xhtml: string): Page[] {
  const pages: Page[] = [];
  const tag = /<(page|line|word)\b([^>]*)>|<\/word>/g;
  let page: Page | undefined;
  let line = -1;
  let word: (Box & { start: number }) | undefined;
  for (let m = tag.exec(xhtml); m; m = tag.exec(xhtml)) {
    const [all, name, attrs = ''] = m;
    if (name === 'page') {
      page = { width: num(attrs, 'width'), height: num(attrs, 'height'), words: [] };
      pages.push(page);
      line = -1;
    } else if (name === 'line') {
      line++;
    } else if (name === 'word') {
      word = { xMin: num(attrs, 'xMin'), yMin: num(attrs, 'yMin'), xMax: num(attrs, 'xMax'), yMax: num(attrs, 'yMax'), start: m.index + all.length };
    } else if (word && page) {
      const { start, ...box } = word;
      page.words.push({ ...box, text: unescape(xhtml.slice(start, m.index)), line });
      word = undefined;
    }
  }
  return pages;
}

/** Lower case, compatibility forms (ligatures) spelt out, dashes and quotes plain. */
export const normalise = (s: string): string =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();

/**
 * The words of the first occurrence of `phrase` on `page` from word `fromWord` on, compared
 * normalised and without spaces (small capitals and letter-spaced logos split words in pdftotext:
 * "I NTRODUCTION", "L A TEX"); a phrase may start or end inside a word. Empty when absent.
 */
export function findPhrase(page: Page, phrase: string, fromWord = 0): Word[] {
  const want = normalise(phrase).replace(/ /g, '');
  if (want === '') return [];
  let text = '';
  const owner: number[] = [];
  page.words.forEach((w, i) => {
    if (i < fromWord) return;
    const t = normalise(w.text).replace(/ /g, '');
    text += t;
    for (let k = 0; k < t.length; k++) owner.push(i);
  });
  const at = text.indexOf(want);
  if (at < 0) return [];
  return page.words.slice(owner[at]!, owner[at + want.length - 1]! + 1);
}

export const union = (boxes: Box[]): Box => ({
  xMin: Math.min(...boxes.map((b) => b.xMin)),
  yMin: Math.min(...boxes.map((b) => b.yMin)),
  xMax: Math.max(...boxes.map((b) => b.xMax)),
  yMax: Math.max(...boxes.map((b) => b.yMax)),
});

export const grow = (b: Box, d: number): Box => ({ xMin: b.xMin - d, yMin: b.yMin - d, xMax: b.xMax + d, yMax: b.yMax + d });

/** How far two boxes overlap, as the smaller of the overlap's width and height (0 when apart). */
export function overlapDepth(a: Box, b: Box): number {
  const w = Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin);
  const h = Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin);
  return w > 0 && h > 0 ? Math.min(w, h) : 0;
}

// ------------------------------------------------------------------ the log

export interface Overfull {
  /** "hbox" or "vbox". */
  kind: string;
  pt: number;
  /** The box's text as the log shows it (the line after the message), line numbers removed. */
  key: string;
}
export interface LogFacts {
  /** Each warning once, line numbers removed, continuation lines joined. */
  warnings: Set<string>;
  overfull: Overfull[];
  /** TeX errors ("! ..." lines). */
  errors: string[];
}

const WARNING = /^(?:LaTeX|Package|Class|pdfTeX|LaTeX Font|Module)\b.*Warning/;
const stripLines = (s: string): string =>
  s
    .replace(/\bon input line \d+/g, 'on input line N')
    .replace(/\bat lines? \d+(--\d+)?/g, 'at line N')
    .replace(/\binput line \d+/g, 'input line N')
    // Where an undefined reference or citation sits moves when a badge's line reflows the text.
    .replace(/\bon page \d+ undefined/g, 'on page N undefined')
    .replace(/\s+/g, ' ')
    .trim();

/** Warnings, overfull boxes and errors of a TeX .log (written with max_print_line=1000). */
export function readLog(log: string): LogFacts {
  const lines = log.split(/\r?\n/);
  const warnings = new Set<string>();
  const overfull: Overfull[] = [];
  const errors: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('! ')) errors.push(line.slice(2).trim());
    if (WARNING.test(line)) {
      let text = line;
      // Continuation lines: "(pkg)   more" after \MessageBreak (the log is written unwrapped).
      while (i + 1 < lines.length && /^\([\w@.-]+\)\s/.test(lines[i + 1]!)) text += ' ' + lines[++i]!.replace(/^\([\w@.-]+\)\s+/, '');
      warnings.add(stripLines(text));
    }
    const o = /^Overfull \\([hv]box) \(([0-9.]+)pt too (?:wide|high)\)/.exec(line);
    if (o?.[1] && o[2]) {
      const context = line.slice(o[0].length).replace(/\d+/g, 'N').trim();
      const shown = lines[i + 1] ?? '';
      overfull.push({ kind: o[1], pt: Number(o[2]), key: `${context} ${stripLines(shown)}`.trim() });
    }
  }
  return { warnings, overfull, errors };
}

export interface OverfullChange {
  key: string;
  before: number | null;
  after: number;
}

/** Overfull boxes of `after` that are new, or grew by more than `tolerancePt` over `before`. */
export function overfullChanges(before: Overfull[], after: Overfull[], tolerancePt = 1): OverfullChange[] {
  const left = [...before];
  const changes: OverfullChange[] = [];
  for (const a of after) {
    const i = left.findIndex((b) => b.kind === a.kind && b.key === a.key);
    if (i < 0) {
      changes.push({ key: a.key, before: null, after: a.pt });
      continue;
    }
    const b = left.splice(i, 1)[0]!;
    if (a.pt - b.pt > tolerancePt) changes.push({ key: a.key, before: b.pt, after: a.pt });
  }
  return changes;
}
