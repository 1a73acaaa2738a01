// A real HTTP server on 127.0.0.1 (port 0) for resolver tests: routes by exact path, counts
// and timestamps every request, 404 for anything else.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, hit: number) => void;

export interface TestServer {
  base: string;
  port: number;
  requests: { path: string; at: number }[];
  /** Number of requests seen for one path. */
  count(path?: string): number;
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, Handler> = {}): Promise<TestServer> {
  const table = new Map(Object.entries(routes));
  const requests: { path: string; at: number }[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, at: Date.now() });
    const handler = table.get(path);
    const hit = requests.filter((r) => r.path === path).length;
    if (handler) handler(req, res, hit);
    else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    requests,
    count: (path) => (path === undefined ? requests.length : requests.filter((r) => r.path === path).length),
    route: (path, handler) => void table.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export const json =
  (text: string, status = 200): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

export const status =
  (code: number, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(code, { 'content-type': 'text/plain', ...headers });
    res.end(`status ${code}`);
  };

/** First `failures` requests get `code`, later ones the handler. */
export const failFirst =
  (failures: number, code: number, then: Handler, headers: Record<string, string> = {}): Handler =>
  (req, res, hit) => {
    if (hit <= failures) status(code, headers)(req, res, hit);
    else then(req, res, hit);
  };

/** Never answers (until the socket is closed). */
export const hang: Handler = () => {};

export const delayed =
  (ms: number, then: Handler): Handler =>
  (req, res, hit) => {
    setTimeout(() => then(req, res, hit), ms);
  };
