// Untrusted text (from bundles, resolvers, PDFs, the paper's folder) on its way to a terminal:
// C0 and C1 control characters and the Unicode bidi controls are shown escaped, so an ESC
// sequence cannot retitle or clear the terminal and a right-to-left override cannot reorder
// what the reader sees. Newline and tab are kept (the printers' own layout). --json output is
// data and never passes through here.

/** C0 (but \n and \t), DEL, C1, and the bidi controls (ALM, LRM, RLM, LRE..RLO, LRI..PDI). */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const show = (c: string): string => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** `text` with every control and bidi character written as \xNN or \uNNNN. */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, show);
}
