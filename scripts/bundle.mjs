// The CLI as node runs it: one CommonJS file per command, bundled from the ESM TypeScript sources
// by esbuild (run by `npm run build`, `npm test` and `npm run example`; tsc builds the tests).
//
// Why CommonJS bundles: node starts an ES module graph slower than one CommonJS file, and `check`
// runs before every LaTeX build (issue 16: an empty .mjs costs 9 % of node's start-up, an empty
// .cjs nothing). bin/pith-tex.js loads only the bundle of the command it runs:
//   check.cjs        `check`: node built-ins and small first-party modules (no noble, commander,
//                    Handlebars, io/http); its slow path (the full verifier) is check-slow.cjs.
//   verify.cjs       `verify`, one file or many (the workers run verify-worker.cjs).
//   cli.cjs          commander and the help texts; each command's module is its own bundle
//                    (stamp.cjs, resolve.cjs, ...), loaded when that command runs.
//   argv.cjs         the other commands' plain command lines without commander, read with
//                    commands.json: each command's options as commander has them from cli.ts.
// Handlebars: templates/pith.sty.hbs is compiled here (Handlebars.precompile); the bundles carry
// handlebars/runtime only (src/core/sty-template.ts says how).
//
//   node scripts/bundle.mjs              build dist/cli/*.cjs and dist/cli/meta.json, then the
//                                        code caches dist/cli/*.cjs.v8 (scripts/code-cache.mjs)
//   node scripts/bundle.mjs --if-stale   only when a source is newer than the last build (tests)
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleIsStale, bundleMeta } from './bundle-stale.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'cli');
const src = (p) => path.join(root, 'src', p);

/** Command modules: src/commands/NAME.ts becomes dist/cli/NAME.cjs (check-slow and verify-worker are built below). */
const COMMANDS = readdirSync(src('commands'))
  .filter((f) => f.endsWith('.ts') && !/-(slow|worker)\.ts$/.test(f))
  .map((f) => f.slice(0, -3));

/** The template, precompiled, as the module that replaces src/core/sty-template.ts in bundles. */
function precompiledTemplateModule() {
  const text = readFileSync(path.join(root, 'templates', 'pith.sty.hbs'), 'utf8');
  const spec = Handlebars.precompile(text, { noEscape: true, strict: true });
  return `import Handlebars from 'handlebars/runtime';
const BUILT_FROM = ${JSON.stringify(text)};
const compiled = Handlebars.template(${spec});
export function compileStyTemplate(text) {
  if (text !== BUILT_FROM) {
    throw new Error('templates/pith.sty.hbs changed after pith-tex was built: run npm run build');
  }
  return compiled;
}
`;
}

/** Replace src/core/sty-template.ts by the precompiled template. */
const precompiledTemplate = {
  name: 'precompiled-template',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]core[\\/]sty-template\.ts$/ }, () => ({
      contents: precompiledTemplateModule(),
      loader: 'js',
      resolveDir: src('core'),
    }));
  },
};

/**
 * Node built-ins loaded on first use: commander requires child_process for a feature pith-tex
 * does not use, io/http.ts needs http/https/net/tls/dns only when a command goes online, and os is
 * asked only where HOME is not set (loading it costs `check` 3 % of node's start-up), and crypto
 * (with its streams, 7 %) only when a signature is not in the memory of verified ones
 * (io/signature-memo.ts) or a temporary file is named. Each becomes a module of getters over the
 * real one.
 */
