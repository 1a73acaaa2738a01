// Reading and writing a LaTeX source's bytes losslessly: UTF-8 (with or without BOM), or one
// character per byte (ISO-8859-1) for 8-bit sources, so that every byte the author wrote is
// written back unchanged.
import { codePreamble } from './tex-mask.js';
import { decodeUtf8Strict } from './utf8.js';

export type SourceEncoding = 'utf-8' | 'latin1';

export interface DecodedSource {
  text: string;
  encoding: SourceEncoding;
  bom: boolean;
}

const BOM = [0xef, 0xbb, 0xbf];

/** Non-UTF-8 inputenc options: the file's bytes are kept one-to-one (decoded as ISO-8859-1). */
const BYTE_ENCODING_NAMES = [
  'latin1',
  'latin2',
  'latin3',
  'latin4',
  'latin5',
  'latin9',
  'latin10',
  'l7xenc',
  'cp1250',
  'cp1252',
  'cp1257',
  'ansinew',
  'applemac',
  'macce',
  'cp437',
  'cp850',
  'cp852',
  'cp858',
  'cp865',
  'decmulti',
  'next',
];
const BYTE_ENCODINGS = new RegExp(`\\\\usepackage\\s*\\[\\s*(${BYTE_ENCODING_NAMES.join('|')})\\s*\\]\\s*\\{\\s*inputenc\\s*\\}`);

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

const BEGIN_DOCUMENT = Array.from('\\begin{document}', (c) => c.charCodeAt(0));

/** Index of the first `\begin{document}` in the bytes (as written, code or not), or -1. */
function beginDocumentAt(bytes: Uint8Array): number {
  for (let i = bytes.indexOf(0x5c); i >= 0; i = bytes.indexOf(0x5c, i + 1)) {
    if (BEGIN_DOCUMENT.every((c, k) => bytes[i + k] === c)) return i;
  }
  return -1;
}

/**
 * Does the preamble declare an 8-bit inputenc option? Decodes only the bytes up to the first
 * `\begin{document}` (codePreamble reads the rest only when that one is not code).
 */
function declaresByteEncoding(body: Uint8Array): boolean {
  // Most sources never name inputenc, or name it with utf8: a few byte searches spare decoding
  // and masking the preamble (check runs before every build).
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes.indexOf('inputenc', 0, 'latin1') < 0) return false;
  if (!BYTE_ENCODING_NAMES.some((name) => bytes.indexOf(name, 0, 'latin1') >= 0)) return false;
  const at = beginDocumentAt(body);
  const head = latin1Decode(at >= 0 ? body.subarray(0, at + BEGIN_DOCUMENT.length) : body);
  const preamble = codePreamble(head);
  // Decided by the head when it is the whole body or holds a code \begin{document}.
  if (at < 0 || preamble.length <= at) return BYTE_ENCODINGS.test(preamble);
  return BYTE_ENCODINGS.test(codePreamble(latin1Decode(body)));
}

/**
 * Decode a source losslessly. UTF-8 (with or without BOM) unless the bytes are not valid UTF-8
 * or the preamble declares an 8-bit inputenc option; then every byte maps to one character
 * (ISO-8859-1), which round-trips any byte sequence exactly.
 */
export function decodeSource(bytes: Uint8Array): DecodedSource {
  const bom = bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
  const body = bom ? bytes.subarray(3) : bytes;
  if (!bom && declaresByteEncoding(body)) {
    // The text itself is decoded byte for byte.
    return { text: latin1Decode(body), encoding: 'latin1', bom: false };
  }
  const text = decodeUtf8Strict(body, true);
  return text !== null ? { text, encoding: 'utf-8', bom } : { text: latin1Decode(body), encoding: 'latin1', bom };
}

export function encodeSource(source: DecodedSource): Uint8Array {
  const body = source.encoding === 'latin1' ? latin1Encode(source.text) : new TextEncoder().encode(source.text);
  if (!source.bom) return body;
  const out = new Uint8Array(body.length + 3);
  out.set(BOM, 0);
  out.set(body, 3);
  return out;
}
