// Full verification of a Pith bundle or record (spec §6): every check reported separately.
import { base64Decode, hexToBytes, isSha256Hex, sha256Hex } from './encoding.js';
import { canonicalJson, isJsonObject, omitKeys, type JsonObject, type JsonValue } from './json.js';
import { keyFingerprint, verifyEd25519, type TrustedKey } from './keys.js';
import { firstDifference, KNOWN_EVENT_TYPES, MERGE_VERSION, mergeState, stateSha256 } from './merge.js';
import { bodyFromSha256Hex, formatNumber, numberMismatch, parsePithNumber, type PithNumber } from './number.js';
import { assertCanonicalRecord, canonicalSha256, numberOfRecord, ShapeError, type CanonicalRecord } from './record.js';
import type { SignatureVerifier } from './check.js';

export type CheckStatus = 'pass' | 'fail' | 'n/a';

export interface Check {
  /** Stable identifier, e.g. `canonical_hash`, `event[1].signature`, `alias:doi`. */
  id: string;
  status: CheckStatus;
  /** What was found, or why it failed or does not apply. */
  detail: string;
  /** Set on signature failures caused by a key that is not trusted. */
  code?: 'untrusted_key';
}

export interface VerifyReport {
  report: 'pith-tex/verify';
  report_version: 1;
  kind: 'bundle' | 'record' | 'receipt';
  ok: boolean;
  pith_number: string | null;
  canonical_sha256: string | null;
  /** False for a bare record: it carries no signatures. */
  signatures_checked: boolean;
  checks: Check[];
}

const EXPECTED_SIGNED_MESSAGE = {
  receipt: 'canonical_sha256_bytes',
  event: 'open_graph_event_sha256_bytes',
  bundle: 'bundle_sha256_bytes',
} as const;