const LAZY_BUILTINS = ['child_process', 'http', 'https', 'net', 'tls', 'dns', 'os', 'crypto'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(?:node:)?(${LAZY_BUILTINS.join('|')})$`);
    b.onResolve({ filter }, (args) =>
      args.namespace === 'lazy-builtin'
        ? { path: args.path, external: true }
        : { path: filter.exec(args.path)[1], namespace: 'lazy-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
      const keys = Object.keys(await import(`node:${args.path}`)).filter((k) => k !== 'default');
      const getters = keys.map((k) => `  ${JSON.stringify(k)}: { enumerable: true, get: () => load()[${JSON.stringify(k)}] },`).join('\n');
      return {
        contents: `let real;\nconst load = () => (real ??= require('node:${args.path}'));\nmodule.exports = Object.defineProperties({}, {\n${getters}\n});\n`,
        loader: 'js',
      };
    });
  },
};

/**
 * Dynamic imports of first-party modules that are not bundled into this file: `map` gives, for a
 * source path (relative to src/), the bundle (relative to dist/cli/) that stands for it.
 */
function externalImports(map) {
  return {
    name: 'external-imports',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const rel = path.relative(src('.'), path.resolve(args.resolveDir, args.path)).replace(/\\/g, '/');
        const target = map(rel);
        return target ? { path: `./${target}`, external: true } : undefined;
      });
    },
  };
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // import() of a bundle becomes require(): no ES module loader at run time.
  supported: { 'dynamic-import': false },
  // pdf-lib is large and only `inspect` reads PDFs: node loads it from node_modules when asked.
  external: ['pdf-lib'],
  legalComments: 'none',
  // Less for node to read and compile at every start; names kept, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  // import.meta.url in a CommonJS bundle: the bundle's own file (io/package-files.ts finds
  // package.json from it; verify finds its worker beside it).
  // Computed when first asked (pathToFileURL costs `check` half a millisecond it never needs).
  define: { 'import.meta.url': '__bundle.url' },
  banner: { js: 'const __bundle = { get url() { return require("node:url").pathToFileURL(__filename).href; } };' },
  metafile: true,
  logLevel: 'warning',
};

/** The modules check-slow.ts re-exports, as paths relative to src/ (`core/lock.js`, ...). */
const SLOW_PATH = new Set([...readFileSync(src('commands/check-slow.ts'), 'utf8').matchAll(/from '\.\.\/([^']+)'/g)].map((m) => m[1]));

const commandOf = (rel) => /^commands\/([a-z-]+)\.js$/.exec(rel)?.[1];

const builds = [
  // `check`: the modules of its slow path (the full verifier, for the report when the lean one
  // does not say "verified"), those src/commands/check-slow.ts re-exports, are one other bundle,
  // check-slow.cjs; what else it imports dynamically (the small title check) is bundled in.
  {
    entryPoints: { check: src('commands/check.ts') },
    plugins: [precompiledTemplate, externalImports((rel) => (SLOW_PATH.has(rel) ? 'check-slow.cjs' : undefined))],
  },
  { entryPoints: { 'check-slow': src('commands/check-slow.ts') }, plugins: [precompiledTemplate] },
  // The commander program: each command is its own bundle.
  {
    entryPoints: { cli: src('cli.ts') },
    plugins: [externalImports((rel) => (commandOf(rel) ? `${commandOf(rel)}.cjs` : undefined))],
  },
  // Each command, with what it imports dynamically bundled in (initialised only when used).
  // Each command; `stamp` and `inspect` import the resolver (HTTP, cache) only for a query, so
  // it is a bundle of its own there, io-resolve.cjs.
  ...COMMANDS.filter((c) => c !== 'check').map((c) => ({
    entryPoints: { [c]: src(`commands/${c}.ts`) },
    plugins: [precompiledTemplate, externalImports((rel) => (rel === 'io/resolve.js' && c !== 'resolve' ? 'io-resolve.cjs' : undefined))],
  })),
  { entryPoints: { 'io-resolve': src('io/resolve.ts') } },
  // Reading a command line without commander (src/argv.ts), with dist/cli/commands.json.
  { entryPoints: { argv: src('argv.ts') } },
  { entryPoints: { 'verify-worker': src('commands/verify-worker.ts') }, plugins: [precompiledTemplate] },
];

const metaFile = bundleMeta(root);
if (process.argv.includes('--if-stale') && !bundleIsStale(root)) process.exit(0);

const [{ build }, { default: Handlebars }] = await Promise.all([import('esbuild'), import('handlebars')]);

// Built into a fresh folder, then each file renamed into place (a test that starts the CLI
// meanwhile runs the old bundle or the new one, never half of one); meta.json last.
const tmp = `${out}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const meta = {};
await Promise.all(
  builds.map(async (options) => {
    const plugins = [lazyBuiltins, ...(options.plugins ?? [])];
    const result = await build({ ...common, ...options, plugins, outdir: tmp, outExtension: { '.js': '.cjs' } });
    for (const [file, info] of Object.entries(result.metafile.outputs)) {
      const bytesByInput = Object.fromEntries(Object.entries(info.inputs).map(([input, { bytesInOutput }]) => [input, bytesInOutput]));
      meta[path.basename(file)] = { bytes: info.bytes, inputs: Object.keys(info.inputs).sort(), bytesByInput };
    }
  }),
);
// Each command's arguments, options and defaults, as commander has them from cli.ts.
const requireHere = createRequire(import.meta.url);
const { buildProgram } = requireHere(path.join(tmp, 'cli.cjs'));
const { commandSpecs } = requireHere(path.join(tmp, 'argv.cjs'));
writeFileSync(path.join(tmp, 'commands.json'), `${JSON.stringify(commandSpecs(buildProgram()), null, 1)}\n`);
meta['commands.json'] = { bytes: statSync(path.join(tmp, 'commands.json')).size, inputs: ['src/cli.ts'] };
for (const name of Object.keys(meta)) renameSync(path.join(tmp, name), path.join(out, name));
// Which source files each bundle holds (test/bundle.test.ts reads it).
writeFileSync(path.join(tmp, 'meta.json'), `${JSON.stringify(meta, null, 1)}\n`);
renameSync(path.join(tmp, 'meta.json'), metaFile);
rmSync(tmp, { recursive: true, force: true });
// The V8 code caches of the bundles authors wait on (dist/cli/NAME.cjs.v8), made for this build.
await import('./code-cache.mjs');
