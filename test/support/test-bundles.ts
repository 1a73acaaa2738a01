// Test-signed bundles of the seed paper (or a synthetic other version of it) with a chosen
// built_at: correctly formed bundles that verify when the test key is trusted (--trust-key).
// The same construction as test/resolve.test.ts's testBundle, shared for the hostile tests.
import { readFileSync } from 'node:fs';
import { canonicalJson, parseJson, type JsonObject } from '../../src/core/json.js';
import { canonicalSha256, numberOfRecord, type CanonicalRecord } from '../../src/core/record.js';
import { resignBundle } from './sign.js';
import { SEED } from './seed.js';
import { BUNDLE_FILE } from './vectors.js';

const TEST_SECRET = new Uint8Array(32).map((_, i) => (i * 53 + 7) & 0xff);
const SEED_SHA = SEED.sha256;
const SEED_BODY = SEED.body;

export interface TestBundle {
  text: string;
  body: string;
  number: string;
  /** The test key as a public_keys entry, for a --trust-key file. */
  keyEntry: JsonObject;
}

/** The seed record (another version of it, or another arXiv id, when asked), signed by the test key with `builtAt`. */
export function testBundle(opts: { version?: number; builtAt: string; arxivId?: string; keyId?: string }): TestBundle {
  const seedText = readFileSync(BUNDLE_FILE, 'utf8');
  const seed = parseJson(seedText) as JsonObject;
  const record = JSON.parse(JSON.stringify(seed.canonical_record)) as CanonicalRecord;
  if (opts.version !== undefined) (record.source as { version: number }).version = opts.version;
  if (opts.arxivId !== undefined) (record.source as { id: string }).id = opts.arxivId;
  const sha = canonicalSha256(record as unknown as JsonObject);
  const num = numberOfRecord(record);
  let text = seedText;
  const swaps: [string, string][] = [
    [SEED.number, num.full],
    [SEED_BODY, num.body],
    [SEED_BODY.slice(0, 16), num.body.slice(0, 16)],
    [SEED_BODY.slice(0, 12), num.body.slice(0, 12)],
    [SEED_BODY.slice(0, 8), num.body.slice(0, 8)],
    [SEED_SHA, sha],
    ['2109.10465v1', `${record.source.id}v${record.source.version}`],
    ['2109.10465', record.source.id],
  ];
  for (const [a, b] of swaps) text = text.split(a).join(b);
  const bundle = parseJson(text) as JsonObject;
  bundle.canonical_record = record as unknown as JsonObject;
  (bundle.source as JsonObject).version = record.source.version;
  for (const e of bundle.events as JsonObject[]) {
    if (e.event_type === 'record_created') {
      const payload = e.payload as JsonObject;
      payload.canonical_record = record as unknown as JsonObject;
      payload.source_version = record.source.version;
    }
  }
  bundle.built_at = opts.builtAt;
  const signed = resignBundle(bundle, TEST_SECRET, opts.keyId ?? 'pith-test-hostile');
  return { text: canonicalJson(signed), body: num.body, number: num.full, keyEntry: (signed.public_keys as JsonObject[])[0] as JsonObject };
}
