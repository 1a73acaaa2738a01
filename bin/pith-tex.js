#!/usr/bin/env node
// Entry point (CommonJS: bin/package.json). Each command runs from its own one-file bundle in
// dist/cli/, built from src/ by scripts/bundle.mjs (shipped built in the npm package; in a clone
// of the repository, `npm run build` makes it, and `npm run example` and `npm test` build first),
// so a command loads only what it uses. Commander (cli.ts) is loaded only for --help, --version
// and usage errors: `check` (before every LaTeX build) and `verify` read their own arguments, the
// other commands' are read with the options commander was given (src/argv.ts).
'use strict';
// A reader that goes away (`pith-tex stamp --dry-run | head`) is not an error: the rest of the
// output is dropped and the command still finishes its work and exits with its own code. The
// handler is attached when a stream is first used: node makes process.stdout and stderr on first
// use, and making both costs `check --quiet` several per cent of node's start-up.
const ignoreGone = (err) => {
  if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
};
function ignoreGoneReaders() {
  for (const name of ['stdout', 'stderr']) {
    const made = Object.getOwnPropertyDescriptor(process, name);
    if (!made || !made.configurable || !made.get) {
      process[name].on('error', ignoreGone);
      continue;
    }
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: made.enumerable,
      get() {
        const stream = made.get.call(process);
        Object.defineProperty(process, name, { configurable: true, enumerable: made.enumerable, writable: false, value: stream });
        stream.on('error', ignoreGone);
        return stream;
      },
    });
  }
}

function load(name) {
  try {
    return require(`../dist/cli/${name}.cjs`);
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes(`${name}.cjs`)) throw err;
    process.stderr.write(
      `pith-tex: not built: dist/cli/${name}.cjs is missing; run \`npm run build\` in ${require('node:path').resolve(__dirname, '..')} (a clone of the repository is not built by npm install)\n`,
    );
    process.exit(2);
  }
}

/** A plain command line without commander (src/argv.ts); null when commander must read it. */
async function withoutCommander(command, rest) {
  if (command === 'check' || command === 'verify') return load(command).runFromArgv(rest);
  const specs = require('../dist/cli/commands.json');
  if (!Object.hasOwn(specs, command)) return null;
  const argv = load('argv');
  const args = argv.parseArgv(specs[command], rest);
  return args === null ? null : argv.runParsed(load(command).run, args, rest);
}

/** `pith-tex ...argv` (argv as process.argv: node, this file, then the arguments): the exit code. */
async function main(argv) {
  const [, , command, ...rest] = argv;
  return (await withoutCommander(command, rest)) ?? (await load('cli').main(argv));
}

/** main, with an error that escaped it reported as an internal error (exit 70); never rejects. */
function run(argv) {
  return main(argv).catch((err) => {
    process.stderr.write(`pith-tex: internal error: ${(err && err.stack) || String(err)}\n`);
    return 70;
  });
}

/** The `pith-tex` command: this process's command line, its exit code the process's. */
function start() {
  ignoreGoneReaders();
  run(process.argv).then((code) => {
    process.exitCode = code;
  });
}

// The tests run the command line in their own process through `run` (test/support/cli.ts), with
// the same bundles as the command; test/support/measured-cli.ts calls `start`.
module.exports = { run, start };
if (require.main === module) start();
