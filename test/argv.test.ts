// src/argv.ts reads plain command lines without commander: it must give each command exactly
// what commander gives it, or hand over (null).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandSpecs, parseArgv } from '../src/argv.js';
import { buildProgram } from '../src/cli.js';

/** What commander passes to `name`'s action for `argv` (positionals, options), or 'error'. */
async function commanderArgs(name: string, argv: string[]): Promise<unknown[] | 'error'> {
  const program = buildProgram();
  let got: unknown[] | 'error' = 'error';
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    cmd.action((...args: unknown[]) => {
      got = args.slice(0, -1);
    });
  }
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  try {
    await program.parseAsync(['node', 'pith-tex', name, ...argv]);
  } catch {
    return 'error';
  }
  return JSON.parse(JSON.stringify(got)) as unknown[];
}

const lines: Record<string, string[][]> = {
  stamp: [
    [],
    ['main.tex'],
    ['main.tex', '--bundle', 'b.json'],
    ['--bundle=b.json', 'p.tex', '--dry-run', '--json'],
    ['--trust-key', 'a', '--trust-key=b', '--offline'],
    ['--wait', '0', '--force'],
    ['a.tex', 'b.tex'],
    ['--bundle'],
    ['--bundle', '--json'],
    ['-h'],
    ['--nope'],
    ['--', '--odd.tex'],
    ['-'],
    ['--dry-run=1'],
  ],
  resolve: [
    ['pith:2021:X', '--bundle', 'b.json', '--offline'],
    ['q', '--timeout', '5', '--save', 'out.json', '--refresh'],
    [],
    ['q', 'r'],
    ['--json', 'q'],
  ],
  verify: [['a.json'], ['a.json', 'b.json', '--json'], ['--trust-key', 'k', 'd/'], []],
  arxiv: [['--no-compile'], ['main.tex', '--engine', 'xe', '--pack', 'o.tar.gz'], ['--compile']],
  hook: [['install'], ['status', 'dir', '--json'], ['remove', 'a', 'b']],
  compute: [
    ['meta.json', '--cross-cats', 'cs.AI', '--cross-cats', 'cs.LG'],
    ['--arxiv-id', '2201.05596v2', '--title', 'T'],
  ],
  inspect: [
    ['paper.pdf', '--offline'],
    ['--lock', 'l', 'p.pdf'],
  ],
  check: [['main.tex', '-q'], ['--quiet', '--json'], ['-qj']],
};

test('parseArgv gives each command what commander gives it, or hands over', async () => {
  const specs = commandSpecs(buildProgram());
  assert.ok(
    ['stamp', 'resolve', 'verify'].every((c) => c in specs),
    'the commands people wait on have a spec',
  );
  let read = 0;
  for (const [name, cases] of Object.entries(lines)) {
    for (const argv of cases) {
      const spec = specs[name];
      const ours = spec ? parseArgv(spec, argv) : null;
      const theirs = await commanderArgs(name, argv);
      if (ours === null) continue; // commander reads it
      read++;
      assert.notEqual(theirs, 'error', `${name} ${argv.join(' ')}: commander refuses what parseArgv accepted`);
      assert.deepEqual(JSON.parse(JSON.stringify(ours)), theirs, `${name} ${argv.join(' ')}`);
    }
  }
  assert.ok(read >= 20, `parseArgv read ${read} of the lines itself`);
  // What it must leave to commander: help, unknown options, a missing value, too many arguments.
  for (const argv of [['-h'], ['--nope'], ['--bundle'], ['a.tex', 'b.tex']])
    assert.equal(parseArgv(specs.stamp!, argv), null, argv.join(' '));
});
