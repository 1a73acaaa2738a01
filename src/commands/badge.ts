// pith-tex badge [QUERY|main.tex]: the verified badge for the web (src/core/badge.ts), made only
// after the record verifies, from the same sources as `pith-tex resolve`: for a stamped paper its
// pith.lock.json (offline), else a bundle file, the cache or the resolver.
import { statSync } from 'node:fs';
import path from 'node:path';
import { BADGE_FORMATS, renderBadge, type BadgeFormat } from '../core/badge.js';
import { isJsonObject, parseJson } from '../core/json.js';
import { LOCK_FILE } from '../core/file-names.js';
import { parseQuery, QueryError, type Query } from '../core/query.js';
import { expectedOneOf } from '../core/suggest.js';
import { EXIT, PithError } from '../errors.js';
import { readBoundedText, writeFileAtomic } from '../io/files.js';
import { noteRecordSource, say } from '../io/output.js';
import { findPaper } from '../io/paper-files.js';
import { loadTrustedKeys } from '../io/trust.js';
import { printOut } from '../io/print.js';

export interface BadgeOptions {
  format?: string;
  out?: string;
  image?: string;
  bundle?: string;
  offline?: boolean;
  resolver?: string;
  trustKey?: string[];
}

const isPaperArg = (arg: string | undefined): boolean => {
  if (arg === undefined || arg.endsWith('.tex')) return true;
  try {
    return statSync(arg).isDirectory();
  } catch {
    return false;
  }
};

/** The query a paper stands for: the number in its pith.lock.json (which is then the source). */
async function paperQuery(arg: string | undefined): Promise<{ query: Query; dir: string }> {
  const paper = await findPaper(arg, process.cwd(), 'badge');
  const dir = path.dirname(paper);
  const lockFile = path.join(dir, LOCK_FILE);
  const shown = path.relative(process.cwd(), paper) || paper;
  let text: string;
  try {
    text = await readBoundedText(lockFile, 16 * 1024 * 1024, 'lock file');
  } catch {
    throw new PithError(
      `${shown}: no ${LOCK_FILE} beside it; stamp the paper first (pith-tex stamp ${shown} --arxiv ID), or give the record: pith-tex badge ID`,
      EXIT.badInput,
    );
  }
  let number: unknown = null;
  try {
    const lock = parseJson(text);
    number = isJsonObject(lock) ? lock.pith_number : null;
  } catch {
    /* reported below */
  }
  if (typeof number !== 'string')
    throw new PithError(`${lockFile}: pith_number: expected pith:YEAR:BODY; fix: pith-tex stamp ${shown} --arxiv ID`, EXIT.badInput);
  return { query: parseQuery(number), dir };
}

export async function run(target: string | undefined, options: BadgeOptions = {}): Promise<number> {
  const format = (options.format ?? 'svg') as BadgeFormat;
  if (!BADGE_FORMATS.includes(format))
    throw new PithError(`--format ${options.format}: ${expectedOneOf(String(options.format), BADGE_FORMATS)}`, EXIT.badInput);
  let query: Query;
  let dir = process.cwd();
  if (isPaperArg(target)) ({ query, dir } = await paperQuery(target));
  else {
    try {
      query = parseQuery(target as string);
    } catch (err) {
      if (err instanceof QueryError) throw new PithError(err.message, EXIT.badInput);
      throw err;
    }
  }
  const { resolveQuery } = await import('../io/resolve.js');
  const resolved = await resolveQuery(query, {
    trusted: await loadTrustedKeys(options.trustKey),
    dir,
    ...(options.bundle !== undefined ? { bundle: options.bundle } : {}),
    ...(options.offline ? { offline: true } : {}),
    ...(options.resolver !== undefined ? { resolver: options.resolver } : {}),
    progress: Boolean(process.stderr.isTTY),
  });
  // resolveQuery returns only what verified; the report is checked again, as the badge says "verified".
  if (!resolved.report.ok) throw new PithError(`${resolved.source.location}: the record does not verify; no badge made`, EXIT.checkFailed);
  noteRecordSource(resolved.source);
  const text = renderBadge(resolved.number, format, options.image ?? 'pith-badge.svg');
  if (options.out !== undefined) {
    await writeFileAtomic(options.out, text);
    say(`wrote the ${format} badge for ${resolved.number.full} to ${options.out}\n`);
  } else printOut(text);
  return EXIT.ok;
}
