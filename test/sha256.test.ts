// src/core/sha256.ts (WebAssembly compression, src/core/sha256.wat) against node:crypto and
// @noble/hashes, on the FIPS 180-4 examples, on every length up to four blocks, across the
// 64,512-byte chunks it feeds the module, and on large inputs; and the committed module bytes
// against a fresh assembly of the .wat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { sha256, sha256Hex } from '../src/core/sha256.js';
import { repoRoot } from './helpers.js';
import { rng } from './support/random.js';

const opensslHex = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

test('sha256: the FIPS 180-4 / NIST examples', () => {
  // FIPS 180-4 appendix examples (NIST CSRC "Examples with Intermediate Values", SHA-256).
  const examples: [string, string][] = [
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
    ['a'.repeat(1_000_000), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
  ];
  for (const [text, want] of examples) assert.equal(sha256Hex(text), want, `${text.length} bytes`);
});

test('sha256 agrees with node:crypto and @noble/hashes on every length up to four blocks', () => {
  const r = rng(256);
  for (let n = 0; n <= 256; n++) {
    const data = Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
    const digest = sha256(data);
    assert.equal(hex(digest), opensslHex(data), `${n} bytes`);
    assert.equal(hex(digest), hex(nobleSha256(data)), `${n} bytes (noble)`);
  }
});

test('sha256 agrees with node:crypto across the chunks it feeds the module and on large inputs', () => {
  const CHUNK = 64 * 1024 - 1024;
  const big = randomBytes(5 * 1024 * 1024 + 77);
  for (const n of [CHUNK - 64, CHUNK - 1, CHUNK, CHUNK + 1, CHUNK + 55, CHUNK + 56, CHUNK + 64, 2 * CHUNK, 2 * CHUNK + 63, big.length]) {
    const data = big.subarray(0, n);
    assert.equal(sha256Hex(data), opensslHex(data), `${n} bytes`);
  }
  // A subarray at an offset, and the same call twice (the state is reset each time).
  const slice = big.subarray(3, 3 + 1000);
  assert.equal(sha256Hex(slice), opensslHex(slice));
  assert.equal(sha256Hex(slice), opensslHex(slice));
});

test('sha256 of a string hashes its UTF-8 bytes', () => {
  for (const text of ['Schrödinger', 'π ≈ 3.14159', '\u{1F600} emoji', '']) {
    assert.equal(sha256Hex(text), opensslHex(Buffer.from(text, 'utf8')), text);
  }
});

test('src/core/sha256-wasm.ts is src/core/sha256.wat assembled (node scripts/sha256-wasm.mjs)', async () => {
  const script = pathToFileURL(path.join(repoRoot, 'scripts', 'sha256-wasm.mjs')).href;
  const { generatedModule } = (await import(script)) as { generatedModule: () => Promise<string> };
  const committed = readFileSync(path.join(repoRoot, 'src', 'core', 'sha256-wasm.ts'), 'utf8');
  assert.equal(committed, await generatedModule(), 'run node scripts/sha256-wasm.mjs and commit the result');
});

test('sha256 with the module compiled in the background (compileSha256Soon) gives the same digests', async () => {
  // A fresh copy of the module, whose WebAssembly nothing has compiled yet.
  const url = `${pathToFileURL(path.join(repoRoot, 'dist', 'src', 'core', 'sha256.js')).href}?background`;
  const fresh = (await import(url)) as typeof import('../src/core/sha256.js');
  await fresh.compileSha256Soon();
  const random = rng(7);
  for (const length of [0, 1, 55, 56, 64, 1000, 70_000]) {
    const data = Uint8Array.from({ length }, () => Math.floor(random() * 256));
    assert.equal(hex(fresh.sha256(data)), opensslHex(data), `${length} bytes`);
  }
});
