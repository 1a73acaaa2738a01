// The template corpus (test/corpus/) as part of `npm test`: every template × TeX Live generation,
// built unstamped and stamped and judged from the PDFs; one subtest per row, failing with the
// row's reasons. The same run as `npm run test:corpus` (which prints the table). First, the judge
// on hand-made pages, so that each of its checks is seen to fail when it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCorpus } from '../corpus/lib/expect.js';
import { generations } from '../corpus/lib/generations.js';
import { runCorpus } from '../corpus/lib/corpus.js';
import { COLUMNS, judge, type BuildFacts } from '../corpus/lib/judge.js';
import type { Expectation } from '../corpus/lib/expect.js';
import { findPhrase, overfullChanges, parseBboxLayout, readLog, type Box, type Page, type Word } from '../corpus/lib/layout.js';
import { BODY, CORPUS_DIR, JOBS, TOOL } from '../corpus/run.js';

// The judge itself, on hand-made pages: each check must be able to fail.
const W = (text: string, xMin: number, yMin: number, xMax: number, yMax: number, line: number): Word => ({
  text,
  xMin,
  yMin,
  xMax,
  yMax,
  line,
});
const EXP: Expectation = {
  name: 'synthetic',
  dir: '.',
  main: 'main.tex',
  engine: 'pdf',
  mechanism: 'test',
  titleLast: 'A Title',
  titlePage: null,
  abstract: 'Abstract',
  heading: 'Introduction',
  placement: 'title',
  haltOnError: true,
  notOn: {},
  knownFailures: {},
};
const BADGE_TEXT = `pith:2021:${BODY}`;
function facts(words: Word[], opts: { link?: Box; log?: string; pages?: number } = {}): BuildFacts {
  const page: Page = { width: 612, height: 792, words };
  const pages = [page, ...Array.from({ length: (opts.pages ?? 1) - 1 }, () => ({ width: 612, height: 792, words: [] }))];
  const links = opts.link ? [{ page: 0, uri: `https://pith.science/pith/${BODY}`, rect: opts.link }] : [];
  return { ok: true, failure: null, log: readLog(opts.log ?? ''), pdf: { pages, links, outlines: [] } };
}
const TITLE = [W('A', 250, 100, 260, 115, 0), W('Title', 265, 100, 330, 115, 0)];
const ABSTRACT = [W('Abstract', 100, 200, 160, 210, 2), W('Text', 170, 200, 200, 210, 2), W('here', 205, 200, 230, 210, 2)];
const HEADING = [W('I', 100, 300, 104, 310, 3), W('NTRODUCTION', 105, 300, 180, 310, 3)];
const plainFacts = facts([...TITLE, ...ABSTRACT, ...HEADING]);

test('judge: a badge between title and abstract, linked, passes', () => {
  const badge = W(BADGE_TEXT, 220, 150, 390, 158, 1);
  const row = judge(
    EXP,
    'test',
    BODY,
    plainFacts,
    facts([...TITLE, badge, ...ABSTRACT, ...HEADING], { link: { xMin: 218, yMin: 148, xMax: 392, yMax: 160 } }),
  );
  assert.equal(row.pass, true, JSON.stringify(row));
});

test('judge: a badge under the first heading, on it, unlinked, fails each check', () => {
  const badge = W(BADGE_TEXT, 100, 309, 270, 317, 4);
  const stamped = facts([...TITLE, ...ABSTRACT, ...HEADING, badge], { link: { xMin: 0, yMin: 0, xMax: 10, yMax: 10 }, pages: 2 });
  const row = judge(EXP, 'test', BODY, plainFacts, stamped);
  assert.match(row.placement, /below the abstract/);
  assert.match(row.overlap, /NTRODUCTION/);
  assert.match(row.link, /misses the badge/);
  assert.match(row.pages, /1 -> 2/);
  assert.equal(row.pass, false);
});

test('judge: the number in a running head is a leak; no badge at all fails placement', () => {
  const badge = W(BADGE_TEXT, 220, 150, 390, 158, 1);
  const head = W(`(${BADGE_TEXT})`, 300, 20, 480, 28, 9);
  const row = judge(EXP, 'test', BODY, plainFacts, facts([head, ...TITLE, badge, ...ABSTRACT, ...HEADING]));
  assert.match(row.leaks, /running head/);
  assert.match(judge(EXP, 'test', BODY, plainFacts, facts([...TITLE, ...ABSTRACT])).placement, /no badge/);
});

