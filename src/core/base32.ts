// RFC 4648 base32 (A-Z2-7, no padding) and the 26-character body rule. No imports, so the
// quick `pith-tex check` path can load it for free.

export const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 of bytes, upper case, without '=' padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

export const BODY_LENGTH = 26;

/** A Pith number body: the first 26 base32 characters of the first 17 digest bytes (130 bits). */
export function bodyFromDigest(digest: Uint8Array): string {
  if (digest.length < 17) throw new RangeError('a Pith number needs at least 17 digest bytes');
  return base32Encode(digest.subarray(0, 17)).slice(0, BODY_LENGTH);
}
