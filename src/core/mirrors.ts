// The registry's mirror manifest (pith-mirrors.json, spec §7): where else a bundle can be
// fetched. The manifest is not signed, so it can name places but never add trust: a mirror's
// public_key is used only when it is a key pith-tex already trusts (pinned, or --trust-key),
// and its rotates_at can only shorten that key's life. Pure.
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { TrustedKey } from './keys.js';
import { MERGE_VERSION } from './merge.js';

export interface MirrorKey {
  keyId: string;
  publicKeyHex: string;
  rotatesAt: string | null;
}

export interface Mirror {
  name: string;
  baseUrl: string;
  bundlePattern: string;
  statePattern: string | null;
  wellKnownPattern: string | null;
  publicKey: MirrorKey | null;
  status: string;
}

export class ManifestError extends Error {
  constructor(
    readonly field: string,
    expected: string,
  ) {
    super(`${field}: expected ${expected}`);
    this.name = 'ManifestError';
  }
}

const text = (o: JsonObject, key: string, at: string): string => {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new ManifestError(`${at}.${key}`, 'a non-empty string');
  return v;
};
const optionalText = (o: JsonObject, key: string, at: string): string | null =>
  o[key] === undefined || o[key] === null ? null : text(o, key, at);

function pattern(o: JsonObject, key: string, at: string, required: boolean): string | null {
  const p = required ? text(o, key, at) : optionalText(o, key, at);
  if (p !== null && !p.includes('{suffix}')) throw new ManifestError(`${at}.${key}`, 'a URL pattern holding {suffix}');
  if (p !== null && !URL.canParse(fillPattern(p, 'BODY')))
    throw new ManifestError(`${at}.${key}`, 'an absolute URL pattern (https://host/pith/{suffix}/bundle.json)');
  return p;
}

function mirrorKey(v: JsonValue | undefined, at: string): MirrorKey | null {
  if (v === undefined || v === null) return null;
  if (!isJsonObject(v)) throw new ManifestError(at, 'a public key object');
  if (v.algorithm !== undefined && v.algorithm !== 'ed25519') throw new ManifestError(`${at}.algorithm`, '"ed25519"');
  let hex = optionalText(v, 'public_key_hex', at)?.toLowerCase() ?? null;
  const b64 = optionalText(v, 'public_key_b64', at);
  if (b64 !== null) {
    const fromB64 = Buffer.from(b64, 'base64').toString('hex');
    if (hex !== null && hex !== fromB64) throw new ManifestError(`${at}.public_key_hex`, 'the same key as public_key_b64');
    hex = fromB64;
  }
  if (hex === null || !/^[0-9a-f]{64}$/.test(hex))
    throw new ManifestError(`${at}.public_key_hex`, 'a 32-byte Ed25519 key (public_key_hex or public_key_b64)');
  const rotatesAt = v.rotates_at ?? null;
  if (rotatesAt !== null && (typeof rotatesAt !== 'string' || Number.isNaN(Date.parse(rotatesAt)))) {
    throw new ManifestError(`${at}.rotates_at`, 'null or an ISO 8601 time');
  }
  return { keyId: text(v, 'key_id', at), publicKeyHex: hex, rotatesAt };
}

/** Parse a manifest; the mirrors come primary first, then the others in the manifest's order. */
export function parseMirrorManifest(doc: JsonValue): Mirror[] {
  if (!isJsonObject(doc)) throw new ManifestError('(top level)', 'a mirror manifest object');
  if (doc.manifest_type !== 'pith_mirror_manifest') throw new ManifestError('manifest_type', '"pith_mirror_manifest"');
  if (doc.manifest_version !== '1.0') throw new ManifestError('manifest_version', '"1.0" (the only version this pith-tex reads)');
  if (doc.merge_version !== undefined && doc.merge_version !== MERGE_VERSION) {
    throw new ManifestError('merge_version', `"${MERGE_VERSION}", the only merge this pith-tex computes`);
  }
  if (!Array.isArray(doc.mirrors) || doc.mirrors.length === 0) throw new ManifestError('mirrors', 'a non-empty list of mirrors');
  const mirrors = doc.mirrors.map((m, i): Mirror => {
    const at = `mirrors[${i}]`;
    if (!isJsonObject(m)) throw new ManifestError(at, 'a mirror object');
    if (m.mirror_type !== undefined && m.mirror_type !== 'https') throw new ManifestError(`${at}.mirror_type`, '"https"');
    return {
      name: optionalText(m, 'name', at) ?? `mirror ${i + 1}`,
      baseUrl: optionalText(m, 'base_url', at) ?? '',
      bundlePattern: pattern(m, 'bundle_pattern', at, true) as string,
      statePattern: pattern(m, 'state_pattern', at, false),
      wellKnownPattern: pattern(m, 'well_known_pattern', at, false),
      publicKey: mirrorKey(m.public_key, `${at}.public_key`),
      status: optionalText(m, 'status', at) ?? 'mirror',
    };
  });
  return [...mirrors.filter((m) => m.status === 'primary'), ...mirrors.filter((m) => m.status !== 'primary')];
}

/** A pattern's URL for a path segment (already percent-encoded, as resolverSegment gives it). */
export const fillPattern = (p: string, suffix: string): string => p.split('{suffix}').join(suffix);

/**
 * The keys a mirror's bundles are verified with: its manifest key when that is a trusted key
 * (same key id and bytes), with the earlier of the two rotation times; every trusted key when
 * the manifest names none. A key pith-tex does not trust refuses the mirror.
 */
export function keysForMirror(mirror: Mirror, trusted: readonly TrustedKey[]): { keys: TrustedKey[] } | { refused: string } {
  const k = mirror.publicKey;
  if (k === null) return { keys: [...trusted] };
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const same = trusted.find((t) => hex(t.publicKey) === k.publicKeyHex);
  if (!same) {
    return {
      refused: `its key ${k.keyId} (${k.publicKeyHex.slice(0, 16)}…) is neither pinned nor given with --trust-key; an unsigned manifest cannot add trust`,
    };
  }
  if (same.keyId !== k.keyId) return { refused: `it names the trusted key ${same.keyId} as ${k.keyId}` };
  const times = [same.rotatesAt, k.rotatesAt].filter((t): t is string => t !== null);
  const rotatesAt = times.length === 0 ? null : (times.sort((a, b) => Date.parse(a) - Date.parse(b))[0] as string);
  return { keys: [{ ...same, rotatesAt }] };
}