test("judge: a new warning fails, a vanished one is a note; placement none wants no badge and pith's warning", () => {
  const badge = W(BADGE_TEXT, 220, 150, 390, 158, 1);
  const link = { xMin: 218, yMin: 148, xMax: 392, yMax: 160 };
  const words = [...TITLE, badge, ...ABSTRACT, ...HEADING];
  const balance = 'Package balance Warning: You have called \\balance in second column';
  const added = judge(EXP, 'test', BODY, plainFacts, facts(words, { link, log: balance }));
  assert.match(added.warnings, /^FAIL \+Package balance/);
  const vanished = judge(EXP, 'test', BODY, facts([...TITLE, ...ABSTRACT, ...HEADING], { log: balance }), facts(words, { link }));
  assert.match(vanished.warnings, /^ok \(vanished: Package balance/);
  assert.equal(vanished.pass, true);
  const none = { ...EXP, placement: 'none' as const };
  const notPrinted = 'Package pith Warning: The Pith badge was not printed (no \\maketitle)';
  assert.equal(judge(none, 'test', BODY, plainFacts, facts([...TITLE, ...ABSTRACT], { log: notPrinted })).pass, true);
  assert.match(judge(none, 'test', BODY, plainFacts, facts([...TITLE, ...ABSTRACT])).warnings, /no pith warning/);
  assert.match(judge(none, 'test', BODY, plainFacts, facts(words, { link, log: notPrinted })).placement, /where none was expected/);
});

test('readLog: warnings keyed without line numbers, continuation lines joined; overfull growth', () => {
  const log = [
    "LaTeX Warning: Reference `x' on page 1 undefined on input line 12.",
    'Package hyperref Warning: Token not allowed in a PDF string (Unicode):',
    "(hyperref)                removing `math shift' on input line 40.",
    'Overfull \\hbox (1.9pt too wide) in paragraph at lines 30--31',
    '[]\\OT1/cmr/m/n/10 some text',
  ].join('\n');
  const shifted = log.replace('line 12', 'line 14').replace('line 40', 'line 42').replace('1.9pt', '19.1pt').replace('30--31', '32--33');
  const a = readLog(log);
  const b = readLog(shifted);
  assert.deepEqual([...a.warnings], [...b.warnings]);
  assert.equal(a.warnings.size, 2);
  assert.match([...a.warnings][1]!, /removing `math shift'/);
  assert.deepEqual(
    overfullChanges(a.overfull, b.overfull).map((c) => [c.before, c.after]),
    [[1.9, 19.1]],
  );
  assert.deepEqual(overfullChanges(a.overfull, a.overfull), []);
});

test('parseBboxLayout and findPhrase: entities decoded, small capitals matched across words', () => {
  const x =
    '<page width="612" height="792"><flow><block><line xMin="1" yMin="2" xMax="3" yMax="4">' +
    '<word xMin="1" yMin="2" xMax="2" yMax="4">I</word><word xMin="2.5" yMin="2" xMax="3" yMax="4">NTRODUCTION&amp;</word></line></block></flow></page>';
  const [page] = parseBboxLayout(x);
  assert.equal(page!.words[1]!.text, 'NTRODUCTION&');
  assert.equal(findPhrase(page!, 'Introduction').length, 2);
  assert.equal(findPhrase(page!, 'Conclusion').length, 0);
});

test('template corpus: badge placement, overlap, link, warnings, overfull boxes, pages, leaks', { timeout: 90 * 60_000 }, async (t) => {
  const { rows } = await runCorpus({ templates: readCorpus(CORPUS_DIR), generations: generations(), tool: TOOL, body: BODY, jobs: JOBS });
  assert.ok(rows.length >= 40, `expected at least 40 rows, got ${rows.length}`);
  const known = new Map(readCorpus(CORPUS_DIR).map((e) => [e.name, e.knownFailures]));
  for (const row of rows) {
    const failures = known.get(row.template) ?? {};
    const todo = failures[row.texlive] ?? failures['*'];
    await t.test(`${row.template} on TeX Live ${row.texlive}`, todo ? { todo: `known failure: ${todo}` } : {}, () => {
      // A cell passes when it starts with 'ok' (as the judge's row.pass): 'ok (not built on …)', 'ok (vanished: …)'.
      const bad = COLUMNS.filter((c) => !row[c].startsWith('ok')).map((c) => `${c}: ${row[c]}`);
      assert.equal(row.pass, bad.length === 0);
      assert.deepEqual(bad, [], `${row.template} (TeX Live ${row.texlive}):\n  ${bad.join('\n  ')}`);
    });
  }
});
