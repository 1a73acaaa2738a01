// What TeX reads as code in a LaTeX source.
//
// "Code" means text TeX would read as commands: not inside a `%` comment, an `\iffalse ... \fi`
// block (up to its `\else`), a verbatim-like environment or `\verb`. One linear pass finds the
// non-code ranges; a masked copy (non-code replaced by spaces, line breaks kept, same length) of
// any stretch of the text is made from them, so every position found in it maps 1:1 onto the
// original. A large paper is never masked whole to be searched: only its preamble, and small
// windows where a searched command starts (codeMatches).

/** Environments whose content TeX does not read as commands. */
export const VERBATIM_ENVS = new Set([
  'verbatim',
  'verbatim*',
  'Verbatim',
  'Verbatim*',
  'BVerbatim',
  'LVerbatim',
  'comment',
  'lstlisting',
  'minted',
  'filecontents',
  'filecontents*',
  'alltt',
  'spverbatim',
]);

/**
 * Macros whose names start with `if` but that are not TeX conditionals (no matching `\fi`):
 * ifthen's `\ifthenelse`, etoolbox's `\ifdef...`/`\ifcs...`/`\ifstr...`/... tests. TeX's own
 * conditionals (`\ifdefined`, `\ifcsname`, `\ifnum`, `\ifdim`, ...) and `\newif` ones count.
 */
const NOT_CONDITIONAL =
  /^if(?:thenelse|boolexp[re]|(?:def|undef|cs|csundef|str|blank|bool|toggle|ltx|rmnum|inlist|patchable)[a-zA-Z]*|(?:num|dim)(?:comp|equal|greater|less|odd|zero)[a-zA-Z]*)$/;
const PRIMITIVE_IF = new Set(['ifdefined', 'ifcsname']);

/** Does `\NAME` (NAME starting with `if`) open a conditional that a `\fi` closes? */
export function isConditional(name: string): boolean {
  return name.startsWith('if') && (PRIMITIVE_IF.has(name) || !NOT_CONDITIONAL.test(name));
}

/** The rest of a line (sticky: from lastIndex). */
const REST_OF_LINE = /[^\r\n]*/y;

/** Where the line holding text[i] ends (its line break, or the end of the text). */
export function lineEndFrom(text: string, i: number): number {
  if (i >= text.length) return text.length;
  REST_OF_LINE.lastIndex = i;
  REST_OF_LINE.test(text);
  return REST_OF_LINE.lastIndex;
}

/** The non-code stretches of a text: [start, end) pairs, flat, sorted and disjoint. */
export type NonCode = readonly number[];

/** A control word's letters (sticky: from lastIndex). */
const LETTERS = /[a-zA-Z]*/y;
/** The names that open non-code, and those that matter inside a skipped `\iffalse` branch (sticky). */
const OPENING_WORD = /(?:iffalse|verb|begin)(?![a-zA-Z])/y;
const SKIPPED_WORD = /(?:fi|else|if[a-zA-Z]*)(?![a-zA-Z])/y;

/** `\verb`'s argument after its name ends at j: [from, to) (to its delimiter or the line's end), or null for none. */
function verbArgument(text: string, j: number): { from: number; to: number } | null {
  let k = j;
  if (text[k] === '*') k++;
  const delim = text[k];
  if (delim === undefined || delim === '\n' || delim === '\r' || delim === ' ') return null;
  let end = text.indexOf(delim, k + 1);
  const eol = lineEndFrom(text, k + 1);
  if (end < 0 || end > eol) end = eol;
  return { from: k + 1, to: end };
}

/** `{name}` after `\begin` (sticky), within 64 characters of it. */
const BEGIN_ARGUMENT = /\s*\{([^{}\r\n]*)\}/y;

/** The verbatim-like environment `\begin` opens, its name ending at j: its name and where `{name}` ends, or null. */
function verbatimEnvAt(text: string, j: number): { name: string; end: number } | null {
  BEGIN_ARGUMENT.lastIndex = j;
  const m = BEGIN_ARGUMENT.exec(text);
  if (m === null || BEGIN_ARGUMENT.lastIndex - j > 64) return null;
  const name = (m[1] as string).trim();
  return VERBATIM_ENVS.has(name) ? { name, end: BEGIN_ARGUMENT.lastIndex } : null;
}

