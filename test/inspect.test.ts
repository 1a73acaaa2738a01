// pith-tex inspect: the PDF's Pith metadata against the record (lock, bundle, resolver cache).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument, PDFHexString, PDFName, PDFString } from 'pdf-lib';
import { fixture } from './helpers.js';
import { runCli } from './support/cli.js';
import { pithXmp } from '../src/io/pdf.js';
import { BODY, NUMBER, OTHER_BODY, SHA, lockText } from './support/stamped-paper.js';
import { tempDir } from './support/temp.js';

async function pdfWith(entries: Record<string, string>, hex = false): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([100, 100]);
  // getInfoDict is private in pdf-lib's types; the Info dictionary is what this test needs.
  const info = (doc as unknown as { getInfoDict(): import('pdf-lib').PDFDict }).getInfoDict();
  for (const [k, v] of Object.entries(entries)) info.set(PDFName.of(k), hex ? PDFHexString.fromText(v) : PDFString.of(v));
  return doc.save();
}

const full = { PithNumber: NUMBER, PithRecord: `https://pith.science/pith/${BODY}`, PithCanonicalSHA256: SHA };

describe('pith-tex inspect', () => {
  test('inspect: PDF metadata against the lock beside it, a --lock, a --bundle; mismatches; bad input', async (t) => {
    const dir = tempDir(t, 'pith-inspect-');
    const cache = tempDir(t, 'pith-cache-');
    const pdf = path.join(dir, 'paper.pdf');
    writeFileSync(pdf, await pdfWith(full));
    // No lock, no bundle, offline, empty cache: could not fetch.
    let r = await runCli(['inspect', ...[pdf, '--offline']], { env: { XDG_CACHE_HOME: cache } });
    assert.equal(r.status, 3, r.stderr);
    writeFileSync(path.join(dir, 'pith.lock.json'), lockText());
    r = await runCli(['inspect', ...[pdf]]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /verified/);
    r = await runCli(['inspect', ...[pdf, '--json']]);
    const report = JSON.parse(r.stdout);
    assert.equal(report.ok, true);
    assert.equal(report.pdf_metadata.number, NUMBER);
    assert.equal((await runCli(['inspect', ...[pdf, '--bundle', fixture('2109.10465v1.bundle.json')]])).status, 0);
    // Hex strings (UTF-16) read the same.
    writeFileSync(pdf, await pdfWith(full, true));
    assert.equal((await runCli(['inspect', ...[pdf]])).status, 0);

    // The PDF names another number, another hash or another record page.
    for (const bad of [
      { ...full, PithNumber: `pith:2021:${OTHER_BODY}` },
      { ...full, PithNumber: `pith:2022:${BODY}` },
      { ...full, PithCanonicalSHA256: '0'.repeat(64) },
      { ...full, PithRecord: `https://pith.science/pith/${OTHER_BODY}` },
    ]) {
      writeFileSync(pdf, await pdfWith(bad));
      r = await runCli(['inspect', ...[pdf]]);
      assert.equal(r.status, 1, JSON.stringify(bad));
      assert.match(r.stdout, /NOT verified/);
    }
    // The record does not verify.
    writeFileSync(pdf, await pdfWith(full));
    const tampered = path.join(dir, 'tampered.json');
    writeFileSync(tampered, lockText().replace('"primary_cat": "', '"primary_cat": "x'));
    r = await runCli(['inspect', ...[pdf, '--lock', tampered]]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /record\.canonical_hash/);

    // Bad input: not a PDF, a PDF without Pith metadata, a bad lock shape.
    const notPdf = path.join(dir, 'x.pdf');
    writeFileSync(notPdf, 'hello');
    r = await runCli(['inspect', ...[notPdf]]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not a PDF/);
    writeFileSync(pdf, await pdfWith({ Title: 'plain' }));
    r = await runCli(['inspect', ...[pdf]]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no Pith metadata/);
    writeFileSync(pdf, await pdfWith(full));
    writeFileSync(tampered, '{"lock": "other"}');
    assert.equal((await runCli(['inspect', ...[pdf, '--lock', tampered]])).status, 2);
    assert.equal((await runCli(['inspect', ...[path.join(dir, 'missing.pdf')]])).status, 2);
  });

  test('inspect with no lock or bundle: from the cache (--offline), then from a resolver (loopback), and a resolver that lies', async (t) => {
    const { startServer } = await import('./support/http-server.js');
    const dir = tempDir(t, 'pith-inspect-res-');
    const cache = tempDir(t, 'pith-cache-');
    const env: NodeJS.ProcessEnv = {
      XDG_CACHE_HOME: cache,
      PITH_HTTP_TIMEOUT_MS: '1500',
      PITH_HTTP_CONNECT_TIMEOUT_MS: '1000',
      PITH_HTTP_RETRIES: '0',
      PITH_RESOLVER: '',
    };
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
    t.after(() => Promise.all([server.close(), liar.close()]));
    const pdf = path.join(dir, 'paper.pdf');
    writeFileSync(pdf, await pdfWith(full));
    // A resolver that serves a tampered bundle: not verified, nothing cached.
    let r = await runCli(['inspect', pdf, '--resolver', liar.base], { env });
    assert.equal(r.status, 1, r.stdout + r.stderr); // fails verification (exit 1), not "could not fetch" (3)
    assert.match(r.stderr, /fails verification/);
    assert.equal((await runCli(['inspect', pdf, '--offline'], { env })).status, 3, 'the lie was not cached');
    r = await runCli(['inspect', pdf, '--resolver', server.base, '--json'], { env });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(JSON.parse(r.stdout).record_source, /resolver/);
    // Now cached: --offline needs no network.
    r = await runCli(['inspect', pdf, '--offline', '--json'], { env });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      JSON.parse(r.stdout).record_source,
      /^your cache .* \(no pith\.lock\.json beside the PDF; --lock or --bundle checks against the paper's own record\)$/,
    );
    // --offline did not silently widen to the cache: a note on stderr says so.
    assert.match(r.stderr, /^pith-tex: note: verified against your cache \(.*\), not a lock or bundle of the paper\n$/);
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
    assert.deepEqual(pithXmp(`<pith:number>${NUMBER}</pith:number><pith:canonicalSHA256>${SHA}</pith:canonicalSHA256>`), {
      number: NUMBER,
      record: null,
      canonicalSha256: SHA,
    });
    assert.deepEqual(
      pithXmp(`<pith:record xmlns:pith="https://pith.science/ns/1.0/">\n https://pith.science/pith/${BODY} </pith:record>`),
      {
        number: null,
        record: `https://pith.science/pith/${BODY}`,
        canonicalSha256: null,
      },
    );
    assert.deepEqual(pithXmp(`<rdf:Description pith:number="${NUMBER}"/>`), { number: NUMBER, record: null, canonicalSha256: null });
    assert.equal(pithXmp('<dc:title>x</dc:title>'), null);
  });

  test('inspect: XMP pith properties are checked against the record too; XMP alone gives the number', async (t) => {
    const dir = tempDir(t, 'pith-inspect-xmp-');
    writeFileSync(path.join(dir, 'pith.lock.json'), lockText());
    const pdf = path.join(dir, 'paper.pdf');
    const good = `<pith:number>${NUMBER}</pith:number><pith:record>https://pith.science/pith/${BODY}</pith:record><pith:canonicalSHA256>${SHA}</pith:canonicalSHA256>`;
    writeFileSync(pdf, await pdfWithXmp(full, good));
    let r = await runCli(['inspect', ...[pdf, '--json']]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    let report = JSON.parse(r.stdout);
    assert.equal(report.checks.find((c: { id: string }) => c.id === 'pdf.xmp').status, 'pass');
    assert.deepEqual(report.pdf_metadata.xmp, { number: NUMBER, record: `https://pith.science/pith/${BODY}`, canonicalSha256: SHA });
    // Info right, XMP naming another paper: the PDF says two things.
    for (const bad of [
      good.replace(BODY, OTHER_BODY),
      good.replace(SHA, '0'.repeat(64)),
      good.replace(`/pith/${BODY}`, `/pith/${OTHER_BODY}`),
    ]) {
      writeFileSync(pdf, await pdfWithXmp(full, bad));
      r = await runCli(['inspect', ...[pdf, '--json']]);
      assert.equal(r.status, 1, bad);
      report = JSON.parse(r.stdout);
      assert.match(report.checks.find((c: { id: string }) => c.id === 'pdf.xmp').detail, /XMP disagrees with the record/);
    }
    // No Info entries, XMP only: the number comes from XMP and is checked as the PDF's number.
    writeFileSync(pdf, await pdfWithXmp({}, good));
    r = await runCli(['inspect', ...[pdf, '--json']]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    report = JSON.parse(r.stdout);
    assert.equal(report.pdf_metadata.from, 'xmp');
    assert.equal(report.pdf_metadata.canonical_sha256, SHA);
  });
});
