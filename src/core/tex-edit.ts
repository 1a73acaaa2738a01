// Stamping a LaTeX source as text: a pure function from old text to new text.
//
// The author's file is theirs. Only two lines are ever added (`\usepackage{pith}` and
// `\pithnumber{BODY}`), or the body inside an existing `\pithnumber{...}` is replaced; every other
// byte (comments, tabs, line endings, BOM, final newline or its absence, encoding) is kept.
//
// What counts as code is tex-mask.ts's; what the text holds (preamble, packages, numbers) is
// tex-analysis.ts's, computed once per file and handed to stampText by the caller that has it.
// Bytes and encodings are tex-encoding.ts's; the --dry-run patch is patch.ts's.
//
// Where `\usepackage{pith}` goes (docs/stamp.md): immediately before the line that loads hyperref
// when the file loads it (hyperref last is the usual rule, and pith.sty works with hyperref loaded
// before or after it); otherwise after the last `\usepackage`/`\RequirePackage` line after
// `\documentclass` that is not inside a conditional; otherwise after `\documentclass`.
// `\pithnumber{BODY}` goes on the line after it.

import { formatNumber, parseTexNumber } from './number.js';
import { analyzeTex, type TexAnalysis } from './tex-analysis.js';
import { isConditional, lineEndFrom, maskTex } from './tex-mask.js';

// ---------------------------------------------------------------------------------------------
// Lines.

interface Line {
  start: number;
  /** Index of the line terminator (or text length). */
  end: number;
  /** The terminator: '\r\n', '\n', '\r' or '' for a last line without one. */
  eol: string;
}

function lineAt(text: string, pos: number): Line {
  let start = pos;
  while (start > 0) {
    const c = text.charCodeAt(start - 1);
    if (c === 10 || c === 13) break;
    start--;
  }
  const end = lineEndFrom(text, pos);
  const eol = text.startsWith('\r\n', end) ? '\r\n' : end < text.length ? (text[end] as string) : '';
  return { start, end, eol };
}

/** The file's usual line ending: CRLF when most line ends are CRLF, else LF. */
export function dominantEol(text: string): '\n' | '\r\n' {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

/** The lines of a text, each with its terminator. */
export function splitLines(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g) ?? [];
}

const indentOf = (text: string, line: Line): string => /^[ \t]*/.exec(text.slice(line.start, line.end))?.[0] ?? '';

// ---------------------------------------------------------------------------------------------
// Stamping.

export const packageLine = '\\usepackage{pith}';
export const numberLine = (body: string): string => `\\pithnumber{${body}}`;

/** Does the written `value` of a `\pithnumber` already denote this number? */
export function sameNumber(value: string, body: string, year?: string): boolean {
  const n = parseTexNumber(value);
  return n !== null && n.body === body && (n.year === null || year === undefined || n.year === year);
}

/** The new value for a `\pithnumber` that names another number, in the form the author used. */
function rewrittenNumber(value: string, body: string, year?: string): string {
  if (/^\s*pith:\d{4}:/i.test(value)) return formatNumber({ body, year: year ?? null });
  if (/^\s*pith:/i.test(value)) return formatNumber({ body });
  return body;
}

export interface StampContext {
  /** The record's year: an author's `\pithnumber{pith:YEAR:BODY}` keeps that form. */
  year?: string;
  /** Another file of the paper (an `\input` preamble file) already loads pith. */
  packageElsewhere?: boolean;
  /** Another file of the paper already sets `\pithnumber`. */
  numberElsewhere?: boolean;
}

export interface StampResult {
  text: string;
  changed: boolean;
  /** What was done, in words: 'inserted \usepackage{pith}', 'updated \pithnumber', ... */
  actions: string[];
}

interface Edit {
  at: number;
  remove: number;
  insert: string;
}

function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.at - b.at);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    out += text.slice(pos, e.at) + e.insert;
    pos = e.at + e.remove;
  }
  return out + text.slice(pos);
}

