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
  try {
    if (action === 'install') return await install(rc, text, Boolean(options.json));
    if (action === 'remove') return await remove(rc, text, Boolean(options.json));
    return status(rc, folder, text, Boolean(options.json));
  } catch (err) {
    if (err instanceof RcBlockError) throw new PithError(`${rc}: ${err.message}`, EXIT.refused);
    throw err;
  }
}

const report = (action: string, rc: string, fields: Record<string, unknown>) =>
  printJson({ report: 'pith-tex/hook', report_version: 1, action, file: rc, ...fields });

async function install(rc: string, text: string | null, json: boolean): Promise<number> {
  const result = installHook(text, currentBlock());
  if (result.action !== 'unchanged') await writeFileAtomic(rc, result.text);
  if (json) return (report('install', rc, { result: result.action }), EXIT.ok);
  const said = {
    created: `created ${rc} with the pith-tex hook`,
    added: `added the pith-tex hook at the end of ${rc} (your lines are unchanged)`,
    updated: `updated the pith-tex hook in ${rc}`,
    unchanged: `the pith-tex hook in ${rc} is already current`,
  }[result.action];
  say(`${said}\nlatexmk now runs \`pith-tex check\` before each LaTeX run; a mismatch fails the build.\n`);
  say(
    `It runs ${installedCommand().join(' ')}, else the pith-tex on the PATH; where neither can run (no Node), pith.sty's own check guards the build.\n`,
  );
  return EXIT.ok;
}

async function remove(rc: string, text: string | null, json: boolean): Promise<number> {
  const result = text === null ? { text: '', changed: false } : removeHook(text);
  if (result.changed) await writeFileAtomic(rc, result.text);
  if (json) report('remove', rc, { result: result.changed ? 'removed' : 'absent' });
  else say(result.changed ? `removed the pith-tex hook from ${rc}\n` : `no pith-tex hook in ${rc}; nothing to remove\n`);
  return EXIT.ok;
}

function status(rc: string, folder: string, text: string | null, json: boolean): number {
  const state = hookStatus(text, currentBlock());
  const pithTex = onPath('pith-tex');
  const latexmk = onPath('latexmk');
  const ok = state.state === 'current';
  if (json) {
    report('status', rc, { ...state, ok, pith_tex_on_path: pithTex, latexmk_on_path: latexmk });
    return ok ? EXIT.ok : EXIT.checkFailed;
  }
  const edited = `outdated or edited${state.blocks > 1 ? ` (${state.blocks} blocks)` : ''}`;
  const lines = [
    state.state === 'absent'
      ? `✗ no pith-tex hook in ${rc} — fix: pith-tex hook install ${folder}`
      : ok
        ? `✓ the pith-tex hook in ${rc} is current`
        : `✗ the pith-tex hook in ${rc} is ${edited} — fix: pith-tex hook install ${folder}`,
    pithTex
      ? `✓ pith-tex on the PATH: ${pithTex}`
      : '– pith-tex is not on the PATH: the hook runs the pith-tex that installed it, if it is still there',
    latexmk ? `✓ latexmk on the PATH: ${latexmk}` : '– latexmk is not on the PATH',
  ];
  say(`${lines.join('\n')}\n`);
  return ok ? EXIT.ok : EXIT.checkFailed;
}
