// pith-tex resolve QUERY: any identifier → a verified record, with where it came from.
import { isJsonObject, type JsonValue } from '../core/json.js';
import { recordUrl } from '../core/number.js';
import { arxivDoi, parseQuery, QueryError } from '../core/query.js';
import { EXIT, PithError } from '../errors.js';
import { writeFileAtomic } from '../io/files.js';
import { noteRecordSource, printJson, say, warn } from '../io/output.js';
import { registryStatusFlags, type StatusFlag } from '../core/registry-status.js';
import type { JsonObject } from '../core/json.js';
import {
  checkServedState,
  fetchRecordJson,
  resolveQuery,
  type ResolveOptions,
  DEFAULT_RESOLVER,
  type Resolved,
  type StateCheck,
} from '../io/resolve.js';
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
  mirrors?: string;
  state?: boolean;
  registryStatus?: boolean;
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
    needBundle: options.save !== undefined || Boolean(options.state),
    resolver: options.resolver,
    mirrors: options.mirrors,
    http,
    warn,
    progress: Boolean(process.stderr.isTTY) && !options.json,
  });
  noteRecordSource(result.source);
  const state = options.state
    ? await checkServedState(result, { trusted, resolver: options.resolver, mirrors: options.mirrors, http })
    : null;
  const flags = options.registryStatus
    ? await registryFlags(result, { trusted, resolver: options.resolver, mirrors: options.mirrors, http })
    : null;
  if (options.save) {
    if (result.text === null) throw new PithError('--save needs a whole bundle, and the source gave only a record', EXIT.badInput);
    await writeFileAtomic(options.save, result.text);
  }
  if (options.json) printJson({ ...jsonReport(result, options.save), state_check: state, registry_status: flags });
  else {
    say(humanReport(result, options.save, options.resolver ?? process.env.PITH_RESOLVER ?? DEFAULT_RESOLVER));
    if (state) say(`${stateLine(state)}\n`);
    if (flags) say(flagLines(flags));
  }
  if (state && !state.matches) {
    warn(
      `the state served at ${state.url} is not the state merged from the bundle's events (first difference at ${state.difference}); resolve with --refresh, and if it persists the server's state cannot be trusted`,
    );
    return EXIT.checkFailed;
  }
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
  if (s.attested === null && s.anchored === null && s.stored === null)
    return 'unknown (the lock file holds no state; resolve with --refresh for it)';
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

function stateLine(s: StateCheck): string {
  return s.matches
    ? `  served state    ${s.url} equals the state merged from the bundle's events (state_sha256 ${s.merged_state_sha256.slice(0, 16)}…)`
    : `  served state    ✗ ${s.url} differs from the merged state at ${s.difference}`;
}

interface RegistryFlags {
  url: string;
  flags: StatusFlag[];
  checked_by_pith_tex: string[];
}

/** The record JSON's verification_status, beside what pith-tex checked itself. */
async function registryFlags(r: Resolved, options: ResolveOptions): Promise<RegistryFlags> {
  const { url, doc } = await fetchRecordJson(r, options);
  const result = registryStatusFlags(doc, { record: r.record as unknown as JsonObject, report: r.report, bundle: r.bundle });
  if ('problem' in result) throw new PithError(`${url}: ${result.problem}`, EXIT.checkFailed);
  return { url, flags: result.flags, checked_by_pith_tex: result.flags.filter((f) => f.checked_by_pith_tex).map((f) => f.flag) };
}

function flagLines(f: RegistryFlags): string {
  const width = Math.max(...f.flags.map((x) => x.flag.length));
  const lines = [`  registry flags  from ${f.url}: the registry's claims; ✓ marks the ones pith-tex checked itself`];
  for (const x of f.flags) {
    // The flag names come from the server: printed escaped.
    lines.push(
      `    ${x.checked_by_pith_tex ? '✓' : '·'} ${JSON.stringify(x.flag).slice(1, -1).padEnd(width)}  registry: ${JSON.stringify(x.registry)}  pith-tex: ${x.pith_tex}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
