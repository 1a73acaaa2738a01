// The folder walk, the clean copy and the upload tarball for `pith-tex arxiv`.
//
// The tarball is written in process by node-tar (the `tar` package npm itself uses), so --pack
// works wherever Node does: GNU tar, bsdtar (macOS, Windows) or no tar at all. What goes in is
// fixed here, not by the system's tar: regular files inside the paper's folder only (no links,
// nothing outside), in sorted order, owner 0/0 and no user names (node-tar's portable mode), one
// stable mtime, and a gzip header without a time stamp, so two packs of the same files are the
// same bytes.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { gunzipSync, constants as zlibc } from 'node:zlib';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { create as createTar } from 'tar';
import { stripComments } from '../core/comments.js';
import { decodeSource, encodeSource } from '../core/tex-encoding.js';
import { EXIT, PithError } from '../errors.js';
import { readBoundedBytesSync, writeTarget } from './files.js';

/** Every file under `dir` (relative, `/`-separated, exact case); .git and node_modules skipped. */
export function walkFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string): void => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== '.git' && e.name !== 'node_modules') visit(r);
      } else if (e.isFile()) out.push(r);
    }
  };
  visit('');
  return out.sort();
}

/** Copy `files` (relative) from `from` to `to`. */
export function copyFiles(from: string, to: string, files: readonly string[]): void {
  for (const f of files) {
    mkdirSync(path.dirname(path.join(to, f)), { recursive: true });
    copyFileSync(path.join(from, f), path.join(to, f));
  }
}

/** The mtime every entry gets: $SOURCE_DATE_EPOCH (reproducible-builds.org) or 1980-01-01. */
export function packMtime(env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = Number(env.SOURCE_DATE_EPOCH);
  return env.SOURCE_DATE_EPOCH !== undefined && /^\d+$/.test(env.SOURCE_DATE_EPOCH) && Number.isSafeInteger(epoch)
    ? new Date(epoch * 1000)
    : new Date(Date.UTC(1980, 0, 1));
}

/** Largest single file packed (arXiv's whole upload limit is 50 MB). */
const MAX_PACKED_FILE = 64 * 1024 * 1024;

export interface PackOptions {
  /** Remove `%` comments from the .tex files in the tarball (the author's files are untouched). */
  stripComments?: boolean;
}

export interface PackResult {
  files: string[];
  /** .tex files whose comments were removed in the tarball. */
  stripped: string[];
}

/** The bytes of `rel` inside `dir`, if it is a regular file whose real path is inside `dir`. */
async function readInside(dir: string, realDir: string, rel: string): Promise<Buffer> {
  const refuse = (why: string): never => {
    throw new PithError(`${path.join(dir, rel)}: not packed: ${why}`, EXIT.refused);
  };
  if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) refuse('outside the paper folder');
  const full = path.join(realDir, rel);
  const st = await fs.lstat(full).catch(() => null);
  if (!st?.isFile()) refuse(st ? 'not a regular file (a link, folder or device)' : 'no such file');
  const real = await fs.realpath(full);
  if (!real.startsWith(realDir + path.sep)) refuse('its folder links outside the paper folder');
  if ((st as { size: number }).size > MAX_PACKED_FILE) refuse(`over ${MAX_PACKED_FILE} bytes`);
  return fs.readFile(real);
}

/**
 * Write `files` (relative to `dir`) as a gzipped tarball at `out`. The files are first copied
 * (comments stripped on request) into a private staging folder, so what is packed is what was
 * checked, and the tarball appears at `out` only when it is complete (written to a temporary
 * file, then renamed).
 */
export async function writeTarGz(out: string, dir: string, files: readonly string[], options: PackOptions = {}): Promise<PackResult> {
  const target = path.resolve(out);
  const temp = `${target}.${process.pid}.tmp`;
  const realDir = await fs.realpath(dir);
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'pith-pack-'));
  const sorted = [...new Set(files)].sort();
  const stripped: string[] = [];
  try {
    for (const rel of sorted) {
      let bytes: Uint8Array = await readInside(dir, realDir, rel);
      if (options.stripComments && rel.endsWith('.tex')) {
        const source = decodeSource(bytes);
        const text = stripComments(source.text);
        if (text !== source.text) {
          bytes = encodeSource({ ...source, text });
          stripped.push(rel);
        }
      }
      await fs.mkdir(path.dirname(path.join(staging, rel)), { recursive: true });
      await fs.writeFile(path.join(staging, rel), bytes, { mode: 0o644 });
    }
    await createTar(
      { file: temp, cwd: staging, gzip: true, portable: true, mtime: packMtime(), noDirRecurse: true, follow: false },
      sorted,
    );
    await fs.rename(temp, target);
  } catch (err) {
    await fs.rm(temp, { force: true });
    if (err instanceof PithError) throw err;
    throw new PithError(`${out}: cannot write the tarball (${(err as Error).message})`, EXIT.refused);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  return { files: sorted, stripped };
}

/** Whether `file` starts as a gzipped ustar archive: what --pack writes (and may overwrite). */
function isGzipTarball(file: string): boolean {
  let head: Uint8Array;
  try {
    head = readBoundedBytesSync(file, 64 * 1024, 'tarball', true);
  } catch {
    return false;
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) return false;
  try {
    const tar = gunzipSync(head, { finishFlush: zlibc.Z_SYNC_FLUSH, maxOutputLength: 1024 });
    return Buffer.from(tar.subarray(257, 262)).toString('latin1') === 'ustar';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
  }
}

/**
 * Decide, before anything runs, where --pack may write (exit 4 otherwise): never through a link
 * that leaves the output's folder, never over one of the paper's own files, never over an
 * existing file that is not a gzipped tarball (the one a previous --pack wrote).
 */
export async function packOutput(out: string, dir: string, files: ReadonlySet<string>): Promise<string> {
  const target = await writeTarget(out);
  const rel = path.relative(dir, target);
  const own = !rel.startsWith('..') && !path.isAbsolute(rel) && files.has(rel.split(path.sep).join('/'));
  if (existsSync(target) && !isGzipTarball(target)) {
    const why = own ? `is ${rel}, one of the paper's own files` : 'exists and is not a gzipped tarball';
    throw new PithError(`--pack ${out}: ${why}; refused, nothing was changed. Name a new file, e.g. --pack upload.tar.gz`, EXIT.refused);
  }
  return target;
}
