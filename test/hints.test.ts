// Every hint is a command that works: each `fix:` the tool prints for a broken stamp (check, the
// stamp's own "say which record", hook status, the arXiv checklist) is run as printed, and then
// the check it came from passes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './helpers.js';
import { tempDir } from './support/temp.js';
import { runCli, type CliRun } from './support/cli.js';
import { json, startServer } from './support/http-server.js';
import { BODY, NUMBER, OTHER_BODY, makeStampedPaper } from './support/stamped-paper.js';

/** The `fix: …` commands in a tool's output (each to the end of its line). */
const fixesIn = (text: string): string[] => [...text.matchAll(/fix: (pith-tex [^\n]*)/g)].map((m) => (m[1] as string).trim());

/** Run a printed hint exactly: split on spaces, `pith-tex` replaced by this checkout's CLI. */
function runHint(cwd: string, hint: string, env: Record<string, string> = {}): Promise<CliRun> {
  assert.doesNotMatch(hint, /[()]|\bID\b|\bFILE\b/, `a hint with a placeholder: ${hint}`);
  const [tool, ...args] = hint.split(/\s+/);
  assert.equal(tool, 'pith-tex', hint);
  return runCli(args, { cwd, env });
}

const seedBundle = readFileSync(path.join(repoRoot, 'examples', 'moe-paper', '2109.10465v1.bundle.json'), 'utf8');

type Breakage = [name: string, breakIt: (dir: string) => void, needsResolver: boolean];

const edit = (dir: string, f: string, change: (t: string) => string): void =>
  writeFileSync(path.join(dir, f), change(readFileSync(path.join(dir, f), 'utf8')));

const BREAKAGES: Breakage[] = [
  ['a tampered \\pithnumber', (d) => edit(d, 'main.tex', (t) => t.replace(BODY, OTHER_BODY)), false],
  ['a \\pithnumber that is not a number', (d) => edit(d, 'main.tex', (t) => t.replace(BODY, 'NOT-A-NUMBER')), false],
  ['no \\pithnumber, the lock kept', (d) => edit(d, 'main.tex', (t) => t.replace(`\\pithnumber{${BODY}}\n`, '')), false],
  ['pith.sty missing', (d) => unlinkSync(path.join(d, 'pith.sty')), false],
  ['pith.sty edited by hand', (d) => edit(d, 'pith.sty', (t) => `${t}% my edit\n`), false],
  ['a foreign pith.sty (the plain package)', (d) => copyFileSync(path.join(repoRoot, 'tex', 'pith.sty'), path.join(d, 'pith.sty')), false],
  ['pith.sty stamped for another record', (d) => edit(d, 'pith.sty', (t) => t.replaceAll(BODY, OTHER_BODY)), false],
  ['the lock missing', (d) => unlinkSync(path.join(d, 'pith.lock.json')), true],
  ['a lock that does not verify', (d) => edit(d, 'pith.lock.json', (t) => t.replace('"license": "', '"license": "x')), true],
];

test('every fix `pith-tex check` prints runs as printed and makes the check pass', async (t) => {
  const server = await startServer({
    [`/pith/${BODY}/bundle.json`]: json(seedBundle),
    [`/pith/pith:2021:${BODY}/bundle.json`]: json(seedBundle),
  });
  t.after(() => server.close());
  const cache = tempDir(t, 'pith-hints-cache-');
  // No network but the loopback resolver, and an empty cache of the test's own.
  const env = { PITH_RESOLVER: server.base, XDG_CACHE_HOME: cache, PITH_HTTP_RETRIES: '0' };
  for (const [name, breakIt, needsResolver] of BREAKAGES) {
    const { dir } = await makeStampedPaper('pith-hints-', t);
    breakIt(dir);
    const check = await runCli(['check', 'main.tex'], { cwd: dir, env: env });
    assert.equal(check.status, 1, `${name}: check fails\n${check.stderr}`);
    const fixes = fixesIn(check.stderr);
    assert.ok(fixes.length > 0, `${name}: a fix is printed\n${check.stderr}`);
    if (name === 'a tampered \\pithnumber')
      assert.deepEqual(fixes, [`pith-tex stamp main.tex --number ${NUMBER}`], "the exact command, with the lock's number");
    for (const fix of new Set(fixes)) {
      const ran = await runHint(dir, fix, needsResolver ? env : { XDG_CACHE_HOME: cache, PITH_RESOLVER: 'http://127.0.0.1:9' });
      assert.equal(ran.status, 0, `${name}: ${fix}\n${ran.stdout}${ran.stderr}`);
    }
    const after = await runCli(['check', 'main.tex'], { cwd: dir, env: env });
    assert.equal(after.status, 0, `${name}: check passes after the fix\n${after.stderr}`);
    assert.match(after.stdout, new RegExp(NUMBER));
  }
});

test("stamp's \"say which record\" hint, hook status's and the arXiv checklist's stamp fixes run as printed", async (t) => {
  // The paper names another record than the lock: stamp exits 2 and names two commands.
  const { dir } = await makeStampedPaper('pith-hints-', t);
  edit(dir, 'main.tex', (t) => t.replace(BODY, OTHER_BODY));
  const refused = await runCli(['stamp', 'main.tex'], { cwd: dir });
  assert.equal(refused.status, 2, refused.stderr);
  const keepLock = new RegExp(`pith-tex stamp main\\.tex --number ${NUMBER}`).exec(refused.stderr)?.[0];
  assert.ok(keepLock, refused.stderr);
  assert.equal((await runHint(dir, keepLock)).status, 0);
  assert.equal((await runCli(['check'], { cwd: dir })).status, 0);

  // hook status without a hook: its fix installs it.
  const status = await runCli(['hook', 'status'], { cwd: dir });
  assert.equal(status.status, 1);
  for (const fix of fixesIn(status.stdout)) assert.equal((await runHint(dir, fix)).status, 0, fix);
  assert.equal((await runCli(['hook', 'status'], { cwd: dir })).status, 0, 'the hook is current after the fix');

  // The arXiv checklist (static items) on an edited pith.sty: its fix runs and the item passes.
  edit(dir, 'pith.sty', (t) => `${t}% my edit\n`);
  const arxiv = await runCli(['arxiv', 'main.tex', '--no-compile'], { cwd: dir });
  const fixes = fixesIn(arxiv.stdout).filter((f) => f.startsWith('pith-tex stamp'));
  assert.ok(fixes.length > 0, arxiv.stdout);
  for (const fix of new Set(fixes)) assert.equal((await runHint(dir, fix)).status, 0, fix);
  const again = JSON.parse((await runCli(['arxiv', 'main.tex', '--no-compile', '--json'], { cwd: dir })).stdout) as {
    items: { id: string; status: string }[];
  };
  for (const id of ['pith.sty', 'stamp']) assert.equal(again.items.find((i) => i.id === id)?.status, 'pass', id);
  rmSync(dir, { recursive: true, force: true });
});
