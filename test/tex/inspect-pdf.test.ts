// pith-tex inspect on PDFs that LaTeX built: pdflatex with pith.sty writes the metadata that
// inspect reads back (Info keys, and the kernel's XMP under \DocumentMetadata).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../support/cli.js';
import { NUMBER, SHA, makeStampedPaper } from '../support/stamped-paper.js';

/** Build the paper in `dir` with latexmk -pdf, then `pith-tex inspect main.pdf --json`: its report. */
async function buildAndInspect(dir: string) {
  const b = spawnSync('latexmk', ['-pdf', '-interaction=nonstopmode', '-halt-on-error', 'main.tex'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(b.status, 0, b.stdout);
  const r = await runCli(['inspect', path.join(dir, 'main.pdf'), '--json']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout);
}

test('inspect a PDF built by pdflatex with pith.sty', async (t) => {
  const { dir } = await makeStampedPaper('pith-inspect-tex-', t);
  const report = await buildAndInspect(dir);
  assert.equal(report.pdf_metadata.number, NUMBER);
  assert.equal(report.pdf_metadata.canonical_sha256, SHA);
  assert.ok(readFileSync(path.join(dir, 'main.pdf')).length > 0);
});

test("inspect a \\DocumentMetadata PDF built by pdflatex: Info keys and the kernel's XMP both name the record", async (t) => {
  const { dir } = await makeStampedPaper('pith-inspect-dm-', t);
  const main = path.join(dir, 'main.tex');
  writeFileSync(main, `\\DocumentMetadata{}\n${readFileSync(main, 'utf8')}`);
  const report = await buildAndInspect(dir);
  assert.equal(report.pdf_metadata.from, 'info');
  assert.equal(report.pdf_metadata.xmp.number, NUMBER);
  assert.equal(report.checks.find((c: { id: string }) => c.id === 'pdf.xmp').status, 'pass');
});
