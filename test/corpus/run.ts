// npm run test:corpus: builds every template of test/corpus/ unstamped and stamped on each TeX
// Live generation and prints one row per template × generation; exits 1 if any row fails.
//   node dist/test/corpus/run.js [--only NAME,NAME] [--jobs N] [--json] [--width N] [--pdfs DIR]
// --pdfs DIR copies each build's PDF to DIR/NAME-TLyyyy-{plain,stamped}.pdf for a look.
// --cli FILE stamps with another checkout's bin/pith-tex.js (and so its tex/pith.sty).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCorpus } from './lib/expect.js';
import { generations } from './lib/generations.js';
import { runCorpus } from './lib/corpus.js';
import { COLUMNS, type Row } from './lib/judge.js';
import { cliPath, fixture, repoRoot } from '../helpers.js';
import { SEED } from '../support/seed.js';

export const CORPUS_DIR = path.join(repoRoot, 'test', 'corpus');
export const BODY = SEED.body;
export const TOOL = { cli: cliPath, bundle: fixture('2109.10465v1.bundle.json') };
export const JOBS = Math.max(1, Number(process.env.PITH_TEX_JOBS ?? Math.min(2, os.availableParallelism())));

const HEAD = ['template', 'TL', ...COLUMNS];

/** The table, one line per row; a cell is "ok" or its reason (cut to `width`). */
export function formatTable(rows: Row[], width = 60): string {
  const cells = rows.map((r) => [r.template, r.texlive, ...COLUMNS.map((c) => (r[c].length > width ? `${r[c].slice(0, width - 1)}…` : r[c]))]);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((s, i) => s.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(HEAD), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/**
 * CPU seconds of this process's finished children (latexmk and everything it ran), from
 * /proc/self/stat (Linux; null elsewhere): a figure that holds on a loaded machine, unlike wall time.
 */
function childCpuSeconds(): number | null {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
    // After "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

async function main(argv: string[]): Promise<number> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = (arg('--only') ?? '').split(',').filter(Boolean);
  const jobs = Number(arg('--jobs') ?? JOBS);
  const templates = readCorpus(CORPUS_DIR, only);
  const gens = generations();
  const started = Date.now();
  const cpu0 = childCpuSeconds();
  const { rows, timings } = await runCorpus({
    templates,
    generations: gens,
    tool: { ...TOOL, cli: arg('--cli') ?? TOOL.cli },
    body: BODY,
    jobs,
    onRow: (row, t) => {
      if (!argv.includes('--json')) {
        process.stderr.write(`${row.pass ? 'pass' : 'FAIL'} ${row.template} TL${row.texlive} (${t.cached ? 'cached' : `${t.plainSeconds.toFixed(1)}s + ${t.stampedSeconds.toFixed(1)}s`})\n`);
      }
    },
  });
  const pdfs = arg('--pdfs');
  if (pdfs) {
    fs.mkdirSync(pdfs, { recursive: true });
    for (const t of timings) {
      for (const [kind, file] of [['plain', t.plainPdf], ['stamped', t.stampedPdf]] as const) {
        if (file) fs.copyFileSync(file, path.join(pdfs, `${t.template}-TL${t.texlive}-${kind}.pdf`));
      }
    }
  }
  const failed = rows.filter((r) => !r.pass).length;
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ rows, timings }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatTable(rows, Number(arg('--width') ?? 60))}\n\n`);
    const cpu1 = childCpuSeconds();
    const cpu = cpu0 !== null && cpu1 !== null ? `, ${(cpu1 - cpu0).toFixed(0)} s of TeX CPU time` : '';
    const built = timings.filter((t) => !t.cached).length;
    process.stdout.write(
      `${rows.length - failed}/${rows.length} rows pass (${templates.length} templates × TeX Live ${gens.map((g) => g.name).join(', ')}; ` +
        `${((Date.now() - started) / 1000).toFixed(0)} s wall${cpu}, ${built} pairs built, ${timings.length - built} cached; ${jobs} at a time)\n`,
    );
  }
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  // exitCode, not exit(): a piped stdout is written asynchronously and exit() would cut it off.
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`test:corpus: ${(e as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
