// bench/stamp: `pith-tex stamp` on 1, 5, 20 and 50 MB sources with nothing to change (the
// paper stamped once first): wall time and peak memory of the whole command, per MB, and the pure
// text edit (decode, stamp, encode) for comparison. Targets (issue 16): ≤ 0.1 s per MB and a peak
// at most 5 × the source above the command's own on the small example.
// Run: npm run build && node dist/bench/stamp.js
//
// The sources are realistic: the example's preamble, then paragraphs with comments, inline and
// display maths, \verb, a verbatim block and an \iffalse block, repeated to the size. The edit is
// one linear masking pass plus regular-expression scans, so time should grow linearly.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stampText, unstampText } from '../src/core/tex-edit.js';
import { decodeSource, encodeSource } from '../src/core/tex-encoding.js';
import { BODY, cli, loadAverage, peakKiB, root, timeRun } from './lib.js';

// The committed example is stamped; the bench stamps it as an author has it, unstamped.
const example = unstampText(readFileSync(path.join(root, 'examples/moe-paper/main.tex'), 'utf8'));
const bundle = path.join(root, 'examples/moe-paper/2109.10465v1.bundle.json');

const chunk = [
  '% A comment with \\usepackage{pith} in it, which is not a stamp.',
  'Sparse models route each token to $k$ of $E$ experts, so the cost per token stays',
  'nearly constant while the parameter count grows~\\cite{shazeer2017outrageously}. 50\\% faster.',
  '\\begin{equation}',
  '  y = \\sum_{i \\in \\mathcal{T}(x)} g_i(x) f_i(x) % the MoE layer',
  '\\end{equation}',
  'The flag \\verb|--offline| is passed through. Café, naïve, α-β.',
  '\\begin{verbatim}',
  '\\pithnumber{AAAAAAAAAAAAAAAAAAAAAAAAAA}',
  '\\end{verbatim}',
  '\\iffalse',
  'Old text \\usepackage{pith}',
  '\\fi',
  '',
].join('\n');

function source(bytes: number): string {
  const [pre, rest] = example.split('\\begin{document}') as [string, string];
  const end = rest.lastIndexOf('\\end{document}');
  const n = Math.ceil((bytes - example.length) / Buffer.byteLength(chunk));
  const body = chunk.repeat(Math.max(0, n));
  return `${pre}\\begin{document}${rest.slice(0, end)}${body}\\end{document}\n`;
}

// Best of N: the run least disturbed by other load on the machine.
const best = (xs: number[]): number => Math.min(...xs);

function timePure(text: string, runs: number): number {
  const bytes = new TextEncoder().encode(text);
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t0 = process.hrtime.bigint();
    const src = decodeSource(bytes);
    const out = stampText(src.text, BODY);
    encodeSource({ ...src, text: out.text });
    if (!out.changed) throw new Error('bench: nothing stamped');
    if (i >= 2) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best(times);
}

/** The whole command on a copy of `text`, stamped once first, then RUNS times with nothing to change: best wall time, and peak memory of one run. */
function timeCommand(text: string, runs: number): { ms: number; kib: number | null } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pith-bench-'));
  writeFileSync(path.join(dir, 'main.tex'), text);
  const args = [cli, 'stamp', 'main.tex', '--bundle', bundle];
  const first = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
  if (first.status !== 0) throw new Error(`bench: stamp exited ${first.status}: ${first.stderr}`);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(timeRun(process.execPath, args, { cwd: dir }));
  const kib = peakKiB(process.execPath, args, { cwd: dir });
  rmSync(dir, { recursive: true, force: true });
  return { ms: best(times), kib };
}

console.log(`node ${process.version}, ${process.platform}/${process.arch}, load average before: ${loadAverage()}`);
const base = timeCommand(example, 5);
const mib = (kib: number | null): string => (kib === null ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);
console.log(
  `whole command, nothing to change, on the example (${(example.length / 1024).toFixed(1)} KB): ${base.ms.toFixed(1)} ms, peak ${mib(base.kib)} (best of 5; peak of one run)`,
);
console.log('');
console.log(
  "source   pure first stamp   whole command, nothing to change (above the example's run, per MB; target ≤ 100)   peak memory (growth above the example's run ÷ source; target ≤ 5)",
);
for (const mb of [1, 5, 20, 50]) {
  const text = source(mb * 1024 * 1024);
  const size = Buffer.byteLength(text) / (1024 * 1024);
  const pure = mb <= 5 ? timePure(text, 5) : timePure(text, 1);
  const cmd = timeCommand(text, 3);
  const growth = cmd.kib !== null && base.kib !== null ? (cmd.kib - base.kib) / 1024 : null;
  const perMb = cmd.ms / size;
  const aboveMb = (cmd.ms - base.ms) / size;
  const ratio = growth === null ? null : growth / size;
  console.log(
    `${`${mb} MB`.padEnd(8)} ${`${pure.toFixed(0)} ms`.padStart(9)} ${`(${(pure / size).toFixed(0)}/MB)`.padEnd(8)}  ` +
      `${`${cmd.ms.toFixed(0)} ms`.padStart(9)} (${perMb.toFixed(0)} ms/MB; above the example's: ${aboveMb.toFixed(0).padStart(3)} ms/MB ${aboveMb <= 100 ? 'ok' : 'OVER'})   ` +
      `${mib(cmd.kib)} (+${growth === null ? 'n/a' : growth.toFixed(0)} MiB = ${ratio === null ? 'n/a' : ratio.toFixed(2)}× ${ratio !== null && ratio <= 5 ? 'ok' : 'OVER'} (≤ 5))`,
  );
}
console.log('');
console.log(
  `pure first stamp (decode, stamp, encode, in process): best of 5 (1, 5 MB) or one run; whole command: best of 3 after a first stamp; peak: /usr/bin/time -v of one run. Load average after: ${loadAverage()}`,
);
