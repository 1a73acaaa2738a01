// The set of trusted keys: the pinned registry key plus any --trust-key files.
import { KeyEntryError, keysFromJson, PINNED_KEYS, type TrustedKey } from '../core/keys.js';
import { EXIT, PithError } from '../errors.js';
import { readJsonFile } from './files.js';

export async function loadTrustedKeys(files: readonly string[] = []): Promise<TrustedKey[]> {
  const keys: TrustedKey[] = [...PINNED_KEYS];
  for (const file of files) {
    const json = await readJsonFile(file, 'key file');
    let added: TrustedKey[];
    try {
      added = keysFromJson(json, file);
    } catch (err) {
      if (err instanceof KeyEntryError) throw new PithError(`${file}: ${err.field}: ${err.message}`, EXIT.badInput);
      throw err;
    }
    for (const key of added) {
      const clash = keys.find((k) => k.keyId === key.keyId);
      if (clash && clash.fingerprint !== key.fingerprint) {
        throw new PithError(
          `${file}: key_id: ${key.keyId} is already trusted as ${clash.fingerprint} (${clash.origin}); a second key under the same id is refused — give it its own key_id`,
          EXIT.badInput,
        );
      }
      if (!clash) keys.push(key);
    }
  }
  return keys;
}