/**
 * The non-code ranges (comments, `\iffalse` branches, verbatim-like environments, `\verb`
 * arguments). One pass from `%` to `\` (indexOf), a command's name matched in place against
 * the few that matter.
 */
export function nonCodeRanges(text: string): NonCode {
  const ranges: number[] = [];
  const n = text.length;
  let skipDepth = 0;
  let skipStart = 0;
  let nextPercent = text.indexOf('%');
  let nextSlash = text.indexOf('\\');
  let i = 0;
  for (;;) {
    if (nextPercent >= 0 && nextPercent < i) nextPercent = text.indexOf('%', i);
    if (nextSlash >= 0 && nextSlash < i) nextSlash = text.indexOf('\\', i);
    if (nextPercent < 0 && nextSlash < 0) break;
    if (nextPercent >= 0 && (nextSlash < 0 || nextPercent < nextSlash)) {
      const eol = lineEndFrom(text, nextPercent);
      if (skipDepth === 0) ranges.push(nextPercent, eol);
      i = eol;
      continue;
    }
    const at = nextSlash;
    LETTERS.lastIndex = at + 1;
    LETTERS.test(text);
    const j = LETTERS.lastIndex;
    if (j === at + 1) {
      i = at + 2; // a control symbol: \% \\ \{ ...
      continue;
    }
    i = j;
    // Only a few names matter; they are matched in place (a sticky pattern at the name), so the
    // tens of thousands of other control words in a large paper cost no copy (stamp's memory).
    const pattern = skipDepth > 0 ? SKIPPED_WORD : OPENING_WORD;
    pattern.lastIndex = at + 1;
    if (!pattern.test(text) || pattern.lastIndex !== j) continue;
    const word = text.slice(at + 1, j);
    if (skipDepth > 0) {
      if (word === 'fi') {
        skipDepth--;
        if (skipDepth === 0) ranges.push(skipStart, at);
      } else if (word === 'else' && skipDepth === 1) {
        ranges.push(skipStart, at);
        skipDepth = 0;
      } else if (isConditional(word)) {
        skipDepth++;
      }
      continue;
    }
    if (word === 'iffalse') {
      skipDepth = 1;
      skipStart = j;
    } else if (word === 'verb') {
      const verb = verbArgument(text, j);
      if (verb === null) continue;
      ranges.push(verb.from, verb.to);
      i = Math.min(verb.to + 1, n);
    } else {
      const env = verbatimEnvAt(text, j);
      if (env === null) continue;
      const endTag = text.indexOf(`\\end{${env.name}}`, env.end);
      const to = endTag < 0 ? n : endTag;
      ranges.push(env.end, to);
      i = to;
    }
  }
  if (skipDepth > 0) ranges.push(skipStart, n);
  return ranges;
}

/** Index (even) of the first range that ends after `pos`; ranges.length when none does. */
function firstRangeEndingAfter(ranges: NonCode, pos: number): number {
  let lo = 0;
  let hi = ranges.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ranges[2 * mid + 1] as number) > pos) hi = mid;
    else lo = mid + 1;
  }
  return 2 * lo;
}

/** Is the character at `pos` outside every non-code range? */
export function isCode(ranges: NonCode, pos: number): boolean {
  const k = firstRangeEndingAfter(ranges, pos);
  return k >= ranges.length || (ranges[k] as number) > pos;
}

const blank = (s: string): string => s.replace(/[^\r\n]/g, ' ');

