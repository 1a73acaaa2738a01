import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { fixture } from './helpers.js';
import { runCli, type CliOptions, type CliRun } from './support/cli.js';
import { resolverEnv, server } from './support/resolver.js';
import { makeTestCert } from './support/cert.js';
import { json, status, failFirst, hang, delayed, type Handler } from './support/http-server.js';
import {
  assertAllowedUrl,
  bypassProxy,
  FetchError,
  httpGet,
  httpOptionsFromEnv,
  isLoopbackHost,
  proxyFor,
  retryAfterMs,
} from '../src/io/http.js';
import { BundleCache } from '../src/io/cache.js';
import { resolveQuery } from '../src/io/resolve.js';
import { parseQuery } from '../src/core/query.js';
import { parseJson, type JsonObject } from '../src/core/json.js';
import { PINNED_KEYS } from '../src/core/keys.js';
import { lockFromBundle, serializeLock } from '../src/core/lock.js';
import { verifyBundle } from '../src/core/verify.js';
import { PithError } from '../src/errors.js';
import { SEED } from './support/seed.js';
import { testBundle as sharedTestBundle } from './support/test-bundles.js';
import { fileTempDirs } from './support/temp.js';

const BUNDLE_TEXT = readFileSync(fixture('2109.10465v1.bundle.json'), 'utf8');
const BUNDLE = parseJson(BUNDLE_TEXT) as JsonObject;
const BODY = SEED.body;
const NUMBER = SEED.number;

const tmp = fileTempDirs('pith-resolve-');

/** `pith-tex ...args` in a fresh working folder with `env` (runCli's options otherwise). */
const cli = (args: string[], env: CliOptions['env'], options: CliOptions = {}): Promise<CliRun> =>
  runCli(args, { cwd: tmp('pith-cwd-'), env, ...options });

