#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (shipped built in the npm package; in a clone of
// the repository, `npm run build` makes it, and `npm run example` and `npm test` build first).
// A reader that goes away (`pith-tex stamp --dry-run | head`) is not an error: the rest of the
// output is dropped and the command still finishes its work and exits with its own code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}
import { existsSync } from 'node:fs';
if (!existsSync(new URL('../dist/src/cli.js', import.meta.url))) {
  process.stderr.write('pith-tex: not built: dist/src/cli.js is missing; run `npm run build` in the pith-tex folder (a clone of the repository is not built by npm install)\n');
  process.exit(2);
}
// `check` runs before every build, so it goes straight to its small module (no commander).
const [, , command, ...rest] = process.argv;
const fast = command === 'check' ? await import('../dist/src/commands/check.js').then((m) => m.runFromArgv(rest)) : null;
process.exitCode = fast ?? (await (await import('../dist/src/cli.js')).main(process.argv));
