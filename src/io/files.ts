// Files: bounded reads and atomic writes (temporary file in the same folder, fsync, rename).
import { promises as fs, constants as fsc } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseJson, JsonSyntaxError, type JsonValue } from '../core/json.js';
import { EXIT, PithError } from '../errors.js';

/** Largest JSON file read (a real bundle is ~15 KB; this leaves room for big graphs). */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

export async function readBoundedText(file: string, maxBytes: number, what = 'file'): Promise<string> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    throw new PithError(`${file}: cannot read the ${what} (${describeFsError(err)})`, EXIT.badInput);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new PithError(`${file}: is a folder; expected a ${what}`, EXIT.badInput);
    if (stat.size > maxBytes) {
      throw new PithError(`${file}: ${stat.size} bytes is over the ${maxBytes}-byte limit for a ${what}; is this the right file?`, EXIT.badInput);
    }
    const buf = await handle.readFile();
    if (buf.length > maxBytes) throw new PithError(`${file}: over the ${maxBytes}-byte limit for a ${what}`, EXIT.badInput);
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch (err) {
    if (err instanceof PithError) throw err;
    if (err instanceof TypeError) throw new PithError(`${file}: is not UTF-8 text; expected a ${what}`, EXIT.badInput);
    throw new PithError(`${file}: cannot read the ${what} (${describeFsError(err)})`, EXIT.badInput);
  } finally {
    await handle.close();
  }
}

/** Read and strictly parse a JSON file; every failure is one line naming the file and place. */
export async function readJsonFile(file: string, what = 'JSON file'): Promise<JsonValue> {
  const text = await readBoundedText(file, MAX_JSON_BYTES, what);
  if (text.trim() === '') throw new PithError(`${file}: the file is empty; expected a ${what}`, EXIT.badInput);
  try {
    return parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      const { line, column } = lineColumn(text, err.offset);
      throw new PithError(`${file}:${line}:${column}: not valid for pith-tex: ${err.message} (at ${err.path})`, EXIT.badInput);
    }
    throw err;
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    case 'EROFS':
      return 'read-only file system';
    default:
      return code ?? (err as Error)?.message ?? String(err);
  }
}

export interface AtomicWriteOptions {
  /** File mode for a new file; an existing file keeps its own mode. */
  mode?: number;
  /** Test hook: called at named points so a test can kill the process mid-write. */
  onStep?: (step: 'temp-written' | 'temp-synced' | 'renamed') => void;
}

/**
 * Write a file so that a reader (or a crash) sees the old content or the new, never a mix:
 * write a temporary file in the same folder, fsync it, rename it over the target, fsync the folder.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  let mode = options.mode ?? 0o644;
  try {
    mode = (await fs.stat(file)).mode & 0o7777;
  } catch {
    // new file: keep the default mode
  }
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode);
    await handle.writeFile(data);
    options.onStep?.('temp-written');
    await handle.sync();
    await handle.chmod(mode);
    await handle.close();
    handle = undefined;
    options.onStep?.('temp-synced');
    await fs.rename(temp, file);
    options.onStep?.('renamed');
  } catch (err) {
    await handle?.close().catch(() => {});
    await fs.rm(temp, { force: true }).catch(() => {});
    throw new PithError(`${file}: cannot write (${describeFsError(err)}); nothing was changed`, EXIT.refused);
  }
  // Make the rename itself durable; not all file systems allow opening a folder.
  try {
    const dh = await fs.open(dir, 'r');
    await dh.sync().catch(() => {});
    await dh.close();
  } catch {
    /* best effort */
  }
}
