// bench/verify: signature checks per second, milliseconds per bundle, and the CLI end to end.
// Run: npm run build && node dist/bench/verify.js
import { readFileSync } from 'node:fs';
import { hexToBytes } from '../src/core/encoding.js';
import { parseJson, type JsonObject } from '../src/core/json.js';
import { nobleVerifyEd25519, PINNED_KEYS, verifyEd25519 } from '../src/core/keys.js';
import { base64Decode } from '../src/core/encoding.js';
import { verifyBundle } from '../src/core/verify.js';
import { bundleFile, cli, median, timeRun } from './lib.js';

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
rate('Ed25519 checks, noble alone (strict)', 2, () => {
  if (!nobleVerifyEd25519(signature, message, key)) throw new Error('bench: signature failed');
});
rate('Ed25519 checks as verify makes them', 2, () => {
  if (!verifyEd25519(signature, message, key)) throw new Error('bench: signature failed');
});
rate('parse + full verification of the seed bundle', 2, () => {
  if (!verifyBundle(parseJson(text) as JsonObject, PINNED_KEYS).ok) throw new Error('bench: bundle failed');
});

// The CLI end to end, alternating with node's own startup (after one warm-up run of each).
const runs = 21;
const times: number[] = [];
const nodeTimes: number[] = [];
timeRun(process.execPath, ['-e', '0']);
timeRun(process.execPath, [cli, 'verify', bundleFile]);
for (let i = 0; i < runs; i++) {
  nodeTimes.push(timeRun(process.execPath, ['-e', '0']));
  times.push(timeRun(process.execPath, [cli, 'verify', bundleFile]));
}
console.log(
  `${`\`pith-tex verify\` on the seed bundle (median of ${runs})`.padEnd(44)} ${median(times).toFixed(1).padStart(8)} ms   (node -e 0: ${median(nodeTimes).toFixed(1)} ms)`,
);
