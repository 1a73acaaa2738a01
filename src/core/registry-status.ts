// The registry's verification_status flags (from the record JSON, {base}/pith/{BODY}.json) beside
// what pith-tex checked itself. The flags are the registry's claims: none is taken as verified
// unless pith-tex verified the same thing from signed data. Pure.
import { firstDifference } from './merge.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { VerifyReport } from './verify.js';

export interface StatusFlag {
  flag: string;
  /** The registry's value, as it wrote it. */
  registry: JsonValue | null;
  /** True only when pith-tex checked this itself. */
  checked_by_pith_tex: boolean;
  /** What pith-tex found, or why it cannot check it. */
  pith_tex: string;
}

const passed = (report: VerifyReport, id: string): boolean => report.checks.some((c) => c.id === id && c.status === 'pass');

/** Flags pith-tex checks itself, from the verified record and bundle. */
function ownCheck(flag: string, report: VerifyReport, bundle: JsonObject | null): { checked: boolean; text: string } | null {
  switch (flag) {
    case 'content_addressed':
      return { checked: true, text: `yes: canonical_sha256 recomputed from the record (${String(report.canonical_sha256).slice(0, 16)}…)` };
    case 'pith_receipt':
      return passed(report, 'receipt.signature')
        ? { checked: true, text: 'yes: the receipt signature verified against a trusted key' }
        : { checked: true, text: 'NO: the receipt signature did not verify' };
    case 'graph_snapshot': {
      if (!bundle) return { checked: false, text: 'not checked: the source held no bundle (resolve with --refresh)' };
      const events = Array.isArray(bundle.events) ? bundle.events.filter((e) => isJsonObject(e) && e.event_type === 'graph_snapshot') : [];
      return {
        checked: true,
        text: events.length > 0 ? `yes: ${events.length} signed graph_snapshot event(s) verified` : 'no graph_snapshot event in the bundle',
      };
    }
    default:
      return null;
  }
}

/** Compare the record JSON with the verified record, then list its flags with our own checks. */
export function registryStatusFlags(
  recordJson: JsonValue,
  verified: { record: JsonObject; report: VerifyReport; bundle: JsonObject | null },
): { flags: StatusFlag[] } | { problem: string } {
  if (!isJsonObject(recordJson)) return { problem: 'the record JSON is not an object' };
  const diff = firstDifference(recordJson.canonical_record, verified.record);
  if (diff !== null)
    return { problem: `its canonical_record differs from the verified record at ${diff || '(top level)'}: it is not about this record` };
  const status = recordJson.verification_status;
  if (!isJsonObject(status)) return { problem: 'it has no verification_status object' };
  return {
    flags: Object.keys(status).map((flag) => {
      const own = ownCheck(flag, verified.report, verified.bundle);
      return {
        flag,
        registry: status[flag] ?? null,
        checked_by_pith_tex: own?.checked ?? false,
        pith_tex:
          own?.text ?? 'not checked: pith-tex cannot verify this claim itself (no signed evidence of it that it knows how to check)',
      };
    }),
  };
}
