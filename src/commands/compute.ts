// pith-tex compute: the canonical record, its hash and number, from the paper's own metadata,
// offline. --check FILE compares with a registry record and names the first field that differs.
import { parseArxivExport, XmlError } from '../core/arxiv-metadata.js';
import { computeRecord, MetadataError, recordDifference, splitCats, type ComputeResult, type PaperMetadata } from '../core/compute.js';
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { EXIT, PithError } from '../errors.js';
import { readBoundedText, readJsonFile, MAX_JSON_BYTES } from '../io/files.js';
import { printJson, say } from '../io/output.js';
import { parseJson } from '../core/json.js';

export interface ComputeOptions {
  json?: boolean;
  arxivId?: string;
  arxivVersion?: string;
  title?: string;
  abstract?: string;
  abstractFile?: string;
  titleSha256?: string;
  abstractSha256?: string;
  primaryCat?: string;
  crossCats?: string[];
  license?: string;
  submittedAt?: string;
  check?: string;
}

export const COMPUTE_REPORT_VERSION = 1;

const INFERRED_NOTE =
  "holds text beyond ASCII: the title/abstract rule (Python lower(), whitespace collapsed) is proven for ASCII and inferred beyond it (spec §2), so this hash may differ from the registry's";

export async function run(file: string | undefined, options: ComputeOptions): Promise<number> {
  const { meta, format } = await gatherMetadata(file, options);
  let result: ComputeResult;
  try {
    result = computeRecord(meta);
  } catch (err) {
    if (err instanceof MetadataError) {
      const from = file ? ` (from ${file}${format === 'flags' ? '' : `, ${format}`} and flags)` : '';
      throw new PithError(`${err.message}${from}`, EXIT.badInput);
    }
    throw err;
  }
  let check: RegistryCheck | null = null;
  if (options.check) {
    const registry = registryRecordFrom(await readJsonFile(options.check, 'registry bundle, record or lock'), options.check, result);
    const difference = recordDifference(result.record, registry);
    check = { file: options.check, difference, hint: difference ? hintFor(difference.field) : null };
  }
  if (options.json) printJson(computeJson(result, format, check));
  else say(formatCompute(result, format, check));
  return check && check.difference !== null ? EXIT.checkFailed : EXIT.ok;
}

interface RegistryCheck {
  file: string;
  difference: ReturnType<typeof recordDifference>;
  hint: string | null;
}

/** The paper's metadata: the file's, then the flags over it (a flag replaces the file's text or hash of its field). */
async function gatherMetadata(file: string | undefined, options: ComputeOptions): Promise<{ meta: PaperMetadata; format: string }> {
  const meta: PaperMetadata = {};
  let format = 'flags';
  if (file !== undefined) {
    const text = await readBoundedText(file, MAX_JSON_BYTES, 'metadata file');
    const fromFile = readMetadataFile(text, file, options.arxivId);
    Object.assign(meta, fromFile.metadata);
    format = fromFile.format;
  }
  if (options.arxivId !== undefined) meta.arxiv_id = options.arxivId;
  if (options.arxivVersion !== undefined) meta.version = options.arxivVersion;
  if (options.title !== undefined) [meta.title, meta.title_sha256] = [options.title, undefined];
  if (options.abstract !== undefined && options.abstractFile !== undefined) {
    throw new PithError('give --abstract or --abstract-file, not both', EXIT.badInput);
  }
  if (options.abstract !== undefined) [meta.abstract, meta.abstract_sha256] = [options.abstract, undefined];
  if (options.abstractFile !== undefined) meta.abstract_sha256 = undefined;
  if (options.abstractFile !== undefined) meta.abstract = await readBoundedText(options.abstractFile, 1024 * 1024, 'abstract file');
  if (options.titleSha256 !== undefined) {
    if (options.title !== undefined) throw new PithError('give --title or --title-sha256, not both', EXIT.badInput);
    [meta.title_sha256, meta.title] = [options.titleSha256, undefined];
  }
  if (options.abstractSha256 !== undefined) {
    if (options.abstract !== undefined || options.abstractFile !== undefined)
      throw new PithError('give --abstract(-file) or --abstract-sha256, not both', EXIT.badInput);
    [meta.abstract_sha256, meta.abstract] = [options.abstractSha256, undefined];
  }
  if (options.primaryCat !== undefined) meta.primary_cat = options.primaryCat;
  if (options.crossCats !== undefined) meta.cross_cats = options.crossCats.flatMap(splitCats);
  if (options.license !== undefined) meta.license = options.license;
  if (options.submittedAt !== undefined) meta.submitted_at = options.submittedAt;
  return { meta, format };
}

function computeJson(result: ComputeResult, format: string, check: RegistryCheck | null) {
  return {
    report: 'pith-tex/compute',
    report_version: COMPUTE_REPORT_VERSION,
    input: format,
    pith_number: result.number.full,
    body: result.number.body,
    canonical_sha256: result.canonical_sha256,
    canonical_record: result.record,
    canonical_json: canonicalJson(result.record),
    exact: result.inferred.length === 0,
    inferred_fields: result.inferred,
    notes: result.notes,
    check: check && { file: check.file, matches: check.difference === null, first_difference: check.difference, hint: check.hint },
  };
}

