// Resolve a query to a verified record, trying in order: --bundle FILE, the project's
// pith.lock.json, the on-disk cache, the HTTP resolver. Nothing is used or stored before it
// passes the core's full check and is shown to name what was asked.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isJsonObject, JsonSyntaxError, parseJson, type JsonObject, type JsonValue } from '../core/json.js';
import type { TrustedKey } from '../core/keys.js';
import { assertLock, LOCK_FILE, verifyLock, type PithLock } from '../core/lock.js';
import type { PithNumber } from '../core/number.js';
import { describeQuery, queryKey, queryMismatch, recordKeys, resolverSegment, type Query } from '../core/query.js';
import { numberOfRecord, ShapeError, type CanonicalRecord } from '../core/record.js';
import { rollbackOf } from '../core/rollback.js';
import { escapeForTerminal } from '../core/escape.js';
import { classifyDocument, failedCheckLines, verifyBundle, type VerifyReport } from '../core/verify.js';
import { EXIT, PithError } from '../errors.js';
import { BundleCache, defaultCacheDir } from './cache.js';
import { readBoundedText, MAX_JSON_BYTES } from './files.js';
import { assertAllowedUrl, FetchError, httpGet, httpOptionsFromEnv, type HttpOptions } from './http.js';

export const DEFAULT_RESOLVER = 'https://pith.science';

export type SourceKind = 'bundle-file' | 'lock' | 'cache' | 'resolver';

export interface ResolveOptions {
  trusted: readonly TrustedKey[];
  bundle?: string;
  /** Folder holding pith.lock.json (default: cwd). */
  dir?: string;
  offline?: boolean;
  /** Skip the lock and cache reads: ask the resolver (the result is still cached). */
  refresh?: boolean;
  /** A whole bundle is needed (for --save): skip the lock, which holds only record + receipt. */
  needBundle?: boolean;
  resolver?: string;
  env?: NodeJS.ProcessEnv;
  http?: Partial<HttpOptions>;
  cacheDir?: string;
  warn?: (message: string) => void;
  /** Use a bundle older than one verified before (anti-rollback, src/core/rollback.ts). */
  allowOlder?: boolean;
  /** Show fetch progress (the caller passes stderr.isTTY). */
  progress?: boolean;
}

export interface Resolved {
  query: Query;
  record: CanonicalRecord;
  number: PithNumber;
  canonical_sha256: string;
  report: VerifyReport;
  /** The verified bundle and its bytes; null when the source was the lock. */
  bundle: JsonObject | null;
  text: string | null;
  lock: PithLock | null;
  aliases: JsonValue[];
  source: { kind: SourceKind; location: string };
  /** For a query without a version: which version was used and why. */
  versionNote: string | null;
  cache: { dir: string; stored: 'stored' | 'kept-newer' | 'unwritable' | 'not-stored' };
}

const failedChecks = (report: VerifyReport): string => failedCheckLines(report).slice(0, 5).join('; ');

