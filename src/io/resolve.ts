// Resolve a query to a verified record, trying in order: --bundle FILE, the project's
// pith.lock.json, the on-disk cache, the HTTP resolver. Nothing is used or stored before it
// passes the core's full check and is shown to name what was asked.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isJsonObject, JsonSyntaxError, omitKeys, parseJson, type JsonObject, type JsonValue } from '../core/json.js';
import { firstDifference, stateSha256 } from '../core/merge.js';
import type { SignatureVerifier } from '../core/check.js';
import type { TrustedKey } from '../core/keys.js';
import { LOCK_FILE, type PithLock } from '../core/lock.js';
import type { PithNumber } from '../core/number.js';
import { describeQuery, queryKey, queryMismatch, recordKeys, resolverSegment, type Query } from '../core/query.js';
import { numberOfRecord, ShapeError, type CanonicalRecord } from '../core/record.js';
import { rollbackOf } from '../core/rollback.js';
import { escapeForTerminal } from '../core/escape.js';
import { classifyDocument, failedCheckLines, verifyBundle, type VerifyReport } from '../core/verify.js';
import { EXIT, PithError } from '../errors.js';
import { fillPattern, keysForMirror, parseMirrorManifest, type Mirror } from '../core/mirrors.js';
import { BundleCache, defaultCacheDir } from './cache.js';
import { readBoundedText } from './files.js';
import { readVerifiedBundle, readVerifiedLock, verifyOrThrow } from './local-sources.js';

export { readVerifiedBundle, readVerifiedLock };
import { assertAllowedUrl, FetchError, httpGet, httpOptionsFromEnv, type HttpOptions } from './http.js';

export const DEFAULT_RESOLVER = 'https://pith.science';

export type SourceKind = 'bundle-file' | 'lock' | 'cache' | 'resolver';

