// pith-tex hook: the .latexmkrc block (pure), and real latexmk runs in every mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, utimesSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hookBlock, hookStatus, installHook, removeHook, HOOK_BEGIN } from '../src/core/latexmkrc.js';
import { cliPath, repoRoot } from './helpers.js';
import { canonicalJson, type JsonValue } from '../src/core/json.js';
import { int, pick, rng } from './support/random.js';
import { makeStampedPaper, paperTex, BODY, OTHER_BODY } from './support/stamped-paper.js';

const block = hookBlock('print "hook\\n";\n');

test('latexmkrc: install keeps the author bytes, is idempotent, remove restores them exactly', () => {
  const authored = [
    '$pdf_mode = 1;\r\n# a comment with # >>> pith-tex hook >>> inside\r\n$bibtex_use = 2;', // no final newline, CRLF
    '$pdflatex = "pdflatex -synctex=1 %O %S";\n',
    '',
  ];
  for (const original of authored) {
    const once = installHook(original, block);
    assert.ok(once.text.startsWith(original), 'the author lines are a byte-exact prefix');
    assert.equal(installHook(once.text, block).action, 'unchanged');
    assert.equal(installHook(once.text, block).text, once.text);
    assert.equal(once.text.split(HOOK_BEGIN).length - 1 - (original.includes(HOOK_BEGIN) ? 1 : 0), 1);
    assert.equal(hookStatus(once.text, block).state, 'current');
    assert.equal(removeHook(once.text).text, original);
    // A newer template replaces the block in place.
    const newer = hookBlock('print "hook v2\\n";\n');
    const up = installHook(once.text, newer);
    assert.equal(up.action, 'updated');
    assert.equal(hookStatus(up.text, block).state, 'outdated');
    assert.equal(removeHook(up.text).text, original);
  }
  assert.equal(installHook(null, block).action, 'created');
  assert.equal(hookStatus(null, block).state, 'absent');
  // An engine set after the block undoes it: status says so, install moves the block below.
  const inst = installHook('$pdf_mode = 1;\n', block).text;
  const later = `${inst}$pdflatex = 'pdflatex %O %S';\n`;
  assert.deepEqual(hookStatus(later, block).overriddenAfter, ['$pdflatex']);
  const moved = installHook(later, block);
  assert.equal(moved.action, 'moved');
  assert.ok(moved.text.startsWith("$pdf_mode = 1;\n$pdflatex = 'pdflatex %O %S';\n"));
  assert.deepEqual(hookStatus(moved.text, block).overriddenAfter, []);
  assert.throws(() => removeHook(`x\n${HOOK_BEGIN}\nno end\n`), /without its/);
});

test('the hook\'s core-Perl canonical JSON is byte for byte src/core/json.ts canonicalJson (600 random documents)', () => {
  const r = rng(2026);
  const chars = ['a', 'Z', 'é', 'ß', '\u0000', '\u0001', '\u001f', '\u007f', '\u2028', '\uffff', '😀', '𝔸', '"', '\\', '/', '\n', '\t', ' ', '中'];
  const str = (): string => Array.from({ length: int(r, 0, 6) }, () => pick(r, chars)).join('');
  const value = (depth: number): JsonValue => {
    const k = int(r, 0, depth > 3 ? 3 : 5);
    if (k === 0) return str();
    if (k === 1) return int(r, -1e6, 1e6);
    if (k === 2) return pick(r, [true, false, null]);
    if (k === 3) return BigInt(int(r, 0, 1e6)) * 10n ** BigInt(pick(r, [0, 3, 9, 17, 30]));
    if (k === 4) return Array.from({ length: int(r, 0, 4) }, () => value(depth + 1));
    const o: Record<string, JsonValue> = {};
    for (let i = int(r, 0, 5); i > 0; i--) o[str()] = value(depth + 1);
    return o as JsonValue;
  };
  const docs = Array.from({ length: 600 }, () => value(4 - int(r, 0, 1) * 4));
  // Input: the documents in insertion (unsorted) key order, one per line.
  const input = docs.map((d) => JSON.stringify(d, (_k, v) => (typeof v === 'bigint' ? `@big${v}` : v)).replace(/"@big(\d+)"/g, '$1')).join('\n');
  const perl = spawnSync('perl', ['-MJSON::PP', '-e', `our ($pdflatex, $latex, $xelatex, $lualatex); do './templates/latexmkrc-hook.pl'; die $@ if $@;
    binmode STDOUT; while (my $l = <STDIN>) { chomp $l; print unpack('H*', PithTexHook::canonical_json(JSON::PP->new->utf8->allow_bignum->decode($l))), "\n" }`], { cwd: repoRoot, input, encoding: 'utf8' });
  assert.equal(perl.status, 0, perl.stderr);
  const got = perl.stdout.trim().split('\n');
  assert.equal(got.length, docs.length);
  docs.forEach((d, i) => assert.equal(got[i], Buffer.from(canonicalJson(d), 'utf8').toString('hex'), `document ${i}: ${canonicalJson(d)}`));
  // JSON::PP 4.07 reads 20-digit integers above 2^64 as floats: refused, never hashed wrongly.
  const big = spawnSync('perl', ['-MJSON::PP', '-e', `our ($pdflatex, $latex, $xelatex, $lualatex); do './templates/latexmkrc-hook.pl';
    print PithTexHook::canonical_json(JSON::PP->new->utf8->allow_bignum->decode('[51164000000000000000]'))`], { cwd: repoRoot, encoding: 'utf8' });
  assert.notEqual(big.status, 0);
  assert.match(big.stderr, /cannot hash exactly/);
});

