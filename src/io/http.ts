// A careful HTTP GET on node:http/https (no fetch: Node 20's fetch cannot use a proxy without
// undici's ProxyAgent, which is not a dependency here).
//
// - HTTPS only, except loopback (127.0.0.0/8, ::1, localhost), which may be plain HTTP.
//   Every redirect hop is checked against the same rule.
// - connect timeout (TCP + TLS, or proxy CONNECT + TLS) and a total timeout per attempt;
// - a response size cap (default 8 MiB), checked against Content-Length and while reading;
// - at most 5 redirects; a loop is reported as such;
// - 429 and 5xx retried with exponential backoff, honouring Retry-After (seconds or an HTTP
//   date), capped; a dropped connection (ECONNRESET) is retried too; timeouts are not;
// - HTTPS_PROXY / https_proxy (an http:// proxy, with user:password if given) through a
//   CONNECT tunnel; NO_PROXY / no_proxy (comma-separated host names, ".suffix", "*",
//   optional ":port", address blocks such as 10.0.0.0/8); loopback targets never use the proxy. HTTP_PROXY is not used: the only
//   plain-HTTP targets allowed are loopback ones.
import dns from 'node:dns';
import http from 'node:http';
import net from 'node:net';
import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { toolVersion } from './package-files.js';

export type FetchErrorKind = 'not_found' | 'unreachable' | 'timeout' | 'http_status' | 'too_large' | 'redirects' | 'insecure' | 'bad_url';

export class FetchError extends Error {
  constructor(
    readonly kind: FetchErrorKind,
    readonly url: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

export interface HttpOptions {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Retries after the first attempt, for 429, 5xx and dropped connections. */
  retries: number;
  /** First backoff delay; doubled each retry. */
  backoffMs: number;
  /** Longest wait honoured from Retry-After (and longest backoff). */
  retryAfterCapMs: number;
  /** Where HTTPS_PROXY / NO_PROXY are read. */
  env: NodeJS.ProcessEnv;
  headers: Record<string, string>;
  onProgress?: (p: { url: string; received: number; total: number | null }) => void;
  /** Called before each retry, e.g. to print a note. */
  onRetry?: (p: { url: string; attempt: number; waitMs: number; reason: string }) => void;
}

export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

const envInt = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
};

/**
 * Defaults, overridable by environment (used by tests and for slow links):
 * PITH_HTTP_CONNECT_TIMEOUT_MS, PITH_HTTP_TIMEOUT_MS, PITH_HTTP_MAX_BYTES, PITH_HTTP_RETRIES,
 * PITH_HTTP_BACKOFF_MS, PITH_HTTP_RETRY_AFTER_CAP_MS.
 */
export function httpOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<HttpOptions> = {}): HttpOptions {
  return {
    connectTimeoutMs: envInt(env, 'PITH_HTTP_CONNECT_TIMEOUT_MS', 10_000),
    totalTimeoutMs: envInt(env, 'PITH_HTTP_TIMEOUT_MS', 30_000),
    maxBytes: envInt(env, 'PITH_HTTP_MAX_BYTES', DEFAULT_MAX_BYTES),
    maxRedirects: 5,
    retries: envInt(env, 'PITH_HTTP_RETRIES', 3),
    backoffMs: envInt(env, 'PITH_HTTP_BACKOFF_MS', 500),
    retryAfterCapMs: envInt(env, 'PITH_HTTP_RETRY_AFTER_CAP_MS', 10_000),
    env,
    headers: { 'user-agent': `pith-tex/${toolVersion()}`, accept: 'application/json' },
    ...overrides,
  };
}

/**
 * Whether a host may be spoken to in plain http. An address must be a loopback one; a name must
 * be `localhost` or end in `.localhost`, and then its addresses are checked when it is looked
 * up (loopbackOnlyLookup): such a name counts as loopback only when it resolves to loopback.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isLoopbackAddress(h);
}

/** 127.0.0.0/8 and ::1 (also as IPv4-mapped). */
export function isLoopbackAddress(address: string): boolean {
  const h = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (/^::ffff:127\.\d+\.\d+\.\d+$/.test(h)) return true;
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
  return m !== null && m[1] === '127' && m.slice(2).every((p) => Number(p) <= 255);
}

