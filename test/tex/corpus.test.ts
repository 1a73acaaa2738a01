// The template corpus (test/corpus/) as part of `npm test`: every template × TeX Live generation,
// built unstamped and stamped and judged from the PDFs; one subtest per row, failing with the
// row's reasons. The same run as `npm run test:corpus` (which prints the table).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCorpus } from '../corpus/lib/expect.js';
import { generations } from '../corpus/lib/generations.js';
import { runCorpus } from '../corpus/lib/corpus.js';
import { COLUMNS } from '../corpus/lib/judge.js';
import { BODY, CORPUS_DIR, JOBS, TOOL } from '../corpus/run.js';

test('template corpus: badge placement, overlap, link, warnings, overfull boxes, pages, leaks', { timeout: 90 * 60_000 }, async (t) => {
  const { rows } = await runCorpus({ templates: readCorpus(CORPUS_DIR), generations: generations(), tool: TOOL, body: BODY, jobs: JOBS });
  assert.ok(rows.length >= 40, `expected at least 40 rows, got ${rows.length}`);
  for (const row of rows) {
    await t.test(`${row.template} on TeX Live ${row.texlive}`, () => {
      const bad = COLUMNS.filter((c) => row[c] !== 'ok').map((c) => `${c}: ${row[c]}`);
      assert.deepEqual(bad, [], `${row.template} (TeX Live ${row.texlive}):\n  ${bad.join('\n  ')}`);
    });
  }
});
