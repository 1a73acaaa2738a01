// The registry's data, copied into test/fixtures from shared/vectors.
import { readFileSync } from 'node:fs';
import { parseJson, isJsonObject, type JsonObject } from '../../src/core/json.js';
import type { CanonicalRecord } from '../../src/core/record.js';
import { fixture } from '../helpers.js';

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

/** A registry record as shared/vectors lists it: title and abstract only where they are known. */
export interface RegistryVector {
  arxiv_id: string;
  arxiv_version: number;
  title?: string;
  abstract?: string;
  canonical_record: CanonicalRecord;
  canonical_sha256: string;
  pith_number: string;
}

/** A record of records.json: with its title, abstract, canonical JSON, short forms and DOI. */
export interface VectorRecord extends RegistryVector {
  title: string;
  abstract: string;
  canonical_json: string;
  pith_short_8: string;
  pith_short_12: string;
  pith_short_16: string;
  doi: string;
}

/**
 * Every real record in the vectors: records.json (four, with title and abstract) and
 * records-more.json (copied from shared/vectors/records-more.json: old-style ids, empty
 * licences, midnight timestamps, years that differ from the id, raw TeX in titles).
 */
export function allRegistryVectors(): RegistryVector[] {
  const read = (name: string) => parseJson(readFileSync(fixture(name), 'utf-8')) as unknown as RegistryVector[];
  return [...read('records.json'), ...read('records-more.json')];
}
