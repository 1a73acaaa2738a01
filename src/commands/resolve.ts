// pith-tex resolve QUERY: any identifier → a verified record, with where it came from.
import { isJsonObject, type JsonValue } from '../core/json.js';
import { recordUrl } from '../core/number.js';
import { arxivDoi, parseQuery, QueryError } from '../core/query.js';
import { EXIT, PithError } from '../errors.js';
import { writeFileAtomic } from '../io/files.js';
import { noteRecordSource, printJson, say, warn } from '../io/output.js';
import { resolveQuery, DEFAULT_RESOLVER, type Resolved } from '../io/resolve.js';
import { loadTrustedKeys } from '../io/trust.js';

export interface ResolveCommandOptions {
  json?: boolean;
  trustKey?: string[];
  bundle?: string;
  dir?: string;
  offline?: boolean;
  refresh?: boolean;
  resolver?: string;
  save?: string;
  timeout?: string;
  allowOlder?: boolean;
}

export const RESOLVE_REPORT_VERSION = 1;

export async function run(input: string, options: ResolveCommandOptions): Promise<number> {
  let query;
  try {
    query = parseQuery(input);
  } catch (err) {
    if (err instanceof QueryError) throw new PithError(err.message, EXIT.badInput);
    throw err;
  }
  const trusted = await loadTrustedKeys(options.trustKey);
  let http = {};
  if (options.timeout !== undefined) {
    const s = Number(options.timeout);
    if (!Number.isFinite(s) || s <= 0) throw new PithError(`--timeout ${options.timeout}: expected a number of seconds`, EXIT.badInput);
    http = { totalTimeoutMs: s * 1000, connectTimeoutMs: Math.min(s * 1000, 10_000) };
  }
  const result = await resolveQuery(query, {
    trusted,
    bundle: options.bundle,
    dir: options.dir,
    offline: options.offline,
    refresh: options.refresh,
    allowOlder: options.allowOlder,
    needBundle: options.save !== undefined,
    resolver: options.resolver,
    http,
    warn,
    progress: Boolean(process.stderr.isTTY) && !options.json,
  });
  noteRecordSource(result.source);
  if (options.save) {
    if (result.text === null) throw new PithError('--save needs a whole bundle, and the source gave only a record', EXIT.badInput);
    await writeFileAtomic(options.save, result.text);
  }
  if (options.json) printJson(jsonReport(result, options.save));
  else say(humanReport(result, options.save, options.resolver ?? process.env.PITH_RESOLVER ?? DEFAULT_RESOLVER));
  return EXIT.ok;
}

export interface RecordStatus {
  attested: boolean | null;
  anchored: boolean | null;
  stored: boolean | null;
}

/** Status from the bundle's state.current lists (null when the source holds no state: a lock). */
export function statusOf(r: Resolved): RecordStatus {
  const state = r.bundle?.state;
  const current = isJsonObject(state) && isJsonObject(state.current) ? state.current : null;
  const nonEmpty = (key: string): boolean | null => {
    if (!current) return null;
    const v = current[key];
    return Array.isArray(v) ? v.length > 0 : null;
  };
  return { attested: nonEmpty('author_attestations'), anchored: nonEmpty('timestamp_anchors'), stored: nonEmpty('storage_attestations') };
}

export function statusText(s: RecordStatus): string {
  const word = (v: boolean | null, yes: string) => (v === null ? `${yes}: unknown` : v ? yes : `not ${yes}`);
  if (s.attested === null && s.anchored === null && s.stored === null) return 'unknown (the lock file holds no state; resolve with --refresh for it)';
  return [word(s.attested, 'attested'), word(s.anchored, 'anchored'), word(s.stored, 'stored')].join(' · ');
}

function doiOf(r: Resolved): string | null {
  const alias = r.aliases.find((a: JsonValue) => isJsonObject(a) && a.alias_kind === 'doi');
  if (alias && isJsonObject(alias) && typeof alias.alias_value === 'string') return alias.alias_value;
  return r.record.source.kind === 'arxiv' ? arxivDoi(r.record.source.id) : null;
}

const SOURCE_LABEL: Record<Resolved['source']['kind'], string> = {
  'bundle-file': 'bundle file',
  lock: 'lock file',
  cache: 'local cache',
  resolver: 'resolver',
};

function humanReport(r: Resolved, saved: string | undefined, base: string): string {
  const src = r.record.source;
  const lines = [
    `${r.number.full}  verified`,
    `  title sha256    ${r.record.metadata.title_canon_sha256}`,
    `  canonical hash  ${r.canonical_sha256}`,
  ];
  if (src.kind === 'arxiv') {
    lines.push(`  arXiv           ${src.id}v${src.version}${r.versionNote ? ` (${r.versionNote})` : ''}`);
  } else {
    lines.push(`  source          ${src.kind}:${src.id} v${src.version}`);
  }
  const doi = doiOf(r);
  if (doi) lines.push(`  DOI             ${doi}`);
  lines.push(`  status          ${statusText(statusOf(r))}`);
  lines.push(`  from            ${SOURCE_LABEL[r.source.kind]} ${r.source.location}`);
  const what = r.report.signatures_checked && r.bundle ? 'full bundle check' : 'record hash, number and receipt signature';
  lines.push(`  checked         ${what}: ${r.report.checks.filter((c) => c.status === 'pass').length} checks passed`);
  lines.push(`  record page     ${recordUrl(r.number.body, /^https:\/\//.test(base) ? base : DEFAULT_RESOLVER)}`);
  lines.push(`  LaTeX           \\pithnumber{${r.number.body}}`);
  if (saved) lines.push(`  saved bundle    ${saved}`);
  return `${lines.join('\n')}\n`;
}

function jsonReport(r: Resolved, saved: string | undefined) {
  const src = r.record.source;
  return {
    report: 'pith-tex/resolve',
    report_version: RESOLVE_REPORT_VERSION,
    query: r.query.input,
    query_kind: r.query.kind,
    ok: true,
    pith_number: r.number.full,
    body: r.number.body,
    canonical_sha256: r.canonical_sha256,
    canonical_record: r.record,
    arxiv: src.kind === 'arxiv' ? { id: src.id, version: src.version } : null,
    doi: doiOf(r),
    version_note: r.versionNote,
    aliases: r.aliases,
    status: statusOf(r),
    source: r.source,
    cache: r.cache,
    saved: saved ?? null,
    checks: r.report.checks,
  };
}
