// What end-to-end resolver tests share: loopback HTTP servers (test/support/http-server.ts),
// closed when the test file ends, and the environment a command runs with against them.
import { after } from 'node:test';
import { startServer, type Handler, type TestServer } from './http-server.js';

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** A loopback server with `routes`, closed after the test file. */
export async function server(routes: Record<string, Handler> = {}): Promise<TestServer> {
  const s = await startServer(routes);
  servers.push(s);
  return s;
}

/** Variables of the outer environment that would send a test's requests elsewhere. */
const OUTER = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'PITH_RESOLVER', 'PITH_MIRRORS'];

/**
 * runCli's `env` for a command that goes online: the cache in `cacheHome`, no proxy, resolver or
 * mirrors from outside (removed), short HTTP timeouts and backoffs; `extra` last.
 */
export function resolverEnv(cacheHome: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ...Object.fromEntries(OUTER.map((k) => [k, undefined])),
    XDG_CACHE_HOME: cacheHome,
    PITH_HTTP_TIMEOUT_MS: '1500',
    PITH_HTTP_CONNECT_TIMEOUT_MS: '1000',
    PITH_HTTP_BACKOFF_MS: '50',
    PITH_HTTP_RETRY_AFTER_CAP_MS: '3000',
    PITH_HTTP_RETRIES: '2',
    ...extra,
  };
}
