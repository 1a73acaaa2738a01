// pith.sty compiled for real: every class × hyperref placement on pdfLaTeX, every engine path for
// article / revtex4-2 / acmart, \DocumentMetadata, the generated (stamped) copy and its in-TeX check,
// malformed and missing numbers, and the main options. Each case compiles a fixture from
// test/fixtures/tex/ in its own temporary folder; compiles run two at a time. Everything runs on
// every TeX Live generation of test/support/texlive.ts (test names start with [TL<year>]).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, fixture } from '../helpers.js';
import type { CompileResult, Engine } from '../../src/io/tex.js';
import { compileIn, generations, label, makeBuildDir, removeBuildDir, type Generation } from '../support/texlive.js';
import { pdfInfoCustom, pdfPageCount, pdfText, pdfUrls, pdfXmp } from '../support/poppler.js';
import { renderPithSty } from '../../src/core/sty.js';
import { toolVersion } from '../../src/io/package-files.js';
import { SEED } from '../support/seed.js';
import { limiter } from '../support/slots.js';

const BODY = SEED.body;
const NUMBER = SEED.number;
const RECORD = `https://pith.science/pith/${BODY}`;
const SHA = SEED.sha256;
const HYPERREF = '\\usepackage{hyperref}\\hypersetup{pdftitle={Pith Test Title}}';
const HYPERXMP = '\\usepackage{hyperref,hyperxmp}\\hypersetup{pdftitle={Pith Test Title}}';
const XMLNS = 'https://pith.science/ns/1.0/';
const TITLE = /scaling\s+sparse\s+experts/i;

const packageSource = fs.readFileSync(path.join(repoRoot, 'tex', 'pith.sty'), 'utf8');
const templateText = fs.readFileSync(path.join(repoRoot, 'templates', 'pith.sty.hbs'), 'utf8');
const stamped = (body: string, year = '2021'): string =>
  renderPithSty({
    templateText,
    packageSource,
    values: {
      body,
      year,
      number: `pith:${year}:${body}`,
      recordUrl: `https://pith.science/pith/${body}`,
      canonicalSha256: SHA,
      toolVersion: toolVersion(),
    },
  });

type Variant = 'none' | 'before' | 'after' | 'hyperxmp' | 'nopith';
// Where the badge must sit on page 1: after the title and before `before` (case-insensitive).
// Title-block classes: before the abstract; classes whose title block holds the authors and the
// abstract (amsart, revtex, acmart, elsarticle, AASTeX): right under the title, before the authors.
// Title pages and beamer's title frame: after the authors (at the foot of the title page, or at the
// end of the title frame), with nothing of the body on that page.
const UNDER_TITLE = /lovelace/i;
const BEFORE_ABSTRACT = /we\s+study\s+sparse/i;
const END_OF_TITLE_PAGE = { after: /turing/i };
type Rule = RegExp | { after: RegExp };
const CLASSES: Record<string, Rule> = {
  article: BEFORE_ABSTRACT,
  'report-notitlepage': BEFORE_ABSTRACT,
  'report-titlepage': END_OF_TITLE_PAGE,
  amsart: UNDER_TITLE,
  'revtex4-2': UNDER_TITLE,
  'ieee-conference': BEFORE_ABSTRACT,
  'ieee-journal': BEFORE_ABSTRACT,
  'acm-sigconf': UNDER_TITLE,
  'acm-acmsmall': UNDER_TITLE,
  llncs: BEFORE_ABSTRACT,
  elsarticle: UNDER_TITLE,
  memoir: BEFORE_ABSTRACT,
  scrartcl: BEFORE_ABSTRACT,
  beamer: END_OF_TITLE_PAGE,
  aastex631: UNDER_TITLE,
  aastex701: UNDER_TITLE,
  mnras: BEFORE_ABSTRACT,
  'metadata-article': BEFORE_ABSTRACT,
};
// AASTeX 7 replaced AASTeX 6.31 in TeX Live: 2022 and 2024 ship aastex631.cls only, 2026 ships
// aastex701.cls only. Each generation runs the one it ships; every other class runs everywhere.
const SHIPPED: Record<string, (gen: Generation) => boolean> = {
  aastex631: (gen) => Number(gen.name) < 2026,
  aastex701: (gen) => Number(gen.name) >= 2026,
};
const ships = (gen: Generation, name: string): boolean => SHIPPED[name]?.(gen) ?? true;
// Classes that set pdftitle themselves (hyperref's Title is the class's, not ours to keep).
const OWN_PDFTITLE = new Set(['acm-sigconf', 'acm-acmsmall', 'beamer']);

