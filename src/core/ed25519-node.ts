// Ed25519 verification by node:crypto (OpenSSL), with the strict rules of keys.ts (noble,
// zip215: false) checked first, so that its "valid" implies noble's: canonical A and R, S < L,
// no small-order public key; OpenSSL's cofactorless equation then implies noble's cofactored one
// (and OpenSSL compares R's bytes with the canonical encoding it computes). Its "invalid" is not
// final: keys.ts verifyEd25519 asks noble for anything this does not accept, so the verdict is
// always noble's, found about 15 times faster for a good signature (and noble's base-point table
// is never built for one). test/check.test.ts compares the two on vectors and mutations.
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';

const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
/** y coordinates of the eight small-order points (identity, order 2, 4, 8). */
const SMALL_ORDER_Y = new Set<bigint>([
  1n,
  P - 1n,
  0n,
  0x05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n,
  0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n,
]);
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const leInt = (bytes: Uint8Array): bigint => {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] as number);
  return n;
};
/** y of an encoded point, or null when the encoding is not canonical (y >= p). */
const pointY = (enc: Uint8Array): bigint | null => {
  const y = leInt(enc) & ((1n << 255n) - 1n);
  return y < P ? y : null;
};

/** node:crypto's key for a raw public key; the few keys a process meets are kept (a bundle signs with one key four times). */
const keyObjects = new Map<string, KeyObject>();
function keyObject(publicKey: Uint8Array): KeyObject {
  const hex = Buffer.from(publicKey).toString('hex');
  let key = keyObjects.get(hex);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (keyObjects.size >= 64) keyObjects.clear();
    keyObjects.set(hex, key);
  }
  return key;
}

/** True only for a signature noble (strict) accepts too; false is not final (see above). */
export function leanVerifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  const ay = pointY(publicKey);
  const ry = pointY(signature.subarray(0, 32));
  if (ay === null || ry === null || SMALL_ORDER_Y.has(ay)) return false;
  if (leInt(signature.subarray(32)) >= L) return false;
  try {
    return cryptoVerify(null, message, keyObject(publicKey), signature);
  } catch {
    return false;
  }
}
