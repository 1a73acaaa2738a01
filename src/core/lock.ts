// pith.lock.json: what an offline check needs, kept beside the paper.
//
// It holds the verified record, the registry's signed receipt over its hash, the number and
// the record's aliases: enough to re-verify offline (hash, number, receipt signature against
// the pinned keys). Its content is a function of the record alone — no timestamps of our own —
// so re-stamping the same record never churns version control.
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { TrustedKey } from './keys.js';
import type { SignatureVerifier } from './check.js';
import { ShapeError } from './record.js';
import { receiptOfBundle, verifyRecordReceipt, type VerifyReport } from './verify.js';

export { LOCK_FILE } from './file-names.js';
export const LOCK_KIND = 'pith-tex/lock';
export const LOCK_VERSION = 1;

export interface PithLock extends JsonObject {
  lock: typeof LOCK_KIND;
  lock_version: typeof LOCK_VERSION;
  pith_number: string;
  canonical_sha256: string;
  canonical_record: JsonObject;
  receipt: JsonObject;
  source_aliases: JsonValue[];
}

/** Build the lock from a bundle that verifyBundle has passed. */
export function lockFromBundle(bundle: JsonObject): PithLock {
  const receipt = receiptOfBundle(bundle);
  if (!receipt) throw new ShapeError('events', 'a record_created event with a receipt');
  return {
    lock: LOCK_KIND,
    lock_version: LOCK_VERSION,
    pith_number: bundle.pith_number as string,
    canonical_sha256: bundle.canonical_sha256 as string,
    canonical_record: bundle.canonical_record as JsonObject,
    receipt,
    source_aliases: Array.isArray(bundle.source_aliases) ? bundle.source_aliases : [],
  };
}

/** The lock's bytes: stable, sorted, pretty enough to diff, ending in a newline. */
export function serializeLock(lock: PithLock): string {
  return `${JSON.stringify(JSON.parse(canonicalJson(lock)), null, 2)}\n`;
}

/** Throws ShapeError unless `value` is a lock file this pith-tex reads. */
export function assertLock(value: JsonValue): asserts value is PithLock {
  if (!isJsonObject(value)) throw new ShapeError('(top level)', 'a pith-tex lock object');
  if (value.lock !== LOCK_KIND) throw new ShapeError('lock', `"${LOCK_KIND}"`);
  if (value.lock_version !== LOCK_VERSION)
    throw new ShapeError('lock_version', `${LOCK_VERSION} (this pith-tex reads version ${LOCK_VERSION}; upgrade pith-tex)`);
  if (typeof value.pith_number !== 'string') throw new ShapeError('pith_number', 'a string pith:YEAR:BODY');
  if (typeof value.canonical_sha256 !== 'string') throw new ShapeError('canonical_sha256', '64 hex characters');
  if (!isJsonObject(value.canonical_record)) throw new ShapeError('canonical_record', 'the canonical record object');
  if (!isJsonObject(value.receipt)) throw new ShapeError('receipt', 'the registry receipt object');
  if (!Array.isArray(value.source_aliases)) throw new ShapeError('source_aliases', 'an array');
}

/** Re-verify a lock offline: hash, number, receipt signature. */
export function verifyLock(lock: PithLock, trusted: readonly TrustedKey[], verify?: SignatureVerifier): VerifyReport {
  return verifyRecordReceipt(
    lock.canonical_record,
    lock.receipt,
    trusted,
    { canonical_sha256: lock.canonical_sha256, pith_number: lock.pith_number },
    '',
    verify,
  );
}