function source(name: string, variant: Variant, edit?: (s: string) => string): string {
  let s = fs.readFileSync(fixture('tex', `${name}.tex`), 'utf8');
  if (variant === 'before') s = s.replace(/^%HYPERREF-BEFORE$/m, HYPERREF);
  if (variant === 'after') s = s.replace(/^%HYPERREF-AFTER$/m, HYPERREF);
  if (variant === 'hyperxmp') s = s.replace(/^%HYPERREF-AFTER$/m, HYPERXMP);
  if (variant === 'nopith') s = s.replace(/^.*%PITH\n/gm, '');
  return edit ? edit(s) : s;
}

const GENS = generations();
// One temporary folder per generation (for a chroot, under its /tmp).
const tmpRoots = new Map(GENS.map((g) => [g.name, makeBuildDir(g, 'pith-tex-sty-').hostPath]));
after(() => {
  if (!process.env.PITH_TEX_KEEP_TMP) for (const dir of tmpRoots.values()) removeBuildDir(dir);
});
// A test per generation (that ships the class `cls`), named after it.
function gtest(name: string, fn: (gen: Generation) => Promise<void>, cls?: string): void {
  for (const gen of GENS) if (cls === undefined || ships(gen, cls)) test(`[${label(gen)}] ${name}`, () => fn(gen));
}

