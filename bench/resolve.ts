// bench/resolve: what `pith-tex resolve` costs, end to end (child processes, as a user runs it).
// A loopback HTTP server serves the vector bundle; medians over RUNS runs (default 15) of:
//   node -e 0                               node's own startup, for scale
//   resolve --bundle FILE --offline         verify a local bundle, no cache, no network
//   resolve (resolver, --refresh)           fetch + full check + atomic cache write
//   resolve --offline (cache hit)           read the cache + full check again
//   resolve --offline (lock hit)            pith.lock.json beside the paper (record + receipt)
// and, in process, the full bundle check alone (verifyBundle) over many iterations.
//   node dist/bench/resolve.js [RUNS]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseJson, isJsonObject } from '../src/core/json.js';
import { PINNED_KEYS } from '../src/core/keys.js';
import { lockFromBundle, serializeLock } from '../src/core/lock.js';
import { verifyBundle } from '../src/core/verify.js';
import { BODY as body, bundleFile, cli, median } from './lib.js';

const runs = Number(process.argv[2] ?? 15);
const text = readFileSync(bundleFile, 'utf8');
const bundle = parseJson(text);
if (!isJsonObject(bundle)) throw new Error('bad bundle');
const number = `pith:2021:${body}`;

const server = http.createServer((req, res) => {
  if (req.url === `/pith/${body}/bundle.json`) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'pith-bench-resolve-'));
const paperDir = mkdtempSync(path.join(os.tmpdir(), 'pith-bench-paper-'));
// Every case but the lock hit runs in an empty folder: no stray pith.lock.json can answer it.
const emptyDir = mkdtempSync(path.join(os.tmpdir(), 'pith-bench-empty-'));
writeFileSync(path.join(paperDir, 'pith.lock.json'), serializeLock(lockFromBundle(bundle)));
const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cacheHome };
for (const k of ['HTTPS_PROXY', 'https_proxy', 'PITH_RESOLVER']) delete env[k];

// Asynchronous: the server above answers from this process's event loop.
function time(args: string[], cwd = emptyDir): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${args.slice(1).join(' ')} exited ${code}: ${stderr}`));
      else resolve(ms);
    });
  });
}

const cases: [string, string[], string?][] = [
  ['node -e 0', ['-e', '0']],
  ['resolve --bundle FILE --offline', [cli, 'resolve', number, '--bundle', bundleFile, '--offline']],
  ['resolve (resolver, --refresh)', [cli, 'resolve', number, '--refresh', '--resolver', base]],
  ['resolve --offline (cache hit)', [cli, 'resolve', 'NMB7QKC2', '--offline']],
  ['resolve --offline (lock hit)', [cli, 'resolve', '2109.10465', '--offline'], paperDir],
];
const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (const [, args, cwd] of cases) await time(args, cwd); // warm up (and fill the cache)
for (let i = 0; i < runs; i++) {
  for (const [name, args, cwd] of cases) times.get(name)!.push(await time(args, cwd));
}

const iterations = 200;
verifyBundle(bundle, PINNED_KEYS); // warm-up: noble's first call builds its tables
const t0 = process.hrtime.bigint();
for (let i = 0; i < iterations; i++) {
  if (!verifyBundle(bundle, PINNED_KEYS).ok) throw new Error('vector bundle did not verify');
}
const perCheck = Number(process.hrtime.bigint() - t0) / 1e6 / iterations;

server.close();
rmSync(cacheHome, { recursive: true, force: true });
rmSync(paperDir, { recursive: true, force: true });
rmSync(emptyDir, { recursive: true, force: true });

for (const [name] of cases) console.log(`${name.padEnd(34)} median ${median(times.get(name)!).toFixed(1).padStart(6)} ms (${runs} runs)`);
console.log(`${'verifyBundle (in process)'.padEnd(34)} mean   ${perCheck.toFixed(2).padStart(6)} ms (${iterations} runs)`);
console.log(`bundle ${Buffer.byteLength(text)} bytes; node ${process.version}, ${os.cpus().length} CPU(s)`);
