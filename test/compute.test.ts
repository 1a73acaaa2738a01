import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fixture } from './helpers.js';
import { runCli, type CliRun } from './support/cli.js';
import {
  computeRecord,
  MetadataError,
  normaliseSubmittedAt,
  assertCategory,
  recordDifference,
  type PaperMetadata,
} from '../src/core/compute.js';
import { parseArxivExport, parseXml, XmlError } from '../src/core/arxiv-metadata.js';
import { canonText } from '../src/core/text.js';
import { sha256Hex } from '../src/core/encoding.js';
import { parseJson, type JsonObject } from '../src/core/json.js';
import { lockFromBundle, serializeLock } from '../src/core/lock.js';
import { allRegistryVectors, vectorRecords, type RegistryVector, type VectorRecord } from './support/vectors.js';
import { fileTempDirs } from './support/temp.js';

const VECTORS = vectorRecords();
const tmp = fileTempDirs('pith-compute-');

const cli = (args: string[]): Promise<CliRun> => runCli(args);

/**
 * `pith-tex compute --json` for vector `v`: the id and version, then `text` (its title and
 * abstract flags: the text, a file or the hash), then the categories, licence and time from its
 * record (the cross-lists in `crossCats` order).
 */
function computeFlags(v: RegistryVector, text: string[], crossCats = v.canonical_record.metadata.cross_cats_sorted, json = true): string[] {
  const m = v.canonical_record.metadata;
  return [
    'compute',
    ...(json ? ['--json'] : []),
    '--arxiv-id',
    v.arxiv_id,
    '--arxiv-version',
    String(v.arxiv_version),
    ...text,
    '--primary-cat',
    m.primary_cat,
    ...(crossCats.length > 0 ? ['--cross-cats', crossCats.join(',')] : []),
    '--license',
    m.license,
    '--submitted-at',
    m.submitted_at,
  ];
}

