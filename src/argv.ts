// Running a command without commander, for the plain command lines people type (`pith-tex stamp
// main.tex --bundle b.json`): commander costs a tenth of node's start-up. The options are still
// defined once, in cli.ts: scripts/bundle.mjs asks commander for each command's arguments,
// options and defaults (commandSpecs, written to dist/cli/commands.json), and parseArgv reads a
// command line with them. Anything it does not follow exactly as commander would (--help, an
// unknown option, a missing value, grouped short flags, a usage error) returns null, and commander
// takes over, so help texts and usage errors stay commander's.
import type { Command } from 'commander';
import { reportError, wantsJson } from './errors.js';

export interface OptionSpec {
  long: string;
  short: string | null;
  /** The key in the options object (commander's attributeName). */
  key: string;
  /** `<value>` follows the flag. */
  takesValue: boolean;
  /** `--no-x`: sets x to false. */
  negate: boolean;
  /** Repeatable: the values are collected into a list. */
  collect: boolean;
}

export interface CommandSpec {
  /** The declared positionals, in order. */
  args: { required: boolean; variadic: boolean }[];
  options: OptionSpec[];
  /** The options object before any flag (commander's defaults). */
  defaults: Record<string, unknown>;
}

/**
 * The spec of every command commander can be replaced for (build time). A command with anything
 * parseArgv does not model (an optional option value, a variadic option, a custom parser other
 * than collecting, argument defaults or choices) is left out: commander runs it.
 */
export function commandSpecs(program: Command): Record<string, CommandSpec> {
  const out: Record<string, CommandSpec> = {};
  for (const cmd of program.commands) {
    const args = cmd.registeredArguments.map((a) => ({
      required: a.required,
      variadic: a.variadic,
      plain: !a.parseArg && a.defaultValue === undefined && !a.argChoices,
    }));
    const options = cmd.options.map((o) => {
      const collects = o.parseArg
        ? JSON.stringify(o.parseArg('b', ['a'] as never)) === '["a","b"]' && JSON.stringify(o.parseArg('a', undefined as never)) === '["a"]'
        : false;
      const plain = !o.optional && !o.variadic && !o.mandatory && (!o.parseArg || collects) && !o.argChoices && o.long !== undefined;
      return {
        spec: {
          long: o.long as string,
          short: o.short ?? null,
          key: o.attributeName(),
          takesValue: o.required,
          negate: o.negate,
          collect: collects,
        },
        plain,
      };
    });
    if (args.every((a) => a.plain) && options.every((o) => o.plain) && !cmd.commands.length) {
      out[cmd.name()] = {
        args: args.map(({ required, variadic }) => ({ required, variadic })),
        options: options.map((o) => o.spec),
        defaults: { ...cmd.opts() },
      };
    }
  }
  return out;
}

/**
 * The arguments commander would give the command's action (positionals, then the options
 * object), or null when commander must read this command line.
 */
export function parseArgv(spec: CommandSpec, argv: readonly string[]): unknown[] | null {
  const options: Record<string, unknown> = { ...spec.defaults };
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg.length < 2 || arg[0] !== '-') {
      operands.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const option = spec.options.find((o) => o.long === flag || o.short === flag);
    if (!option || (eq > 0 && !option.takesValue)) return null; // --help, unknown, -abc, --flag=x
    if (!option.takesValue) {
      options[option.key] = !option.negate;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.length > 1 && value[0] === '-')) return null;
    options[option.key] = option.collect ? [...((options[option.key] as string[] | undefined) ?? []), value] : value;
  }
  const positionals: unknown[] = [];
  for (const [k, a] of spec.args.entries()) {
    if (a.variadic) {
      if (a.required && operands.length <= k) return null;
      positionals.push(operands.slice(k));
    } else {
      if (a.required && operands[k] === undefined) return null;
      positionals.push(operands[k]);
    }
  }
  const variadic = spec.args[spec.args.length - 1]?.variadic ?? false;
  if (!variadic && operands.length > spec.args.length) return null; // commander: too many arguments
  return [...positionals, options];
}

/** Run a command's `run` with parsed arguments, reporting errors as cli.ts main() does. */
export async function runParsed(run: (...args: unknown[]) => Promise<number>, args: unknown[], argv: readonly string[]): Promise<number> {
  try {
    return await run(...args);
  } catch (err) {
    return reportError(err, wantsJson(argv));
  }
}
