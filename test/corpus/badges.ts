// examples/badges/corpus-NAME.png: page 1 of the stamped build of a few corpus templates on the
// host's TeX Live (pdftoppm -r 50), to show where the badge lands on real templates.
//   node dist/test/corpus/badges.js [NAME ...]   (default: the four below)
import path from 'node:path';
import { execa } from 'execa';
import { readCorpus } from './lib/expect.js';
import { generations } from './lib/generations.js';
import { runCorpus } from './lib/corpus.js';
import { BODY, CORPUS_DIR, JOBS, TOOL } from './run.js';
import { repoRoot } from '../helpers.js';

const DEFAULT = ['ieee-journal-compsoc', 'ieee-journal-transmag', 'apa7-jou', 'revtex-aip'];
const OUT = path.join(repoRoot, 'examples', 'badges');

async function main(names: string[]): Promise<void> {
  const host = generations().find((g) => g.root === null);
  if (!host) throw new Error("the host's TeX Live is not among the generations");
  const { rows, timings } = await runCorpus({ templates: readCorpus(CORPUS_DIR, names), generations: [host], tool: TOOL, body: BODY, jobs: JOBS });
  for (const [i, t] of timings.entries()) {
    if (!t.stampedPdf) throw new Error(`${t.template}: the stamped build made no PDF`);
    const png = path.join(OUT, `corpus-${t.template}`);
    await execa('pdftoppm', ['-r', '50', '-f', '1', '-l', '1', '-png', '-singlefile', t.stampedPdf, png]);
    process.stdout.write(`${path.relative(repoRoot, png)}.png (TeX Live ${t.texlive}; row ${rows[i]!.pass ? 'passes' : 'fails'})\n`);
  }
}

main(process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT).catch((e: unknown) => {
  process.stderr.write(`badges: ${(e as Error).message}\n`);
  process.exit(2);
});
