// The on-disk cache of verified bundles: $XDG_CACHE_HOME/pith-tex (else ~/.cache/pith-tex).
//
//   bundles/BODY.json     a verified bundle, byte for byte as it was served
//   aliases/KEY.json      {"body": BODY, "source_version": N}: the index of lookup keys
//                         (arxiv:ID, arxiv_version:IDvN, short:PREFIX) → body
//
// The index is one small file per key rather than one index.json, so that two processes
// storing at once never lose each other's entries; every file is written atomically
// (temporary file in the same folder, then rename), so a reader sees a whole old file or a
// whole new one. Only bundles that passed full verification are given to `store`; every read
// is verified again by the caller before use (a cached file is not trusted for being cached).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isJsonObject, parseJson, type JsonObject } from '../core/json.js';
import { isBody } from '../core/number.js';
import { writeFileAtomic, describeFsError } from './files.js';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'pith-tex');
}

/** A cache key as a file name: percent-encoded, so "/" and ":" are safe. */
export const keyFileName = (key: string): string => `${encodeURIComponent(key)}.json`;

const MAX_CACHED_BYTES = 16 * 1024 * 1024;

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
      const text = await fs.readFile(this.aliasFile(key), 'utf8');
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
      return Math.max(0, Date.now() - (await fs.stat(this.aliasFile(key))).mtimeMs);
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
      const stat = await fs.stat(file);
      if (stat.size > MAX_CACHED_BYTES) return { body, file, text: '' };
      return { body, file, text: await fs.readFile(file, 'utf8') };
    } catch {
      return null;
    }
  }

  /** Remove a cached bundle that no longer verifies (and the alias that led to it). */
  async evict(body: string, viaKey?: string): Promise<void> {
    await fs.rm(this.bundleFile(body), { force: true }).catch(() => {});
    if (viaKey && !viaKey.startsWith('body:')) await fs.rm(this.aliasFile(viaKey), { force: true }).catch(() => {});
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
    const held = await readHeld(file);
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
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.mkdir(path.join(this.dir, 'aliases'), { recursive: true });
      await writeFileAtomic(file, text);
      for (const key of keys) {
        if (key.startsWith('body:')) continue;
        if (key.startsWith('arxiv:')) {
          // The unversioned id points at the newest version seen.
          const current = await this.readAlias(key);
          if (current && current.body !== body && current.source_version !== null && current.source_version > sourceVersion) {
            // Keep pointing at the newer version, but note that the resolver was asked just now.
            const now = new Date();
            await fs.utimes(this.aliasFile(key), now, now).catch(() => {});
            continue;
          }
        }
        await writeFileAtomic(this.aliasFile(key), `${JSON.stringify({ body, source_version: sourceVersion })}\n`);
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

async function readHeld(file: string): Promise<JsonObject | null> {
  try {
    const v = parseJson(await fs.readFile(file, 'utf8'));
    return isJsonObject(v) ? v : null;
  } catch {
    return null;
  }
}