/** Every file under the cache folder (relative paths). */
function cacheFiles(cacheHome: string): string[] {
  const root = path.join(cacheHome, 'pith-tex');
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

const bothLayouts = (text = BUNDLE_TEXT): Record<string, Handler> => ({
  [`/pith/${BODY}/bundle.json`]: json(text),
  [`/.well-known/pith/${BODY}/bundle.json`]: json(text),
  '/pith/2109.10465/bundle.json': json(text),
  '/pith/2109.10465v1/bundle.json': json(text),
  [`/pith/${BODY.slice(0, 8)}/bundle.json`]: json(text),
  [`/pith/${BODY.slice(0, 12)}/bundle.json`]: json(text),
  [`/pith/${BODY.slice(0, 16)}/bundle.json`]: json(text),
});

// ---------------------------------------------------------------- end to end (CLI)
describe('pith-tex resolve, end to end', () => {
  test('every query form resolves the vector bundle to the same number, from the resolver', async () => {
    const s = await server(bothLayouts());
    const forms: [string, string][] = [
      ['2109.10465', '/pith/2109.10465/bundle.json'],
      ['2109.10465v1', '/pith/2109.10465v1/bundle.json'],
      ['https://arxiv.org/abs/2109.10465v1', '/pith/2109.10465v1/bundle.json'],
      ['https://arxiv.org/pdf/2109.10465v1.pdf', '/pith/2109.10465v1/bundle.json'],
      ['10.48550/arXiv.2109.10465', '/pith/2109.10465/bundle.json'],
      ['https://doi.org/10.48550/ARXIV.2109.10465', '/pith/2109.10465/bundle.json'],
      [NUMBER, `/pith/${BODY}/bundle.json`],
      [`pith:${BODY}`, `/pith/${BODY}/bundle.json`],
      [BODY.toLowerCase(), `/pith/${BODY}/bundle.json`],
      ['NMB7QKC2', `/pith/${BODY.slice(0, 8)}/bundle.json`],
      [`pith:${BODY.slice(0, 12)}`, `/pith/${BODY.slice(0, 12)}/bundle.json`],
      [BODY.slice(0, 16), `/pith/${BODY.slice(0, 16)}/bundle.json`],
    ];
    const runs = await Promise.all(
      forms.map(async ([query, expectedPath]) => {
        const before = s.count(expectedPath);
        const r = await cli(['resolve', query, '--json', '--resolver', s.base], resolverEnv(tmp()));
        return { query, expectedPath, r, before };
      }),
    );
    for (const { query, expectedPath, r } of runs) {
      assert.equal(r.status, 0, `${query}: ${r.stderr}`);
      const out = JSON.parse(r.stdout);
      assert.equal(out.report_version, 1);
      assert.equal(out.pith_number, NUMBER, query);
      assert.equal(out.source.kind, 'resolver', query);
      assert.equal(out.source.location, `${s.base}${expectedPath}`, query);
      assert.ok(s.count(expectedPath) >= 1, `${query} asked ${expectedPath}`);
    }
    // Without a version the output says which version was used.
    const unversioned = runs.find((x) => x.query === '2109.10465');
    assert.match(JSON.parse(unversioned!.r.stdout).version_note, /newest version the resolver knows/);
  });

  test('human output: number, title hash, arXiv id/version, DOI, status, source', async () => {
    const s = await server(bothLayouts());
    const r = await cli(['resolve', '2109.10465', '--resolver', s.base], resolverEnv(tmp()));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${NUMBER}  verified`));
    assert.match(r.stdout, /title sha256 +1081b2af858259c4909b86775021934b23d9342c1faf94b76a10c63484a84730/);
    assert.match(r.stdout, /arXiv +2109\.10465v1 \(the newest version the resolver knows\)/);
    assert.match(r.stdout, /DOI +10\.48550\/arxiv\.2109\.10465/);
    assert.match(r.stdout, /status +not attested · not anchored · not stored/);
    assert.match(r.stdout, new RegExp(`from +resolver ${s.base}/pith/2109\\.10465/bundle\\.json`));
    // Piped stderr: no progress, no notes.
    assert.equal(r.stderr, '');
  });

  test('a static mirror (.well-known layout only) serves full bodies; short forms get a clear not-found', async () => {
    const s = await server({ [`/.well-known/pith/${BODY}/bundle.json`]: json(BUNDLE_TEXT) });
    const cache = tmp();
    const ok = await cli(['resolve', NUMBER, '--resolver', s.base], resolverEnv(cache));
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /well-known/);
    assert.equal(s.count(`/pith/${BODY}/bundle.json`), 1);
    const short = await cli(['resolve', 'NMB7QKC2', '--refresh', '--resolver', s.base], resolverEnv(tmp()));
    assert.equal(short.status, 3);
    assert.match(short.stderr, /not found/);
    assert.match(short.stderr, /static mirror .* only full 26-character bodies/);
  });

  test('--offline never touches the network: empty cache fails with exit 3 and says how to get the record', async () => {
    const s = await server(bothLayouts());
    const cache = tmp();
    const r = await cli(['resolve', '2109.10465v1', '--offline', '--resolver', s.base], resolverEnv(cache));
    assert.equal(r.status, 3);
    assert.match(r.stderr, /offline/);
    assert.match(r.stderr, /--bundle FILE/);
    assert.match(r.stderr, /pith-tex compute/);
    assert.equal(s.count(), 0);
    // Filled once online, every form is then answered offline from the cache, still no request.
    const online = await cli(['resolve', '2109.10465v1', '--resolver', s.base], resolverEnv(cache));
    assert.equal(online.status, 0, online.stderr);
    const seen = s.count();
    const queries = ['2109.10465', '10.48550/arxiv.2109.10465', 'NMB7QKC2', NUMBER, BODY.slice(0, 16)];
    const offs = await Promise.all(
      queries.map((q) => cli(['resolve', q, '--offline', '--json', '--resolver', s.base], resolverEnv(cache))),
    );
    offs.forEach((off, i) => {
      assert.equal(off.status, 0, `${queries[i]}: ${off.stderr}`);
      const out = JSON.parse(off.stdout);
      assert.equal(out.pith_number, NUMBER);
      assert.equal(out.source.kind, 'cache');
    });
    assert.equal(s.count(), seen);
  });

  test('404: not found, exit 3, nothing cached', async () => {
    const s = await server({});
    const cache = tmp();
    const r = await cli(['resolve', NUMBER, '--resolver', s.base], resolverEnv(cache));
    assert.equal(r.status, 3);
    assert.match(r.stderr, /not found: pith:2021:NMB7QKC2NJYNHLPG6XMF2N35IK is not known/);
    assert.equal(s.count(`/pith/${BODY}/bundle.json`), 1);
    assert.equal(s.count(`/.well-known/pith/${BODY}/bundle.json`), 1);
    assert.deepEqual(cacheFiles(cache), []);
  });

  test('500 then 200: retried, resolved, cached', async () => {
    const p = `/pith/${BODY}/bundle.json`;
    const s = await server({ [p]: failFirst(1, 500, json(BUNDLE_TEXT)) });
    const cache = tmp();
    const r = await cli(['resolve', NUMBER, '--resolver', s.base], resolverEnv(cache));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(s.count(p), 2);
    assert.ok(cacheFiles(cache).includes(`bundles/${BODY}.json`));
    assert.equal(r.stderr, '');
  });

  test('429 with Retry-After: waits as told, then resolves', async () => {
    const p = `/pith/${BODY}/bundle.json`;
    const s = await server({ [p]: failFirst(1, 429, json(BUNDLE_TEXT), { 'retry-after': '1' }) });
    const r = await cli(['resolve', NUMBER, '--resolver', s.base], resolverEnv(tmp()));
    assert.equal(r.status, 0, r.stderr);
    const [first, second] = s.requests.filter((x) => x.path === p);
    assert.ok(second!.at - first!.at >= 950, `waited ${second!.at - first!.at} ms`);
  });

  test('5xx forever: resolver unreachable after the retries, exit 3 with what to do offline', async () => {
    const p = `/pith/${BODY}/bundle.json`;
    const s = await server({ [p]: status(503) });
    const cache = tmp();
    const r = await cli(['resolve', NUMBER, '--resolver', s.base], resolverEnv(cache));
    assert.equal(r.status, 3);
    assert.match(r.stderr, /resolver unreachable: .*HTTP 503 after 3 attempts/);
    assert.match(r.stderr, /--bundle FILE/);
    assert.equal(s.count(p), 3);
    assert.deepEqual(cacheFiles(cache), []);
  });

  test('slow resolver: total timeout, exit 3, nothing cached', async () => {
    const s = await server({ [`/pith/${BODY}/bundle.json`]: hang });
    const cache = tmp();
    const r = await cli(['resolve', NUMBER, '--resolver', s.base], resolverEnv(cache, { PITH_HTTP_TIMEOUT_MS: '600' }));
    assert.equal(r.status, 3);
    assert.match(r.stderr, /resolver unreachable: .*no complete answer within 600 ms/);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    assert.deepEqual(cacheFiles(cache), []);
  });

  test('--timeout SECONDS sets the total time per attempt; a bad value is exit 2', async () => {
    const s = await server({ [`/pith/${BODY}/bundle.json`]: hang });
    const r = await cli(
      ['resolve', NUMBER, '--timeout', '0.4', '--resolver', s.base],
      resolverEnv(tmp(), { PITH_HTTP_TIMEOUT_MS: '20000' }),
    );
    assert.equal(r.status, 3);
    assert.match(r.stderr, /no complete answer within 400 ms/);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    const bad = await cli(['resolve', NUMBER, '--timeout', 'soon', '--resolver', s.base], resolverEnv(tmp()));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--timeout soon: expected a number of seconds/);
  });

  test('unreachable resolver (connection refused): exit 3', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const r = await cli(['resolve', NUMBER, '--resolver', `http://127.0.0.1:${port}`], resolverEnv(tmp()));
    assert.equal(r.status, 3);
    assert.match(r.stderr, /resolver unreachable: .*connection refused/);
  });

  test('oversized body: refused at the cap, exit 3, nothing cached', async () => {
    const big = `{"pad":"${'x'.repeat(300_000)}"}`;
    const chunked: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // no Content-Length
      for (let i = 0; i < 30; i++) res.write('x'.repeat(10_000));
      res.end();
    };
    const s = await server({ [`/pith/${BODY}/bundle.json`]: json(big), '/pith/NMB7QKC2/bundle.json': chunked });
    const cache = tmp();
    const env = resolverEnv(cache, { PITH_HTTP_MAX_BYTES: '100000' });
    const a = await cli(['resolve', NUMBER, '--resolver', s.base], env);
    assert.equal(a.status, 3);
    assert.match(a.stderr, /300\d+ bytes, over the 100000-byte limit/);
    const b = await cli(['resolve', 'NMB7QKC2', '--resolver', s.base], env);
    assert.equal(b.status, 3);
    assert.match(b.stderr, /over the 100000-byte limit/);
    assert.deepEqual(cacheFiles(cache), []);
  });

  test('redirect loop: stopped after 5 redirects, exit 3; a redirect to a good copy is followed', async () => {
    const p = `/pith/${BODY}/bundle.json`;
    const s = await server({
      [p]: status(302, { location: '/loop/a' }),
      '/loop/a': status(302, { location: '/loop/b' }),
      '/loop/b': status(302, { location: '/loop/a' }),
      '/pith/NMB7QKC2/bundle.json': status(301, { location: `/.well-known/pith/${BODY}/bundle.json` }),
      [`/.well-known/pith/${BODY}/bundle.json`]: json(BUNDLE_TEXT),
    });
    const cache = tmp();
    const r = await cli(['resolve', NUMBER, '--refresh', '--resolver', s.base], resolverEnv(cache));
    assert.equal(r.status, 3);
    assert.match(r.stderr, /more than 5 redirects \(a redirect loop\)/);
    assert.equal(s.count('/loop/a') + s.count('/loop/b'), 5);
    const ok = await cli(['resolve', 'NMB7QKC2', '--json', '--resolver', s.base], resolverEnv(tmp()));
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).source.location, `${s.base}/.well-known/pith/${BODY}/bundle.json`);
  });

  test('HTML instead of JSON: fails verification, exit 1, nothing cached; a well-known copy after it is used', async () => {
    const html: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body>Welcome</body></html>');
    };
    const s = await server({ [`/pith/${BODY}/bundle.json`]: html, [`/.well-known/pith/${BODY}/bundle.json`]: html });
    const cache = tmp();
    const r = await cli(['resolve', NUMBER, '--resolver', s.base], resolverEnv(cache));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /served HTML, not a Pith bundle/);
    assert.deepEqual(cacheFiles(cache), []);
    // A static host answering every path with its HTML page, with the bundle in the well-known
    // layout: the well-known copy is tried next, verified and used.
    const spa = await server({ [`/pith/${BODY}/bundle.json`]: html, [`/.well-known/pith/${BODY}/bundle.json`]: json(BUNDLE_TEXT) });
    const ok = await cli(['resolve', NUMBER, '--json', '--resolver', spa.base], resolverEnv(cache));
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).source.location, `${spa.base}/.well-known/pith/${BODY}/bundle.json`);
    assert.ok(cacheFiles(cache).includes(`bundles/${BODY}.json`));
  });

  test('tampered bundle: fails verification, exit 1, nothing cached', async () => {
    const tampered = BUNDLE_TEXT.replace('"cs.CL"', '"cs.LG"');
    assert.notEqual(tampered, BUNDLE_TEXT);
    const resigned = BUNDLE_TEXT.replace('"built_at":"2026-07-05T11:57:03Z"', '"built_at":"2027-01-01T00:00:00Z"');
    assert.notEqual(resigned, BUNDLE_TEXT);
    const s = await server({ [`/pith/${BODY}/bundle.json`]: json(tampered), '/pith/2109.10465v1/bundle.json': json(resigned) });
    const cache = tmp();
    const r = await cli(['resolve', NUMBER, '--resolver', s.base], resolverEnv(cache));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /served a bundle that fails verification .*canonical_hash/);
    const r2 = await cli(['resolve', '2109.10465v1', '--resolver', s.base], resolverEnv(cache));
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /fails verification .*bundle\.hash/);
    assert.deepEqual(cacheFiles(cache), []);
  });

  test('a resolver answering with another paper is a verification failure', async () => {
    const s = await server({
      '/pith/2201.05596v2/bundle.json': json(BUNDLE_TEXT),
      '/pith/7E6MSA6G/bundle.json': json(BUNDLE_TEXT),
      '/pith/2109.10465v2/bundle.json': json(BUNDLE_TEXT),
    });
    const cache = tmp();
    const cases = [
      ['2201.05596v2', /got a record of arXiv 2109\.10465/],
      ['7E6MSA6G', /does not start with it/],
      ['2109.10465v2', /got version v1/],
    ] as const;
    const runs = await Promise.all(cases.map(([q]) => cli(['resolve', q, '--resolver', s.base], resolverEnv(cache))));
    runs.forEach((r, i) => {
      assert.equal(r.status, 1, cases[i]![0]);
      assert.match(r.stderr, /answered with a different paper/);
      assert.match(r.stderr, cases[i]![1]);
    });
    assert.deepEqual(cacheFiles(cache), []);
  });

  test('a cached entry that no longer verifies is evicted with a warning; the resolver is asked next', async () => {
    const s = await server(bothLayouts());
    const cache = tmp();
    const env = resolverEnv(cache);
    assert.equal((await cli(['resolve', NUMBER, '--resolver', s.base], env)).status, 0);
    const file = path.join(cache, 'pith-tex', 'bundles', `${BODY}.json`);
    writeFileSync(file, BUNDLE_TEXT.replace('"cs.CL"', '"cs.LG"'));
    const before = s.count();
    const r = await cli(['resolve', NUMBER, '--json', '--resolver', s.base], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: evicted the cached bundle .* no longer verifies/);
    assert.equal(JSON.parse(r.stdout).source.kind, 'resolver');
    assert.equal(s.count(), before + 1);
    assert.equal(readFileSync(file, 'utf8'), BUNDLE_TEXT);
    // Offline, a bad entry is evicted and the offline error follows.
    writeFileSync(file, '{"not": "a bundle"');
    const off = await cli(['resolve', NUMBER, '--offline'], env);
    assert.equal(off.status, 3, off.stderr);
    assert.match(off.stderr, /evicted/);
    assert.equal(existsSync(file), false);
  });

  test('--bundle FILE: verified and used offline; a tampered file is exit 1; --save writes the bytes', async () => {
    const dir = tmp();
    const cache = tmp();
    const save = path.join(dir, 'saved.bundle.json');
    const r = await cli(
      ['resolve', '2109.10465', '--bundle', fixture('2109.10465v1.bundle.json'), '--offline', '--save', save],
      resolverEnv(cache),
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /from +bundle file/);
    assert.equal(readFileSync(save, 'utf8'), BUNDLE_TEXT);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, BUNDLE_TEXT.replace('"cs.CL"', '"cs.LG"'));
    const t = await cli(['resolve', NUMBER, '--bundle', bad], resolverEnv(tmp()));
    assert.equal(t.status, 1);
    assert.match(t.stderr, /does not verify/);
    const other = await cli(['resolve', '2201.05596', '--bundle', fixture('2109.10465v1.bundle.json')], resolverEnv(tmp()));
    assert.equal(other.status, 1);
    assert.match(other.stderr, /does not name arXiv 2201\.05596/);
  });

  test('the project lock file answers for its paper (and only its paper), offline', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'pith.lock.json'), serializeLock(lockFromBundle(BUNDLE)));
    const r = await cli(['resolve', '2109.10465', '--offline', '--json', '--dir', dir], resolverEnv(tmp()));
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.pith_number, NUMBER);
    assert.equal(out.source.kind, 'lock');
    assert.equal(out.status.attested, null);
    const other = await cli(['resolve', '2201.05596', '--offline', '--dir', dir], resolverEnv(tmp()));
    assert.equal(other.status, 3);
    // A lock whose receipt was tampered with is ignored with a warning.
    const lock = JSON.parse(readFileSync(path.join(dir, 'pith.lock.json'), 'utf8'));
    lock.receipt.signature_b64 = lock.receipt.signature_b64.replace(/^./, (c: string) => (c === 'A' ? 'B' : 'A'));
    writeFileSync(path.join(dir, 'pith.lock.json'), JSON.stringify(lock));
    const bad = await cli(['resolve', '2109.10465', '--offline', '--dir', dir], resolverEnv(tmp()));
    assert.equal(bad.status, 3);
    assert.match(bad.stderr, /does not verify .*ignored/);
  });

  test('two concurrent resolves of the same paper leave a valid cache', async () => {
    const p = `/pith/${BODY}/bundle.json`;
    const s = await server({ [p]: delayed(150, json(BUNDLE_TEXT)) });
    const cache = tmp();
    const env = resolverEnv(cache);
    // Three processes, so the three really race for the cache.
    const runs = await Promise.all([1, 2, 3].map(() => cli(['resolve', NUMBER, '--resolver', s.base], env, { spawn: true })));
    for (const r of runs) assert.equal(r.status, 0, r.stderr);
    const files = cacheFiles(cache);
    assert.ok(!files.some((f) => f.endsWith('.tmp')), files.join(', '));
    const held = parseJson(readFileSync(path.join(cache, 'pith-tex', 'bundles', `${BODY}.json`), 'utf8')) as JsonObject;
    assert.ok(verifyBundle(held, PINNED_KEYS).ok);
    const aliases = files.filter((x) => x.startsWith('aliases/'));
    assert.ok(aliases.length >= 1, `the aliases were written: ${files.join(', ')}`);
    for (const f of aliases) {
      assert.equal((JSON.parse(readFileSync(path.join(cache, 'pith-tex', f), 'utf8')) as { body: string }).body, BODY);
    }
    const off = await cli(['resolve', 'NMB7QKC2', '--offline'], env);
    assert.equal(off.status, 0, off.stderr);
  });

  test('a cache folder that cannot be written is one warning, not fatal', async () => {
    const dir = tmp();
    const notADir = path.join(dir, 'file');
    writeFileSync(notADir, 'x');
    const s = await server(bothLayouts());
    const r = await cli(['resolve', NUMBER, '--resolver', s.base], resolverEnv(notADir));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.match(/warning: cannot write the cache/g)?.length, 1, r.stderr);
  });

  test('plain http to a non-loopback resolver is refused; a bad query is exit 2', async () => {
    const r = await cli(['resolve', NUMBER, '--resolver', 'http://pith.example.com'], resolverEnv(tmp()));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /plain http is allowed only to loopback/);
    const q = await cli(['resolve', '2201.5596'], resolverEnv(tmp()));
    assert.equal(q.status, 2);
    assert.match(q.stderr, /accepted forms/);
  });
});