// ------------------------------------------------------------------ real latexmk runs

const haveLatexmk = spawnSync('latexmk', ['-v'], { encoding: 'utf8' }).status === 0;
const binDir = mkdtempSync(path.join(os.tmpdir(), 'pith-bin-'));
const shim = path.join(binDir, 'pith-tex');
writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`);
chmodSync(shim, 0o755);
/** PATH with pith-tex first. */
const withPith = `${binDir}${path.delimiter}${process.env.PATH ?? ''}`;
/**
 * PATH without pith-tex and without node: a folder of links to everything in the folders that
 * hold latexmk, pdflatex, perl and sh, except node, npm, npx, corepack and pith-tex.
 */
const noNodeDir = mkdtempSync(path.join(os.tmpdir(), 'pith-nonode-'));
for (const tool of ['latexmk', 'pdflatex', 'perl', 'sh']) {
  const where = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
  if (!where) continue;
  for (const name of readdirSync(path.dirname(where))) {
    if (/^(node|nodejs|npm|npx|corepack|pith-tex)$/.test(name) || existsSync(path.join(noNodeDir, name))) continue;
    symlinkSync(path.join(path.dirname(where), name), path.join(noNodeDir, name));
  }
}
const noNodePath = noNodeDir;

/**
 * Write, then date the file ahead, each time at least a second later than the last: latexmk
 * compares whole-second mtimes and sizes, and a tampered number has the same size.
 */
let lastStamp = 0;
function writeLater(file: string, text: string): void {
  writeFileSync(file, text);
  lastStamp = Math.max(Date.now() + 2000, lastStamp + 1100);
  const t = new Date(lastStamp);
  utimesSync(file, t, t);
}

function latexmk(dir: string, args: string[], PATH: string) {
  const r = spawnSync('latexmk', ['-interaction=nonstopmode', '-halt-on-error', ...args, 'main.tex'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH, PITH_TEX: '' },
    timeout: 120_000,
  });
  return { code: r.status, log: `${r.stdout}\n${r.stderr}` };
}

async function hookedPaper(): Promise<string> {
  const { dir } = await makeStampedPaper('pith-hook-');
  const r = spawnSync(process.execPath, [cliPath, 'hook', 'install', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

const modes: [string, string[], string][] = [
  ['-pdf', ['-pdf'], 'main.pdf'],
  ['-pdfxe', ['-pdfxe'], 'main.pdf'],
  ['-pdflua', ['-pdflua'], 'main.pdf'],
  ['-pdfdvi', ['-pdfdvi'], 'main.pdf'],
  ['-ps', ['-ps'], 'main.ps'],
  // The engine named on latexmk's command line, after the .latexmkrc is read: not wrapped, so
  // the hook's before_xlatex check must stop the run.
  ['-pdf -pdflatex="…"', ['-pdf', '-pdflatex=pdflatex -file-line-error %O %S'], 'main.pdf'],
  ['-pdflua -lualatex="…"', ['-pdflua', '-lualatex=lualatex %O %S'], 'main.pdf'],
];

for (const [name, args, output] of modes) {
  test(`hook with latexmk ${name}: a matching paper builds, a tampered \\pithnumber fails the build`, { skip: !haveLatexmk }, async () => {
    const dir = await hookedPaper();
    try {
      let r = latexmk(dir, args, withPith);
      assert.equal(r.code, 0, r.log);
      assert.match(r.log, /pith-tex hook: main\.tex: pith\.lock\.json, \\pithnumber and pith\.sty agree/);
      // One check line per LaTeX run: a wrapped engine is not checked a second time by the
      // before_xlatex hook, and a command-line engine is checked by that hook alone.
      const runs = r.log.match(/Run number \d+ of rule '(?:pdf|lua|xe)?latex'/g)?.length ?? 0;
      assert.ok(runs >= 1, r.log);
      assert.equal(r.log.match(/pith-tex hook: main\.tex: /g)?.length, runs, r.log);
      assert.ok(existsSync(path.join(dir, output)));
      if (output.endsWith('.pdf')) {
        // The PDF of each engine path carries the metadata pith-tex inspect reads back (pdf-lib).
        const i = spawnSync(process.execPath, [cliPath, 'inspect', path.join(dir, output), '--json'], { encoding: 'utf8' });
        assert.equal(i.status, 0, `${name}: ${i.stdout}${i.stderr}`);
        assert.equal(JSON.parse(i.stdout).pdf_metadata.number, `pith:2021:${BODY}`);
      }
      const built = statSync(path.join(dir, output)).mtimeMs;
      writeLater(path.join(dir, 'main.tex'), paperTex(OTHER_BODY));
      r = latexmk(dir, args, withPith);
      assert.equal(r.code, 12, r.log);
      assert.match(r.log, /pith-tex(?: check)?: ✗ main\.tex says \\pithnumber\{AAAA.*pith\.lock\.json holds/);
      assert.equal(statSync(path.join(dir, output)).mtimeMs, built, 'the engine did not run');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('hook: a tampered lock file fails the build; status and remove', { skip: !haveLatexmk }, async () => {
  const dir = await hookedPaper();
  try {
    const lock = path.join(dir, 'pith.lock.json');
    writeFileSync(lock, readFileSync(lock, 'utf8').replace('"primary_cat": "', '"primary_cat": "x'));
    const r = latexmk(dir, ['-pdf'], withPith);
    assert.equal(r.code, 12, r.log);
    assert.match(r.log, /pith\.lock\.json does not verify/);
    const st = spawnSync(process.execPath, [cliPath, 'hook', 'status', dir, '--json'], { encoding: 'utf8' });
    assert.equal(st.status, 0, st.stdout);
    assert.equal(JSON.parse(st.stdout).state, 'current');
    assert.equal(spawnSync(process.execPath, [cliPath, 'hook', 'remove', dir], { encoding: 'utf8' }).status, 0);
    assert.equal(readFileSync(path.join(dir, '.latexmkrc'), 'utf8'), '');
    assert.equal(spawnSync(process.execPath, [cliPath, 'hook', 'status', dir], { encoding: 'utf8' }).status, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hook without pith-tex or node on the PATH: core-Perl check, says the signature was not checked', { skip: !haveLatexmk }, async () => {
  const dir = await hookedPaper();
  try {
    assert.ok(!existsSync(path.join(noNodePath, 'node')) && !existsSync(path.join(noNodePath, 'pith-tex')));
    let r = latexmk(dir, ['-pdf'], noNodePath);
    assert.equal(r.code, 0, r.log);
    assert.match(r.log, /not on the PATH here; running the core-Perl check/);
    assert.match(r.log, /Ed25519 signature was NOT checked/);
    writeLater(path.join(dir, 'main.tex'), paperTex(`pith:2021:${OTHER_BODY}`));
    r = latexmk(dir, ['-pdf'], noNodePath);
    assert.equal(r.code, 12, r.log);
    assert.match(r.log, /main\.tex says \\pithnumber\{pith:2021:AAAA/);
    writeLater(path.join(dir, 'main.tex'), paperTex(BODY));
    const lock = path.join(dir, 'pith.lock.json');
    const good = readFileSync(lock, 'utf8');
    writeLater(lock, good.replace('"primary_cat": "', '"primary_cat": "x'));
    r = latexmk(dir, ['-pdf'], noNodePath);
    assert.equal(r.code, 12, r.log);
    assert.match(r.log, /pith\.lock\.json does not verify: canonical_sha256/);
    writeLater(lock, good);
    writeLater(path.join(dir, 'pith.sty'), readFileSync(path.join(dir, 'pith.sty'), 'utf8').replaceAll(BODY, OTHER_BODY));
    r = latexmk(dir, ['-pdf'], noNodePath);
    assert.equal(r.code, 12, r.log);
    assert.match(r.log, /pith\.sty is stamped for pith:2021:AAAA/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// With the wrapped engine, and with one named on the command line (checked in before_xlatex).
const pvcCases: [string, string[]][] = [
  ['', []],
  [' -pdflatex="…" (engine from the command line)', ['-pdflatex=pdflatex %O %S']],
];
for (const [label, engineArgs] of pvcCases) test(`hook with latexmk -pvc${label}: fails after a tampered edit, keeps watching, recovers when mended`, { skip: !haveLatexmk, timeout: 200_000 }, async () => {
  const dir = await hookedPaper();
  const child = spawn('latexmk', ['-pvc', '-view=none', '-pdf', ...engineArgs, '-interaction=nonstopmode', '-e', '$sleep_time=1; $| = 1', 'main.tex'], {
    cwd: dir,
    env: { ...process.env, PATH: withPith, PITH_TEX: '' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const waitFor = async (re: RegExp, from: number, what: string): Promise<number> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const m = re.exec(log.slice(from));
      if (m) return from + m.index + m[0].length;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`timed out waiting for ${what}; log:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const ok = /pith-tex hook: main\.tex: pith\.lock\.json, \\pithnumber and pith\.sty agree[\s\S]*?=== Watching for updated files/;
  const failed = /pith-tex hook: the check failed[\s\S]*?=== Watching for updated files/;
  // latexmk sees a change by mtime (whole seconds) and size: let a second pass before each edit.
  const edit = async (file: string, text: string): Promise<void> => {
    await new Promise((r) => setTimeout(r, 1100));
    writeFileSync(file, text);
  };
  try {
    let at = await waitFor(ok, 0, 'the first build');
    await edit(path.join(dir, 'main.tex'), paperTex(OTHER_BODY));
    at = await waitFor(failed, at, 'the failure after a tampered \\pithnumber');
    assert.equal(child.exitCode, null, '-pvc is still running');
    await edit(path.join(dir, 'main.tex'), paperTex(BODY));
    at = await waitFor(ok, at, 'recovery after mending');
    // The lock file is watched too, though TeX never reads it.
    const lock = path.join(dir, 'pith.lock.json');
    const good = readFileSync(lock, 'utf8');
    await edit(lock, good.replace('"primary_cat": "', '"primary_cat": "x'));
    at = await waitFor(failed, at, 'the failure after a tampered lock');
    await edit(lock, good);
    await waitFor(ok, at, 'recovery after mending the lock');
    assert.equal(child.exitCode, null);
  } finally {
    if (child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

test.after(() => {
  rmSync(binDir, { recursive: true, force: true });
  rmSync(noNodeDir, { recursive: true, force: true });
});

test("the hook's Perl canonical JSON (JSON::PP canonical, UTF-8) equals canonicalJson on tricky strings", async () => {
  const { canonicalJson, parseJson } = await import('../src/core/json.js');
  const values = [
    { b: 1, a: [true, false, null], 'é': 'x', 'Z': { y: '\u0001\u001f"\\/\n\t\b\f\r' } },
    { 'ключ': 'значение', '\u{1F600}': 'emoji \u2028 \u007f', a: -12, aa: 0 },
    { 'b': 'x', 'B': 'y', '_': '', 'ä': 'ä', 'z': 'ﬀ' },
  ];
  for (const v of values) {
    const json = JSON.stringify(v);
    // The hook's own PithTexHook::canonical_json, loaded from the template (not a copy of it).
    const r = spawnSync('perl', ['-MJSON::PP', '-e', `our ($pdflatex, $latex, $xelatex, $lualatex); do './templates/latexmkrc-hook.pl'; die $@ if $@;
      local $/; my $j = <STDIN>; binmode STDOUT; print PithTexHook::canonical_json(JSON::PP->new->utf8->decode($j));`], { cwd: repoRoot, input: json, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, canonicalJson(parseJson(json)), json);
  }
});

test('hook install twice through the CLI: the author\'s .latexmkrc bytes stay a prefix, one block; their $pdflatex is kept and wrapped', { skip: !haveLatexmk }, async () => {
  const { dir } = await makeStampedPaper('pith-hook-author-');
  try {
    const rc = path.join(dir, '.latexmkrc');
    const authored = "# my settings\r\n$pdf_mode = 1;\r\n$pdflatex = 'pdflatex -synctex=1 %O %S';"; // CRLF, no final newline
    writeFileSync(rc, authored);
    for (let i = 0; i < 2; i++) assert.equal(spawnSync(process.execPath, [cliPath, 'hook', 'install', dir], { encoding: 'utf8' }).status, 0);
    const text = readFileSync(rc, 'utf8');
    assert.ok(text.startsWith(authored));
    assert.equal(text.split(HOOK_BEGIN).length, 2, 'one block');
    // Plain `latexmk` (pdf_mode from the author's rc) runs the author's engine command, checked.
    let r = latexmk(dir, [], withPith);
    assert.equal(r.code, 0, r.log);
    assert.match(r.log, /pith-tex hook: main\.tex: pith\.lock\.json, \\pithnumber and pith\.sty agree/);
    assert.ok(existsSync(path.join(dir, 'main.synctex.gz')), 'the author\'s -synctex=1 was kept');
    writeLater(path.join(dir, 'main.tex'), paperTex(OTHER_BODY));
    r = latexmk(dir, [], withPith);
    assert.equal(r.code, 12, r.log);
    assert.equal(spawnSync(process.execPath, [cliPath, 'hook', 'remove', dir], { encoding: 'utf8' }).status, 0);
    assert.equal(readFileSync(rc, 'utf8'), authored, 'remove gives the author\'s bytes back exactly');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hook (Node and core-Perl paths): \\pithnumber in an \\input preamble file is checked there', { skip: !haveLatexmk }, async () => {
  const dir = await hookedPaper();
  try {
    writeFileSync(path.join(dir, 'main.tex'), '\\documentclass{article}\n\\input{preamble}\n\\begin{document}\nHi.\n\\end{document}\n');
    writeLater(path.join(dir, 'preamble.tex'), `\\usepackage{pith}\n\\pithnumber{${BODY}}\n`);
    for (const PATH of [withPith, noNodePath]) {
      writeLater(path.join(dir, 'preamble.tex'), `\\usepackage{pith}\n\\pithnumber{${BODY}}\n`);
      let r = latexmk(dir, ['-pdf'], PATH);
      assert.equal(r.code, 0, r.log);
      assert.doesNotMatch(r.log, /check failed/);
      writeLater(path.join(dir, 'preamble.tex'), `\\usepackage{pith}\n\\pithnumber{${OTHER_BODY}}\n`);
      r = latexmk(dir, ['-pdf'], PATH);
      assert.equal(r.code, 12, r.log);
      assert.match(r.log, /preamble\.tex says \\pithnumber\{AAAA/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hook on a paper with nothing stamped: both paths say "not checked" and the build goes on', { skip: !haveLatexmk }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pith-hook-plain-'));
  try {
    writeFileSync(path.join(dir, 'main.tex'), '\\documentclass{article}\n\\begin{document}\nPlain.\n\\end{document}\n');
    assert.equal(spawnSync(process.execPath, [cliPath, 'hook', 'install', dir], { encoding: 'utf8' }).status, 0);
    let r = latexmk(dir, ['-pdf'], withPith);
    assert.equal(r.code, 0, r.log);
    assert.match(r.log, /nothing stamped[\s\S]*pith-tex hook: not checked \(above\); the build goes on/);
    rmSync(path.join(dir, 'main.pdf'));
    r = latexmk(dir, ['-pdf'], noNodePath);
    assert.equal(r.code, 0, r.log);
    assert.match(r.log, /main\.tex: nothing stamped .*not checked; the build goes on/);
    assert.doesNotMatch(r.log, /agree/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
