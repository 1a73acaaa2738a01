// Trusted registry keys. A bundle carries its own `public_keys`, but trusting that list would
// let anyone re-sign a forged bundle with a key of their own: signatures are checked only
// against keys pinned here or added on purpose by the user (--trust-key).
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { leanVerifyEd25519 } from './ed25519-node.js';
import { base32Encode, base64Decode, bytesToHex, hexToBytes, sha256Bytes } from './encoding.js';
import { isJsonObject, type JsonValue } from './json.js';
import { PINNED_KEY_DATA } from './pinned-keys.js';

// noble/ed25519 3.x needs a synchronous SHA-512 to verify without promises.
ed.hashes.sha512 = sha512;

export interface TrustedKey {
  keyId: string;
  publicKey: Uint8Array;
  /** Hex of the first 16 bytes of SHA-256(raw key). */
  fingerprint: string;
  /** ISO time after which this key no longer signs; null when no rotation is scheduled. */
  rotatesAt: string | null;
  /** Where trust came from: "pinned" or the file that added it. */
  origin: string;
}

/** The registry's keys, pinned in the code (spec §3; the data is in pinned-keys.ts). */
export const PINNED_KEYS: readonly TrustedKey[] = PINNED_KEY_DATA.map((k) => ({
  keyId: k.keyId,
  publicKey: hexToBytes(k.publicKeyHex),
  fingerprint: k.fingerprint,
  rotatesAt: k.rotatesAt,
  origin: 'pinned',
}));

export function keyFingerprint(publicKey: Uint8Array): string {
  return bytesToHex(sha256Bytes(publicKey).subarray(0, 16));
}

/** The bundle's `fingerprint_sha256_b32_first128bits`: same rule as the number body. */
export function keyFingerprintBase32(publicKey: Uint8Array): string {
  return base32Encode(sha256Bytes(publicKey).subarray(0, 17)).slice(0, 26);
}

export class KeyEntryError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'KeyEntryError';
  }
}

/**
 * Read a key entry in the shape of a bundle's `public_keys` item (or a list of them, or an
 * object with `public_keys` / `keys`, as the registry's key file may be shaped).
 */
export function keysFromJson(value: JsonValue, origin: string): TrustedKey[] {
  let list: JsonValue[] = [value];
  let prefix: string | null = null;
  if (Array.isArray(value)) [list, prefix] = [value, ''];
  else if (isJsonObject(value) && Array.isArray(value.public_keys)) [list, prefix] = [value.public_keys, 'public_keys'];
  else if (isJsonObject(value) && Array.isArray(value.keys)) [list, prefix] = [value.keys, 'keys'];
  if (list.length === 0) throw new KeyEntryError('no key entries found', prefix || '(top level)');
  return list.map((entry, i) => keyFromEntry(entry, origin, prefix === null ? '' : `${prefix}[${i}]`));
}

function keyFromEntry(entry: JsonValue, origin: string, at: string): TrustedKey {
  const field = (name: string) => `${at}${at ? '.' : ''}${name}`;
  if (!isJsonObject(entry)) throw new KeyEntryError('expected a key object', at || '(top level)');
  const keyId = entry.key_id;
  if (typeof keyId !== 'string' || keyId === '') throw new KeyEntryError('expected a non-empty string', field('key_id'));
  if (entry.algorithm !== undefined && entry.algorithm !== 'ed25519') {
    throw new KeyEntryError(`algorithm ${JSON.stringify(entry.algorithm)} is not supported (expected "ed25519")`, field('algorithm'));
  }
  let publicKey: Uint8Array | null = null;
  if (typeof entry.public_key_b64 === 'string') {
    publicKey = base64Decode(entry.public_key_b64);
    if (!publicKey || publicKey.length !== 32) throw new KeyEntryError('expected base64 of a 32-byte Ed25519 key', field('public_key_b64'));
  }
  if (typeof entry.public_key_hex === 'string') {
    if (!/^[0-9a-f]{64}$/.test(entry.public_key_hex))
      throw new KeyEntryError('expected 64 lower-case hex characters', field('public_key_hex'));
    const fromHex = hexToBytes(entry.public_key_hex);
    if (publicKey && bytesToHex(publicKey) !== entry.public_key_hex) {
      throw new KeyEntryError('public_key_hex and public_key_b64 name different keys', field('public_key_hex'));
    }
    publicKey = fromHex;
  }
  if (!publicKey) throw new KeyEntryError('expected public_key_b64 or public_key_hex', field('public_key_b64'));
  const unusable = unusableKeyReason(publicKey);
  if (unusable !== null)
    throw new KeyEntryError(
      `the key is ${unusable}; it can never be trusted`,
      field(entry.public_key_hex !== undefined ? 'public_key_hex' : 'public_key_b64'),
    );
  const fingerprint = keyFingerprint(publicKey);
  if (entry.fingerprint_sha256_hex !== undefined && entry.fingerprint_sha256_hex !== fingerprint) {
    throw new KeyEntryError(`fingerprint does not match the key (expected ${fingerprint})`, field('fingerprint_sha256_hex'));
  }
  const rotatesAt = entry.rotates_at ?? null;
  if (rotatesAt !== null && (typeof rotatesAt !== 'string' || Number.isNaN(Date.parse(rotatesAt)))) {
    throw new KeyEntryError('expected null or an ISO 8601 time', field('rotates_at'));
  }
  return { keyId, publicKey, fingerprint, rotatesAt, origin };
}