interface Job {
  dir: string;
  result: CompileResult;
}
// A small pool: at most two latexmk runs at once (CI has two cores).
const slot = limiter(Math.max(1, Number(process.env.PITH_TEX_JOBS ?? 2)));
let seq = 0;
function build(
  gen: Generation,
  name: string,
  engine: Engine,
  variant: Variant,
  opts: { sty?: string; edit?: (s: string) => string } = {},
): Promise<Job> {
  const dir = path.join(tmpRoots.get(gen.name)!, `${String(seq++).padStart(3, '0')}-${name}-${engine}-${variant}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'pith.sty'), opts.sty ?? packageSource);
  let src = source(name, variant, opts.edit);
  // latex+dvipdfmx: name the driver as a global class option (what hyperref needs to write for
  // dvipdfmx at all). acmart fails with it even without pith, so acmart keeps hyperref's default
  // dvips driver there, which pith.sty also handles.
  // A \DocumentMetadata document names its backend there instead (it is read before the class).
  if (engine === 'dvipdfmx' && name.startsWith('metadata-') && !opts.edit) {
    src = src.replace('\\DocumentMetadata{}', '\\DocumentMetadata{backend=dvipdfmx}');
  } else if (engine === 'dvipdfmx' && !name.startsWith('acm')) {
    src = src.replace(
      /^\\documentclass(?:\[([^\]]*)\])?\{/m,
      (_m, o: string | undefined) => `\\documentclass[${o ? `${o},` : ''}dvipdfmx]{`,
    );
  }
  fs.writeFileSync(path.join(dir, 'main.tex'), src);
  return slot(async () => ({ dir, result: await compileIn(gen, { dir, main: 'main.tex', engine }) }));
}
// Start everything now (the pool keeps it to two at a time); tests await their own job.
const jobs = new Map<string, Promise<Job>>();
function job(key: string, make: () => Promise<Job>): Promise<Job> {
  let j = jobs.get(key);
  if (!j) {
    j = make();
    j.catch(() => undefined);
    jobs.set(key, j);
  }
  return j;
}

function failMessage(j: Job): string {
  const err = j.result.log.split('\n').filter((l) => /^!|^\.\/main\.tex:\d+:/.test(l));
  return `latexmk exit ${j.result.exitCode} in ${j.dir}\n${err.slice(0, 8).join('\n')}\n${j.result.output.slice(-1500)}`;
}

function count(hay: string, needle: string): number {
  return hay.split(needle).length - 1;
}

const baseline = (gen: Generation, name: string): Promise<Job> => job(`${gen.name}:base:${name}`, () => build(gen, name, 'pdf', 'nopith'));

async function checkBadgeCase(gen: Generation, name: string, engine: Engine, variant: Variant, extra: { stampedCopy?: boolean } = {}) {
  const j = await job(`${gen.name}:${name}:${engine}:${variant}:${extra.stampedCopy ? 's' : ''}`, () =>
    build(gen, name, engine, variant, extra.stampedCopy ? { sty: stamped(BODY) } : {}),
  );
  assert.ok(j.result.ok, failMessage(j));
  const pdf = j.result.pdfPath;
  assert.ok(fs.existsSync(pdf), `no PDF in ${j.dir}`);

  const info = await pdfInfoCustom(pdf);
  assert.equal(info.PithNumber, NUMBER, `PithNumber in ${j.dir}`);
  if (extra.stampedCopy) {
    assert.equal(info.PithRecord, RECORD);
    assert.equal(info.PithCanonicalSHA256, SHA);
  } else {
    assert.equal(info.PithRecord, undefined, 'PithRecord only comes from a stamped copy');
  }
  if (variant === 'before' || variant === 'after' || variant === 'hyperxmp') {
    if (OWN_PDFTITLE.has(name)) assert.ok(!(info.Title ?? '').includes('pith:'), `Title: ${info.Title}`);
    // dvips: acmart, and hyperxmp with any class, lose hyperref's Title without pith too (seen on TL2022).
    else if (engine !== 'dvips' || (!name.startsWith('acm') && variant !== 'hyperxmp'))
      assert.equal(info.Title, 'Pith Test Title', `hyperref's Title in ${j.dir}`);
  }

  // XMP: wherever the document has an XMP writer (\DocumentMetadata, hyperxmp, or acmart, which loads
  // hyperxmp), its packet carries pith's properties; pith never writes a packet of its own. (Ghostscript,
  // in latex+dvips+ps2pdf, makes a packet of its own from the Info dictionary: no requirement there.)
  const xmp = await pdfXmp(pdf);
  const xmpWriter = name.startsWith('metadata-') || variant === 'hyperxmp' || name.startsWith('acm-');
  if (name.startsWith('metadata-') || variant === 'hyperxmp') assert.ok(xmp.trim() !== '', `an XMP packet in ${j.dir}`);
  assert.ok(count(xmp, '<?xpacket begin') <= 1, 'one packet at most');
  if (xmpWriter && xmp.trim() !== '') {
    assert.ok(xmp.includes(`>${NUMBER}</pith:number>`), `XMP pith:number in ${j.dir}:\n${xmp.slice(-1500)}`);
    assert.ok(xmp.includes(XMLNS), 'XMP pith namespace');
    if (extra.stampedCopy) {
      assert.ok(xmp.includes(`>${RECORD}</pith:record>`), `XMP pith:record in ${j.dir}`);
      assert.ok(xmp.includes(`>${SHA}</pith:canonicalSHA256>`), `XMP pith:canonicalSHA256 in ${j.dir}`);
    }
    if (variant === 'hyperxmp') assert.ok(xmp.includes('Pith Test Title'), "hyperxmp's dc:title kept");
  }

  const urls = await pdfUrls(pdf);
  assert.ok(
    urls.some((u) => u.page === 1 && u.url === RECORD),
    `record link on page 1 in ${j.dir}: ${JSON.stringify(urls)}`,
  );

  const page1 = await pdfText(pdf, { firstPage: 1, lastPage: 1 });
  const at = page1.indexOf(NUMBER);
  assert.ok(at >= 0, `badge text on page 1 in ${j.dir}:\n${page1}`);
  const title = page1.search(TITLE);
  assert.ok(title >= 0 && title < at, `badge after the title in ${j.dir}:\n${page1}`);
  const rule = CLASSES[name];
  assert.ok(rule, `no placement rule for ${name}`);
  if (rule instanceof RegExp) {
    const next = page1.search(rule);
    assert.ok(next > at, `badge before ${rule} in ${j.dir}:\n${page1}`);
  } else {
    assert.ok(page1.search(rule.after) < at, `badge after ${rule.after} in ${j.dir}:\n${page1}`);
    assert.doesNotMatch(page1, /route each token|sparse mixtures of experts\./i, `the title page holds no body text in ${j.dir}`);
  }

  const all = await pdfText(pdf);
  assert.equal(count(all, NUMBER), 1, `the badge appears once (no running head / reference block) in ${j.dir}`);

  const base = await baseline(gen, name);
  assert.ok(base.result.ok, failMessage(base));
  assert.equal(await pdfPageCount(pdf), await pdfPageCount(base.result.pdfPath), `no added page in ${j.dir}`);
  if (engine === 'pdf') {
    // No files beyond the .aux: everything here is also in the build without pith (hyperref: .out).
    const known = new Set([...fs.readdirSync(base.dir), 'main.out']);
    const extra = fs.readdirSync(j.dir).filter((f) => !known.has(f));
    assert.deepEqual(extra, [], `files written beyond the usual ones in ${j.dir}`);
  }
}

// Start a build on every generation now, keyed as checkBadgeCase keys it.
function start(key: string, make: (gen: Generation) => Promise<Job>, cls?: string): void {
  for (const gen of GENS) if (cls === undefined || ships(gen, cls)) job(`${gen.name}:${key}`, () => make(gen));
}
// ---- every class × hyperref placement, pdfLaTeX
for (const name of Object.keys(CLASSES)) {
  for (const variant of ['none', 'before', 'after'] as const) {
    start(`${name}:pdf:${variant}:`, (gen) => build(gen, name, 'pdf', variant), name);
  }
  for (const gen of GENS) if (ships(gen, name)) baseline(gen, name);
}
// ---- every engine path with article, revtex4-2 and acmart
const ENGINE_CLASSES = ['article', 'revtex4-2', 'acm-sigconf'];
const OTHER_ENGINES: Engine[] = ['xe', 'lua', 'dvipdfmx', 'dvips'];
for (const name of ENGINE_CLASSES) {
  for (const engine of OTHER_ENGINES) {
    for (const variant of ['none', 'before', 'after'] as const) {
      start(`${name}:${engine}:${variant}:`, (gen) => build(gen, name, engine, variant));
    }
  }
}
for (const engine of ['pdf', ...OTHER_ENGINES] as Engine[]) {
  start(`article:${engine}:after:s`, (gen) => build(gen, 'article', engine, 'after', { sty: stamped(BODY) }));
  start(`article:${engine}:hyperxmp:s`, (gen) => build(gen, 'article', engine, 'hyperxmp', { sty: stamped(BODY) }));
}
start('metadata-article:pdf:after:s', (gen) => build(gen, 'metadata-article', 'pdf', 'after', { sty: stamped(BODY) }));

for (const name of Object.keys(CLASSES)) {
  for (const variant of ['none', 'before', 'after'] as const) {
    gtest(
      `${name}, pdfLaTeX, hyperref ${variant === 'none' ? 'absent' : `${variant} pith`}`,
      (gen) => checkBadgeCase(gen, name, 'pdf', variant),
      name,
    );
  }
}
for (const name of ENGINE_CLASSES) {
  for (const engine of OTHER_ENGINES) {
    for (const variant of ['none', 'before', 'after'] as const) {
      gtest(`${name}, ${engine}, hyperref ${variant === 'none' ? 'absent' : `${variant} pith`}`, (gen) =>
        checkBadgeCase(gen, name, engine, variant),
      );
    }
  }
}
for (const engine of ['pdf', ...OTHER_ENGINES] as Engine[]) {
  gtest(`stamped copy, article, ${engine}: PithRecord and PithCanonicalSHA256`, (gen) =>
    checkBadgeCase(gen, 'article', engine, 'after', { stampedCopy: true }),
  );
}

for (const engine of ['pdf', ...OTHER_ENGINES] as Engine[]) {
  gtest(`stamped copy, article + hyperxmp, ${engine}: Info keys and XMP properties`, (gen) =>
    checkBadgeCase(gen, 'article', engine, 'hyperxmp', { stampedCopy: true }),
  );
}
gtest('stamped copy, \\DocumentMetadata, pdfLaTeX: Info keys and XMP properties through the kernel', (gen) =>
  checkBadgeCase(gen, 'metadata-article', 'pdf', 'after', { stampedCopy: true }),
);

gtest('\\DocumentMetadata with LuaLaTeX (compiled in its own folder)', (gen) => checkBadgeCase(gen, 'metadata-article', 'lua', 'none'));

for (const engine of ['xe', 'dvipdfmx', 'dvips'] as Engine[]) {
  gtest(`stamped copy, \\DocumentMetadata, ${engine}: Info keys and XMP properties through the kernel`, (gen) =>
    checkBadgeCase(gen, 'metadata-article', engine, 'after', { stampedCopy: true }),
  );
}

gtest('\\DocumentMetadata{} (dvips backend) with a dvipdfmx class option, run through dvipdfmx: PithNumber still in Info', async (gen) => {
  // The kernel's backend is fixed by \DocumentMetadata before the class option is read, so its
  // entries are pdfmarks that dvipdfmx ignores; pith adds a special of dvipdfmx's own.
  const j = await build(gen, 'metadata-article', 'dvipdfmx', 'none', {
    edit: (s) => s, // an edit keeps \\DocumentMetadata{} as it is; build() adds the class option
  });
  assert.ok(j.result.ok, failMessage(j));
  assert.equal((await pdfInfoCustom(j.result.pdfPath)).PithNumber, NUMBER);
  assert.ok(
    (await pdfUrls(j.result.pdfPath)).some((u) => u.page === 1 && u.url === RECORD),
    'badge link',
  );
});

gtest('stamped copy that disagrees with \\pithnumber stops the build, naming both numbers', async (gen) => {
  const other = 'AAAAAAAAAAAAAAAAAAAAAAAAAA';
  const j = await build(gen, 'article', 'pdf', 'none', { sty: stamped(other) });
  assert.equal(j.result.ok, false, 'the build must fail');
  assert.match(j.result.log, /Pith number mismatch/);
  assert.ok(j.result.log.includes(NUMBER), 'log names the document number');
  assert.ok(j.result.log.includes(`pith:2021:${other}`), 'log names the stamped number');
  assert.ok(j.result.log.includes('pith-tex stamp'), 'log names the fix');
});

gtest('stamped copy whose year disagrees also fails', async (gen) => {
  const j = await build(gen, 'article', 'pdf', 'none', { sty: stamped(BODY, '2020') });
  assert.equal(j.result.ok, false);
  assert.ok(j.result.log.includes(`pith:2020:${BODY}`));
});

gtest('malformed \\pithnumber fails with the expected form', async (gen) => {
  const j = await build(gen, 'article', 'pdf', 'none', {
    edit: (s) => s.replace(/\\pithnumber\{[^}]*\}/, '\\pithnumber{pith:2021:NMB7QKC2NJYNHLPG6XMF2N35I1}'),
  });
  assert.equal(j.result.ok, false);
  assert.match(j.result.log, /Malformed Pith number/);
  assert.match(j.result.log, /Expected 26 characters A-Z and 2-7/);
  assert.match(j.result.log, /pith:YEAR:BODY/);
});

