// The author's files: read with their encoding/BOM/line endings kept, written atomically, and a
// per-folder lock so two stamps never interleave.
// Synchronous file calls throughout: a CLI does one thing at a time, and the first asynchronous
// one costs a command about 4 % of node's start-up (fs/promises and libuv's thread pool).
import { accessSync, closeSync, constants as fsc, openSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { chooseRoot, findIncludingRoot, inputFileNames, isRootText, preambleFiles, type Candidate } from '../core/paper.js';
import { analyzeTex, type TexAnalysis } from '../core/tex-analysis.js';
import { decodeSource, encodeSource, type DecodedSource } from '../core/tex-encoding.js';
import { codePreamble } from '../core/tex-mask.js';
import { EXIT, PithError } from '../errors.js';
import {
  describeFsError,
  readBoundedBytes,
  readBoundedBytesSync,
  readOptionalText,
  writeFileAtomic,
  type AtomicWriteOptions,
} from './files.js';

/** Largest .tex source stamped (arXiv's whole upload limit is 50 MB). */
export const MAX_SOURCE_BYTES = 64 * 1024 * 1024;
export const STAMP_LOCK = '.pith-tex.lock';

/**
 * A source file, decoded. Its bytes are not kept: decoding is lossless (core/tex-encoding.ts), so
 * encodeSource gives them back exactly when a write needs them, and a large paper is not held
 * twice while it is analysed (issue 16: stamp's peak memory).
 */
export interface SourceFile extends DecodedSource {
  file: string;
}

export async function readSource(file: string): Promise<SourceFile> {
  const bytes = await readBoundedBytes(file, MAX_SOURCE_BYTES, '.tex file');
  refuseUtf16(file, bytes);
  return { file, ...decodeSource(bytes) };
}

function refuseUtf16(file: string, bytes: Uint8Array): void {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new PithError(
      `${file}: is UTF-16; pith-tex stamps UTF-8 and 8-bit (Latin-1) sources only. Save it as UTF-8 and stamp again; nothing was changed`,
      EXIT.badInput,
    );
  }
}

const BEGIN_DOCUMENT = Buffer.from('\\begin{document}', 'latin1');

/**
 * The head of a source, decoded: its bytes up to the first `\begin{document}` that is code (the
 * whole file when there is none). Enough to tell a root file, whose \documentclass is in the
 * preamble, without reading a large body: read 64 KiB first, then four times more while undecided.
 */
export async function readSourceHead(file: string): Promise<string> {
  for (let size = 64 * 1024; ; size *= 4) {
    const last = size >= MAX_SOURCE_BYTES;
    const bytes = readBoundedBytesSync(file, last ? MAX_SOURCE_BYTES : size, '.tex file', !last);
    refuseUtf16(file, bytes);
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = buf.indexOf(BEGIN_DOCUMENT); at >= 0; at = buf.indexOf(BEGIN_DOCUMENT, at + 1)) {
      const text = decodeSource(bytes.subarray(0, at + BEGIN_DOCUMENT.length)).text;
      if (codePreamble(text).length < text.length) return text;
    }
    if (last || bytes.length < size) return decodeSource(bytes).text;
  }
}

/** Encode `text` like `source` (same encoding and BOM). Throws exit 2 if it cannot be. */
export function encodeLike(source: DecodedSource, text: string): Uint8Array {
  try {
    return encodeSource({ ...source, text });
  } catch (err) {
    throw new PithError(`cannot write the new text in ${source.encoding}: ${(err as Error).message}`, EXIT.badInput);
  }
}

/**
 * Write atomically. A symbolic link inside the paper's folder `within` is written through (its
 * target is replaced, the link kept), so a paper whose main.tex links to src/main.tex stays
 * linked; a link that leaves the folder is refused (exit 4, files.ts writeTarget).
 */
export async function writeBytes(
  file: string,
  data: Uint8Array | string,
  onStep?: AtomicWriteOptions['onStep'],
  within?: string,
): Promise<void> {
  await writeFileAtomic(file, data, { ...(onStep ? { onStep } : {}), ...(within !== undefined ? { within } : {}) });
}

