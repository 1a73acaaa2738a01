// pith-tex hook: the .latexmkrc block (pure), and real latexmk runs in every mode.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hookBlock, hookStatus, installHook, removeHook, HOOK_BEGIN } from '../src/core/latexmkrc.js';
import { cliPath, fixture, repoRoot } from './helpers.js';
import {
  cleanUpPaths,
  forgetInstalledPithTex,
  haveLatexmk,
  installHookIn,
  latexmk,
  pathWithoutNode,
  pathWithPithTex,
  writeLater,
} from './support/latexmk.js';
import { makeStampedPaper, paperTex, BODY, OTHER_BODY } from './support/stamped-paper.js';
import { tempDir } from './support/temp.js';
import { runCli } from './support/cli.js';

const block = hookBlock('print "hook\\n";\n');

describe('pith-tex hook: the .latexmkrc block', () => {
  test('latexmkrc: install keeps the author bytes, is idempotent, remove restores them exactly', (t) => {
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
    // The author's lines after the block stay where they are (the block wraps no engine variable).
    const later = `${installHook('$pdf_mode = 1;\n', block).text}$pdflatex = 'pdflatex %O %S';\n`;
    assert.equal(installHook(later, block).action, 'unchanged');
    const refreshed = installHook(later, hookBlock('print "hook v2\\n";\n'));
    assert.equal(refreshed.action, 'updated');
    assert.ok(refreshed.text.endsWith("<<<\n$pdflatex = 'pdflatex %O %S';\n"));
    // Two blocks (edited by hand): status says outdated, install leaves one.
    const twice = `${later}${block}`;
    assert.deepEqual(hookStatus(twice, block), { state: 'outdated', blocks: 2 });
    assert.equal(installHook(twice, block).text.split(HOOK_BEGIN).length, 2);
    assert.throws(() => removeHook(`x\n${HOOK_BEGIN}\nno end\n`), /without its/);
  });

  test('the hook block: under 40 lines of Perl that compile, running the installing pith-tex by its absolute path', (t) => {
    const template = readFileSync(path.join(repoRoot, 'templates', 'latexmkrc-hook.pl'), 'utf8');
    assert.ok(template.split('\n').length <= 40, `the template has ${template.split('\n').length} lines`);
    // Paths with quotes, backslashes and spaces reach Perl intact.
    const installed = ["/opt/it's here/node", 'C:\\Users\\a b\\pith-tex.js'];
    const filled = hookBlock(template, { installed, lockFile: 'pith.lock.json' });
    assert.doesNotMatch(filled, /@PITH_TEX_/);
    const dir = tempDir(t, 'pith-hook-abs-');
    writeFileSync(path.join(dir, 'block.pl'), filled);
    const script = 'sub add_hook { 1 } our @pith_tex_installed; do "./block.pl" or die "$@$!"; print join("\\n", @pith_tex_installed)';
    const r = spawnSync('perl', ['-e', script], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, installed.join('\n'));
    // `pith-tex hook install` writes this node and this package's bin, whatever the caller's cwd
    // or the path it was started by (npx runs it from its cache).
    const i = spawnSync(process.execPath, [path.relative(dir, cliPath), 'hook', 'install', '.'], { cwd: dir, encoding: 'utf8' });
    assert.equal(i.status, 0, i.stderr);
    const rc = readFileSync(path.join(dir, '.latexmkrc'), 'utf8');
    assert.ok(rc.includes(`our @pith_tex_installed = ('${process.execPath}', '${realpathSync(cliPath)}');`), rc);
  });

  test(
    "hook install upgrades the old 321-line Perl block in place; remove gives the author's bytes back",
    { skip: !haveLatexmk },
    async (t) => {
      const { dir } = await makeStampedPaper('pith-hook-upgrade-', t);
      const rc = path.join(dir, '.latexmkrc');
      const authored = "$pdf_mode = 1;\r\n$pdflatex = 'pdflatex -synctex=1 %O %S';"; // CRLF, no final newline
      const old = installHook(authored, hookBlock(readFileSync(fixture('latexmkrc-hook-v1.pl'), 'utf8'))).text;
      assert.match(old, /sub pith_tex_run/);
      writeFileSync(rc, old);
      const out = installHookIn(dir);
      assert.match(out, /updated the pith-tex hook/);
      const text = readFileSync(rc, 'utf8');
      assert.ok(text.startsWith(authored));
      assert.equal(text.split(HOOK_BEGIN).length, 2, 'one block');
      assert.doesNotMatch(text, /pith_tex_run|PithTexHook|JSON::PP/);
      writeLater(path.join(dir, 'main.tex'), paperTex(OTHER_BODY));
      const r = latexmk(dir, []);
      assert.equal(r.code, 12, r.log);
      assert.match(r.log, /pith-tex(?: check)?: ✗ main\.tex says \\pithnumber\{AAAA/);
      assert.equal((await runCli(['hook', 'remove', dir])).status, 0);
      assert.equal(readFileSync(rc, 'utf8'), authored);
    },
  );
});

// ------------------------------------------------------------------ real latexmk runs
describe('pith-tex hook: real latexmk runs', () => {
  const withPith = pathWithPithTex();
  const noNodePath = pathWithoutNode();
  test.after(cleanUpPaths);

  /** A stamped paper with the hook installed, removed after test `t`. */
  async function hookedPaper(t: TestContext): Promise<string> {
    const { dir } = await makeStampedPaper('pith-hook-', t);
    installHookIn(dir);
    return dir;
  }

  const AGREE = /pith-tex hook: main\.tex: pith\.lock\.json, \\pithnumber and pith\.sty agree/;
  const NO_PITH_TEX = /pith-tex hook: no pith-tex can run here \(it needs Node\): not checked; pith\.sty's own check guards the build/;
  const count = (log: string, re: RegExp): number => log.match(new RegExp(re.source, 'g'))?.length ?? 0;

  const modes: [string, string[], string][] = [
    ['-pdf', ['-pdf'], 'main.pdf'],
    ['-pdfxe', ['-pdfxe'], 'main.pdf'],
    ['-pdflua', ['-pdflua'], 'main.pdf'],
    ['-pdfdvi', ['-pdfdvi'], 'main.pdf'],
    ['-ps', ['-ps'], 'main.ps'],
    ['-dvi', ['-dvi'], 'main.dvi'],
    // The engine named on latexmk's command line, after the .latexmkrc is read.
    ['-pdf -pdflatex="…"', ['-pdf', '-pdflatex=pdflatex -file-line-error %O %S'], 'main.pdf'],
    ['-pdflua -lualatex="…"', ['-pdflua', '-lualatex=lualatex %O %S'], 'main.pdf'],
  ];

  for (const [name, args, output] of modes) {
    test(
      `hook with latexmk ${name}: a matching paper builds, a tampered \\pithnumber fails the build`,
      { skip: !haveLatexmk },
      async (t) => {
        const dir = await hookedPaper(t);
        let r = latexmk(dir, args);
        assert.equal(r.code, 0, r.log);
        assert.match(r.log, AGREE);
        // One check line per LaTeX run; later passes of a build reuse the first pass's verdict.
        const runs = r.log.match(/Run number \d+ of rule '(?:pdf|lua|xe)?latex'/g)?.length ?? 0;
        assert.ok(runs >= 1, r.log);
        assert.equal(r.log.match(/pith-tex hook: main\.tex: /g)?.length, runs, r.log);
        assert.equal(r.log.match(/record and receipt verified/g)?.length, 1, r.log);
        assert.ok(existsSync(path.join(dir, output)));
        if (output.endsWith('.pdf')) {
          // The PDF of each engine path carries the metadata pith-tex inspect reads back (pdf-lib).
          const i = await runCli(['inspect', path.join(dir, output), '--json']);
          assert.equal(i.status, 0, `${name}: ${i.stdout}${i.stderr}`);
          assert.equal(JSON.parse(i.stdout).pdf_metadata.number, `pith:2021:${BODY}`);
        }
        const built = statSync(path.join(dir, output)).mtimeMs;
        writeLater(path.join(dir, 'main.tex'), paperTex(OTHER_BODY));
        r = latexmk(dir, args);
        assert.equal(r.code, 12, r.log);
        assert.match(r.log, /pith-tex(?: check)?: ✗ main\.tex says \\pithnumber\{AAAA.*pith\.lock\.json holds/);
        assert.match(r.log, /pith-tex hook: the check failed \(above\); this LaTeX run is stopped/);
        assert.equal(statSync(path.join(dir, output)).mtimeMs, built, 'the engine did not run');
      },
    );
  }

  test('hook: a tampered lock file fails the build; status and remove', { skip: !haveLatexmk }, async (t) => {
    const dir = await hookedPaper(t);
    const lock = path.join(dir, 'pith.lock.json');
    writeFileSync(lock, readFileSync(lock, 'utf8').replace('"primary_cat": "', '"primary_cat": "x'));
    const r = latexmk(dir, ['-pdf']);
    assert.equal(r.code, 12, r.log);
    assert.match(r.log, /pith\.lock\.json does not verify/);
    const st = await runCli(['hook', 'status', dir, '--json']);
    assert.equal(st.status, 0, st.stdout);
    assert.equal(JSON.parse(st.stdout).state, 'current');
    assert.equal((await runCli(['hook', 'remove', dir])).status, 0);
    assert.equal(readFileSync(path.join(dir, '.latexmkrc'), 'utf8'), '');
    assert.equal((await runCli(['hook', 'status', dir])).status, 1);
  });

  test(
    'hook: the installing pith-tex runs with no node and no pith-tex on the PATH; without it, the one on the PATH',
    { skip: !haveLatexmk },
    async (t) => {
      const dir = await hookedPaper(t);
      let r = latexmk(dir, ['-pdf'], noNodePath);
      assert.equal(r.code, 0, r.log);
      assert.match(r.log, AGREE);
      forgetInstalledPithTex(dir);
      writeLater(path.join(dir, 'main.tex'), paperTex(OTHER_BODY));
      r = latexmk(dir, ['-pdf'], withPith);
      assert.equal(r.code, 12, r.log);
      assert.match(r.log, /pith-tex(?: check)?: ✗ main\.tex says \\pithnumber\{AAAA/);
      writeLater(path.join(dir, 'main.tex'), paperTex(BODY));
      r = latexmk(dir, ['-pdf'], withPith);
      assert.equal(r.code, 0, r.log);
      assert.match(r.log, AGREE);
    },
  );

  test(
    "hook where no pith-tex can run (a co-author without Node): says so once per latexmk run; pith.sty's own check guards the build",
    { skip: !haveLatexmk },
    async (t) => {
      const dir = await hookedPaper(t);
      forgetInstalledPithTex(dir);
      // Two LaTeX runs (a cross-reference), one notice.
      writeLater(path.join(dir, 'main.tex'), paperTex(BODY, '').replace('Hi.', 'Hi \\ref{x}.\\label{x}'));
      let r = latexmk(dir, ['-pdf'], noNodePath);
      assert.equal(r.code, 0, r.log);
      assert.ok((r.log.match(/Run number \d+ of rule 'pdflatex'/g)?.length ?? 0) >= 2, r.log);
      assert.equal(count(r.log, NO_PITH_TEX), 1, r.log);
      // pith.sty compares \pithnumber with the number it was stamped for: the build fails in TeX.
      writeLater(path.join(dir, 'main.tex'), paperTex(`pith:2021:${OTHER_BODY}`));
      r = latexmk(dir, ['-pdf'], noNodePath);
      assert.equal(r.code, 12, r.log);
      assert.match(r.log, /Package pith Error/);
      assert.equal(count(r.log, NO_PITH_TEX), 1, r.log);
      // TeX never reads the lock: a tampered lock is not seen without pith-tex (it is with it, above).
      writeLater(path.join(dir, 'main.tex'), paperTex(BODY));
      const lock = path.join(dir, 'pith.lock.json');
      writeLater(lock, readFileSync(lock, 'utf8').replace('"primary_cat": "', '"primary_cat": "x'));
      r = latexmk(dir, ['-pdf'], noNodePath);
      assert.equal(r.code, 0, r.log);
      assert.match(r.log, NO_PITH_TEX);
    },
  );

  // With the engine from the rc, and with one named on the command line.
  const pvcCases: [string, string[]][] = [
    ['', []],
    [' -pdflatex="…" (engine from the command line)', ['-pdflatex=pdflatex %O %S']],
  ];
  for (const [label, engineArgs] of pvcCases)
    test(
      `hook with latexmk -pvc${label}: fails after a tampered edit, keeps watching, recovers when mended`,
      { skip: !haveLatexmk, timeout: 200_000 },
      async (t) => {
        const dir = await hookedPaper(t);
        const child = spawn(
          'latexmk',
          ['-pvc', '-view=none', '-pdf', ...engineArgs, '-interaction=nonstopmode', '-e', '$sleep_time=1; $| = 1', 'main.tex'],
          {
            cwd: dir,
            env: process.env,
            detached: true,
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
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
        }
      },
    );

  test(
    "hook install twice through the CLI: the author's .latexmkrc bytes stay a prefix, one block; their $pdflatex is kept and checked",
    { skip: !haveLatexmk },
    async (t) => {
      const { dir } = await makeStampedPaper('pith-hook-author-', t);
      const rc = path.join(dir, '.latexmkrc');
      const authored = "# my settings\r\n$pdf_mode = 1;\r\n$pdflatex = 'pdflatex -synctex=1 %O %S';"; // CRLF, no final newline
      writeFileSync(rc, authored);
      for (let i = 0; i < 2; i++) installHookIn(dir);
      const text = readFileSync(rc, 'utf8');
      assert.ok(text.startsWith(authored));
      assert.equal(text.split(HOOK_BEGIN).length, 2, 'one block');
      // Plain `latexmk` (pdf_mode from the author's rc) runs the author's engine command, checked,
      // and so does an engine the author sets after the block.
      let r = latexmk(dir, []);
      assert.equal(r.code, 0, r.log);
      assert.match(r.log, AGREE);
      const after = "$pdflatex = 'pdflatex -synctex=1 -file-line-error %O %S';\n";
      writeFileSync(rc, text + after);
      rmSync(path.join(dir, 'main.pdf'));
      r = latexmk(dir, []);
      assert.match(r.log, /-synctex=1 -file-line-error/);
      assert.equal(r.code, 0, r.log);
      assert.match(r.log, AGREE);
      assert.ok(existsSync(path.join(dir, 'main.synctex.gz')), "the author's -synctex=1 was kept");
      writeLater(path.join(dir, 'main.tex'), paperTex(OTHER_BODY));
      r = latexmk(dir, []);
      assert.equal(r.code, 12, r.log);
      assert.equal((await runCli(['hook', 'remove', dir])).status, 0);
      assert.equal(readFileSync(rc, 'utf8'), `${authored}\n${after}`, "remove gives the author's bytes back exactly");
    },
  );

  test(
    'hook: \\pithnumber in an \\input preamble file is checked there (and by pith.sty where no pith-tex runs)',
    { skip: !haveLatexmk },
    async (t) => {
      const dir = await hookedPaper(t);
      writeFileSync(path.join(dir, 'main.tex'), '\\documentclass{article}\n\\input{preamble}\n\\begin{document}\nHi.\n\\end{document}\n');
      for (const coAuthor of [false, true]) {
        if (coAuthor) forgetInstalledPithTex(dir);
        writeLater(path.join(dir, 'preamble.tex'), `\\usepackage{pith}\n\\pithnumber{${BODY}}\n`);
        let r = latexmk(dir, ['-pdf'], noNodePath);
        assert.equal(r.code, 0, r.log);
        assert.doesNotMatch(r.log, /check failed/);
        writeLater(path.join(dir, 'preamble.tex'), `\\usepackage{pith}\n\\pithnumber{${OTHER_BODY}}\n`);
        r = latexmk(dir, ['-pdf'], noNodePath);
        assert.equal(r.code, 12, r.log);
        assert.match(r.log, coAuthor ? /Package pith Error/ : /preamble\.tex says \\pithnumber\{AAAA/);
      }
    },
  );

  test('hook on a paper with nothing stamped: "not checked" and the build goes on', { skip: !haveLatexmk }, async (t) => {
    const dir = tempDir(t, 'pith-hook-plain-');
    writeFileSync(path.join(dir, 'main.tex'), '\\documentclass{article}\n\\begin{document}\nPlain.\n\\end{document}\n');
    installHookIn(dir);
    let r = latexmk(dir, ['-pdf']);
    assert.equal(r.code, 0, r.log);
    assert.match(r.log, /nothing stamped[\s\S]*pith-tex hook: main\.tex: not checked \(above\); the build goes on/);
    rmSync(path.join(dir, 'main.pdf'));
    forgetInstalledPithTex(dir);
    r = latexmk(dir, ['-pdf'], noNodePath);
    assert.equal(r.code, 0, r.log);
    assert.match(r.log, NO_PITH_TEX);
    assert.doesNotMatch(r.log, /agree/);
  });
});