class Checks {
  readonly list: Check[] = [];
  add(id: string, status: CheckStatus, detail: string, code?: Check['code']): void {
    this.list.push(code ? { id, status, detail, code } : { id, status, detail });
  }
  /** Record a comparison: pass when equal, fail otherwise. */
  compare(id: string, actual: unknown, expected: unknown, what: string): void {
    if (actual === expected) this.add(id, 'pass', `${what} ${String(expected)}`);
    else this.add(id, 'fail', `${what}: found ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}

function finish(kind: VerifyReport['kind'], checks: Checks, num: PithNumber | null, sha: string | null, sigs: boolean): VerifyReport {
  return {
    report: 'pith-tex/verify',
    report_version: 1,
    kind,
    ok: checks.list.every((c) => c.status !== 'fail'),
    pith_number: num?.full ?? null,
    canonical_sha256: sha,
    signatures_checked: sigs,
    checks: checks.list,
  };
}

/** What kind of document a parsed JSON file is; throws ShapeError for anything else. */
export function classifyDocument(doc: JsonValue): 'bundle' | 'record-envelope' | 'record' | 'receipt' {
  if (Array.isArray(doc)) throw new ShapeError('(top level)', 'a JSON object (a Pith bundle or canonical record), not an array');
  if (!isJsonObject(doc)) throw new ShapeError('(top level)', 'a JSON object (a Pith bundle or canonical record)');
  if ('bundle_type' in doc) {
    if (doc.bundle_type !== 'pith_open_graph_bundle') throw new ShapeError('bundle_type', '"pith_open_graph_bundle"');
    return 'bundle';
  }
  if ('canonical_record' in doc) return 'record-envelope';
  if (isBareReceipt(doc)) return 'receipt';
  if ('schema_version' in doc || 'source' in doc || 'metadata' in doc) return 'record';
  throw new ShapeError('(top level)', 'a Pith bundle (bundle_type) or a canonical record (schema_version, source, metadata)');
}

/** Verify any supported document. ShapeError for input that is not of the format at all. */
export function verifyDocument(doc: JsonValue, trusted: readonly TrustedKey[]): VerifyReport {
  const kind = classifyDocument(doc);
  if (kind === 'bundle') return verifyBundle(doc as JsonObject, trusted);
  if (kind === 'record-envelope') return verifyRecordEnvelope(doc as JsonObject);
  if (kind === 'receipt') return verifyBareReceipt(doc as JsonObject, trusted);
  return verifyRecordEnvelope({ canonical_record: doc });
}

/**
 * A bare record, or a record with the registry's claims beside it (canonical_sha256,
 * pith_number, pith_short_N, as the resolver's JSON-LD and the vectors carry): hash and
 * number checks only.
 */
export function verifyRecordEnvelope(env: JsonObject): VerifyReport {
  const record = env.canonical_record;
  assertCanonicalRecord(record, 'canonical_record' in env && Object.keys(env).length > 1 ? 'canonical_record' : '');
  const checks = new Checks();
  const sha = canonicalSha256(record);
  const num = numberOfRecord(record);
  if (env.canonical_sha256 === undefined)
    checks.add('canonical_hash', 'n/a', `computed ${sha}; no registry value beside the record to compare`);
  else checks.compare('canonical_hash', env.canonical_sha256, sha, 'canonical_sha256');
  if (typeof env.canonical_json === 'string') {
    checks.compare('canonical_json', env.canonical_json, canonicalJson(record), 'canonical_json');
  }
  if (env.pith_number === undefined) checks.add('number', 'n/a', `derived ${num.full}; no registry number beside the record to compare`);
  else checkNumber(checks, 'number', env.pith_number, num);
  for (const n of [8, 12, 16]) {
    const key = `pith_short_${n}`;
    if (env[key] !== undefined) checks.compare(`short_number:${n}`, env[key], num.body.slice(0, n), key);
  }
  checks.add('signatures', 'n/a', 'not checked: a record alone carries no signatures (verify the bundle for those)');
  return finish('record', checks, num, sha, false);
}

/**
 * A receipt without its record, as older record pages show it: the key id, the signed canonical
 * hash and the Ed25519 signature (`signature` in base64 or hex, or the bundle receipt's own shape
 * with `signature_b64`). The signature is over the 32 raw digest bytes. It proves the registry
 * signed this hash, not which record has it: compare the hash with the record's.
 */
const isBareReceipt = (doc: JsonObject): boolean =>
  doc.kind === 'pith_receipt' || ('key_id' in doc && 'canonical_sha256' in doc && ('signature' in doc || 'signature_b64' in doc));

export function verifyBareReceipt(doc: JsonObject, trusted: readonly TrustedKey[]): VerifyReport {
  const sha = doc.canonical_sha256;
  if (typeof sha !== 'string' || !isSha256Hex(sha.toLowerCase()))
    throw new ShapeError('canonical_sha256', '64 hex characters (the signed canonical hash)');
  if (typeof doc.key_id !== 'string') throw new ShapeError('key_id', 'the signing key id, e.g. "pith-v1-2026-05"');
  const raw = doc.signature_b64 ?? doc.signature;
  if (typeof raw !== 'string') throw new ShapeError('signature', 'the Ed25519 signature, base64 or hex');
  const signatureB64 = /^[0-9a-fA-F]{128}$/.test(raw) ? Buffer.from(raw, 'hex').toString('base64') : raw.trim();
  const digest = sha.toLowerCase();
  const checks = new Checks();
  const sig: JsonObject = {
    algorithm: doc.algorithm ?? 'ed25519',
    signed_message: doc.signed_message ?? EXPECTED_SIGNED_MESSAGE.receipt,
    key_id: doc.key_id,
    signature_b64: signatureB64,
  };
  for (const k of ['signed_at', 'public_key_fingerprint', 'signature_status'] as const)
    if (doc[k] !== undefined) sig[k] = doc[k] as JsonValue;
  checkSignature(checks, 'receipt.signature', sig, EXPECTED_SIGNED_MESSAGE.receipt, digest, {
    trusted,
    verify: verifyEd25519,
    listedKeys: [],
  });
  let num: PithNumber | null = null;
  if (typeof doc.pith_number === 'string') {
    const body = bodyFromSha256Hex(digest);
    let parsed: ReturnType<typeof parsePithNumber> | null = null;
    try {
      parsed = parsePithNumber(doc.pith_number);
    } catch {
      /* reported below as a failed number check */
    }
    const given = parsed === null ? null : parsed.kind === 'full' ? parsed.body : parsed.prefix;
    if (parsed !== null && given !== null && body.startsWith(given)) {
      checks.add('number', 'pass', `pith_number ${doc.pith_number}: its body is derived from the hash (the year needs the record)`);
      if (parsed.kind === 'full' && parsed.year !== null) num = { body, year: parsed.year, full: `pith:${parsed.year}:${body}` };
    } else checks.add('number', 'fail', `pith_number ${doc.pith_number}: the hash gives the body ${body}`);
  }
  checks.add(
    'record',
    'n/a',
    'not here: a bare receipt proves the registry signed this hash; the record with this canonical_sha256 is the one it vouches for',
  );
  return finish('receipt', checks, num, digest, true);
}

interface SignatureContext {
  trusted: readonly TrustedKey[];
  /** Ed25519's verdict on one signature (keys.ts verifyEd25519 unless the caller gives its own). */
  verify: SignatureVerifier;
  /** The bundle's own key list, used only to explain a failure, never to trust. */
  listedKeys: readonly JsonValue[];
}

/** Check one signature object over a 32-byte digest given as hex. */
function checkSignature(
  checks: Checks,
  id: string,
  sig: JsonValue | undefined,
  expectedMessage: string,
  digestHex: string,
  ctx: SignatureContext,
): void {
  if (!isJsonObject(sig)) return checks.add(id, 'fail', 'no signature object');
  if (sig.algorithm !== 'ed25519') return checks.add(id, 'fail', `algorithm ${JSON.stringify(sig.algorithm)}, expected "ed25519"`);
  if (sig.signed_message !== expectedMessage) {
    return checks.add(id, 'fail', `signed_message ${JSON.stringify(sig.signed_message)}, expected "${expectedMessage}"`);
  }
  if (sig.signature_status !== undefined && sig.signature_status !== 'signed_v1') {
    return checks.add(id, 'fail', `signature_status ${JSON.stringify(sig.signature_status)}, expected "signed_v1"`);
  }
  const keyId = sig.key_id;
  const key = ctx.trusted.find((k) => k.keyId === keyId);
  if (!key) {
    return checks.add(
      id,
      'fail',
      `untrusted key: key_id ${JSON.stringify(keyId)} is not pinned (a bundle cannot vouch for its own key; add one with --trust-key)`,
      'untrusted_key',
    );
  }
  if (sig.public_key_fingerprint !== undefined && sig.public_key_fingerprint !== key.fingerprint) {
    return checks.add(
      id,
      'fail',
      `untrusted key: fingerprint ${JSON.stringify(sig.public_key_fingerprint)} is not the pinned ${key.fingerprint} of ${key.keyId}`,
      'untrusted_key',
    );
  }
  if (key.rotatesAt !== null) {
    const signedAt = typeof sig.signed_at === 'string' ? Date.parse(sig.signed_at) : NaN;
    if (Number.isNaN(signedAt))
      return checks.add(id, 'fail', `key ${key.keyId} rotates at ${key.rotatesAt}; the signature has no readable signed_at`);
    if (signedAt >= Date.parse(key.rotatesAt)) {
      return checks.add(id, 'fail', `key ${key.keyId} was rotated at ${key.rotatesAt}; this signature is dated ${String(sig.signed_at)}`);
    }
  }
  const signature = typeof sig.signature_b64 === 'string' ? base64Decode(sig.signature_b64) : null;
  if (!signature || signature.length !== 64) return checks.add(id, 'fail', 'signature_b64 is not base64 of a 64-byte Ed25519 signature');
  if (!isSha256Hex(digestHex)) return checks.add(id, 'fail', 'the signed digest is not 64 hex characters');
  const message = hexToBytes(digestHex);
  if (ctx.verify(signature, message, key.publicKey)) {
    return checks.add(id, 'pass', `Ed25519 by ${key.keyId} (${key.origin}) over ${expectedMessage}`);
  }
  // Say "untrusted key" when the bundle's own listed key for this key_id made the signature.
  for (const listed of ctx.listedKeys) {
    if (!isJsonObject(listed) || listed.key_id !== keyId || typeof listed.public_key_b64 !== 'string') continue;
    const other = base64Decode(listed.public_key_b64);
    if (other && other.length === 32 && ctx.verify(signature, message, other)) {
      return checks.add(
        id,
        'fail',
        `untrusted key: signed by the bundle's own key for ${key.keyId} (fingerprint ${keyFingerprint(other)}), not the pinned key (${key.fingerprint})`,
        'untrusted_key',
      );
    }
  }
  checks.add(id, 'fail', `invalid signature: does not verify under ${key.keyId} for digest ${digestHex}`);
}

