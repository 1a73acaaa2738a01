// Stamping a LaTeX source as text: a pure function from old text to new text.
//
// The author's file is theirs. Only two lines are ever added (`\usepackage{pith}` and
// `\pithnumber{BODY}`), or the body inside an existing `\pithnumber{...}` is replaced; every other
// byte (comments, tabs, line endings, BOM, final newline or its absence, encoding) is kept.
//
// "Code" below means text TeX would read as commands: not inside a `%` comment, an
// `\iffalse ... \fi` block (up to its `\else`), a verbatim-like environment or `\verb`.
// A masked copy of the text (non-code replaced by spaces, line breaks kept, same length) is
// searched, so every position found maps 1:1 onto the original.
//
// Where `\usepackage{pith}` goes (docs/stamp.md): immediately before the line that loads hyperref
// when the file loads it (hyperref last is the usual rule, and pith.sty works with hyperref loaded
// before or after it); otherwise after the last `\usepackage`/`\RequirePackage` line after
// `\documentclass` that is not inside a conditional; otherwise after `\documentclass`.
// `\pithnumber{BODY}` goes on the line after it.
import { formatNumber, parseTexNumber } from './number.js';
import { inputArguments } from './tex-inputs.js';

export type SourceEncoding = 'utf-8' | 'latin1';

export interface DecodedSource {
  text: string;
  encoding: SourceEncoding;
  bom: boolean;
}

const BOM = [0xef, 0xbb, 0xbf];

/** Non-UTF-8 inputenc options: the file's bytes are kept one-to-one (decoded as ISO-8859-1). */
const BYTE_ENCODINGS = /\\usepackage\s*\[\s*(latin1|latin2|latin3|latin4|latin5|latin9|latin10|l7xenc|cp1250|cp1252|cp1257|ansinew|applemac|macce|cp437|cp850|cp852|cp858|cp865|decmulti|next)\s*\]\s*\{\s*inputenc\s*\}/;

function latin1Decode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

function latin1Encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`character U+${c.toString(16).toUpperCase()} cannot be written in a Latin-1 file`);
    out[i] = c;
  }
  return out;
}

/**
 * Decode a source losslessly. UTF-8 (with or without BOM) unless the bytes are not valid UTF-8
 * or the preamble declares an 8-bit inputenc option; then every byte maps to one character
 * (ISO-8859-1), which round-trips any byte sequence exactly.
 */
export function decodeSource(bytes: Uint8Array): DecodedSource {
  const bom = bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
  const body = bom ? bytes.subarray(3) : bytes;
  if (!bom && BYTE_ENCODINGS.test(codePreamble(new TextDecoder('latin1').decode(body)))) {
    // (The WHATWG "latin1" decoder is windows-1252: good enough to find an ASCII declaration;
    // the text itself is decoded byte for byte.)
    return { text: latin1Decode(body), encoding: 'latin1', bom: false };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
    return { text, encoding: 'utf-8', bom };
  } catch {
    return { text: latin1Decode(body), encoding: 'latin1', bom };
  }
}

export function encodeSource(source: DecodedSource): Uint8Array {
  const body = source.encoding === 'latin1' ? latin1Encode(source.text) : new TextEncoder().encode(source.text);
  if (!source.bom) return body;
  const out = new Uint8Array(body.length + 3);
  out.set(BOM, 0);
  out.set(body, 3);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Masking: what TeX reads as code.

/** Environments whose content TeX does not read as commands. */
export const VERBATIM_ENVS = new Set([
  'verbatim', 'verbatim*', 'Verbatim', 'Verbatim*', 'BVerbatim', 'LVerbatim', 'comment', 'lstlisting',
  'minted', 'filecontents', 'filecontents*', 'alltt', 'spverbatim',
]);

const TOKEN = /\\(?:([a-zA-Z]+)|([^a-zA-Z]))|%/g;

/**
 * Macros whose names start with `if` but that are not TeX conditionals (no matching `\fi`):
 * ifthen's `\ifthenelse`, etoolbox's `\ifdef...`/`\ifcs...`/`\ifstr...`/... tests. TeX's own
 * conditionals (`\ifdefined`, `\ifcsname`, `\ifnum`, `\ifdim`, ...) and `\newif` ones count.
 */
const NOT_CONDITIONAL = /^if(?:thenelse|boolexp[re]|(?:def|undef|cs|csundef|str|blank|bool|toggle|ltx|rmnum|inlist|patchable)[a-zA-Z]*|(?:num|dim)(?:comp|equal|greater|less|odd|zero)[a-zA-Z]*)$/;
const PRIMITIVE_IF = new Set(['ifdefined', 'ifcsname']);

/** Does `\NAME` (NAME starting with `if`) open a conditional that a `\fi` closes? */
export function isConditional(name: string): boolean {
  return name.startsWith('if') && (PRIMITIVE_IF.has(name) || !NOT_CONDITIONAL.test(name));
}

function lineEndFrom(text: string, i: number): number {
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 10 || c === 13) return j;
  }
  return text.length;
}

