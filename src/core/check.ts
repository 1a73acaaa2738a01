// `pith-tex check`: the pure part. Compares the three places a paper's Pith number lives
// (pith.lock.json, the paper's \pithnumber, the generated pith.sty) and re-verifies the lock.
//
// Speed matters here: the check runs before every build (the latexmk hook), so this module
// imports only small core modules without dependencies (no @noble/*, ~10 ms and ~50 ms of
// first-verify precomputation; no node:crypto, ~6 % of node's start-up). It therefore carries a
// *lean* lock verifier: SHA-256 by core/sha256.ts, and the receipt's Ed25519 signature handed to
// the caller (leanLockClaims), which finds it among the signatures it verified before or
// verifies it with node:crypto (ed25519-node.ts). The lean verifier is only ever trusted when it
// says "verified": its checks are a superset of the full path's (src/core/lock.ts verifyLock +
// src/core/keys.ts, RFC 8032 strict), so lean-pass implies full-pass; on anything else the
// command falls back to the full verifier for the report.
// test/check.test.ts proves the two agree on the vectors and on mutated locks and signatures.
//
// The pinned keys, the base32 body rule, the number grammar and the file names come from
// import-free modules shared with the full verifier and stamp (pinned-keys.ts, base32.ts,
// number.ts, file-names.ts).
import { sha256 } from './sha256.js';
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { bodyFromDigest } from './base32.js';
import { PINNED_KEY_DATA, type PinnedKeyData } from './pinned-keys.js';
import { LOCK_FILE, STY_FILE } from './file-names.js';
import { formatNumber, parseTexNumber } from './number.js';

/** The pinned keys, read from the same data as keys.ts. */
export const LEAN_PINNED_KEYS: readonly PinnedKeyData[] = PINNED_KEY_DATA;

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const SHA_RE = /^[0-9a-f]{64}$/;
const SUBMITTED_AT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export interface LeanLockResult {
  /** True only when every check the full verifier makes would pass. */
  ok: boolean;
  /** pith:YEAR:BODY derived from the record (when the record could be hashed). */
  number: string | null;
  body: string | null;
  year: string | null;
  sha256: string | null;
}

/** An Ed25519 signature still to verify: the receipt's, over the record hash, by a pinned key. */
export interface SignedMessage {
  signature: Uint8Array;
  message: Uint8Array;
  publicKey: Uint8Array;
}

export type LeanLockClaims = Omit<LeanLockResult, 'ok'> & { signed: SignedMessage | null };

export type SignatureVerifier = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/**
 * Re-verify a parsed pith.lock.json: lock and record shape (as assertLock and
 * assertCanonicalRecord), canonical hash, number, receipt hash and signature against `keys`.
 */
export function leanVerifyLock(
  lock: JsonValue,
  verify: SignatureVerifier,
  keys: readonly PinnedKeyData[] = LEAN_PINNED_KEYS,
): LeanLockResult {
  const { signed, ...claims } = leanLockClaims(lock, keys);
  return { ...claims, ok: signed !== null && verify(signed.signature, signed.message, signed.publicKey) };
}

/**
 * Every check of leanVerifyLock but the signature's: `signed` is the signature to verify, null
 * when anything else fails (then the lock does not verify, whatever the signature).
 */
export function leanLockClaims(lock: JsonValue, keys: readonly PinnedKeyData[] = LEAN_PINNED_KEYS): LeanLockClaims {
  const result: LeanLockClaims = { number: null, body: null, year: null, sha256: null, signed: null };
  if (!isJsonObject(lock) || lock.lock !== 'pith-tex/lock' || lock.lock_version !== 1) return result;
  if (typeof lock.pith_number !== 'string' || typeof lock.canonical_sha256 !== 'string') return result;
  if (!Array.isArray(lock.source_aliases) || !isJsonObject(lock.receipt)) return result;
  const record = lock.canonical_record;
  if (!leanRecordShape(record)) return result;
  const text = canonicalJson(record);
  const digest = Buffer.from(sha256(text));
  const sha = digest.toString('hex');
  const year = (record.metadata as JsonObject).submitted_at as string;
  result.sha256 = sha;
  result.body = bodyFromDigest(digest);
  result.year = year.slice(0, 4);
  result.number = formatNumber({ body: result.body, year: result.year });
  if (lock.canonical_sha256 !== sha || lock.pith_number !== result.number) return result;
  const receipt = lock.receipt;
  if (receipt.canonical_sha256 !== sha) return result;
  if (receipt.algorithm !== 'ed25519' || receipt.signed_message !== 'canonical_sha256_bytes') return result;
  if (receipt.signature_status !== undefined && receipt.signature_status !== 'signed_v1') return result;
  const key = keys.find((k) => k.keyId === receipt.key_id);
  if (!key || key.rotatesAt !== null) return result;
  if (receipt.public_key_fingerprint !== undefined && receipt.public_key_fingerprint !== key.fingerprint) return result;
  const sigText = receipt.signature_b64;
  if (typeof sigText !== 'string' || !BASE64_RE.test(sigText)) return result;
  const sig = Buffer.from(sigText, 'base64');
  if (sig.length !== 64 || sig.toString('base64') !== sigText) return result;
  result.signed = { signature: sig, message: digest, publicKey: Buffer.from(key.publicKeyHex, 'hex') };
  return result;
}