function requireField(doc: JsonObject, field: string, test: (v: JsonValue | undefined) => boolean, expected: string): void {
  if (!test(doc[field])) throw new ShapeError(field, expected);
}

/**
 * Every check of a bundle (spec §5). `verify` judges each Ed25519 signature: keys.ts
 * verifyEd25519 by default; stamp gives one that first consults the memory of verified
 * signatures (io/signature-memo.ts), whose "yes" is a verdict verifyEd25519 gave before.
 */
export function verifyBundle(bundle: JsonObject, trusted: readonly TrustedKey[], verify: SignatureVerifier = verifyEd25519): VerifyReport {
  // Shape first: a document that is not a bundle at all is bad input (exit 2), not a failed check.
  assertCanonicalRecord(bundle.canonical_record, 'canonical_record');
  requireField(bundle, 'events', Array.isArray, 'an array of events');
  requireField(bundle, 'state', isJsonObject, 'the merged state object');
  requireField(bundle, 'bundle_signature', isJsonObject, 'the bundle signature object');
  const events = bundle.events as JsonValue[];
  events.forEach((e, i) => {
    if (!isJsonObject(e)) throw new ShapeError(`events[${i}]`, 'an event object');
  });
  const record = bundle.canonical_record as CanonicalRecord;
  const checks = new Checks();
  const ctx: SignatureContext = { trusted, verify, listedKeys: Array.isArray(bundle.public_keys) ? bundle.public_keys : [] };

  // 1. The record, its hash and its number.
  const sha = canonicalSha256(record);
  const num = numberOfRecord(record);
  checks.compare('canonical_hash', bundle.canonical_sha256, sha, 'canonical_sha256 of canonical_record');
  checkNumber(checks, 'number', bundle.pith_number, num);
  checks.compare('short_number', bundle.short_pith_number, formatNumber({ body: num.body.slice(0, 8) }), 'short_pith_number');
  const sourceDiff = firstDifference(bundle.source, record.source);
  if (sourceDiff === null) checks.add('source', 'pass', `source ${record.source.kind}:${record.source.id}v${record.source.version}`);
  else checks.add('source', 'fail', `source differs from canonical_record.source at ${sourceDiff}`);
  checkAliases(checks, bundle.source_aliases, record, num);

  // 2. Events: hash, id, subject, type, signature; record_created's payload and receipt.
  const invalidReasons: (string | null)[] = [];
  let recordCreatedSeen = 0;
  events.forEach((value, i) => {
    const event = value as JsonObject;
    const at = `event[${i}]`;
    const before = checks.list.length;
    const content = sha256Hex(canonicalJson(omitKeys(event, ['signature', 'content_sha256', 'event_id'])));
    checks.compare(`${at}.content_hash`, event.content_sha256, content, 'content_sha256');
    checks.compare(`${at}.event_id`, event.event_id, `sha256:${content}`, 'event_id');
    checks.compare(`${at}.subject`, event.subject_pith_number, num.full, 'subject_pith_number');
    const type = event.event_type;
    if (typeof type === 'string' && (KNOWN_EVENT_TYPES as readonly string[]).includes(type))
      checks.add(`${at}.type`, 'pass', `event_type ${type}`);
    else
      checks.add(
        `${at}.type`,
        'fail',
        `unknown event type ${JSON.stringify(type)}: this pith-tex cannot merge it (not applied, not dropped; upgrade pith-tex)`,
      );
    checkSignature(checks, `${at}.signature`, event.signature, EXPECTED_SIGNED_MESSAGE.event, content, ctx);
    if (type === 'record_created') {
      recordCreatedSeen++;
      checkRecordCreated(checks, event, record, sha, ctx);
    }
    const failed = checks.list
      .slice(before)
      .find((c) => c.status === 'fail' && !c.id.startsWith('record_created') && !c.id.startsWith('receipt'));
    invalidReasons.push(failed ? `${failed.id.slice(at.length + 1)}: ${failed.detail}` : null);
  });
  if (recordCreatedSeen === 0) checks.add('record_created.record', 'fail', 'no record_created event in the bundle');

  // 3. The merged state, recomputed from the events.
  checkState(checks, bundle, events as JsonObject[], invalidReasons, num);

  // 4. The bundle's own hash and signature.
  const sigObj = bundle.bundle_signature as JsonObject;
  const bundleSha = sha256Hex(canonicalJson(omitKeys(bundle, ['bundle_signature'])));
  checks.compare('bundle.hash', sigObj.bundle_sha256, bundleSha, 'bundle_sha256');
  checkSignature(checks, 'bundle.signature', sigObj, EXPECTED_SIGNED_MESSAGE.bundle, bundleSha, ctx);

  // 5. Keys: every key the bundle lists or a signer names is pinned, with its right fingerprint.
  checkKeys(checks, bundle, events as JsonObject[], trusted);

  return finish('bundle', checks, num, sha, true);
}

