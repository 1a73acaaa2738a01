// The on-disk cache of verified bundles: $XDG_CACHE_HOME/pith-tex (else ~/.cache/pith-tex).
//
//   bundles/BODY.json     a verified bundle, byte for byte as it was served
//   aliases/KEY.json      {"body": BODY, "source_version": N}: the index of lookup keys
//                         (arxiv:ID, arxiv_version:IDvN, short:PREFIX) → body
//   seen/KEY.json         the anti-rollback memory, never evicted: for arxiv:ID the highest
//                         version verified ({"version": N, "body": BODY}), for body:BODY the
//                         newest built_at verified ({"built_at": T}). It outlives the bundles
//                         (a bundle evicted because today's run lacks its --trust-key is
//                         forgotten, its memory is not).
//   verified-signatures.txt  receipt signatures `check` verified (io/signature-memo.ts).
//
// The index is one small file per key rather than one index.json, so that two processes
// storing at once never lose each other's entries; every file is written atomically
// (temporary file in the same folder, then rename), so a reader sees a whole old file or a
// whole new one. Only bundles that passed full verification are given to `store`; every read
// is verified again by the caller before use (a cached file is not trusted for being cached).
// Synchronous file calls (as io/paper-files.ts): the first asynchronous one would cost every
// command that touches the cache fs/promises and libuv's thread pool at start-up.
import { mkdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isJsonObject, parseJson, type JsonObject } from '../core/json.js';
import { isBody } from '../core/number.js';
import { decodeUtf8, describeFsError, isMissing, readBoundedBytesSync, readBoundedText, writeFileAtomic } from './files.js';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'pith-tex');
}

/** A cache key as a file name: percent-encoded, so "/" and ":" are safe. */
export const keyFileName = (key: string): string => `${encodeURIComponent(key)}.json`;

const MAX_CACHED_BYTES = 16 * 1024 * 1024;
/** An index or memory entry is a few dozen bytes. */
const MAX_SMALL_BYTES = 64 * 1024;

/** What the cache remembers having verified, per arXiv id and per record. */
export interface SeenState {
  /** The highest version verified for the record's arXiv id, and its body. */
  version: { version: number; body: string } | null;
  /** The newest built_at verified for the record's body. */
  builtAt: string | null;
}

export interface CachedBundle {
  body: string;
  file: string;
  text: string;
}

export type StoreOutcome = 'stored' | 'kept-newer' | 'unwritable';

export class BundleCache {
  private warnedUnwritable = false;

  constructor(
    readonly dir: string,
    private readonly warn: (message: string) => void,
  ) {}

  bundleFile(body: string): string {
    return path.join(this.dir, 'bundles', `${body}.json`);
  }

  aliasFile(key: string): string {
    return path.join(this.dir, 'aliases', keyFileName(key));
  }

  /** The body a lookup key points to, or null. `body:BODY` is its own answer. */
  async bodyFor(key: string): Promise<string | null> {
    if (key.startsWith('body:')) return key.slice(5);
    const entry = await this.readAlias(key);
    return entry?.body ?? null;
  }

  private async readAlias(key: string): Promise<{ body: string; source_version: number | null } | null> {
    try {
      const text = await readBoundedText(this.aliasFile(key), MAX_SMALL_BYTES, 'cache index entry');
      const v = parseJson(text);
      if (isJsonObject(v) && isBody(v.body)) {
        return { body: v.body, source_version: typeof v.source_version === 'number' ? v.source_version : null };
      }
    } catch {
      /* missing or unreadable: not in the index */
    }
    return null;
  }

  /** How long ago the key's alias was last written or confirmed (ms), or null when it has none. */
  async aliasAgeMs(key: string): Promise<number | null> {
    if (key.startsWith('body:')) return null;
    try {
      return Math.max(0, Date.now() - statSync(this.aliasFile(key)).mtimeMs);
    } catch {
      return null;
    }
  }

  /** The cached bundle's bytes for a key, or null. Not verified: the caller must. */
  async read(key: string): Promise<CachedBundle | null> {
    const body = await this.bodyFor(key);
    if (body === null) return null;
    const file = this.bundleFile(body);
    try {
      return { body, file, text: await readBoundedText(file, MAX_CACHED_BYTES, 'cached bundle') };
    } catch (err) {
      // Too big, not UTF-8, a FIFO or a device: an empty text, which the caller evicts.
      return isMissing(err) ? null : { body, file, text: '' };
    }
  }

  seenFile(key: string): string {
    return path.join(this.dir, 'seen', keyFileName(key));
  }

  /** What was verified before for this arXiv id (null when not arXiv) and this body. */
  async seen(arxivId: string | null, body: string): Promise<SeenState> {
    const read = async (key: string): Promise<JsonObject | null> => {
      try {
        const v = parseJson(await readBoundedText(this.seenFile(key), MAX_SMALL_BYTES, 'cache memory entry'));
        return isJsonObject(v) ? v : null;
      } catch {
        return null;
      }
    };
    const [idEntry, bodyEntry] = await Promise.all([arxivId === null ? null : read(`arxiv:${arxivId}`), read(`body:${body}`)]);
    const version =
      idEntry && typeof idEntry.version === 'number' && typeof idEntry.body === 'string'
        ? { version: idEntry.version, body: idEntry.body }
        : null;
    const builtAt = bodyEntry && typeof bodyEntry.built_at === 'string' ? bodyEntry.built_at : null;
    return { version, builtAt };
  }

