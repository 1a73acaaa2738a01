// stamp and check ask "is this the right paper?": the paper's \title against the record's title hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliPath, repoRoot } from './helpers.js';
import { bundleForRecord, recordWithTitle, writeOtherBundle } from './support/stamp-bundles.js';

const run = promisify(execFile);
async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function examplePaper(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pith-title-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(repoRoot, 'examples', 'moe-paper'), dir, { recursive: true });
  return dir;
}

test('the example stamped with its own bundle: "title matches the record", in stamp and check', async (t) => {
  const dir = examplePaper(t);
  const stamp = await cli(['stamp', 'main.tex', '--bundle', '2109.10465v1.bundle.json', '--strict'], dir);
  assert.equal(stamp.code, 0, stamp.stderr);
  assert.match(stamp.stdout, /title matches the record \(arXiv 2109\.10465v1\)/);
  assert.equal(stamp.stderr, '');
  const check = await cli(['check', 'main.tex', '--strict'], dir);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /title matches the record/);
  const json = await cli(['check', 'main.tex', '--json'], dir);
  assert.equal(JSON.parse(json.stdout).title.status, 'match');
});

test("a paper stamped with another paper's bundle: a warning naming the record, exit 1 under --strict", async (t) => {
  const dir = examplePaper(t);
  const other = writeOtherBundle(dir); // 2201.05596v2, signed by a test key
  const before = readFileSync(path.join(dir, 'main.tex'));
  const strict = await cli(['stamp', 'main.tex', '--bundle', other.bundleFile, '--trust-key', other.keyFile, '--strict'], dir);
  assert.equal(strict.code, 1, strict.stderr);
  assert.match(strict.stderr, /does not match the title of pith:2022:7E6MSA6GOP56H4R35CPJZVR5Y4 \(arXiv 2201\.05596v2\)/);
  assert.match(strict.stderr, /pith-tex resolve 2201\.05596v2/);
  assert.match(strict.stderr, /nothing was changed/);
  assert.deepEqual(readFileSync(path.join(dir, 'main.tex')), before);
  assert.equal(existsSync(path.join(dir, 'pith.lock.json')), false);

  const warned = await cli(['stamp', 'main.tex', '--bundle', other.bundleFile, '--trust-key', other.keyFile], dir);
  assert.equal(warned.code, 0, warned.stderr);
  assert.match(
    warned.stderr,
    /warning: the title of main\.tex, "Scalable and Efficient MoE Training for Multitask Multilingual Models", does not match/,
  );
  assert.match(warned.stderr, /--strict makes this an error/);
  assert.match(warned.stdout, /Stamped main\.tex with pith:2022:7E6MSA6GOP56H4R35CPJZVR5Y4/);

  const check = await cli(['check', 'main.tex', '--trust-key', other.keyFile], dir);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stderr, /warning: .*does not match the title of pith:2022/);
  const strictCheck = await cli(['check', 'main.tex', '--strict', '--trust-key', other.keyFile], dir);
  assert.equal(strictCheck.code, 1);
  assert.match(strictCheck.stderr, /✗ the title of main\.tex/);
});

test('a record made from the LaTeX title with the page-only parts removed matches', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pith-title-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    path.join(dir, 'main.tex'),
    '\\documentclass{amsart}\n\\title[Short]{Spectral Bounds for\\\\ the $q$-deformed Schr\\"odinger Operator\\thanks{Supported by X.}}\n\\begin{document}\n\\maketitle\nText.\n\\end{document}\n',
  );
  const own = bundleForRecord(recordWithTitle('Spectral Bounds for the $q$-deformed Schr\\"odinger Operator'));
  const files = writeOtherBundle(dir, 0, own);
  const r = await cli(['stamp', 'main.tex', '--bundle', files.bundleFile, '--trust-key', files.keyFile, '--strict'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /title matches the record \(arXiv 2607\.99999v1\)/);
});