/**
 * A copy of `text` of the same length where everything that is not code (comments, `\iffalse`
 * branches, verbatim-like environments, `\verb` arguments) is replaced by spaces; line breaks stay.
 * One pass, linear in the length.
 */
export function maskTex(text: string): string {
  const ranges: [number, number][] = [];
  const re = new RegExp(TOKEN.source, 'g');
  let skipDepth = 0;
  let skipStart = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const at = m.index;
    if (m[0] === '%') {
      const eol = lineEndFrom(text, at);
      if (skipDepth === 0) ranges.push([at, eol]);
      re.lastIndex = eol;
      continue;
    }
    const word = m[1];
    if (skipDepth > 0) {
      if (word === undefined) continue;
      if (word === 'fi') {
        skipDepth--;
        if (skipDepth === 0) ranges.push([skipStart, at]);
      } else if (word === 'else' && skipDepth === 1) {
        ranges.push([skipStart, at]);
        skipDepth = 0;
      } else if (isConditional(word)) {
        skipDepth++;
      }
      continue;
    }
    if (word === 'iffalse') {
      skipDepth = 1;
      skipStart = re.lastIndex;
    } else if (word === 'verb') {
      let j = re.lastIndex;
      if (text[j] === '*') j++;
      const delim = text[j];
      if (delim === undefined || delim === '\n' || delim === '\r' || delim === ' ') continue;
      let end = text.indexOf(delim, j + 1);
      const eol = lineEndFrom(text, j + 1);
      if (end < 0 || end > eol) end = eol;
      ranges.push([j + 1, end]);
      re.lastIndex = Math.min(end + 1, text.length);
    } else if (word === 'begin') {
      const env = /^\s*\{([^{}\r\n]*)\}/.exec(text.slice(re.lastIndex, re.lastIndex + 64));
      if (env && VERBATIM_ENVS.has((env[1] as string).trim())) {
        const from = re.lastIndex + env[0].length;
        const endTag = text.indexOf(`\\end{${(env[1] as string).trim()}}`, from);
        const to = endTag < 0 ? text.length : endTag;
        ranges.push([from, to]);
        re.lastIndex = to;
      }
    }
  }
  if (skipDepth > 0) ranges.push([skipStart, text.length]);
  if (ranges.length === 0) return text;
  // One flat buffer of code units, blanked in place, decoded once: linear, and no thousands of
  // sliced strings for the garbage collector (the masked copy is only searched, so a lone
  // surrogate turning into U+FFFD, also one code unit, changes no position).
  const buf = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) buf[i] = text.charCodeAt(i);
  for (const [a, b] of ranges) {
    for (let i = a; i < b; i++) {
      const c = buf[i] as number;
      if (c !== 10 && c !== 13) buf[i] = 32;
    }
  }
  return new TextDecoder('utf-16le').decode(buf);
}

/** Index of the first code `\begin{document}`, or the text's length (a preamble file). */
function preambleEndMasked(masked: string): number {
  const m = /\\begin\s*\{document\}/.exec(masked);
  return m ? m.index : masked.length;
}

/** The masked preamble, masking only up to the first code `\begin{document}`. */
function codePreamble(text: string): string {
  const raw = text.indexOf('\\begin{document}');
  if (raw >= 0) {
    const masked = maskTex(text.slice(0, raw + 16));
    const end = preambleEndMasked(masked);
    if (end < masked.length) return masked.slice(0, end);
  }
  const masked = maskTex(text);
  return masked.slice(0, preambleEndMasked(masked));
}

