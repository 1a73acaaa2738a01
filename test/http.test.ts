// The careful HTTP client on its own (src/io/http.ts), against real sockets on 127.0.0.1,
// and the resolver's progress display on a real pseudo-terminal.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { cliPath, fixture } from './helpers.js';
import { runCli } from './support/cli.js';
import { resolverEnv } from './support/resolver.js';
import { startServer, json, status, failFirst, delayed, type Handler, type TestServer } from './support/http-server.js';
import { FetchError, httpGet, httpOptionsFromEnv, proxyFor, type HttpOptions } from '../src/io/http.js';
import { SEED } from './support/seed.js';

const BUNDLE_TEXT = readFileSync(fixture('2109.10465v1.bundle.json'), 'utf8');
const BODY = SEED.body;

const closers: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of closers) await c();
});
async function server(routes: Record<string, Handler> = {}): Promise<TestServer> {
  const s = await startServer(routes);
  closers.push(() => s.close());
  return s;
}
const opts = (over: Partial<HttpOptions> = {}): HttpOptions =>
  httpOptionsFromEnv({}, { connectTimeoutMs: 1000, totalTimeoutMs: 2000, backoffMs: 20, retries: 2, ...over });

async function failure(p: Promise<unknown>): Promise<FetchError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof FetchError, String(err));
    return err;
  }
  assert.fail('expected a FetchError');
}

/** A TCP listener that accepts and then says nothing (no TLS handshake, no HTTP answer). */
async function silentListener(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  );
  return (srv.address() as AddressInfo).port;
}

describe('httpGet: timeouts, retries, redirects, limits', () => {
  test('connect timeout: a TLS handshake that never completes fails at the connect limit, not the total one', async () => {
    const port = await silentListener();
    const started = Date.now();
    const err = await failure(httpGet(`https://127.0.0.1:${port}/x`, opts({ connectTimeoutMs: 300, totalTimeoutMs: 5000 })));
    const ms = Date.now() - started;
    assert.equal(err.kind, 'timeout');
    assert.match(err.message, /could not connect within 300 ms/);
    assert.ok(ms >= 280 && ms < 2000, `took ${ms} ms`);
  });

  test('total timeout: connected, but the answer never comes', async () => {
    const port = await silentListener();
    const err = await failure(httpGet(`http://127.0.0.1:${port}/x`, opts({ connectTimeoutMs: 2000, totalTimeoutMs: 300 })));
    assert.equal(err.kind, 'timeout');
    assert.match(err.message, /no complete answer within 300 ms/);
  });

  test('5xx: retried with doubling backoff, then answered', async () => {
    const s = await server({ '/x': failFirst(2, 503, json('{"ok":true}')) });
    const res = await httpGet(`${s.base}/x`, opts({ backoffMs: 150 }));
    assert.equal(res.attempts, 3);
    assert.equal(res.body.toString(), '{"ok":true}');
    const [a, b, c] = s.requests.map((r) => r.at) as [number, number, number];
    assert.ok(b - a >= 140, `first wait ${b - a} ms`);
    assert.ok(c - b >= 290, `second wait ${c - b} ms (doubled)`);
  });

  test('4xx other than 404/410/429 is not retried', async () => {
    const s = await server({ '/x': status(403) });
    const err = await failure(httpGet(`${s.base}/x`, opts()));
    assert.equal(err.kind, 'http_status');
    assert.equal(err.status, 403);
    assert.equal(s.count('/x'), 1);
  });

  test('a dropped connection is retried', async () => {
    const s = await server({
      '/x': (req, res, hit) => {
        if (hit === 1) req.socket.destroy();
        else json('{}')(req, res, hit);
      },
    });
    const res = await httpGet(`${s.base}/x`, opts());
    assert.equal(res.attempts, 2);
  });

  test('size cap: a Content-Length over the cap is refused before the body is read', async () => {
    let written = 0;
    const s = await server({
      '/x': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50_000_000) });
        const timer = setInterval(() => {
          if (res.destroyed) return clearInterval(timer);
          written += 64 * 1024;
          res.write(Buffer.alloc(64 * 1024, 0x20));
          if (written >= 50_000_000) clearInterval(timer);
        }, 5);
        res.on('close', () => clearInterval(timer));
      },
    });
    const err = await failure(httpGet(`${s.base}/x`, opts({ maxBytes: 100_000 })));
    assert.equal(err.kind, 'too_large');
    assert.match(err.message, /50000000 bytes, over the 100000-byte limit/);
    assert.ok(written < 5_000_000, `server wrote ${written} bytes before the client gave up`);
  });

  test('every redirect hop obeys the HTTPS rule: loopback http may not send us to plain http elsewhere', async () => {
    const s = await server({ '/x': status(302, { location: 'http://pith.example.com/pith/X/bundle.json' }) });
    const err = await failure(httpGet(`${s.base}/x`, opts()));
    assert.equal(err.kind, 'insecure');
    assert.match(err.message, /plain http is allowed only to loopback/);
  });

  test('a redirect without a Location is an error, not a loop', async () => {
    const s = await server({ '/x': status(302) });
    const err = await failure(httpGet(`${s.base}/x`, opts()));
    assert.equal(err.kind, 'http_status');
    assert.match(err.message, /302 without a Location/);
  });

  test('a proxy that refuses the CONNECT tunnel (407) is reported as such', async () => {
    const proxy = http.createServer((_q, res) => res.end());
    proxy.on('connect', (_req: http.IncomingMessage, socket: net.Socket) => {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic\r\n\r\n');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    closers.push(() => {
      proxy.closeAllConnections();
      proxy.close();
    });
    const port = (proxy.address() as AddressInfo).port;
    const err = await failure(httpGet('https://pith.test/x', opts({ env: { HTTPS_PROXY: `http://127.0.0.1:${port}` } })));
    assert.equal(err.kind, 'unreachable');
    assert.match(err.message, new RegExp(`proxy http://127\\.0\\.0\\.1:${port} refused the tunnel to pith\\.test:443: HTTP 407`));
  });

  test('proxy settings: lower-case names win, HTTP_PROXY is not used, loopback never proxied', () => {
    const u = new URL('https://pith.science/pith/X/bundle.json');
    assert.equal(proxyFor(u, { https_proxy: 'http://a.example:1', HTTPS_PROXY: 'http://b.example:2' })?.host, 'a.example:1');
    assert.equal(proxyFor(u, { HTTPS_PROXY: 'http://b.example:2', no_proxy: 'pith.science', NO_PROXY: 'other.example' }), null);
    assert.equal(proxyFor(u, { HTTP_PROXY: 'http://b.example:2', http_proxy: 'http://b.example:2' }), null);
    assert.equal(proxyFor(new URL('https://localhost:8443/x'), { HTTPS_PROXY: 'http://b.example:2' }), null);
    assert.throws(() => proxyFor(u, { HTTPS_PROXY: 'socks5://b.example:1080' }), /only http:\/\/ proxies/);
  });

  test('onProgress reports bytes received against Content-Length', async () => {
    const s = await server({ '/b': json(BUNDLE_TEXT) });
    const seen: { received: number; total: number | null }[] = [];
    const res = await httpGet(`${s.base}/b`, opts({ onProgress: (p) => seen.push({ received: p.received, total: p.total }) }));
    assert.equal(res.body.length, Buffer.byteLength(BUNDLE_TEXT));
    assert.ok(seen.length >= 1);
    assert.deepEqual(seen[seen.length - 1], { received: res.body.length, total: res.body.length });
  });
});

