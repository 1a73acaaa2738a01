// Pith numbers: derivation from a digest, and every written form parsed and normalised. The one
// number grammar of pith-tex: the CLI's queries, check, stamp, inspect and the TeX edits all parse
// and print numbers here. It imports only the import-free base32.ts, so the quick check loads it
// for free.
//
// Body = the first 26 characters of base32(first 17 bytes of the SHA-256 digest), i.e. the
// first 130 bits. 26 x 5 = 130, so every one of the 32 symbols can stand in the last place:
// there is no padding-bit rule for a full body (a 16-byte reading would leave two zero bits).
import { BASE32_ALPHABET, BODY_LENGTH, bodyFromDigest } from './base32.js';

export { BODY_LENGTH, bodyFromDigest };

export const SHORT_LENGTHS = [8, 12, 16] as const;

export interface PithNumber {
  body: string;
  year: string;
  /** `pith:YEAR:BODY` */
  full: string;
}

/** A SHA-256 digest as the format writes it: 64 lower-case hex characters. */
export const isSha256Hex = (s: unknown): s is string => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);

export function bodyFromSha256Hex(hex: string): string {
  if (!isSha256Hex(hex)) throw new RangeError('expected 64 lower-case hex characters');
  return bodyFromDigest(Uint8Array.from(hex.match(/../g) as string[], (h) => parseInt(h, 16)));
}

export function pithNumberFrom(canonicalSha256: string, submittedAt: string): PithNumber {
  const body = bodyFromSha256Hex(canonicalSha256);
  const year = yearOf(submittedAt);
  return { body, year, full: formatNumber({ body, year }) };
}

/** A full body: 26 characters of the base32 alphabet, upper case. */
export const isBody = (s: unknown): s is string =>
  typeof s === 'string' && s.length === BODY_LENGTH && [...s].every((c) => BASE32_ALPHABET.includes(c));

/** A number written out: `pith:YEAR:BODY`, or `pith:BODY` without a year. */
export const formatNumber = (n: { body: string; year?: string | null }): string => (n.year ? `pith:${n.year}:${n.body}` : `pith:${n.body}`);

export function yearOf(submittedAt: string): string {
  const m = /^(\d{4})-/.exec(submittedAt);
  if (!m) throw new RangeError(`submitted_at ${JSON.stringify(submittedAt)} does not start with a four-digit year`);
  return m[1] as string;
}

export const recordUrl = (body: string, base = 'https://pith.science'): string => `${base.replace(/\/+$/, '')}/pith/${body}`;

/** A parsed number as written: a full body (maybe with its year) or a short prefix. */
export type ParsedNumber = { kind: 'full'; body: string; year: string | null } | { kind: 'short'; prefix: string; length: 8 | 12 | 16 };

export class NumberFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NumberFormatError';
  }
}

const EXPECTED =
  'expected pith:YEAR:BODY, pith:BODY or BODY, where BODY is 26 characters of A-Z and 2-7 (or an 8, 12 or 16 character prefix)';

/**
 * Parse any written form: `pith:2022:BODY`, `pith:BODY`, `BODY`, short 8/12/16 prefixes
 * (with or without `pith:`), any case. Throws NumberFormatError saying what is wrong.
 */
export function parsePithNumber(input: string): ParsedNumber {
  const text = input.trim();
  const asciiUpper = (t: string): string => t.replace(/[a-z]+/g, (c) => c.toUpperCase());
  if (text === '') throw new NumberFormatError(`empty Pith number: ${EXPECTED}`);
  const parts = text.split(':');
  let year: string | null = null;
  let body: string;
  if (parts.length === 3) {
    if (asciiUpper(parts[0] as string) !== 'PITH') throw new NumberFormatError(`"${text}" does not start with "pith:": ${EXPECTED}`);
    year = parts[1] as string;
    body = parts[2] as string;
    if (!/^\d{4}$/.test(year)) throw new NumberFormatError(`year "${year}" in "${text}" is not four digits: ${EXPECTED}`);
  } else if (parts.length === 2) {
    if (asciiUpper(parts[0] as string) !== 'PITH') throw new NumberFormatError(`"${text}" does not start with "pith:": ${EXPECTED}`);
    body = parts[1] as string;
  } else if (parts.length === 1) {
    body = text;
  } else {
    throw new NumberFormatError(`"${text}" has too many ":" parts: ${EXPECTED}`);
  }
  body = asciiUpper(body); // ASCII only, as pith.sty: 'ß' must not become 'SS'
  const bad = [...body].find((ch) => !BASE32_ALPHABET.includes(ch));
  if (bad !== undefined) {
    const hint = '0189'.includes(bad) ? ` (base32 has no ${bad}; did you mean ${{ '0': 'O', '1': 'I', '8': 'B', '9': 'G' }[bad]}?)` : '';
    throw new NumberFormatError(`"${text}" has the character "${bad}" outside A-Z and 2-7${hint}`);
  }
  if (body.length === BODY_LENGTH) return { kind: 'full', body, year };
  if (year !== null) {
    throw new NumberFormatError(`"${text}" has a ${body.length}-character body; a number with a year needs all 26 characters`);
  }
  if ((SHORT_LENGTHS as readonly number[]).includes(body.length)) {
    return { kind: 'short', prefix: body, length: body.length as 8 | 12 | 16 };
  }
  throw new NumberFormatError(`"${text}" has ${body.length} characters; ${EXPECTED}`);
}

/**
 * A `\pithnumber` argument read the way pith.sty reads it: TeX's spaces dropped, any case, a
 * full `BODY` or `pith:[YEAR:]BODY` (no short prefix); null when it is not one.
 */
export function parseTexNumber(raw: string): { body: string; year: string | null } | null {
  const text = raw.replace(/[ \t\r\n]+/g, '');
  if (/[^\x21-\x7e]/.test(text)) return null; // pith.sty refuses anything but printable ASCII
  try {
    const parsed = parsePithNumber(text);
    return parsed.kind === 'full' ? { body: parsed.body, year: parsed.year } : null;
  } catch (err) {
    if (err instanceof NumberFormatError) return null;
    throw err;
  }
}

/** The year and body of a full `pith:YEAR:BODY` (as a lock or a report holds it); null otherwise. */
export function splitFullNumber(full: string): { body: string; year: string } | null {
  const parsed = parseTexNumber(full);
  return parsed?.year && formatNumber(parsed) === full ? { body: parsed.body, year: parsed.year } : null;
}

/** Check a parsed number against the record's own number; null when they agree. */
export function numberMismatch(parsed: ParsedNumber, actual: PithNumber): string | null {
  if (parsed.kind === 'short') {
    return actual.body.startsWith(parsed.prefix) ? null : `short number ${parsed.prefix} is not a prefix of ${actual.body}`;
  }
  if (parsed.body !== actual.body) return `body ${parsed.body} differs from the record's ${actual.body}`;
  if (parsed.year !== null && parsed.year !== actual.year) {
    return `year ${parsed.year} disagrees with the record's submission year ${actual.year}`;
  }
  return null;
}
