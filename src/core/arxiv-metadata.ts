// Paper metadata from arXiv's own exports. Pure: text in, PaperMetadata out.
//
// - Atom (export API, http://export.arxiv.org/api/query?id_list=ID): <entry> with <id>
//   .../abs/IDvN, <published> (the first version's date), <title>, <summary>,
//   <arxiv:primary_category term>, <category term>... No license: give --license.
// - OAI-PMH arXivRaw: <id>, <version version="vN"><date>RFC 2822</date>, <title>,
//   <categories> (primary first), <license>, <abstract>. The newest listed version is taken;
//   submitted_at is the date of v1.
// - OAI-PMH arXiv: <id>, <created> (a date without a time), <title>, <categories>, <license>,
//   <abstract>. No version and no time: give --version and --submitted-at.
//
// The XML reader below is deliberately small: elements, attributes, text, CDATA, comments,
// processing instructions and the five predefined plus numeric character references.
// A DOCTYPE is refused (no entity expansion, no external fetches).
import type { PaperMetadata } from './compute.js';
import { splitCats } from './compute.js';

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

export interface XmlElement {
  /** Local name, namespace prefix removed (`arxiv:primary_category` → `primary_category`). */
  name: string;
  qname: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const MAX_DEPTH = 64;

export function parseXml(xml: string): XmlElement {
  let pos = 0;
  const root: XmlElement = { name: '#document', qname: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const top = (): XmlElement => stack[stack.length - 1] as XmlElement;
  if (xml.charCodeAt(0) === 0xfeff) pos = 1;
  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos);
    if (lt < 0) {
      top().text += decodeEntities(xml.slice(pos));
      break;
    }
    if (lt > pos) top().text += decodeEntities(xml.slice(pos, lt));
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) throw new XmlError('unterminated comment');
      pos = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) throw new XmlError('unterminated CDATA section');
      top().text += xml.slice(lt + 9, end);
      pos = end + 3;
    } else if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end < 0) throw new XmlError('unterminated processing instruction');
      pos = end + 2;
    } else if (xml.startsWith('<!', lt)) {
      throw new XmlError('a DOCTYPE or other declaration is not accepted in a metadata export');
    } else if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt);
      if (end < 0) throw new XmlError('unterminated end tag');
      const qname = xml.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (!open || open === root || open.qname !== qname) throw new XmlError(`end tag </${qname}> does not close <${open?.qname ?? ''}>`);
      pos = end + 1;
    } else {
      const tag = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(xml.slice(lt, lt + 65536));
      if (!tag) throw new XmlError(`malformed tag at offset ${lt}`);
      const qname = tag[1] as string;
      const attrs: Record<string, string> = Object.create(null);
      for (const a of (tag[2] as string).matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        attrs[a[1] as string] = decodeEntities(a[2] ?? a[3] ?? '');
      }
      const el: XmlElement = { name: qname.replace(/^.*:/, ''), qname, attrs, children: [], text: '' };
      top().children.push(el);
      if (tag[3] !== '/') {
        if (stack.length > MAX_DEPTH) throw new XmlError('elements nested too deeply');
        stack.push(el);
      }
      pos = lt + tag[0].length;
    }
  }
  if (stack.length > 1) throw new XmlError(`element <${top().qname}> is not closed`);
  if (!root.children.some(() => true)) throw new XmlError('no element found: is this XML?');
  return root;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);|&/g, (whole, ent: string | undefined) => {
    if (ent === undefined) throw new XmlError('a bare "&" in text (write &amp;)');
    if (ent.startsWith('#')) {
      const code = ent[1] === 'x' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      if (!Number.isFinite(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        throw new XmlError(`bad character reference ${whole}`);
      return String.fromCodePoint(code);
    }
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    const v = named[ent];
    if (v === undefined) throw new XmlError(`unknown entity ${whole}`);
    return v;
  });
}

/** Depth-first search for elements by local name. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

const first = (el: XmlElement, name: string): XmlElement | undefined => findAll(el, name)[0];
/** Text content of an element (own text only: arXiv's fields hold no mixed content). */
const textOf = (el: XmlElement | undefined): string | undefined => (el === undefined ? undefined : el.text);

export type ExportFormat = 'atom' | 'oai-arxivraw' | 'oai-arxiv';

export interface ParsedExport {
  format: ExportFormat;
  metadata: PaperMetadata;
  /** What the export could not supply and must come from flags. */
  missing: (keyof PaperMetadata)[];
}

/**
 * Read an arXiv Atom feed or OAI-PMH record. `wantId` picks the entry when a feed holds
 * several (and is checked against a single one).
 */