// ---------------------------------------------------------------- proxy (CONNECT) end to end
describe('resolve through a proxy (CONNECT), end to end', () => {
  test('HTTPS_PROXY: https goes through a CONNECT tunnel; NO_PROXY bypasses it', async (t) => {
    const dir = tmp();
    const pem = makeTestCert(dir, 'pith.test', 'DNS:pith.test');
    // The "remote" https resolver, reachable only through the proxy's tunnel.
    const tlsServer = https.createServer({ key: pem.key, cert: pem.cert }, (req, res) => {
      if (req.url === `/pith/${BODY}/bundle.json`) json(BUNDLE_TEXT)(req, res, 1);
      else status(404)(req, res, 1);
    });
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    const tlsPort = (tlsServer.address() as AddressInfo).port;
    const connects: { target: string; auth: string | undefined }[] = [];
    const proxy = http.createServer((_req, res) => {
      res.writeHead(405);
      res.end();
    });
    proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
      connects.push({ target: req.url ?? '', auth: req.headers['proxy-authorization'] });
      const upstream = net.connect(tlsPort, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyPort = (proxy.address() as AddressInfo).port;
    t.after(() => {
      tlsServer.close();
      proxy.close();
      tlsServer.closeAllConnections();
      proxy.closeAllConnections();
    });

    const env = resolverEnv(tmp(), {
      HTTPS_PROXY: `http://user:p%40ss@127.0.0.1:${proxyPort}`,
      NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem'),
    });
    // A child process: node reads NODE_EXTRA_CA_CERTS when it starts.
    const r = await cli(['resolve', NUMBER, '--json', '--resolver', 'https://pith.test'], env, { spawn: true });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).source.location, `https://pith.test/pith/${BODY}/bundle.json`);
    assert.deepEqual(connects[0], { target: 'pith.test:443', auth: `Basic ${Buffer.from('user:p@ss').toString('base64')}` });

    // NO_PROXY names the host: no tunnel is asked for (and the made-up host is unreachable directly).
    const n = connects.length;
    const direct = await cli(
      ['resolve', NUMBER, '--refresh', '--resolver', 'https://pith.test'],
      { ...env, NO_PROXY: 'localhost,.test' },
      {
        spawn: true,
      },
    );
    assert.equal(direct.status, 3, direct.stderr);
    assert.match(direct.stderr, /resolver unreachable/);
    assert.equal(connects.length, n);
  });
});

