// tex/'s l3build setup, run for real in a temporary copy of tex/: `l3build ctan` runs
// `l3build check` (every .lvt of tex/testfiles/ and tex/testfiles/stamped/ on pdfTeX, XeTeX and
// LuaTeX against its saved .tlg; the stamped tests use a copy rendered by renderPithSty), typesets
// pith-doc.tex and writes the CTAN zip. A second run shows the check fails when the package's
// behaviour changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../helpers.js';

/** A copy of tex/ without l3build's work folder and outputs. */
function copyTexDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pith-l3build-'));
  fs.cpSync(path.join(repoRoot, 'tex'), dir, {
    recursive: true,
    filter: (src) => !/[\\/]build$|\.zip$|pith-doc\.pdf$/.test(src),
  });
  return dir;
}

const l3build = (dir: string, args: string[]) =>
  execa('l3build', args, { cwd: dir, reject: false, all: true, env: { PITH_TEX_ROOT: repoRoot } });

/** File names in a zip archive, from its central directory (signature PK\x01\x02). */
function zipEntries(zip: Buffer): string[] {
  const names: string[] = [];
  for (let at = zip.indexOf('PK\x01\x02'); at >= 0; at = zip.indexOf('PK\x01\x02', at + 4)) {
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
  }
  return names;
}

test('l3build ctan: the regression tests pass on every engine and the CTAN zip holds the package, manual, README and LICENSE', { timeout: 600_000 }, async () => {
  const dir = copyTexDir();
  try {
    const run = await l3build(dir, ['ctan']);
    const tail = run.all?.split('\n').slice(-40).join('\n');
    assert.equal(run.exitCode, 0, `l3build ctan failed:\n${tail}`);
    // Both configurations ran and passed (ctan stops at a failed check).
    assert.match(run.all ?? '', /with configuration build[\s\S]*All checks passed/);
    assert.match(run.all ?? '', /with configuration config-stamped[\s\S]*stamped-mismatch[\s\S]*All checks passed/);
    const entries = zipEntries(fs.readFileSync(path.join(dir, 'pith-ctan.zip')));
    for (const name of ['pith/pith.sty', 'pith/pith-doc.pdf', 'pith/pith-doc.tex', 'pith/README.md', 'pith/LICENSE']) {
      assert.ok(entries.includes(name), `${name} missing from pith-ctan.zip: ${entries.join(', ')}`);
    }
    const packaged = fs.readFileSync(path.join(dir, 'build', 'distrib', 'ctan', 'pith', 'pith.sty'), 'utf8');
    assert.equal(packaged, fs.readFileSync(path.join(repoRoot, 'tex', 'pith.sty'), 'utf8'), 'the zip carries tex/pith.sty unchanged');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('l3build check fails when the package no longer behaves as the saved .tlg files say', { timeout: 300_000 }, async () => {
  const dir = copyTexDir();
  try {
    // \pithbadge that prints nothing: the badge lines of pith-number.tlg go missing.
    const sty = path.join(dir, 'pith.sty');
    const text = fs.readFileSync(sty, 'utf8').replace(/\\endinput\s*$/, '');
    fs.writeFileSync(sty, `${text}\n\\RenewDocumentCommand \\pithbadge { } { }\n`);
    const run = await l3build(dir, ['check', '-c', 'build', '-e', 'pdftex', 'pith-number']);
    assert.notEqual(run.exitCode, 0, run.all);
    assert.match(run.all ?? '', /pith-number/);
    assert.match(run.all ?? '', /failed/i);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