/** A vector's metadata as computeRecord takes it (the texts, not the hashes), with `changes`. */
function metadataOf(v: VectorRecord, changes: Partial<PaperMetadata> = {}): PaperMetadata {
  const m = v.canonical_record.metadata;
  const { primary_cat, cross_cats_sorted, license, submitted_at } = m;
  return {
    arxiv_id: v.arxiv_id,
    version: v.arxiv_version,
    title: v.title,
    abstract: v.abstract,
    primary_cat,
    cross_cats: cross_cats_sorted,
    license,
    submitted_at,
    ...changes,
  };
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Wrap text the way arXiv's exports do: hard line breaks, indented continuation lines. */
const wrap = (s: string, indent: string) =>
  s.split(' ').reduce((acc, w, i) => acc + (i === 0 ? '' : i % 9 === 0 ? `\n${indent}` : ' ') + w, '');

function atomOf(v: VectorRecord, extraEntry = ''): string {
  const m = v.canonical_record.metadata;
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title type="html">ArXiv Query: id_list=${v.arxiv_id}</title>
  <!-- a comment -->${extraEntry}
  <entry>
    <id>http://arxiv.org/abs/${v.arxiv_id}v${v.arxiv_version}</id>
    <updated>2022-07-21T17:11:43Z</updated>
    <published>${m.submitted_at}</published>
    <title>${xmlEscape(wrap(v.title, '  '))}</title>
    <summary>  ${xmlEscape(v.abstract)}</summary>
    <author><name>A. Author</name></author>
    <arxiv:primary_category term="${m.primary_cat}" scheme="http://arxiv.org/schemas/atom"/>
    ${[m.primary_cat, ...m.cross_cats_sorted].map((c) => `<category term="${c}" scheme="http://arxiv.org/schemas/atom"/>`).join('\n    ')}
  </entry>
</feed>`;
}

const rfc2822 = (iso: string) => new Date(iso).toUTCString(); // "Fri, 14 Jan 2022 18:36:04 GMT"

function arxivRawOf(v: VectorRecord): string {
  const m = v.canonical_record.metadata;
  const versions = Array.from({ length: v.arxiv_version }, (_, i) => {
    const date = i === 0 ? rfc2822(m.submitted_at) : rfc2822(new Date(Date.parse(m.submitted_at) + 86_400_000 * 30 * i).toISOString());
    return `<version version="v${i + 1}"><date>${date}</date><size>100kb</size></version>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><GetRecord><record><metadata>
<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/">
<id>${v.arxiv_id}</id><submitter>A. Author</submitter>
${versions.join('\n')}
<title>${xmlEscape(wrap(v.title, '  '))}</title>
<categories>${[m.primary_cat, ...m.cross_cats_sorted].join(' ')}</categories>
<license>${m.license}</license>
<abstract>  ${xmlEscape(wrap(v.abstract.replace(/\n/g, ' '), ''))}
</abstract>
</arXivRaw></metadata></record></GetRecord></OAI-PMH>`;
}

describe('pith-tex compute', () => {
  test('computeRecord reproduces all four vectors from their title and abstract text', () => {
    for (const v of VECTORS) {
      const out = computeRecord(metadataOf(v));
      assert.equal(out.canonical_sha256, v.canonical_sha256, v.arxiv_id);
      assert.equal(out.number.full, v.pith_number, v.arxiv_id);
      assert.deepEqual(out.inferred, []);
    }
  });

  test('every real record in the vectors is reproduced: empty licences, old-style ids, midnight, years unlike the id', async () => {
    const all = allRegistryVectors();
    // The issue's cases must be among them, or this test proves less than it says.
    const empty = all
      .filter((v) => v.canonical_record.metadata.license === '')
      .map((v) => v.arxiv_id)
      .sort();
    assert.deepEqual(empty, ['gr-qc/9910080', 'hep-th/0410102', 'hep-th/9309160', 'math/0203087', 'math/9308210', 'math/9707204']);
    assert.ok(all.some((v) => v.canonical_record.metadata.submitted_at.endsWith('T00:00:00Z')));
    assert.ok(all.some((v) => v.pith_number.slice(5, 9) !== `20${v.arxiv_id.slice(0, 2)}` && /^\d{4}\./.test(v.arxiv_id)));
    let fromText = 0;
    const runs = await Promise.all(
      all.map(async (v) => {
        const m = v.canonical_record.metadata;
        // The text where the vectors hold it (its hash is then computed, and must agree); the
        // registry's hash where they do not (old abstracts are not copied anywhere).
        const title = v.title !== undefined ? ['--title', v.title] : ['--title-sha256', m.title_canon_sha256];
        const abstract = v.abstract !== undefined ? ['--abstract', v.abstract] : ['--abstract-sha256', m.abstract_canon_sha256];
        if (v.title !== undefined && v.abstract !== undefined) fromText++;
        const r = await cli(computeFlags(v, [...title, ...abstract]));
        return { v, r };
      }),
    );
    for (const { v, r } of runs) {
      assert.equal(r.status, 0, `${v.arxiv_id}: ${r.stderr}`);
      const out = JSON.parse(r.stdout);
      assert.equal(out.canonical_sha256, v.canonical_sha256, v.arxiv_id);
      assert.equal(out.pith_number, v.pith_number, v.arxiv_id);
      assert.deepEqual(out.canonical_record, JSON.parse(JSON.stringify(v.canonical_record)), v.arxiv_id);
      if (v.canonical_record.metadata.license === '') assert.ok(out.notes.some((n: string) => /license is empty/.test(n)));
    }
    assert.equal(fromText, 6, 'records with both texts: the four of records.json, 1405.5099 and 2606.03883');
    // A title with raw TeX hashes as written; the rendered form does not.
    const schr = all.find((v) => v.arxiv_id === '1405.5099')!;
    assert.notEqual(sha256Hex(canonText(schr.title!.replace('\\"o', 'ö'))), schr.canonical_record.metadata.title_canon_sha256);
  });

  test('the title or abstract and its hash are not both accepted; a hash must be 64 hex', async () => {
    const v = allRegistryVectors().find((x) => x.arxiv_id === 'math/9308210')!;
    const m = v.canonical_record.metadata;
    const base = computeFlags(v, []);
    const both = await cli([
      ...base,
      '--title',
      v.title!,
      '--title-sha256',
      m.title_canon_sha256,
      '--abstract-sha256',
      m.abstract_canon_sha256,
    ]);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--title or --title-sha256, not both/);
    const bad = await cli([...base, '--title', v.title!, '--abstract-sha256', 'abc']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /abstract_sha256: "abc" is not a SHA-256/);
    const json = path.join(tmp(), 'meta.json');
    writeFileSync(
      json,
      JSON.stringify({
        arxiv_id: v.arxiv_id,
        version: 1,
        title: v.title,
        abstract_canon_sha256: m.abstract_canon_sha256,
        primary_cat: m.primary_cat,
        license: '',
        submitted_at: m.submitted_at,
      }),
    );
    const fromFile = await cli(['compute', '--json', json]);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    assert.equal(JSON.parse(fromFile.stdout).pith_number, v.pith_number);
  });

  test('pith-tex compute (flags, --abstract-file) reproduces every vector; --check against records.json agrees', async () => {
    const dir = tmp();
    await Promise.all(
      VECTORS.map(async (v, i) => {
        const m = v.canonical_record.metadata;
        const abstractFile = path.join(dir, `abstract${i}.txt`);
        writeFileSync(abstractFile, v.abstract);
        const flags = computeFlags(v, ['--title', v.title, '--abstract-file', abstractFile], [...m.cross_cats_sorted].reverse());
        const r = await cli([...flags, '--check', fixture('records.json')]);
        assert.equal(r.status, 0, r.stderr);
        const out = JSON.parse(r.stdout);
        assert.equal(out.report_version, 1);
        assert.equal(out.canonical_sha256, v.canonical_sha256);
        assert.equal(out.pith_number, v.pith_number);
        assert.equal(out.exact, true);
        assert.equal(out.check.matches, true);
      }),
    );
  });

  test('Atom export (export API) reproduces every vector; the license comes from --license', async () => {
    const dir = tmp();
    for (const v of VECTORS) {
      const parsed = parseArxivExport(atomOf(v));
      assert.equal(parsed.format, 'atom');
      assert.deepEqual(parsed.missing, ['license']);
      const out = computeRecord({ ...parsed.metadata, license: v.canonical_record.metadata.license });
      assert.equal(out.canonical_sha256, v.canonical_sha256, v.arxiv_id);
      assert.ok(out.notes.some((n) => /primary category .* left out/.test(n)));
    }
    const v = VECTORS[0] as VectorRecord;
    const file = path.join(dir, 'atom.xml');
    writeFileSync(file, atomOf(v));
    const r = await cli(['compute', file, '--license', v.canonical_record.metadata.license]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${v.pith_number}  computed offline .*\\(atom\\)`));
    assert.match(r.stdout, new RegExp(v.canonical_sha256));
    assert.doesNotMatch(r.stdout, /beyond ASCII/);
    const noLicense = await cli(['compute', file]);
    assert.equal(noLicense.status, 2);
    assert.match(noLicense.stderr, /license: missing; give --license/);
  });

  test('an Atom feed with several entries needs --arxiv-id to pick one', () => {
    const [a, b] = VECTORS as [VectorRecord, VectorRecord];
    const other = atomOf(b).replace(/^[\s\S]*?(<entry>[\s\S]*<\/entry>)[\s\S]*$/, '$1');
    const xml = atomOf(a, other);
    assert.throws(() => parseArxivExport(xml), /2 entries; pick one with --arxiv-id/);
    assert.equal(parseArxivExport(xml, b.arxiv_id).metadata.arxiv_id, b.arxiv_id);
    assert.throws(() => parseArxivExport(xml, '2001.00001'), /no entry for 2001\.00001/);
  });

  test('OAI-PMH arXivRaw reproduces every vector (newest version, v1 date)', () => {
    for (const v of VECTORS) {
      const parsed = parseArxivExport(arxivRawOf(v));
      assert.equal(parsed.format, 'oai-arxivraw');
      assert.deepEqual(parsed.missing, []);
      assert.equal(parsed.metadata.version, v.arxiv_version);
      const out = computeRecord(parsed.metadata);
      assert.equal(out.canonical_sha256, v.canonical_sha256, v.arxiv_id);
      assert.equal(out.number.full, v.pith_number);
    }
  });

  test('OAI-PMH arXiv format lacks version and time: the error says so; flags complete it', async () => {
    const v = VECTORS[1] as VectorRecord;
    const m = v.canonical_record.metadata;
    const xml = `<OAI-PMH><GetRecord><record><metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/">
<id>${v.arxiv_id}</id><created>${m.submitted_at.slice(0, 10)}</created><authors><author><keyname>X</keyname></author></authors>
<title>${xmlEscape(v.title)}</title><categories>${m.primary_cat} ${m.cross_cats_sorted.join(' ')}</categories>
<license>${m.license}</license><abstract><![CDATA[${v.abstract}]]></abstract></arXiv></metadata></record></GetRecord></OAI-PMH>`;
    const parsed = parseArxivExport(xml);
    assert.equal(parsed.format, 'oai-arxiv');
    assert.deepEqual(parsed.missing, ['version', 'submitted_at']);
    const file = path.join(tmp(), 'oai.xml');
    writeFileSync(file, xml);
    const bare = await cli(['compute', file]);
    assert.equal(bare.status, 2);
    assert.match(bare.stderr, /version: missing/);
    const r = await cli(['compute', file, '--json', '--arxiv-version', '1', '--submitted-at', '2021-09-21T20:57:46-04:00']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.canonical_sha256, v.canonical_sha256);
    assert.ok(out.notes.some((n: string) => /normalised to 2021-09-22T00:57:46Z/.test(n)));
  });

  test('a JSON metadata file works, and flags override it', async () => {
    const v = VECTORS[2] as VectorRecord;
    const m = v.canonical_record.metadata;
    const file = path.join(tmp(), 'meta.json');
    writeFileSync(
      file,
      JSON.stringify({
        arxiv_id: v.arxiv_id,
        version: v.arxiv_version,
        title: 'wrong',
        abstract: v.abstract,
        primary_cat: m.primary_cat,
        cross_cats: m.cross_cats_sorted,
        license: m.license,
        submitted_at: m.submitted_at,
      }),
    );
    const wrong = await cli(['compute', file, '--json']);
    assert.notEqual(JSON.parse(wrong.stdout).canonical_sha256, v.canonical_sha256);
    const r = await cli(['compute', file, '--json', '--title', v.title]);
    assert.equal(JSON.parse(r.stdout).canonical_sha256, v.canonical_sha256);
  });

  test('--check names the first field that differs (exit 1), against a bundle or a lock', async () => {
    const bundleFile = fixture('2109.10465v1.bundle.json');
    const v = VECTORS.find((x) => x.arxiv_id === '2109.10465') as VectorRecord;
    const base = computeFlags(v, ['--title', v.title], undefined, false);
    const good = await cli([...base, '--abstract', v.abstract, '--check', bundleFile]);
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /check: matches the registry record/);
    const journal = await cli([...base, '--abstract', `${v.abstract} Extra sentence.`, '--check', bundleFile]);
    assert.equal(journal.status, 1);
    assert.match(journal.stdout, /check: DIFFERS .* at metadata\.abstract_canon_sha256/);
    assert.match(journal.stdout, /hint: use arXiv's own abstract/);
    const lockFile = path.join(tmp(), 'pith.lock.json');
    writeFileSync(lockFile, serializeLock(lockFromBundle(parseJson(readFileSync(bundleFile, 'utf8')) as JsonObject)));
    const late = await cli([...base, '--abstract', v.abstract, '--submitted-at', '2021-09-22T00:57:47Z', '--check', lockFile, '--json']);
    assert.equal(late.status, 1);
    const out = JSON.parse(late.stdout);
    assert.equal(out.check.first_difference.field, 'metadata.submitted_at');
    assert.equal(out.check.first_difference.registry, '2021-09-22T00:57:46Z');
  });

  test('bad input is exit 2 with a clear message: empty title, bad date, malformed category', async () => {
    const v = VECTORS[0] as VectorRecord;
    const m = v.canonical_record.metadata;
    const args = (over: Record<string, string>) => {
      const o: Record<string, string> = {
        '--arxiv-id': v.arxiv_id,
        '--arxiv-version': '2',
        '--title': v.title,
        '--abstract': v.abstract,
        '--primary-cat': m.primary_cat,
        '--license': m.license,
        '--submitted-at': m.submitted_at,
        ...over,
      };
      return ['compute', ...Object.entries(o).flat()];
    };
    const cases: [Record<string, string>, RegExp][] = [
      [{ '--title': ' \n ' }, /title: is empty/],
      [{ '--submitted-at': '2022-02-30T10:00:00Z' }, /no day 30/],
      [{ '--submitted-at': '2022-01-14T18:36:04' }, /no time zone/],
      [{ '--submitted-at': 'yesterday' }, /not a date-time/],
      [{ '--primary-cat': 'cs.lg' }, /not an arXiv category/],
      [{ '--primary-cat': 'CS.LG' }, /not an arXiv category/],
      [{ '--cross-cats': 'cs.AI,astro-ph.co' }, /cross_cats: "astro-ph.co" is not an arXiv category/],
      [{ '--arxiv-version': '0' }, /version: "0" is not a positive whole number/],
      [{ '--arxiv-id': '2201.5596' }, /arxiv_id/],
    ];
    const runs = await Promise.all(cases.map(([over]) => cli(args(over))));
    runs.forEach((r, i) => {
      assert.equal(r.status, 2, `${JSON.stringify(cases[i]![0])}: ${r.stdout}`);
      assert.match(r.stderr, cases[i]![1]);
    });
  });

  test('dates: every ISO 8601 form with a zone normalises to UTC Z; RFC 2822 too', () => {
    const want = '2022-01-14T18:36:04Z';
    for (const s of [
      '2022-01-14T18:36:04Z',
      '2022-01-14T18:36:04+00:00',
      '2022-01-14T19:36:04+01:00',
      '2022-01-14T13:36:04-0500',
      '2022-01-14T20:36:04+02',
      '2022-01-14 18:36:04.987Z',
      '2022-01-15T03:36:04+09:00',
      'Fri, 14 Jan 2022 18:36:04 GMT',
      '14 Jan 2022 18:36:04 +0000',
    ]) {
      assert.equal(normaliseSubmittedAt(s).value, want, s);
    }
    assert.equal(normaliseSubmittedAt('2021-12-31T23:30:00-01:00').value, '2022-01-01T00:30:00Z');
    for (const s of ['2022-13-01T00:00:00Z', '2022-01-14T24:00:00Z', '2022-01-14', '2022-01-14T18:36:04+25:00', '']) {
      assert.throws(() => normaliseSubmittedAt(s), MetadataError, s);
    }
  });

  test('categories: the accepted styles and cross-list handling', () => {
    for (const c of [
      'cs.LG',
      'hep-th',
      'math.AG',
      'astro-ph.CO',
      'q-bio.NC',
      'physics.comp-ph',
      'cond-mat.stat-mech',
      'math-ph',
      'stat.ML',
    ]) {
      assert.equal(assertCategory(c, 'x'), c);
    }
    for (const c of ['cs.lg', 'cs.', 'LG', 'hep th', 'math.AGX', 'cs.L', '']) assert.throws(() => assertCategory(c, 'x'), MetadataError, c);
    const v = VECTORS[0] as VectorRecord;
    const out = computeRecord(metadataOf(v, { arxiv_id: `${v.arxiv_id}v2`, version: undefined, cross_cats: 'cs.DC cs.LG, cs.AI cs.DC' }));
    assert.deepEqual(out.record.metadata.cross_cats_sorted, ['cs.AI', 'cs.DC']);
    assert.equal(out.canonical_sha256, v.canonical_sha256);
    assert.equal(out.notes.length, 2);
  });

  test('text beyond ASCII: the output says the rule is inferred, and only then', async () => {
    const v = VECTORS[3] as VectorRecord;
    const m = v.canonical_record.metadata;
    const base = [
      'compute',
      '--arxiv-id',
      v.arxiv_id,
      '--arxiv-version',
      '1',
      '--abstract',
      v.abstract,
      '--primary-cat',
      m.primary_cat,
      '--license',
      m.license,
      '--submitted-at',
      m.submitted_at,
    ];
    const uni = await cli([...base, '--title', 'Schrödinger bridges for Σ-models']);
    assert.equal(uni.status, 0, uni.stderr);
    assert.match(uni.stdout, /note: the title holds text beyond ASCII: .* inferred/);
    assert.doesNotMatch(uni.stdout, /the abstract holds/);
    const ascii = await cli([...base, '--title', v.title, '--json']);
    const out = JSON.parse(ascii.stdout);
    assert.equal(out.exact, true);
    assert.deepEqual(out.inferred_fields, []);
  });

  test('XML reader: entities, CDATA, and refusals', () => {
    const doc = parseXml('<a x="1 &amp; 2"><b>&lt;&#233;&#x3A3;&gt;<![CDATA[<raw&>]]></b></a>');
    const a = doc.children[0]!;
    assert.equal(a.attrs.x, '1 & 2');
    assert.equal(a.children[0]!.text, '<éΣ><raw&>');
    assert.throws(() => parseXml('<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'), XmlError);
    assert.throws(() => parseXml('<a><b></a>'), XmlError);
    assert.throws(() => parseXml('<a>&nbsp;</a>'), /unknown entity/);
    assert.throws(() => parseArxivExport('<html><body>hi</body></html>'), /neither an arXiv Atom feed nor an OAI-PMH/);
  });

  test('recordDifference finds an extra key the registry added', () => {
    const v = VECTORS[0] as VectorRecord;
    const rec = v.canonical_record as unknown as JsonObject;
    const copy = JSON.parse(JSON.stringify(rec)) as JsonObject;
    (copy.metadata as JsonObject).new_field = 'x';
    const out = computeRecord(metadataOf(v, { version: 2 }));
    assert.equal(recordDifference(out.record, rec), null);
    assert.equal(recordDifference(out.record, copy)?.field, 'metadata.new_field');
  });
});

// canonText against Python (every code point, random strings): test/python-differential.test.ts.
