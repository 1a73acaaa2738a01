// UTF-8 bytes to text, as TextDecoder decodes them, without TextDecoder: making the first one
// costs about 4 % of node's start-up (ICU's converter), which `check` pays before every LaTeX
// build. node's Buffer decodes the same way (test/utf8.test.ts compares them on random bytes).
import { isUtf8 } from 'node:buffer';

const hasBom = (b: Uint8Array): boolean => b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** new TextDecoder('utf-8', { fatal: true, ignoreBOM }).decode(bytes), with null for bytes that are not UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array, ignoreBOM = false): string | null {
  if (!isUtf8(bytes)) return null;
  return asBuffer(bytes).toString('utf8', !ignoreBOM && hasBom(bytes) ? 3 : 0);
}

/** new TextDecoder().decode(bytes): what is not UTF-8 becomes U+FFFD; a leading BOM is dropped. */
export function decodeUtf8Lenient(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('utf8', hasBom(bytes) ? 3 : 0);
}
