// pith-tex inspect: the PDF's Pith metadata against the record (lock, bundle, resolver cache).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, PDFHexString, PDFName, PDFString } from 'pdf-lib';
import { cliPath, fixture } from './helpers.js';
import { pithXmp } from '../src/io/pdf.js';
import { BODY, NUMBER, OTHER_BODY, SHA, lockText, makeStampedPaper } from './support/stamped-paper.js';

async function pdfWith(entries: Record<string, string>, hex = false): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([100, 100]);
  // getInfoDict is private in pdf-lib's types; the Info dictionary is what this test needs.
  const info = (doc as unknown as { getInfoDict(): import('pdf-lib').PDFDict }).getInfoDict();
  for (const [k, v] of Object.entries(entries)) info.set(PDFName.of(k), hex ? PDFHexString.fromText(v) : PDFString.of(v));
  return doc.save();
}

function inspect(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cliPath, 'inspect', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const full = { PithNumber: NUMBER, PithRecord: `https://pith.science/pith/${BODY}`, PithCanonicalSHA256: SHA };

test('inspect: PDF metadata against the lock beside it, a --lock, a --bundle; mismatches; bad input', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pith-inspect-'));
  const cache = mkdtempSync(path.join(os.tmpdir(), 'pith-cache-'));
  try {
    const pdf = path.join(dir, 'paper.pdf');
    writeFileSync(pdf, await pdfWith(full));
    // No lock, no bundle, offline, empty cache: could not fetch.
    let r = inspect([pdf, '--offline'], { XDG_CACHE_HOME: cache });
    assert.equal(r.code, 3, r.err);
    writeFileSync(path.join(dir, 'pith.lock.json'), lockText());
    r = inspect([pdf]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /verified/);
    r = inspect([pdf, '--json']);
    const report = JSON.parse(r.out);
    assert.equal(report.ok, true);
    assert.equal(report.pdf_metadata.number, NUMBER);
    assert.equal(inspect([pdf, '--bundle', fixture('2109.10465v1.bundle.json')]).code, 0);
    // Hex strings (UTF-16) read the same.
    writeFileSync(pdf, await pdfWith(full, true));
    assert.equal(inspect([pdf]).code, 0);

    // The PDF names another number, another hash or another record page.
    for (const bad of [{ ...full, PithNumber: `pith:2021:${OTHER_BODY}` }, { ...full, PithNumber: `pith:2022:${BODY}` }, { ...full, PithCanonicalSHA256: '0'.repeat(64) }, { ...full, PithRecord: `https://pith.science/pith/${OTHER_BODY}` }]) {
      writeFileSync(pdf, await pdfWith(bad));
      r = inspect([pdf]);
      assert.equal(r.code, 1, JSON.stringify(bad));
      assert.match(r.out, /NOT verified/);
    }
    // The record does not verify.
    writeFileSync(pdf, await pdfWith(full));
    const tampered = path.join(dir, 'tampered.json');
    writeFileSync(tampered, lockText().replace('"primary_cat": "', '"primary_cat": "x'));
    r = inspect([pdf, '--lock', tampered]);
    assert.equal(r.code, 1);
    assert.match(r.out, /record\.canonical_hash/);

    // Bad input: not a PDF, a PDF without Pith metadata, a bad lock shape.
    const notPdf = path.join(dir, 'x.pdf');
    writeFileSync(notPdf, 'hello');
    r = inspect([notPdf]);
    assert.equal(r.code, 2);
    assert.match(r.err, /not a PDF/);
    writeFileSync(pdf, await pdfWith({ Title: 'plain' }));
    r = inspect([pdf]);
    assert.equal(r.code, 2);
    assert.match(r.err, /no Pith metadata/);
    writeFileSync(pdf, await pdfWith(full));
    writeFileSync(tampered, '{"lock": "other"}');
    assert.equal(inspect([pdf, '--lock', tampered]).code, 2);
    assert.equal(inspect([path.join(dir, 'missing.pdf')]).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
});

test('inspect a PDF built by pdflatex with pith.sty', async () => {
  const { dir } = await makeStampedPaper('pith-inspect-tex-');
  try {
    const b = spawnSync('latexmk', ['-pdf', '-interaction=nonstopmode', '-halt-on-error', 'main.tex'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(b.status, 0, b.stdout);
    const r = inspect([path.join(dir, 'main.pdf'), '--json']);
    assert.equal(r.code, 0, r.out + r.err);
    const report = JSON.parse(r.out);
    assert.equal(report.pdf_metadata.number, NUMBER);
    assert.equal(report.pdf_metadata.canonical_sha256, SHA);
    assert.ok(readFileSync(path.join(dir, 'main.pdf')).length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inspect with no lock or bundle: from the cache (--offline), then from a resolver (loopback), and a resolver that lies', async () => {
  const { startServer } = await import('./support/http-server.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pith-inspect-res-'));
  const cache = mkdtempSync(path.join(os.tmpdir(), 'pith-cache-'));
  const env: NodeJS.ProcessEnv = { XDG_CACHE_HOME: cache, PITH_HTTP_TIMEOUT_MS: '1500', PITH_HTTP_CONNECT_TIMEOUT_MS: '1000', PITH_HTTP_RETRIES: '0', PITH_RESOLVER: '' };
  for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) env[k] = '';
  const bundleText = readFileSync(fixture('2109.10465v1.bundle.json'), 'utf8');
  const server = await startServer({
    [`/pith/${BODY}/bundle.json`]: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(bundleText);
    },
  });
  const liar = await startServer({
    [`/pith/${BODY}/bundle.json`]: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const tampered = bundleText.replaceAll('"primary_cat":"cs.CL"', '"primary_cat":"cs.LG"');
      assert.notEqual(tampered, bundleText);
      res.end(tampered);
    },
  });
  // The servers live in this process: run the CLI without blocking the event loop.
  const inspectAsync = (args: string[]): Promise<{ code: number | null; out: string; err: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [cliPath, 'inspect', ...args], { encoding: 'utf8', env: { ...process.env, ...env } }, (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr });
      });
    });
  try {
    const pdf = path.join(dir, 'paper.pdf');
    writeFileSync(pdf, await pdfWith(full));
    // A resolver that serves a tampered bundle: not verified, nothing cached.
    let r = await inspectAsync([pdf, '--resolver', liar.base]);
    assert.equal(r.code, 1, r.out + r.err); // fails verification (exit 1), not "could not fetch" (3)
    assert.match(r.err, /fails verification/);
    assert.equal(inspect([pdf, '--offline'], env).code, 3, 'the lie was not cached');
    r = await inspectAsync([pdf, '--resolver', server.base, '--json']);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(JSON.parse(r.out).record_source, /resolver/);
    // Now cached: --offline needs no network.
    r = inspect([pdf, '--offline', '--json'], env);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(JSON.parse(r.out).record_source, /^your cache .* \(no pith\.lock\.json beside the PDF; --lock or --bundle checks against the paper's own record\)$/);
    // --offline did not silently widen to the cache: a note on stderr says so.
    assert.match(r.err, /^pith-tex: note: verified against your cache \(.*\), not a lock or bundle of the paper\n$/);
  } finally {
    await server.close();
    await liar.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
});

async function pdfWithXmp(entries: Record<string, string>, xmpBody: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([100, 100]);
  const info = (doc as unknown as { getInfoDict(): import('pdf-lib').PDFDict }).getInfoDict();
  for (const [k, v] of Object.entries(entries)) info.set(PDFName.of(k), PDFString.of(v));
  const xml = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="">${xmpBody}</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
  const stream = doc.context.flateStream(xml, { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(stream));
  return doc.save();
}

test('pithXmp reads elements (with or without xmlns attributes) and attributes; nothing pith → null', () => {
  assert.deepEqual(pithXmp(`<pith:number>${NUMBER}</pith:number><pith:canonicalSHA256>${SHA}</pith:canonicalSHA256>`), { number: NUMBER, record: null, canonicalSha256: SHA });
  assert.deepEqual(pithXmp(`<pith:record xmlns:pith="https://pith.science/ns/1.0/">\n https://pith.science/pith/${BODY} </pith:record>`), { number: null, record: `https://pith.science/pith/${BODY}`, canonicalSha256: null });
  assert.deepEqual(pithXmp(`<rdf:Description pith:number="${NUMBER}"/>`), { number: NUMBER, record: null, canonicalSha256: null });
  assert.equal(pithXmp('<dc:title>x</dc:title>'), null);
});

test('inspect: XMP pith properties are checked against the record too; XMP alone gives the number', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pith-inspect-xmp-'));
  try {
    writeFileSync(path.join(dir, 'pith.lock.json'), lockText());
    const pdf = path.join(dir, 'paper.pdf');
    const good = `<pith:number>${NUMBER}</pith:number><pith:record>https://pith.science/pith/${BODY}</pith:record><pith:canonicalSHA256>${SHA}</pith:canonicalSHA256>`;
    writeFileSync(pdf, await pdfWithXmp(full, good));
    let r = inspect([pdf, '--json']);
    assert.equal(r.code, 0, r.out + r.err);
    let report = JSON.parse(r.out);
    assert.equal(report.checks.find((c: { id: string }) => c.id === 'pdf.xmp').status, 'pass');
    assert.deepEqual(report.pdf_metadata.xmp, { number: NUMBER, record: `https://pith.science/pith/${BODY}`, canonicalSha256: SHA });
    // Info right, XMP naming another paper: the PDF says two things.
    for (const bad of [good.replace(BODY, OTHER_BODY), good.replace(SHA, '0'.repeat(64)), good.replace(`/pith/${BODY}`, `/pith/${OTHER_BODY}`)]) {
      writeFileSync(pdf, await pdfWithXmp(full, bad));
      r = inspect([pdf, '--json']);
      assert.equal(r.code, 1, bad);
      report = JSON.parse(r.out);
      assert.match(report.checks.find((c: { id: string }) => c.id === 'pdf.xmp').detail, /XMP disagrees with the record/);
    }
    // No Info entries, XMP only: the number comes from XMP and is checked as the PDF's number.
    writeFileSync(pdf, await pdfWithXmp({}, good));
    r = inspect([pdf, '--json']);
    assert.equal(r.code, 0, r.out + r.err);
    report = JSON.parse(r.out);
    assert.equal(report.pdf_metadata.from, 'xmp');
    assert.equal(report.pdf_metadata.canonical_sha256, SHA);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inspect a \\DocumentMetadata PDF built by pdflatex: Info keys and the kernel\'s XMP both name the record', async () => {
  const { dir } = await makeStampedPaper('pith-inspect-dm-');
  try {
    const main = path.join(dir, 'main.tex');
    writeFileSync(main, `\\DocumentMetadata{}\n${readFileSync(main, 'utf8')}`);
    const b = spawnSync('latexmk', ['-pdf', '-interaction=nonstopmode', '-halt-on-error', 'main.tex'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(b.status, 0, b.stdout);
    const r = inspect([path.join(dir, 'main.pdf'), '--json']);
    assert.equal(r.code, 0, r.out + r.err);
    const report = JSON.parse(r.out);
    assert.equal(report.pdf_metadata.from, 'info');
    assert.equal(report.pdf_metadata.xmp.number, NUMBER);
    assert.equal(report.checks.find((c: { id: string }) => c.id === 'pdf.xmp').status, 'pass');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
