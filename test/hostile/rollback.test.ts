// Issue 12 item 5: no rollback across versions. After v2 of a bare arXiv id was verified, a
// validly signed v1 served for that id is refused (exit 1) unless --allow-older; after a newer
// bundle of a record was verified, an older one is refused once the newer is gone from the
// cache. The memory outlives a run without the --trust-key that verified the entries.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { json, startServer, type TestServer } from '../support/http-server.js';
import { testBundle } from '../support/test-bundles.js';
import { arena, fingerprint } from './support.js';
import { runCli } from '../support/cli.js';

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function setup(name: string, keyEntry: object) {
  const a = arena(name);
  const keyFile = path.join(a.root, 'key.json');
  writeFileSync(keyFile, JSON.stringify(keyEntry));
  const env = { XDG_CACHE_HOME: path.join(a.root, 'cache'), PITH_HTTP_RETRIES: '0', PITH_RESOLVER: '' };
  return { a, keyFile, env };
}

test('v2 then a replayed v1 for the bare id: resolve --refresh and stamp after the id TTL refuse it (exit 1); --allow-older uses it', async () => {
  const v2 = testBundle({ version: 2, builtAt: '2026-08-01T00:00:00Z' });
  const v1 = testBundle({ builtAt: '2026-07-01T00:00:00Z' });
  const { a, keyFile, env } = setup('replay', v2.keyEntry);
  const route = '/pith/2109.10465/bundle.json';
  const s = await startServer({
    [route]: (req, res, hit) => json(hit === 1 ? v2.text : v1.text)(req, res, hit),
    '/pith/2109.10465v1/bundle.json': json(v1.text),
  });
  servers.push(s);
  const trust = ['--trust-key', keyFile, '--resolver', s.base];

  const first = await runCli(['resolve', '2109.10465', '--json', ...trust], { env });
  assert.equal(first.status, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).pith_number, v2.number);

  const replay = await runCli(['resolve', '2109.10465', '--refresh', ...trust], { env });
  assert.equal(replay.status, 1, replay.stderr);
  assert.match(
    replay.stderr,
    new RegExp(
      `arXiv:2109\\.10465 was served at v1, but v2 \\(pith ${v2.body}\\) was verified here before: refused, a resolver or mirror replaying an older signed state is a rollback .*Pass --allow-older`,
    ),
  );

  // A run without the test key evicts the cached v2 (it no longer verifies); the memory stays.
  const untrusted = await runCli(['resolve', '2109.10465', '--offline'], { env });
  assert.equal(untrusted.status, 3, untrusted.stderr);
  assert.match(untrusted.stderr, /evicted the cached bundle/);

  // stamp after the id's time to live: the resolver is asked again and replays v1.
  writeFileSync(path.join(a.paper, 'main.tex'), '\\documentclass{article}\n\\begin{document}\nHi.\n\\end{document}\n');
  const paper = fingerprint(a.paper);
  const stamp = await runCli(['stamp', path.join(a.paper, 'main.tex'), '--arxiv', '2109.10465', ...trust], {
    env: { ...env, PITH_TEX_ID_TTL_SECONDS: '0' },
  });
  assert.equal(stamp.status, 1, stamp.stderr);
  assert.match(stamp.stderr, /arXiv:2109\.10465 was served at v1, but v2 .* refused/);
  assert.deepEqual(fingerprint(a.paper), paper, 'nothing stamped');

  const allowed = await runCli(['resolve', '2109.10465', '--refresh', '--allow-older', '--json', ...trust], { env });
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.equal(JSON.parse(allowed.stdout).pith_number, v1.number);
  assert.match(allowed.stderr, /used because --allow-older was given \(not cached\)/);
  // A fixed version asked for on purpose is not a rollback.
  const fixed = await runCli(['resolve', '2109.10465v1', '--refresh', ...trust], { env });
  assert.equal(fixed.status, 0, fixed.stderr);
});

test('per record: an older bundle after the newer one was verified (and evicted) is refused; the memory files exist', async () => {
  const newer = testBundle({ builtAt: '2026-08-01T00:00:00Z' });
  const older = testBundle({ builtAt: '2026-07-01T00:00:00Z' });
  const { a, keyFile, env } = setup('record', newer.keyEntry);
  const route = `/pith/${newer.body}/bundle.json`;
  const s = await startServer({ [route]: (req, res, hit) => json(hit === 1 ? newer.text : older.text)(req, res, hit) });
  servers.push(s);
  const trust = ['--trust-key', keyFile, '--resolver', s.base];
  assert.equal((await runCli(['resolve', newer.number, ...trust], { env })).status, 0);
  const seen = readdirSync(path.join(a.root, 'cache', 'pith-tex', 'seen')).sort();
  assert.deepEqual(seen, [`arxiv%3A2109.10465.json`, `body%3A${newer.body}.json`]);
  const evict = await runCli(['resolve', newer.number, '--offline'], { env });
  assert.equal(evict.status, 3, evict.stderr);
  const replay = await runCli(['resolve', newer.number, '--refresh', ...trust], { env });
  assert.equal(replay.status, 1, replay.stderr);
  assert.match(
    replay.stderr,
    new RegExp(
      `the bundle for ${newer.body} was built at 2026-07-01T00:00:00Z, before the one verified here before \\(2026-08-01T00:00:00Z\\): refused`,
    ),
  );
});