/** The masked copy of text[from, to): non-code characters become spaces, line breaks stay. */
export function maskedSlice(text: string, ranges: NonCode, from = 0, to = text.length): string {
  let k = firstRangeEndingAfter(ranges, from);
  if (k >= ranges.length || (ranges[k] as number) >= to) return text.slice(from, to);
  if (to - from <= 4096) {
    // A window: a few slices.
    let out = '';
    let pos = from;
    for (; k < ranges.length && (ranges[k] as number) < to; k += 2) {
      const a = Math.max(from, ranges[k] as number);
      const b = Math.min(to, ranges[k + 1] as number);
      out += text.slice(pos, a) + blank(text.slice(a, b));
      pos = b;
    }
    return out + text.slice(pos, to);
  }
  // One flat buffer of code units, blanked in place, decoded once: linear, and no thousands of
  // sliced strings for the garbage collector (the masked copy is only searched, so a lone
  // surrogate turning into U+FFFD, also one code unit, changes no position).
  const buf = new Uint16Array(to - from);
  for (let i = from; i < to; i++) buf[i - from] = text.charCodeAt(i);
  for (; k < ranges.length && (ranges[k] as number) < to; k += 2) {
    const a = Math.max(from, ranges[k] as number);
    const b = Math.min(to, ranges[k + 1] as number);
    for (let i = a; i < b; i++) {
      const c = buf[i - from] as number;
      if (c !== 10 && c !== 13) buf[i - from] = 32;
    }
  }
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf16le');
}

/**
 * A copy of `text` of the same length where everything that is not code is replaced by spaces;
 * line breaks stay. Linear in the length.
 */
export function maskTex(text: string): string {
  return maskedSlice(text, nonCodeRanges(text));
}

/**
 * The matches of `re` in the masked text that start with `\name`, found without masking the
 * whole text: each code `\name` is tried on a masked window from where it starts, widened while
 * the match is undecided. `re` must begin with `\\name(?![a-zA-Z])\s*\{` or `\\name\s*\{` and
 * end at a brace; the matches are those a global search of the masked text would give (the
 * first `limit` of them).
 */
export function codeMatches(text: string, ranges: NonCode, name: string, re: RegExp, limit = Infinity): RegExpExecArray[] {
  const sticky = new RegExp(re.source, 'y');
  const undecided = new RegExp(`^\\\\${name}\\s*(?:\\{[^{}]*)?$`);
  const out: RegExpExecArray[] = [];
  let after = 0;
  for (let at = text.indexOf(`\\${name}`); at >= 0 && out.length < limit; at = text.indexOf(`\\${name}`, at + 1)) {
    if (at < after || !isCode(ranges, at)) continue;
    for (let span = 256; ; span *= 4) {
      const end = Math.min(text.length, at + span);
      const window = maskedSlice(text, ranges, at, end);
      sticky.lastIndex = 0;
      const m = sticky.exec(window);
      // The pattern ends at the first brace after its `{`: a match in the window is the match.
      if (m) {
        m.index += at;
        out.push(m);
        after = at + m[0].length;
        break;
      }
      if (end === text.length || !undecided.test(window)) break;
    }
  }
  return out;
}

const BEGIN_DOCUMENT = /\\begin\s*\{document\}/;

/** Index of the first code `\begin{document}`, or the text's length (a preamble file). */
export function preambleEndOf(text: string, ranges: NonCode): number {
  return codeMatches(text, ranges, 'begin', BEGIN_DOCUMENT, 1)[0]?.index ?? text.length;
}

export function preambleEnd(text: string): number {
  return preambleEndOf(text, nonCodeRanges(text));
}

/**
 * The masked preamble. Masks only up to the first `\begin{document}` written as such when that
 * one is code (the usual case: a large paper's body is not read), else searches the whole text.
 */
export function codePreamble(text: string): string {
  // Asked of the same text several times in a row (finding the root, reading its encoding):
  // the last answer is kept (for a text under 1 MB: a large one is not held on to).
  if (text === lastPreamble.text) return lastPreamble.masked;
  const masked = codePreambleOf(text);
  if (text.length < 1 << 20) lastPreamble = { text, masked };
  return masked;
}
let lastPreamble = { text: '', masked: '' };

function codePreambleOf(text: string): string {
  const raw = text.indexOf('\\begin{document}');
  const prefix = raw >= 0 ? text.slice(0, raw + 16) : text;
  const ranges = nonCodeRanges(prefix);
  if (raw >= 0 && isCode(ranges, raw)) return maskedSlice(prefix, ranges, 0, preambleEndOf(prefix, ranges));
  const all = raw >= 0 ? nonCodeRanges(text) : ranges;
  return maskedSlice(text, all, 0, preambleEndOf(text, all));
}

/** True when the text has a code `\documentclass` (a root file). */
export function hasDocumentclass(text: string): boolean {
  return /\\documentclass(?![a-zA-Z])/.test(codePreamble(text));
}
