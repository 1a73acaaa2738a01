// pith-tex inspect paper.pdf: read the Pith metadata back from a built PDF and verify it against
// the record: the lock beside the PDF (or --lock FILE), a --bundle FILE, or the resolver.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { assertLock, LOCK_FILE, verifyLock } from '../core/lock.js';
import { parsePithNumber, numberMismatch, recordUrl, splitFullNumber, type PithNumber } from '../core/number.js';
import { parseQuery } from '../core/query.js';
import { ShapeError } from '../core/record.js';
import { verifyDocument, type Check, type VerifyReport } from '../core/verify.js';
import { EXIT, PithError } from '../errors.js';
import { badgeNotPrinted } from './check.js';
import { readJsonFile } from '../io/files.js';
import { formatChecks, noteRecordSource, printJson, say, warn } from '../io/output.js';
import { readPdfPithMetadata, type PdfPithMetadata } from '../io/pdf.js';
import { loadTrustedKeys } from '../io/trust.js';
import { printOut } from '../io/print.js';

export interface InspectOptions {
  json?: boolean;
  lock?: string;
  bundle?: string;
  offline?: boolean;
  resolver?: string;
  trustKey?: string[];
}

export interface InspectReport {
  report: 'pith-tex/inspect';
  report_version: 1;
  pdf: string;
  ok: boolean;
  pdf_metadata: {
    number: string | null;
    record: string | null;
    canonical_sha256: string | null;
    from: PdfPithMetadata['from'];
    xmp: PdfPithMetadata['xmp'];
  };
  record_source: string;
  pith_number: string | null;
  checks: Check[];
  /** From the .aux beside the PDF, when there is one: false when its run printed no badge. */
  badge_printed?: boolean;
}

/** Compare what the PDF carries with the verified record. Pure. */
export function compareMetadata(meta: PdfPithMetadata, num: PithNumber, sha: string): Check[] {
  const checks: Check[] = [];
  const pdfNumber = meta.number as string;
  try {
    const parsed = parsePithNumber(pdfNumber);
    const mismatch = parsed.kind === 'short' ? `a short number; pith.sty writes the full pith:YEAR:BODY` : numberMismatch(parsed, num);
    checks.push(
      mismatch === null
        ? { id: 'pdf.number', status: 'pass', detail: `PithNumber ${pdfNumber} is the record's` }
        : { id: 'pdf.number', status: 'fail', detail: `PithNumber ${pdfNumber}: ${mismatch}` },
    );
  } catch (err) {
    checks.push({ id: 'pdf.number', status: 'fail', detail: `PithNumber ${JSON.stringify(pdfNumber)}: ${(err as Error).message}` });
  }
  if (meta.canonicalSha256 === null)
    checks.push({ id: 'pdf.canonical_sha256', status: 'n/a', detail: 'no PithCanonicalSHA256 in the PDF' });
  else if (meta.canonicalSha256.toLowerCase() === sha)
    checks.push({ id: 'pdf.canonical_sha256', status: 'pass', detail: `PithCanonicalSHA256 ${sha}` });
  else
    checks.push({
      id: 'pdf.canonical_sha256',
      status: 'fail',
      detail: `PithCanonicalSHA256 ${meta.canonicalSha256} is not the record's ${sha}`,
    });
  if (meta.record === null) checks.push({ id: 'pdf.record', status: 'n/a', detail: 'no PithRecord in the PDF' });
  // Exactly the registry's record URL (the one pith.sty is stamped with), not any URL ending
  // in /pith/BODY: https://evil.example/x/pith/BODY sends the reader elsewhere.
  else if (meta.record === recordUrl(num.body)) checks.push({ id: 'pdf.record', status: 'pass', detail: `PithRecord ${meta.record}` });
  else checks.push({ id: 'pdf.record', status: 'fail', detail: `PithRecord ${meta.record} does not name ${recordUrl(num.body)}` });
  // The XMP packet is a second copy a reader's tools show (Adobe's document properties): it
  // must name the same record, or the PDF says two things.
  if (meta.from === 'info') {
    const x = meta.xmp;
    if (x === null)
      checks.push({
        id: 'pdf.xmp',
        status: 'n/a',
        detail: 'no pith properties in XMP (the document has no XMP writer: \\DocumentMetadata or hyperxmp)',
      });
    else {
      const wrong: string[] = [];
      if (x.number !== null) {
        try {
          const parsed = parsePithNumber(x.number);
          const mismatch = parsed.kind === 'short' ? 'a short number' : numberMismatch(parsed, num);
          if (mismatch !== null) wrong.push(`pith:number ${x.number} (${mismatch})`);
        } catch (err) {
          wrong.push(`pith:number ${JSON.stringify(x.number)} (${(err as Error).message})`);
        }
      }
      if (x.canonicalSha256 !== null && x.canonicalSha256.toLowerCase() !== sha) wrong.push(`pith:canonicalSHA256 ${x.canonicalSha256}`);
      if (x.record !== null && x.record !== recordUrl(num.body)) wrong.push(`pith:record ${x.record}`);
      const present = [x.number && 'number', x.record && 'record', x.canonicalSha256 && 'canonicalSHA256'].filter(Boolean).join(', ');
      checks.push(
        wrong.length === 0
          ? { id: 'pdf.xmp', status: 'pass', detail: `XMP pith properties (${present}) name the record` }
          : { id: 'pdf.xmp', status: 'fail', detail: `XMP disagrees with the record: ${wrong.join('; ')}` },
      );
    }
  }
  return checks;
}

