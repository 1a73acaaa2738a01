// bench/bulk: `pith-tex verify DIR` on COPIES copies of the seed bundle (default 1,000), the
// whole command, against the ideal of issue 16: cores × (single-core noble Ed25519 checks per
// second) ÷ 4 signatures per bundle, the noble rate measured here, in this process, just before.
// Target: at least 0.9 × the ideal.
//   node dist/bench/bulk.js [COPIES]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { base64Decode, hexToBytes } from '../src/core/encoding.js';
import { parseJson, type JsonObject } from '../src/core/json.js';
import { nobleVerifyEd25519, PINNED_KEYS } from '../src/core/keys.js';
import { bundleFile, cli, loadAverage, median, timeRun } from './lib.js';

const copies = Math.max(1, Number(process.argv[2] ?? 1000));
const cores = os.availableParallelism();
console.log(`node ${process.version}, ${cores} CPU(s), load average before: ${loadAverage()}`);

// Single-core noble rate: 2 s of strict checks of the seed bundle's signature, after warm-up.
const sig = (parseJson(readFileSync(bundleFile, 'utf8')) as JsonObject).bundle_signature as JsonObject;
const signature = base64Decode(sig.signature_b64 as string) as Uint8Array;
const message = hexToBytes(sig.bundle_sha256 as string);
const key = (PINNED_KEYS[0] as (typeof PINNED_KEYS)[number]).publicKey;
for (let i = 0; i < 50; i++) nobleVerifyEd25519(signature, message, key);
let n = 0;
const t0 = process.hrtime.bigint();
while (process.hrtime.bigint() - t0 < 2_000_000_000n) {
  if (!nobleVerifyEd25519(signature, message, key)) throw new Error('bench: signature failed');
  n++;
}
const nobleRate = n / (Number(process.hrtime.bigint() - t0) / 1e9);
const ideal = (cores * nobleRate) / 4;

const dir = mkdtempSync(path.join(os.tmpdir(), 'pith-bench-bulk-'));
for (let i = 0; i < copies; i++) copyFileSync(bundleFile, path.join(dir, `b${String(i).padStart(5, '0')}.json`));
timeRun(process.execPath, [cli, 'verify', dir]); // warm the file cache
const runs = 3;
const rates = Array.from({ length: runs }, () => copies / (timeRun(process.execPath, [cli, 'verify', dir]) / 1000));
rmSync(dir, { recursive: true, force: true });
const rate = median(rates);
console.log(`noble Ed25519, strict, one core: ${nobleRate.toFixed(0)} checks/s (2 s after warm-up)`);
console.log(
  `ideal: ${cores} cores × ${nobleRate.toFixed(0)} ÷ 4 signatures = ${ideal.toFixed(0)} bundles/s; target ≥ 0.9 × ideal = ${(0.9 * ideal).toFixed(0)} bundles/s`,
);
console.log(
  `pith-tex verify DIR, ${copies} copies of the seed bundle, whole command: ${rate.toFixed(0)} bundles/s (median of ${runs} runs: ${rates.map((r) => r.toFixed(0)).join(', ')}) = ${(rate / ideal).toFixed(2)} × ideal`,
);
console.log(`load average after: ${loadAverage()}`);
