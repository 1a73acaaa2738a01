import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { base32Encode, BASE32_ALPHABET, hexToBytes } from '../src/core/encoding.js';
import { bodyFromSha256Hex, numberMismatch, parsePithNumber, pithNumberFrom, NumberFormatError } from '../src/core/number.js';
import { vectorRecords } from './support/vectors.js';
import { rng } from './support/random.js';
import { SEED } from './support/seed.js';

test('numbers derive from the digest for every vector (body, year, short forms)', () => {
  for (const v of vectorRecords()) {
    const meta = v.canonical_record.metadata as { submitted_at: string };
    const n = pithNumberFrom(v.canonical_sha256, meta.submitted_at);
    assert.equal(n.full, v.pith_number);
    assert.equal(n.body.slice(0, 8), v.pith_short_8);
    assert.equal(n.body.slice(0, 12), v.pith_short_12);
    assert.equal(n.body.slice(0, 16), v.pith_short_16);
  }
});

test('base32 agrees with Python base64.b32encode on random bytes', () => {
  const r = rng(7);
  const samples = Array.from({ length: 200 }, (_, i) => Uint8Array.from({ length: i % 40 }, () => Math.floor(r() * 256)));
  const hex = samples.map((b) => Buffer.from(b).toString('hex')).join('\n');
  const py = execFileSync(
    'python3',
    ['-c', "import sys,base64\nfor h in sys.stdin.read().split('\\n'): print(base64.b32encode(bytes.fromhex(h)).decode().rstrip('='))"],
    { input: hex },
  )
    .toString()
    .split('\n');
  samples.forEach((b, i) => assert.equal(base32Encode(b), py[i], `sample ${i}`));
});

test('the body is 130 bits: the 26th character can be any of the 32 symbols', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 32; i++) {
    const digest = new Uint8Array(32);
    digest[15] = i >> 2; // bits 125..129 sit in bytes 15 and 16
    digest[16] = (i & 3) << 6;
    seen.add(bodyFromSha256Hex(Buffer.from(digest).toString('hex')).at(-1)!);
  }
  assert.equal(seen.size, 32);
  assert.equal(bodyFromSha256Hex(SEED.sha256), SEED.body);
  void hexToBytes;
  void BASE32_ALPHABET;
});

test('every written form parses and normalises', () => {
  const body = SEED.body;
  assert.deepEqual(parsePithNumber(`pith:2021:${body}`), { kind: 'full', body, year: '2021' });
  assert.deepEqual(parsePithNumber(`pith:${body}`), { kind: 'full', body, year: null });
  assert.deepEqual(parsePithNumber(body.toLowerCase()), { kind: 'full', body, year: null });
  assert.deepEqual(parsePithNumber(` PITH:2021:${body.toLowerCase()} `), { kind: 'full', body, year: '2021' });
  for (const n of [8, 12, 16] as const) {
    assert.deepEqual(parsePithNumber(`pith:${body.slice(0, n)}`), { kind: 'short', prefix: body.slice(0, n), length: n });
    assert.deepEqual(parsePithNumber(body.slice(0, n).toLowerCase()), { kind: 'short', prefix: body.slice(0, n), length: n });
  }
});

const malformed: [string, RegExp][] = [
  ['', /empty Pith number/],
  ['NMB7QKC2NJYNHLPG6XMF2N35I', /has 25 characters/],
  ['NMB7QKC2NJYNHLPG6XMF2N35IKA', /has 27 characters/],
  ['NMB7QKC2NJYNHLPG6XMF2N35I1', /character "1" outside A-Z and 2-7 \(base32 has no 1; did you mean I\?\)/],
  ['NMB7QKC2NJYNHLPG6XMF2N35I0', /did you mean O\?/],
  ['pith:21:NMB7QKC2NJYNHLPG6XMF2N35IK', /year "21" .* is not four digits/],
  ['pith:2021:NMB7QKC2', /a number with a year needs all 26 characters/],
  ['doi:NMB7QKC2NJYNHLPG6XMF2N35IK', /does not start with "pith:"/],
  ['pith:2021:NMB7:QKC2', /too many ":" parts/],
  ['NMB7QKC2NJ', /has 10 characters/],
];
for (const [input, message] of malformed) {
  test(`a malformed number is refused with what is wrong: ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => parsePithNumber(input),
      (err: unknown) => err instanceof NumberFormatError && message.test(err.message),
    );
  });
}

test('a number compared with the record names the disagreement (body, year, prefix)', () => {
  const actual = pithNumberFrom(SEED.sha256, '2021-09-22T00:57:46Z');
  assert.equal(numberMismatch(parsePithNumber(SEED.number), actual), null);
  assert.equal(numberMismatch(parsePithNumber('pith:NMB7QKC2'), actual), null);
  assert.match(
    numberMismatch(parsePithNumber(`pith:2022:${SEED.body}`), actual)!,
    /year 2022 disagrees with the record's submission year 2021/,
  );
  assert.match(numberMismatch(parsePithNumber('AAAAAAAA'), actual)!, /not a prefix/);
  assert.match(numberMismatch(parsePithNumber('NMB7QKC2NJYNHLPG6XMF2N35IA'), actual)!, /differs from the record's/);
});
