// pith-tex hook install | remove | status [dir]: the check as a latexmk hook in .latexmkrc.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { LOCK_FILE } from '../core/file-names.js';
import { hookBlock, hookStatus, installHook, RcBlockError, removeHook } from '../core/latexmkrc.js';
import { expectedOneOf } from '../core/suggest.js';
import { EXIT, PithError } from '../errors.js';
import { readBoundedText, writeFileAtomic } from '../io/files.js';
import { printJson, say } from '../io/output.js';
import { packageFile } from '../io/package-files.js';

export interface HookOptions {
  json?: boolean;
}

/** templates/latexmkrc-hook.pl of this package. */
export const hookTemplatePath = (): string => packageFile('templates', 'latexmkrc-hook.pl');

/**
 * The command of this pith-tex, absolute (node and bin/pith-tex.js), which the block runs first:
 * so `npx pith-tex hook install` works, and so does an editor that starts latexmk without
 * Node on its PATH.
 */
export const installedCommand = (): string[] => [process.execPath, realpathSync(packageFile('bin', 'pith-tex.js'))];

export function currentBlock(): string {
  return hookBlock(readFileSync(hookTemplatePath(), 'utf8'), { installed: installedCommand(), lockFile: LOCK_FILE });
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const f = path.join(dir, name);
    try {
      if (statSync(f).isFile()) return f;
    } catch {
      /* next */
    }
  }
  return null;
}

const ACTIONS = ['install', 'remove', 'status'];

export async function run(action: string, dir: string | undefined, options: HookOptions = {}): Promise<number> {
  if (!ACTIONS.includes(action)) throw new PithError(`hook ${action}: ${expectedOneOf(action, ACTIONS)}`, EXIT.badInput);
  const folder = dir ?? '.';
  try {
    if (!statSync(folder).isDirectory()) throw new Error();
  } catch {
    throw new PithError(`${folder}: not a folder; pith-tex hook works on the folder that holds .latexmkrc and the paper`, EXIT.badInput);
  }
  const rc = path.join(folder, '.latexmkrc');
  const text = existsSync(rc) ? await readBoundedText(rc, 1024 * 1024, '.latexmkrc') : null;
  const block = currentBlock();
  try {
    if (action === 'install') {
      const result = installHook(text, block);
      if (result.action !== 'unchanged') await writeFileAtomic(rc, result.text);
      const said = {
        created: `created ${rc} with the pith-tex hook`,
        added: `added the pith-tex hook at the end of ${rc} (your lines are unchanged)`,
        updated: `updated the pith-tex hook in ${rc}`,
        unchanged: `the pith-tex hook in ${rc} is already current`,
      }[result.action];
      if (options.json) printJson({ report: 'pith-tex/hook', report_version: 1, action: 'install', file: rc, result: result.action });
      else {
        say(`${said}\nlatexmk now runs \`pith-tex check\` before each LaTeX run; a mismatch fails the build.\n`);
        say(
          `It runs ${installedCommand().join(' ')}, else the pith-tex on the PATH; where neither can run (no Node), pith.sty's own check guards the build.\n`,
        );
      }
      return EXIT.ok;
    }
    if (action === 'remove') {
      const result = text === null ? { text: '', changed: false } : removeHook(text);
      if (result.changed) await writeFileAtomic(rc, result.text);
      if (options.json)
        printJson({
          report: 'pith-tex/hook',
          report_version: 1,
          action: 'remove',
          file: rc,
          result: result.changed ? 'removed' : 'absent',
        });
      else say(result.changed ? `removed the pith-tex hook from ${rc}\n` : `no pith-tex hook in ${rc}; nothing to remove\n`);
      return EXIT.ok;
    }
    if (action === 'status') {
      const status = hookStatus(text, block);
      const pithTex = onPath('pith-tex');
      const latexmk = onPath('latexmk');
      const ok = status.state === 'current';
      if (options.json) {
        printJson({
          report: 'pith-tex/hook',
          report_version: 1,
          action: 'status',
          file: rc,
          ...status,
          ok,
          pith_tex_on_path: pithTex,
          latexmk_on_path: latexmk,
        });
      } else {
        const lines = [
          status.state === 'absent'
            ? `✗ no pith-tex hook in ${rc} — fix: pith-tex hook install ${folder}`
            : status.state === 'current'
              ? `✓ the pith-tex hook in ${rc} is current`
              : `✗ the pith-tex hook in ${rc} is outdated or edited${status.blocks > 1 ? ` (${status.blocks} blocks)` : ''} — fix: pith-tex hook install ${folder}`,
        ];
        lines.push(
          pithTex
            ? `✓ pith-tex on the PATH: ${pithTex}`
            : '– pith-tex is not on the PATH: the hook runs the pith-tex that installed it, if it is still there',
        );
        lines.push(latexmk ? `✓ latexmk on the PATH: ${latexmk}` : '– latexmk is not on the PATH');
        say(`${lines.join('\n')}\n`);
      }
      return ok ? EXIT.ok : EXIT.checkFailed;
    }
  } catch (err) {
    if (err instanceof RcBlockError) throw new PithError(`${rc}: ${err.message}`, EXIT.refused);
    throw err;
  }
  throw new PithError(`unknown hook action "${action}": use install, remove or status`, EXIT.badInput);
}
