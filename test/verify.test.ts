import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from '../src/core/json.js';
import { keyFingerprintBase32, keysFromJson, PINNED_KEYS, publicKeyOf, type TrustedKey } from '../src/core/keys.js';
import { base64Encode } from '../src/core/encoding.js';
import { mergeState } from '../src/core/merge.js';
import { ShapeError } from '../src/core/record.js';
import { verifyBundle, verifyDocument, verifyRecordReceipt, receiptOfBundle, type VerifyReport } from '../src/core/verify.js';
import { seedBundle, vectorRecords } from './support/vectors.js';
import { resignBundle } from './support/sign.js';

const failed = (r: VerifyReport) => r.checks.filter((c) => c.status === 'fail').map((c) => c.id);
const check = (r: VerifyReport, id: string) => r.checks.find((c) => c.id === id);

describe('verifyBundle (core/verify.ts)', () => {
  test('the seed bundle verifies: every check passes', () => {
    const report = verifyBundle(seedBundle(), PINNED_KEYS);
    assert.deepEqual(failed(report), []);
    assert.equal(report.ok, true);
    assert.equal(report.pith_number, 'pith:2021:NMB7QKC2NJYNHLPG6XMF2N35IK');
    for (const id of [
      'canonical_hash',
      'number',
      'short_number',
      'alias:doi',
      'receipt.signature',
      'event[0].signature',
      'event[1].signature',
      'state.merge',
      'state.hash',
      'bundle.hash',
      'bundle.signature',
      'key:pith-v1-2026-05',
    ]) {
      assert.equal(check(report, id)?.status, 'pass', id);
    }
  });

  test("the bundle's state_sha256 is reproduced from its events", () => {
    const bundle = seedBundle();
    const events = bundle.events as JsonObject[];
    const state = mergeState({
      pithNumber: bundle.pith_number as string,
      sourceAliases: bundle.source_aliases as JsonValue,
      events,
      invalidReasons: [null, null],
    });
    assert.equal(state.state_sha256, (bundle.state as JsonObject).state_sha256);
    assert.equal(canonicalJson(state), canonicalJson(bundle.state as JsonObject));
  });

  test('the four vector records verify (hash, canonical JSON, number, short forms)', () => {
    const records = vectorRecords();
    assert.equal(records.length, 4);
    for (const v of records) {
      const report = verifyDocument(v as unknown as JsonObject, PINNED_KEYS);
      assert.deepEqual(failed(report), [], v.arxiv_id);
      assert.equal(report.pith_number, v.pith_number);
      assert.equal(report.canonical_sha256, v.canonical_sha256);
      for (const id of ['canonical_hash', 'canonical_json', 'number', 'short_number:8', 'short_number:12', 'short_number:16']) {
        assert.equal(check(report, id)?.status, 'pass', `${v.arxiv_id} ${id}`);
      }
      assert.equal(report.signatures_checked, false);
      // A bare record (no registry claims beside it) derives the same number.
      const bare = verifyDocument(v.canonical_record, PINNED_KEYS);
      assert.equal(bare.pith_number, v.pith_number);
      assert.equal(check(bare, 'signatures')?.status, 'n/a');
    }
  });

  test('a wrong number beside a record fails the number check', () => {
    const v = vectorRecords()[0]!;
    const report = verifyDocument({ ...(v as unknown as JsonObject), pith_number: v.pith_number.replace(':2022:', ':2023:') }, PINNED_KEYS);
    assert.deepEqual(failed(report), ['number']);
    assert.match(check(report, 'number')!.detail, /year 2023 disagrees/);
  });

  // ---- Field-by-field tampering -------------------------------------------------------------

  type Path = (string | number)[];

  function leaves(value: JsonValue, at: Path = [], out: Path[] = []): Path[] {
    if (value !== null && typeof value === 'object') {
      const entries: [string | number, JsonValue][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
      if (entries.length === 0) out.push(at);
      for (const [k, v] of entries) leaves(v, [...at, k], out);
    } else out.push(at);
    return out;
  }

  function mutate(root: JsonObject, path: Path): void {
    let parent: JsonValue = root;
    for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, JsonValue>)[k] as JsonValue;
    const key = path[path.length - 1]!;
    const holder = parent as Record<string | number, JsonValue>;
    const old = holder[key] as JsonValue;
    if (typeof old === 'string') holder[key] = old === '' ? 'x' : old.slice(0, -1) + (old.endsWith('A') ? 'B' : 'A');
    else if (typeof old === 'number') holder[key] = old + 1;
    else if (typeof old === 'boolean') holder[key] = !old;
    else if (old === null) holder[key] = 'tampered';
    else if (Array.isArray(old)) old.push('tampered');
    else (old as JsonObject).tampered = true;
  }

  /** The check that names a tampered field: the most specific hash or signature covering it. */
  function expectedCheck(path: Path, bundle: JsonObject): string | null {
    const [top, a, b, c] = path;
    const p = path.join('.');
    switch (top) {
      case 'canonical_record':
      case 'canonical_sha256':
        return 'canonical_hash';
      case 'pith_number':
        return 'number';
      case 'short_pith_number':
        return 'short_number';
      case 'source':
        return 'source';
      case 'source_aliases': {
        const alias = (bundle.source_aliases as JsonObject[])[a as number]!;
        return b === 'alias_value' ? `alias:${alias.alias_kind as string}` : 'state.merge';
      }
      case 'events':
        if (b === 'content_sha256') return `event[${a}].content_hash`;
        if (b === 'event_id') return `event[${a}].event_id`;
        if (b === 'signature') return c === 'signed_at' ? 'bundle.hash' : `event[${a}].signature`;
        if (p.includes('payload.receipt.signature_b64')) return 'receipt.signature';
        return `event[${a}].content_hash`;
      case 'state':
        return a === 'state_sha256' ? 'state.hash' : 'state.merge';
      case 'bundle_signature':
        if (a === 'bundle_sha256') return 'bundle.hash';
        if (a === 'signed_at') return null; // covered by no hash or signature (documented)
        return 'bundle.signature';
      default:
        return 'bundle.hash';
    }
  }

  test('every leaf covered by a hash or signature is caught, one at a time, by the check naming it', () => {
    const pristine = seedBundle();
    const paths = leaves(pristine);
    assert.ok(paths.length > 150, `only ${paths.length} leaves`);
    let tested = 0;
    for (const path of paths) {
      const expected = expectedCheck(path, pristine);
      if (expected === null) continue;
      const bundle = seedBundle();
      mutate(bundle, path);
      let report: VerifyReport;
      try {
        report = verifyBundle(bundle, PINNED_KEYS);
      } catch (err) {
        // A tampered value of the wrong shape is refused as input: also caught, and it must name the field.
        assert.ok(err instanceof ShapeError, `${path.join('.')}: ${String(err)}`);
        assert.ok(path.join('.').startsWith(err.field.replace(/\[(\d+)\]/g, '.$1')), `${path.join('.')} vs ${err.field}`);
        tested++;
        continue;
      }
      assert.equal(report.ok, false, `tampering ${path.join('.')} went unnoticed`);
      assert.equal(
        check(report, expected)?.status,
        'fail',
        `tampering ${path.join('.')}: expected ${expected} to fail; failed: ${failed(report).join(', ')}`,
      );
      tested++;
    }
    assert.ok(tested > 150);
  });

  test('a copy re-signed with a fresh key under the same key_id fails as "untrusted key"', () => {
    const forged = resignBundle(seedBundle(), randomBytes(32), 'pith-v1-2026-05');
    const report = verifyBundle(forged, PINNED_KEYS);
    assert.equal(report.ok, false);
    // The hashes are all consistent: only trust is wrong.
    for (const id of ['canonical_hash', 'event[0].content_hash', 'state.hash', 'bundle.hash'])
      assert.equal(check(report, id)?.status, 'pass', id);
    // Untrusted events are not applied, so the claimed state cannot be reproduced either.
    assert.equal(check(report, 'state.merge')?.status, 'fail');
    for (const id of [
      'receipt.signature',
      'event[0].signature',
      'event[1].signature',
      'bundle.signature',
      'key:pith-v1-2026-05',
      'key:listed[0]',
    ]) {
      const c = check(report, id);
      assert.equal(c?.status, 'fail', id);
      assert.equal(c?.code, 'untrusted_key', id);
      assert.match(c!.detail, /untrusted key/);
    }
  });

  test('a test registry key is trusted only when added (--trust-key), and then verifies', () => {
    const secret = randomBytes(32);
    const bundle = resignBundle(seedBundle(), secret, 'test-registry-1');
    const without = verifyBundle(bundle, PINNED_KEYS);
    assert.equal(without.ok, false);
    assert.equal(check(without, 'bundle.signature')?.code, 'untrusted_key');
    const entry = (bundle.public_keys as JsonValue[])[0]!;
    const trusted = [...PINNED_KEYS, ...keysFromJson(entry, 'test-key.json')];
    const withKey = verifyBundle(bundle, trusted);
    assert.deepEqual(failed(withKey), []);
    assert.match(check(withKey, 'key:test-registry-1')!.detail, /trusted from test-key\.json/);
  });

  test('rotates_at is honoured: a signature dated after the rotation fails', () => {
    const pinned = PINNED_KEYS[0]!;
    const rotatedEarly: TrustedKey = { ...pinned, rotatesAt: '2026-07-05T11:00:00Z' };
    const report = verifyBundle(seedBundle(), [rotatedEarly]);
    // The receipt was signed 03:16, before the rotation; the events and bundle at 11:57, after.
    assert.equal(check(report, 'receipt.signature')?.status, 'pass');
    assert.equal(check(report, 'bundle.signature')?.status, 'fail');
    assert.match(check(report, 'bundle.signature')!.detail, /rotated at 2026-07-05T11:00:00Z/);
    const rotatedLater = verifyBundle(seedBundle(), [{ ...pinned, rotatesAt: '2027-01-01T00:00:00Z' }]);
    assert.equal(rotatedLater.ok, true);
  });

  test('an unknown event type is reported, not applied and not dropped', () => {
    const bundle = seedBundle();
    const events = bundle.events as JsonObject[];
    events.push({ ...events[1]!, event_type: 'author_attestation' });
    const report = verifyBundle(bundle, PINNED_KEYS);
    assert.equal(check(report, 'event[2].type')?.status, 'fail');
    assert.match(check(report, 'event[2].type')!.detail, /unknown event type "author_attestation"/);
    assert.equal(report.ok, false);
  });

  test('keys: the pinned fingerprint and its base32 form match the spec', () => {
    const entry = (seedBundle().public_keys as JsonObject[])[0]!;
    const [key] = keysFromJson(entry, 'bundle');
    assert.equal(key!.fingerprint, PINNED_KEYS[0]!.fingerprint);
    assert.equal(keyFingerprintBase32(key!.publicKey), entry.fingerprint_sha256_b32_first128bits);
    assert.throws(() => keysFromJson({ ...entry, fingerprint_sha256_hex: '00'.repeat(16) }, 'k.json'), /fingerprint does not match/);
    assert.throws(() => keysFromJson({ key_id: 'x', public_key_b64: base64Encode(new Uint8Array(31)) }, 'k.json'), /32-byte/);
    assert.equal(keysFromJson([entry, { ...entry, key_id: 'other' }], 'k.json').length, 2);
    void publicKeyOf;
  });

  test('record + receipt alone (what a lock keeps) verify, and a foreign receipt does not', () => {
    const bundle = seedBundle();
    const receipt = receiptOfBundle(bundle)!;
    const ok = verifyRecordReceipt(bundle.canonical_record, receipt, PINNED_KEYS, { pith_number: bundle.pith_number! });
    assert.deepEqual(failed(ok), []);
    const other = vectorRecords()[0]!.canonical_record;
    const bad = verifyRecordReceipt(other, receipt, PINNED_KEYS);
    assert.deepEqual(failed(bad).sort(), ['receipt.hash', 'receipt.signature']);
    assert.ok(isJsonObject(receipt));
  });

  test('documents of the wrong shape are refused as input, naming the field', () => {
    assert.throws(() => verifyDocument([], PINNED_KEYS), /not an array/);
    assert.throws(
      () => verifyDocument({ bundle_type: 'other' }, PINNED_KEYS),
      (e: unknown) => e instanceof ShapeError && e.field === 'bundle_type',
    );
    const bundle = seedBundle();
    bundle.events = {};
    assert.throws(
      () => verifyDocument(bundle, PINNED_KEYS),
      (e: unknown) => e instanceof ShapeError && e.field === 'events',
    );
    const noMeta = seedBundle();
    delete (noMeta.canonical_record as JsonObject).metadata;
    assert.throws(
      () => verifyDocument(noMeta, PINNED_KEYS),
      (e: unknown) => e instanceof ShapeError && e.field === 'canonical_record.metadata',
    );
  });
});
