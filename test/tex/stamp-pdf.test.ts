// `pith-tex stamp` end to end through LaTeX: the stamped example compiles with latexmk and its
// PDF carries the record's number, page and hash (read back with poppler).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unstampText } from '../../src/core/tex-edit.js';
import { compile } from '../../src/io/tex.js';
import { repoRoot } from '../helpers.js';
import { runCli } from '../support/cli.js';
import { pdfInfoCustom } from '../support/poppler.js';
import { SEED } from '../support/seed.js';
import { tempDir } from '../support/temp.js';

const EXAMPLE = path.join(repoRoot, 'examples', 'moe-paper');
const BUNDLE = path.join(EXAMPLE, '2109.10465v1.bundle.json');
/** The example before a first stamp (the committed main.tex is stamped). */
const UNSTAMPED = unstampText(readFileSync(path.join(EXAMPLE, 'main.tex'), 'utf8'));

test('end to end: stamp the example, compile it with latexmk, read PithNumber back from the PDF', async (t) => {
  const dir = tempDir(t, 'pith-stamp-');
  writeFileSync(path.join(dir, 'main.tex'), UNSTAMPED);
  const stamped = await runCli(['stamp', 'main.tex', '--bundle', BUNDLE], { cwd: dir });
  assert.equal(stamped.status, 0, stamped.stderr);
  const res = await compile({ dir, main: 'main.tex', engine: 'pdf' });
  assert.ok(res.ok, res.log.slice(-2000));
  const info = await pdfInfoCustom(res.pdfPath);
  assert.equal(info.PithNumber, SEED.number);
  assert.equal(info.PithRecord, `https://pith.science/pith/${SEED.body}`);
  assert.equal(info.PithCanonicalSHA256, SEED.sha256);
  // The latexmk run leaves the stamp alone: stamping again is still a no-op.
  assert.match((await runCli(['stamp'], { cwd: dir })).stdout, /^Already stamped/);
});
