// The command line. Each command's module is imported only when that command runs, so a
// quick command (check, run before every build) never pays for the others.
//
// Help texts follow one pattern: the description, the options (one wording per option across
// commands, defaults as the code has them), two or three real examples, then the one exit-code
// table (errors.ts). Every error, commander's own included, is one line starting `pith-tex: `.
import { Command, CommanderError } from 'commander';
import { errorJson, EXIT, exitCodeHelp, reportError, wantsJson } from './errors.js';
import { toolVersion } from './io/package-files.js';
import { printOut } from './io/print.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** One wording per option, shared by every command that takes it. */
const OPTION = {
  json: ['--json', 'print the report as JSON (errors too: {"ok": false, "error": …})'],
  trustKey: ['--trust-key <file>', 'also trust the key(s) in FILE (a public_keys entry or a list); repeatable'],
  offline: [
    '--offline',
    'never use the network: only a bundle file, the lock beside the paper or your cache (a note says when the cache is used)',
  ],
  resolver: ['--resolver <url>', 'the resolver or static mirror (default $PITH_RESOLVER or https://pith.science)'],
  bundle: ['--bundle <file>', "the record's signed bundle (bundle.json, verified offline)"],
} as const;

const PREFIX = 'pith-tex: ';

/** Examples then the exit codes, at the end of a command's --help. */
const epilogue = (examples: readonly string[]): string => `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n\n${exitCodeHelp()}`;

/** commander's Command, with the options that say where a record comes from as one step. */
class PithCommand extends Command {
  override createCommand(name?: string): PithCommand {
    return new PithCommand(name);
  }

  /** The command's module, imported when the command runs; its exit code becomes the process's. */
  runs(load: () => Promise<{ run: Runner }>): this {
    return this.action(lazy(load));
  }

  /** --bundle, --offline, --resolver and --trust-key: where a command that reads a record gets it. */
  recordSources(): this {
    return this.option(...OPTION.bundle)
      .option(...OPTION.offline)
      .option(...OPTION.resolver)
      .option(...OPTION.trustKey, collect);
  }
}

type Runner = (...args: never[]) => Promise<number>;

/** Wrap a lazily imported command so its exit code becomes the process's. */
function lazy(load: () => Promise<{ run: Runner }>) {
  return async (...args: unknown[]): Promise<void> => {
    const mod = await load();
    // commander passes (...positionals, options, command); drop the command object.
    process.exitCode = await (mod.run as (...a: unknown[]) => Promise<number>)(...args.slice(0, -1));
  };
}

/** The author's paper: stamp it, check it (also before every build, through the latexmk hook). */
function addPaperCommands(program: PithCommand): void {
  program
    .command('stamp')
    .description("verify the paper's record, then write pith.sty, pith.lock.json and \\usepackage{pith} + \\pithnumber{…} in the paper")
    .argument('[main.tex]', "the paper's root file (default: @default_files of .latexmkrc, or the only .tex here with \\documentclass)")
    .option(...OPTION.bundle)
    .option('--number <n>', 'the Pith number (pith:YEAR:BODY, BODY or a short prefix), resolved and verified')
    .option('--arxiv <id>', 'an arXiv id (2109.10465v1), resolved and verified')
    .option('--doi <doi>', 'an arXiv DOI (10.48550/arXiv.2109.10465), resolved and verified')
    .option(...OPTION.trustKey, collect)
    .option(...OPTION.offline)
    .option(...OPTION.resolver)
    .option('--force', 'replace a pith.sty that was edited by hand or not written by pith-tex')
    .option('--dry-run', "print the change as a patch (apply it with patch -p1 in the paper's folder); write nothing")
    .option('--allow-older', 'accept a signed bundle older than one verified here before (anti-rollback; exit 1 without it)')
    .option('--strict', "refuse (exit 1) when the paper's \\title does not match the record's title")
    .option('--wait <seconds>', 'how long to wait while another stamp works on this folder (default 10; 0 refuses at once, exit 4)')
    .option(...OPTION.json)
    .addHelpText(
      'after',
      epilogue([
        'pith-tex stamp main.tex --arxiv 2109.10465v1',
        'pith-tex stamp main.tex --bundle 2109.10465v1.bundle.json --offline',
        'pith-tex stamp --dry-run > stamp.patch            # later: patch -p1 < stamp.patch',
      ]),
    )
    .runs(() => import('./commands/stamp.js'));

  program
    .command('check')
    .description("offline, fast: the lock file, the paper's \\pithnumber and pith.sty agree, and the record and receipt verify")
    .argument('[main.tex]', 'the paper (default: @default_files of .latexmkrc, or the only .tex here with \\documentclass)')
    .option(...OPTION.json)
    .option('-q, --quiet', 'print nothing when all agree')
    .option('--strict', "fail (exit 1) when the paper's \\title does not match the record's title")
    .option(...OPTION.trustKey, collect)
    .addHelpText('after', epilogue(['pith-tex check', 'pith-tex check paper/main.tex --quiet', 'pith-tex check --json']))
    .runs(() => import('./commands/check.js'));

  program
    .command('hook')
    .description('install, remove or show the latexmk hook (.latexmkrc) that runs pith-tex check before every LaTeX run')
    .argument('<action>', 'install | remove | status')
    .argument('[dir]', "the paper's folder (default: here)")
    .option(...OPTION.json)
    .addHelpText('after', epilogue(['pith-tex hook install', 'pith-tex hook status paper/', 'pith-tex hook remove']))
    .runs(() => import('./commands/hook.js'));
}

