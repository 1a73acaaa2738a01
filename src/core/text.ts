// The registry's title/abstract canonicalisation: Python's ' '.join(text.lower().split()).
//
// Exact for ASCII (proven on the vectors). Beyond ASCII it is inferred (spec §2): Python's
// str.lower() with no Unicode normalisation, and Python's whitespace set, which is not
// JavaScript's \s: Python also splits on U+001C..U+001F and U+0085, and not on U+FEFF.

/** Characters for which Python's str.isspace() is true (bidi WS/B/S or category Zs). */
const PYTHON_WHITESPACE =
  '\t\n\v\f\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

const WHITESPACE_RUN = new RegExp(`[${PYTHON_WHITESPACE}]+`, 'u');

export function canonText(text: string): string {
  return text
    .toLowerCase()
    .split(WHITESPACE_RUN)
    .filter((word) => word !== '')
    .join(' ');
}

/** True when the text holds anything beyond ASCII, where the rule above is inferred. */
export function isBeyondAscii(text: string): boolean {
  return /[^\x00-\x7f]/.test(text);
}
