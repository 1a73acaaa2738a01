// Queries for `pith-tex resolve`: every way a user names a paper, parsed into one shape,
// and the check that a served record really is the one that was asked for. Pure.
import { isJsonObject, type JsonValue } from './json.js';
import { formatNumber, NumberFormatError, parsePithNumber } from './number.js';
import type { CanonicalRecord } from './record.js';

export type Query =
  | { kind: 'arxiv'; id: string; version: number | null; input: string; via: 'id' | 'url' | 'doi' }
  | { kind: 'number'; body: string; year: string | null; input: string }
  | { kind: 'short'; prefix: string; length: 8 | 12 | 16; input: string };

export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

export const ACCEPTED_FORMS = [
  'an arXiv id with or without version (2201.05596, 2201.05596v2, hep-th/9901001v1)',
  'an arXiv URL (https://arxiv.org/abs/2201.05596v2, .../pdf/2201.05596v2)',
  'an arXiv DOI (10.48550/arXiv.2201.05596, doi:..., https://doi.org/...)',
  'a Pith number (pith:2022:BODY, pith:BODY, BODY: 26 characters A-Z 2-7)',
  'a short number (the first 8, 12 or 16 characters of BODY, with or without pith:)',
];

const acceptedText = (): string => `accepted forms: ${ACCEPTED_FORMS.join('; ')}`;

// New-style ids: YYMM.NNNN (April 2007 - Dec 2014) or YYMM.NNNNN (from January 2015).
const NEW_ID = /^(\d{2})(\d{2})\.(\d{4,5})(?:v(\d+))?$/;
// Old-style ids: archive(-subarchive)?(.XX subject class)?/YYMMNNN.
const OLD_ID = /^([a-z]+(?:-[a-z]+)?)(?:\.([A-Z]{2}))?\/(\d{2})(\d{2})(\d{3})(?:v(\d+))?$/;

/** Parse an arXiv identifier (no URL, no prefix). Returns null if it is not one; throws on a near miss. */
export function parseArxivId(text: string): { id: string; version: number | null } | null {
  const m = NEW_ID.exec(text);
  if (m) {
    const [, yy, mm, num, v] = m as unknown as [string, string, string, string, string | undefined];
    const month = Number(mm);
    if (month < 1 || month > 12) throw new QueryError(`"${text}": arXiv id month ${mm} is not 01-12`);
    const yymm = Number(yy + mm);
    if (yymm < 704) throw new QueryError(`"${text}": new-style arXiv ids start in April 2007 (0704); older papers use archive/YYMMNNN`);
    const want = yymm >= 1501 ? 5 : 4;
    if (num.length !== want) throw new QueryError(`"${text}": arXiv ids from ${yy}${mm} have ${want} digits after the dot`);
    return { id: `${yy}${mm}.${num}`, version: versionOf(v, text) };
  }
  const o = OLD_ID.exec(text);
  if (o) {
    const [, archive, cls, yy, mm, num, v] = o as unknown as [
      string,
      string,
      string | undefined,
      string,
      string,
      string,
      string | undefined,
    ];
    const month = Number(mm);
    if (month < 1 || month > 12) throw new QueryError(`"${text}": arXiv id month ${mm} is not 01-12`);
    return { id: `${archive}${cls ? `.${cls}` : ''}/${yy}${mm}${num}`, version: versionOf(v, text) };
  }
  return null;
}

function versionOf(v: string | undefined, text: string): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1 || /^0/.test(v)) throw new QueryError(`"${text}": version v${v} is not a positive number`);
  return n;
}

const ARXIV_HOSTS = /^(?:www\.|export\.)?arxiv\.org$/i;
const DOI_HOSTS = /^(?:dx\.)?doi\.org$/i;
const ARXIV_DOI = /^10\.48550\/arxiv\.(.+)$/i;

/** Parse any accepted query. Throws QueryError naming the accepted forms. */
export function parseQuery(raw: string): Query {
  const input = raw.trim();
  if (input === '') throw new QueryError(`empty query; ${acceptedText()}`);
  try {
    return parseInner(input);
  } catch (err) {
    if (err instanceof QueryError || err instanceof NumberFormatError) {
      const msg = err.message;
      throw new QueryError(msg.includes('accepted forms') ? msg : `${msg}; ${acceptedText()}`);
    }
    throw err;
  }
}

