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

// ---------------------------------------------------------------------------------------------
// V8 code caches. Compiling a bundle is a large part of a short command (loading stamp.cjs,
// 160 KB, took 18 to 20 % of node's own start-up on the 2-core CI machine, 9 points less from its code
// cache). `npm run build` runs the commands authors wait on once (scripts/code-cache.mjs) and
// keeps what V8 compiled for each bundle beside it, dist/cli/NAME.cjs.v8. A cache is used only
// for the exact file it was made from, as CPython does its .pyc files: its header holds the
// bundle's size and modification time (in ns), and V8 itself refuses data from another V8 version
// or other flags (then the bundle is compiled as usual). It is as trustworthy as the bundle beside
// it. No cache, or a stale one: the bundle is required as usual.
const fs = require('node:fs');
const path = require('node:path');

const CODE_CACHE_SUFFIX = '.v8';
const CODE_CACHE_HEADER_BYTES = 64;
const codeCacheHeader = (stat) => `pith-tex code cache ${stat.size} ${stat.mtimeNs}`.padEnd(CODE_CACHE_HEADER_BYTES);
/** PITH_TEX_CODE_CACHE=write (scripts/code-cache.mjs): compile afresh and write the caches at exit. */
const recording = process.env.PITH_TEX_CODE_CACHE === 'write';
/** Each bundle loaded here, and how: "cache" (V8 took it), "rejected" (by V8), "stale", "none". */
const bundleLoads = new Map();

/** The bundle's source with its code cache, or null when there is no cache made from these bytes. */
function sourceWithCache(file) {
  let data;
  let fd;
  try {
    data = recording ? null : fs.readFileSync(file + CODE_CACHE_SUFFIX);
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    // The size and time of the very bytes read (one descriptor), so a rebuild in between cannot mix them.
    const stat = fs.fstatSync(fd, { bigint: true });
    if (data && data.toString('latin1', 0, CODE_CACHE_HEADER_BYTES) !== codeCacheHeader(stat)) return { stale: true };
    return { stat, source: fs.readFileSync(fd, 'utf8'), cachedData: data ? data.subarray(CODE_CACHE_HEADER_BYTES) : undefined };
  } finally {
    fs.closeSync(fd);
  }
}

/** require(file), through its code cache when there is one (or to record one). */
function requireBundle(file) {
  if (require.cache[file]) return require.cache[file].exports;
  const found = sourceWithCache(file);
  if (!found || found.stale) {
    bundleLoads.set(path.basename(file), found ? 'stale' : 'none');
    return require(file);
  }
  const Module = require('node:module');
  const script = new (require('node:vm').Script)(Module.wrap(found.source), { filename: file, cachedData: found.cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  require.cache[file] = mod;
  try {
    script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  } catch (err) {
    delete require.cache[file];
    throw err;
  }
  mod.loaded = true;
  bundleLoads.set(path.basename(file), recording ? 'recorded' : script.cachedDataRejected ? 'rejected' : 'cache');
  // Only a run that succeeded leaves a cache.
  if (recording) process.once('exit', (code) => code === 0 && writeCodeCache(file, found.stat, script.createCachedData()));
  return mod.exports;
}

/** Write NAME.cjs.v8 atomically (another process reads the old one or the new one). */
function writeCodeCache(file, stat, data) {
  const temp = `${file}${CODE_CACHE_SUFFIX}.tmp-${process.pid}`;
  fs.writeFileSync(temp, Buffer.concat([Buffer.from(codeCacheHeader(stat), 'latin1'), data]));
  fs.renameSync(temp, file + CODE_CACHE_SUFFIX);
}

/** The bundle's real path: the key node's own require caches it under (an install through a link). */
function bundlePath(name) {
  const file = path.join(__dirname, '..', 'dist', 'cli', `${name}.cjs`);
  try {
    return fs.realpathSync.native(file);
  } catch {
    return file; // not built: require says so below
  }
}

function load(name) {
  const file = bundlePath(name);
  try {
    return requireBundle(file);
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes(`${name}.cjs`)) throw err;
    process.stderr.write(
      `pith-tex: not built: dist/cli/${name}.cjs is missing; run \`npm run build\` in ${path.resolve(__dirname, '..')} (a clone of the repository is not built by npm install)\n`,
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
// bundleLoads says how each bundle was loaded (test/code-cache.test.ts, bench/startup.ts).
module.exports = { run, start, bundleLoads };
if (require.main === module) start();
