// bench/tex: what \usepackage{pith} costs a build. Builds the same ten-page paper with and without
// pith (one pass each, after a warm-up pass of both), RUNS pairs (default 1; each pair in a random
// order), per engine
// (default pdflatex; name xelatex and lualatex to time them too), and prints the wall times
// (medians when RUNS > 1) and their ratio, and the CPU time the runs took in all (user + system, of
// the TeX processes, from /proc/self/stat on Linux: a figure that holds on a loaded machine, where
// wall times do not). "With pith" loads the generated copy `pith-tex stamp` writes, stamped check
// included, and \pithnumber{BODY} as stamp writes it. Target: ratio < 1.03.
//   node dist/bench/tex.js [RUNS] [pdflatex|xelatex|lualatex]...
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseJson, type JsonObject } from '../src/core/json.js';
import { BODY, bundleFile, median, stampedSty, timeRun } from './lib.js';

const runs = Math.max(1, Number(process.argv[2] ?? 1));
const engines = process.argv.slice(3).length > 0 ? process.argv.slice(3) : ['pdflatex'];
for (const e of engines) if (!['pdflatex', 'xelatex', 'lualatex'].includes(e)) throw new Error(`bench: unknown engine ${e}`);
const dir = mkdtempSync(path.join(os.tmpdir(), 'pith-bench-tex-'));
const bundle = parseJson(readFileSync(bundleFile, 'utf8')) as JsonObject;
writeFileSync(path.join(dir, 'pith.sty'), stampedSty(bundle.canonical_sha256 as string));

const para =
  'Sparse mixtures of experts route each token to a small number of expert networks, so the ' +
  'parameter count grows while the compute per token stays nearly flat. We measure how the ' +
  'router balances load, how capacity factors trade quality for speed, and how the experts ' +
  'specialise over training. The results hold across model sizes and data sets. $E = mc^2$ and ' +
  '$\\sum_{i=1}^{n} i = n(n+1)/2$ appear here only to exercise math mode.\n\n';
const sections = Array.from({ length: 12 }, (_, i) => `\\section{Part ${i + 1}}\n${para.repeat(6)}`).join('\n');
const doc = (withPith: boolean): string =>
  [
    '\\documentclass{article}',
    withPith ? `\\usepackage{pith}\n\\pithnumber{${BODY}}` : '',
    '\\title{Scaling Sparse Experts}\\author{Ada Lovelace \\and Alan Turing}',
    '\\begin{document}\\maketitle',
    '\\begin{abstract}We study sparse mixtures of experts.\\end{abstract}',
    sections,
    '\\end{document}',
  ].join('\n');
writeFileSync(path.join(dir, 'with.tex'), doc(true));
writeFileSync(path.join(dir, 'without.tex'), doc(false));

/** CPU time of this process's finished children in ms (clock ticks of 10 ms), or null off Linux. */
function childCpuMs(): number | null {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    return (Number(f[13]) + Number(f[14])) * 10; // cutime + cstime, fields 16 and 17 of stat(5)
  } catch {
    return null;
  }
}
const cpu = { with: 0, without: 0 };
const time = (engine: string, job: 'with' | 'without'): number => {
  const c0 = childCpuMs();
  const ms = timeRun(engine, ['-interaction=batchmode', '-halt-on-error', '-no-shell-escape', `${job}.tex`], { cwd: dir });
  const c1 = childCpuMs();
  if (c0 !== null && c1 !== null) cpu[job] += c1 - c0;
  return ms;
};
const pages = (job: string): string => {
  const r = spawnSync('pdfinfo', [`${job}.pdf`], { cwd: dir, encoding: 'utf8' });
  return /Pages:\s+(\d+)/.exec(r.stdout)?.[1] ?? '?';
};
for (const engine of engines) {
  time(engine, 'without'); // warm-up: file cache, font maps and font caches, .aux
  time(engine, 'with');
  cpu.with = 0;
  cpu.without = 0;
  const a: number[] = [];
  const b: number[] = [];
  // Each pair in a random order: a run right after the other one (its files, fonts and format
  // just read) must not always be the same job.
  for (let i = 0; i < runs; i++) {
    if (Math.random() < 0.5) {
      b.push(time(engine, 'without'));
      a.push(time(engine, 'with'));
    } else {
      a.push(time(engine, 'with'));
      b.push(time(engine, 'without'));
    }
  }
  const withMs = median(a);
  const withoutMs = median(b);
  console.log(`${engine}: pages with pith ${pages('with')}, without ${pages('without')}`);
  console.log(`${engine} without pith: ${withoutMs.toFixed(0)} ms`);
  console.log(`${engine} with pith:    ${withMs.toFixed(0)} ms`);
  console.log(
    `${engine} ratio: ${(withMs / withoutMs).toFixed(3)} (target < 1.03; ${runs > 1 ? `medians of ${runs} pairs, each in a random order` : 'one run'})`,
  );
  if (cpu.without > 0) {
    console.log(
      `${engine} CPU: without ${cpu.without} ms, with ${cpu.with} ms in ${runs} runs each; ratio ${(cpu.with / cpu.without).toFixed(3)}`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