gtest('a # in \\pithnumber is pith\'s one error (not TeX\'s "Illegal parameter number")', async (gen) => {
  const j = await build(gen, 'article', 'pdf', 'none', {
    edit: (s) => s.replace(/\\pithnumber\{[^}]*\}/, '\\pithnumber{NMB7QKC2#NJYNHLPG6XMF2N35IK}'),
  });
  assert.equal(j.result.ok, false);
  // Every error line is pith's (halt-on-error's "Fatal error occurred" aside).
  const errors = j.result.log.split('\n').filter((l) => /^! |^\.\/main\.tex:\d+: /.test(l) && !/Fatal error occurred/.test(l));
  assert.ok(errors.length >= 1 && errors.every((l) => /Package pith Error: Malformed Pith number/.test(l)), errors.join('\n'));
  assert.doesNotMatch(j.result.log, /Illegal parameter number/);
});

for (const place of ['before', 'after'] as const) {
  gtest(`hyperref's pdfusetitle (loaded ${place} pith) takes the title and authors without the badge`, async (gen) => {
    const j = await build(gen, 'article', 'pdf', 'none', {
      edit: (s) => s.replace(place === 'before' ? /^%HYPERREF-BEFORE$/m : /^%HYPERREF-AFTER$/m, '\\usepackage[pdfusetitle]{hyperref}'),
    });
    assert.ok(j.result.ok, failMessage(j));
    const info = await pdfInfoCustom(j.result.pdfPath);
    assert.equal(info.Title, 'Scaling Sparse Experts');
    assert.doesNotMatch(info.Author ?? '', /pith/);
    assert.equal(info.PithNumber, NUMBER);
    assert.equal(count(await pdfText(j.result.pdfPath, { firstPage: 1, lastPage: 1 }), NUMBER), 1);
  });
}

