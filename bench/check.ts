// bench/check: how long `pith-tex check main.tex` takes against bare `node -e 0` startup.
// Builds a stamped paper from the vector bundle in a temporary folder, then runs both commands
// alternately (RUNS times each, default 21) and prints the medians and their ratio.
// Target (issue 7): at most 1.5x node's own startup, so it can run before every build.
//   node dist/bench/check.js [RUNS]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJson, isJsonObject } from '../src/core/json.js';
import { lockFromBundle, serializeLock } from '../src/core/lock.js';
import { renderPithSty } from '../src/core/sty.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = Number(process.argv[2] ?? 21);
const dir = mkdtempSync(path.join(os.tmpdir(), 'pith-bench-check-'));
const body = 'NMB7QKC2NJYNHLPG6XMF2N35IK';
const bundle = parseJson(readFileSync(path.join(root, 'test', 'fixtures', '2109.10465v1.bundle.json'), 'utf8'));
if (!isJsonObject(bundle)) throw new Error('bad bundle');
writeFileSync(path.join(dir, 'pith.lock.json'), serializeLock(lockFromBundle(bundle)));
// The generated copy exactly as pith-tex stamp writes it (the check verifies its checksum line).
writeFileSync(
  path.join(dir, 'pith.sty'),
  renderPithSty({
    templateText: readFileSync(path.join(root, 'templates', 'pith.sty.hbs'), 'utf8'),
    packageSource: readFileSync(path.join(root, 'tex', 'pith.sty'), 'utf8'),
    values: { body, year: '2021', number: `pith:2021:${body}`, recordUrl: `https://pith.science/pith/${body}`, canonicalSha256: lockFromBundle(bundle).canonical_sha256, toolVersion: '0.1.0' },
  }),
);
writeFileSync(path.join(dir, 'main.tex'), `\\documentclass{article}\n\\usepackage{pith}\n\\pithnumber{${body}}\n\\begin{document}x\\end{document}\n`);

const time = (args: string[]): number => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return ms;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const bare: number[] = [];
const check: number[] = [];
const checkArgs = [path.join(root, 'bin', 'pith-tex.js'), 'check', path.join(dir, 'main.tex')];
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
