// The seed record (arXiv 2109.10465v1, the record of test/fixtures/2109.10465v1.bundle.json),
// its number, body, year and hash read from test/fixtures/records.json: tests derive them from
// the vectors instead of retyping them.
import { vectorRecords, type VectorRecord } from './vectors.js';

function seedRecord(): VectorRecord {
  const rec = vectorRecords().find((r) => r.arxiv_id === '2109.10465' && r.arxiv_version === 1);
  if (!rec) throw new Error('test/fixtures/records.json: no record for 2109.10465v1');
  return rec;
}

const seed = seedRecord();
const [, year, body] = seed.pith_number.split(':') as [string, string, string];

export const SEED = {
  record: seed,
  /** pith:YYYY:BODY */
  number: seed.pith_number,
  body,
  year,
  sha256: seed.canonical_sha256,
} as const;
