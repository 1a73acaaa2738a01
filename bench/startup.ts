// bench/startup: what each command an author waits on costs against node's own start-up.
// Each command is run alternately with `node -e 0` (RUNS pairs, default 21, after a warm-up run
// of each); the ratio is median(command) / median(node -e 0). Peak memory: one run of each
// under GNU time (`/usr/bin/time -v`, Maximum resident set size). Targets (issue 16): check
// ≤ 1.2×, verify, stamp and resolve ≤ 1.5×.
//   node dist/bench/startup.js [RUNS]
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleFile, cli, loadAverage, median, peakKiB, root, timeRun } from './lib.js';

const runs = Math.max(1, Number(process.argv[2] ?? 21));
// The example paper as `npm run example` leaves it: stamped, with pith.sty and the lock.
const dir = mkdtempSync(path.join(os.tmpdir(), 'pith-bench-startup-'));
cpSync(path.join(root, 'examples', 'moe-paper'), dir, { recursive: true, filter: (f) => !/\.(aux|log|fls|fdb_latexmk|out|pdf)$/.test(f) });
const node = process.execPath;
const paperBundle = path.join(dir, '2109.10465v1.bundle.json');
timeRun(node, [cli, 'stamp', 'main.tex', '--bundle', paperBundle], { cwd: dir });

const commands: { name: string; args: string[]; target: number }[] = [
  { name: 'check main.tex (the example, stamped)', args: [cli, 'check', 'main.tex'], target: 1.2 },
  { name: 'verify the seed bundle', args: [cli, 'verify', bundleFile], target: 1.5 },
  { name: 'stamp main.tex (nothing to change)', args: [cli, 'stamp', 'main.tex', '--bundle', paperBundle], target: 1.5 },
  {
    name: 'resolve --bundle FILE --offline',
    args: [cli, 'resolve', 'pith:2021:NMB7QKC2NJYNHLPG6XMF2N35IK', '--bundle', bundleFile, '--offline'],
    target: 1.5,
  },
];

console.log(`node ${process.version}, ${os.cpus().length} CPU(s), load average before: ${loadAverage()}`);
const bare = ['-e', '0'];
const nodeTimes: number[] = [];
const times = commands.map(() => [] as number[]);
timeRun(node, bare, { cwd: dir });
for (const c of commands) timeRun(node, c.args, { cwd: dir });
for (let i = 0; i < runs; i++) {
  commands.forEach((c, k) => {
    nodeTimes.push(timeRun(node, bare, { cwd: dir }));
    (times[k] as number[]).push(timeRun(node, c.args, { cwd: dir }));
  });
}
const base = median(nodeTimes);
const mib = (kib: number | null): string => (kib === null ? 'n/a (install GNU time)' : `${(kib / 1024).toFixed(0)} MiB`);
console.log(`\n${'command'.padEnd(42)} ${'median'.padStart(9)}  ${'ratio'.padStart(6)}  target  peak memory`);
console.log(
  `${'node -e 0'.padEnd(42)} ${`${base.toFixed(1)} ms`.padStart(9)}  ${'1.00×'.padStart(6)}          ${mib(peakKiB(node, bare, { cwd: dir }))}`,
);
commands.forEach((c, k) => {
  const m = median(times[k] as number[]);
  const ratio = m / base;
  const verdict = ratio <= c.target ? 'ok' : 'OVER';
  console.log(
    `${c.name.padEnd(42)} ${`${m.toFixed(1)} ms`.padStart(9)}  ${`${ratio.toFixed(2)}×`.padStart(6)}  ≤ ${c.target}× ${verdict.padEnd(4)} ${mib(peakKiB(node, c.args, { cwd: dir }))}`,
  );
});
console.log(
  `\nmedians of ${runs} alternating pairs per command (${runs * commands.length} runs of node -e 0); load average after: ${loadAverage()}`,
);
rmSync(dir, { recursive: true, force: true });
