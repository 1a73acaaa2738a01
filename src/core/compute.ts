// Build the canonical record from a paper's own metadata, offline (spec §2). Pure.
//
// Decisions (documented in docs/resolve.md):
// - cross_cats_sorted: every listed category other than the primary, duplicates removed,
//   sorted by code point (arXiv lists the primary among the categories; the registry's
//   records never repeat it).
// - submitted_at: any ISO 8601 date-time with a time zone (Z, +hh:mm, +hhmm, +hh), or an
//   RFC 2822 date (arXivRaw's "Fri, 14 Jan 2022 18:36:04 GMT"), normalised to UTC
//   YYYY-MM-DDTHH:MM:SSZ; fractional seconds are truncated. A time without a zone is refused:
//   it would be a guess.
import { sha256Hex } from './encoding.js';
import { compareCodePoints, type JsonObject } from './json.js';
import type { PithNumber } from './number.js';
import { canonText, isBeyondAscii } from './text.js';
import { canonicalSha256, numberOfRecord, type CanonicalRecord } from './record.js';
import { parseArxivId, QueryError } from './query.js';

export interface PaperMetadata {
  arxiv_id?: string;
  version?: number | string;
  title?: string;
  abstract?: string;
  /** The registry's hash of the canonical title/abstract, when the text itself is not at hand
   * (the record page shows the hashes; old papers' abstracts are often not copied anywhere). */
  title_sha256?: string;
  abstract_sha256?: string;
  primary_cat?: string;
  cross_cats?: string[] | string;
  license?: string;
  submitted_at?: string;
}

export class MetadataError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'MetadataError';
  }
}

export interface ComputeResult {
  record: CanonicalRecord;
  canonical_sha256: string;
  number: PithNumber;
  /** The canonical text hashed, or null when only its hash was given. */
  title_canon: string | null;
  abstract_canon: string | null;
  /** Fields holding text beyond ASCII, where the canonicalisation rule is inferred. */
  inferred: string[];
  /** Notes on what was normalised (dropped duplicate categories, time zone converted...). */
  notes: string[];
}

