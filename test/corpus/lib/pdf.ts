// Reading a built PDF back: words with their boxes (poppler's pdftotext -bbox-layout), link
// annotations and outline titles (pdf-lib). Boxes are in points, y from the page's top.
import { execa } from 'execa';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString, type PDFObject } from 'pdf-lib';
import { parseBboxLayout, type Box, type Page } from './layout.js';

export interface Link {
  /** 0-based page index. */
  page: number;
  uri: string;
  rect: Box;
}
export interface PdfFacts {
  pages: Page[];
  links: Link[];
  outlines: string[];
}

export async function readPdf(file: string, bytes: Uint8Array): Promise<PdfFacts> {
  const res = await execa('pdftotext', ['-bbox-layout', '-enc', 'UTF-8', file, '-'], { reject: false, stdin: 'ignore' });
  if (res.exitCode !== 0) throw new Error(`pdftotext -bbox-layout ${file} failed: ${String(res.stderr).trim()}`);
  const pages = parseBboxLayout(String(res.stdout));
  const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
  return { pages, links: links(doc), outlines: outlineTitles(doc) };
}

const deref = (doc: PDFDocument, o: PDFObject | undefined): PDFObject | undefined => (o instanceof PDFRef ? doc.context.lookup(o) : o);
const text = (o: PDFObject | undefined): string | undefined =>
  o instanceof PDFString || o instanceof PDFHexString ? o.decodeText() : undefined;

function links(doc: PDFDocument): Link[] {
  const out: Link[] = [];
  doc.getPages().forEach((page, index) => {
    const annots = deref(doc, page.node.get(PDFName.of('Annots')));
    if (!(annots instanceof PDFArray)) return;
    const box = page.getMediaBox();
    for (const ref of annots.asArray()) {
      const a = deref(doc, ref);
      if (!(a instanceof PDFDict) || a.get(PDFName.of('Subtype')) !== PDFName.of('Link')) continue;
      const action = deref(doc, a.get(PDFName.of('A')));
      const uri = action instanceof PDFDict ? text(deref(doc, action.get(PDFName.of('URI')))) : undefined;
      const rect = deref(doc, a.get(PDFName.of('Rect')));
      if (uri === undefined || !(rect instanceof PDFArray)) continue;
      const [x1, y1, x2, y2] = rect.asArray().map((n) => (deref(doc, n) instanceof PDFNumber ? (deref(doc, n) as PDFNumber).asNumber() : NaN));
      if ([x1, y1, x2, y2].some((n) => n === undefined || Number.isNaN(n))) continue;
      // PDF y grows upwards from the media box's bottom; pdftotext's from the page's top.
      const top = box.y + box.height;
      out.push({
        page: index,
        uri,
        rect: {
          xMin: Math.min(x1!, x2!) - box.x,
          xMax: Math.max(x1!, x2!) - box.x,
          yMin: top - Math.max(y1!, y2!),
          yMax: top - Math.min(y1!, y2!),
        },
      });
    }
  });
  return out;
}

function outlineTitles(doc: PDFDocument): string[] {
  const titles: string[] = [];
  const root = deref(doc, doc.catalog.get(PDFName.of('Outlines')));
  const seen = new Set<PDFObject>();
  const walk = (item: PDFObject | undefined): void => {
    for (let node = deref(doc, item); node instanceof PDFDict && !seen.has(node); ) {
      seen.add(node);
      const t = text(deref(doc, node.get(PDFName.of('Title'))));
      if (t !== undefined) titles.push(t);
      walk(node.get(PDFName.of('First')));
      node = deref(doc, node.get(PDFName.of('Next')));
    }
  };
  if (root instanceof PDFDict) walk(root.get(PDFName.of('First')));
  return titles;
}
