// Runs bin/pith-tex.js inside this process and, at exit, prints the process's peak memory
// (resourceUsage().maxRSS, in KiB) on stderr as `PITH_TEST_MAXRSS_KB=N`: the hostile-input tests
// measure memory with Node itself, not with a system tool's flags.
import { createRequire } from 'node:module';
import { cliPath } from '../helpers.js';

process.on('exit', () => {
  process.stderr.write(`\nPITH_TEST_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
process.argv = [process.argv[0] as string, cliPath, ...process.argv.slice(2)];
(createRequire(import.meta.url)(cliPath) as { start(): void }).start();