/**
 * Refuse (exit 4) before anything is written when a file that will change, or its folder, is
 * read-only. Mode bits are checked as well as access(2), so the answer is the same for root.
 */
export async function assertWritable(file: string, exists: boolean): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const check = async (p: string, what: string) => {
    try {
      const st = statSync(p);
      if ((st.mode & 0o222) === 0) throw Object.assign(new Error('read-only'), { code: 'EACCES' });
      accessSync(p, fsc.W_OK);
    } catch (err) {
      const why = (err as Error).message === 'read-only' ? 'it is read-only' : describeFsError(err);
      throw new PithError(`${p}: cannot change the ${what} (${why}); nothing was changed`, EXIT.refused);
    }
  };
  await check(dir, 'folder');
  if (exists) await check(file, 'file');
}

// unlinkSync, not rmSync: these are files, and rmSync loads node's rimraf on first use.
const removeQuietly = (file: string): void => {
  try {
    unlinkSync(file);
  } catch {
    /* gone already, or not ours to remove */
  }
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export interface LockOptions {
  /** How long to wait for another stamp to finish (ms); 0 refuses at once. */
  waitMs?: number;
}

/**
 * Take the folder's stamp lock (`.pith-tex.lock`, created with O_EXCL, holding our pid). A lock
 * whose pid is no longer alive is stale and is taken over. Waits up to `waitMs`, then exit 4.
 */
export async function acquireFolderLock(dir: string, options: LockOptions = {}): Promise<(() => Promise<void>) | null> {
  const file = path.join(dir, STAMP_LOCK);
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  for (;;) {
    try {
      const fd = openSync(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o644);
      try {
        writeSync(fd, `${JSON.stringify({ pid: process.pid, started: new Date().toISOString() })}\n`);
      } finally {
        closeSync(fd);
      }
      return async () => removeQuietly(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A folder no one may write in: no stamp can change it either, so there is nothing to
      // guard. The caller goes on without the lock and refuses any write (exit 4).
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return null;
      if (code !== 'EEXIST') {
        throw new PithError(
          `${dir}: cannot take the stamp lock ${STAMP_LOCK} (${describeFsError(err)}); nothing was changed`,
          EXIT.refused,
        );
      }
    }
    let holder: number | null = null;
    try {
      // Bounded and regular files only: a FIFO planted as the lock must not hang the stamp.
      const parsed = JSON.parse((await readOptionalText(file, 4096, 'stamp lock')) ?? '') as { pid?: unknown };
      holder = typeof parsed.pid === 'number' ? parsed.pid : null;
    } catch {
      holder = null; // being written right now, or garbage
    }
    if (holder !== null && !isAlive(holder)) {
      // Stale: its stamp died. Remove it only if it is still the same stale file.
      const again = (await readOptionalText(file, 4096, 'stamp lock').catch(() => '')) ?? '';
      if (again.includes(`"pid":${holder},`)) removeQuietly(file);
      continue;
    }
    if (holder === null) {
      // Unreadable content: stale if old (a live writer fills it within microseconds).
      const st = statSync(file, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > 5_000) {
        removeQuietly(file);
        continue;
      }
    }
    if (Date.now() >= deadline) {
      throw new PithError(
        `${path.join(dir, STAMP_LOCK)}: another pith-tex stamp${holder !== null ? ` (pid ${holder})` : ''} is working on this folder; try again when it has finished (remove the file if no stamp is running)`,
        EXIT.refused,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Remove temporary files left by a stamp that was killed mid-write (`.NAME.PID.HEX.tmp`, PID dead). */
export async function removeStaleTemps(dir: string, names: readonly string[]): Promise<void> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const m = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(entry);
    if (!m || !names.includes(m[1] as string)) continue;
    if (!isAlive(Number(m[2]))) removeQuietly(path.join(dir, entry));
  }
}

/** The folder's .tex files; `whole`: their whole texts, else their heads (readSourceHead). */
async function texCandidates(dir: string, whole: boolean): Promise<Candidate[]> {
  let entries: string[];
  try {
    entries = readdirSync(dir)
      .filter((e) => e.endsWith('.tex'))
      .sort();
  } catch {
    return [];
  }
  const out: Candidate[] = [];
  for (const e of entries.slice(0, 200)) {
    const file = path.join(dir, e);
    try {
      out.push({
        name: file,
        text: whole ? decodeSource(await readBoundedBytes(file, MAX_SOURCE_BYTES, '.tex file')).text : await readSourceHead(file),
      });
    } catch {
      /* unreadable: not a candidate */
    }
  }
  return out;
}

async function fileKind(file: string): Promise<'file' | 'folder' | null> {
  try {
    return statSync(file).isDirectory() ? 'folder' : 'file'; // synchronous: check runs before every build
  } catch {
    return null;
  }
}

/**
 * The paper's root file (absolute): `given` (a .tex file, its name without `.tex`, or a folder),
 * or the root of `cwd`: the first `@default_files` entry of its .latexmkrc, else the one file with
 * \documentclass. A given file must have \documentclass. `command` is named in the hints.
 */
export async function findPaper(given: string | undefined, cwd: string, command = 'stamp'): Promise<string> {
  const target = path.resolve(cwd, given ?? '.');
  let kind = await fileKind(target);
  if (kind === 'folder') return rootOfFolder(target, given === undefined ? '' : `${given}: `, command);
  let file = target;
  if (kind === null && !target.endsWith('.tex') && (await fileKind(`${target}.tex`)) === 'file') [file, kind] = [`${target}.tex`, 'file'];
  if (kind === null) throw new PithError(`${given}: no such file`, EXIT.badInput);
  if (isRootText(await readSourceHead(file))) return file;
  const here = path.dirname(file);
  const near = [...(await texCandidates(here, true)), ...(await texCandidates(path.dirname(here), true))].filter((c) => c.name !== file);
  const root = findIncludingRoot(file, near);
  const hint = root
    ? `; it looks like part of ${path.relative(cwd, root) || root}: pith-tex ${command} ${path.relative(cwd, root) || root}`
    : '; name the file that has \\documentclass';
  throw new PithError(`${given}: is not a root file (no \\documentclass)${hint}`, EXIT.badInput);
}

async function rootOfFolder(dir: string, prefix: string, command: string): Promise<string> {
  const candidates = await texCandidates(dir, false);
  let rc: string | null = null;
  for (const name of ['.latexmkrc', 'latexmkrc']) {
    rc = await readOptionalText(path.join(dir, name), 1024 * 1024, 'latexmkrc');
    if (rc !== null) break;
  }
  const choice = chooseRoot(
    candidates.map((c) => ({ ...c, name: path.basename(c.name) })),
    rc,
  );
  if (choice.kind === 'root') return path.join(dir, choice.name);
  throw new PithError(prefix + choice.message.replaceAll('pith-tex stamp', `pith-tex ${command}`), EXIT.badInput);
}

/** Resolve an `\input{name}` the way TeX does from the root's folder: name, then name.tex. */
export async function resolveInput(rootDir: string, name: string): Promise<string | null> {
  for (const f of inputFileNames(name).map((n) => path.resolve(rootDir, n))) {
    try {
      // Anything but a folder is what TeX would read; a FIFO or device is then refused by readSource.
      if (!statSync(f).isDirectory()) return f;
    } catch {
      /* next */
    }
  }
  return null;
}

/** A file of the paper with its analysis (computed once, read by the planning steps). */
export interface PaperSource extends SourceFile {
  analysis: TexAnalysis;
}

const analysed = (src: SourceFile): PaperSource => ({ ...src, analysis: analyzeTex(src.text) });

/** The root file and the preamble files it \inputs (core/paper.ts preambleFiles), read as sources. */
export async function paperSources(root: SourceFile): Promise<PaperSource[]> {
  const dir = path.dirname(root.file);
  return preambleFiles(analysed(root), {
    resolve: (name) => resolveInput(dir, name),
    read: async (file) => analysed(await readSource(file)),
  });
}
