// Issue 12 item 2: every read bounded by the bytes actually read, regular files only. /dev/zero
// (a device whose stat size is 0 and whose content never ends) and a FIFO with no writer (whose
// open and read would block forever) as the lock, the bundle, a cache entry and an \input file:
// each is answered (the child is killed at 10 s: a read that blocks would hang until then) with
// exit 2 (or the cache's own fallback) and a clear line, the child's peak memory under 100 MB (a
// read without a bound would pass that within a second of /dev/zero), and nothing outside the
// folder changes. No wall-clock limit below the kill: this machine's load is not the code's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BODY, lockText, paperTex, renderSty } from '../support/stamped-paper.js';
import { arena, fingerprint } from './support.js';
import { runCli, type CliRun } from '../support/cli.js';

type Hostile = 'dev-zero' | 'fifo';
const HOSTILE: readonly Hostile[] = ['dev-zero', 'fifo'];

/** Put the hostile thing at `file`: a link to /dev/zero, or a FIFO nobody writes to. */
function plant(kind: Hostile, file: string): void {
  if (kind === 'dev-zero') symlinkSync('/dev/zero', file);
  else execFileSync('mkfifo', [file]);
}
const described = (kind: Hostile): RegExp =>
  kind === 'dev-zero' ? /is a character device, not a regular file/ : /is a FIFO \(named pipe\), not a regular file/;

function assertAnswered(r: CliRun, label: string): void {
  assert.notEqual(r.status, null, `${label}: killed after the time limit (hung)`);
  assert.ok(r.maxRssMiB < 100, `${label}: peak memory ${r.maxRssMiB.toFixed(1)} MiB (limit 100)`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, label);
}

/** Each command line answers at once with exit 2, naming `file` (a `kind`) and saying what it is. */
async function assertRefused(kind: Hostile, commands: string[][], file: RegExp): Promise<void> {
  for (const args of commands) {
    const r = await runCli(args, { timeoutMs: 10_000, measure: true });
    assertAnswered(r, `${kind} ${args[0]}`);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, file);
    assert.match(r.stderr, described(kind));
  }
}

function stampedPaper(dir: string, skip: string[] = []): void {
  if (!skip.includes('pith.lock.json')) writeFileSync(path.join(dir, 'pith.lock.json'), lockText());
  if (!skip.includes('pith.sty')) writeFileSync(path.join(dir, 'pith.sty'), renderSty(BODY));
  if (!skip.includes('main.tex')) writeFileSync(path.join(dir, 'main.tex'), paperTex());
}

for (const kind of HOSTILE) {
  test(`${kind} as pith.lock.json: check (the hook's command) and stamp answer exit 2 at once`, async () => {
    const a = arena(`lock-${kind}`);
    stampedPaper(a.paper, ['pith.lock.json']);
    plant(kind, path.join(a.paper, 'pith.lock.json'));
    const before = fingerprint(a.root);
    await assertRefused(
      kind,
      [
        ['check', a.paper],
        ['stamp', path.join(a.paper, 'main.tex')],
      ],
      /pith\.lock\.json: is /,
    );
    assert.deepEqual(fingerprint(a.root), before);
  });

  test(`${kind} as the bundle: verify and stamp --bundle answer exit 2 at once`, async () => {
    const a = arena(`bundle-${kind}`);
    stampedPaper(a.paper);
    const bundle = path.join(a.root, 'bundle.json');
    plant(kind, bundle);
    const before = fingerprint(a.root);
    await assertRefused(
      kind,
      [
        ['verify', bundle],
        ['stamp', path.join(a.paper, 'main.tex'), '--bundle', bundle],
      ],
      /bundle\.json: is /,
    );
    assert.deepEqual(fingerprint(a.root), before);
  });

  test(`${kind} as a cache entry: resolve --offline evicts it with a warning and answers exit 3 at once`, async () => {
    const a = arena(`cache-${kind}`);
    const bundles = path.join(a.root, 'cache', 'pith-tex', 'bundles');
    mkdirSync(bundles, { recursive: true });
    plant(kind, path.join(bundles, `${BODY}.json`));
    const r = await runCli(['resolve', `pith:2021:${BODY}`, '--offline'], {
      env: { XDG_CACHE_HOME: path.join(a.root, 'cache') },
      timeoutMs: 10_000,
      measure: true,
    });
    assertAnswered(r, `${kind} cache`);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /evicted the cached bundle .*NMB7QKC2NJYNHLPG6XMF2N35IK\.json/);
    assert.match(r.stderr, /offline, and pith:2021:NMB7QKC2NJYNHLPG6XMF2N35IK is not in pith\.lock\.json or the cache/);
    assert.equal(existsSync(path.join(bundles, `${BODY}.json`)), false, 'the hostile entry was removed from the cache');
  });

  test(`${kind} as an \\input file: check and stamp answer exit 2 naming it`, async () => {
    const a = arena(`input-${kind}`);
    stampedPaper(a.paper, ['main.tex']);
    writeFileSync(path.join(a.paper, 'main.tex'), paperTex(BODY, '\\input{preamble}\n'));
    plant(kind, path.join(a.paper, 'preamble.tex'));
    const before = fingerprint(a.root);
    await assertRefused(
      kind,
      [
        ['check', a.paper],
        ['stamp', path.join(a.paper, 'main.tex')],
      ],
      /preamble\.tex: is /,
    );
    assert.deepEqual(fingerprint(a.root), before);
  });
}

test('verify /dev/zero itself: exit 2 at once (it grew past 8 GB before)', async () => {
  const r = await runCli(['verify', '/dev/zero'], { timeoutMs: 10_000, measure: true });
  assertAnswered(r, 'verify /dev/zero');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^pith-tex: \/dev\/zero: is a character device, not a regular file; expected a Pith bundle or record/);
});
