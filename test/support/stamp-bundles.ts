// Bundles for the stamp tests: the real vector bundle, and a second, correctly formed bundle for
// another vector record signed by a test key (trusted with --trust-key), so a test can re-stamp
// a paper with a different record.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseJson, type JsonObject, type JsonValue } from '../../src/core/json.js';
import { computeRecord } from '../../src/core/compute.js';
import { resignBundle } from './sign.js';
import { SEED } from './seed.js';
import { seedBundle, vectorRecords } from './vectors.js';

export const SEED_BODY = SEED.body;
export const SEED_NUMBER = SEED.number;
const SEED_SHA = SEED.sha256;

/** A fixed test secret key, so runs are reproducible. */
const TEST_SECRET = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);

export interface OtherBundle {
  bundle: JsonObject;
  keyEntry: JsonValue;
  number: string;
  body: string;
}

/** A bundle for vector record `index` (default: 2201.05596v2), signed by the test key. */
export function otherBundle(index = 0): OtherBundle {
  return bundleForRecord(vectorRecords()[index]!);
}

/** The fields of a record that a bundle for it needs. */
export interface RecordForBundle {
  arxiv_id: string;
  arxiv_version: number;
  canonical_record: JsonObject;
  canonical_sha256: string;
  pith_number: string;
}

/**
 * A record computed from a title of the test's choosing (the other fields those of the seed),
 * so a paper can be stamped with "its own" record.
 */
export function recordWithTitle(title: string, arxivId = '2607.99999'): RecordForBundle {
  const m = (seedBundle().canonical_record as JsonObject).metadata as JsonObject;
  const r = computeRecord({
    arxiv_id: arxivId,
    version: 1,
    title,
    abstract_sha256: m.abstract_canon_sha256 as string,
    primary_cat: m.primary_cat as string,
    license: m.license as string,
    submitted_at: m.submitted_at as string,
  });
  return {
    arxiv_id: arxivId,
    arxiv_version: 1,
    canonical_record: r.record as unknown as JsonObject,
    canonical_sha256: r.canonical_sha256,
    pith_number: r.number.full,
  };
}

/** A correctly formed bundle for `rec`, signed by the test key (trust it with --trust-key). */
export function bundleForRecord(rec: RecordForBundle): OtherBundle {
  const body = rec.pith_number.split(':')[2]!;
  let text = JSON.stringify(seedBundle());
  const swaps: [string, string][] = [
    [SEED_NUMBER, rec.pith_number],
    [SEED_BODY, body],
    [SEED_BODY.slice(0, 16), body.slice(0, 16)],
    [SEED_BODY.slice(0, 12), body.slice(0, 12)],
    [SEED_BODY.slice(0, 8), body.slice(0, 8)],
    [SEED_SHA, rec.canonical_sha256],
  ];
  for (const [a, b] of swaps) text = text.split(a).join(b);
  const bundle = parseJson(text) as JsonObject;
  const source = rec.canonical_record.source as JsonObject;
  bundle.canonical_record = rec.canonical_record;
  bundle.source = { kind: 'arxiv', id: source.id as string, version: source.version as number };
  bundle.source_aliases = [
    { alias_kind: 'arxiv', alias_value: rec.arxiv_id, created_at: '2026-07-05T03:16:36Z' },
    { alias_kind: 'arxiv_version', alias_value: `${rec.arxiv_id}v${rec.arxiv_version}`, created_at: '2026-07-05T03:16:36Z' },
    { alias_kind: 'doi', alias_value: `10.48550/arxiv.${rec.arxiv_id}`, created_at: '2026-07-05T03:16:36Z' },
  ];
  for (const e of bundle.events as JsonObject[]) {
    const payload = e.payload as JsonObject;
    if (e.event_type === 'record_created') {
      payload.canonical_record = rec.canonical_record;
      payload.source_id = source.id as string;
      payload.source_version = source.version as number;
    }
  }
  const signed = resignBundle(bundle, TEST_SECRET, 'pith-test-stamp');
  return { bundle: signed, keyEntry: (signed.public_keys as JsonValue[])[0]!, number: rec.pith_number, body };
}

/** Write the other bundle (or the one given) and its key into `dir`; returns their paths. */
export function writeOtherBundle(
  dir: string,
  index = 0,
  given?: OtherBundle,
): { bundleFile: string; keyFile: string; number: string; body: string } {
  const o = given ?? otherBundle(index);
  const bundleFile = path.join(dir, 'other.bundle.json');
  const keyFile = path.join(dir, 'test-key.json');
  writeFileSync(bundleFile, JSON.stringify(o.bundle));
  writeFileSync(keyFile, JSON.stringify(o.keyEntry));
  return { bundleFile, keyFile, number: o.number, body: o.body };
}