gtest('missing \\pithnumber builds, with a warning and no metadata', async (gen) => {
  const j = await build(gen, 'article', 'pdf', 'none', { edit: (s) => s.replace(/^\\pithnumber.*\n/m, '') });
  assert.ok(j.result.ok, failMessage(j));
  assert.match(j.result.log, /Package pith Warning: No \\pithnumber given/);
  const info = await pdfInfoCustom(j.result.pdfPath);
  assert.equal(info.PithNumber, undefined);
  assert.equal(count(await pdfText(j.result.pdfPath), 'pith:'), 0);
});

gtest('lower-case body without year: accepted, upper-cased, shown as pith:BODY', async (gen) => {
  const j = await build(gen, 'article', 'pdf', 'none', {
    edit: (s) => s.replace(/\\pithnumber\{[^}]*\}/, `\\pithnumber{${BODY.toLowerCase()}}`),
  });
  assert.ok(j.result.ok, failMessage(j));
  assert.equal((await pdfInfoCustom(j.result.pdfPath)).PithNumber, `pith:${BODY}`);
  const text = await pdfText(j.result.pdfPath, { firstPage: 1, lastPage: 1 });
  assert.ok(text.includes(`pith:${BODY}`) && !text.includes(NUMBER));
});

gtest('display=short shows pith:<first 8>, metadata keeps the full number', async (gen) => {
  const j = await build(gen, 'article', 'pdf', 'none', {
    edit: (s) => s.replace('\\usepackage{pith}', '\\usepackage[display=short]{pith}'),
  });
  assert.ok(j.result.ok, failMessage(j));
  const text = await pdfText(j.result.pdfPath, { firstPage: 1, lastPage: 1 });
  assert.ok(text.includes(`pith:${BODY.slice(0, 8)}`), text);
  assert.ok(!text.includes(BODY), 'no full body on the page');
  assert.equal((await pdfInfoCustom(j.result.pdfPath)).PithNumber, NUMBER);
});

