// Is this the right paper? The paper's own \title against the record's title_canon_sha256.
//
// The registry hashes the title as arXiv stores it: raw TeX kept as written (`Schr\"odinger`,
// `$q$-deformed`), lower-cased, whitespace collapsed (core/text.ts). An author usually types the
// arXiv title from the LaTeX one, minus what only makes sense on the page: footnotes and thanks,
// forced line breaks, the short (running-head) title, font and size switches. So the LaTeX title
// becomes a few candidates, each hashed with the registry's rule; any equal hash is a match.
// A miss is not proof of the wrong paper (the arXiv title may have been reworded): it is a
// warning. Pure; docs/title-match.md states the rule and its limits.
import { recordUrl, splitFullNumber } from './number.js';
import { sha256Hex } from './sha256.js';
import { canonText } from './text.js';
import { maskTex } from './tex-mask.js';

export interface LatexTitle {
  /** The title argument as written (comments blanked). */
  title: string;
  /** \subtitle's argument (acmart, llncs, beamer-like classes), if any. */
  subtitle: string | null;
  /** The command it came from: title, icmltitle, Title. */
  command: string;
}

export type TitleMatch =
  | { status: 'match'; candidate: string; title: string }
  | { status: 'mismatch'; title: string; candidates: string[] }
  | { status: 'no-title' };

// Commands that hold the title in the classes people use (\icmltitle: ICML; \Title: MDPI).
const TITLE_COMMANDS = ['title', 'icmltitle', 'Title'];
// Notes attached to the title: dropped with their argument.
const NOTE_COMMANDS = ['thanks', 'titletag', 'footnote', 'titlenote', 'tnoteref', 'footnotetext', 'label', 'fnref', 'support'];
// Font, size and case switches: the arXiv title has none of them. Dropped, their text kept.
const FONT_COMMANDS = [
  'textbf',
  'textit',
  'textsc',
  'textsf',
  'texttt',
  'textrm',
  'textmd',
  'textup',
  'textsl',
  'emph',
  'mbox',
  'bf',
  'it',
  'sc',
  'sf',
  'tt',
  'rm',
  'sl',
  'em',
  'bfseries',
  'itshape',
  'scshape',
  'sffamily',
  'ttfamily',
  'rmfamily',
  'mdseries',
  'upshape',
  'normalfont',
  'tiny',
  'scriptsize',
  'footnotesize',
  'small',
  'normalsize',
  'large',
  'Large',
  'LARGE',
  'huge',
  'Huge',
  'uppercase',
  'MakeUppercase',
  'protect',
];

/** Index just past the balanced group opening at `open` (`{...}`, or `[...]` with braces inside), or -1. */
function groupEnd(text: string, open: number): number {
  const bracket = text[open] === '[';
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}') {
      if (bracket && depth === 0) return -1;
      depth--;
      if (!bracket && depth === 0) return i + 1;
    } else if (bracket && c === ']' && depth === 0) return i + 1;
  }
  return -1;
}

const skipSpace = (text: string, i: number): number => {
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  return i;
};

/**
 * The argument of the first code `\NAME[opt]{arg}` among `names`, or null. In a `prefix` of the
 * source, a group not closed there leaves the answer to the whole source: 'open'.
 */
function commandArgument(masked: string, names: readonly string[], prefix: boolean): { name: string; arg: string } | null | 'open' {
  const re = new RegExp(`\\\\(${names.join('|')})(?![A-Za-z@])\\*?`, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(masked)) !== null) {
    let i = skipSpace(masked, re.lastIndex);
    if (masked[i] === '[') {
      const end = groupEnd(masked, i); // the short (running-head) title: not the arXiv title
      if (end < 0 && prefix) return 'open';
      if (end < 0) continue;
      i = skipSpace(masked, end);
    }
    if (masked[i] !== '{') continue; // \def\title..., \renewcommand\title: not a use
    const end = groupEnd(masked, i);
    if (end < 0 && prefix) return 'open';
    if (end < 0) continue;
    return { name: m[1] as string, arg: masked.slice(i + 1, end - 1) };
  }
  return null;
}

/** The title and subtitle found in a masked text, or 'open' when that text cannot tell. */
function titleIn(masked: string, prefix: boolean): LatexTitle | null | 'open' {
  const found = commandArgument(masked, TITLE_COMMANDS, prefix);
  if (found === null || found === 'open') return found;
  const sub = commandArgument(masked, ['subtitle'], prefix);
  if (sub === 'open') return 'open';
  return { title: found.arg, subtitle: sub ? sub.arg : null, command: found.name };
}

