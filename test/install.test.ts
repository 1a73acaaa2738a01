// pith-tex installs like any npm CLI: the packed tarball (`npm pack`) installs into a fresh
// prefix with `npm install -g --prefix` from the npm cache alone (no network, no build on
// install), and the installed binary answers --help and -v and stamps, builds and checks a new
// paper.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './helpers.js';
import { tempDir } from './support/temp.js';
import { NUMBER } from './support/stamped-paper.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: string[], cwd: string, timeout = 300_000) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' },
  });
  return { code: r.status, out: r.stdout ?? '', err: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

test('npm pack → npm install -g --prefix (offline) → pith-tex --help, -v, stamp → latexmk → check', { timeout: 600_000 }, (t) => {
  const work = tempDir(t, 'pith-install-');
  // dist/ is built by `npm test` (tsc) before the tests run; --ignore-scripts keeps prepack from
  // rebuilding it under the feet of the tests running beside this one.
  const packed = run(npm, ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], repoRoot);
  assert.equal(packed.code, 0, packed.err);
  const [info] = JSON.parse(packed.out) as { filename: string; files: { path: string }[] }[];
  const files = info!.files.map((f) => f.path);
  for (const f of [
    'LICENSE',
    'README.md',
    'bin/pith-tex.js',
    'bin/package.json',
    'dist/cli/cli.cjs',
    'dist/cli/check.cjs',
    'dist/src/cli.js',
    'tex/pith.sty',
    'templates/pith.sty.hbs',
    'docs/stamp.md',
    'examples/badge.svg',
  ]) {
    assert.ok(files.includes(f), `the tarball holds ${f}`);
  }
  assert.ok(
    !files.some((f) => f.startsWith('dist/test/') || f.startsWith('src/') || f.startsWith('test/')),
    'no tests or TypeScript sources',
  );
  // Relative links in the README point at files that are in the tarball.
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  for (const [, link] of readme.matchAll(/\]\(((?!https?:|#)[^)\s]+)\)/g)) {
    const target = (link as string).replace(/#.*$/, '').replace(/\/$/, '');
    assert.ok(
      files.some((f) => f === target || f.startsWith(`${target}/`)),
      `README link ${link} is in the tarball`,
    );
  }

  const prefix = path.join(work, 'prefix');
  const install = (mode: string) =>
    run(npm, ['install', '-g', '--prefix', prefix, mode, '--no-audit', '--no-fund', path.join(work, info!.filename)], work);
  // The dependencies' tarballs are in the npm cache (npm ci put them there); their registry
  // documents may not be (npm ci does not need them): then --prefer-offline reads only those
  // from the registry, once, and every later run is offline.
  let installed = install('--offline');
  if (installed.code !== 0 && /ENOTCACHED/.test(installed.err)) {
    process.stdout.write('# install: not all registry documents are cached; --prefer-offline (tarballs from the cache)\n');
    installed = install('--prefer-offline');
  }
  assert.equal(installed.code, 0, `npm install -g from the cache: ${installed.err}`);
  assert.doesNotMatch(installed.err, /install script|prepare/i, 'nothing is built on install');
  const bin = path.join(prefix, 'bin', 'pith-tex');
  assert.ok(existsSync(bin), `${bin} installed`);

  const help = run(bin, ['--help'], work);
  assert.equal(help.code, 0, help.err);
  assert.match(help.out, /Usage: pith-tex \[options\] \[command\]/);
  const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal(run(bin, ['-v'], work).out, `${version}\n`);

  // A fresh paper of the author's own, stamped from the installed package's example bundle.
  const paper = path.join(work, 'my-paper');
  mkdirSync(paper);
  writeFileSync(
    path.join(paper, 'main.tex'),
    '\\documentclass{article}\n\\usepackage[hidelinks]{hyperref}\n\\title{My paper}\\author{Me}\n\\begin{document}\n\\maketitle\nHello.\n\\end{document}\n',
  );
  const bundle = path.join(prefix, 'lib', 'node_modules', 'pith-tex', 'examples', 'moe-paper', '2109.10465v1.bundle.json');
  const stamp = run(bin, ['stamp', 'main.tex', '--bundle', bundle, '--offline'], paper);
  assert.equal(stamp.code, 0, stamp.err);
  assert.match(stamp.out, new RegExp(`^Stamped main\\.tex with ${NUMBER}`));
  const build = run('latexmk', ['-pdf', '-interaction=nonstopmode', '-halt-on-error', 'main.tex'], paper, 180_000);
  assert.equal(build.code, 0, build.out.slice(-2000));
  const check = run(bin, ['check', 'main.tex'], paper);
  assert.equal(check.code, 0, check.err);
  assert.match(check.out, new RegExp(`✓ ${NUMBER}`));
  const inspect = run(bin, ['inspect', 'main.pdf'], paper);
  assert.equal(inspect.code, 0, inspect.out + inspect.err);
  assert.deepEqual(
    readdirSync(paper)
      .filter((f) => f.startsWith('pith'))
      .sort(),
    ['pith.lock.json', 'pith.sty'],
  );
});
