// Reading a built PDF back with poppler (pdfinfo, pdftotext), for the TeX tests. The CLI itself
// reads PDFs with pdf-lib (src/io/pdf.ts).
import { execa } from 'execa';

async function run(cmd: string, args: string[]): Promise<string> {
  const res = await execa(cmd, args, { reject: false, stdin: 'ignore' });
  if (res.exitCode !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${res.exitCode}): ${String(res.stderr).trim()}`);
  }
  return String(res.stdout);
}

/** `pdfinfo -custom`: every Info dictionary entry, standard and custom, as key → value. */
export async function pdfInfoCustom(pdf: string): Promise<Record<string, string>> {
  const out = await run('pdfinfo', ['-custom', pdf]);
  return parseInfoLines(out);
}

/** `pdfinfo` (plain): Pages, Title, Producer, ... */
export async function pdfInfo(pdf: string): Promise<Record<string, string>> {
  return parseInfoLines(await run('pdfinfo', [pdf]));
}

function parseInfoLines(out: string): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of out.split(/\r?\n/)) {
    const m = /^([^:]+):\s?(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) info[m[1].trim()] = m[2].trim();
  }
  return info;
}

/** The document's XMP packet (`pdfinfo -meta`); empty when the PDF has none. */
export async function pdfXmp(pdf: string): Promise<string> {
  return run('pdfinfo', ['-meta', pdf]);
}

/** URLs of the link annotations (`pdfinfo -url`), in page order. */
export async function pdfUrls(pdf: string): Promise<{ page: number; url: string }[]> {
  const out = await run('pdfinfo', ['-url', pdf]);
  const urls: { page: number; url: string }[] = [];
  for (const line of out.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+\S+\s+(\S+)\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) urls.push({ page: Number(m[1]), url: m[2] });
  }
  return urls;
}

/** Text of the given pages (`pdftotext -layout`). */
export async function pdfText(pdf: string, pages: { firstPage?: number; lastPage?: number } = {}): Promise<string> {
  const args = ['-layout', '-enc', 'UTF-8'];
  if (pages.firstPage !== undefined) args.push('-f', String(pages.firstPage));
  if (pages.lastPage !== undefined) args.push('-l', String(pages.lastPage));
  return run('pdftotext', [...args, pdf, '-']);
}

export async function pdfPageCount(pdf: string): Promise<number> {
  const pages = Number((await pdfInfo(pdf)).Pages);
  if (!Number.isInteger(pages)) throw new Error(`pdfinfo gave no page count for ${pdf}`);
  return pages;
}
