// Re-sign a bundle with a key of the test's own, recomputing every hash the way a registry
// would. Used to prove that a correctly formed bundle under an unpinned key is refused.
import { base64Encode, hexToBytes, sha256Hex } from '../../src/core/encoding.js';
import { canonicalJson, isJsonObject, omitKeys, type JsonObject } from '../../src/core/json.js';
import { keyFingerprint, keyFingerprintBase32, publicKeyOf, signEd25519 } from '../../src/core/keys.js';
import { mergeState } from '../../src/core/merge.js';

export function resignBundle(bundle: JsonObject, secretKey: Uint8Array, keyId: string): JsonObject {
  const publicKey = publicKeyOf(secretKey);
  const fingerprint = keyFingerprint(publicKey);
  const sign = (hex: string) => base64Encode(signEd25519(hexToBytes(hex), secretKey));
  const events = bundle.events as JsonObject[];
  for (const event of events) {
    event.signer = { ...(event.signer as JsonObject), key_id: keyId, public_key_fingerprint: fingerprint };
    const payload = event.payload as JsonObject;
    if (isJsonObject(payload.receipt)) {
      const receipt = payload.receipt;
      receipt.key_id = keyId;
      receipt.public_key_fingerprint = fingerprint;
      receipt.signature_b64 = sign(receipt.canonical_sha256 as string);
    }
    const content = sha256Hex(canonicalJson(omitKeys(event, ['signature', 'content_sha256', 'event_id'])));
    event.content_sha256 = content;
    event.event_id = `sha256:${content}`;
    event.signature = {
      ...(event.signature as JsonObject),
      key_id: keyId,
      public_key_fingerprint: fingerprint,
      signature_b64: sign(content),
    };
  }
  bundle.public_keys = [
    {
      key_id: keyId,
      algorithm: 'ed25519',
      format: 'raw',
      public_key_b64: base64Encode(publicKey),
      public_key_hex: Buffer.from(publicKey).toString('hex'),
      fingerprint_sha256_b32_first128bits: keyFingerprintBase32(publicKey),
      fingerprint_sha256_hex: fingerprint,
      rotates_at: null,
    },
  ];
  bundle.state = mergeState({
    pithNumber: bundle.pith_number as string,
    sourceAliases: bundle.source_aliases ?? null,
    events,
    invalidReasons: events.map(() => null),
  });
  const sig = { ...(bundle.bundle_signature as JsonObject), key_id: keyId, public_key_fingerprint: fingerprint };
  const bundleSha = sha256Hex(canonicalJson(omitKeys(bundle, ['bundle_signature'])));
  bundle.bundle_signature = { ...sig, bundle_sha256: bundleSha, signature_b64: sign(bundleSha) };
  return bundle;
}