export function preambleEnd(text: string): number {
  return preambleEndMasked(maskTex(text));
}

/** True when the text has a code `\documentclass` (a root file). */
export function hasDocumentclass(text: string): boolean {
  return /\\documentclass(?![a-zA-Z])/.test(codePreamble(text));
}

// ---------------------------------------------------------------------------------------------
// Finding the stamp.

export interface PackageUse {
  /** The command from `\` to its closing brace. */
  start: number;
  end: number;
  packages: string[];
}

export interface NumberSite {
  /** The command from `\pithnumber` to the closing brace. */
  start: number;
  end: number;
  /** The braces' content. */
  valueStart: number;
  valueEnd: number;
  value: string;
}

export interface TexAnalysis {
  masked: string;
  preambleEnd: number;
  documentclassEnd: number | null;
  packages: PackageUse[];
  /** Uses that load pith (`\usepackage[opts]{pith}`, `\usepackage{a,pith,b}`, `\RequirePackage`). */
  pithPackage: PackageUse | null;
  /** Every code `\pithnumber{...}` (preamble or body). */
  numbers: NumberSite[];
  /** Files `\input` in the preamble (as written, without resolution). */
  inputs: string[];
}

const PACKAGE_RE = /\\(?:usepackage|RequirePackage)(?![a-zA-Z])\s*(?:\[[^\]]*\]\s*)?\{([^{}]*)\}/g;
const NUMBER_RE = /\\pithnumber(?![a-zA-Z])\s*\{([^{}]*)\}/g;

export function analyzeTex(text: string): TexAnalysis {
  const masked = maskTex(text);
  const end = preambleEndMasked(masked);
  const preamble = masked.slice(0, end);
  const dc = /\\documentclass(?![a-zA-Z])\s*(?:\[[^\]]*\]\s*)?\{[^{}]*\}/.exec(preamble);
  const packages: PackageUse[] = [];
  for (const m of preamble.matchAll(PACKAGE_RE)) {
    const list = (m[1] as string).split(',').map((s) => s.trim()).filter((s) => s !== '');
    packages.push({ start: m.index, end: m.index + m[0].length, packages: list });
  }
  // \pithnumber may also be given in the body (pith.sty reads it from the .aux).
  const numbers: NumberSite[] = [];
  for (const m of masked.matchAll(NUMBER_RE)) {
    const valueEnd = m.index + m[0].length - 1;
    const valueStart = valueEnd - (m[1] as string).length;
    numbers.push({ start: m.index, end: m.index + m[0].length, valueStart, valueEnd, value: text.slice(valueStart, valueEnd) });
  }
  const inputs = inputArguments(preamble).map((a) => a.name);
  return {
    masked,
    preambleEnd: end,
    documentclassEnd: dc ? dc.index + dc[0].length : null,
    packages,
    pithPackage: packages.find((p) => p.packages.includes('pith')) ?? null,
    numbers,
    inputs,
  };
}

/** The number written in the paper's first `\pithnumber{...}`, if any. */
export function existingNumber(text: string): string | null {
  return analyzeTex(text).numbers[0]?.value.trim() ?? null;
}

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
  const depths = conditionalDepths(a.masked, afterClass.map((p) => p.start));
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
    if (a.documentclassEnd !== null && anchor.before.start < a.documentclassEnd && anchor.pos >= a.documentclassEnd) return breakAt(anchor.pos, anchor.before);
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
 * of the paper has them). Pure; stamping the result again returns it unchanged.
 */
export function stampText(text: string, body: string, ctx: StampContext = {}): StampResult {
  const a = analyzeTex(text);
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
    edits.push(placeLines(text, a, { after: lineAt(text, a.pithPackage.end - 1), indent: indentOf(text, lineAt(text, a.pithPackage.start)) }, [numberLine(body)]));
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

// ---------------------------------------------------------------------------------------------
// Lines as written, each with its terminator (the last may have none).

function splitLines(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g) ?? [];
}