/** Publishing: the arXiv checklist and upload, the badge for the web. */
function addPublishingCommands(program: PithCommand): void {
  program
    .command('arxiv')
    .description(
      'the arXiv submission checklist (pith.sty, stamp, record id, shell-escape, paths, files, .bbl, comments, names), then a clean compile whose PDF is inspected',
    )
    .argument('[main.tex]', 'the paper (default: @default_files of .latexmkrc, or the only .tex here with \\documentclass)')
    .option('--arxiv-id <id>', 'the arXiv id of the paper being revised; the record must be of it')
    .option(
      '--pack <out.tar.gz>',
      'write the upload: the files the compile read, pith.sty and the .bbl (never the lock, PDFs or aux files)',
    )
    .option('--strip-comments', 'with --pack: leave % comments out of the packed .tex files (your files are not changed)')
    .option(
      '--engine <engine>',
      'pdf, xe, dvips or dvipdfmx, as arXiv will compile it (default: xe when the paper loads fontspec, unicode-math or xeCJK, else pdf)',
    )
    .option('--no-compile', 'the static items only')
    .option(...OPTION.json)
    .addHelpText(
      'after',
      epilogue([
        'pith-tex arxiv main.tex --no-compile',
        'pith-tex arxiv main.tex --pack upload.tar.gz',
        'pith-tex arxiv main.tex --arxiv-id 2109.10465 --pack upload.tar.gz --strip-comments',
      ]),
    )
    .runs(() => import('./commands/arxiv.js'));

  program
    .command('badge')
    .description('a verified badge for the web: an SVG (pith | YEAR:BODY…) or the Markdown/HTML that links it to the record page')
    .argument('[query|main.tex]', 'an arXiv id, DOI or Pith number, or the stamped paper (default: the paper here, read from its lock)')
    .option('--format <format>', 'svg, markdown or html (default svg)')
    .option('-o, --out <file>', 'write to FILE (atomically) instead of stdout')
    .option('--image <url>', 'markdown: where the SVG is published (default pith-badge.svg, beside the README)')
    .recordSources()
    .addHelpText(
      'after',
      epilogue([
        'pith-tex badge main.tex -o pith-badge.svg',
        'pith-tex badge 2109.10465v1 --format markdown',
        'pith-tex badge --format html --offline',
      ]),
    )
    .runs(() => import('./commands/badge.js'));
}

/**
 * Records: verify bundles, resolve a query to a verified record. Both trust only the pinned keys
 * and those given with --trust-key, never the keys a bundle lists.
 */
function addRecordCommands(program: PithCommand): void {
  program
    .command('verify')
    .runs(() => import('./commands/verify.js'))
    .description(
      'verify a Pith bundle (or a bare canonical record) against the pinned registry keys; many at once (files or a folder): one line each, checked in parallel',
    )
    .argument('<file...>', 'bundle.json or a canonical record JSON; or several, or a folder of .json files')
    .option(...OPTION.json)
    .option(...OPTION.trustKey, collect)
    .addHelpText(
      'after',
      epilogue([
        'pith-tex verify 2109.10465v1.bundle.json',
        'pith-tex verify mirror.bundle.json --trust-key mirror-key.json',
        'pith-tex verify mirror/bundles/ --json',
      ]),
    );

  program
    .command('resolve')
    .addHelpText(
      'after',
      epilogue([
        'pith-tex resolve 2109.10465v1',
        'pith-tex resolve pith:2021:NMB7QKC2NJYNHLPG6XMF2N35IK --save 2109.10465v1.bundle.json',
        'pith-tex resolve 10.48550/arXiv.2109.10465 --offline --json',
      ]),
    )
    .description('turn an arXiv id, arXiv URL, DOI or Pith number into a verified record (bundle, lock, cache, then resolver)')
    .argument(
      '<query>',
      '2201.05596[v2], hep-th/9901001v1, an arxiv.org abs/pdf URL, 10.48550/arXiv.ID (or doi.org URL), pith:YEAR:BODY, pith:BODY, BODY, or an 8/12/16-character prefix',
    )
    .option(...OPTION.json)
    .option(...OPTION.bundle)
    .option('--dir <dir>', "the paper's folder, where pith.lock.json is read (default: current folder)")
    .option(...OPTION.offline)
    .option('--refresh', 'skip the lock and the cache; ask the resolver (the answer is still verified and cached)')
    .option(...OPTION.resolver)
    .option('--allow-older', 'accept a signed bundle older than one verified here before (anti-rollback; exit 1 without it)')
    .option('--save <file>', 'write the verified bundle to FILE (atomically)')
    .option(
      '--mirrors <file|url>',
      'a mirror manifest (the shape of pith.science/pith-mirrors.json): fetch from its mirrors in order, primary first (else PITH_MIRRORS)',
    )
    .option(
      '--registry-status',
      'also fetch the record JSON ({base}/pith/BODY.json) and show its verification_status flags beside what pith-tex checked itself',
    )
    .option('--state', "also fetch the record's state.json and check it equals the state merged from the bundle's events (exit 1 if not)")
    .option('--timeout <seconds>', 'total time allowed per HTTP attempt (default 30)')
    .option(...OPTION.trustKey, collect)
    .runs(() => import('./commands/resolve.js'));
}

