// pith-tex badge: a valid, deterministic, self-contained SVG, made only for a record that verifies,
// from the same sources as resolve (the paper's lock offline, a bundle file, the cache).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { badgeSvg, badgeValue } from '../src/core/badge.js';
import { cliPath, repoRoot } from './helpers.js';
import { BODY, NUMBER, makeStampedPaper } from './support/stamped-paper.js';

const BUNDLE = path.join(repoRoot, 'examples', 'moe-paper', '2109.10465v1.bundle.json');
const seed = { body: BODY, year: '2021', full: NUMBER };

function pith(cwd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('the SVG is well-formed XML, 20 px high, shields-style, with no external fonts, images, links or scripts', () => {
  const svg = badgeSvg(seed);
  assert.equal(XMLValidator.validate(svg), true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg) as { svg: Record<string, unknown> };
  assert.equal(doc.svg.xmlns, 'http://www.w3.org/2000/svg');
  assert.equal(doc.svg.height, '20');
  assert.ok(Number(doc.svg.width) > 100 && Number(doc.svg.width) < 200, String(doc.svg.width));
  assert.equal(doc.svg['aria-label'], 'pith: 2021:NMB7QKC2…');
  assert.equal(badgeValue(seed), '2021:NMB7QKC2…');
  assert.match(svg, />pith<\/text>/);
  assert.match(svg, />2021:NMB7QKC2…<\/text>/);
  assert.doesNotMatch(svg, /<script|<image|<style|@import|@font-face|href=|url\((?!#)/i, 'self-contained');
  assert.equal(badgeSvg(seed), svg, 'deterministic');
});

test('examples/badge.svg is what the command writes for the example paper, and its PNG is committed', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pith-badge-'));
  const out = path.join(dir, 'badge.svg');
  const r = pith(dir, ['badge', '2109.10465v1', '--bundle', BUNDLE, '-o', out], { XDG_CACHE_HOME: dir });
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(out, 'utf8'), readFileSync(path.join(repoRoot, 'examples', 'badge.svg'), 'utf8'));
  const png = readFileSync(path.join(repoRoot, 'examples', 'badge.png'));
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.equal(png.readUInt32BE(20), 40, 'rendered at twice the 20 px height');
  rmSync(dir, { recursive: true, force: true });
});

test('a stamped paper: the badge comes from its lock, offline; markdown and html link the record page', async () => {
  const { dir } = await makeStampedPaper('pith-badge-');
  const cache = mkdtempSync(path.join(os.tmpdir(), 'pith-badge-cache-'));
  const env = { XDG_CACHE_HOME: cache, PITH_RESOLVER: 'http://127.0.0.1:9' };
  const svg = pith(dir, ['badge', '--offline'], env);
  assert.equal(svg.code, 0, svg.err);
  assert.equal(svg.out, badgeSvg(seed));
  assert.equal(svg.err, '', 'no note: the paper\'s own lock is the source');
  const md = pith(dir, ['badge', 'main.tex', '--format', 'markdown', '--image', 'docs/pith badge.svg'], env);
  assert.equal(md.out, `[![${NUMBER} (verified Pith number)](docs/pith%20badge.svg)](https://pith.science/pith/${BODY})\n`);
  const html = pith(dir, ['badge', '--format', 'html'], env);
  assert.match(html.out, new RegExp(`^<a href="https://pith\\.science/pith/${BODY}" title="${NUMBER}: verified Pith number"><svg `));
  assert.equal(XMLValidator.validate(html.out.trim()), true);
  const bad = pith(dir, ['badge', '--format', 'png'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^pith-tex: --format png: expected one of svg, markdown, html/);
  rmSync(dir, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

test('no badge for a record that does not verify; a record from the cache is said to be from the cache', async () => {
  const { dir } = await makeStampedPaper('pith-badge-');
  const cache = mkdtempSync(path.join(os.tmpdir(), 'pith-badge-cache-'));
  const env = { XDG_CACHE_HOME: cache, PITH_RESOLVER: 'http://127.0.0.1:9' };
  const tampered = JSON.parse(readFileSync(BUNDLE, 'utf8'));
  tampered.canonical_record.metadata.license += 'x';
  writeFileSync(path.join(dir, 'bad.bundle.json'), JSON.stringify(tampered));
  const bad = pith(dir, ['badge', '2109.10465v1', '--bundle', 'bad.bundle.json', '--offline'], env);
  assert.equal(bad.code, 1, bad.err);
  assert.equal(bad.out, '', 'nothing written');
  // Put the record in the cache (a verified bundle file is cached), then ask by number elsewhere.
  assert.equal(pith(dir, ['resolve', '2109.10465v1', '--bundle', BUNDLE], env).code, 0);
  const away = mkdtempSync(path.join(os.tmpdir(), 'pith-badge-away-'));
  const fromCache = pith(away, ['badge', NUMBER, '--offline'], env);
  assert.equal(fromCache.code, 0, fromCache.err);
  assert.equal(fromCache.out, badgeSvg(seed));
  assert.match(fromCache.err, /^pith-tex: note: verified against your cache \(.*\), not a lock or bundle of the paper\n$/);
  for (const d of [dir, cache, away]) rmSync(d, { recursive: true, force: true });
});