export async function resolveQuery(query: Query, options: ResolveOptions): Promise<Resolved> {
  const env = options.env ?? process.env;
  const warn = options.warn ?? ((m: string) => process.stderr.write(`pith-tex: warning: ${m}\n`));
  const cache = new BundleCache(options.cacheDir ?? defaultCacheDir(env), warn);
  const what = describeQuery(query);

  const finishBundle = async (
    bundle: JsonObject,
    text: string,
    report: VerifyReport,
    source: Resolved['source'],
    store: boolean,
  ): Promise<Resolved> => {
    const record = bundle.canonical_record as CanonicalRecord;
    const number = numberOfRecord(record);
    let stored: Resolved['cache']['stored'] = 'not-stored';
    const back = await guardRollback(cache, query, bundle, source, options, warn);
    if (back) store = false; // --allow-older: used, never cached over the newer one
    if (store) {
      stored = await cache.store(bundle, text, number.body, recordKeys(record, number.body), record.source.version, (held) => {
        try {
          return verifyBundle(held, options.trusted).ok;
        } catch {
          return false;
        }
      });
    }
    if (stored === 'kept-newer') {
      // Rollback protection: the cache holds a later verified state of this record than the
      // one just served. Use the later one (an older state could hide attestations or
      // corrections); the cache has already warned.
      const held = await cache.read(`body:${number.body}`);
      if (held) {
        try {
          const doc = parseJson(held.text);
          if (isJsonObject(doc) && classifyDocument(doc) === 'bundle') {
            const heldReport = verifyBundle(doc, options.trusted);
            const heldRecord = doc.canonical_record as CanonicalRecord;
            if (heldReport.ok && numberOfRecord(heldRecord).body === number.body) {
              bundle = doc;
              text = held.text;
              report = heldReport;
              source = { kind: 'cache', location: held.file };
            }
          }
        } catch {
          /* keep the served bundle: it verified */
        }
      }
    }
    const kept = bundle.canonical_record as CanonicalRecord;
    await cache.remember(kept.source.kind === 'arxiv' ? kept.source.id : null, kept.source.version, numberOfRecord(kept).body, String(bundle.built_at));
    return {
      query,
      record,
      number,
      canonical_sha256: report.canonical_sha256 as string,
      report,
      bundle,
      text,
      lock: null,
      aliases: Array.isArray(bundle.source_aliases) ? bundle.source_aliases : [],
      source,
      versionNote: versionNote(query, source),
      cache: { dir: cache.dir, stored },
    };
  };

  // 1. --bundle FILE
  if (options.bundle) {
    const file = options.bundle;
    const text = await readBoundedText(file, MAX_JSON_BYTES, 'Pith bundle');
    const doc = parseOrThrow(text, file, EXIT.badInput);
    if (classifyOrThrow(doc, file, EXIT.badInput) !== 'bundle') {
      throw new PithError(`${file}: is a record, not a bundle; --bundle needs the whole signed bundle (bundle.json)`, EXIT.badInput);
    }
    const bundle = doc as JsonObject;
    const report = verifyOrThrow(bundle, options.trusted, file, EXIT.badInput);
    if (!report.ok) throw new PithError(`${file}: the bundle does not verify: ${failedChecks(report)}`, EXIT.checkFailed);
    const mismatch = queryMismatch(query, bundle.canonical_record as CanonicalRecord, numberOfRecord(bundle.canonical_record as CanonicalRecord), bundle.source_aliases);
    if (mismatch) throw new PithError(`${file}: the bundle does not name ${what}: ${mismatch}`, EXIT.checkFailed);
    return finishBundle(bundle, text, report, { kind: 'bundle-file', location: path.resolve(file) }, true);
  }

  // 2. pith.lock.json beside the paper
  if (!options.refresh && !options.needBundle) {
    const lockFile = path.resolve(options.dir ?? process.cwd(), LOCK_FILE);
    const fromLock = await tryLock(lockFile, query, options.trusted, warn);
    if (fromLock) {
      const { lock, report } = fromLock;
      const record = lock.canonical_record as CanonicalRecord;
      const source = { kind: 'lock' as const, location: lockFile };
      return {
        query,
        record,
        number: numberOfRecord(record),
        canonical_sha256: report.canonical_sha256 as string,
        report,
        bundle: null,
        text: null,
        lock,
        aliases: lock.source_aliases,
        source,
        versionNote: versionNote(query, source),
        cache: { dir: cache.dir, stored: 'not-stored' },
      };
    }
  }

  // 3. the cache. A versioned id, a number or a prefix names fixed content, so its cached
  // answer holds (the bundle is re-verified). A bare id names "the newest version", which
  // changes when the author posts v2: its answer is trusted for idTimeToLiveMs, then the
  // resolver is asked again (and the cached one kept as the fallback when it is unreachable).
  let staleHit: { bundle: JsonObject; text: string; report: VerifyReport; file: string; ageMs: number } | null = null;
  if (!options.refresh) {
    const key = queryKey(query);
    const hit = await cache.read(key);
    if (hit) {
      let problem: string | null = null;
      let bundle: JsonObject | null = null;
      let report: VerifyReport | null = null;
      try {
        const doc = parseJson(hit.text);
        if (!isJsonObject(doc) || classifyDocument(doc) !== 'bundle') throw new ShapeError('(top level)', 'a bundle');
        bundle = doc;
        report = verifyBundle(bundle, options.trusted);
        if (!report.ok) problem = `it no longer verifies (${failedChecks(report)})`;
        else {
          const record = bundle.canonical_record as CanonicalRecord;
          const number = numberOfRecord(record);
          if (number.body !== hit.body) problem = `it is filed under ${hit.body} but its number is ${number.body}`;
          else problem = queryMismatch(query, record, number, bundle.source_aliases);
        }
      } catch (err) {
        problem = `it cannot be read (${(err as Error).message})`;
      }
      if (problem === null && bundle && report) {
        const ageMs = query.kind === 'arxiv' && query.version === null && !options.offline ? await cache.aliasAgeMs(key) : null;
        if (ageMs === null || ageMs <= idTimeToLiveMs(env)) {
          return finishBundle(bundle, hit.text, report, { kind: 'cache', location: hit.file }, false);
        }
        staleHit = { bundle, text: hit.text, report, file: hit.file, ageMs };
      } else {
        warn(`evicted the cached bundle ${hit.file}: ${problem}; trying the next source`);
        await cache.evict(hit.body, key);
      }
    }
  }

  // 4. the resolver
  const askResolver = async (): Promise<Resolved> => {
    if (options.offline) {
      const body = query.kind === 'number' ? query.body : 'BODY';
      throw new PithError(
        `offline, and ${what} is not in ${LOCK_FILE} or the cache (${cache.dir}). To get the record: run \`pith-tex resolve ${query.input}\` once online; ` +
          `or pass --bundle FILE with a bundle downloaded from ${DEFAULT_RESOLVER}/pith/${body}/bundle.json; ` +
          'or compute the number from the paper\'s metadata with `pith-tex compute`',
        EXIT.fetchFailed,
      );
    }
    const base = (options.resolver ?? env.PITH_RESOLVER ?? DEFAULT_RESOLVER).replace(/\/+$/, '');
    try {
      assertAllowedUrl(`${base}/`);
    } catch (err) {
      throw new PithError(`resolver ${base}: ${(err as Error).message}`, EXIT.badInput);
    }
    const http = httpOptionsFromEnv(env, options.http ?? {});
    const progress = options.progress ? makeProgress() : null;
    const urls = [`${base}/pith/${resolverSegment(query)}/bundle.json`];
    if (query.kind === 'number') urls.push(`${base}/.well-known/pith/${query.body}/bundle.json`);

    const notFound: string[] = [];
    let badContent: PithError | null = null;
    try {
      for (const url of urls) {
        let text: string;
        let finalUrl: string;
        let contentType: string;
        try {
          const res = await httpGet(url, progress ? { ...http, onProgress: progress.onProgress, onRetry: progress.onRetry } : http);
          finalUrl = res.url;
          contentType = String(res.headers['content-type'] ?? '');
          try {
            text = new TextDecoder('utf-8', { fatal: true }).decode(res.body);
          } catch {
            badContent = new PithError(`the resolver served something that is not UTF-8 text at ${finalUrl}, not a Pith bundle`, EXIT.checkFailed);
            continue;
          }
        } catch (err) {
          if (err instanceof FetchError) {
            if (err.kind === 'not_found') {
              notFound.push(url);
              continue;
            }
            throw fetchFailure(err, base);
          }
          throw err;
        }
        let doc: JsonValue;
        try {
          doc = parseJson(text);
        } catch (err) {
          const html = /html/i.test(contentType) || /^\s*</.test(text);
          badContent = new PithError(
            html
              ? `the resolver served HTML, not a Pith bundle, at ${finalUrl} (is ${base} a Pith resolver or mirror?)`
              : `the resolver served something that is not strict JSON at ${finalUrl}: ${err instanceof JsonSyntaxError ? err.message : String(err)}`,
            EXIT.checkFailed,
          );
          continue;
        }
        const bundle = doc as JsonObject;
        let kind: string;
        try {
          kind = classifyDocument(doc);
        } catch (err) {
          badContent = new PithError(`the resolver served JSON that is not a Pith bundle at ${finalUrl}: ${(err as Error).message}`, EXIT.checkFailed);
          continue;
        }
        if (kind !== 'bundle') {
          badContent = new PithError(`the resolver served a record, not a signed bundle, at ${finalUrl}`, EXIT.checkFailed);
          continue;
        }
        const report = verifyOrThrow(bundle, options.trusted, finalUrl, EXIT.checkFailed);
        if (!report.ok) {
          throw new PithError(`the resolver served a bundle that fails verification at ${finalUrl}: ${failedChecks(report)}; nothing was cached`, EXIT.checkFailed);
        }
        const record = bundle.canonical_record as CanonicalRecord;
        const mismatch = queryMismatch(query, record, numberOfRecord(record), bundle.source_aliases);
        if (mismatch) {
          throw new PithError(`the resolver answered with a different paper at ${finalUrl}: ${mismatch}; nothing was cached`, EXIT.checkFailed);
        }
        return await finishBundle(bundle, text, report, { kind: 'resolver', location: finalUrl }, true);
      }
    } finally {
      progress?.clear();
    }
    if (badContent) throw badContent;
    const staticNote =
      query.kind === 'number'
        ? ''
        : `; a static mirror (the .well-known/pith/BODY layout) can serve only full 26-character bodies, so ask for pith:YEAR:BODY if ${base} is a static mirror`;
    throw new PithError(`not found: ${what} is not known to ${base} (tried ${notFound.join(', ')})${staticNote}`, EXIT.fetchFailed);
  };
  if (!staleHit) return askResolver();
  // A bare id's alias is past its time to live: the resolver may know a newer version. Ask
  // it, and fall back to the (verified) cached one only when it cannot be reached.
  try {
    return await askResolver();
  } catch (err) {
    if (!(err instanceof PithError) || err.exitCode !== EXIT.fetchFailed) throw err;
    const hit = staleHit;
    warn(
      `could not ask the resolver whether ${what} has a version newer than v${(hit.bundle.canonical_record as CanonicalRecord).source.version} ` +
        `(${err.message.split(';')[0]}); using the cached one, last checked ${formatAge(hit.ageMs)} ago`,
    );
    return finishBundle(hit.bundle, hit.text, hit.report, { kind: 'cache', location: hit.file }, false);
  }
}

