#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm install` through the prepare script).
// A reader that goes away (`pith-tex stamp --dry-run | head`) is not an error: the rest of the
// output is dropped and the command still finishes its work and exits with its own code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}
// `check` runs before every build, so it goes straight to its small module (no commander).
const [, , command, ...rest] = process.argv;
const fast = command === 'check' ? await import('../dist/src/commands/check.js').then((m) => m.runFromArgv(rest)) : null;
process.exitCode = fast ?? (await (await import('../dist/src/cli.js')).main(process.argv));