export interface ResolveOptions {
  trusted: readonly TrustedKey[];
  /** Judges each Ed25519 signature (default keys.ts verifyEd25519; stamp puts the memory of verified signatures in front). */
  verify?: SignatureVerifier;
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
  /** A mirror manifest (file or URL) to fetch from instead of the resolver (else PITH_MIRRORS). */
  mirrors?: string;
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

/** What every source sees: the query, the options, the cache, and what earlier sources left. */
interface SourceContext {
  query: Query;
  options: ResolveOptions;
  env: NodeJS.ProcessEnv;
  warn: (message: string) => void;
  cache: BundleCache;
  what: string;
  /** A verified cached answer past its time to live: the fallback when no remote answers. */
  stale: { bundle: JsonObject; text: string; report: VerifyReport; file: string; ageMs: number } | null;
  /** Why the remotes did not answer (kept for the stale fallback). */
  remoteError: PithError | null;
}

/** A source returns a verified result naming what was asked, or null: ask the next one. */
type Source = (ctx: SourceContext) => Promise<Resolved | null>;

/** In order: --bundle FILE, pith.lock.json, the cache, the mirrors or resolver, a stale cache hit. */
const SOURCES: readonly Source[] = [bundleFileSource, lockSource, cacheSource, remoteSource, staleCacheSource];

export async function resolveQuery(query: Query, options: ResolveOptions): Promise<Resolved> {
  const env = options.env ?? process.env;
  const warn = options.warn ?? ((m: string) => process.stderr.write(`pith-tex: warning: ${m}\n`));
  const ctx: SourceContext = {
    query,
    options,
    env,
    warn,
    cache: new BundleCache(options.cacheDir ?? defaultCacheDir(env), warn),
    what: describeQuery(query),
    stale: null,
    remoteError: null,
  };
  for (const source of SOURCES) {
    const found = await source(ctx);
    if (found) return found;
  }
  throw ctx.remoteError ?? new PithError(`${ctx.what}: no source answered`, EXIT.fetchFailed);
}

/** The result for a verified bundle, stored in the cache when `store` (with rollback protection). */
async function finishBundle(
  ctx: SourceContext,
  bundle: JsonObject,
  text: string,
  report: VerifyReport,
  source: Resolved['source'],
  store: boolean,
): Promise<Resolved> {
  const { cache, options, query } = ctx;
  const record = bundle.canonical_record as CanonicalRecord;
  const number = numberOfRecord(record);
  let stored: Resolved['cache']['stored'] = 'not-stored';
  if (await guardRollback(cache, query, bundle, source, options, ctx.warn)) store = false; // --allow-older: used, never cached over the newer one
  if (store) {
    stored = await cache.store(bundle, text, number.body, recordKeys(record, number.body), record.source.version, (held) => {
      try {
        return verifyBundle(held, options.trusted, options.verify).ok;
      } catch {
        return false;
      }
    });
  }
  if (stored === 'kept-newer') {
    // Rollback protection: the cache holds a later verified state of this record than the one
    // just served. Use the later one (an older state could hide attestations or corrections).
    const newer = await verifiedCacheEntry(ctx, `body:${number.body}`);
    if (newer && newer.number.body === number.body)
      (({ bundle, text, report } = newer), (source = { kind: 'cache', location: newer.file }));
  }
  const kept = bundle.canonical_record as CanonicalRecord;
  await cache.remember(
    kept.source.kind === 'arxiv' ? kept.source.id : null,
    kept.source.version,
    numberOfRecord(kept).body,
    String(bundle.built_at),
  );
  return {
    query,
    record: bundle.canonical_record as CanonicalRecord,
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
}

/** A cache entry that parses as a bundle and verifies, or null. */
async function verifiedCacheEntry(ctx: SourceContext, key: string) {
  const held = await ctx.cache.read(key);
  if (!held) return null;
  try {
    const doc = parseJson(held.text);
    if (!isJsonObject(doc) || classifyDocument(doc) !== 'bundle') return null;
    const report = verifyBundle(doc, ctx.options.trusted, ctx.options.verify);
    return report.ok
      ? { bundle: doc, text: held.text, report, file: held.file, number: numberOfRecord(doc.canonical_record as CanonicalRecord) }
      : null;
  } catch {
    return null;
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
    const heldDoc = held
      ? (() => {
          try {
            return parseJson(held.text);
          } catch {
            return null;
          }
        })()
      : null;
    if (isJsonObject(heldDoc) && heldDoc.built_at === seen.builtAt) {
      try {
        if (verifyBundle(heldDoc, options.trusted, options.verify).ok) return false;
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

/** 1. --bundle FILE: verified, and it must name what was asked. */
async function bundleFileSource(ctx: SourceContext): Promise<Resolved | null> {
  const file = ctx.options.bundle;
  if (!file) return null;
  const { bundle, text, report } = await readVerifiedBundle(file, ctx.options.trusted, ctx.options.verify);
  const record = bundle.canonical_record as CanonicalRecord;
  const mismatch = queryMismatch(ctx.query, record, numberOfRecord(record), bundle.source_aliases);
  if (mismatch) throw new PithError(`${file}: the bundle does not name ${ctx.what}: ${mismatch}`, EXIT.checkFailed);
  return finishBundle(ctx, bundle, text, report, { kind: 'bundle-file', location: path.resolve(file) }, true);
}

/** 2. pith.lock.json beside the paper, when it names what was asked and verifies. */
async function lockSource(ctx: SourceContext): Promise<Resolved | null> {
  const { options, query } = ctx;
  if (options.refresh || options.needBundle) return null;
  const lockFile = path.resolve(options.dir ?? process.cwd(), LOCK_FILE);
  const fromLock = await tryLock(lockFile, query, options, ctx.warn);
  if (!fromLock) return null;
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
    cache: { dir: ctx.cache.dir, stored: 'not-stored' },
  };
}

/**
 * 3. The cache. A versioned id, a number or a prefix names fixed content, so its cached answer
 * holds (the bundle is re-verified). A bare id names "the newest version", which changes when
 * the author posts v2: its answer is trusted for idTimeToLiveMs, then kept as the fallback.
 */
async function cacheSource(ctx: SourceContext): Promise<Resolved | null> {
  const { options, query, cache } = ctx;
  if (options.refresh) return null;
  const key = queryKey(query);
  const hit = await cache.read(key);
  if (!hit) return null;
  let problem: string | null = null;
  let bundle: JsonObject | null = null;
  let report: VerifyReport | null = null;
  try {
    const doc = parseJson(hit.text);
    if (!isJsonObject(doc) || classifyDocument(doc) !== 'bundle') throw new ShapeError('(top level)', 'a bundle');
    bundle = doc;
    report = verifyBundle(bundle, options.trusted, options.verify);
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
  if (problem !== null || !bundle || !report) {
    ctx.warn(`evicted the cached bundle ${hit.file}: ${problem}; trying the next source`);
    await cache.evict(hit.body, key);
    return null;
  }
  const ageMs = query.kind === 'arxiv' && query.version === null && !options.offline ? await cache.aliasAgeMs(key) : null;
  if (ageMs === null || ageMs <= idTimeToLiveMs(ctx.env))
    return finishBundle(ctx, bundle, hit.text, report, { kind: 'cache', location: hit.file }, false);
  ctx.stale = { bundle, text: hit.text, report, file: hit.file, ageMs };
  return null;
}

/** 5. A bare id's stale cached answer, when no remote could be reached. */
async function staleCacheSource(ctx: SourceContext): Promise<Resolved | null> {
  const hit = ctx.stale;
  if (!hit || !ctx.remoteError) return null;
  ctx.warn(
    `could not ask the resolver whether ${ctx.what} has a version newer than v${(hit.bundle.canonical_record as CanonicalRecord).source.version} ` +
      `(${ctx.remoteError.message.split(';')[0]}); using the cached one, last checked ${formatAge(hit.ageMs)} ago`,
  );
  return finishBundle(ctx, hit.bundle, hit.text, hit.report, { kind: 'cache', location: hit.file }, false);
}

/** Where bundles are fetched from: one resolver, or each mirror of a manifest in order. */
export interface Remote {
  name: string;
  base: string;
  bundleUrls: string[];
  /** The state.json URL for a body. */
  stateUrl: (body: string) => string | null;
  /** The keys its bundles are verified with (a mirror's own trusted key), or why it is refused. */
  keys: readonly TrustedKey[] | { refused: string };
}

/** The remotes for a query: the mirrors of --mirrors/PITH_MIRRORS, else --resolver/PITH_RESOLVER. */
export async function remotesFor(query: Query | null, options: ResolveOptions, env: NodeJS.ProcessEnv): Promise<Remote[]> {
  const segment = query ? resolverSegment(query) : '';
  const body = query?.kind === 'number' ? query.body : null;
  const mirrorsSpec = options.mirrors ?? env.PITH_MIRRORS;
  if (mirrorsSpec !== undefined && mirrorsSpec.trim() !== '') {
    const mirrors = await loadMirrorManifest(mirrorsSpec.trim(), env, options.http ?? {});
    return mirrors.map((m) => {
      const keys = keysForMirror(m, options.trusted);
      return {
        name: `mirror ${JSON.stringify(m.name)}${m.status === 'primary' ? ' (primary)' : ''}`,
        base: m.baseUrl || new URL(fillPattern(m.bundlePattern, 'x')).origin,
        bundleUrls: [fillPattern(m.bundlePattern, segment), ...(body && m.wellKnownPattern ? [fillPattern(m.wellKnownPattern, body)] : [])],
        stateUrl: (b: string) => (m.statePattern ? fillPattern(m.statePattern, b) : null),
        keys: 'keys' in keys ? keys.keys : keys,
      };
    });
  }
  const base = (options.resolver ?? env.PITH_RESOLVER ?? DEFAULT_RESOLVER).replace(/\/+$/, '');
  try {
    assertAllowedUrl(`${base}/`);
  } catch (err) {
    throw new PithError(`resolver ${base}: ${(err as Error).message}`, EXIT.badInput);
  }
  return [
    {
      name: base,
      base,
      bundleUrls: [`${base}/pith/${segment}/bundle.json`, ...(body ? [`${base}/.well-known/pith/${body}/bundle.json`] : [])],
      stateUrl: (b: string) => `${base}/pith/${b}/state.json`,
      keys: options.trusted,
    },
  ];
}

/** The mirror manifest from a file or an https URL (http only to loopback). */
async function loadMirrorManifest(spec: string, env: NodeJS.ProcessEnv, http: Partial<HttpOptions>): Promise<Mirror[]> {
  let text: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    try {
      const res = await httpGet(assertAllowedUrl(spec).href, httpOptionsFromEnv(env, { ...http, maxBytes: 1 << 20 }));
      text = new TextDecoder('utf-8', { fatal: true }).decode(res.body);
    } catch (err) {
      if (err instanceof FetchError)
        throw new PithError(
          `mirror manifest ${spec}: ${err.message}`,
          err.kind === 'bad_url' || err.kind === 'insecure' ? EXIT.badInput : EXIT.fetchFailed,
        );
      throw new PithError(`mirror manifest ${spec}: not UTF-8 text`, EXIT.badInput);
    }
  } else {
    text = await readBoundedText(spec, 1 << 20, 'mirror manifest');
  }
  try {
    return parseMirrorManifest(parseJson(text));
  } catch (err) {
    throw new PithError(
      `mirror manifest ${spec}: ${(err as Error).message} (the shape of ${DEFAULT_RESOLVER}/pith-mirrors.json)`,
      EXIT.badInput,
    );
  }
}

/** 4. The remotes in order: the first that serves a verified bundle naming the query answers. */
async function remoteSource(ctx: SourceContext): Promise<Resolved | null> {
  const { options, query, what } = ctx;
  if (options.offline) {
    const body = query.kind === 'number' ? query.body : 'BODY';
    throw new PithError(
      `offline, and ${what} is not in ${LOCK_FILE} or the cache (${ctx.cache.dir}). To get the record: run \`pith-tex resolve ${query.input}\` once online; ` +
        `or pass --bundle FILE with a bundle downloaded from ${DEFAULT_RESOLVER}/pith/${body}/bundle.json; ` +
        "or compute the number from the paper's metadata with `pith-tex compute`",
      EXIT.fetchFailed,
    );
  }
  const remotes = await remotesFor(query, options, ctx.env);
  const failures: PithError[] = [];
  for (const remote of remotes) {
    try {
      if (!Array.isArray(remote.keys))
        throw new PithError(`${remote.name} refused: ${(remote.keys as { refused: string }).refused}`, EXIT.checkFailed);
      return await fromRemote(ctx, remote, remote.keys);
    } catch (err) {
      if (!(err instanceof PithError) || err.exitCode === EXIT.badInput) throw err;
      failures.push(err);
      if (remote !== remotes[remotes.length - 1]) ctx.warn(`${err.message.split('; ')[0]}; trying the next mirror`);
    }
  }
  // A bad bundle (exit 1) outranks an unreachable mirror (exit 3): it is the one to hear about.
  const worst = failures.find((f) => f.exitCode === EXIT.checkFailed) ?? (failures[failures.length - 1] as PithError);
  const err =
    remotes.length > 1
      ? new PithError(`no mirror served ${what}: ${failures.map((f) => f.message.split('; ')[0]).join('; ')}`, worst.exitCode)
      : worst;
  if (ctx.stale && err.exitCode === EXIT.fetchFailed) {
    ctx.remoteError = err;
    return null;
  }
  throw err;
}

/** Fetch the text at a URL as UTF-8: null when not found; a PithError for anything else. */
async function fetchText(
  url: string,
  base: string,
  ctx: SourceContext,
  progress: ReturnType<typeof makeProgress> | null,
): Promise<{ text: string; url: string; contentType: string } | null> {
  const http = httpOptionsFromEnv(ctx.env, ctx.options.http ?? {});
  try {
    const res = await httpGet(url, progress ? { ...http, onProgress: progress.onProgress, onRetry: progress.onRetry } : http);
    const contentType = String(res.headers['content-type'] ?? '');
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(res.body), url: res.url, contentType };
    } catch {
      throw new PithError(`the resolver served something that is not UTF-8 text at ${res.url}, not a Pith bundle`, EXIT.checkFailed);
    }
  } catch (err) {
    if (err instanceof FetchError) {
      if (err.kind === 'not_found') return null;
      throw fetchFailure(err, base);
    }
    throw err;
  }
}

/** One remote: its bundle URLs in order; bad content moves on to the next URL, a failed check stops. */
async function fromRemote(ctx: SourceContext, remote: Remote, trusted: readonly TrustedKey[]): Promise<Resolved> {
  const { query, what } = ctx;
  const progress = ctx.options.progress ? makeProgress() : null;
  const notFound: string[] = [];
  let badContent: PithError | null = null;
  try {
    for (const url of remote.bundleUrls) {
      let got;
      try {
        got = await fetchText(url, remote.base, ctx, progress);
      } catch (err) {
        if (err instanceof PithError && err.exitCode === EXIT.checkFailed) {
          badContent = err;
          continue;
        }
        throw err;
      }
      if (!got) {
        notFound.push(url);
        continue;
      }
      const { text, url: finalUrl, contentType } = got;
      let doc: JsonValue;
      try {
        doc = parseJson(text);
      } catch (err) {
        const html = /html/i.test(contentType) || /^\s*</.test(text);
        badContent = new PithError(
          html
            ? `the resolver served HTML, not a Pith bundle, at ${finalUrl} (is ${remote.base} a Pith resolver or mirror?)`
            : `the resolver served something that is not strict JSON at ${finalUrl}: ${err instanceof JsonSyntaxError ? err.message : String(err)}`,
          EXIT.checkFailed,
        );
        continue;
      }
      let kind: string;
      try {
        kind = classifyDocument(doc);
      } catch (err) {
        badContent = new PithError(
          `the resolver served JSON that is not a Pith bundle at ${finalUrl}: ${(err as Error).message}`,
          EXIT.checkFailed,
        );
        continue;
      }
      if (kind !== 'bundle') {
        badContent = new PithError(`the resolver served a record, not a signed bundle, at ${finalUrl}`, EXIT.checkFailed);
        continue;
      }
      const bundle = doc as JsonObject;
      const report = verifyOrThrow(bundle, trusted, finalUrl, EXIT.checkFailed);
      if (!report.ok) {
        throw new PithError(
          `the resolver served a bundle that fails verification at ${finalUrl}: ${failedChecks(report)}; nothing was cached`,
          EXIT.checkFailed,
        );
      }
      const record = bundle.canonical_record as CanonicalRecord;
      const mismatch = queryMismatch(query, record, numberOfRecord(record), bundle.source_aliases);
      if (mismatch)
        throw new PithError(
          `the resolver answered with a different paper at ${finalUrl}: ${mismatch}; nothing was cached`,
          EXIT.checkFailed,
        );
      return await finishBundle(ctx, bundle, text, report, { kind: 'resolver', location: finalUrl }, true);
    }
  } finally {
    progress?.clear();
  }
  if (badContent) throw badContent;
  const staticNote =
    query.kind === 'number'
      ? ''
      : `; a static mirror (the .well-known/pith/BODY layout) can serve only full 26-character bodies, so ask for pith:YEAR:BODY if ${remote.base} is a static mirror`;
  throw new PithError(`not found: ${what} is not known to ${remote.base} (tried ${notFound.join(', ')})${staticNote}`, EXIT.fetchFailed);
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
      return new PithError(
        `resolver unreachable: ${err.message}; check the network or --resolver/PITH_RESOLVER (${base}); ${offline}`,
        EXIT.fetchFailed,
      );
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
  options: Pick<ResolveOptions, 'trusted' | 'verify'>,
  warn: (m: string) => void,
): Promise<{ lock: PithLock; report: VerifyReport } | null> {
  try {
    await fs.access(lockFile);
  } catch {
    return null;
  }
  let found: { lock: PithLock; report: VerifyReport };
  try {
    found = await readVerifiedLock(lockFile, options.trusted, options.verify);
  } catch (err) {
    const msg = err instanceof PithError ? err.message.replace(`${lockFile}: `, '') : (err as Error).message;
    warn(`${lockFile} cannot be used (${msg}); ignored`);
    return null;
  }
  const { lock, report } = found;
  const record = lock.canonical_record as CanonicalRecord;
  if (queryMismatch(query, record, numberOfRecord(record), lock.source_aliases) !== null) return null; // another paper
  if (!report.ok) {
    warn(`${lockFile} names ${describeQuery(query)} but does not verify (${failedChecks(report)}); ignored, trying the next source`);
    return null;
  }
  return { lock, report };
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
      line(
        `pith-tex: ${escapeForTerminal(p.reason)} from ${escapeForTerminal(p.url)}; retrying in ${(p.waitMs / 1000).toFixed(1)} s (attempt ${p.attempt + 1})`,
      );
    },
    clear: () => {
      clearInterval(timer);
      if (shown) process.stderr.write('\r\u001b[2K');
    },
  };
}

export interface StateCheck {
  url: string;
  matches: boolean;
  /** Where the served state first differs from the state merged from the bundle's events. */
  difference: string | null;
  served_state_sha256: string | null;
  merged_state_sha256: string;
}

/**
 * `resolve --state`: fetch the registry's (or a mirror's) state.json for the record and compare it
 * with the state merged from the verified bundle's events (verifyBundle has already recomputed
 * that merge and found it equal to bundle.state). The remotes are tried in order.
 */
export async function checkServedState(resolved: Resolved, options: ResolveOptions): Promise<StateCheck> {
  if (!resolved.bundle) throw new PithError('--state needs the whole bundle, and the source gave only a record', EXIT.badInput);
  const env = options.env ?? process.env;
  const merged = resolved.bundle.state as JsonObject;
  const ctx = { env, options } as SourceContext;
  const problems: string[] = [];
  for (const remote of await remotesFor(resolved.query, options, env)) {
    const url = remote.stateUrl(resolved.number.body);
    if (url === null) continue;
    let got;
    try {
      got = await fetchText(url, remote.base, ctx, null);
    } catch (err) {
      if (!(err instanceof PithError) || err.exitCode === EXIT.badInput) throw err;
      problems.push(err.message.split('; ')[0] as string);
      continue;
    }
    if (!got) {
      problems.push(`not found at ${url}`);
      continue;
    }
    let served: JsonValue;
    try {
      served = parseJson(got.text);
    } catch (err) {
      throw new PithError(`${got.url}: the served state is not strict JSON (${(err as Error).message})`, EXIT.checkFailed);
    }
    if (!isJsonObject(served)) throw new PithError(`${got.url}: the served state is not a JSON object`, EXIT.checkFailed);
    const ownHash =
      served.state_sha256 === stateSha256(served) ? null : 'state_sha256 (the served state does not hash to its own state_sha256)';
    const diff = ownHash ?? firstDifference(omitKeys(served, ['state_sha256']), omitKeys(merged, ['state_sha256']));
    return {
      url: got.url,
      matches: diff === null,
      difference: diff === null ? null : diff.startsWith('state_sha256') ? diff : `state.${diff}`,
      served_state_sha256: typeof served.state_sha256 === 'string' ? served.state_sha256 : null,
      merged_state_sha256: stateSha256(merged),
    };
  }
  throw new PithError(
    `--state: no state.json could be fetched (${problems.join('; ') || 'no remote has a state pattern'})`,
    EXIT.fetchFailed,
  );
}

/** The registry's record JSON ({base}/pith/{BODY}.json), from the first remote that has it. */
export async function fetchRecordJson(resolved: Resolved, options: ResolveOptions): Promise<{ url: string; doc: JsonValue }> {
  const env = options.env ?? process.env;
  const ctx = { env, options } as SourceContext;
  const problems: string[] = [];
  for (const remote of await remotesFor(resolved.query, options, env)) {
    const url = `${remote.base.replace(/\/+$/, '')}/pith/${resolved.number.body}.json`;
    try {
      const got = await fetchText(url, remote.base, ctx, null);
      if (!got) {
        problems.push(`not found at ${url}`);
        continue;
      }
      return { url: got.url, doc: parseJson(got.text) };
    } catch (err) {
      if (err instanceof PithError && err.exitCode === EXIT.badInput) throw err;
      problems.push(`${url}: ${(err as Error).message.split('; ')[0]}`);
    }
  }
  throw new PithError(`--registry-status: the record JSON could not be fetched (${problems.join('; ')})`, EXIT.fetchFailed);
}
