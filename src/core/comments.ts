// `%` comments in a TeX source: found (for the arXiv checklist's warning) and removed (for
// `arxiv --pack --strip-comments`), as arxiv_latex_cleaner does, without changing what TeX reads.
//
// A comment is an unescaped `%` to the end of its line, outside verbatim-like environments,
// `\verb` and `\url`/`\href`/`\path` arguments (where `%` is a character). Removing one keeps
// the `%` itself when code precedes it on the line (`word%` joins lines: the `%` must stay), and
// drops the whole line when only spaces precede it (TeX skips a line's leading spaces, and the
// `%` eats the line end, so such a line contributes nothing). Pure functions.
import { VERBATIM_ENVS } from './tex-mask.js';

export interface Comment {
  /** Index of the `%`. */
  start: number;
  /** Index of the line end (or the text's length). */
  end: number;
  /** 1-based line number. */
  line: number;
  /** Only spaces and tabs before the `%` on its line. */
  wholeLine: boolean;
}

const TOKEN = /\\(?:([a-zA-Z]+)|[^a-zA-Z])|%|\n/g;

function lineEnd(text: string, from: number): number {
  const n = text.indexOf('\n', from);
  return n < 0 ? text.length : n > 0 && text[n - 1] === '\r' ? n - 1 : n;
}

/** Where the argument of `\verb`, a verbatim environment or a URL command ends (the scan resumes there). */
function skipVerbatim(text: string, word: string, at: number): number | null {
  if (word === 'verb') {
    const j = text[at] === '*' ? at + 1 : at;
    const delim = text[j];
    if (delim === undefined || /\s/.test(delim)) return null;
    const end = text.indexOf(delim, j + 1);
    return end < 0 ? lineEnd(text, j) : Math.min(end + 1, lineEnd(text, j + 1) + 1);
  }
  if (word === 'url' || word === 'href' || word === 'path') {
    const m = /^\s*\{[^{}\n]*\}/.exec(text.slice(at, at + 4096));
    return m ? at + m[0].length : null;
  }
  if (word === 'begin') {
    const env = /^\s*\{([^{}\r\n]*)\}/.exec(text.slice(at, at + 64));
    const name = env?.[1]?.trim();
    if (!env || name === undefined || !VERBATIM_ENVS.has(name) || name === 'comment') return null;
    const close = text.indexOf(`\\end{${name}}`, at + env[0].length);
    return close < 0 ? text.length : close;
  }
  return null;
}

/** Every comment of `text`, in order. */
export function findComments(text: string): Comment[] {
  const out: Comment[] = [];
  const re = new RegExp(TOKEN.source, 'g');
  let line = 1;
  let lineStart = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0] === '\n') {
      line++;
      lineStart = m.index + 1;
    } else if (m[0] === '%') {
      const end = lineEnd(text, m.index);
      out.push({ start: m.index, end, line, wholeLine: /^[ \t]*$/.test(text.slice(lineStart, m.index)) });
      re.lastIndex = end;
    } else if (m[1] !== undefined) {
      const resume = skipVerbatim(text, m[1], re.lastIndex);
      if (resume === null) continue;
      // Count the line ends skipped over.
      for (let n = text.indexOf('\n', re.lastIndex); n >= 0 && n < resume; n = text.indexOf('\n', n + 1)) {
        line++;
        lineStart = n + 1;
      }
      re.lastIndex = resume;
    }
  }
  return out;
}

/** Comments that hold text (not a bare `%` or `%%%%` line-joiner or separator). */
export function textComments(text: string): Comment[] {
  return findComments(text).filter((c) => /[\p{L}\p{N}]/u.test(text.slice(c.start + 1, c.end)));
}

/**
 * The text with every comment's text removed: a whole-line comment's line goes (with its line
 * end), an end-of-line comment keeps its `%`. Everything else is kept byte for byte.
 */
export function stripComments(text: string): string {
  let out = '';
  let pos = 0;
  for (const c of findComments(text)) {
    if (c.wholeLine) {
      const lineStart = Math.max(text.lastIndexOf('\n', c.start - 1) + 1, 0);
      const next = text.indexOf('\n', c.end);
      out += text.slice(pos, lineStart);
      pos = next < 0 ? text.length : next + 1;
    } else {
      out += text.slice(pos, c.start + 1);
      pos = c.end;
    }
  }
  return out + text.slice(pos);
}

/** A line of the author's text as shown in a message: control characters escaped, at most 80 characters. */
export function shownLine(line: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = line.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`);
  return escaped.length > 80 ? `${escaped.slice(0, 79)}…` : escaped;
}

/** How many comment lines with text the arXiv checklist shows. */
const SHOWN_COMMENTS = 3;

/**
 * The arXiv checklist's `comments` item over the .tex files the paper reads: a warning (never a
 * failure) when comments hold text, with the count and the first few, since arXiv publishes the
 * source as uploaded. `fix` is the command that packs without them.
 */
export function commentItem(
  texts: readonly { file: string; text: string }[],
  fix: string,
): { id: string; status: 'pass' | 'warn'; detail: string; fix?: string } {
  const found = texts.flatMap(({ file, text }) => textComments(text).map((c) => ({ file, c, text })));
  if (found.length === 0) return { id: 'comments', status: 'pass', detail: 'no % comments with text in the sources' };
  const first = found.slice(0, SHOWN_COMMENTS).map(({ file, c, text }) => `${file}:${c.line}: ${shownLine(text.slice(c.start, c.end))}`);
  const more = found.length > SHOWN_COMMENTS ? `; …` : '';
  return {
    id: 'comments',
    status: 'warn',
    detail: `${found.length} % comment${found.length === 1 ? '' : 's'} with text will be public on arXiv (anyone can download the source): ${first.join('; ')}${more}`,
    fix,
  };
}
