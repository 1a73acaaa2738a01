// Runs the corpus: every template × generation, unstamped and stamped, a few builds at a time,
// and judges each pair.
import type { Expectation } from './expect.js';
import type { Generation } from './generations.js';
import { build, type StampTool } from './build.js';
import { judge, type Row } from './judge.js';

export interface Timing {
  template: string;
  texlive: string;
  plainSeconds: number;
  stampedSeconds: number;
  cached: boolean;
  /** The builds' PDFs (in the build cache), null when a build made none. */
  plainPdf: string | null;
  stampedPdf: string | null;
}

/** A pool of `size` workers over `items`, results in input order. */
async function pool<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
  return out;
}

export async function runCorpus(opts: {
  templates: Expectation[];
  generations: Generation[];
  tool: StampTool;
  body: string;
  jobs: number;
  onRow?: (row: Row, timing: Timing) => void;
}): Promise<{ rows: Row[]; timings: Timing[] }> {
  const pairs = opts.generations.flatMap((gen) => opts.templates.map((exp) => ({ gen, exp })));
  const results = await pool(pairs, opts.jobs, async ({ gen, exp }) => {
    const [plain, stamped] = [await build(exp, gen, 'plain', opts.tool), await build(exp, gen, 'stamped', opts.tool)];
    const row = judge(exp, gen.name, opts.body, plain, stamped);
    const timing = { template: exp.name, texlive: gen.name, plainSeconds: plain.seconds, stampedSeconds: stamped.seconds, cached: plain.cached && stamped.cached, plainPdf: plain.pdfPath, stampedPdf: stamped.pdfPath };
    opts.onRow?.(row, timing);
    return { row, timing };
  });
  return { rows: results.map((r) => r.row), timings: results.map((r) => r.timing) };
}