// ---------------------------------------------------------------- units
describe('HTTP, cache and resolveQuery units', () => {
  test('loopback and URL policy', () => {
    for (const h of ['127.0.0.1', '127.9.8.7', 'localhost', '[::1]', 'a.localhost']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['128.0.0.1', '10.0.0.1', 'localhost.example.com', '[::2]', '127.0.0.1.nip.io']) assert.ok(!isLoopbackHost(h), h);
    assert.doesNotThrow(() => assertAllowedUrl('http://127.0.0.1:8080/x'));
    assert.doesNotThrow(() => assertAllowedUrl('https://pith.science/x'));
    for (const u of ['http://pith.science/x', 'ftp://127.0.0.1/x', 'file:///etc/passwd']) {
      assert.throws(
        () => assertAllowedUrl(u),
        (e: unknown) => e instanceof FetchError && e.kind === 'insecure',
      );
    }
  });

  test('NO_PROXY matching and proxy selection', () => {
    const u = new URL('https://pith.science/pith/X');
    assert.ok(bypassProxy(u, 'pith.science'));
    assert.ok(bypassProxy(u, '.science'));
    assert.ok(bypassProxy(u, 'example.com, *.science'));
    assert.ok(bypassProxy(u, '*'));
    assert.ok(bypassProxy(u, 'pith.science:443'));
    assert.ok(!bypassProxy(u, 'pith.science:8443'));
    assert.ok(!bypassProxy(u, 'ith.science'));
    assert.ok(!bypassProxy(u, ''));
    // Address blocks match IP hosts only, of their own family.
    assert.ok(bypassProxy(new URL('https://10.1.2.3/x'), '10.0.0.0/8'));
    assert.ok(!bypassProxy(new URL('https://11.1.2.3/x'), '10.0.0.0/8'));
    assert.ok(bypassProxy(new URL('https://192.168.7.9/x'), 'example.com,192.168.0.0/16'));
    assert.ok(bypassProxy(new URL('https://[fd12::5]/x'), 'fd00::/8'));
    assert.ok(!bypassProxy(new URL('https://[fe80::5]/x'), 'fd00::/8'));
    assert.ok(!bypassProxy(new URL('https://[fd12::5]/x'), '10.0.0.0/8'));
    assert.ok(!bypassProxy(u, '10.0.0.0/8'));
    assert.ok(!bypassProxy(new URL('https://10.1.2.3/x'), '10.0.0.0/99'));
    assert.equal(proxyFor(u, { HTTPS_PROXY: 'http://proxy:3128' })?.host, 'proxy:3128');
    assert.equal(proxyFor(u, { https_proxy: 'proxy:3128' })?.host, 'proxy:3128');
    assert.equal(proxyFor(u, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'pith.science' }), null);
    assert.equal(proxyFor(new URL('http://127.0.0.1:1/x'), { HTTPS_PROXY: 'http://proxy:3128' }), null);
    assert.throws(() => proxyFor(u, { HTTPS_PROXY: 'https://proxy:3128' }), /only http:\/\/ proxies/);
  });

  test('Retry-After: seconds, HTTP date, capped wait', async () => {
    assert.equal(retryAfterMs('2'), 2000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6_000);
    assert.equal(retryAfterMs('soon'), null);
    const p = '/x';
    const s = await server({ [p]: failFirst(1, 429, json('{}'), { 'retry-after': '3600' }) });
    const started = Date.now();
    const res = await httpGet(`${s.base}${p}`, httpOptionsFromEnv({}, { retryAfterCapMs: 200, backoffMs: 10 }));
    const waited = Date.now() - started;
    assert.equal(res.attempts, 2);
    assert.ok(waited >= 190 && waited < 2000, `waited ${waited} ms`);
  });

  test('httpGet errors carry a kind', async () => {
    const s = await server({
      '/gone': status(410),
      '/teapot': status(418),
      '/slowbody': (_q, res) => {
        res.writeHead(200);
        res.write('{');
      },
    });
    const opts = httpOptionsFromEnv({}, { totalTimeoutMs: 300, retries: 0 });
    const kind = async (p: string) => {
      try {
        await httpGet(`${s.base}${p}`, opts);
        return 'ok';
      } catch (e) {
        return (e as FetchError).kind;
      }
    };
    assert.equal(await kind('/gone'), 'not_found');
    assert.equal(await kind('/teapot'), 'http_status');
    assert.equal(await kind('/slowbody'), 'timeout');
  });

  test('cache: rollback protection keeps the newer bundle, with a warning', async () => {
    const dir = tmp();
    const warnings: string[] = [];
    const cache = new BundleCache(path.join(dir, 'pith-tex'), (m) => warnings.push(m));
    const newer = { ...BUNDLE, built_at: '2026-07-05T11:57:03Z' } as JsonObject;
    const older = { ...BUNDLE, built_at: '2026-07-01T00:00:00Z' } as JsonObject;
    assert.equal(await cache.store(newer, JSON.stringify(newer), BODY, [`short:NMB7QKC2`], 1, () => true), 'stored');
    assert.equal(await cache.store(older, JSON.stringify(older), BODY, [`short:NMB7QKC2`], 1, () => true), 'kept-newer');
    assert.match(warnings[0] ?? '', /rollback/);
    assert.equal(JSON.parse(readFileSync(cache.bundleFile(BODY), 'utf8')).built_at, '2026-07-05T11:57:03Z');
    // A held bundle that no longer verifies cannot block an update.
    assert.equal(await cache.store(older, JSON.stringify(older), BODY, [], 1, () => false), 'stored');
    // The unversioned alias keeps pointing at the newest version seen.
    const OTHER = 'A'.repeat(26);
    await cache.store(newer, '{}', OTHER, ['arxiv:2109.10465'], 3, () => true);
    await cache.store(newer, '{}', BODY, ['arxiv:2109.10465'], 1, () => true);
    assert.equal(await cache.bodyFor('arxiv:2109.10465'), OTHER);
  });
});

