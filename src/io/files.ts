// Files: bounded reads and atomic writes (temporary file in the same folder, fsync, rename).
import { closeSync, constants as fsc, fstatSync, openSync, promises as fs, readSync, type Stats } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { decodeUtf8Strict } from '../core/utf8.js';
import { parseJson, JsonSyntaxError, type JsonValue } from '../core/json.js';
import { EXIT, PithError } from '../errors.js';

/** Largest JSON file read (a real bundle is ~15 KB; this leaves room for big graphs). */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

/** What a non-regular file is, for messages. */
function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

const notRegular = (file: string, stat: Stats, what: string): PithError =>
  new PithError(`${file}: is ${kindOf(stat)}, not a regular file; expected a ${what} (pith-tex reads only regular files)`, EXIT.badInput);
const overLimit = (file: string, maxBytes: number, what: string): PithError =>
  new PithError(`${file}: over the ${maxBytes}-byte limit for a ${what}; is this the right file?`, EXIT.badInput);
const tooBig = (file: string, size: number, maxBytes: number, what: string): PithError =>
  new PithError(`${file}: ${size} bytes is over the ${maxBytes}-byte limit for a ${what}; is this the right file?`, EXIT.badInput);
const CHUNK = 64 * 1024;

/** A file that could not be read; `missing` when nothing at all is there (ENOENT). */
export class FileReadError extends PithError {
  constructor(
    message: string,
    readonly missing: boolean,
  ) {
    super(message, EXIT.badInput);
  }
}
const cannotRead = (file: string, what: string, err: unknown): FileReadError =>
  new FileReadError(`${file}: cannot read the ${what} (${describeFsError(err)})`, (err as NodeJS.ErrnoException)?.code === 'ENOENT');

/**
 * The one bounded reader. Opens without blocking (a FIFO with no writer must not hang the
 * open), refuses anything but a regular file (FIFOs, devices, folders: exit 2), and counts
 * the bytes actually read, never trusting stat's size (0 for /dev/zero and pipes). Every
 * failure is a FileReadError (exit 2) naming the file; isMissing tells "not there". With
 * `head`, the first maxBytes bytes are returned instead of refusing a longer file.
 * Synchronous, for `check` (which runs before every build); readBoundedBytes is the same read.
 */
export function readBoundedBytesSync(file: string, maxBytes: number, what = 'file', head = false): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, fsc.O_RDONLY | fsc.O_NONBLOCK);
  } catch (err) {
    throw cannotRead(file, what, err);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegular(file, stat, what);
    // A regular file's size answers early; the read below still counts what it gets.
    if (stat.size > maxBytes && !head) throw tooBig(file, stat.size, maxBytes, what);
    const chunks: Buffer[] = [];
    let total = 0;
    // The first read asks for the size stat gives (and a byte more): a large .tex is read into
    // one buffer and returned without a copy (stamp's memory on a 50 MB paper).
    for (let want = Math.max(CHUNK, Math.min(stat.size + 1, maxBytes + 1)); ; want = CHUNK) {
      const buf = Buffer.allocUnsafe(Math.min(want, maxBytes + 1 - total));
      const bytesRead = readSync(fd, buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes && head) {
        chunks.push(buf.subarray(0, bytesRead - (total - maxBytes)));
        total = maxBytes;
        break;
      }
      if (total > maxBytes) throw overLimit(file, maxBytes, what);
      chunks.push(buf.subarray(0, bytesRead));
    }
    const all = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
    return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
  } catch (err) {
    if (err instanceof PithError) throw err;
    throw cannotRead(file, what, err);
  } finally {
    closeSync(fd);
  }
}

/** Whether a read failed because nothing is there (ENOENT, a dangling link too): the one case a reader may treat as absent. */
export function isMissing(err: unknown): boolean {
  return err instanceof FileReadError && err.missing;
}

/** readBoundedBytesSync for async callers (the files are small: a bundle, a .tex, a PDF). */
export const readBoundedBytes = async (file: string, maxBytes: number, what = 'file'): Promise<Uint8Array> =>
  readBoundedBytesSync(file, maxBytes, what);

export function decodeUtf8(file: string, bytes: Uint8Array, what: string): string {
  const text = decodeUtf8Strict(bytes);
  if (text !== null) return text;
  throw new PithError(`${file}: is not UTF-8 text; expected a ${what}`, EXIT.badInput);
}

export async function readBoundedText(file: string, maxBytes: number, what = 'file'): Promise<string> {
  return decodeUtf8(file, await readBoundedBytes(file, maxBytes, what), what);
}

/** What `read` gives, or null when the file does not exist. */
async function nullWhenMissing<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** readBoundedBytes, or null when the file does not exist. */
export const readOptionalBytes = (file: string, maxBytes: number, what = 'file'): Promise<Uint8Array | null> =>
  nullWhenMissing(readBoundedBytes(file, maxBytes, what));

/** readBoundedText, or null when the file does not exist. */
export const readOptionalText = (file: string, maxBytes: number, what = 'file'): Promise<string | null> =>
  nullWhenMissing(readBoundedText(file, maxBytes, what));

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

const isInside = (file: string, folder: string): boolean => {
  const rel = path.relative(folder, file);
  return rel !== '' && !rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel);
};

/**
 * Where a write to `file` may go. A symbolic link is written through only when its target
 * lies inside `folder` (the paper's folder; by default the file's own): a link to a file
 * outside it (a cloned repository's `pith.lock.json -> ../../.bashrc`) is refused with exit 4,
 * naming the link and its target. Returns the path to replace (the link's target, or `file`).
 */
export async function writeTarget(file: string, folder = path.dirname(path.resolve(file))): Promise<string> {
  const abs = path.resolve(file);
  let st: Stats;
  try {
    st = await fs.lstat(abs);
  } catch {
    return abs; // nothing there yet: a new file
  }
  if (!st.isSymbolicLink()) return abs;
  const link = await fs.readlink(abs);
  const lexical = path.resolve(path.dirname(abs), link);
  const target = await fs.realpath(abs).catch(() => lexical); // dangling: where the link points
  const root = await fs.realpath(folder).catch(() => path.resolve(folder));
  if (!isInside(target, root)) {
    throw new PithError(
      `${file}: is a symbolic link to ${link}${target !== link ? ` (${target})` : ''}, outside ${folder}; pith-tex never writes through a link that leaves the folder. ` +
        'Nothing was changed: remove the link (or replace it with a copy) and run again',
      EXIT.refused,
    );
  }
  return target;
}

export interface AtomicWriteOptions {
  /** The folder a symbolic link at `file` must stay inside (default: the file's own folder). */
  within?: string;
  /** File mode for a new file; an existing file keeps its own mode. */
  mode?: number;
  /** Test hook: called at named points so a test can kill the process mid-write. */
  onStep?: (step: 'temp-written' | 'temp-synced' | 'renamed') => void;
}

/**
 * Write a file so that a reader (or a crash) sees the old content or the new, never a mix:
 * write a temporary file in the same folder, fsync it, rename it over the target, fsync the folder.
 */
export async function writeFileAtomic(requested: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const file = await writeTarget(requested, options.within);
  const dir = path.dirname(file);
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
    throw new PithError(`${requested}: cannot write (${describeFsError(err)}); nothing was changed`, EXIT.refused);
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