/**
 * Refuse (exit 1) a bundle from the resolver or the cache that goes back from what this cache
 * verified before: a lower version for a bare arXiv id, or an older built_at for the record.
 * With --allow-older it is used, with a warning, and true is returned.
 */
async function guardRollback(
  cache: BundleCache,
  query: Query,
  bundle: JsonObject,
  source: Resolved['source'],
  options: ResolveOptions,
  warn: (m: string) => void,
): Promise<boolean> {
  if (source.kind !== 'resolver' && source.kind !== 'cache') return false; // a file the user named
  const record = bundle.canonical_record as CanonicalRecord;
  const arxivId = record.source.kind === 'arxiv' ? record.source.id : null;
  const body = numberOfRecord(record).body;
  const seen = await cache.seen(arxivId, body);
  const wantsNewest = query.kind === 'arxiv' && query.version === null;
  const back = rollbackOf(seen, { arxivId, version: record.source.version, body, builtAt: String(bundle.built_at), wantsNewest });
  if (back === null) return false;
  // The same record's newer bundle still cached and valid: store() keeps and uses it.
  if (!wantsNewest || !/^arXiv:/.test(back)) {
    const held = await cache.read(`body:${body}`);
    const heldDoc = held ? (() => { try { return parseJson(held.text); } catch { return null; } })() : null;
    if (isJsonObject(heldDoc) && heldDoc.built_at === seen.builtAt) {
      try {
        if (verifyBundle(heldDoc, options.trusted).ok) return false;
      } catch {
        /* not usable: refuse below */
      }
    }
  }
  if (!options.allowOlder) {
    throw new PithError(
      `${back}: refused, a resolver or mirror replaying an older signed state is a rollback (from ${source.location}); nothing was cached. Pass --allow-older to use it on purpose`,
      EXIT.checkFailed,
    );
  }
  warn(`${back}; used because --allow-older was given (not cached)`);
  return true;
}

