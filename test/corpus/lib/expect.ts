// What each corpus template expects, read from its folder's expect.json (data, not code).
import fs from 'node:fs';
import path from 'node:path';

export type CorpusEngine = 'pdf' | 'xe' | 'lua' | 'dvips';
/**
 * Where the badge belongs: right after the title block, in the title page's footnote area, or
 * nowhere (a title pith cannot reach: then pith's "badge was not printed" warning is expected).
 */
export type Placement = 'title' | 'footnote' | 'none';

export interface Expectation {
  /** The folder's name (test/corpus/NAME). */
  name: string;
  dir: string;
  /** The root .tex file, as the template ships it. */
  main: string;
  engine: CorpusEngine;
  /** How the class sets its title (one line, for the table's reader). */
  mechanism: string;
  /** Words of the title's last line (enough to find it on the page); null for a template whose title is empty. */
  titleLast: string | null;
  /** The page (1-based) that carries the title; by default the first page showing titleLast. */
  titlePage: number | null;
  /** First words of the abstract block; null when the document has none. */
  abstract: string | null;
  /** The first sectioning heading's words; null when none is on the title page. */
  heading: string | null;
  placement: Placement;
  /** false: the template has a LaTeX error of its own (both builds run without -halt-on-error). */
  haltOnError: boolean;
  /** TeX Live generations (by name) on which the template itself does not build, and why. */
  notOn: Record<string, string>;
  /**
   * Rows known to fail today, by generation ("2022", or "*" for every one), with what is wrong:
   * the test reports them as TODO with that reason (visible, never silent) until pith.sty is fixed.
   */
  knownFailures: Record<string, string>;
}

const KEYS = new Set(['notOn', 'knownFailures', 'main', 'titlePage', 'engine', 'mechanism', 'titleLast', 'abstract', 'heading', 'placement', 'haltOnError', 'note']);

function fail(file: string, field: string, fix: string): never {
  throw new Error(`${file}: field "${field}" ${fix}`);
}

function str(file: string, o: Record<string, unknown>, key: string, nullable: boolean): string | null {
  const v = o[key];
  if (v === null && nullable) return null;
  if (typeof v !== 'string' || v.trim() === '') fail(file, key, `must be a non-empty string${nullable ? ' or null' : ''}`);
  return v;
}

/** Reads and checks one expect.json. */
export function readExpectation(dir: string): Expectation {
  const file = path.join(dir, 'expect.json');
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not readable JSON (${(e as Error).message})`);
  }
  for (const k of Object.keys(o)) if (!KEYS.has(k)) fail(file, k, `is unknown; known: ${[...KEYS].join(', ')}`);
  const engine = o.engine ?? 'pdf';
  if (engine !== 'pdf' && engine !== 'xe' && engine !== 'lua' && engine !== 'dvips') fail(file, 'engine', 'must be "pdf", "xe", "lua" or "dvips"');
  const titlePage = o.titlePage ?? null;
  if (titlePage !== null && !(Number.isInteger(titlePage) && (titlePage as number) >= 1)) fail(file, 'titlePage', 'must be a page number (1, 2, ...) or absent');
  if (o.titleLast === null && titlePage === null) fail(file, 'titlePage', 'is needed when titleLast is null (an empty title)');
  const placement = o.placement ?? 'title';
  if (placement !== 'title' && placement !== 'footnote' && placement !== 'none') fail(file, 'placement', 'must be "title", "footnote" or "none"');
  const halt = o.haltOnError ?? true;
  if (typeof halt !== 'boolean') fail(file, 'haltOnError', 'must be true or false');
  const notOn = o.notOn ?? {};
  if (typeof notOn !== 'object' || notOn === null || Array.isArray(notOn) || Object.values(notOn).some((v) => typeof v !== 'string' || v === '')) {
    fail(file, 'notOn', 'must map TeX Live names ("2026") to the reason the template does not build there');
  }
  const knownFailures = o.knownFailures ?? {};
  if (typeof knownFailures !== 'object' || knownFailures === null || Array.isArray(knownFailures) || Object.values(knownFailures).some((v) => typeof v !== 'string' || v === '')) {
    fail(file, 'knownFailures', 'must map TeX Live names ("2024", or "*" for all) to what is wrong there');
  }
  const main = str(file, o, 'main', false)!;
  if (!fs.existsSync(path.join(dir, main))) fail(file, 'main', `names ${main}, which is not in ${dir}`);
  return {
    name: path.basename(dir),
    dir,
    main,
    engine,
    mechanism: str(file, o, 'mechanism', false)!,
    titleLast: str(file, o, 'titleLast', true),
    titlePage: titlePage as number | null,
    abstract: str(file, o, 'abstract', true),
    heading: str(file, o, 'heading', true),
    placement,
    haltOnError: halt,
    notOn: notOn as Record<string, string>,
    knownFailures: knownFailures as Record<string, string>,
  };
}

/** Every template folder under `root` (a folder with an expect.json), sorted by name. */
export function readCorpus(root: string, only: string[] = []): Expectation[] {
  const names = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, 'expect.json')))
    .map((d) => d.name)
    .sort();
  const unknown = only.filter((n) => !names.includes(n));
  if (unknown.length > 0) throw new Error(`no corpus template named ${unknown.join(', ')} in ${root}`);
  return names.filter((n) => only.length === 0 || only.includes(n)).map((n) => readExpectation(path.join(root, n)));
}