/** From metadata and PDFs: compute a record offline, inspect a built PDF. */
function addMetadataCommands(program: PithCommand): void {
  program
    .command('compute')
    .description("compute the canonical record, its hash and Pith number offline from the paper's metadata")
    .argument('[metadata-file]', "paper metadata as JSON, or arXiv's Atom (export API) or OAI-PMH arXiv/arXivRaw XML")
    .option('--arxiv-id <id>', 'arXiv id (2201.05596, or 2201.05596v2)')
    .option(
      '--arxiv-version <n>',
      "the arXiv version the record is of (or write the id as 2201.05596v2); not --version, which is pith-tex's own",
    )
    .option('--title <text>', 'the title as arXiv lists it')
    .option('--abstract <text>', 'the abstract as arXiv lists it')
    .option('--abstract-file <file>', 'read the abstract from FILE')
    .option('--title-sha256 <hex>', "the record's title_canon_sha256, when the title text is not at hand")
    .option('--abstract-sha256 <hex>', "the record's abstract_canon_sha256, when the abstract text is not at hand")
    .option('--primary-cat <cat>', 'primary category (cs.LG, hep-th, math.AG, astro-ph.CO)')
    .option('--cross-cats <cats>', 'cross-list categories, comma or space separated; repeatable', collect)
    .option('--license <url>', 'the license URL as arXiv shows it ("" for an old paper listed without one)')
    .option('--submitted-at <time>', "first version's submission time, ISO 8601 with a time zone")
    .option('--check <file>', "compare with the registry's record (a bundle, record or lock) and name the first field that differs")
    .option(...OPTION.json)
    .addHelpText(
      'after',
      epilogue([
        'pith-tex compute arxiv-export.xml',
        'pith-tex compute metadata.json --check pith.lock.json',
        'pith-tex compute arxiv-export.xml --arxiv-id 2109.10465v1 --json',
      ]),
    )
    .runs(() => import('./commands/compute.js'));

  program
    .command('inspect')
    .description('read the Pith metadata back from a built PDF and verify it against the record (says which source it used)')
    .argument('<pdf>', 'the built PDF')
    .option('--lock <file>', 'the lock file to check against (default: pith.lock.json beside the PDF)')
    .recordSources()
    .option(...OPTION.json)
    .addHelpText(
      'after',
      epilogue([
        'pith-tex inspect main.pdf',
        'pith-tex inspect ~/Downloads/main.pdf --bundle 2109.10465v1.bundle.json',
        'pith-tex inspect main.pdf --lock paper/pith.lock.json --json',
      ]),
    )
    .runs(() => import('./commands/inspect.js'));
}

export function buildProgram(): Command {
  const program = new PithCommand('pith-tex')
    .version(toolVersion(), '-V, --version', 'print the version (also -v)')
    .description('Put a verified Pith number into a LaTeX paper: resolve, verify, stamp, check.')
    .addHelpText(
      'after',
      epilogue([
        'pith-tex stamp main.tex --arxiv 2109.10465v1     # verify the record, stamp the paper',
        'latexmk -pdf main.tex && pith-tex check           # build, then check the stamp',
        'pith-tex arxiv main.tex --pack upload.tar.gz      # the arXiv checklist and the upload',
      ]) + "\n\nRun pith-tex COMMAND --help for a command's options and examples.",
    )
    // commander's own errors ("error: unknown option") in the one style, and a suggestion.
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, PREFIX)) })
    .showHelpAfterError('(run pith-tex --help for usage)')
    .showSuggestionAfterError(true)
    // Program options only before the command name, so a command may take e.g. --version of its own.
    .enablePositionalOptions()
    .exitOverride();

  addPaperCommands(program);
  addPublishingCommands(program);
  addRecordCommands(program);
  addMetadataCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // `-v` as well as -V/--version (the program's own; a command's -v is left alone).
  const args = argv[2] === '-v' ? [...argv.slice(0, 2), '--version', ...argv.slice(3)] : argv;
  const json = wantsJson(args.slice(2));
  // Under --json the error also goes to stdout as data; stderr keeps the line for people.
  const fail = (message: string, code: number): number => {
    if (json) printOut(errorJson(message, code));
    return code;
  };
  try {
    await program.parseAsync(args);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every usage error is exit 2 (commander would say 1).
      // commander has already printed its message to stderr.
      return err.exitCode === 0 ? EXIT.ok : fail(err.message.replace(/^error: /, ''), EXIT.badInput);
    }
    return reportError(err, json);
  }
}