function parseInner(input: string): Query {
  // URLs: arXiv abs/pdf pages and doi.org links.
  if (/^https?:\/\//i.test(input)) {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new QueryError(`"${input}" is not a valid URL`);
    }
    if (ARXIV_HOSTS.test(url.hostname)) {
      const m = /^\/(?:abs|pdf)\/(.+?)(?:\.pdf)?\/?$/.exec(decodeURIComponent(url.pathname));
      const parsed = m ? parseArxivId(m[1] as string) : null;
      if (!parsed) throw new QueryError(`"${input}" is an arXiv URL but not of an abs or pdf page with an arXiv id`);
      return { kind: 'arxiv', ...parsed, input, via: 'url' };
    }
    if (DOI_HOSTS.test(url.hostname)) return parseDoi(decodeURIComponent(url.pathname.replace(/^\//, '')), input);
    throw new QueryError(`"${input}": only arxiv.org and doi.org URLs are understood`);
  }
  if (/^doi:/i.test(input)) return parseDoi(input.slice(4).trim(), input);
  if (/^10\.\d{4,9}\//.test(input)) return parseDoi(input, input);
  if (/^arxiv:/i.test(input)) {
    const parsed = parseArxivId(input.slice(6).trim());
    if (!parsed) throw new QueryError(`"${input}" does not hold an arXiv id after "arxiv:"`);
    return { kind: 'arxiv', ...parsed, input, via: 'id' };
  }
  const arxiv = parseArxivId(input);
  if (arxiv) return { kind: 'arxiv', ...arxiv, input, via: 'id' };
  if (/^\d{4}\.\d+/.test(input) || /\//.test(input)) {
    throw new QueryError(`"${input}" looks like an arXiv id but is not one (YYMM.NNNNN or archive/YYMMNNN, optional vN)`);
  }
  const num = parsePithNumber(input);
  if (num.kind === 'full') return { kind: 'number', body: num.body, year: num.year, input };
  return { kind: 'short', prefix: num.prefix, length: num.length, input };
}

function parseDoi(doi: string, input: string): Query {
  const m = ARXIV_DOI.exec(doi);
  if (!m) {
    throw new QueryError(`"${input}" is not an arXiv DOI (10.48550/arXiv.ID): the registry holds arXiv papers, and names them by arXiv id`);
  }
  const parsed = parseArxivId(m[1] as string);
  if (!parsed) throw new QueryError(`"${input}": the DOI does not end in an arXiv id`);
  if (parsed.version !== null) throw new QueryError(`"${input}": an arXiv DOI has no version; drop the v${parsed.version}`);
  return { kind: 'arxiv', ...parsed, input, via: 'doi' };
}

/** The DataCite DOI arXiv assigns to an id, as the registry writes it (lower case "arxiv"). */
export const arxivDoi = (id: string): string => `10.48550/arxiv.${id}`;

/**
 * The cache index keys a query is looked up under, and that a verified record is stored
 * under. Keys are plain strings; the cache makes them file names.
 */
export function queryKey(q: Query): string {
  switch (q.kind) {
    case 'arxiv':
      return q.version === null ? `arxiv:${q.id}` : `arxiv_version:${q.id}v${q.version}`;
    case 'number':
      return `body:${q.body}`;
    case 'short':
      return `short:${q.prefix}`;
  }
}

/** Every key a record answers to: body, short prefixes, arXiv id, id+version, DOI. */
export function recordKeys(record: CanonicalRecord, body: string): string[] {
  const keys = [`body:${body}`, `short:${body.slice(0, 8)}`, `short:${body.slice(0, 12)}`, `short:${body.slice(0, 16)}`];
  if (record.source.kind === 'arxiv') {
    keys.push(`arxiv:${record.source.id}`, `arxiv_version:${record.source.id}v${record.source.version}`);
  }
  return keys;
}

/**
 * The path segment sent to a resolver for a query (`{base}/pith/{SEGMENT}/bundle.json`).
 * A DOI is sent as its arXiv id; an old-style id's "/" is percent-encoded.
 */
export function resolverSegment(q: Query): string {
  switch (q.kind) {
    case 'arxiv':
      return encodeURIComponent(q.version === null ? q.id : `${q.id}v${q.version}`);
    case 'number':
      return q.body;
    case 'short':
      return q.prefix;
  }
}

/** Human description of a query for messages. */
export function describeQuery(q: Query): string {
  switch (q.kind) {
    case 'arxiv':
      return q.via === 'doi' ? `DOI ${arxivDoi(q.id)}` : `arXiv ${q.id}${q.version === null ? '' : `v${q.version}`}`;
    case 'number':
      return formatNumber(q);
    case 'short':
      return `short number ${formatNumber({ body: q.prefix })}`;
  }
}

/**
 * Does a verified record (with its number and aliases) name what was asked? Null when it does,
 * else what differs. A resolver answering with another paper is a verification failure.
 */
export function queryMismatch(
  q: Query,
  record: CanonicalRecord,
  number: { body: string; year: string },
  aliases: JsonValue | undefined,
): string | null {
  switch (q.kind) {
    case 'number':
      if (number.body !== q.body) return `asked for body ${q.body}, got a record with body ${number.body}`;
      if (q.year !== null && q.year !== number.year) return `asked for year ${q.year}, the record's number has year ${number.year}`;
      return null;
    case 'short':
      return number.body.startsWith(q.prefix)
        ? null
        : `asked for short number ${q.prefix}, got ${number.body}, which does not start with it`;
    case 'arxiv': {
      const src = record.source;
      if (src.kind !== 'arxiv') return `asked for arXiv ${q.id}, got a record of source kind ${src.kind}`;
      if (src.id !== q.id) return `asked for arXiv ${q.id}, got a record of arXiv ${src.id}`;
      if (q.version !== null && src.version !== q.version) return `asked for arXiv ${q.id}v${q.version}, got version v${src.version}`;
      if (q.via === 'doi') {
        const want = arxivDoi(q.id);
        const list = Array.isArray(aliases) ? aliases : [];
        const doi = list.find((a) => isJsonObject(a) && a.alias_kind === 'doi');
        // A record without a DOI alias (a lock from an older registry) still names the paper by id.
        if (doi && isJsonObject(doi) && String(doi.alias_value).toLowerCase() !== want) {
          return `asked for DOI ${want}, the record's DOI alias is ${String(doi.alias_value)}`;
        }
      }
      return null;
    }
  }
}