gtest('badge=none, metadata=false, link=false: nothing written', async (gen) => {
  const j = await build(gen, 'article', 'pdf', 'none', {
    edit: (s) => s.replace('\\usepackage{pith}', '\\usepackage[badge=none,metadata=false,link=false]{pith}'),
  });
  assert.ok(j.result.ok, failMessage(j));
  assert.equal((await pdfInfoCustom(j.result.pdfPath)).PithNumber, undefined);
  assert.equal(count(await pdfText(j.result.pdfPath), 'pith:'), 0);
  assert.equal((await pdfUrls(j.result.pdfPath)).length, 0);
});

gtest('\\pithbadge by hand replaces the automatic badge', async (gen) => {
  const j = await build(gen, 'article', 'pdf', 'none', {
    edit: (s) => s.replace('We study sparse mixtures of experts.', 'We study sparse mixtures of experts. \\pithbadge'),
  });
  assert.ok(j.result.ok, failMessage(j));
  const text = await pdfText(j.result.pdfPath);
  assert.equal(count(text, NUMBER), 1);
  assert.ok(text.indexOf(NUMBER) > text.search(BEFORE_ABSTRACT), 'the one badge is the hand-placed one');
  assert.ok((await pdfUrls(j.result.pdfPath)).some((u) => u.url === RECORD));
});

