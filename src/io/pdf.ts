// Reading a built PDF's Pith metadata back: the document information dictionary (where pith.sty
// writes PithNumber, PithRecord and PithCanonicalSHA256) and, failing that, the XMP packet
// (<pith:number>, written with \DocumentMetadata or hyperxmp), whose properties are also checked. The parser is pdf-lib, loaded only here and
// only when a PDF is inspected.
import { constants as zlibc, createInflate, inflateSync } from 'node:zlib';
import { EXIT, PithError } from '../errors.js';
import { readBoundedBytes } from './files.js';

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

/** Largest XMP packet inflated: a real one is a few KB; a bomb (1.5 GiB of zeros) stops here. */
export const MAX_XMP_BYTES = 4 * 1024 * 1024;

/**
 * The XMP stream's text: stored as is, or FlateDecode inflated by zlib with an output cap
 * (pdf-lib's own decoder has none). Any other filter, parameters, or more than the cap: null.
 */
function xmpPacket(lib: typeof import('pdf-lib'), stream: import('pdf-lib').PDFRawStream): string | null {
  const filter = stream.dict.get(lib.PDFName.of('Filter'));
  const names = filter instanceof lib.PDFArray ? filter.asArray() : filter === undefined ? [] : [filter];
  if (stream.dict.get(lib.PDFName.of('DecodeParms')) !== undefined) return null;
  let data: Uint8Array = stream.contents;
  if (names.length > 1) return null;
  if (names.length === 1) {
    if (!(names[0] instanceof lib.PDFName) || names[0].decodeText() !== 'FlateDecode') return null;
    try {
      data = inflateSync(data, { maxOutputLength: MAX_XMP_BYTES });
    } catch {
      return null; // corrupt, or over the cap
    }
  }
  return data.length > MAX_XMP_BYTES ? null : Buffer.from(data).toString('utf8');
}

/** What the object and cross-reference streams pdf-lib inflates while loading may come to, in all. */
export const MAX_STRUCTURE_BYTES = 64 * 1024 * 1024;
const MAX_STREAM_DICT = 64 * 1024;

/**
 * pdf-lib inflates every object stream (/Type /ObjStm) and cross-reference stream (/Type /XRef)
 * while it loads a PDF, with no cap: a 260 KB PDF whose object stream inflates to 256 MiB took
 * 20 s and 330 MB. Before pdf-lib sees the bytes, each such stream is inflated here by zlib with
 * a cap on the total (from the stream's start to the end of its zlib data, whatever /Length
 * says, so it is at least what pdf-lib would inflate); over the cap is exit 2.
 */
export async function assertStructureStreamsBounded(file: string, bytes: Buffer): Promise<void> {
  let budget = MAX_STRUCTURE_BYTES;
  for (let at = bytes.indexOf('stream'); at !== -1; at = bytes.indexOf('stream', at + 6)) {
    if (at >= 3 && bytes.toString('latin1', at - 3, at) === 'end') continue;
    const from = Math.max(0, at - MAX_STREAM_DICT);
    const before = bytes.toString('latin1', from, at);
    const objAt = before.lastIndexOf('obj');
    if (objAt === -1) continue; // not a stream object's keyword (text inside some other stream)
    const dict = before.slice(objAt);
    if (!/\/Type\s*\/(?:ObjStm|XRef)\b/.test(dict) || !/\/FlateDecode\b/.test(dict)) continue;
    let start = at + 6;
    if (bytes[start] === 0x0d) start++;
    if (bytes[start] === 0x0a) start++;
    budget -= await inflatedLength(bytes.subarray(start), budget + 1);
    if (budget < 0) {
      throw new PithError(
        `${file}: its object streams inflate to more than ${MAX_STRUCTURE_BYTES} bytes (a compression bomb?); not read`,
        EXIT.badInput,
      );
    }
  }
}

/** How many bytes `data` inflates to, counted and dropped as they come, stopping past `limit`. */
function inflatedLength(data: Buffer, limit: number): Promise<number> {
  return new Promise((resolve) => {
    const z = createInflate({ finishFlush: zlibc.Z_SYNC_FLUSH });
    let n = 0;
    z.on('data', (chunk: Buffer) => {
      n += chunk.length;
      if (n > limit) {
        z.destroy();
        resolve(n);
      }
    });
    z.on('end', () => resolve(n));
    z.on('error', () => resolve(n)); // not inflatable past here: pdf-lib gets no more either
    z.end(data);
  });
}

/** Largest PDF read (arXiv's own limit for a whole submission is 50 MB). */
export const MAX_PDF_BYTES = 100 * 1024 * 1024;

export async function readPdfPithMetadata(file: string): Promise<PdfPithMetadata> {
  const read = await readBoundedBytes(file, MAX_PDF_BYTES, 'PDF');
  const bytes = Buffer.from(read.buffer, read.byteOffset, read.byteLength);
  if (!bytes.subarray(0, 1024).includes('%PDF-')) throw new PithError(`${file}: not a PDF (no %PDF- header)`, EXIT.badInput);
  await assertStructureStreamsBounded(file, bytes);
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
    const packet = xmpPacket(lib, stream);
    if (packet !== null) xmp = pithXmp(packet);
  }
  const infoNumber = info.PithNumber?.trim() || null;
  const result: PdfPithMetadata = {
    info,
    number: infoNumber ?? xmp?.number ?? null,
    record: info.PithRecord?.trim() || (infoNumber ? null : (xmp?.record ?? null)),
    canonicalSha256: info.PithCanonicalSHA256?.trim() || (infoNumber ? null : (xmp?.canonicalSha256 ?? null)),
    from: infoNumber ? 'info' : xmp?.number ? 'xmp' : null,
    xmp,
  };
  return result;
}
