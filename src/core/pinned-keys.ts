// The registry keys pinned in pith-tex (spec §3), as plain data with no imports so that both
// the full verifier (keys.ts) and the quick check path (check.ts) read this one list.
export interface PinnedKeyData {
  keyId: string;
  publicKeyHex: string;
  /** Hex of the first 16 bytes of SHA-256(raw key). */
  fingerprint: string;
  rotatesAt: string | null;
}

export const PINNED_KEY_DATA: readonly PinnedKeyData[] = [
  {
    keyId: 'pith-v1-2026-05',
    publicKeyHex: 'b2d552b68890857171a78b36a5dccf368a953413288c353f7c9d9d6f94b709b3',
    fingerprint: '8d4b5ee74e4693bcd1df2446408b0d54',
    rotatesAt: null,
  },
];