/**
 * The paper's title as written, from a LaTeX source (comments, \iffalse and verbatim skipped).
 * `maskedPreamble`, the preamble as tex-analysis.ts masks it, spares masking the whole source
 * when the preamble decides (the first \title of a source is its preamble's, and a \subtitle
 * may still follow in the body): where papers put their title, and `check` runs before every build.
 */
export function findLatexTitle(source: string, maskedPreamble?: string): LatexTitle | null {
  if (maskedPreamble !== undefined) {
    const head = titleIn(maskedPreamble, true);
    const bodySubtitle = () => source.includes('\\subtitle', maskedPreamble.length);
    if (head !== null && head !== 'open' && (head.subtitle !== null || !bodySubtitle())) return head;
  }
  return titleIn(maskTex(source), false) as LatexTitle | null;
}

/** Remove `\NAME[opt]{arg}` (the whole command and its arguments) for each name. */
function dropCommands(text: string, names: readonly string[]): string {
  const re = new RegExp(`\\\\(?:${names.join('|')})(?![A-Za-z@])\\*?`, 'g');
  let out = '';
  let from = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    let i = skipSpace(text, re.lastIndex);
    if (text[i] === '[') {
      const end = groupEnd(text, i);
      if (end > 0) i = skipSpace(text, end);
    }
    if (text[i] === '{') {
      const end = groupEnd(text, i);
      if (end > 0) i = end;
    }
    out += `${text.slice(from, m.index)} `;
    from = i;
    re.lastIndex = i;
  }
  return out + text.slice(from);
}

/** `\\`, `\\*`, `\\[2pt]`, `\newline`, `\linebreak[n]`: a forced line break becomes a space. */
const dropBreaks = (text: string): string =>
  text.replace(/\\\\\*?(?:\s*\[[^\]]*\])?|\\(?:newline|linebreak|break|titlebreak)(?![A-Za-z@])(?:\[[^\]]*\])?/g, ' ');

/** `\texorpdfstring{TeX}{PDF}`: `pick` 0 keeps the TeX form, 1 the plain one. */
function texorpdf(text: string, pick: 0 | 1): string {
  const re = /\\texorpdfstring\s*/g;
  let out = '';
  let from = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const a = skipSpace(text, re.lastIndex);
    const aEnd = text[a] === '{' ? groupEnd(text, a) : -1;
    const b = aEnd > 0 ? skipSpace(text, aEnd) : -1;
    const bEnd = b > 0 && text[b] === '{' ? groupEnd(text, b) : -1;
    if (bEnd < 0) continue;
    out += text.slice(from, m.index) + (pick === 0 ? text.slice(a + 1, aEnd - 1) : text.slice(b + 1, bEnd - 1));
    from = bEnd;
    re.lastIndex = bEnd;
  }
  return out + text.slice(from);
}

/** Font and size switches dropped (their text kept), `~` as a space. */
function plainer(text: string): string {
  const re = new RegExp(`\\\\(?:${FONT_COMMANDS.join('|')})(?![A-Za-z@])\\s*`, 'g');
  // TeX logos are typed as words on arXiv's form: \LaTeX\ -> LaTeX.
  let t = text
    .replace(re, '')
    .replace(
      /\\(LaTeXe|LaTeX|TeX|BibTeX|XeLaTeX|LuaLaTeX|AmS)(?![A-Za-z@])(?:\{\}|\\\s)?/g,
      (m: string, logo: string) => (logo === 'LaTeXe' ? 'LaTeX2e' : logo === 'AmS' ? 'AMS' : logo) + (/\\\s$/.test(m) ? ' ' : ''),
    )
    .replace(/(?<!\\)~/g, ' ');
  // Braces left by `{\bf X}` or `\textbf{X}`: `{X}` → `X`, innermost first, but never a group
  // that follows a command word (`\mathbb{R}`) or holds math. An accent's group (`\"{o}`) becomes
  // `\"o`, the way arXiv titles usually write it; the literal candidate keeps `\"{o}`.
  for (let i = 0; i < 8; i++) {
    const next = t.replace(/(^|[^\\A-Za-z@^_])\{([^{}$]*)\}/g, '$1$2');
    if (next === t) break;
    t = next;
  }
  return t;
}