/**
 * The name under which a verified signature is remembered (io/signature-memo.ts): SHA-256 of the
 * three byte strings, each length-prefixed, so no two different triples share a name.
 */
export function signatureMemoKey({ signature, message, publicKey }: SignedMessage): string {
  const parts = [publicKey, signature, message].flatMap((part) => [Buffer.from(`${part.length}:`), part]);
  return Buffer.from(sha256(Buffer.concat([Buffer.from('pith-tex ed25519 verified v1\0'), ...parts]))).toString('hex');
}

function leanRecordShape(value: JsonValue | undefined): value is JsonObject {
  if (!isJsonObject(value) || value.schema_version !== '1.0') return false;
  const s = value.source;
  if (!isJsonObject(s) || typeof s.kind !== 'string' || s.kind === '' || typeof s.id !== 'string' || s.id === '') return false;
  if (typeof s.version !== 'number' || s.version < 1) return false;
  const m = value.metadata;
  if (!isJsonObject(m) || typeof m.license !== 'string' || typeof m.primary_cat !== 'string') return false;
  if (typeof m.submitted_at !== 'string' || !SUBMITTED_AT_RE.test(m.submitted_at)) return false;
  if (!Array.isArray(m.cross_cats_sorted) || !m.cross_cats_sorted.every((c) => typeof c === 'string')) return false;
  return (
    typeof m.title_canon_sha256 === 'string' &&
    SHA_RE.test(m.title_canon_sha256) &&
    typeof m.abstract_canon_sha256 === 'string' &&
    SHA_RE.test(m.abstract_canon_sha256)
  );
}

// ------------------------------------------------------------------- the paper's side

/** What a generated pith.sty was stamped with: the same reader stamp uses (sty-read.ts). */
export { readStampedSty as stampedOfSty, type StampedStyInfo as StampedSty, auxSaysBadgeNotPrinted } from './sty-read.js';

// ------------------------------------------------------------------- the comparison

export interface Finding {
  /** The two places that differ (or the one that is wrong), e.g. ["pith.lock.json", "main.tex"]. */
  places: string[];
  message: string;
  /** The command that fixes it. */
  fix: string;
}

export interface CheckInputs {
  /** Paper file name as shown to the user (e.g. "main.tex"). */
  paper: string;
  /** The paper's \pithnumber arguments (empty: none). */
  paperNumbers: string[];
  /** The file each of paperNumbers is in (default: `paper`), e.g. an \input preamble file. */
  paperNumberFiles?: string[];
  /** The lock: null when absent. `verified` false with `problems` when it did not verify. */
  lock: { number: string | null; body: string | null; year: string | null; verified: boolean; problems: string[] } | null;
  /** pith.sty beside the paper: null when absent. */
  sty: { generatedByPithTex: boolean; edited?: boolean; body?: string; year?: string; number?: string } | null;
  /** The stamp command the fixes start from, e.g. "pith-tex stamp main.tex" (a record option is added). */
  stampCommand: string;
}

export interface CheckReport {
  report: 'pith-tex/check';
  report_version: 1;
  paper: string;
  /** ok: all agree; mismatch: a finding; nothing-stamped: no lock, no \pithnumber, no generated pith.sty. */
  status: 'ok' | 'mismatch' | 'nothing-stamped';
  pith_number: string | null;
  lock_verified: boolean | null;
  paper_number: string | null;
  sty_number: string | null;
  findings: Finding[];
  /** From the paper's .aux, when there is one: false when the last LaTeX run printed no badge. */
  badge_printed?: boolean;
}

type PaperNumber = { raw: string; parsed: ReturnType<typeof parseTexNumber>; where: string };
type Add = (places: string[], message: string, fix?: string) => void;
type Ref = { body: string; year: string | null } | null;

/** Compare the three places; pure. */
export function compareStamp(input: CheckInputs): CheckReport {
  const { paper, lock, sty } = input;
  const findings: Finding[] = [];
  const parsedPaper: PaperNumber[] = input.paperNumbers.map((raw, i) => ({
    raw,
    parsed: parseTexNumber(raw),
    where: input.paperNumberFiles?.[i] ?? input.paper,
  }));
  const styStamped = sty?.generatedByPithTex ? sty : null;
  const stampFix = stampFixFor(input, parsedPaper);
  const add: Add = (places, message, fix = stampFix) => void findings.push({ places, message, fix });
  const report: CheckReport = {
    report: 'pith-tex/check',
    report_version: 1,
    paper,
    status: 'ok',
    pith_number: lock?.number ?? null,
    lock_verified: lock ? lock.verified : null,
    paper_number: parsedPaper[0]?.parsed ? formatNumber(parsedPaper[0].parsed) : (parsedPaper[0]?.raw ?? null),
    sty_number: styStamped?.number ?? null,
    findings,
  };
  if (!lock && parsedPaper.length === 0 && !styStamped) return { ...report, status: 'nothing-stamped' };
  if (!lock) {
    add([LOCK_FILE], `no ${LOCK_FILE} beside ${paper}: the number cannot be checked offline`);
  } else if (!lock.verified) {
    for (const p of lock.problems) add([LOCK_FILE], `${LOCK_FILE} does not verify: ${p}`);
    if (lock.problems.length === 0) add([LOCK_FILE], `${LOCK_FILE} does not verify`);
  }
  // A lock that does not verify is reported once; comparing with it would only echo that.
  const ref: Ref = lock?.verified && lock.body ? { body: lock.body, year: lock.year } : null;
  comparePaperNumbers(input, parsedPaper, ref, add);
  compareSty(input, ref, add);
  if (findings.length > 0) report.status = 'mismatch';
  return report;
}

