// bench/verify: signature checks per second, milliseconds per bundle, and the CLI end to end.
// Run: npm run build && node dist/bench/verify.js
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hexToBytes } from '../src/core/encoding.js';
import { parseJson, type JsonObject } from '../src/core/json.js';
import { PINNED_KEYS, verifyEd25519 } from '../src/core/keys.js';
import { base64Decode } from '../src/core/encoding.js';
import { verifyBundle } from '../src/core/verify.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bundleFile = path.join(root, 'test/fixtures/2109.10465v1.bundle.json');
const text = readFileSync(bundleFile, 'utf-8');
const bundle = parseJson(text) as JsonObject;
const sig = bundle.bundle_signature as JsonObject;
const signature = base64Decode(sig.signature_b64 as string)!;
const message = hexToBytes(sig.bundle_sha256 as string);
const key = PINNED_KEYS[0]!.publicKey;

function rate(label: string, seconds: number, fn: () => void): number {
  for (let i = 0; i < 20; i++) fn(); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < end) {
    fn();
    n++;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const perSecond = n / elapsed;
  console.log(`${label.padEnd(44)} ${perSecond.toFixed(0).padStart(8)} /s   ${(1000 / perSecond).toFixed(3).padStart(8)} ms each`);
  return perSecond;
}

console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
rate('Ed25519 signature checks (noble, strict)', 2, () => {
  if (!verifyEd25519(signature, message, key)) throw new Error('bench: signature failed');
});
rate('parse + full verification of the seed bundle', 2, () => {
  if (!verifyBundle(parseJson(text) as JsonObject, PINNED_KEYS).ok) throw new Error('bench: bundle failed');
});

const runs = 10;
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(root, 'bin/pith-tex.js'), 'verify', bundleFile], { encoding: 'utf-8' });
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (r.status !== 0) throw new Error(`bench: pith-tex verify exited ${r.status}`);
}
const nodeTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  nodeTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${'`pith-tex verify` on the seed bundle (median of 10)'.padEnd(44)} ${median(times).toFixed(1).padStart(8)} ms   (node -e 0: ${median(nodeTimes).toFixed(1)} ms)`);