/** Conditional depth (`\if...` opened, `\fi` closed) at each of the given positions of masked code. */
function conditionalDepths(masked: string, positions: number[]): number[] {
  const out: number[] = [];
  const re = /\\(newif\s*\\if[a-zA-Z]*|if[a-zA-Z]*|fi)(?![a-zA-Z])/g;
  let depth = 0;
  let k = 0;
  const sorted = positions.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const result = new Array<number>(positions.length).fill(0);
  let m: RegExpExecArray | null;
  while ((m = re.exec(masked)) !== null) {
    while (k < sorted.length && (sorted[k] as readonly [number, number])[0] <= m.index) {
      result[(sorted[k] as readonly [number, number])[1]] = depth;
      k++;
    }
    if (k >= sorted.length) break;
    const w = m[1] as string;
    if (w.startsWith('newif')) continue;
    if (w === 'fi') depth = Math.max(0, depth - 1);
    else if (isConditional(w)) depth++;
  }
  while (k < sorted.length) {
    result[(sorted[k] as readonly [number, number])[1]] = depth;
    k++;
  }
  out.push(...result);
  return out;
}

type Anchor = { before: Line; pos: number } | { after: Line; indent: string };

/** Where a new `\usepackage{pith}` line goes: {line to insert before} or {line to insert after}. */
function insertionAnchor(text: string, a: TexAnalysis): Anchor {
  const afterClass = a.packages.filter((p) => a.documentclassEnd === null || p.start >= a.documentclassEnd);
  const depths = conditionalDepths(
    a.maskedPreamble,
    afterClass.map((p) => p.start),
  );
  const top = afterClass.filter((_, i) => depths[i] === 0);
  const hyperref = top.find((p) => p.packages.includes('hyperref'));
  if (hyperref) return { before: lineAt(text, hyperref.start), pos: hyperref.start };
  const last = top[top.length - 1];
  if (last) return { after: lineAt(text, last.end - 1), indent: indentOf(text, lineAt(text, last.start)) };
  if (a.documentclassEnd !== null) return { after: lineAt(text, a.documentclassEnd - 1), indent: '' };
  // A preamble file with neither: the top of the file.
  return { before: lineAt(text, 0), pos: 0 };
}

/**
 * The edit that puts `lines` at `anchor`. Whole lines, except when the anchor's line also holds
 * `\documentclass` before the anchor (`\documentclass{article}\usepackage{hyperref}`) or
 * `\begin{document}` after it (`\usepackage{x}\begin{document}`): then that line is broken and
 * the stamp goes in between, so it is never before the class nor in the body.
 */
function placeLines(text: string, a: TexAnalysis, anchor: Anchor, lines: string[]): Edit {
  const breakAt = (at: number, line: Line): Edit => {
    const eol = line.eol || dominantEol(text);
    return { at, remove: 0, insert: eol + lines.join(eol) + eol };
  };
  if ('before' in anchor) {
    if (a.documentclassEnd !== null && anchor.before.start < a.documentclassEnd && anchor.pos >= a.documentclassEnd)
      return breakAt(anchor.pos, anchor.before);
    return insertLinesBefore(text, anchor.before, lines);
  }
  if (anchor.after.end > a.preambleEnd) return breakAt(a.preambleEnd, anchor.after);
  return insertLinesAfter(text, anchor.after, lines, anchor.indent);
}

/** Insert whole lines after `line`, indented like the command they follow (`indent`). */
function insertLinesAfter(text: string, line: Line, lines: string[], indent = indentOf(text, line)): Edit {
  if (line.eol === '') {
    const eol = dominantEol(text);
    return { at: line.end, remove: 0, insert: lines.map((l) => eol + indent + l).join('') };
  }
  return { at: line.end + line.eol.length, remove: 0, insert: lines.map((l) => indent + l + line.eol).join('') };
}

