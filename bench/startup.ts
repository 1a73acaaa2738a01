// bench/startup: what each command an author waits on costs against node's own start-up.
// Each command is run alternately with `node -e 0` (RUNS pairs, default 21, after a warm-up run
// of each). Two statistics, both printed: the ratio of the medians, median(command) /
// median(node -e 0), and the median of the pairs' own ratios (each command run over the
// `node -e 0` run just before it, so a machine that speeds up or slows down during the run
// counts against neither); the verdict takes the larger. Peak memory: one run of each under
// GNU time (`/usr/bin/time -v`, Maximum resident set size). Targets (issue 16): check ≤ 1.2×,
// verify, stamp and resolve ≤ 1.5×. Whether each bundle has its V8 code cache is said first.
//   node dist/bench/startup.js [RUNS]
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
const caches = readdirSync(path.join(root, 'dist', 'cli')).filter((f) => f.endsWith('.cjs.v8'));
console.log(`V8 code caches in dist/cli/: ${caches.length ? caches.join(', ') : 'none (run npm run build)'}`);
const bare = ['-e', '0'];
const nodeTimes = commands.map(() => [] as number[]);
const times = commands.map(() => [] as number[]);
timeRun(node, bare, { cwd: dir });
for (const c of commands) timeRun(node, c.args, { cwd: dir });
for (let i = 0; i < runs; i++) {
  commands.forEach((c, k) => {
    (nodeTimes[k] as number[]).push(timeRun(node, bare, { cwd: dir }));
    (times[k] as number[]).push(timeRun(node, c.args, { cwd: dir }));
  });
}
const base = median(nodeTimes.flat());
const mib = (kib: number | null): string => (kib === null ? 'n/a (install GNU time)' : `${(kib / 1024).toFixed(0)} MiB`);
console.log(`\n${'command'.padEnd(42)} ${'median'.padStart(9)}  ${'ratio'.padStart(6)}  ${'pairs'.padStart(6)}  target  peak memory`);
console.log(
  `${'node -e 0'.padEnd(42)} ${`${base.toFixed(1)} ms`.padStart(9)}  ${'1.00×'.padStart(6)}  ${''.padStart(6)}          ${mib(peakKiB(node, bare, { cwd: dir }))}`,
);
commands.forEach((c, k) => {
  const mine = times[k] as number[];
  const m = median(mine);
  const ratio = m / base;
  const pairRatio = median(mine.map((t, i) => t / (nodeTimes[k] as number[])[i]!));
  const verdict = Math.max(ratio, pairRatio) <= c.target ? 'ok' : 'OVER';
  console.log(
    `${c.name.padEnd(42)} ${`${m.toFixed(1)} ms`.padStart(9)}  ${`${ratio.toFixed(2)}×`.padStart(6)}  ${`${pairRatio.toFixed(2)}×`.padStart(6)}  ≤ ${c.target}× ${verdict.padEnd(4)} ${mib(peakKiB(node, c.args, { cwd: dir }))}`,
  );
});
console.log(
  `\nratio: median of the command's ${runs} runs over the median of all ${runs * commands.length} runs of node -e 0; pairs: median of the ${runs} ratios command / the node -e 0 run just before it. Load average after: ${loadAverage()}`,
);
rmSync(dir, { recursive: true, force: true });
