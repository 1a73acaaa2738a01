// The Ed25519 signatures `check` and `stamp` have verified on this machine, remembered in the
// cache ($XDG_CACHE_HOME/pith-tex/verified-signatures.txt, one signatureMemoKey per line), so
// that the check before every LaTeX build finds the lock's signature there, and a stamp run again
// the bundle's, instead of loading OpenSSL's key and signature machinery again (about 7 % of
// node's start-up: issue 16). `verify`, `resolve` and `inspect` always verify afresh.
//
// Only a signature that verified is written, under the SHA-256 of the key, the signature and the
// message; a lock changed in any byte that matters has another key and is verified afresh. The
// memory is as trustworthy as the cache folder it lives in (docs/resolve.md): whoever can
// write there can also replace pith-tex itself. Reading and writing are best effort: a missing,
// unreadable or unwritable memory only means verifying again.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { signatureMemoKey, type SignatureVerifier } from '../core/check.js';
import { defaultCacheDir } from './cache.js';
import { readBoundedBytesSync, writeFileAtomic } from './files.js';

export const SIGNATURE_MEMO_FILE = 'verified-signatures.txt';
/** The newest keys kept: a line is 65 bytes, so the memory stays under 64 KiB. */
const KEEP = 1000;
const MAX_BYTES = 64 * 1024;

export const signatureMemoPath = (env: NodeJS.ProcessEnv = process.env): string => path.join(defaultCacheDir(env), SIGNATURE_MEMO_FILE);

function readKeys(file: string): string[] {
  try {
    const text = Buffer.from(readBoundedBytesSync(file, MAX_BYTES, 'signature memory')).toString('latin1');
    return text.split('\n').filter((line) => /^[0-9a-f]{64}$/.test(line));
  } catch {
    return [];
  }
}

/** True when `key` was remembered as verified. */
export const rememberedAsVerified = (key: string, file = signatureMemoPath()): boolean => readKeys(file).includes(key);

/** Remember verified signatures' keys (atomically; the newest KEEP kept). Never throws. */
export async function rememberVerified(key: string | readonly string[], file = signatureMemoPath()): Promise<void> {
  const fresh = typeof key === 'string' ? [key] : key;
  try {
    const keys = readKeys(file).filter((k) => !fresh.includes(k));
    keys.push(...fresh);
    mkdirSync(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, `${keys.slice(-KEEP).join('\n')}\n`);
  } catch {
    /* best effort: the next check verifies again */
  }
}

/**
 * `verify` with the memory in front: a signature remembered as verified is verified; any other
 * is `verify`'s to judge, and those it accepts are remembered when `save` is called (after the
 * command's work, so a run that fails half-way writes nothing).
 */
export function rememberingVerifier(
  verify: SignatureVerifier,
  file = signatureMemoPath(),
): { verify: SignatureVerifier; save: () => Promise<void> } {
  let known: Set<string> | null = null;
  const fresh: string[] = [];
  return {
    verify(signature, message, publicKey) {
      const key = signatureMemoKey({ signature, message, publicKey });
      known ??= new Set(readKeys(file));
      if (known.has(key)) return true;
      const ok = verify(signature, message, publicKey);
      if (ok) {
        known.add(key);
        fresh.push(key);
      }
      return ok;
    },
    save: () => (fresh.length === 0 ? Promise.resolve() : rememberVerified(fresh, file)),
  };
}