/** "3 h", "2 d": how long ago, for a warning. */
function formatAge(ms: number): string {
  const h = ms / 3_600_000;
  return h < 1 ? `${Math.max(1, Math.round(ms / 60_000))} min` : h < 48 ? `${Math.round(h)} h` : `${Math.round(h / 24)} d`;
}

/** How long a bare arXiv id's cached answer is taken as the newest version (default 24 h). */
export function idTimeToLiveMs(env: NodeJS.ProcessEnv): number {
  const raw = env.PITH_TEX_ID_TTL_SECONDS;
  const seconds = raw !== undefined && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 24 * 3_600_000;
}

function versionNote(query: Query, source: Resolved['source']): string | null {
  if (query.kind !== 'arxiv' || query.version !== null) return null;
  switch (source.kind) {
    case 'resolver':
      return `the newest version the resolver knows`;
    case 'cache':
      return `the newest version in the local cache (use --refresh to ask the resolver)`;
    case 'lock':
      return `the version in ${LOCK_FILE}`;
    case 'bundle-file':
      return `the version in the bundle file`;
  }
}

function fetchFailure(err: FetchError, base: string): PithError {
  const offline = 'to work offline, pass --bundle FILE (a downloaded bundle.json) or compute the number with `pith-tex compute`';
  switch (err.kind) {
    case 'unreachable':
    case 'timeout':
      return new PithError(`resolver unreachable: ${err.message}; check the network or --resolver/PITH_RESOLVER (${base}); ${offline}`, EXIT.fetchFailed);
    case 'too_large':
      return new PithError(`could not fetch: ${err.message} (a bundle is ~15 KB; refusing to read more)`, EXIT.fetchFailed);
    case 'redirects':
    case 'insecure':
      return new PithError(`could not fetch: ${err.message}`, EXIT.fetchFailed);
    case 'bad_url':
      return new PithError(err.message, EXIT.badInput);
    default:
      return new PithError(`could not fetch: ${err.message}; ${offline}`, EXIT.fetchFailed);
  }
}

