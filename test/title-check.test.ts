// stamp and check ask "is this the right paper?": the paper's \title against the record's title hash.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './helpers.js';
import { runCli, type CliRun } from './support/cli.js';
import { tempDir } from './support/temp.js';
import { bundleForRecord, recordWithTitle, writeOtherBundle } from './support/stamp-bundles.js';

const cli = (args: string[], cwd: string): Promise<CliRun> => runCli(args, { cwd });

function examplePaper(t: TestContext): string {
  const dir = tempDir(t, 'pith-title-');
  cpSync(path.join(repoRoot, 'examples', 'moe-paper'), dir, { recursive: true });
  return dir;
}

describe('the title check (stamp and check)', () => {
  test('the example stamped with its own bundle: "title matches the record", in stamp and check', async (t) => {
    const dir = examplePaper(t);
    const stamp = await cli(['stamp', 'main.tex', '--bundle', '2109.10465v1.bundle.json', '--strict'], dir);
    assert.equal(stamp.status, 0, stamp.stderr);
    assert.match(stamp.stdout, /title matches the record \(arXiv 2109\.10465v1\)/);
    assert.equal(stamp.stderr, '');
    const check = await cli(['check', 'main.tex', '--strict'], dir);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /title matches the record/);
    const json = await cli(['check', 'main.tex', '--json'], dir);
    assert.equal(JSON.parse(json.stdout).title.status, 'match');
  });

  test("a paper stamped with another paper's bundle: a warning naming the record, exit 1 under --strict", async (t) => {
    const dir = examplePaper(t);
    const other = writeOtherBundle(dir); // 2201.05596v2, signed by a test key
    const before = readFileSync(path.join(dir, 'main.tex'));
    const strict = await cli(['stamp', 'main.tex', '--bundle', other.bundleFile, '--trust-key', other.keyFile, '--strict'], dir);
    assert.equal(strict.status, 1, strict.stderr);
    assert.match(strict.stderr, /does not match the title of pith:2022:7E6MSA6GOP56H4R35CPJZVR5Y4 \(arXiv 2201\.05596v2\)/);
    assert.match(strict.stderr, /pith-tex resolve 2201\.05596v2/);
    assert.match(strict.stderr, /nothing was changed/);
    assert.deepEqual(readFileSync(path.join(dir, 'main.tex')), before);
    assert.equal(existsSync(path.join(dir, 'pith.lock.json')), false);

    const warned = await cli(['stamp', 'main.tex', '--bundle', other.bundleFile, '--trust-key', other.keyFile], dir);
    assert.equal(warned.status, 0, warned.stderr);
    assert.match(
      warned.stderr,
      /warning: the title of main\.tex, "Scalable and Efficient MoE Training for Multitask Multilingual Models", does not match/,
    );
    assert.match(warned.stderr, /--strict makes this an error/);
    assert.match(warned.stdout, /Stamped main\.tex with pith:2022:7E6MSA6GOP56H4R35CPJZVR5Y4/);

    const check = await cli(['check', 'main.tex', '--trust-key', other.keyFile], dir);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stderr, /warning: .*does not match the title of pith:2022/);
    const strictCheck = await cli(['check', 'main.tex', '--strict', '--trust-key', other.keyFile], dir);
    assert.equal(strictCheck.status, 1);
    assert.match(strictCheck.stderr, /✗ the title of main\.tex/);
  });

  test('a record made from the LaTeX title with the page-only parts removed matches', async (t) => {
    const dir = tempDir(t, 'pith-title-');
    writeFileSync(
      path.join(dir, 'main.tex'),
      '\\documentclass{amsart}\n\\title[Short]{Spectral Bounds for\\\\ the $q$-deformed Schr\\"odinger Operator\\thanks{Supported by X.}}\n\\begin{document}\n\\maketitle\nText.\n\\end{document}\n',
    );
    const own = bundleForRecord(recordWithTitle('Spectral Bounds for the $q$-deformed Schr\\"odinger Operator'));
    const files = writeOtherBundle(dir, 0, own);
    const r = await cli(['stamp', 'main.tex', '--bundle', files.bundleFile, '--trust-key', files.keyFile, '--strict'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /title matches the record \(arXiv 2607\.99999v1\)/);
  });
});
