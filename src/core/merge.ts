// The deterministic merge "pith-open-graph-merge-v1" (spec §5): a bundle's events -> state.
//
// Proven on the seed bundle (two valid events). Inferred, and documented in docs/decisions.md:
// an event that fails any check goes to invalid_events as {event_id, reason} and is not
// applied; two valid record_created events with different records are an equivocation, and
// the first in merge order stays current.
import { canonicalJson, omitKeys, type JsonObject, type JsonValue } from './json.js';
import { sha256Hex } from './encoding.js';

export const MERGE_VERSION = 'pith-open-graph-merge-v1';

/** Event types this merge knows how to apply, and where each lands in `current`. */
export const KNOWN_EVENT_TYPES = ['record_created', 'graph_snapshot'] as const;

/** `current` lists named by the state whose event types are not yet seen (spec §4). */
const EMPTY_LISTS = [
  'author_attestations',
  'timestamp_anchors',
  'storage_attestations',
  'citation_signatures',
  'replication_records',
  'corrections',
  'mirror_hints',
] as const;

export interface MergeInput {
  pithNumber: string;
  sourceAliases: JsonValue;
  events: readonly JsonObject[];
  /** Per event (same index): null when valid, else the reason it is not applied. */
  invalidReasons: readonly (string | null)[];
}

function entry(event: JsonObject): JsonObject {
  return {
    event_id: event.event_id as JsonValue,
    target: event.target as JsonValue,
    created_at: event.created_at as JsonValue,
    signer: event.signer as JsonValue,
    payload: event.payload as JsonValue,
  };
}

const str = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');

/** Merge order: by (created_at, event_id), compared as the registry's Python compares str. */
function byMergeOrder(a: JsonObject, b: JsonObject): number {
  const ka = [str(a.created_at), str(a.event_id)];
  const kb = [str(b.created_at), str(b.event_id)];
  for (let i = 0; i < 2; i++) {
    const x = ka[i] as string;
    const y = kb[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function mergeState(input: MergeInput): JsonObject {
  const valid: JsonObject[] = [];
  const invalid: JsonObject[] = [];
  input.events.forEach((event, i) => {
    const reason = input.invalidReasons[i];
    if (reason) invalid.push({ event_id: event.event_id ?? null, reason });
    else valid.push(event);
  });
  valid.sort(byMergeOrder);

  const graphSnapshots: JsonValue[] = [];
  const equivocations: JsonValue[] = [];
  let recordCreated: JsonObject | null = null;
  for (const event of valid) {
    if (event.event_type === 'graph_snapshot') graphSnapshots.push(entry(event));
    else if (event.event_type === 'record_created') {
      if (recordCreated === null) recordCreated = event;
      else if (canonicalJson(recordRecordOf(recordCreated)) !== canonicalJson(recordRecordOf(event))) {
        equivocations.push({
          event_ids: [recordCreated.event_id ?? null, event.event_id ?? null],
          reason: 'two record_created events name different canonical records',
        });
      }
    }
  }

  const current: JsonObject = {
    canonical_record: recordCreated ? recordRecordOf(recordCreated) : null,
    source_aliases: input.sourceAliases,
    graph_snapshots: graphSnapshots,
    record_created: recordCreated ? entry(recordCreated) : null,
  };
  for (const name of EMPTY_LISTS) current[name] = [];

  const state: JsonObject = {
    state_type: 'pith_open_graph_state',
    state_version: '1.0',
    pith_number: input.pithNumber,
    merge_version: MERGE_VERSION,
    event_count: input.events.length,
    valid_event_count: valid.length,
    invalid_event_count: invalid.length,
    equivocation_count: equivocations.length,
    current,
    equivocations,
    invalid_events: invalid,
    applied_event_ids: valid.map((e) => e.event_id ?? null),
  };
  state.state_sha256 = stateSha256(state);
  return state;
}

function recordRecordOf(event: JsonObject): JsonValue {
  const payload = event.payload;
  return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload.canonical_record ?? null) : null;
}

export function stateSha256(state: JsonObject): string {
  return sha256Hex(canonicalJson(omitKeys(state, ['state_sha256'])));
}

/** The first path at which two JSON values differ, or null when they are equal. */
export function firstDifference(a: JsonValue | undefined, b: JsonValue | undefined, at = ''): string | null {
  if (a === undefined || b === undefined) return a === b ? null : at || '(top level)';
  const aIsObj = typeof a === 'object' && a !== null;
  const bIsObj = typeof b === 'object' && b !== null;
  if (!aIsObj || !bIsObj) return canonicalJson(a) === canonicalJson(b) ? null : at || '(top level)';
  if (Array.isArray(a) !== Array.isArray(b)) return at || '(top level)';
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${at}.length`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
  for (const k of keys) {
    const d = firstDifference(ao[k], bo[k], at ? `${at}.${k}` : k);
    if (d) return d;
  }
  return null;
}