async function tryLock(
  lockFile: string,
  query: Query,
  trusted: readonly TrustedKey[],
  warn: (m: string) => void,
): Promise<{ lock: PithLock; report: VerifyReport } | null> {
  try {
    await fs.access(lockFile);
  } catch {
    return null;
  }
  let lock: PithLock;
  let report: VerifyReport;
  try {
    const doc = parseJson(await readBoundedText(lockFile, MAX_JSON_BYTES, 'lock file'));
    assertLock(doc);
    lock = doc;
    report = verifyLock(lock, trusted);
  } catch (err) {
    const msg = err instanceof ShapeError ? `${err.field}: expected ${err.expected}` : (err as Error).message;
    warn(`${lockFile} cannot be used (${msg}); ignored`);
    return null;
  }
  const record = lock.canonical_record as CanonicalRecord;
  if (queryMismatch(query, record, numberOfRecord(record), lock.source_aliases) !== null) return null; // another paper
  if (!report.ok) {
    warn(`${lockFile} names ${describeQuery(query)} but does not verify (${failedChecks(report)}); ignored, trying the next source`);
    return null;
  }
  return { lock, report };
}

function parseOrThrow(text: string, where: string, code: 1 | 2): JsonValue {
  try {
    return parseJson(text);
  } catch (err) {
    throw new PithError(`${where}: not valid JSON for pith-tex: ${(err as Error).message}`, code);
  }
}

function classifyOrThrow(doc: JsonValue, where: string, code: 1 | 2): string {
  try {
    return classifyDocument(doc);
  } catch (err) {
    throw new PithError(`${where}: ${(err as Error).message}`, code);
  }
}

function verifyOrThrow(bundle: JsonObject, trusted: readonly TrustedKey[], where: string, code: 1 | 2): VerifyReport {
  try {
    return verifyBundle(bundle, trusted);
  } catch (err) {
    if (err instanceof ShapeError) throw new PithError(`${where}: not a well-formed bundle: ${err.field}: expected ${err.expected}`, code);
    throw err;
  }
}

/** Progress on stderr (only when asked: the caller checks it is a TTY). Quiet for the first 500 ms. */
function makeProgress() {
  const started = Date.now();
  let shown = false;
  const line = (text: string) => {
    process.stderr.write(`\r\u001b[2K${text}`);
    shown = true;
  };
  const timer = setInterval(() => {
    if (!shown && Date.now() - started > 500) line('pith-tex: waiting for the resolver…');
  }, 250);
  timer.unref();
  return {
    onProgress: (p: { url: string; received: number; total: number | null }) => {
      if (Date.now() - started < 500) return;
      const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
      line(`pith-tex: fetching ${escapeForTerminal(p.url)} ${kib(p.received)}${p.total ? ` of ${kib(p.total)}` : ''}`);
    },
    onRetry: (p: { url: string; attempt: number; waitMs: number; reason: string }) => {
      line(`pith-tex: ${escapeForTerminal(p.reason)} from ${escapeForTerminal(p.url)}; retrying in ${(p.waitMs / 1000).toFixed(1)} s (attempt ${p.attempt + 1})`);
    },
    clear: () => {
      clearInterval(timer);
      if (shown) process.stderr.write('\r\u001b[2K');
    },
  };
}