function formatCompute(result: ComputeResult, format: string, check: RegistryCheck | null): string {
  const out = [
    `${result.number.full}  computed offline from the paper's metadata (${format})`,
    `  canonical_sha256  ${result.canonical_sha256}`,
    `  LaTeX             \\pithnumber{${result.number.body}}`,
    '  canonical record:',
    ...JSON.stringify(JSON.parse(canonicalJson(result.record)), null, 2)
      .split('\n')
      .map((l) => `    ${l}`),
  ];
  for (const f of result.inferred) out.push(`  note: the ${f} ${INFERRED_NOTE}`);
  for (const n of result.notes) out.push(`  note: ${n}`);
  if (check?.difference === null) out.push(`  check: matches the registry record in ${check.file}`);
  else if (check) {
    const d = check.difference;
    out.push(
      `  check: DIFFERS from ${check.file} at ${d.field}: computed ${JSON.stringify(d.computed)}, registry ${JSON.stringify(d.registry)}`,
    );
    if (check.hint) out.push(`  hint: ${check.hint}`);
  }
  return `${out.join('\n')}\n`;
}

/** A JSON metadata file, or an arXiv Atom / OAI-PMH XML export. */
function readMetadataFile(text: string, file: string, wantId?: string): { metadata: PaperMetadata; format: string } {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<')) {
    try {
      const parsed = parseArxivExport(text, wantId);
      return { metadata: parsed.metadata, format: parsed.format };
    } catch (err) {
      if (err instanceof XmlError) throw new PithError(`${file}: ${err.message}`, EXIT.badInput);
      throw err;
    }
  }
  let doc: JsonValue;
  try {
    doc = parseJson(text);
  } catch (err) {
    throw new PithError(`${file}: neither JSON nor an arXiv XML export (${(err as Error).message})`, EXIT.badInput);
  }
  if (!isJsonObject(doc)) throw new PithError(`${file}: expected a JSON object of paper metadata`, EXIT.badInput);
  const pick = (...keys: string[]): JsonValue | undefined => keys.map((k) => doc[k]).find((v) => v !== undefined && v !== null);
  const str = (key: string, v: JsonValue | undefined): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new PithError(`${file}: ${key}: expected text`, EXIT.badInput);
    return v;
  };
  const version = pick('version', 'arxiv_version');
  const cats = pick('cross_cats', 'cross_cats_sorted', 'cross_lists');
  if (cats !== undefined && typeof cats !== 'string' && !(Array.isArray(cats) && cats.every((c) => typeof c === 'string'))) {
    throw new PithError(`${file}: cross_cats: expected a list of categories`, EXIT.badInput);
  }
  if (version !== undefined && typeof version !== 'number' && typeof version !== 'string') {
    throw new PithError(`${file}: version: expected a number`, EXIT.badInput);
  }
  return {
    format: 'json',
    metadata: {
      arxiv_id: str('arxiv_id', pick('arxiv_id', 'id')),
      version: version as number | string | undefined,
      title: str('title', pick('title')),
      abstract: str('abstract', pick('abstract', 'summary')),
      title_sha256: str('title_canon_sha256', pick('title_canon_sha256', 'title_sha256')),
      abstract_sha256: str('abstract_canon_sha256', pick('abstract_canon_sha256', 'abstract_sha256')),
      primary_cat: str('primary_cat', pick('primary_cat', 'primary_category')),
      cross_cats: cats as string | string[] | undefined,
      license: str('license', pick('license')),
      submitted_at: str('submitted_at', pick('submitted_at', 'published')),
    },
  };
}

/** The registry's record from a bundle, a lock, a record envelope, a bare record or a list of them. */
function registryRecordFrom(doc: JsonValue, file: string, computed: ComputeResult): JsonObject {
  if (Array.isArray(doc)) {
    const id = computed.record.source.id;
    const found = doc.find(
      (e) =>
        isJsonObject(e) &&
        isJsonObject(e.canonical_record) &&
        isJsonObject(e.canonical_record.source) &&
        e.canonical_record.source.id === id,
    );
    if (!found || !isJsonObject(found)) throw new PithError(`${file}: no record for arXiv ${id} in the list`, EXIT.badInput);
    return found.canonical_record as JsonObject;
  }
  if (!isJsonObject(doc)) throw new PithError(`${file}: expected a bundle, record or lock object`, EXIT.badInput);
  if (isJsonObject(doc.canonical_record)) return doc.canonical_record;
  if ('metadata' in doc && 'source' in doc) return doc;
  throw new PithError(`${file}: no canonical_record in it (expected a bundle, a lock, or a canonical record)`, EXIT.badInput);
}

const HINTS: Record<string, string> = {
  'source.id': 'the arXiv id differs: is this the same paper?',
  'source.version': 'the registry numbers one version of the paper; give --version to match it (each version has its own number)',
  'metadata.title_canon_sha256':
    'use the title exactly as arXiv lists it (case and line breaks do not matter; punctuation, TeX markup and wording do)',
  'metadata.abstract_canon_sha256':
    "use arXiv's own abstract (not the journal's or the PDF's); case and line breaks do not matter, punctuation, TeX like -- and wording do",
  'metadata.primary_cat': 'the primary category is the first one arXiv lists (e.g. cs.LG)',
  'metadata.cross_cats_sorted': 'cross-lists are every other category arXiv lists, without the primary',
  'metadata.license': 'the license URL exactly as arXiv shows it (http:// and the trailing / matter)',
  'metadata.submitted_at': "the first version's submission time in UTC (arXiv's <published>, or v1's date), not this version's",
  schema_version: 'the registry record uses another schema version than this pith-tex (1.0)',
};

const hintFor = (field: string): string | null => HINTS[field] ?? null;
