// Item 8 of issue 12: one Ed25519 verdict, the strict one. RFC 8032 cofactorless with canonical
// encodings; small-order and non-canonical public keys can never be trusted. Proved on the
// published edge-case vectors (Wycheproof, "Taming the many EdDSAs") and by a differential test
// against node:crypto (OpenSSL) on generated signatures with small- and mixed-order parts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { leanVerifyEd25519 } from '../../src/core/ed25519-node.js';
import { keysFromJson, nobleVerifyEd25519, unusableKeyReason, verifyEd25519 } from '../../src/core/keys.js';
import { fixture } from '../helpers.js';
import { rng } from '../support/random.js';

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

/** OpenSSL's verdict through node:crypto. */
function openssl(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  if (sig.length !== 64 || pub.length !== 32) return false;
  try {
    return cryptoVerify(null, msg, createPublicKey({ key: Buffer.concat([SPKI, pub]), format: 'der', type: 'spki' }), sig);
  } catch {
    return false;
  }
}

/** The verdict of both of pith-tex's verifiers, asserted to be one. */
function verdict(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array, label: string): boolean {
  const full = nobleVerifyEd25519(sig, msg, pub);
  const lean = leanVerifyEd25519(sig, msg, pub);
  assert.equal(lean, full, `${label}: the lean (ed25519-node.ts) and noble (keys.ts) verifiers disagree`);
  assert.equal(verifyEd25519(sig, msg, pub), full, `${label}: verifyEd25519 (lean first, then noble) is not noble's verdict`);
  return full;
}

interface WycheproofFile {
  testGroups: {
    key?: { pk: string };
    publicKey?: { pk: string };
    tests: { tcId: number; msg: string; sig: string; result: string; flags: string[] }[];
  }[];
}

for (const name of ['wycheproof-ed25519_test.json', 'wycheproof-eddsa_test.json']) {
  test(`Wycheproof ${name}: every test's expected result, and node:crypto's`, () => {
    const data = JSON.parse(readFileSync(fixture('ed25519', name), 'utf8')) as WycheproofFile;
    let count = 0;
    for (const group of data.testGroups) {
      const pub = hex((group.publicKey ?? group.key)?.pk as string);
      assert.equal(unusableKeyReason(pub), null);
      for (const t of group.tests) {
        const expected = t.result === 'valid';
        const got = verdict(hex(t.sig), hex(t.msg), pub, `tcId ${t.tcId}`);
        assert.equal(got, expected, `tcId ${t.tcId} (${t.flags.join(', ')}): expected ${t.result}`);
        assert.equal(openssl(hex(t.sig), hex(t.msg), pub), expected, `tcId ${t.tcId}: node:crypto`);
        count++;
      }
    }
    assert.ok(count >= 145, `${count} tests read`);
  });
}

test('speccheck ("Taming the many EdDSAs") cases: cofactorless, canonical, small-order keys refused', () => {
  const cases = JSON.parse(readFileSync(fixture('ed25519', 'speccheck-cases.json'), 'utf8')) as {
    message: string;
    pub_key: string;
    signature: string;
  }[];
  assert.equal(cases.length, 12);
  // The paper's table (speccheck README): cases 0-1 have a small-order A (refused, as libsodium
  // does), 2-3 pass cofactorless, 4-5 pass only cofactored (mixed-order R), 6-7 have S >= L,
  // 8-9 a non-canonical R, 10-11 a non-canonical small-order A.
  const expected = [false, false, true, true, false, false, false, false, false, false, false, false];
  // OpenSSL 3's row of the same table: it accepts small-order A (0, 1) and a non-canonical one (11).
  const opensslRow = [true, true, true, true, false, false, false, false, false, false, false, true];
  cases.forEach((c, i) => {
    const [sig, msg, pub] = [hex(c.signature), hex(c.message), hex(c.pub_key)];
    assert.equal(verdict(sig, msg, pub, `case ${i}`), expected[i], `case ${i}`);
    assert.equal(openssl(sig, msg, pub), opensslRow[i], `case ${i}: node:crypto`);
    // Where OpenSSL differs, the key is one pith-tex never trusts.
    if (opensslRow[i] !== expected[i]) {
      assert.notEqual(unusableKeyReason(pub), null, `case ${i}`);
      assert.throws(() => keysFromJson({ key_id: 'k', public_key_hex: c.pub_key }, 'test'), /can never be trusted/);
    }
  });
});

// ------------------------------------------------------------------ the differential test
const Point = ed.Point;
const T8 = Point.fromBytes(hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'), false); // order 8
const TORSION = Array.from({ length: 8 }, (_, i) => (i === 0 ? Point.ZERO : T8.multiply(BigInt(i), false)));
const le = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};
const leInt = (b: Uint8Array): bigint => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const challenge = (R: Uint8Array, A: Uint8Array, m: Uint8Array): bigint => leInt(sha512(cat(R, A, m))) % L;