interface RecordSource {
  label: string;
  report: VerifyReport;
}

async function recordFor(pdf: string, meta: PdfPithMetadata, options: InspectOptions): Promise<RecordSource> {
  const trusted = await loadTrustedKeys(options.trustKey);
  const shape = (file: string, err: unknown): never => {
    if (err instanceof ShapeError) throw new PithError(`${file}: ${err.field}: expected ${err.expected}`, EXIT.badInput);
    throw err;
  };
  if (options.bundle) {
    const doc = await readJsonFile(options.bundle, 'Pith bundle');
    try {
      return { label: `bundle ${options.bundle}`, report: verifyDocument(doc, trusted) };
    } catch (err) {
      return shape(options.bundle, err);
    }
  }
  const lockFile = options.lock ?? path.join(path.dirname(pdf), LOCK_FILE);
  if (options.lock || existsSync(lockFile)) {
    const value = await readJsonFile(lockFile, LOCK_FILE);
    try {
      assertLock(value);
      return { label: `lock ${lockFile}`, report: verifyLock(value, trusted) };
    } catch (err) {
      return shape(lockFile, err);
    }
  }
  // Neither: ask the resolver (cache first) for the number the PDF carries.
  const { resolveQuery } = await import('../io/resolve.js');
  const resolved = await resolveQuery(parseQuery(meta.number as string), {
    trusted,
    dir: path.dirname(pdf),
    offline: options.offline,
    resolver: options.resolver,
    warn,
  });
  // A PDF away from its paper (a download, a copy): say plainly which record it was checked
  // against, and that the user's cache is this machine's, not the paper's.
  noteRecordSource(resolved.source);
  const label =
    resolved.source.kind === 'cache'
      ? `your cache ${resolved.source.location} (no ${path.basename(lockFile)} beside the PDF; --lock or --bundle checks against the paper's own record)`
      : `${resolved.source.kind} ${resolved.source.location}`;
  return { label, report: resolved.report };
}

export async function inspectPdf(pdf: string, options: InspectOptions = {}): Promise<InspectReport> {
  const meta = await readPdfPithMetadata(pdf);
  if (meta.number === null) {
    throw new PithError(
      `${pdf}: no Pith metadata (no PithNumber in the document information, no pith:number in XMP); was it built with pith.sty and metadata=true?`,
      EXIT.badInput,
    );
  }
  const source = await recordFor(pdf, meta, options);
  const { report } = source;
  const checks: Check[] = [];
  if (report.pith_number && report.canonical_sha256) {
    const parts = splitFullNumber(report.pith_number);
    const num: PithNumber = { full: report.pith_number, year: parts?.year ?? '', body: parts?.body ?? '' };
    checks.push(...compareMetadata(meta, num, report.canonical_sha256));
  }
  checks.push(...report.checks.map((c) => ({ ...c, id: `record.${c.id}` })));
  const notPrinted = badgeNotPrinted(pdf.replace(/(\.pdf)?$/i, '.aux'));
  if (!report.signatures_checked)
    checks.push({
      id: 'record.signatures',
      status: 'fail',
      detail: 'the record source carries no signatures; give the lock or the bundle',
    });
  return {
    report: 'pith-tex/inspect',
    report_version: 1,
    pdf,
    ok: checks.every((c) => c.status !== 'fail') && report.ok,
    pdf_metadata: { number: meta.number, record: meta.record, canonical_sha256: meta.canonicalSha256, from: meta.from, xmp: meta.xmp },
    record_source: source.label,
    pith_number: report.pith_number,
    checks,
    ...(notPrinted === null ? {} : { badge_printed: !notPrinted }),
  };
}

export async function run(pdf: string, options: InspectOptions = {}): Promise<number> {
  const report = await inspectPdf(pdf, options);
  if (options.json) printJson(report);
  else {
    const failed = report.checks.filter((c) => c.status === 'fail').length;
    const verdict =
      (report.ok ? 'verified' : `NOT verified: ${failed} check${failed === 1 ? '' : 's'} failed`) +
      (report.badge_printed === false ? ', badge not printed' : '');
    const shown = report.checks.filter((c) => c.id.startsWith('pdf.') || c.status === 'fail');
    say(`${report.pdf_metadata.number}  ${verdict}\n${pdf}: against the ${report.record_source}\n`);
    printOut(`${formatChecks(shown)}\n`); // escaped inside, around its colour codes
    if (report.ok)
      say(
        `  record and receipt verified (${report.checks.filter((c) => c.id.startsWith('record.') && c.status === 'pass').length} checks)\n`,
      );
  }
  return report.ok ? EXIT.ok : EXIT.checkFailed;
}
