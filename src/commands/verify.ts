// pith-tex verify FILE: check a bundle or record against the pinned keys.
import { ShapeError } from '../core/record.js';
import { verifyDocument } from '../core/verify.js';
import { EXIT, PithError } from '../errors.js';
import { readJsonFile } from '../io/files.js';
import { formatChecks, printJson, say } from '../io/output.js';
import { loadTrustedKeys } from '../io/trust.js';

export interface VerifyOptions {
  json?: boolean;
  trustKey?: string[];
}

export async function run(file: string, options: VerifyOptions): Promise<number> {
  const trusted = await loadTrustedKeys(options.trustKey);
  const doc = await readJsonFile(file, 'Pith bundle or record');
  let report;
  try {
    report = verifyDocument(doc, trusted);
  } catch (err) {
    if (err instanceof ShapeError) throw new PithError(`${file}: ${err.field}: expected ${err.expected}`, EXIT.badInput);
    throw err;
  }
  if (options.json) {
    printJson({ file, ...report });
  } else {
    const failed = report.checks.filter((c) => c.status === 'fail').length;
    const verdict = report.ok ? 'verified' : `NOT verified: ${failed} check${failed === 1 ? '' : 's'} failed`;
    const what =
      report.kind === 'bundle'
        ? 'bundle'
        : report.kind === 'receipt'
          ? `bare receipt (the registry's signature over canonical_sha256 ${report.canonical_sha256}; the record itself is not in the file)`
          : 'record (hash and number only; signatures not checked)';
    say(`${report.pith_number ?? '(no number)'}  ${verdict}\n${file}: ${what}\n`);
    process.stdout.write(`${formatChecks(report.checks)}\n`); // escaped inside, around its colour codes
  }
  return report.ok ? EXIT.ok : EXIT.checkFailed;
}