/**
 * Why a public key can never be trusted, or null: a non-canonical encoding (y >= p, or x = 0
 * with the sign bit set), not a curve point, or a point of small order (one of the eight
 * torsion points, for which a signature can verify for any message). Such keys are refused
 * when trusted (--trust-key), and verifyEd25519 rejects every signature under them.
 */
export function unusableKeyReason(publicKey: Uint8Array): string | null {
  if (publicKey.length !== 32) return 'not 32 bytes';
  let A: InstanceType<typeof ed.Point>;
  try {
    A = ed.Point.fromBytes(publicKey, false);
  } catch {
    return 'not a canonical encoding of a curve point';
  }
  return A.isSmallOrder() ? 'a point of small order (a signature under it can verify for any message)' : null;
}

/**
 * Ed25519 verification, the one verdict (docs/decisions.md "Ed25519"): RFC 8032 section 5.1.7,
 * cofactorless, canonical encodings. @noble/ed25519 with `zip215: false` checks the encodings
 * (A and R with y < p and no x = 0 with the sign bit, S < L), refuses small-order A and checks
 * the cofactored equation [8][S]B = [8](R + [k]A); on top of that the cofactorless equation
 * [S]B = R + [k]A is checked with noble's own point arithmetic, so a mixed-order R (R = rB + T,
 * T of order 8) fails as it does in OpenSSL, libsodium and the registry's reference. For every
 * key that can be trusted (unusableKeyReason null) this is OpenSSL's verdict exactly
 * (test/hostile/ed25519.test.ts). Never throws. A good signature is confirmed first by
 * node:crypto (ed25519-node.ts: the same encodings refused, then OpenSSL's cofactorless check),
 * which accepts only what noble accepts here and spares noble's base-point table in a
 * short-lived process; anything else is noble's to judge.
 */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  return leanVerifyEd25519(signature, message, publicKey) || nobleVerifyEd25519(signature, message, publicKey);
}

/** verifyEd25519 by @noble/ed25519 alone (the differential tests compare the two). */
export function nobleVerifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    if (!ed.verify(signature, message, publicKey, { zip215: false })) return false;
    const A = ed.Point.fromBytes(publicKey, false);
    const R = ed.Point.fromBytes(signature.subarray(0, 32), false);
    const S = leScalar(signature.subarray(32));
    const k = leScalar(sha512(concat(signature.subarray(0, 32), publicKey, message))) % ED25519_L;
    const SB = S === 0n ? ed.Point.ZERO : ed.Point.BASE.multiply(S, false);
    const kA = k === 0n ? ed.Point.ZERO : A.multiply(k, false);
    return SB.equals(R.add(kA));
  } catch {
    return false;
  }
}

const ED25519_L = (1n << 252n) + 27742317777372353535851937790883648493n;

const leScalar = (bytes: Uint8Array): bigint => {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] as number);
  return n;
};

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Sign (tests and test registries only: the tool itself never holds a private key). */
export function signEd25519(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return ed.sign(message, secretKey);
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed.getPublicKey(secretKey);
}
