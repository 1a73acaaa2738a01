// The pith-tex block in a folder's .latexmkrc: insert, remove, status. Pure text functions.
//
// The block is delimited by a BEGIN and an END comment line. Everything outside it is the
// author's and is kept byte for byte: install appends the block at the end of the file (after a
// newline of its own if the file did not end with one, flagged on the BEGIN line so that remove
// restores the file exactly) or replaces an existing block in place; remove deletes the block.
// The block is templates/latexmkrc-hook.pl with two values filled in: the command of the pith-tex
// that installed it and the lock file's name. It checks from a latexmk hook, not by wrapping the
// engine variables, so an author's `$pdflatex = ...` before or after it changes nothing.

import { LOCK_FILE } from './file-names.js';

export const HOOK_BEGIN = '# >>> pith-tex hook >>>';
export const HOOK_END = '# <<< pith-tex hook <<<';
const BEGIN_NOTE = ' managed by `pith-tex hook install|remove`; edits inside are overwritten';
const EOL_FLAG = ' [newline-added]';

interface Found {
  start: number;
  /** After the END line and its line break. */
  end: number;
  addedEol: boolean;
  text: string;
}

/** A Perl single-quoted string. */
const perlString = (s: string): string => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;

/**
 * The block for a template (the Perl code between the markers): `@PITH_TEX_INSTALLED@` becomes
 * the installing pith-tex's command (absolute node and script), `@PITH_TEX_LOCK_FILE@` the lock's name.
 */
export function hookBlock(
  template: string,
  fill: { installed: readonly string[]; lockFile: string } = { installed: [], lockFile: LOCK_FILE },
): string {
  const filled = template
    .replaceAll('@PITH_TEX_INSTALLED@', fill.installed.map(perlString).join(', '))
    .replaceAll('@PITH_TEX_LOCK_FILE@', fill.lockFile);
  const body = filled.endsWith('\n') ? filled : `${filled}\n`;
  return `${HOOK_BEGIN}${BEGIN_NOTE}\n${body}${HOOK_END}\n`;
}

function findBlocks(text: string): Found[] {
  const out: Found[] = [];
  let from = 0;
  for (;;) {
    const b = text.indexOf(HOOK_BEGIN, from);
    if (b < 0) return out;
    if (b > 0 && text[b - 1] !== '\n' && text[b - 1] !== '\r') {
      from = b + HOOK_BEGIN.length;
      continue;
    }
    const e = text.indexOf(HOOK_END, b);
    if (e < 0) throw new RcBlockError(`.latexmkrc has "${HOOK_BEGIN}" without its "${HOOK_END}" line: mend or delete the block by hand`);
    let end = text.indexOf('\n', e);
    end = end < 0 ? text.length : end + 1;
    const beginLine = text.slice(b, text.indexOf('\n', b));
    out.push({ start: b, end, addedEol: beginLine.includes(EOL_FLAG), text: text.slice(b, end) });
    from = end;
  }
}

export class RcBlockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RcBlockError';
  }
}

/** Remove every pith-tex block; the author's bytes come back exactly. */
export function removeHook(text: string): { text: string; changed: boolean } {
  const blocks = findBlocks(text);
  if (blocks.length === 0) return { text, changed: false };
  let out = '';
  let pos = 0;
  for (const b of blocks) {
    let before = text.slice(pos, b.start);
    if (b.addedEol && b.end >= text.length && before.endsWith('\n')) before = before.slice(0, -1);
    out += before;
    pos = b.end;
  }
  return { text: out + text.slice(pos), changed: true };
}

export type InstallAction = 'created' | 'added' | 'updated' | 'unchanged';

/** Insert (or refresh) the block; `text` null when the file does not exist. */
export function installHook(text: string | null, block: string): { text: string; action: InstallAction } {
  if (text === null || text === '') return { text: block, action: 'created' };
  const blocks = findBlocks(text);
  if (blocks.length === 1) {
    const b = blocks[0] as Found;
    const fresh = b.addedEol ? flagEol(block) : block;
    if (b.text === fresh) return { text, action: 'unchanged' };
    return { text: text.slice(0, b.start) + fresh + text.slice(b.end), action: 'updated' };
  }
  // None, or several (edited by hand): one fresh block at the end.
  const base = removeHook(text).text;
  const action: InstallAction = blocks.length > 0 ? 'updated' : 'added';
  if (base === '') return { text: block, action };
  if (base.endsWith('\n')) return { text: base + block, action };
  return { text: `${base}\n${flagEol(block)}`, action };
}

const flagEol = (block: string): string => block.replace(HOOK_BEGIN + BEGIN_NOTE, HOOK_BEGIN + BEGIN_NOTE + EOL_FLAG);

export interface HookStatus {
  state: 'absent' | 'current' | 'outdated';
  blocks: number;
}

export function hookStatus(text: string | null, block: string): HookStatus {
  const blocks = text === null ? [] : findBlocks(text);
  const only = blocks.length === 1 ? (blocks[0] as Found) : null;
  const current = only !== null && (only.text === block || only.text === flagEol(block));
  return { state: blocks.length === 0 ? 'absent' : current ? 'current' : 'outdated', blocks: blocks.length };
}