function checkNumber(checks: Checks, id: string, claimed: JsonValue | undefined, num: PithNumber): void {
  if (typeof claimed !== 'string') return checks.add(id, 'fail', `pith_number missing; derived ${num.full}`);
  try {
    const parsed = parsePithNumber(claimed);
    const mismatch = parsed.kind === 'full' && parsed.year === null ? 'the year is missing' : numberMismatch(parsed, num);
    if (mismatch === null && claimed === num.full) checks.add(id, 'pass', `pith_number ${num.full} (body and year derived from the hash)`);
    else checks.add(id, 'fail', `pith_number ${claimed}: ${mismatch ?? `not written as ${num.full}`}`);
  } catch (err) {
    checks.add(id, 'fail', (err as Error).message);
  }
}

function checkAliases(checks: Checks, aliases: JsonValue | undefined, record: CanonicalRecord, num: PithNumber): void {
  if (!Array.isArray(aliases)) return checks.add('aliases', 'fail', 'source_aliases is not an array');
  const { kind, id, version } = record.source;
  const expected: Record<string, string> = {
    pith_short_8: num.body.slice(0, 8),
    pith_short_12: num.body.slice(0, 12),
    pith_short_16: num.body.slice(0, 16),
  };
  if (kind === 'arxiv') {
    expected.arxiv = id;
    expected.arxiv_version = `${id}v${version}`;
    expected.doi = `10.48550/arxiv.${id}`;
  }
  const seen = new Set<string>();
  aliases.forEach((alias, i) => {
    if (!isJsonObject(alias) || typeof alias.alias_kind !== 'string' || typeof alias.alias_value !== 'string') {
      return checks.add(`alias[${i}]`, 'fail', 'expected {alias_kind, alias_value} strings');
    }
    const aliasKind = alias.alias_kind;
    const want = expected[aliasKind];
    seen.add(aliasKind);
    if (want === undefined)
      return checks.add(`alias:${aliasKind}`, 'n/a', `alias kind ${aliasKind} is not known to this pith-tex; reported, not checked`);
    // DOIs are case-insensitive (the registry writes "arxiv" in lower case).
    const same = aliasKind === 'doi' ? alias.alias_value.toLowerCase() === want.toLowerCase() : alias.alias_value === want;
    if (same) checks.add(`alias:${aliasKind}`, 'pass', `${aliasKind} ${alias.alias_value}`);
    else
      checks.add(
        `alias:${aliasKind}`,
        'fail',
        `${aliasKind} alias ${JSON.stringify(alias.alias_value)} does not name this record (expected ${want})`,
      );
  });
  for (const aliasKind of Object.keys(expected)) {
    if (!seen.has(aliasKind)) checks.add(`alias:${aliasKind}`, 'n/a', `no ${aliasKind} alias in the bundle`);
  }
}

