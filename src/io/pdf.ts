// Reading a built PDF's Pith metadata back: the document information dictionary (where pith.sty
// writes PithNumber, PithRecord and PithCanonicalSHA256) and, failing that, the XMP packet
// (<pith:number>, written with \DocumentMetadata or hyperxmp), whose properties are also checked. The parser is pdf-lib, loaded only here and
// only when a PDF is inspected.
import { readFile } from 'node:fs/promises';
import { EXIT, PithError } from '../errors.js';
import { describeFsError } from './files.js';

export interface PdfPithMetadata {
  /** Every Info entry, decoded to text. */
  info: Record<string, string>;
  number: string | null;
  record: string | null;
  canonicalSha256: string | null;
  /** Where the number was found. */
  from: 'info' | 'xmp' | null;
  /** The pith properties of the XMP packet, when it has any (\DocumentMetadata, hyperxmp). */
  xmp: PithXmp | null;
}

export interface PithXmp {
  number: string | null;
  record: string | null;
  canonicalSha256: string | null;
}

/** pith's properties in an XMP packet: elements (with or without attributes) or attributes. */
export function pithXmp(xml: string): PithXmp | null {
  const prop = (name: string): string | null => {
    const el = new RegExp(`<pith:${name}(?:\\s[^>]*)?>\\s*([^<]*?)\\s*</pith:${name}>`).exec(xml);
    const attr = el ? null : new RegExp(`\\spith:${name}\\s*=\\s*"([^"]*)"`).exec(xml);
    const raw = (el ?? attr)?.[1];
    return raw === undefined ? null : raw.replace(/&amp;/g, '&').trim();
  };
  const found = { number: prop('number'), record: prop('record'), canonicalSha256: prop('canonicalSHA256') };
  return found.number === null && found.record === null && found.canonicalSha256 === null ? null : found;
}

/** Largest PDF read (arXiv's own limit for a whole submission is 50 MB). */
export const MAX_PDF_BYTES = 100 * 1024 * 1024;

export async function readPdfPithMetadata(file: string): Promise<PdfPithMetadata> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new PithError(`${file}: cannot read the PDF (${describeFsError(err)})`, EXIT.badInput);
  }
  if (bytes.length > MAX_PDF_BYTES) throw new PithError(`${file}: over the ${MAX_PDF_BYTES}-byte limit for a PDF`, EXIT.badInput);
  if (!bytes.subarray(0, 1024).includes('%PDF-')) throw new PithError(`${file}: not a PDF (no %PDF- header)`, EXIT.badInput);
  const lib = await import('pdf-lib');
  let doc: import('pdf-lib').PDFDocument;
  try {
    doc = await lib.PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true, throwOnInvalidObject: false });
  } catch (err) {
    throw new PithError(`${file}: not a readable PDF (${(err as Error).message})`, EXIT.badInput);
  }
  const info: Record<string, string> = {};
  const infoRef = doc.context.trailerInfo.Info;
  const infoDict = infoRef ? doc.context.lookup(infoRef) : undefined;
  if (infoDict instanceof lib.PDFDict) {
    for (const [key, value] of infoDict.entries()) {
      const v = value instanceof lib.PDFRef ? doc.context.lookup(value) : value;
      if (v instanceof lib.PDFString || v instanceof lib.PDFHexString) info[key.decodeText()] = v.decodeText();
      else if (v instanceof lib.PDFName) info[key.decodeText()] = v.decodeText();
    }
  }
  let xmp: PithXmp | null = null;
  const meta = doc.catalog.get(lib.PDFName.of('Metadata'));
  const stream = meta instanceof lib.PDFRef ? doc.context.lookup(meta) : meta;
  if (stream instanceof lib.PDFRawStream) {
    try {
      xmp = pithXmp(Buffer.from(lib.decodePDFRawStream(stream).decode()).toString('utf8'));
    } catch {
      /* an undecodable XMP stream: nothing from there */
    }
  }
  const infoNumber = info.PithNumber?.trim() || null;
  const result: PdfPithMetadata = {
    info,
    number: infoNumber ?? xmp?.number ?? null,
    record: info.PithRecord?.trim() || (infoNumber ? null : xmp?.record ?? null),
    canonicalSha256: info.PithCanonicalSHA256?.trim() || (infoNumber ? null : xmp?.canonicalSha256 ?? null),
    from: infoNumber ? 'info' : xmp?.number ? 'xmp' : null,
    xmp,
  };
  return result;
}
