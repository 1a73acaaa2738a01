// Issue 12 item 7: an https resolver may not redirect to plain http (even to loopback), and a
// `*.localhost` name counts as loopback only when it resolves to loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loopbackOnlyLookup } from '../../src/io/http.js';
import { json, startServer } from '../support/http-server.js';
import { BUNDLE_FILE } from '../support/vectors.js';
import { BODY } from '../support/stamped-paper.js';
import { arena, fingerprint } from './support.js';
import { runCli } from '../support/cli.js';
import { makeTestCert } from '../support/cert.js';

test('an https resolver redirecting to plain http on another loopback port is refused (exit 3); the http server is never asked', async (t) => {
  const a = arena('redirect');
  // A certificate for 127.0.0.1, trusted by a child process through NODE_EXTRA_CA_CERTS.
  const pem = makeTestCert(a.root, '127.0.0.1', 'IP:127.0.0.1');
  const plain = await startServer({ [`/pith/${BODY}/bundle.json`]: json(readFileSync(BUNDLE_FILE, 'utf8')) });
  const tls = https.createServer({ key: pem.key, cert: pem.cert }, (req, res) => {
    res.writeHead(302, { location: `${plain.base}${req.url}` });
    res.end();
  });
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  t.after(async () => {
    tls.closeAllConnections();
    tls.close();
    await plain.close();
  });
  const base = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  const before = fingerprint(a.paper);
  const r = await runCli(['resolve', `pith:2021:${BODY}`, '--resolver', base, '--refresh'], {
    env: { NODE_EXTRA_CA_CERTS: pem.certFile, XDG_CACHE_HOME: path.join(a.root, 'cache'), PITH_HTTP_RETRIES: '0' },
    spawn: true, // node reads NODE_EXTRA_CA_CERTS when it starts
  });
  assert.equal(r.status, 3, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `refused the redirect from ${base}/pith/${BODY}/bundle\\.json to ${plain.base}/pith/${BODY}/bundle\\.json: an https resolver may not send pith-tex to plain http`,
    ),
  );
  assert.equal(plain.count(), 0);
  assert.deepEqual(fingerprint(a.paper), before);
});

type Answer = { err: NodeJS.ErrnoException | null; address?: string | LookupAddress[]; family?: number };
const lookupWith = (addresses: LookupAddress[], all = false): Promise<Answer> =>
  new Promise((resolve) => {
    const fake = (_h: string, _o: unknown, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => cb(null, addresses);
    loopbackOnlyLookup(fake)('pith.localhost', { all }, (err, address, family) => resolve({ err, address, family }));
  });

test('*.localhost is loopback only when every address it resolves to is loopback', async () => {
  const evil = await lookupWith([{ address: '10.1.2.3', family: 4 }]);
  assert.equal(evil.err?.code, 'EPITHNOTLOOPBACK');
  assert.match(evil.err?.message ?? '', /pith\.localhost resolves to 10\.1\.2\.3, not loopback/);
  const mixed = await lookupWith([
    { address: '127.0.0.1', family: 4 },
    { address: '2001:db8::1', family: 6 },
  ]);
  assert.equal(mixed.err?.code, 'EPITHNOTLOOPBACK');
  const good = await lookupWith([{ address: '127.0.0.1', family: 4 }]);
  assert.equal(good.err, null);
  assert.deepEqual([good.address, good.family], ['127.0.0.1', 4]);
  const both = await lookupWith(
    [
      { address: '::1', family: 6 },
      { address: '127.0.0.2', family: 4 },
    ],
    true,
  );
  assert.deepEqual(both.address, [
    { address: '::1', family: 6 },
    { address: '127.0.0.2', family: 4 },
  ]);
});