test("differential: 10,008 generated signatures with small- and mixed-order parts; the verdict is OpenSSL's for every trustable key", () => {
  const r = rng(20261128);
  const scalar = (): bigint => {
    let n = 0n;
    for (let i = 0; i < 8; i++) n = (n << 32n) | BigInt(Math.floor(r() * 2 ** 32));
    return (n % (L - 1n)) + 1n;
  };
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
  const kinds = ['honest', 'mixed-R', 'small-R', 'mixed-A', 'S+L', 'noncanonical-R', 'small-A', 'wrong-message', 'random'] as const;
  const tally = new Map<string, { n: number; accepted: number; agreed: number }>();
  const N = 10_008;
  for (let i = 0; i < N; i++) {
    const kind = kinds[i % kinds.length] as (typeof kinds)[number];
    const msg = bytes(Math.floor(r() * 40));
    const a = scalar();
    const rr = scalar();
    const t = TORSION[1 + Math.floor(r() * 7)] as InstanceType<typeof Point>;
    let Apt = Point.BASE.multiply(a);
    if (kind === 'mixed-A') Apt = Apt.add(t);
    let Rpt = Point.BASE.multiply(rr);
    if (kind === 'mixed-R') Rpt = Rpt.add(t);
    if (kind === 'small-R') Rpt = TORSION[Math.floor(r() * 8)] as InstanceType<typeof Point>;
    let A: Uint8Array = Apt.toBytes();
    let R: Uint8Array = Rpt.toBytes();
    if (kind === 'small-A') A = (TORSION[Math.floor(r() * 8)] as InstanceType<typeof Point>).toBytes();
    const k = challenge(R, A, msg);
    const rScalar = kind === 'small-R' ? 0n : rr;
    let S = (rScalar + k * a) % L;
    if (kind === 'small-A') {
      // [S]B = R + [k]A with A of small order: R = [S]B - [k]A (the forgery a small key allows).
      const Asmall = Point.fromBytes(A, true);
      S = scalar();
      for (let j = 0; j < 8 && i % 2 === 0; j++) {
        const guess = Point.BASE.multiply(S)
          .subtract(TORSION[j] as InstanceType<typeof Point>)
          .toBytes();
        if (Asmall.multiply(challenge(guess, A, msg) || 1n, false).equals(TORSION[j] as InstanceType<typeof Point>)) {
          R = guess;
          break;
        }
      }
    }
    if (kind === 'S+L') S += L;
    if (kind === 'noncanonical-R') {
      // Only y < 19 has a second encoding (y + p): the identity (y = 1) and its like.
      R = le(1n + P);
      S = (k * a) % L;
    }
    let sig: Uint8Array = cat(R, le(S));
    let m: Uint8Array = msg;
    if (kind === 'wrong-message') m = cat(msg, Uint8Array.of(1));
    if (kind === 'random') {
      sig = bytes(64);
      A = r() < 0.5 ? bytes(32) : A;
    }
    const ours = verdict(sig, m, A, `${kind} #${i}`);
    const theirs = openssl(sig, m, A);
    const entry = tally.get(kind) ?? { n: 0, accepted: 0, agreed: 0 };
    entry.n++;
    if (ours) entry.accepted++;
    if (unusableKeyReason(A) === null) {
      assert.equal(
        ours,
        theirs,
        `${kind} #${i}: pith-tex ${ours}, node:crypto ${theirs} (sig ${Buffer.from(sig).toString('hex')}, A ${Buffer.from(A).toString('hex')})`,
      );
      entry.agreed++;
    } else {
      assert.equal(ours, false, `${kind} #${i}: a signature under an untrustable key was accepted`);
    }
    tally.set(kind, entry);
  }
  const got = (k: string) => tally.get(k) as { n: number; accepted: number; agreed: number };
  assert.equal(
    [...tally.values()].reduce((n, e) => n + e.n, 0),
    N,
  );
  // The generator makes what it says: honest signatures verify, mixed-order R never does.
  assert.equal(got('honest').accepted, got('honest').n);
  assert.equal(got('mixed-R').accepted, 0);
  assert.equal(got('S+L').accepted, 0);
  assert.equal(got('small-A').accepted, 0);
  assert.ok(got('mixed-A').accepted > 0 && got('mixed-A').accepted < got('mixed-A').n, 'mixed-order A: some verify (8 | k), most not');
  assert.ok(got('honest').agreed + got('mixed-R').agreed + got('mixed-A').agreed >= 3 * (N / kinds.length) - 3);
});

test('the mixed-order R of the issue: noble alone (cofactored) accepts it, pith-tex and OpenSSL refuse it', () => {
  const sk = hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const { scalar, pointBytes } = ed.utils.getExtendedPublicKey(sk);
  const msg = new TextEncoder().encode('pith');
  const R = Point.BASE.multiply(12345n).add(T8).toBytes();
  const S = (12345n + challenge(R, pointBytes, msg) * scalar) % L;
  const sig = cat(R, le(S));
  assert.equal(ed.verify(sig, msg, pointBytes, { zip215: false }), true, 'noble zip215:false is cofactored');
  assert.equal(verdict(sig, msg, pointBytes, 'mixed R'), false);
  assert.equal(openssl(sig, msg, pointBytes), false);
});
