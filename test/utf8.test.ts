// core/utf8.ts decodes as TextDecoder does: strict (fatal) and lenient, with and without a BOM,
// on valid text, on every kind of malformed sequence and on random bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeUtf8Lenient, decodeUtf8Strict } from '../src/core/utf8.js';
import { rng } from './support/random.js';

const strict = (b: Uint8Array, ignoreBOM = false): string | null => {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM }).decode(b);
  } catch {
    return null;
  }
};

test('decodeUtf8Strict and decodeUtf8Lenient agree with TextDecoder on malformed sequences and random bytes', () => {
  const cases: number[][] = [
    [],
    [0xef, 0xbb, 0xbf, 0x41],
    [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf],
    [0xc3, 0xa9],
    [0xc3],
    [0xc0, 0xaf], // overlong
    [0xe0, 0x80, 0xaf],
    [0xed, 0xa0, 0x80], // an encoded surrogate
    [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    [0xf0, 0x9f, 0x98],
    [0x80, 0x80, 0x41],
    [0xff, 0xfe, 0x41, 0x00],
  ];
  const r = rng(8);
  for (let i = 0; i < 3000; i++) {
    const n = Math.floor(r() * 12);
    // Mostly high bytes: every lead and continuation pattern, truncated and overlong.
    cases.push(Array.from({ length: n }, () => (r() < 0.7 ? 0x80 + Math.floor(r() * 128) : Math.floor(r() * 128))));
  }
  for (const c of cases) {
    const b = Uint8Array.from(c);
    assert.equal(decodeUtf8Strict(b), strict(b), `strict ${c}`);
    assert.equal(decodeUtf8Strict(b, true), strict(b, true), `strict, BOM kept ${c}`);
    assert.equal(decodeUtf8Lenient(b), new TextDecoder().decode(b), `lenient ${c}`);
  }
  const text = 'Schrödinger, π, \u{1F600}, \u0000 and CRLF\r\n';
  assert.equal(decodeUtf8Strict(Buffer.from(text)), text);
});
