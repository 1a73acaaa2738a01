// The one scanner for the arguments of TeX's file-reading commands, in TeX code (masked: no
// comments, \iffalse branches or verbatim). stamp and check (\input preamble files), the root
// finder (\input, \include, \subfile, \import) and the arXiv checklist all read names here.
// No imports: the quick check loads it for free.

export type InputCommand = 'input' | 'include' | 'subfile';

export interface InputArgument {
  command: InputCommand;
  /** As written, trimmed; never empty. */
  name: string;
  /** Where the command starts in the code. */
  index: number;
}

/**
 * `\input{name}` and `\input name` (TeX's unbraced form: up to a space, brace, `%` or `\`), and
 * the same for `\include` and `\subfile` when asked. A name built by a macro (`\input\jobname`)
 * is not a name here.
 */
export function inputArguments(code: string, commands: readonly InputCommand[] = ['input']): InputArgument[] {
  const re = new RegExp(`\\\\(${commands.join('|')})(?![a-zA-Z])\\s*(?:\\{([^{}]*)\\}|([^\\s{}%\\\\]+))`, 'g');
  const out: InputArgument[] = [];
  for (const m of code.matchAll(re)) {
    const name = (m[2] ?? m[3] ?? '').trim();
    if (name !== '') out.push({ command: m[1] as InputCommand, name, index: m.index });
  }
  return out;
}

export interface ImportArgument {
  /** The sub- form (folder from the current import) rather than the folder from the root. */
  sub: boolean;
  kind: 'import' | 'inputfrom' | 'includefrom';
  folder: string;
  file: string;
  /** The whole command as written. */
  text: string;
}

/** The import package's `\import{dir}{file}`, `\inputfrom`, `\includefrom` and their sub- forms. */
export function importArguments(code: string): ImportArgument[] {
  const out: ImportArgument[] = [];
  for (const m of code.matchAll(/\\(sub)?(import|inputfrom|includefrom)\*?\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g)) {
    const [text, sub, kind, folder, file] = m as unknown as [string, string | undefined, ImportArgument['kind'], string, string];
    out.push({ sub: sub !== undefined, kind, folder, file, text });
  }
  return out;
}