export function parseArxivExport(xml: string, wantId?: string): ParsedExport {
  const doc = parseXml(xml);
  const rootEl = doc.children[0] as XmlElement;
  const raw = first(doc, 'arXivRaw');
  if (raw) return fromOai(raw, 'oai-arxivraw', wantId);
  const oai = findAll(doc, 'arXiv').find((e) => e.qname.endsWith('arXiv') && first(e, 'categories'));
  if (oai) return fromOai(oai, 'oai-arxiv', wantId);
  if (rootEl.name === 'feed' || rootEl.name === 'entry') return fromAtom(doc, wantId);
  throw new XmlError(`<${rootEl.qname}> is neither an arXiv Atom feed nor an OAI-PMH arXiv/arXivRaw record`);
}

function fromAtom(doc: XmlElement, wantId?: string): ParsedExport {
  const entries = findAll(doc, 'entry');
  if (entries.length === 0) throw new XmlError('the Atom feed has no <entry> (did the query find the paper?)');
  const parsed = entries.map((e) => {
    const idUrl = (textOf(first(e, 'id')) ?? '').trim();
    const m = /arxiv\.org\/abs\/(.+?)(?:v(\d+))?$/.exec(idUrl);
    return { e, id: m?.[1], version: m?.[2] };
  });
  const base = wantId?.replace(/v\d+$/, '');
  let pick = parsed[0];
  if (parsed.length > 1 || base) {
    pick = base ? parsed.find((p) => p.id === base) : undefined;
    if (!pick) {
      throw new XmlError(
        base
          ? `the Atom feed has no entry for ${base} (it has ${parsed.map((p) => p.id ?? '?').join(', ')})`
          : `the Atom feed has ${parsed.length} entries; pick one with --arxiv-id`,
      );
    }
  }
  const { e, id, version } = pick as (typeof parsed)[number];
  if (!id) throw new XmlError("the Atom entry's <id> is not an arxiv.org/abs/ URL");
  const primary = first(e, 'primary_category')?.attrs.term;
  const cats = findAll(e, 'category')
    .map((c) => c.attrs.term)
    .filter((t): t is string => typeof t === 'string');
  const meta: PaperMetadata = {
    arxiv_id: id,
    title: textOf(first(e, 'title')),
    abstract: textOf(first(e, 'summary')),
    primary_cat: primary,
    cross_cats: cats,
    submitted_at: textOf(first(e, 'published'))?.trim(),
  };
  if (version !== undefined) meta.version = Number(version);
  const licenseEl = findAll(e, 'license')[0] ?? findAll(e, 'rights')[0];
  if (licenseEl) meta.license = (licenseEl.attrs.href ?? licenseEl.text).trim();
  return { format: 'atom', metadata: meta, missing: missingOf(meta) };
}

function fromOai(el: XmlElement, format: 'oai-arxiv' | 'oai-arxivraw', wantId?: string): ParsedExport {
  const id = textOf(first(el, 'id'))?.trim();
  if (!id) throw new XmlError(`the ${format} record has no <id>`);
  const base = wantId?.replace(/v\d+$/, '');
  if (base && base !== id) throw new XmlError(`the export is of ${id}, not ${base}`);
  const cats = splitCats(textOf(first(el, 'categories')) ?? '');
  const meta: PaperMetadata = {
    arxiv_id: id,
    title: textOf(first(el, 'title')),
    abstract: textOf(first(el, 'abstract')),
    primary_cat: cats[0],
    cross_cats: cats.slice(1),
    // arXiv lists no <license> for most papers before 2004; the registry's records of them
    // carry "license": "" (hep-th/9309160, math/9707204, ...), so absent means empty.
    license: textOf(first(el, 'license'))?.trim() ?? '',
  };
  if (format === 'oai-arxivraw') {
    const versions = findAll(el, 'version')
      .map((v) => ({ n: Number(/^v(\d+)$/.exec(v.attrs.version ?? '')?.[1] ?? NaN), date: textOf(first(v, 'date'))?.trim() }))
      .filter((v) => Number.isSafeInteger(v.n));
    if (versions.length > 0) {
      meta.version = Math.max(...versions.map((v) => v.n));
      meta.submitted_at = versions.find((v) => v.n === 1)?.date;
    }
  }
  return { format, metadata: meta, missing: missingOf(meta) };
}

function missingOf(meta: PaperMetadata): (keyof PaperMetadata)[] {
  const need: (keyof PaperMetadata)[] = ['arxiv_id', 'version', 'title', 'abstract', 'primary_cat', 'license', 'submitted_at'];
  return need.filter((k) => meta[k] === undefined || (meta[k] === '' && k !== 'license'));
}
