#!/usr/bin/env node
// The test suites, by what they need (run after `tsc`; they run the compiled dist/test/**):
//   unit  every test that needs no TeX and answers fast (no latexmk, no pdflatex, no npm pack)
//   tex   the LaTeX matrix: everything that compiles a paper (test/tex/, and the whole-command
//         tests of arxiv, pack and the latexmk hook)
//   slow  no TeX but long for a reason: the differentials against reference implementations
//         (10,008 Ed25519 signatures; canonText and canonicalJson against Python over a million
//         cases), the npm-pack install, and crash safety (stamp SIGKILLed at each of 24 points,
//         a node process each)
//   all   the three (what `npm test` and CI run)
// Usage: node scripts/test.mjs unit|tex|slow|all [--concurrency N] [--list]
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist', 'test');

/** Test files (relative to test/, without .test.ts) outside test/tex/ that run LaTeX. */
const TEX = ['arxiv', 'pack', 'hook', 'hook-parity', 'badge-marker'];
/** Test files that need no TeX but start many processes or take a minute. */
const SLOW = ['hostile/ed25519', 'install', 'crash', 'python-differential'];

/** Every compiled test file under dist/test/ (any folder), as `folder/name` without .test.js. */
const every = readdirSync(dist, { recursive: true })
  .map((f) => String(f).split(path.sep).join('/'))
  .filter((f) => f.endsWith('.test.js'))
  .map((f) => f.replace(/\.test\.js$/, ''))
  .sort();
const suites = {
  tex: every.filter((f) => f.startsWith('tex/') || TEX.includes(f)),
  slow: every.filter((f) => SLOW.includes(f)),
};
suites.unit = every.filter((f) => !suites.tex.includes(f) && !suites.slow.includes(f));
suites.all = every;

const [which = 'all', ...rest] = process.argv.slice(2);
const names = suites[which];
if (!names) {
  process.stderr.write(`scripts/test.mjs: unknown suite "${which}": expected one of unit, tex, slow, all\n`);
  process.exit(2);
}
if (rest.includes('--list')) {
  process.stdout.write(`${names.map((n) => `test/${n}.test.ts`).join('\n')}\n`);
  process.exit(0);
}
const flag = rest.indexOf('--concurrency');
// Unit files are CPU work with waits between (loopback servers, retry backoffs, a few child
// processes): twice the cores keeps the cores busy. LaTeX runs are CPU-bound and have time
// limits: one file per core.
const cores = os.availableParallelism();
const concurrency = flag >= 0 ? Number(rest[flag + 1]) : which === 'unit' ? cores * 2 : cores;

// The longest files first, so that none starts last and runs on alone: each file's time in the
// last run is kept in dist/test/durations.json (a file not timed yet goes first).
const DURATIONS = path.join(dist, 'durations.json');
const durations = existsSync(DURATIONS) ? JSON.parse(readFileSync(DURATIONS, 'utf8')) : {};
const files = names
  .map((n) => path.join(dist, `${n}.test.js`))
  .sort((a, b) => (durations[path.relative(dist, b)] ?? Infinity) - (durations[path.relative(dist, a)] ?? Infinity));

const started = Date.now();
let failed = 0;
const stream = run({ files, concurrency });
// A TODO test (a corpus row with a known failure, its reason printed) does not fail the run.
stream.on('test:fail', (event) => {
  if (!event.todo) failed++;
});
// A file's time: the sum of its top-level tests and suites (nesting 0).
const timed = {};
for (const kind of ['test:pass', 'test:fail']) {
  stream.on(kind, (event) => {
    if (event.nesting !== 0 || !event.file) return;
    const name = path.relative(dist, event.file);
    timed[name] = (timed[name] ?? 0) + Math.round(event.details.duration_ms);
  });
}
stream.compose(spec).pipe(process.stdout);
process.on('exit', () => {
  const s = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `\n${which}: ${names.length} files in ${s} s (concurrency ${concurrency}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')})\n`,
  );
  writeFileSync(DURATIONS, `${JSON.stringify({ ...durations, ...timed }, null, 1)}\n`);
  process.exitCode = failed > 0 ? 1 : 0;
});