// arXiv categories: archive (letters, one optional "-" part) with an optional ".Sub" class:
// cs.LG, hep-th, math.AG, astro-ph.CO, q-bio.NC, physics.comp-ph, cond-mat.stat-mech.
// Lower-case subject classes exist only under physics and cond-mat.
const CATEGORY = /^(?:[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?|(?:physics|cond-mat)\.[a-z]+(?:-[a-z]+)?)$/;

export function assertCategory(cat: string, field: string): string {
  const c = cat.trim();
  if (!CATEGORY.test(c)) {
    throw new MetadataError(field, `"${cat}" is not an arXiv category (like cs.LG, hep-th, math.AG, astro-ph.CO)`);
  }
  return c;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const RFC2822 =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s*)?(\d{1,2})\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+(GMT|UT|UTC|Z|[+-]\d{4})$/i;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Normalise a date-time with a zone to `YYYY-MM-DDTHH:MM:SSZ`. Throws MetadataError. */
export function normaliseSubmittedAt(text: string, field = 'submitted_at'): { value: string; converted: boolean } {
  const t = text.trim();
  let y: number, mo: number, d: number, h: number, mi: number, s: number, offsetMin: number;
  const m = ISO.exec(t);
  const r = m ? null : RFC2822.exec(t);
  if (m) {
    const zone = m[8];
    if (zone === undefined) {
      throw new MetadataError(field, `"${text}" has no time zone; write it with Z or an offset, e.g. 2022-01-14T18:36:04Z`);
    }
    [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
    s = m[6] === undefined ? 0 : Number(m[6]);
    offsetMin = zoneMinutes(zone);
  } else if (r) {
    d = Number(r[1]);
    mo = MONTHS.indexOf((r[2] as string).toLowerCase()) + 1;
    y = Number(r[3]);
    h = Number(r[4]);
    mi = Number(r[5]);
    s = r[6] === undefined ? 0 : Number(r[6]);
    offsetMin = zoneMinutes(r[7] as string);
  } else {
    throw new MetadataError(field, `"${text}" is not a date-time such as 2022-01-14T18:36:04Z (ISO 8601 with a time zone)`);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) {
    throw new MetadataError(field, `"${text}" is not a real date and time`);
  }
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(local);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1)
    throw new MetadataError(field, `"${text}": there is no day ${d} in that month`);
  const utc = new Date(local - offsetMin * 60_000);
  const value = utc.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (!/^\d{4}-/.test(value)) throw new MetadataError(field, `"${text}" is out of range`);
  return { value, converted: value !== t };
}

function zoneMinutes(zone: string): number {
  if (/^(z|gmt|ut|utc)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) throw new MetadataError('submitted_at', `time zone "${zone}" is not understood`);
  const hh = Number(m[2]);
  const mm = m[3] === undefined ? 0 : Number(m[3]);
  if (hh > 23 || mm > 59) throw new MetadataError('submitted_at', `time zone "${zone}" is out of range`);
  return (m[1] === '-' ? -1 : 1) * (hh * 60 + mm);
}

function required(meta: PaperMetadata, field: keyof PaperMetadata, hint: string): string {
  const v = meta[field];
  if (v === undefined || v === null) throw new MetadataError(field, `missing; ${hint}`);
  if (typeof v !== 'string') throw new MetadataError(field, 'expected text');
  return v;
}

/** Build the canonical record, its hash and number. Throws MetadataError for bad input. */
export function computeRecord(meta: PaperMetadata): ComputeResult {
  const notes: string[] = [];
  const inferred: string[] = [];
  const { id, version } = arxivIdAndVersion(meta);
  const titleHash = canonHash(meta, 'title', 'title_sha256', 'give --title (as arXiv lists it) or --title-sha256', inferred);
  const abstractHash = canonHash(
    meta,
    'abstract',
    'abstract_sha256',
    'give --abstract or --abstract-file (as arXiv lists it) or --abstract-sha256',
    inferred,
  );
  const primary = assertCategory(required(meta, 'primary_cat', 'give --primary-cat (e.g. cs.LG)'), 'primary_cat');
  const crossSorted = crossCategories(meta, primary, notes);
  // Papers from 1993-2004 carry an empty licence in the registry's records ("license": ""),
  // so an empty one is kept as it is; anything else must look like a URL.
  const license = required(
    meta,
    'license',
    'give --license (the license URL arXiv shows, e.g. http://creativecommons.org/licenses/by/4.0/, or "" for an old paper without one)',
  ).trim();
  if (license === '') notes.push("license is empty, as in the registry's records of papers from 1993-2004 that arXiv lists without one");
  if (isBeyondAscii(license) || /\s/.test(license)) throw new MetadataError('license', `"${license}" is not a license URL`);
  const submitted = normaliseSubmittedAt(required(meta, 'submitted_at', 'give --submitted-at (first version, e.g. 2022-01-14T18:36:04Z)'));
  if (submitted.converted) notes.push(`submitted_at ${String(meta.submitted_at).trim()} normalised to ${submitted.value}`);
  const record: CanonicalRecord = {
    schema_version: '1.0',
    source: { kind: 'arxiv', id, version },
    metadata: {
      license,
      primary_cat: primary,
      cross_cats_sorted: crossSorted,
      submitted_at: submitted.value,
      title_canon_sha256: titleHash.sha256,
      abstract_canon_sha256: abstractHash.sha256,
    },
  };
  return {
    record,
    canonical_sha256: canonicalSha256(record),
    number: numberOfRecord(record),
    title_canon: titleHash.canon,
    abstract_canon: abstractHash.canon,
    inferred,
    notes,
  };
}

/** The arXiv id (without its version) and the version: from the id's vN, or given apart (they must agree). */
function arxivIdAndVersion(meta: PaperMetadata): { id: string; version: number } {
  const rawId = required(meta, 'arxiv_id', 'give --arxiv-id (e.g. 2201.05596)').trim();
  let parsedId;
  try {
    parsedId = parseArxivId(rawId.replace(/^arxiv:/i, ''));
  } catch (err) {
    if (err instanceof QueryError) throw new MetadataError('arxiv_id', err.message);
    throw err;
  }
  if (!parsedId) throw new MetadataError('arxiv_id', `"${rawId}" is not an arXiv id (YYMM.NNNNN or archive/YYMMNNN)`);
  if (meta.version === undefined || meta.version === '') {
    if (parsedId.version === null) throw new MetadataError('version', 'missing; give --arxiv-version N or an id with vN');
    return { id: parsedId.id, version: parsedId.version };
  }
  const v = typeof meta.version === 'number' ? String(meta.version) : meta.version.trim().replace(/^v/i, '');
  if (!/^[1-9]\d{0,5}$/.test(v)) throw new MetadataError('version', `"${String(meta.version)}" is not a positive whole number`);
  const version = Number(v);
  if (parsedId.version !== null && parsedId.version !== version) {
    throw new MetadataError('version', `v${version} disagrees with the id's v${parsedId.version}`);
  }
  return { id: parsedId.id, version };
}

/** cross_cats_sorted: each category checked, the primary and repeats left out (with a note). */
function crossCategories(meta: PaperMetadata, primary: string, notes: string[]): string[] {
  const rawCross = meta.cross_cats === undefined ? [] : typeof meta.cross_cats === 'string' ? splitCats(meta.cross_cats) : meta.cross_cats;
  const cross = new Set<string>();
  for (const c of rawCross) {
    if (typeof c !== 'string') throw new MetadataError('cross_cats', 'expected category strings');
    const cat = assertCategory(c, 'cross_cats');
    if (cat === primary) {
      notes.push(`the primary category ${primary} was also listed as a cross-list; it is left out of cross_cats_sorted`);
      continue;
    }
    if (cross.has(cat)) notes.push(`cross-list ${cat} was listed twice; kept once`);
    cross.add(cat);
  }
  return [...cross].sort(compareCodePoints);
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The canonical hash of the title or abstract: from its text, or given as a hash (not both). */
function canonHash(
  meta: PaperMetadata,
  field: 'title' | 'abstract',
  hashField: 'title_sha256' | 'abstract_sha256',
  hint: string,
  inferred: string[],
): { sha256: string; canon: string | null } {
  const text = meta[field];
  const hash = meta[hashField];
  if (text !== undefined && hash !== undefined) throw new MetadataError(hashField, `give the ${field} or its hash, not both`);
  if (hash !== undefined) {
    const h = hash.trim().toLowerCase();
    if (!HEX64.test(h))
      throw new MetadataError(
        hashField,
        `"${hash}" is not a SHA-256 in hex (64 characters 0-9a-f, as the record page shows ${field}_canon_sha256)`,
      );
    return { sha256: h, canon: null };
  }
  const raw = required(meta, field, hint);
  const canon = canonText(raw);
  if (canon === '') throw new MetadataError(field, 'is empty');
  if (isBeyondAscii(raw)) inferred.push(field);
  return { sha256: sha256Hex(canon), canon };
}

/** Categories written as one string: "cs.AI cs.DC", "cs.AI, cs.DC". */
export function splitCats(text: string): string[] {
  return text.split(/[\s,]+/).filter((c) => c !== '');
}

/** A registry record to compare with: the first differing field, with both values, or null. */
export function recordDifference(
  computed: CanonicalRecord,
  registry: JsonObject,
): { field: string; computed: unknown; registry: unknown } | null {
  const order: [string, (r: JsonObject) => unknown][] = [
    ['schema_version', (r) => r.schema_version],
    ['source.kind', (r) => get(r, 'source', 'kind')],
    ['source.id', (r) => get(r, 'source', 'id')],
    ['source.version', (r) => get(r, 'source', 'version')],
    ['metadata.title_canon_sha256', (r) => get(r, 'metadata', 'title_canon_sha256')],
    ['metadata.abstract_canon_sha256', (r) => get(r, 'metadata', 'abstract_canon_sha256')],
    ['metadata.primary_cat', (r) => get(r, 'metadata', 'primary_cat')],
    ['metadata.cross_cats_sorted', (r) => JSON.stringify(get(r, 'metadata', 'cross_cats_sorted'))],
    ['metadata.license', (r) => get(r, 'metadata', 'license')],
    ['metadata.submitted_at', (r) => get(r, 'metadata', 'submitted_at')],
  ];
  for (const [field, pick] of order) {
    const a = pick(computed);
    const b = pick(registry);
    if (a !== b) return { field, computed: a, registry: b };
  }
  // Anything else (an extra key the registry added) still changes the hash: find it.
  const extra = (obj: JsonObject, other: JsonObject, at: string): string | null => {
    for (const key of new Set([...Object.keys(obj), ...Object.keys(other)])) {
      const a = obj[key];
      const b = other[key];
      if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
        const inner = extra(a as JsonObject, b as JsonObject, `${at}${key}.`);
        if (inner) return inner;
      } else if (a === undefined || b === undefined) return `${at}${key}`;
    }
    return null;
  };
  const field = extra(computed, registry, '');
  return field ? { field, computed: 'absent or different', registry: 'present or different' } : null;
}

function get(r: JsonObject, a: string, b: string): unknown {
  const inner = r[a];
  return inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as JsonObject)[b] : undefined;
}
