// The registry's data, copied into test/fixtures from shared/vectors.
import { readFileSync } from 'node:fs';
import { parseJson, isJsonObject, type JsonObject } from '../../src/core/json.js';
import { fixture } from '../helpers.js';

export interface VectorRecord {
  arxiv_id: string;
  arxiv_version: number;
  title: string;
  abstract: string;
  canonical_record: JsonObject;
  canonical_json: string;
  canonical_sha256: string;
  pith_number: string;
  pith_short_8: string;
  pith_short_12: string;
  pith_short_16: string;
  doi: string;
}

export const BUNDLE_FILE = fixture('2109.10465v1.bundle.json');

/** A fresh, mutable copy of the seed bundle each call. */
export function seedBundle(): JsonObject {
  const v = parseJson(readFileSync(BUNDLE_FILE, 'utf-8'));
  if (!isJsonObject(v)) throw new Error('seed bundle is not an object');
  return v;
}

export function vectorRecords(): VectorRecord[] {
  return parseJson(readFileSync(fixture('records.json'), 'utf-8')) as unknown as VectorRecord[];
}