type LookupAll = (
  host: string,
  options: dns.LookupAllOptions,
  cb: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for plain-http connections to a loopback *name*: every address the name resolves
 * to must be a loopback one, or the connection is refused (code EPITHNOTLOOPBACK), so
 * `evil.localhost` pointing at another machine is not spoken to in clear text.
 */
export function loopbackOnlyLookup(resolve: LookupAll = dns.lookup as unknown as LookupAll) {
  return (
    host: string,
    options: dns.LookupOptions,
    cb: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
  ): void => {
    resolve(host, { ...options, all: true }, (err, addresses) => {
      if (err) return cb(err, '', 0);
      const outside = addresses.filter((a) => !isLoopbackAddress(a.address));
      if (addresses.length === 0 || outside.length > 0) {
        const shown = outside.map((a) => a.address).join(', ') || 'no address';
        return cb(
          Object.assign(new Error(`${host} resolves to ${shown}, not loopback: plain http is allowed only to loopback`), {
            code: 'EPITHNOTLOOPBACK',
          }),
          '',
          0,
        );
      }
      if (options.all) return cb(null, addresses);
      const first = addresses[0] as dns.LookupAddress;
      cb(null, first.address, first.family);
    });
  };
}

/** Throws FetchError('insecure') unless the URL is https, or http to a loopback host. */
export function assertAllowedUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchError('bad_url', raw, `${raw} is not a valid URL`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  if (url.protocol === 'http:') {
    throw new FetchError(
      'insecure',
      raw,
      `refused ${raw}: plain http is allowed only to loopback (127.0.0.0/8, ::1, localhost); use https`,
    );
  }
  throw new FetchError('insecure', raw, `refused ${raw}: only https (and http to loopback) URLs are fetched`);
}

/** The proxy to use for a URL, or null (direct). Throws FetchError('bad_url') for an unusable proxy setting. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): URL | null {
  if (url.protocol !== 'https:' || isLoopbackHost(url.hostname)) return null;
  const raw = env.https_proxy ?? env.HTTPS_PROXY;
  if (!raw) return null;
  if (bypassProxy(url, env.no_proxy ?? env.NO_PROXY ?? '')) return null;
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new FetchError('bad_url', raw, `HTTPS_PROXY=${raw} is not a URL`);
  }
  if (proxy.protocol !== 'http:') {
    throw new FetchError('bad_url', raw, `HTTPS_PROXY=${raw}: only http:// proxies (CONNECT tunnels) are supported`);
  }
  return proxy;
}

export function bypassProxy(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const hostIp = net.isIP(host);
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    // An address block (10.0.0.0/8, fd00::/8), as curl and Go read NO_PROXY: an IP host inside it.
    const cidr = /^\[?([0-9a-f:.]+)\]?\/(\d{1,3})$/.exec(entry);
    if (cidr) {
      const family = net.isIP(cidr[1] as string);
      const bits = Number(cidr[2]);
      if (hostIp !== 0 && family === hostIp && bits <= (family === 4 ? 32 : 128)) {
        const block = new net.BlockList();
        block.addSubnet(cidr[1] as string, bits, family === 4 ? 'ipv4' : 'ipv6');
        if (block.check(host, family === 4 ? 'ipv4' : 'ipv6')) return true;
      }
      continue;
    }
    let entryPort: string | null = null;
    const pm = /^(.*?):(\d+)$/.exec(entry);
    if (pm && !entry.includes('::')) {
      entry = pm[1] as string;
      entryPort = pm[2] as string;
    }
    entry = entry.replace(/^\[|\]$/g, '').replace(/^\*?\./, '.');
    if (entryPort !== null && entryPort !== port) continue;
    const bare = entry.replace(/^\./, '');
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}

export interface HttpResponse {
  url: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  attempts: number;
  redirects: string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Retry-After as milliseconds (delta seconds or HTTP date), or null. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** GET a URL with the rules above. Resolves only for a 2xx; everything else is a FetchError. */
export async function httpGet(startUrl: string, opts: HttpOptions): Promise<HttpResponse> {
  let url = assertAllowedUrl(startUrl);
  const redirects: string[] = [];
  let attempts = 0;
  let retriesLeft = opts.retries;
  let backoff = opts.backoffMs;
  for (;;) {
    attempts++;
    let res: RawResponse;
    try {
      res = await attempt(url, opts);
    } catch (err) {
      if (
        err instanceof FetchError &&
        err.kind === 'unreachable' &&
        /ECONNRESET|EPIPE|socket hang up/.test(err.message) &&
        retriesLeft > 0
      ) {
        retriesLeft--;
        const wait = Math.min(backoff, opts.retryAfterCapMs);
        opts.onRetry?.({ url: url.href, attempt: attempts, waitMs: wait, reason: err.message });
        await sleep(wait);
        backoff *= 2;
        continue;
      }
      throw err;
    }
    const { status } = res;
    if (status >= 200 && status < 300) {
      return { url: url.href, status, headers: res.headers, body: res.body as Buffer, attempts, redirects };
    }
    if ([301, 302, 303, 307, 308].includes(status)) {
      const location = res.headers.location;
      if (!location) throw new FetchError('http_status', url.href, `${url.href} answered ${status} without a Location`, status);
      const next = new URL(location, url).href;
      if (redirects.length >= opts.maxRedirects) {
        const loop = redirects.includes(next) ? ' (a redirect loop)' : '';
        throw new FetchError(
          'redirects',
          startUrl,
          `${startUrl}: more than ${opts.maxRedirects} redirects${loop}; last ${url.href} → ${next}`,
        );
      }
      redirects.push(url.href);
      const from = url;
      url = assertAllowedUrl(next);
      if (from.protocol === 'https:' && url.protocol !== 'https:') {
        throw new FetchError(
          'insecure',
          from.href,
          `refused the redirect from ${from.href} to ${url.href}: an https resolver may not send pith-tex to plain http`,
        );
      }
      continue;
    }
    if (status === 404 || status === 410) throw new FetchError('not_found', url.href, `${url.href}: ${status} not found`, status);
    if (status === 429 || status >= 500) {
      if (retriesLeft > 0) {
        retriesLeft--;
        const asked = retryAfterMs(headerValue(res.headers['retry-after']));
        const wait = Math.min(asked ?? backoff, opts.retryAfterCapMs);
        opts.onRetry?.({ url: url.href, attempt: attempts, waitMs: wait, reason: `HTTP ${status}` });
        await sleep(wait);
        backoff *= 2;
        continue;
      }
      throw new FetchError(
        'unreachable',
        url.href,
        `${url.href}: HTTP ${status} after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
        status,
      );
    }
    throw new FetchError('http_status', url.href, `${url.href}: HTTP ${status}`, status);
  }
}

const headerValue = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer | null;
}

/** One request's state: how it ends (once), and what its end must undo. */
interface Attempt {
  url: URL;
  opts: HttpOptions;
  settled: () => boolean;
  done: (err: Error | null, value?: RawResponse) => void;
  fail: (kind: FetchErrorKind, message: string) => void;
  /** The connection is up: the connect timeout no longer applies. */
  connected: () => void;
  onEnd: (cleanup: () => void) => void;
}

/** One GET, without redirects or retries (httpGet's loop has them): timeouts, proxy, size cap. */
function attempt(url: URL, opts: HttpOptions): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    const cleanups: (() => void)[] = [];
    const done = (err: Error | null, value?: RawResponse) => {
      if (settled) return;
      settled = true;
      for (const c of cleanups) c();
      if (err) reject(err);
      else resolve(value as RawResponse);
    };
    const fail = (kind: FetchErrorKind, message: string) => done(new FetchError(kind, url.href, message));
    const total = setTimeout(
      () => fail('timeout', `${url.href}: no complete answer within ${opts.totalTimeoutMs} ms`),
      opts.totalTimeoutMs,
    );
    const connectTimer = setTimeout(
      () => fail('timeout', `${url.href}: could not connect within ${opts.connectTimeoutMs} ms`),
      opts.connectTimeoutMs,
    );
    cleanups.push(
      () => clearTimeout(total),
      () => clearTimeout(connectTimer),
    );
    const a: Attempt = {
      url,
      opts,
      settled: () => settled,
      done,
      fail,
      connected: () => clearTimeout(connectTimer),
      onEnd: (cleanup) => cleanups.push(cleanup),
    };
    let proxy: URL | null;
    try {
      proxy = proxyFor(url, opts.env);
    } catch (err) {
      return done(err as Error);
    }
    if (proxy) openTunnel(a, proxy);
    else sendRequest(a);
  });
}

const bareHost = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

/** The GET itself, on a new connection or on `createConnection` (a proxy's tunnel). */
function sendRequest(a: Attempt, createConnection?: () => Duplex): void {
  if (a.settled()) return;
  const { url, opts } = a;
  const mod = url.protocol === 'https:' ? https : http;
  const req = mod.request(
    {
      protocol: url.protocol,
      hostname: bareHost(url),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: { ...opts.headers, host: url.host },
      agent: createConnection ? undefined : false,
      // Plain http goes to loopback only; a name is checked when it is looked up.
      ...(url.protocol === 'http:' && net.isIP(bareHost(url)) === 0 ? { lookup: loopbackOnlyLookup() as never } : {}),
      ...(createConnection ? { createConnection: createConnection as never } : {}),
    },
    (res) => readResponse(a, res),
  );
  a.onEnd(() => req.destroy());
  req.on('socket', (socket) => {
    if (createConnection) return; // the tunnel is already connected
    socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', a.connected);
  });
  req.on('error', (err) =>
    (err as NodeJS.ErrnoException).code === 'EPITHNOTLOOPBACK'
      ? a.fail('insecure', `refused ${url.href}: ${err.message}`)
      : a.fail('unreachable', `${url.href}: ${errText(err)}`),
  );
  req.end();
}

/** A 2xx answer's body, read up to the size cap; any other status without its body. */
function readResponse(a: Attempt, res: http.IncomingMessage): void {
  const { url, opts } = a;
  a.connected();
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    res.resume();
    return a.done(null, { status, headers: res.headers, body: null });
  }
  const lengthHeader = Number(res.headers['content-length']);
  const totalLen = Number.isFinite(lengthHeader) ? lengthHeader : null;
  if (totalLen !== null && totalLen > opts.maxBytes) {
    a.fail('too_large', `${url.href}: the answer is ${totalLen} bytes, over the ${opts.maxBytes}-byte limit`);
    return void res.destroy();
  }
  const chunks: Buffer[] = [];
  let received = 0;
  res.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > opts.maxBytes) {
      a.fail('too_large', `${url.href}: the answer is over the ${opts.maxBytes}-byte limit`);
      return void res.destroy();
    }
    chunks.push(chunk);
    opts.onProgress?.({ url: url.href, received, total: totalLen });
  });
  res.on('end', () => a.done(null, { status, headers: res.headers, body: Buffer.concat(chunks) }));
  res.on('error', (err) => a.fail('unreachable', `${url.href}: connection lost while reading (${errText(err)})`));
  res.on('aborted', () => a.fail('unreachable', `${url.href}: connection lost while reading`));
}

/** A CONNECT tunnel through an http:// proxy, then TLS to the target inside it, then the GET. */
function openTunnel(a: Attempt, proxy: URL): void {
  const { url, opts } = a;
  const target = `${bareHost(url)}:${url.port || 443}`;
  const headers: Record<string, string> = { host: target, 'user-agent': opts.headers['user-agent'] ?? 'pith-tex' };
  if (proxy.username) {
    const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(cred).toString('base64')}`;
  }
  const proxyLabel = `${proxy.protocol}//${proxy.host}`;
  const creq = http.request({ hostname: bareHost(proxy), port: proxy.port || 80, method: 'CONNECT', path: target, headers, agent: false });
  a.onEnd(() => creq.destroy());
  creq.on('connect', (res, socket) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      return a.fail('unreachable', `proxy ${proxyLabel} refused the tunnel to ${target}: HTTP ${res.statusCode ?? '?'}`);
    }
    const secure = tls.connect({ socket, servername: bareHost(url) });
    a.onEnd(() => secure.destroy());
    secure.once('secureConnect', () => {
      a.connected();
      sendRequest(a, () => secure);
    });
    secure.on('error', (err) => a.fail('unreachable', `${url.href} through proxy ${proxyLabel}: ${errText(err)}`));
  });
  creq.on('error', (err) => a.fail('unreachable', `proxy ${proxyLabel}: ${errText(err)}`));
  creq.end();
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOTFOUND') return `host not found (${e.message.replace(/^getaddrinfo ENOTFOUND /, '')})`;
  if (e?.code === 'ECONNREFUSED') return 'connection refused';
  return e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? err);
}
