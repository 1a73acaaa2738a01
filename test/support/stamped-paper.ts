// A tiny stamped paper in a temporary folder, built from the vector bundle: pith.lock.json,
// a generated pith.sty and main.tex with \usepackage{pith}\pithnumber{...}. Used by the check,
// hook, inspect and arxiv tests (owner: check/hook/arxiv engineer).
//
// pith.sty: renderPithSty of src/core/sty.ts (the real generated copy).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { renderPithSty } from '../../src/core/sty.js';
import os from 'node:os';
import path from 'node:path';
import { lockFromBundle, serializeLock } from '../../src/core/lock.js';
import { recordUrl } from '../../src/core/number.js';
import { repoRoot } from '../helpers.js';
import type { TestContext } from 'node:test';
import { SEED } from './seed.js';
import { tempDir } from './temp.js';
import { seedBundle } from './vectors.js';
import { toolVersion } from '../../src/io/package-files.js';

export const BODY = SEED.body;
export const NUMBER = SEED.number;
export const SHA = SEED.sha256;
/** Another valid-looking body (not this record's). */
export const OTHER_BODY = 'AAAAQKC2NJYNHLPG6XMF2N35IK';

export function lockText(): string {
  return serializeLock(lockFromBundle(seedBundle()));
}

/** The generated pith.sty exactly as `pith-tex stamp` writes it (renderPithSty of src/core/sty.ts). */
export function renderSty(body: string = BODY, year: string = SEED.year, sha: string = SHA): string {
  return renderPithSty({
    templateText: readFileSync(path.join(repoRoot, 'templates', 'pith.sty.hbs'), 'utf8'),
    packageSource: readFileSync(path.join(repoRoot, 'tex', 'pith.sty'), 'utf8'),
    values: { body, year, number: `pith:${year}:${body}`, recordUrl: recordUrl(body), canonicalSha256: sha, toolVersion: toolVersion() },
  });
}

export function paperTex(number: string = BODY, extra = ''): string {
  return `\\documentclass{article}\n\\usepackage{pith}\n\\pithnumber{${number}}\n${extra}\\begin{document}\nHi.\n\\end{document}\n`;
}

export interface StampedPaper {
  dir: string;
  main: string;
}

/** A folder with main.tex, pith.sty and pith.lock.json that all agree (removed after test `t` when given). */
export async function makeStampedPaper(prefix = 'pith-paper-', t?: TestContext): Promise<StampedPaper> {
  const dir = t ? tempDir(t, prefix) : mkdtempSync(path.join(os.tmpdir(), prefix));
  writeFileSync(path.join(dir, 'pith.lock.json'), lockText());
  writeFileSync(path.join(dir, 'pith.sty'), renderSty(BODY));
  writeFileSync(path.join(dir, 'main.tex'), paperTex());
  return { dir, main: path.join(dir, 'main.tex') };
}