function checkRecordCreated(checks: Checks, event: JsonObject, record: CanonicalRecord, sha: string, ctx: SignatureContext): void {
  const payload = isJsonObject(event.payload) ? event.payload : null;
  if (!payload) return checks.add('record_created.record', 'fail', 'record_created has no payload object');
  const diff = firstDifference(payload.canonical_record, record);
  const src = record.source;
  const problems: string[] = [];
  if (diff !== null) problems.push(`payload.canonical_record differs from the bundle's canonical_record at ${diff}`);
  if (payload.canonical_sha256 !== sha) problems.push(`payload.canonical_sha256 is not ${sha}`);
  if (payload.source_kind !== src.kind || payload.source_id !== src.id || payload.source_version !== src.version) {
    problems.push("payload.source_kind/id/version do not name the record's source");
  }
  if (problems.length === 0) checks.add('record_created.record', 'pass', "record_created carries the bundle's canonical record");
  else checks.add('record_created.record', 'fail', problems.join('; '));

  const receipt = payload.receipt;
  if (!isJsonObject(receipt)) return checks.add('receipt.signature', 'fail', 'record_created has no receipt');
  checks.compare('receipt.hash', receipt.canonical_sha256, sha, 'receipt canonical_sha256');
  if (receipt.kind !== undefined && receipt.kind !== 'pith_receipt')
    checks.add('receipt.kind', 'fail', `receipt kind ${JSON.stringify(receipt.kind)}, expected "pith_receipt"`);
  checkSignature(checks, 'receipt.signature', receipt, EXPECTED_SIGNED_MESSAGE.receipt, sha, ctx);
}

