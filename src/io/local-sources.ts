// The sources that need no network: a bundle file and a lock file, each read, shape-checked and
// verified against the trusted keys. Shared by resolve (io/resolve.ts) and stamp, and kept apart
// from the HTTP client so a stamp from a file never loads it.
import type { SignatureVerifier } from '../core/check.js';
import type { TrustedKey } from '../core/keys.js';
import { parseJson, type JsonObject, type JsonValue } from '../core/json.js';
import { assertLock, verifyLock, type PithLock } from '../core/lock.js';
import { ShapeError } from '../core/record.js';
import { classifyDocument, failedCheckLines, verifyBundle, type VerifyReport } from '../core/verify.js';
import { EXIT, PithError } from '../errors.js';
import { readBoundedText, MAX_JSON_BYTES } from './files.js';

const failedChecks = (report: VerifyReport): string => failedCheckLines(report).slice(0, 5).join('; ');

/** A bundle file, read, classified and verified against the trusted keys (`verify` as verifyBundle's); throws PithError. */
export async function readVerifiedBundle(
  file: string,
  trusted: readonly TrustedKey[],
  verify?: SignatureVerifier,
): Promise<{ bundle: JsonObject; text: string; report: VerifyReport }> {
  const text = await readBoundedText(file, MAX_JSON_BYTES, 'Pith bundle');
  const doc = parseOrThrow(text, file, EXIT.badInput);
  if (classifyOrThrow(doc, file, EXIT.badInput) !== 'bundle') {
    throw new PithError(
      `${file}: is a record, not a bundle; this needs the whole signed bundle (bundle.json: "download bundle" on the record's page)`,
      EXIT.badInput,
    );
  }
  const bundle = doc as JsonObject;
  const report = verifyOrThrow(bundle, trusted, file, EXIT.badInput, verify);
  if (!report.ok)
    throw new PithError(`${file}: the bundle does not verify; nothing was changed: ${failedChecks(report)}`, EXIT.checkFailed);
  return { bundle, text, report };
}

/** A lock file, read and shape-checked (PithError, exit 2, if it is not one), with its verification report. */
export async function readVerifiedLock(
  file: string,
  trusted: readonly TrustedKey[],
  verify?: SignatureVerifier,
): Promise<{ lock: PithLock; report: VerifyReport }> {
  const doc = parseOrThrow(await readBoundedText(file, MAX_JSON_BYTES, 'lock file'), file, EXIT.badInput);
  try {
    assertLock(doc);
    return { lock: doc, report: verifyLock(doc, trusted, verify) };
  } catch (err) {
    if (err instanceof ShapeError) throw new PithError(`${file}: ${err.field}: expected ${err.expected}`, EXIT.badInput);
    throw err;
  }
}

function parseOrThrow(text: string, where: string, code: 1 | 2): JsonValue {
  try {
    return parseJson(text);
  } catch (err) {
    throw new PithError(`${where}: not valid JSON for pith-tex: ${(err as Error).message}`, code);
  }
}

function classifyOrThrow(doc: JsonValue, where: string, code: 1 | 2): string {
  try {
    return classifyDocument(doc);
  } catch (err) {
    throw new PithError(`${where}: ${(err as Error).message}`, code);
  }
}

export function verifyOrThrow(
  bundle: JsonObject,
  trusted: readonly TrustedKey[],
  where: string,
  code: 1 | 2,
  verify?: SignatureVerifier,
): VerifyReport {
  try {
    return verifyBundle(bundle, trusted, verify);
  } catch (err) {
    if (err instanceof ShapeError) throw new PithError(`${where}: not a well-formed bundle: ${err.field}: expected ${err.expected}`, code);
    throw err;
  }
}
