// Byte encodings used by the Pith format: hex, base64, SHA-256, and base32 (from base32.ts).
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export { bytesToHex, hexToBytes, utf8ToBytes };

export { BASE32_ALPHABET, base32Encode } from './base32.js';

/** SHA-256: the one implementation, core/sha256.ts (why it is not node:crypto is said there). */
export { sha256 as sha256Bytes, sha256Hex } from './sha256.js';

export { isSha256Hex } from './number.js';

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 decode: null for anything that is not canonical standard base64. */
export function base64Decode(text: string): Uint8Array | null {
  if (!BASE64_RE.test(text)) return null;
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  // Refuse non-canonical encodings (stray bits in the last character) so one value has one text.
  return Buffer.from(bytes).toString('base64') === text ? bytes : null;
}

export function base64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
