// bench/check: how long `pith-tex check main.tex` takes against bare `node -e 0` startup.
// Copies the example paper with its lock and generated pith.sty to a temporary folder, then runs both commands
// alternately (RUNS times each, default 21) and prints the medians and their ratio.
// Target (issue 7): at most 1.5x node's own startup, so it can run before every build.
//   node dist/bench/check.js [RUNS]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseJson, isJsonObject } from '../src/core/json.js';
import { lockFromBundle, serializeLock } from '../src/core/lock.js';
import { BODY as body, bundleFile, cli, median, root, stampedSty, timeRun } from './lib.js';

const runs = Number(process.argv[2] ?? 21);
const dir = mkdtempSync(path.join(os.tmpdir(), 'pith-bench-check-'));
const bundle = parseJson(readFileSync(bundleFile, 'utf8'));
if (!isJsonObject(bundle)) throw new Error('bad bundle');
writeFileSync(path.join(dir, 'pith.lock.json'), serializeLock(lockFromBundle(bundle)));
// The generated copy exactly as pith-tex stamp writes it (the check verifies its checksum line).
writeFileSync(path.join(dir, 'pith.sty'), stampedSty(lockFromBundle(bundle).canonical_sha256));
// The example paper (stamped with the vector record), as an author's main.tex.
const paper = readFileSync(path.join(root, 'examples', 'moe-paper', 'main.tex'), 'utf8');
if (!paper.includes(`\\pithnumber{${body}}`)) throw new Error('bench: the example paper is not stamped with the vector record');
writeFileSync(path.join(dir, 'main.tex'), paper);

const time = (args: string[]): number => timeRun(process.execPath, args);

const bare: number[] = [];
const check: number[] = [];
const checkArgs = [cli, 'check', path.join(dir, 'main.tex')];
time(['-e', '0']);
time(checkArgs); // warm the file cache
for (let i = 0; i < runs; i++) {
  bare.push(time(['-e', '0']));
  check.push(time(checkArgs));
}
rmSync(dir, { recursive: true, force: true });
const b = median(bare);
const c = median(check);
const ratio = c / b;
console.log(`node -e 0                 median ${b.toFixed(1)} ms (${runs} runs)`);
console.log(`pith-tex check main.tex   median ${c.toFixed(1)} ms (${runs} runs)`);
console.log(`ratio ${ratio.toFixed(2)}x (target <= 1.5x)  node ${process.version}, ${os.cpus().length} CPU(s)`);
