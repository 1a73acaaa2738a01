// The canonical record (schema 1.0): shape checks, hash and number.
import { sha256Hex, isSha256Hex } from './encoding.js';
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { pithNumberFrom, type PithNumber } from './number.js';

export interface CanonicalRecord extends JsonObject {
  schema_version: string;
  source: { kind: string; id: string; version: number } & JsonObject;
  metadata: {
    license: string;
    primary_cat: string;
    cross_cats_sorted: string[];
    submitted_at: string;
    title_canon_sha256: string;
    abstract_canon_sha256: string;
  } & JsonObject;
}

/** A value that is not what the format requires: names the field and what was expected. */
export class ShapeError extends Error {
  constructor(
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${field}: expected ${expected}`);
    this.name = 'ShapeError';
  }
}

export const SUBMITTED_AT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Throws ShapeError unless `value` has the shape of a canonical record. `at` prefixes field names. */
export function assertCanonicalRecord(value: JsonValue | undefined, at = ''): asserts value is CanonicalRecord {
  const f = (name: string) => (at ? `${at}.${name}` : name);
  if (!isJsonObject(value)) throw new ShapeError(at || '(top level)', 'a canonical record object');
  if (value.schema_version !== '1.0') throw new ShapeError(f('schema_version'), 'the string "1.0"');
  const source = value.source;
  if (!isJsonObject(source)) throw new ShapeError(f('source'), 'an object {kind, id, version}');
  if (typeof source.kind !== 'string' || source.kind === '') throw new ShapeError(f('source.kind'), 'a non-empty string such as "arxiv"');
  if (typeof source.id !== 'string' || source.id === '') throw new ShapeError(f('source.id'), 'a non-empty string such as "2109.10465"');
  if (typeof source.version !== 'number' || source.version < 1) throw new ShapeError(f('source.version'), 'a positive integer');
  const m = value.metadata;
  if (!isJsonObject(m)) throw new ShapeError(f('metadata'), 'an object');
  for (const key of ['license', 'primary_cat'] as const) {
    if (typeof m[key] !== 'string') throw new ShapeError(f(`metadata.${key}`), 'a string');
  }
  if (typeof m.submitted_at !== 'string' || !SUBMITTED_AT_RE.test(m.submitted_at)) {
    throw new ShapeError(f('metadata.submitted_at'), 'a UTC time written YYYY-MM-DDTHH:MM:SSZ');
  }
  const cats = m.cross_cats_sorted;
  if (!Array.isArray(cats) || !cats.every((c) => typeof c === 'string')) {
    throw new ShapeError(f('metadata.cross_cats_sorted'), 'an array of category strings');
  }
  for (const key of ['title_canon_sha256', 'abstract_canon_sha256'] as const) {
    if (!isSha256Hex(m[key])) throw new ShapeError(f(`metadata.${key}`), '64 lower-case hex characters');
  }
}

export function canonicalSha256(record: JsonObject): string {
  return sha256Hex(canonicalJson(record));
}

export function numberOfRecord(record: CanonicalRecord): PithNumber {
  return pithNumberFrom(canonicalSha256(record), record.metadata.submitted_at);
}