function insertLinesBefore(text: string, line: Line, lines: string[]): Edit {
  const indent = indentOf(text, line);
  const eol = line.eol || dominantEol(text);
  return { at: line.start, remove: 0, insert: lines.map((l) => indent + l + eol).join('') };
}

/**
 * Stamp `text` with `body`: update every `\pithnumber{...}` in the preamble to `body`, and add
 * `\usepackage{pith}` and `\pithnumber{body}` lines where missing (unless `ctx` says another file
 * of the paper has them). Pure; stamping the result again returns it unchanged. `a` is the text's
 * analysis when the caller has it already.
 */
export function stampText(text: string, body: string, ctx: StampContext = {}, a: TexAnalysis = analyzeTex(text)): StampResult {
  const edits: Edit[] = [];
  const actions: string[] = [];
  for (const n of a.numbers) {
    if (!sameNumber(n.value, body, ctx.year)) {
      const value = rewrittenNumber(n.value, body, ctx.year);
      edits.push({ at: n.valueStart, remove: n.valueEnd - n.valueStart, insert: value });
      actions.push(`updated \\pithnumber{${n.value.trim()}} to \\pithnumber{${value}}`);
    }
  }
  const needPackage = !a.pithPackage && !ctx.packageElsewhere;
  const needNumber = a.numbers.length === 0 && !ctx.numberElsewhere;
  const firstInPreamble = a.numbers.find((n) => n.start < a.preambleEnd);
  if (needPackage && firstInPreamble) {
    edits.push(insertLinesBefore(text, lineAt(text, firstInPreamble.start), [packageLine]));
    actions.push('inserted \\usepackage{pith}');
  } else if (needPackage) {
    const anchor = insertionAnchor(text, a);
    const lines = needNumber ? [packageLine, numberLine(body)] : [packageLine];
    edits.push(placeLines(text, a, anchor, lines));
    actions.push('inserted \\usepackage{pith}');
    if (needNumber) actions.push(`inserted \\pithnumber{${body}}`);
  } else if (needNumber && a.pithPackage) {
    edits.push(
      placeLines(text, a, { after: lineAt(text, a.pithPackage.end - 1), indent: indentOf(text, lineAt(text, a.pithPackage.start)) }, [
        numberLine(body),
      ]),
    );
    actions.push(`inserted \\pithnumber{${body}}`);
  } else if (needNumber) {
    // pith is loaded by another file, the number is set nowhere: after the last package here.
    const anchor = insertionAnchor(text, a);
    edits.push(placeLines(text, a, anchor, [numberLine(body)]));
    actions.push(`inserted \\pithnumber{${body}}`);
  }
  if (edits.length === 0) return { text, changed: false, actions: [] };
  const out = applyEdits(text, edits);
  return { text: out, changed: out !== text, actions };
}

/**
 * Remove the lines a stamp inserts (exactly `\usepackage{pith}` or `\pithnumber{...}` alone on a
 * line, with its indentation). The inverse of a stamp that inserted them: used by the property
 * tests, and by anyone who wants the stamp gone.
 */
export function unstampText(text: string): string {
  const masked = maskTex(text);
  const kept: string[] = [];
  let pos = 0;
  let removedLastUnterminated = false;
  for (const line of splitLines(text)) {
    const bare = line.replace(/\r\n$|\n$|\r$/, '');
    const code = masked.slice(pos, pos + bare.length);
    pos += line.length;
    if (/^[ \t]*(\\usepackage\{pith\}|\\pithnumber\{[^{}]*\})[ \t]*$/.test(code)) {
      if (bare === line && pos === text.length) removedLastUnterminated = true;
    } else {
      kept.push(line);
    }
  }
  if (removedLastUnterminated && kept.length > 0) {
    // The stamp was appended to a last line without a terminator: drop the terminator it added.
    kept[kept.length - 1] = (kept[kept.length - 1] as string).replace(/\r\n$|\n$|\r$/, '');
  }
  return kept.join('');
}