/**
 * Every fix is a command that works as printed: the stamp with the record named (the verified
 * lock's number, else the paper's, else pith.sty's), and --force when pith.sty is not ours to
 * replace without it.
 */
function stampFixFor({ lock, sty, stampCommand }: CheckInputs, parsedPaper: readonly PaperNumber[]): string {
  const named = lock?.verified && lock.number ? lock.number : (parsedPaper.find((p) => p.parsed)?.parsed ?? null);
  const styNumber = sty?.generatedByPithTex ? (sty.number ?? null) : null;
  const record = typeof named === 'string' ? named : named ? formatNumber(named) : styNumber;
  const force = sty !== null && (!sty.generatedByPithTex || sty.edited === true) ? ' --force' : '';
  return record ? `${stampCommand} --number ${record}${force}` : `${stampCommand} --arxiv ID (or --bundle FILE)${force}`;
}

/** The paper's \pithnumber commands against the lock (or, with no lock, pith.sty). */
function comparePaperNumbers({ paper, lock, sty }: CheckInputs, parsedPaper: readonly PaperNumber[], ref: Ref, add: Add): void {
  const styStamped = sty?.generatedByPithTex ? sty : null;
  if (parsedPaper.length === 0) {
    const other = lock ? `${LOCK_FILE} holds ${lock.number}` : `${STY_FILE} is stamped for ${styStamped?.number}`;
    add([LOCK_FILE, paper], `${paper} has no \\pithnumber, but ${other}`);
  }
  for (const { raw, parsed, where } of parsedPaper) {
    if (!parsed && raw.includes('\\')) {
      // pith.sty refuses a number built by a macro (docs/pith-sty.md): the three must agree.
      add([where], macroNumberMessage(where, raw), 'write the number literally, \\pithnumber{pith:YEAR:BODY}');
    } else if (!parsed) {
      add([where], `${where}: \\pithnumber{${raw}} is not a Pith number (26 characters A-Z 2-7, or pith:YEAR:BODY)`);
    } else if (ref && (parsed.body !== ref.body || (parsed.year !== null && parsed.year !== ref.year))) {
      add([LOCK_FILE, where], `${where} says \\pithnumber{${raw}} but ${LOCK_FILE} holds ${formatNumber(ref)}`);
    } else if (!ref && !lock && styStamped?.body && parsed.body !== styStamped.body) {
      add([STY_FILE, where], `${where} says \\pithnumber{${raw}} but ${STY_FILE} is stamped for ${styStamped.number}`);
    }
  }
}

/** The generated pith.sty: present, ours, unedited, and stamped for the lock's number. */
function compareSty({ paper, sty }: CheckInputs, ref: Ref, add: Add): void {
  if (!sty) {
    add([STY_FILE], `no ${STY_FILE} beside ${paper}: the paper cannot compile (and arXiv needs it in the upload)`);
  } else if (!sty.generatedByPithTex) {
    add([STY_FILE, LOCK_FILE], `${STY_FILE} beside ${paper} is not a copy generated by pith-tex, so it does not carry the stamped number`);
  } else {
    if (sty.edited) add([STY_FILE], `${STY_FILE} was edited by hand after pith-tex generated it`);
    if (!sty.body) add([STY_FILE], `${STY_FILE} is generated by pith-tex but carries no readable stamped number`);
    else if (ref && (sty.body !== ref.body || (sty.year !== undefined && sty.year !== ref.year))) {
      add([LOCK_FILE, STY_FILE], `${STY_FILE} is stamped for ${sty.number} but ${LOCK_FILE} holds ${formatNumber(ref)}`);
    }
  }
}

/** The one message for a \pithnumber written with a macro (check and stamp). */
export const macroNumberMessage = (file: string, raw: string): string =>
  `${file}: \\pithnumber{${raw.trim()}} is written with a macro; pith.sty, check and stamp read the number only as written out: write it literally, \\pithnumber{pith:YEAR:BODY}`;

/** One line per finding: which places differ, and the fix. */
export function formatFinding(f: Finding): string {
  return `${f.message} — fix: ${f.fix}`;
}