// ---------------------------------------------------------------- rollback and versions (test-signed bundles)
describe('rollback and versions (test-signed bundles)', () => {
  /** The seed bundle re-signed by the test key (test/support/test-bundles.ts), under this file's key id. */
  const testBundle = (opts: { version?: number; builtAt: string; arxivId?: string }) =>
    sharedTestBundle({ ...opts, keyId: 'pith-test-resolve' });

  test('rollback: a resolver serving an older state than the cache holds is warned about, and the newer one is used and kept', async () => {
    const newer = testBundle({ builtAt: '2026-08-01T00:00:00Z' });
    const older = testBundle({ builtAt: '2026-07-01T00:00:00Z' });
    assert.equal(newer.body, BODY);
    const keyFile = path.join(tmp(), 'key.json');
    writeFileSync(keyFile, JSON.stringify(newer.keyEntry));
    const p = `/pith/${BODY}/bundle.json`;
    const s = await server({ [p]: (req, res, hit) => json(hit === 1 ? newer.text : older.text)(req, res, hit) });
    const cache = tmp();
    const env = resolverEnv(cache);
    const first = await cli(['resolve', NUMBER, '--json', '--trust-key', keyFile, '--resolver', s.base], env);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).cache.stored, 'stored');
    const second = await cli(['resolve', NUMBER, '--refresh', '--json', '--trust-key', keyFile, '--resolver', s.base], env);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(s.count(p), 2);
    assert.match(
      second.stderr,
      /warning: not caching the bundle for NMB7QKC2NJYNHLPG6XMF2N35IK: it was built at 2026-07-01T00:00:00Z, before the one already cached \(2026-08-01T00:00:00Z\); .* rollback/,
    );
    const out = JSON.parse(second.stdout);
    assert.equal(out.cache.stored, 'kept-newer');
    assert.equal(out.source.kind, 'cache');
    const held = readFileSync(path.join(cache, 'pith-tex', 'bundles', `${BODY}.json`), 'utf8');
    assert.equal(held, newer.text);
    // Without the test key the same bundles are refused outright and nothing is cached.
    const strict = tmp();
    const refused = await cli(['resolve', NUMBER, '--resolver', s.base], resolverEnv(strict));
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /fails verification/);
    assert.deepEqual(cacheFiles(strict), []);
  });

  test('without a version, the newest version the resolver knows is used, and the cache keeps the id pointing at it', async () => {
    const v2 = testBundle({ version: 2, builtAt: '2026-08-01T00:00:00Z' });
    assert.notEqual(v2.body, BODY);
    const keyFile = path.join(tmp(), 'key.json');
    writeFileSync(keyFile, JSON.stringify(v2.keyEntry));
    const s = await server({
      '/pith/2109.10465/bundle.json': json(v2.text), // the resolver's answer for the bare id: its newest version
      '/pith/2109.10465v1/bundle.json': json(BUNDLE_TEXT),
      '/pith/2109.10465v2/bundle.json': json(v2.text),
    });
    const cache = tmp();
    const env = resolverEnv(cache);
    const bare = await cli(['resolve', '2109.10465', '--trust-key', keyFile, '--resolver', s.base], env);
    assert.equal(bare.status, 0, bare.stderr);
    assert.match(bare.stdout, new RegExp(`^${v2.number}  verified`));
    assert.match(bare.stdout, /arXiv +2109\.10465v2 \(the newest version the resolver knows\)/);
    // Asking for v1 afterwards caches v1 too, but the bare id still names v2 offline.
    const v1 = await cli(['resolve', '2109.10465v1', '--trust-key', keyFile, '--resolver', s.base], env);
    assert.equal(v1.status, 0, v1.stderr);
    assert.match(v1.stdout, new RegExp(`^${NUMBER}  verified`));
    const off = await cli(['resolve', '2109.10465', '--offline', '--json', '--trust-key', keyFile], env);
    assert.equal(off.status, 0, off.stderr);
    const out = JSON.parse(off.stdout);
    assert.equal(out.pith_number, v2.number);
    assert.deepEqual(out.arxiv, { id: '2109.10465', version: 2 });
    assert.match(out.version_note, /newest version in the local cache/);
    const offV1 = await cli(['resolve', '2109.10465v1', '--offline', '--json'], env);
    assert.equal(JSON.parse(offV1.stdout).pith_number, NUMBER);
  });

  test('PITH_RESOLVER names the resolver when --resolver is not given', async () => {
    const s = await server(bothLayouts());
    const r = await cli(['resolve', 'NMB7QKC2', '--json'], resolverEnv(tmp(), { PITH_RESOLVER: `${s.base}/` }));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).source.location, `${s.base}/pith/NMB7QKC2/bundle.json`);
  });

  test("the status line has the registry page's words, in its order", async () => {
    const page = readFileSync(fixture('pages', '2109.10465v1.page.txt'), 'utf8');
    const pageStatus = /^(not attested not anchored not stored)/m.exec(page)?.[1];
    assert.ok(pageStatus);
    const r = await cli(['resolve', NUMBER, '--bundle', fixture('2109.10465v1.bundle.json'), '--offline'], resolverEnv(tmp()));
    assert.equal(r.status, 0, r.stderr);
    const line = /status +(.*)/.exec(r.stdout)?.[1];
    assert.equal(line?.replace(/ · /g, ' '), pageStatus);
  });

  test('resolveQuery (direct): stores, then an offline --refresh is an offline miss with no request', async () => {
    const cacheDir = path.join(tmp(), 'pith-tex');
    const s = await server(bothLayouts());
    const warnings: string[] = [];
    const res = await resolveQuery(parseQuery(NUMBER), {
      trusted: PINNED_KEYS,
      resolver: s.base,
      cacheDir,
      env: {},
      warn: (m) => warnings.push(m),
    });
    assert.equal(res.number.full, NUMBER);
    assert.equal(res.cache.stored, 'stored');
    const before = s.count();
    await assert.rejects(
      resolveQuery(parseQuery(NUMBER), { trusted: PINNED_KEYS, resolver: s.base, cacheDir, env: {}, offline: true, refresh: true }),
      (e: unknown) => e instanceof PithError && e.exitCode === 3,
    );
    assert.equal(s.count(), before);
    assert.deepEqual(warnings, []);
  });

  test('an old-style arXiv id (hep-th/9901001v1) resolves end to end: "/" percent-encoded in the URL, cached, then offline by id and DOI', async () => {
    const old = testBundle({ arxivId: 'hep-th/9901001', builtAt: '2026-08-01T00:00:00Z' });
    const keyFile = path.join(tmp(), 'key.json');
    writeFileSync(keyFile, JSON.stringify(old.keyEntry));
    const s = await server({ '/pith/hep-th%2F9901001v1/bundle.json': json(old.text) });
    const cache = tmp();
    const env = resolverEnv(cache);
    const first = await cli(['resolve', 'hep-th/9901001v1', '--json', '--trust-key', keyFile, '--resolver', s.base], env);
    assert.equal(first.status, 0, first.stderr);
    const out = JSON.parse(first.stdout);
    assert.equal(out.pith_number, old.number);
    assert.deepEqual(out.arxiv, { id: 'hep-th/9901001', version: 1 });
    assert.equal(out.source.location, `${s.base}/pith/hep-th%2F9901001v1/bundle.json`);
    // The id's "/" never becomes a folder: its alias file is percent-encoded, one level deep.
    const files = cacheFiles(cache);
    assert.ok(files.includes(path.join('aliases', 'arxiv%3Ahep-th%2F9901001.json')), files.join(', '));
    for (const f of files) assert.equal(f.split(path.sep).length, 2, f);
    const forms = ['hep-th/9901001v1', 'hep-th/9901001', 'https://arxiv.org/abs/hep-th/9901001v1', '10.48550/arXiv.hep-th/9901001'];
    for (const query of forms) {
      const off = await cli(['resolve', query, '--offline', '--json', '--trust-key', keyFile], env);
      assert.equal(off.status, 0, `${query}: ${off.stderr}`);
      assert.equal(JSON.parse(off.stdout).pith_number, old.number, query);
      assert.equal(JSON.parse(off.stdout).source.kind, 'cache', query);
    }
    // The new-style seed is not confused with it.
    const other = await cli(['resolve', '2109.10465v1', '--offline', '--json', '--trust-key', keyFile], env);
    assert.equal(other.status, 3);
  });

  test("a bare id's cached answer lives PITH_TEX_ID_TTL_SECONDS: then the resolver is asked (v2 found); unreachable, the cached one is used with a warning", async () => {
    const v2 = testBundle({ version: 2, builtAt: '2026-08-01T00:00:00Z' });
    const keyFile = path.join(tmp(), 'key.json');
    writeFileSync(keyFile, JSON.stringify(v2.keyEntry));
    let newest = BUNDLE_TEXT; // the registry knows v1 only, at first
    const s = await server({ '/pith/2109.10465/bundle.json': (req, res, hit) => json(newest)(req, res, hit) });
    const cache = tmp();
    const args = ['resolve', '2109.10465', '--json', '--trust-key', keyFile, '--resolver', s.base];
    const first = await cli(args, resolverEnv(cache));
    assert.equal(JSON.parse(first.stdout).pith_number, NUMBER, first.stderr);
    newest = v2.text; // the author posts v2
    // Within the time to live: the cache answers, the resolver is not asked.
    const fresh = await cli(args, resolverEnv(cache));
    assert.equal(JSON.parse(fresh.stdout).source.kind, 'cache');
    assert.equal(JSON.parse(fresh.stdout).pith_number, NUMBER);
    assert.equal(s.count('/pith/2109.10465/bundle.json'), 1);
    // Past it: the resolver is asked, and the bare id now points at v2 (offline too).
    const stale = await cli(args, resolverEnv(cache, { PITH_TEX_ID_TTL_SECONDS: '0' }));
    assert.equal(stale.status, 0, stale.stderr);
    assert.equal(JSON.parse(stale.stdout).pith_number, v2.number);
    assert.equal(JSON.parse(stale.stdout).source.kind, 'resolver');
    const off = await cli(
      ['resolve', '2109.10465', '--offline', '--json', '--trust-key', keyFile],
      resolverEnv(cache, { PITH_TEX_ID_TTL_SECONDS: '0' }),
    );
    assert.equal(JSON.parse(off.stdout).pith_number, v2.number, off.stderr);
    // Past it with the resolver down: the verified cached answer, and a warning that says so.
    const down = await cli(
      ['resolve', '2109.10465', '--json', '--trust-key', keyFile, '--resolver', 'http://127.0.0.1:9'],
      resolverEnv(cache, { PITH_TEX_ID_TTL_SECONDS: '0' }),
    );
    assert.equal(down.status, 0, down.stderr);
    assert.equal(JSON.parse(down.stdout).pith_number, v2.number);
    assert.equal(JSON.parse(down.stdout).source.kind, 'cache');
    assert.match(
      down.stderr,
      /could not ask the resolver whether arXiv 2109\.10465 has a version newer than v2 .*using the cached one, last checked/,
    );
    // A versioned id never expires: no request even with a zero time to live.
    const before = s.requests.length;
    const pinned = await cli(
      ['resolve', '2109.10465v1', '--json', '--resolver', s.base],
      resolverEnv(cache, { PITH_TEX_ID_TTL_SECONDS: '0' }),
    );
    assert.equal(JSON.parse(pinned.stdout).source.kind, 'cache', pinned.stderr);
    assert.equal(s.requests.length, before);
  });
});