function checkState(checks: Checks, bundle: JsonObject, events: JsonObject[], invalidReasons: (string | null)[], num: PithNumber): void {
  const state = bundle.state as JsonObject;
  if (bundle.merge_version !== MERGE_VERSION || state.merge_version !== MERGE_VERSION) {
    checks.add(
      'state.merge',
      'fail',
      `merge_version ${JSON.stringify(bundle.merge_version)} is not ${MERGE_VERSION}, the only merge this pith-tex knows`,
    );
  } else {
    const recomputed = mergeState({ pithNumber: num.full, sourceAliases: bundle.source_aliases ?? null, events, invalidReasons });
    const diff = firstDifference(omitKeys(state, ['state_sha256']), omitKeys(recomputed, ['state_sha256']));
    if (diff === null)
      checks.add('state.merge', 'pass', `state recomputed from ${events.length} events: ${String(recomputed.valid_event_count)} applied`);
    else checks.add('state.merge', 'fail', `the bundle's state differs from the state recomputed from its events at state.${diff}`);
  }
  checks.compare('state.hash', state.state_sha256, stateSha256(state), 'state_sha256');
}

function checkKeys(checks: Checks, bundle: JsonObject, events: JsonObject[], trusted: readonly TrustedKey[]): void {
  const listed = Array.isArray(bundle.public_keys) ? bundle.public_keys : [];
  const named = new Map<string, Set<string>>(); // key_id -> fingerprints used with it
  const note = (sig: JsonValue | undefined) => {
    if (!isJsonObject(sig) || typeof sig.key_id !== 'string') return;
    const set = named.get(sig.key_id) ?? new Set<string>();
    if (typeof sig.public_key_fingerprint === 'string') set.add(sig.public_key_fingerprint);
    named.set(sig.key_id, set);
  };
  for (const e of events) {
    note(e.signer);
    note(e.signature);
    if (isJsonObject(e.payload)) note(e.payload.receipt);
  }
  note(bundle.bundle_signature);

  listed.forEach((entry, i) => {
    const id = `key:listed[${i}]`;
    if (!isJsonObject(entry) || typeof entry.key_id !== 'string') return checks.add(id, 'fail', 'public_keys entry without a key_id');
    const pinned = trusted.find((k) => k.keyId === entry.key_id);
    const bytes = typeof entry.public_key_b64 === 'string' ? base64Decode(entry.public_key_b64) : null;
    if (!bytes || bytes.length !== 32) return checks.add(id, 'fail', `public_keys[${i}].public_key_b64 is not a 32-byte key`);
    const fp = keyFingerprint(bytes);
    if (entry.fingerprint_sha256_hex !== undefined && entry.fingerprint_sha256_hex !== fp) {
      return checks.add(id, 'fail', `public_keys[${i}] fingerprint ${String(entry.fingerprint_sha256_hex)} is not the key's (${fp})`);
    }
    if (!pinned) return checks.add(id, 'n/a', `bundle lists key ${entry.key_id} (${fp}); not pinned, so not trusted`);
    if (pinned.fingerprint !== fp) {
      return checks.add(
        id,
        'fail',
        `untrusted key: the bundle lists ${entry.key_id} as ${fp}, but the pinned key is ${pinned.fingerprint}`,
        'untrusted_key',
      );
    }
    checks.add(id, 'pass', `bundle lists ${entry.key_id} (${fp}), same as the ${pinned.origin} key`);
  });

  for (const [keyId, fingerprints] of named) {
    const pinned = trusted.find((k) => k.keyId === keyId);
    if (!pinned) {
      checks.add(
        `key:${keyId}`,
        'fail',
        `untrusted key: ${keyId} signs in this bundle but is not pinned (add it with --trust-key if you trust it)`,
        'untrusted_key',
      );
    } else if ([...fingerprints].some((fp) => fp !== pinned.fingerprint)) {
      checks.add(
        `key:${keyId}`,
        'fail',
        `untrusted key: ${keyId} appears with fingerprint ${[...fingerprints].join(', ')}, pinned is ${pinned.fingerprint}`,
        'untrusted_key',
      );
    } else {
      checks.add(
        `key:${keyId}`,
        'pass',
        `${keyId} is ${pinned.origin === 'pinned' ? 'pinned' : `trusted from ${pinned.origin}`} (${pinned.fingerprint})`,
      );
    }
  }
}