const collapse = (text: string): string =>
  text
    .split(/\s+/)
    .filter((w) => w !== '')
    .join(' ');

/** The texts an author's arXiv title is likely to be, from the LaTeX title, most literal first. */
export function titleCandidates(latex: LatexTitle | string): string[] {
  return [...candidateTexts(latex)];
}

/** titleCandidates one at a time: matchTitle stops at the first that matches, as it usually does. */
function* candidateTexts(latex: LatexTitle | string): Generator<string> {
  const t = typeof latex === 'string' ? { title: latex, subtitle: null, command: 'title' } : latex;
  const seen = new Set<string>();
  const fresh = (s: string): string | null => {
    const c = collapse(s);
    if (c === '' || seen.has(c)) return null;
    seen.add(c);
    return c;
  };
  const subtitle = t.subtitle === null ? null : collapse(dropBreaks(dropCommands(t.subtitle, NOTE_COMMANDS)));
  for (const pick of [0, 1] as const) {
    const base = dropBreaks(dropCommands(texorpdf(t.title, pick), NOTE_COMMANDS));
    for (const form of [() => base, () => plainer(base)]) {
      const text = form();
      // arXiv has one title field: a subtitle is usually appended after a colon or a dash.
      const withSubtitle = subtitle ? [`${text}: ${subtitle}`, `${text}: ${plainer(subtitle)}`, `${text} -- ${subtitle}`] : [];
      for (const s of [text, ...withSubtitle]) {
        const c = fresh(s);
        if (c !== null) yield c;
      }
    }
  }
}

/** The registry's title hash of a text: sha256 of Python's ' '.join(text.lower().split()). */
export const titleHash = (text: string): string => sha256Hex(canonText(text));

/** Compare the paper's title with a record's title_canon_sha256 (`maskedPreamble`: as findLatexTitle). */
export function matchTitle(source: string, titleCanonSha256: string, maskedPreamble?: string): TitleMatch {
  const latex = findLatexTitle(source, maskedPreamble);
  if (!latex) return { status: 'no-title' };
  const want = titleCanonSha256.toLowerCase();
  const title = collapse(latex.title);
  const candidates: string[] = [];
  for (const c of candidateTexts(latex)) {
    if (titleHash(c) === want) return { status: 'match', candidate: c, title };
    candidates.push(c);
  }
  return { status: 'mismatch', title, candidates };
}

/** Appended to the warning; under --strict the same message is the error. */
export const STRICT_HINT = '; --strict makes this an error';

export interface TitleVerdict {
  status: TitleMatch['status'];
  /** False only for a mismatch: the caller warns, or fails under --strict. */
  ok: boolean;
  message: string;
}

/** What stamp and check say about the title, naming the record and how to look at it. */
export function titleVerdict(
  m: TitleMatch,
  record: { arxivId: string; version: number | null; number: string; pageUrl: string },
  paper: string,
): TitleVerdict {
  const id = `${record.arxivId}${record.version === null ? '' : `v${record.version}`}`;
  if (m.status === 'match') return { status: m.status, ok: true, message: `title matches the record (arXiv ${id})` };
  if (m.status === 'no-title') {
    return { status: m.status, ok: true, message: `no \\title found in ${paper}: the record's title was not compared` };
  }
  return {
    status: m.status,
    ok: false,
    message:
      `the title of ${paper}, ${JSON.stringify(m.title)}, does not match the title of ${record.number} (arXiv ${id}): is this the right paper? ` +
      `Confirm with \`pith-tex resolve ${id}\` and the record page ${record.pageUrl} (the registry hashes arXiv's title as listed, so a title reworded since also differs)`,
  };
}

/** The verdict for a paper's source against a (verified) canonical record and its number. */
export function titleVerdictOfRecord(
  source: string,
  record: unknown,
  number: string,
  paper: string,
  maskedPreamble?: string,
): TitleVerdict | null {
  const r = record as { source?: { id?: unknown; version?: unknown }; metadata?: { title_canon_sha256?: unknown } } | null;
  const sha = r?.metadata?.title_canon_sha256;
  const id = r?.source?.id;
  if (typeof sha !== 'string' || typeof id !== 'string') return null;
  const body = splitFullNumber(number)?.body ?? '';
  return titleVerdict(
    matchTitle(source, sha, maskedPreamble),
    {
      arxivId: id,
      version: typeof r?.source?.version === 'number' ? r.source.version : null,
      number,
      pageUrl: recordUrl(body),
    },
    paper,
  );
}
