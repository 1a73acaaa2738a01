// The command line's help and errors: examples and the one exit-code table in every command's
// --help, one wording per option, -v, one error prefix, suggestions for slips.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildProgram } from '../src/cli.js';
import { EXIT_MEANINGS, exitCodeHelp } from '../src/errors.js';
import { repoRoot } from './helpers.js';
import { runCli } from './support/cli.js';

const COMMANDS = ['verify', 'stamp', 'check', 'hook', 'inspect', 'arxiv', 'badge', 'resolve', 'compute'];

test('every --help ends with two or three real examples of that command, then the one exit-code table', async () => {
  for (const command of COMMANDS) {
    const r = await runCli([command, '--help']);
    assert.equal(r.status, 0, command);
    const tail = r.stdout.trimEnd();
    assert.ok(tail.endsWith(exitCodeHelp()), `${command}: ends with the shared exit-code table`);
    const examples = /\nExamples:\n((?: {2}\$ .*\n)+)\n/.exec(r.stdout)?.[1]?.trimEnd().split('\n') ?? [];
    assert.ok(examples.length >= 2 && examples.length <= 3, `${command}: ${examples.length} examples`);
    for (const e of examples) assert.match(e, new RegExp(`^ {2}\\$ pith-tex ${command}\\b`), `${command}: ${e}`);
  }
  const top = await runCli(['--help']);
  assert.match(top.stdout, /Examples:\n {2}\$ pith-tex stamp main\.tex --arxiv 2109\.10465v1/);
  assert.ok(top.stdout.includes(exitCodeHelp()));
});

test('one wording per option across commands; defaults as the code has them', () => {
  const wording = new Map<string, Set<string>>();
  for (const command of buildProgram().commands) {
    for (const option of command.options)
      (wording.get(option.flags) ?? wording.set(option.flags, new Set()).get(option.flags))?.add(option.description);
  }
  for (const shared of ['--offline', '--json', '--trust-key <file>', '--resolver <url>', '--bundle <file>']) {
    assert.equal(wording.get(shared)?.size, 1, `${shared}: ${[...(wording.get(shared) ?? [])].join(' | ')}`);
  }
  assert.equal([...(wording.get('--offline') ?? [])].length, 1);
  const engine = buildProgram()
    .commands.find((c) => c.name() === 'arxiv')
    ?.options.find((o) => o.long === '--engine');
  assert.match(engine?.description ?? '', /default: xe when the paper loads fontspec, unicode-math or xeCJK, else pdf/);
});

test("the README's exit-code table is the one in the code", () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  for (const [code, meaning] of Object.entries(EXIT_MEANINGS))
    assert.ok(readme.includes(`| ${code} | ${meaning} |`), `README row for ${code}: ${meaning}`);
});

test('-v, -V and --version print the version from package.json', async () => {
  const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['-v', '-V', '--version']) {
    const r = await runCli([flag]);
    assert.equal(r.status, 0, flag);
    assert.equal(r.stdout, `${version}\n`, flag);
  }
});

test('errors in one style: one line starting "pith-tex: ", exit 2 for usage, and a suggestion for a slip', async () => {
  const cases: [string[], RegExp][] = [
    [['stmp'], /^pith-tex: unknown command 'stmp'\n\(Did you mean stamp\?\)/],
    [['stamp', '--dryrun'], /^pith-tex: unknown option '--dryrun'\n\(Did you mean --dry-run\?\)/],
    [['hook', 'instal'], /^pith-tex: hook instal: expected one of install, remove, status \(did you mean install\?\)\n$/],
    [['arxiv', 'nowhere.tex', '--engine', 'xelatex'], /^pith-tex: --engine xelatex: expected one of pdf, xe, dvips, dvipdfmx/],
    [['verify'], /^pith-tex: missing required argument 'file'/],
    [['check', 'no-such-paper.tex'], /^pith-tex: no-such-paper\.tex: no such file\n$/],
    [['check', '--bogus'], /^pith-tex: unknown option --bogus\n/],
    [['verify', 'no-such.json'], /^pith-tex: no-such\.json: /],
  ];
  for (const [args, expected] of cases) {
    const r = await runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, expected, args.join(' '));
  }
});