// ---------------------------------------------------------------- progress on a terminal
describe('progress on a terminal', () => {
  const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

  /** resolverEnv, with the default total timeout (the slow resolver below must not time out) and a shell for script(1). */
  const cleanEnv = (cacheHome: string) => resolverEnv(cacheHome, { PITH_HTTP_TIMEOUT_MS: '30000', SHELL: '/bin/sh' });

  /** `cmd ...args` with this process's environment and `env`: script(1), which gives the CLI a terminal. */
  function run(
    cmd: string,
    args: string[],
    env: Record<string, string | undefined>,
  ): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
  }

  test(
    "progress: shown on a terminal's stderr (retry notes, bytes, waiting), erased before the report; silent when piped",
    { skip: !hasScript && 'script(1) not available' },
    async () => {
      const p = `/pith/${BODY}/bundle.json`;
      const s = await server({ [p]: failFirst(1, 503, delayed(900, json(BUNDLE_TEXT)), { 'retry-after': '0' }) });
      const cache = mkdtempSync(path.join(os.tmpdir(), 'pith-http-'));
      const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} resolve pith:2021:${BODY} --resolver ${s.base}`;
      // script(1) runs the command on a pseudo-terminal: stdout and stderr are both that terminal.
      // (Asynchronously: the test server answers from this process's event loop.)
      const tty = await run('script', ['-qec', cmd, '/dev/null'], cleanEnv(cache));
      assert.equal(tty.status, 0, tty.stdout + tty.stderr);
      assert.match(tty.stdout, /pith-tex: HTTP 503 from .*; retrying in 0\.0 s \(attempt 2\)/);
      assert.match(
        tty.stdout,
        /pith-tex: fetching http:\/\/127\.0\.0\.1:\d+\/pith\/NMB7QKC2NJYNHLPG6XMF2N35IK\/bundle\.json 13\.9 KiB of 13\.9 KiB/,
      );
      // The progress line is erased before the report is printed.
      assert.match(tty.stdout, /KiB\r\u001b\[2Kpith:2021:NMB7QKC2NJYNHLPG6XMF2N35IK {2}verified/);
      // A resolver that is slow to answer at all: a waiting line after half a second.
      const slow = await server({ [p]: delayed(1200, json(BUNDLE_TEXT)) });
      const waiting = await run('script', ['-qec', `${cmd.replace(s.base, slow.base)} --refresh`, '/dev/null'], cleanEnv(cache));
      assert.equal(waiting.status, 0, waiting.stdout);
      assert.match(waiting.stdout, /^\r\u001b\[2Kpith-tex: waiting for the resolver…/);
      // The same run with stderr piped: not one byte of progress.
      const piped = await runCli(['resolve', `pith:2021:${BODY}`, '--refresh', '--resolver', s.base], { env: cleanEnv(cache) });
      assert.equal(piped.status, 0, piped.stderr);
      assert.equal(piped.stderr, '');
      assert.equal(s.count(p), 3);
    },
  );
});
