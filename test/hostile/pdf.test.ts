// Issue 12 items 3, 6 (PDF part) and 10: a PDF the user did not build. An XMP stream that
// inflates to 1.5 GiB is inflated with a cap; a PithRecord must be the registry's record URL
// exactly; a PithNumber carrying terminal escapes (in a UTF-16 string) is printed escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { constants as zlibc, deflateRawSync } from 'node:zlib';
import { PDFDocument, PDFHexString, PDFName, PDFString } from 'pdf-lib';
import { BODY, NUMBER, SHA, lockText } from '../support/stamped-paper.js';
import { arena, fingerprint } from './support.js';
import { runCli } from '../support/cli.js';

const RECORD = `https://pith.science/pith/${BODY}`;

/**
 * A zlib stream of `mib` MiB of zeros, built without compressing them all: raw deflate of one
 * MiB ending in a full flush (byte-aligned, window reset) repeats byte for byte, then a final
 * empty block and the Adler-32 of n zeros ((n mod 65521) << 16 | 1).
 */
function zeroBomb(mib: number): Buffer {
  const piece = deflateRawSync(Buffer.alloc(1 << 20), { level: 9, finishFlush: zlibc.Z_FULL_FLUSH });
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((mib * 2 ** 20) % 65521) * 65536 + 1) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...Array<Buffer>(mib).fill(piece), Buffer.from([0x03, 0x00]), adler]);
}

async function pdf(info: Record<string, string>, options: { hex?: boolean; xmpBomb?: Buffer } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([100, 100]);
  const dict = (doc as unknown as { getInfoDict(): import('pdf-lib').PDFDict }).getInfoDict();
  for (const [k, v] of Object.entries(info)) dict.set(PDFName.of(k), options.hex ? PDFHexString.fromText(v) : PDFString.of(v));
  if (options.xmpBomb) {
    const stream = doc.context.stream(options.xmpBomb, { Type: 'Metadata', Subtype: 'XML', Filter: 'FlateDecode' });
    doc.catalog.set(PDFName.of('Metadata'), doc.context.register(stream));
  }
  return doc.save();
}

test('inspect: an XMP stream that inflates to 1.5 GiB is capped; the PDF is still checked, quickly and in little memory', async () => {
  const a = arena('xmp-bomb');
  writeFileSync(path.join(a.paper, 'pith.lock.json'), lockText());
  const bomb = zeroBomb(1536);
  const file = path.join(a.paper, 'bomb.pdf');
  writeFileSync(file, await pdf({ PithNumber: NUMBER, PithRecord: RECORD, PithCanonicalSHA256: SHA }, { xmpBomb: bomb }));
  assert.ok(bomb.length < 2_000_000, `the bomb is ${bomb.length} bytes`);
  const r = await runCli(['inspect', file, '--json'], { timeoutMs: 60_000, measure: true });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.pdf_metadata.xmp, null, 'the over-cap XMP packet is not read');
  assert.ok(r.maxRssMiB < 150, `peak memory ${r.maxRssMiB.toFixed(1)} MiB (it took 4.2 GB before)`);
  assert.ok(r.ms < 5000, `${r.ms} ms`);
});

test('inspect: PithRecord must be the registry record URL exactly, not any URL ending in /pith/BODY', async () => {
  const a = arena('record');
  writeFileSync(path.join(a.paper, 'pith.lock.json'), lockText());
  const file = path.join(a.paper, 'paper.pdf');
  for (const record of [
    `https://evil.example/x/pith/${BODY}`,
    `http://pith.science/pith/${BODY}`,
    `${RECORD}/`,
    `https://pith.science.evil.example/pith/${BODY}`,
  ]) {
    writeFileSync(file, await pdf({ PithNumber: NUMBER, PithRecord: record, PithCanonicalSHA256: SHA }));
    const r = await runCli(['inspect', file, '--json']);
    assert.equal(r.status, 1, `${record}: ${r.stdout}`);
    const check = JSON.parse(r.stdout).checks.find((c: { id: string }) => c.id === 'pdf.record');
    assert.equal(check.status, 'fail', record);
    assert.equal(check.detail, `PithRecord ${record} does not name ${RECORD}`);
  }
  writeFileSync(file, await pdf({ PithNumber: NUMBER, PithRecord: RECORD, PithCanonicalSHA256: SHA }));
  assert.equal((await runCli(['inspect', file])).status, 0);
});

test('inspect: ESC sequences and bidi overrides in a PithNumber (a UTF-16 string) are printed escaped; --json keeps them', async () => {
  const a = arena('esc-pdf');
  writeFileSync(path.join(a.paper, 'pith.lock.json'), lockText());
  const file = path.join(a.paper, 'paper.pdf');
  const hostile = `\u001b]0;pwned\u0007\u001b[2J${NUMBER}\u202e`;
  writeFileSync(file, await pdf({ PithNumber: hostile, PithRecord: RECORD, PithCanonicalSHA256: SHA }, { hex: true }));
  const before = fingerprint(a.root);
  const r = await runCli(['inspect', file]);
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /[\u001b\u0007\u202e]/, 'no raw control or bidi character reaches the terminal');
  assert.match(r.stdout, /\\x1b\]0;pwned\\x07\\x1b\[2Jpith:2021:NMB7QKC2NJYNHLPG6XMF2N35IK\\u202e/);
  const json = await runCli(['inspect', file, '--json']);
  assert.equal(JSON.parse(json.stdout).pdf_metadata.number, hostile);
  assert.deepEqual(fingerprint(a.root), before);
});

test('inspect: an object stream (which pdf-lib inflates while loading) of 1.5 GiB is refused before pdf-lib sees it', async () => {
  const a = arena('objstm-bomb');
  const doc = await PDFDocument.create();
  doc.addPage([100, 100]);
  const base = Buffer.from(await doc.save({ useObjectStreams: false }));
  const bomb = zeroBomb(1536);
  const object = Buffer.concat([
    Buffer.from(`\n99 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${bomb.length} >>\nstream\n`),
    bomb,
    Buffer.from('\nendstream\nendobj\n'),
  ]);
  const file = path.join(a.paper, 'objstm.pdf');
  writeFileSync(file, Buffer.concat([base, object]));
  const r = await runCli(['inspect', file], { timeoutMs: 60_000, measure: true });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /objstm\.pdf: its object streams inflate to more than 67108864 bytes \(a compression bomb\?\); not read/);
  assert.ok(r.maxRssMiB < 100, `peak memory ${r.maxRssMiB.toFixed(1)} MiB (a 256 MiB one took 330 MB and 20 s before)`);
  assert.ok(r.ms < 5000, `${r.ms} ms`);
});