/**
 * Verify a record with its registry receipt alone (what a lock file keeps): the record's
 * hash, its number, and the receipt's signature over that hash against the trusted keys.
 * `claimedNumber`, when given, must be the record's number; `verify` as verifyBundle's.
 */
export function verifyRecordReceipt(
  record: JsonValue | undefined,
  receipt: JsonValue | undefined,
  trusted: readonly TrustedKey[],
  claimed: { canonical_sha256?: JsonValue; pith_number?: JsonValue } = {},
  at = '',
  verify: SignatureVerifier = verifyEd25519,
): VerifyReport {
  assertCanonicalRecord(record, at ? `${at}.canonical_record` : 'canonical_record');
  const checks = new Checks();
  const sha = canonicalSha256(record);
  const num = numberOfRecord(record);
  if (claimed.canonical_sha256 !== undefined) checks.compare('canonical_hash', claimed.canonical_sha256, sha, 'canonical_sha256');
  if (claimed.pith_number !== undefined) checkNumber(checks, 'number', claimed.pith_number, num);
  if (!isJsonObject(receipt)) checks.add('receipt.signature', 'fail', 'no receipt object');
  else {
    checks.compare('receipt.hash', receipt.canonical_sha256, sha, 'receipt canonical_sha256');
    checkSignature(checks, 'receipt.signature', receipt, EXPECTED_SIGNED_MESSAGE.receipt, sha, { trusted, verify, listedKeys: [] });
  }
  return finish('record', checks, num, sha, true);
}

/** The record_created receipt of a bundle (after verifyBundle passed), or null. */
export function receiptOfBundle(bundle: JsonObject): JsonObject | null {
  const events = Array.isArray(bundle.events) ? bundle.events : [];
  for (const e of events) {
    if (isJsonObject(e) && e.event_type === 'record_created' && isJsonObject(e.payload) && isJsonObject(e.payload.receipt)) {
      return e.payload.receipt;
    }
  }
  return null;
}

/** The failed checks of a report, one `id: detail` line each. */
export function failedCheckLines(report: { checks: readonly Check[] }): string[] {
  return report.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.detail}`);
}