gtest('badge=footnote puts it at the foot of page 1', async (gen) => {
  const j = await build(gen, 'article', 'pdf', 'none', {
    edit: (s) => s.replace('\\usepackage{pith}', '\\usepackage[badge=footnote]{pith}'),
  });
  assert.ok(j.result.ok, failMessage(j));
  const page1 = await pdfText(j.result.pdfPath, { firstPage: 1, lastPage: 1 });
  assert.ok(page1.indexOf(NUMBER) > page1.indexOf('route each token'), page1);
  assert.equal(await pdfPageCount(j.result.pdfPath), 2);
});

gtest('\\pithnumber in the body, after the title: metadata now, badge from the .aux on the rerun', async (gen) => {
  const j = await build(gen, 'article', 'xe', 'none', {
    edit: (s) => s.replace(/^(\\pithnumber\{[^}]*\})%PITH\n/m, '').replace('\\section{Method}', `\\pithnumber{${NUMBER}}\\section{Method}`),
  });
  assert.ok(j.result.ok, failMessage(j));
  assert.equal((await pdfInfoCustom(j.result.pdfPath)).PithNumber, NUMBER);
  const page1 = await pdfText(j.result.pdfPath, { firstPage: 1, lastPage: 1 });
  assert.ok(page1.includes(NUMBER), page1);
});

gtest('resolver=<URL>/ and link (no value): badge links to <URL>/pith/BODY; metadata unchanged', async (gen) => {
  const j = await build(gen, 'article', 'pdf', 'none', {
    edit: (s) => s.replace('\\usepackage{pith}', '\\usepackage[resolver=https://example.org/x_y/,link]{pith}'),
  });
  assert.ok(j.result.ok, failMessage(j));
  const urls = await pdfUrls(j.result.pdfPath);
  assert.ok(
    urls.some((u) => u.page === 1 && u.url === `https://example.org/x_y/pith/${BODY}`),
    JSON.stringify(urls),
  );
  assert.equal((await pdfInfoCustom(j.result.pdfPath)).PithNumber, NUMBER);
});

gtest('unknown option and unknown value: LaTeX errors naming them', async (gen) => {
  const a = await build(gen, 'article', 'pdf', 'none', { edit: (s) => s.replace('\\usepackage{pith}', '\\usepackage[colour=red]{pith}') });
  assert.equal(a.result.ok, false);
  assert.match(a.result.log, /Package pith Error: Unknown option `colour'/);
  const b = await build(gen, 'article', 'pdf', 'none', { edit: (s) => s.replace('\\usepackage{pith}', '\\usepackage[badge=top]{pith}') });
  assert.equal(b.result.ok, false);
  assert.match(b.result.log, /Package pith Error: Unknown value `top' for option `badge'/);
});

gtest('a command inside \\pithnumber is refused, naming the fix (pith-tex reads the number from the source)', async (gen) => {
  const j = await build(gen, 'article', 'pdf', 'none', {
    edit: (s) => s.replace(/\\pithnumber\{[^}]*\}/, `\\newcommand\\mynum{${BODY}}\\pithnumber{pith:2021:\\mynum}`),
  });
  assert.equal(j.result.ok, false, 'the build must fail');
  assert.match(j.result.log, /Package pith Error: \\pithnumber\{pith:2021:\\mynum ?\} holds a command/);
  assert.match(j.result.log, /Write the number out/);
});
