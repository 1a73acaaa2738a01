#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm install` through the prepare script).
// `check` runs before every build, so it goes straight to its small module (no commander).
const [, , command, ...rest] = process.argv;
const fast = command === 'check' ? await import('../dist/src/commands/check.js').then((m) => m.runFromArgv(rest)) : null;
process.exitCode = fast ?? (await (await import('../dist/src/cli.js')).main(process.argv));
