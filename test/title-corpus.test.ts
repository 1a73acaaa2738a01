// How often does a real template's LaTeX title match the title its author would type on arXiv?
// Measured on test/corpus (real templates from TeX Live's documentation) against hand-typed arXiv
// titles (test/fixtures/corpus-arxiv-titles.json), and at least five stamped end to end with a
// record made from that title (signed by a test key, trusted with --trust-key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { matchTitle, titleHash } from '../src/core/title-match.js';
import { fixture, repoRoot } from './helpers.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp.js';
import { bundleForRecord, recordWithTitle, writeOtherBundle } from './support/stamp-bundles.js';

const CORPUS = path.join(repoRoot, 'test', 'corpus');
const TITLES = JSON.parse(readFileSync(fixture('corpus-arxiv-titles.json'), 'utf8')) as Record<string, string>;

function templates(): { name: string; dir: string; main: string }[] {
  if (!existsSync(CORPUS)) return [];
  return readdirSync(CORPUS)
    .filter((d) => d in TITLES && existsSync(path.join(CORPUS, d, 'expect.json')))
    .map((d) => ({
      name: d,
      dir: path.join(CORPUS, d),
      main: JSON.parse(readFileSync(path.join(CORPUS, d, 'expect.json'), 'utf8')).main as string,
    }));
}

test('corpus: the LaTeX title matches the hand-typed arXiv title for most templates (figure printed)', (t) => {
  const all = templates();
  if (all.length === 0) return t.skip('test/corpus is not in this checkout (it lands with the corpus branch)');
  const misses: string[] = [];
  for (const tpl of all) {
    const src = readFileSync(path.join(tpl.dir, tpl.main), 'latin1');
    if (matchTitle(src, titleHash(TITLES[tpl.name] as string)).status !== 'match') misses.push(tpl.name);
  }
  const hits = all.length - misses.length;
  t.diagnostic(`title match: ${hits}/${all.length} templates (misses: ${misses.join(', ') || 'none'})`);
  assert.ok(hits / all.length >= 0.9, `${hits}/${all.length}; misses ${misses.join(', ')}`);
});

test('corpus: five templates stamped with a record made from their own title get "title matches"', async (t) => {
  const all = templates();
  if (all.length === 0) return t.skip('test/corpus is not in this checkout (it lands with the corpus branch)');
  const picks = ['revtex-aip', 'ieee-journal-transmag', 'kluwer', 'aomart', 'jmlr-pmlr', 'beamer'].filter((n) =>
    all.some((a) => a.name === n),
  );
  assert.ok(picks.length >= 5, `only ${picks.length} of the chosen templates are in test/corpus`);
  for (const name of picks) {
    const tpl = all.find((a) => a.name === name)!;
    const dir = tempDir(t, 'pith-title-corpus-');
    cpSync(tpl.dir, dir, { recursive: true });
    const files = writeOtherBundle(dir, 0, bundleForRecord(recordWithTitle(TITLES[name] as string)));
    const r = await runCli(['stamp', tpl.main, '--bundle', files.bundleFile, '--trust-key', files.keyFile, '--strict'], { cwd: dir });
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.match(r.stdout, /title matches the record/, name);
  }
});