  /**
   * Remember a verified bundle: its arXiv id's version when higher than any seen, its built_at
   * when newer. Best effort (an unwritable cache only warns, in `store`).
   */
  async remember(arxivId: string | null, version: number, body: string, builtAt: string): Promise<void> {
    const before = await this.seen(arxivId, body);
    try {
      mkdirSync(path.join(this.dir, 'seen'), { recursive: true });
      if (arxivId !== null && (before.version === null || version > before.version.version)) {
        await writeFileAtomic(this.seenFile(`arxiv:${arxivId}`), `${JSON.stringify({ version, body })}\n`);
      }
      const newer = before.builtAt === null || Date.parse(builtAt) > Date.parse(before.builtAt);
      if (newer && !Number.isNaN(Date.parse(builtAt)))
        await writeFileAtomic(this.seenFile(`body:${body}`), `${JSON.stringify({ built_at: builtAt })}\n`);
    } catch {
      /* an unwritable cache is reported by store */
    }
  }

  /** Remove a cached bundle that no longer verifies (and the alias that led to it). */
  async evict(body: string, viaKey?: string): Promise<void> {
    const files = [this.bundleFile(body), ...(viaKey && !viaKey.startsWith('body:') ? [this.aliasFile(viaKey)] : [])];
    for (const file of files) {
      try {
        rmSync(file, { force: true });
      } catch {
        /* best effort: it is verified again on the next read */
      }
    }
  }

  /**
   * Store a verified bundle under its body and keys. Refuses (with a warning) a bundle whose
   * built_at is older than the valid one already held for that body: rollback protection.
   * `isValid` re-verifies the held bundle, so a damaged file cannot block updates forever.
   */
  async store(
    bundle: JsonObject,
    text: string,
    body: string,
    keys: string[],
    sourceVersion: number,
    isValid: (held: JsonObject) => boolean,
  ): Promise<StoreOutcome> {
    const file = this.bundleFile(body);
    // The same bytes already held (the usual case: the same bundle resolved again): nothing to
    // verify or write; the aliases are confirmed below.
    const heldText = readTextOrNull(file, MAX_CACHED_BYTES, 'cached bundle');
    const same = heldText === text;
    const held = same ? null : parseHeld(heldText);
    if (held && isValid(held)) {
      const heldAt = Date.parse(String(held.built_at));
      const newAt = Date.parse(String(bundle.built_at));
      if (!Number.isNaN(heldAt) && (Number.isNaN(newAt) || newAt < heldAt)) {
        this.warn(
          `not caching the bundle for ${body}: it was built at ${String(bundle.built_at)}, before the one already cached (${String(held.built_at)}); ` +
            'a resolver serving an older state than one already seen is a rollback; the newer cached one is kept and used',
        );
        return 'kept-newer';
      }
    }
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      mkdirSync(path.join(this.dir, 'aliases'), { recursive: true });
      if (!same) await writeFileAtomic(file, text);
      for (const key of keys) {
        if (key.startsWith('body:')) continue;
        if (key.startsWith('arxiv:')) {
          // The unversioned id points at the newest version seen.
          const current = await this.readAlias(key);
          if (current && current.body !== body && current.source_version !== null && current.source_version > sourceVersion) {
            // Keep pointing at the newer version, but note that the resolver was asked just now.
            const now = new Date();
            try {
              utimesSync(this.aliasFile(key), now, now);
            } catch {
              /* only the alias's age is lost */
            }
            continue;
          }
        }
        const alias = `${JSON.stringify({ body, source_version: sourceVersion })}\n`;
        if (readTextOrNull(this.aliasFile(key), MAX_SMALL_BYTES, 'cache index entry') !== alias)
          await writeFileAtomic(this.aliasFile(key), alias);
        else utimesSync(this.aliasFile(key), new Date(), new Date()); // confirmed just now (aliasAgeMs)
      }
      return 'stored';
    } catch (err) {
      if (!this.warnedUnwritable) {
        this.warnedUnwritable = true;
        const why = err instanceof Error && 'exitCode' in err ? err.message : describeFsError(err);
        this.warn(`cannot write the cache in ${this.dir} (${why}); continuing without caching (set XDG_CACHE_HOME to a writable folder)`);
      }
      return 'unwritable';
    }
  }
}

/** A cache file's text through the bounded reader, or null when it cannot be read. */
function readTextOrNull(file: string, maxBytes: number, what: string): string | null {
  try {
    return decodeUtf8(file, readBoundedBytesSync(file, maxBytes, what), what);
  } catch {
    return null;
  }
}

function parseHeld(text: string | null): JsonObject | null {
  if (text === null) return null;
  try {
    const v = parseJson(text);
    return isJsonObject(v) ? v : null;
  } catch {
    return null;
  }
}
