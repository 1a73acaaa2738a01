// Crash safety of `pith-tex stamp`: the CLI is SIGKILLed at every injected point
// (PITH_TEX_TEST_CRASH_AT) and every file is found old or new, never a mix; the files written
// before the point are new and those after it old (pith.sty, then the lock, then the paper);
// `pith-tex check` reports the in-between state; and the next stamp finishes the job cleanly.
import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './helpers.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp.js';
import { writeOtherBundle } from './support/stamp-bundles.js';
import { unstampText } from '../src/core/tex-edit.js';

const EXAMPLE = path.join(repoRoot, 'examples', 'moe-paper');
const BUNDLE = path.join(EXAMPLE, '2109.10465v1.bundle.json');
const FILES = ['pith.sty', 'pith.lock.json', 'main.tex'] as const;
/** The example before a first stamp (the committed main.tex is stamped). */
const UNSTAMPED = unstampText(readFileSync(path.join(EXAMPLE, 'main.tex'), 'utf8'));
const LABEL = { 'pith.sty': 'sty', 'pith.lock.json': 'lock', 'main.tex': 'paper' } as const;
const STEPS = ['temp-written', 'temp-synced', 'renamed'] as const;

type State = Record<(typeof FILES)[number], string | null>;
const state = (dir: string): State =>
  Object.fromEntries(FILES.map((f) => [f, existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'latin1') : null])) as State;

/** Every crash point, in the order stamp passes them. */
const POINTS = FILES.flatMap((f) => [...STEPS.map((s) => `${LABEL[f]}:${s}`), `after-${LABEL[f]}`]);

function scenario(name: string, prepare: (dir: string) => void | Promise<void>, args: (dir: string) => string[]) {
  test(`crash safety (${name}): killed at each of ${POINTS.length} points, each file is old or new, in order`, async (t) => {
    // The old and new states, from an uninterrupted run.
    const ref = tempDir(t, 'pith-crash-ref-');
    await prepare(ref);
    const oldState = state(ref);
    const done = await runCli(args(ref), { cwd: ref });
    assert.equal(done.status, 0, done.stderr);
    const newState = state(ref);
    for (const f of FILES) assert.notEqual(newState[f], oldState[f], `${name}: ${f} changes`);

    // Each crash point in its own folder, all at once.
    await Promise.all(
      POINTS.map(async (point, i) => {
        const dir = tempDir(t, 'pith-crash-');
        await prepare(dir);
        const r = await runCli(args(dir), { cwd: dir, env: { PITH_TEX_TEST_CRASH_AT: point }, spawn: true });
        assert.equal(r.signal, 'SIGKILL', `${point}: the process was killed (${r.stderr})`);
        const now = state(dir);
        for (const f of FILES) {
          assert.ok(now[f] === oldState[f] || now[f] === newState[f], `${point}: ${f} is old or new, never a mix`);
          // Files before the crash point are new; the one being written is new only once renamed.
          const fIndex = POINTS.indexOf(`${LABEL[f]}:renamed`);
          const expectNew = i >= fIndex;
          assert.equal(now[f], expectNew ? newState[f] : oldState[f], `${point}: ${f} should be ${expectNew ? 'new' : 'old'}`);
        }
        // Between the first and the last file, `pith-tex check` says something is off.
        const mixed = FILES.some((f) => now[f] !== newState[f]) && FILES.some((f) => now[f] !== oldState[f]);
        if (mixed) {
          const c = await runCli(['check'], { cwd: dir });
          assert.notEqual(c.status, 0, `${point}: check must not pass a half-stamped paper`);
          assert.match(c.stdout + c.stderr, /stamp/, `${point}: check names the fix`);
        }
        // The next stamp takes over the dead stamp's lock, removes its temporary file, finishes.
        const again = await runCli(args(dir), { cwd: dir });
        assert.equal(again.status, 0, `${point}: recovery: ${again.stderr}`);
        assert.deepEqual(state(dir), newState, `${point}: recovered to the new state`);
        assert.deepEqual(
          readdirSync(dir).filter((f) => f.startsWith('.')),
          [],
          `${point}: no lock or temporary file left`,
        );
      }),
    );
  });
}

describe('pith-tex stamp: crash safety', () => {
  scenario(
    'first stamp',
    (dir) => writeFileSync(path.join(dir, 'main.tex'), UNSTAMPED),
    () => ['stamp', '--bundle', BUNDLE],
  );

  scenario(
    're-stamp with another record',
    async (dir) => {
      writeFileSync(path.join(dir, 'main.tex'), UNSTAMPED);
      const r = await runCli(['stamp', '--bundle', BUNDLE], { cwd: dir });
      assert.equal(r.status, 0, r.stderr);
      writeOtherBundle(dir);
    },
    (dir) => ['stamp', 'main.tex', '--bundle', path.join(dir, 'other.bundle.json'), '--trust-key', path.join(dir, 'test-key.json')],
  );
});
