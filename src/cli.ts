// The command line. Each command's module is imported only when that command runs, so a
// quick command (check, run before every build) never pays for the others.
import { Command, CommanderError } from 'commander';
import { errorJson, EXIT, PithError, wantsJson } from './errors.js';
import { toolVersion } from './io/package-files.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const EXIT_CODES_HELP = `
Exit codes:
  0  verified / all consistent
  1  a check failed (hash, signature, number mismatch)
  2  bad input or usage (unreadable file, malformed JSON, wrong shape, bad option)
  3  could not fetch (not found, resolver unreachable, offline with nothing cached)
  4  refused to change a file (hand-edited pith.sty, locked, read-only)`;

type Runner = (...args: never[]) => Promise<number>;

/** Wrap a lazily imported command so its exit code becomes the process's. */
function lazy(load: () => Promise<{ run: Runner }>) {
  return async (...args: unknown[]): Promise<void> => {
    const mod = await load();
    // commander passes (...positionals, options, command); drop the command object.
    process.exitCode = await (mod.run as (...a: unknown[]) => Promise<number>)(...args.slice(0, -1));
  };
}

export function buildProgram(): Command {
  const program = new Command('pith-tex')
    .version(toolVersion(), '-V, --version')
    .description('Put a verified Pith number into a LaTeX paper: resolve, verify, stamp, check.')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run pith-tex --help for usage)')
    // Program options only before the command name, so a command may take e.g. --version of its own.
    .enablePositionalOptions()
    .exitOverride();

  program
    .command('verify')
    .description('verify a Pith bundle (or a bare canonical record) against the pinned registry keys')
    .argument('<file>', 'bundle.json or a canonical record JSON')
    .option('--json', 'print the report as JSON')
    .option('--trust-key <file>', 'also trust the key(s) in FILE (a public_keys entry or list); repeatable', collect)
    .addHelpText('after', EXIT_CODES_HELP)
    .action(lazy(() => import('./commands/verify.js')));

  program
    .command('stamp')
    .description('verify the paper\'s record, then write pith.sty, pith.lock.json and \\usepackage{pith} + \\pithnumber{…} in the paper')
    .argument('[main.tex]', 'the paper\'s root file (default: @default_files of .latexmkrc, or the only .tex here with \\documentclass)')
    .option('--bundle <file>', 'the record\'s signed bundle (verified offline)')
    .option('--number <n>', 'the Pith number (pith:YEAR:BODY, BODY or a short prefix), resolved and verified')
    .option('--arxiv <id>', 'an arXiv id (2109.10465v1), resolved and verified')
    .option('--doi <doi>', 'an arXiv DOI (10.48550/arXiv.2109.10465), resolved and verified')
    .option('--trust-key <file>', 'also trust the key(s) in FILE; repeatable', collect)
    .option('--offline', 'no network: bundle, lock or cache only')
    .option('--resolver <url>', 'the registry to resolve from (default https://pith.science)')
    .option('--force', 'replace a pith.sty that was edited by hand or not written by pith-tex')
    .option('--dry-run', 'print the changes as a unified diff; write nothing')
    .option('--strict', 'refuse (exit 1) when the paper\'s \\title does not match the record\'s title')
    .option('--wait <seconds>', 'how long to wait while another stamp works on this folder (default 10; 0 refuses at once, exit 4)')
    .option('--json', 'print what was done as JSON')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(lazy(() => import('./commands/stamp.js')));

  program
    .command('check')
    .description('offline, fast: the lock file, the paper\'s \\pithnumber and pith.sty agree, and the record and receipt verify')
    .argument('[main.tex]', 'the paper (default: main.tex or the only root .tex file here)')
    .option('--json', 'print the report as JSON')
    .option('-q, --quiet', 'print nothing when all agree')
    .option('--strict', 'fail (exit 1) when the paper\'s \\title does not match the record\'s title')
    .option('--trust-key <file>', 'also trust the key(s) in FILE; repeatable', collect)
    .addHelpText('after', '\nExit codes: 0 all agree, 1 a disagreement (one line each, with the fix), 2 nothing stamped or bad input.')
    .action(lazy(() => import('./commands/check.js')));

  program
    .command('hook')
    .description('install, remove or show the latexmk hook (.latexmkrc) that runs pith-tex check before every LaTeX run')
    .argument('<action>', 'install | remove | status')
    .argument('[dir]', 'the paper\'s folder (default: here)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit codes: 0 done (status: hook current), 1 status: absent, outdated or overridden, 2 bad usage, 4 could not write.')
    .action(lazy(() => import('./commands/hook.js')));

  program
    .command('inspect')
    .description('read the Pith metadata back from a built PDF and verify it against the record')
    .argument('<pdf>', 'the built PDF')
    .option('--lock <file>', 'the lock file to check against (default: pith.lock.json beside the PDF)')
    .option('--bundle <file>', 'a Pith bundle to check against')
    .option('--offline', 'never touch the network (lock, bundle or cache only)')
    .option('--resolver <url>', 'the resolver to ask when there is no lock or bundle')
    .option('--trust-key <file>', 'also trust the key(s) in FILE; repeatable', collect)
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit codes: 0 verified, 1 mismatch or the record failed, 2 bad input (not a PDF, no Pith metadata), 3 could not fetch.')
    .action(lazy(() => import('./commands/inspect.js')));

  program
    .command('arxiv')
    .description('the arXiv submission checklist (pith.sty, stamp, record id, shell-escape, paths, files, .bbl, names), then a clean compile whose PDF is inspected')
    .argument('[main.tex]', 'the paper (default: main.tex or the only root .tex file here)')
    .option('--arxiv-id <id>', 'the arXiv id of the paper being revised; the record must be of it')
    .option('--pack <out.tar.gz>', 'write the upload: the files the compile read, pith.sty and the .bbl (never the lock, PDFs or aux files)')
    .option('--engine <engine>', 'pdf (default), xe, dvips or dvipdfmx, as arXiv will compile it')
    .option('--no-compile', 'the static items only')
    .option('--json', 'print the checklist as JSON')
    .addHelpText('after', '\nExit codes: 0 ready, 1 an item failed (each with a one-line fix), 2 bad input.')
    .action(lazy(() => import('./commands/arxiv.js')));

  program
    .command('resolve')
    .description('turn an arXiv id, arXiv URL, DOI or Pith number into a verified record (bundle, lock, cache, then resolver)')
    .argument('<query>', '2201.05596[v2], hep-th/9901001v1, an arxiv.org abs/pdf URL, 10.48550/arXiv.ID (or doi.org URL), pith:YEAR:BODY, pith:BODY, BODY, or an 8/12/16-character prefix')
    .option('--json', 'print the verified record, aliases and source as JSON')
    .option('--bundle <file>', 'use this signed bundle (verified offline) instead of looking it up')
    .option('--dir <dir>', 'the paper\'s folder, where pith.lock.json is read (default: current folder)')
    .option('--offline', 'never touch the network: bundle, lock or cache only')
    .option('--refresh', 'skip the lock and the cache; ask the resolver (the answer is still verified and cached)')
    .option('--resolver <url>', 'the resolver or static mirror (default $PITH_RESOLVER or https://pith.science)')
    .option('--save <file>', 'write the verified bundle to FILE (atomically)')
    .option('--mirrors <file|url>', 'a mirror manifest (the shape of pith.science/pith-mirrors.json): fetch from its mirrors in order, primary first (else PITH_MIRRORS)')
    .option('--registry-status', 'also fetch the record JSON ({base}/pith/BODY.json) and show its verification_status flags beside what pith-tex checked itself')
    .option('--state', 'also fetch the record\'s state.json and check it equals the state merged from the bundle\'s events (exit 1 if not)')
    .option('--timeout <seconds>', 'total time allowed per HTTP attempt (default 30)')
    .option('--trust-key <file>', 'also trust the key(s) in FILE; repeatable', collect)
    .addHelpText('after', EXIT_CODES_HELP)
    .action(lazy(() => import('./commands/resolve.js')));

  program
    .command('compute')
    .description('compute the canonical record, its hash and Pith number offline from the paper\'s metadata')
    .argument('[metadata-file]', 'paper metadata as JSON, or arXiv\'s Atom (export API) or OAI-PMH arXiv/arXivRaw XML')
    .option('--arxiv-id <id>', 'arXiv id (2201.05596, or 2201.05596v2)')
    .option('--arxiv-version <n>', 'the arXiv version the record is of (or write the id as 2201.05596v2); not --version, which is pith-tex\'s own')
    .option('--title <text>', 'the title as arXiv lists it')
    .option('--abstract <text>', 'the abstract as arXiv lists it')
    .option('--abstract-file <file>', 'read the abstract from FILE')
    .option('--title-sha256 <hex>', 'the record\'s title_canon_sha256, when the title text is not at hand')
    .option('--abstract-sha256 <hex>', 'the record\'s abstract_canon_sha256, when the abstract text is not at hand')
    .option('--primary-cat <cat>', 'primary category (cs.LG, hep-th, math.AG, astro-ph.CO)')
    .option('--cross-cats <cats>', 'cross-list categories, comma or space separated; repeatable', collect)
    .option('--license <url>', 'the license URL as arXiv shows it ("" for an old paper listed without one)')
    .option('--submitted-at <time>', 'first version\'s submission time, ISO 8601 with a time zone')
    .option('--check <file>', 'compare with the registry\'s record (a bundle, record or lock) and name the first field that differs')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(lazy(() => import('./commands/compute.js')));

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const json = wantsJson(argv.slice(2));
  // Under --json the error also goes to stdout as data; stderr keeps the line for people.
  const fail = (message: string, code: number): number => {
    if (json) process.stdout.write(errorJson(message, code));
    return code;
  };
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every usage error is exit 2 (commander would say 1).
      // commander has already printed its message to stderr.
      return err.exitCode === 0 ? EXIT.ok : fail(err.message.replace(/^error: /, ''), EXIT.badInput);
    }
    if (err instanceof PithError) {
      process.stderr.write(`pith-tex: ${err.message}\n`);
      return fail(err.message, err.exitCode);
    }
    process.stderr.write(`pith-tex: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return fail(`internal error: ${(err as Error)?.message ?? String(err)}`, 70);
  }
}
