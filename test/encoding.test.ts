// SHA-256: encoding.ts hashes with node:crypto; it must be the function @noble/hashes computes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, sha256Bytes, sha256Hex } from '../src/core/encoding.js';
import { rng } from './support/random.js';

test('sha256Bytes equals @noble/hashes sha256 on every length 0..200 and on large and text inputs', () => {
  const r = rng(256);
  for (let n = 0; n <= 200; n++) {
    const data = Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
    assert.equal(bytesToHex(sha256Bytes(data)), bytesToHex(sha256(data)), `length ${n}`);
  }
  const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31 + 7) & 0xff);
  assert.equal(bytesToHex(sha256Bytes(big)), bytesToHex(sha256(big)));
  for (const text of ['', 'abc', 'Café, naïve, α-β', '\u{1F600}', 'a\u0000b']) {
    assert.equal(sha256Hex(text), bytesToHex(sha256(new TextEncoder().encode(text))), JSON.stringify(text));
  }
  // The FIPS 180-4 example, so that neither can be wrong the same way.
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
