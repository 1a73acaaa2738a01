// pith-tex badge: a valid, deterministic, self-contained SVG, made only for a record that verifies,
// from the same sources as resolve (the paper's lock offline, a bundle file, the cache).
import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { badgeSvg, badgeValue } from '../src/core/badge.js';
import { repoRoot } from './helpers.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp.js';
import { BODY, NUMBER, makeStampedPaper } from './support/stamped-paper.js';

const BUNDLE = path.join(repoRoot, 'examples', 'moe-paper', '2109.10465v1.bundle.json');
const seed = { body: BODY, year: '2021', full: NUMBER };

describe('pith-tex badge', () => {
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

  test('examples/badge.svg is what the command writes for the example paper, and its PNG is committed', async (t) => {
    const dir = tempDir(t, 'pith-badge-');
    const out = path.join(dir, 'badge.svg');
    const r = await runCli(['badge', '2109.10465v1', '--bundle', BUNDLE, '-o', out], { cwd: dir, env: { XDG_CACHE_HOME: dir } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(out, 'utf8'), readFileSync(path.join(repoRoot, 'examples', 'badge.svg'), 'utf8'));
    const png = readFileSync(path.join(repoRoot, 'examples', 'badge.png'));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(png.readUInt32BE(20), 40, 'rendered at twice the 20 px height');
  });

  test('a stamped paper: the badge comes from its lock, offline; markdown and html link the record page', async (t) => {
    const { dir } = await makeStampedPaper('pith-badge-', t);
    const cache = tempDir(t, 'pith-badge-cache-');
    const env = { XDG_CACHE_HOME: cache, PITH_RESOLVER: 'http://127.0.0.1:9' };
    const svg = await runCli(['badge', '--offline'], { cwd: dir, env });
    assert.equal(svg.status, 0, svg.stderr);
    assert.equal(svg.stdout, badgeSvg(seed));
    assert.equal(svg.stderr, '', "no note: the paper's own lock is the source");
    const md = await runCli(['badge', 'main.tex', '--format', 'markdown', '--image', 'docs/pith badge.svg'], { cwd: dir, env });
    assert.equal(md.stdout, `[![${NUMBER} (verified Pith number)](docs/pith%20badge.svg)](https://pith.science/pith/${BODY})\n`);
    const html = await runCli(['badge', '--format', 'html'], { cwd: dir, env });
    assert.match(html.stdout, new RegExp(`^<a href="https://pith\\.science/pith/${BODY}" title="${NUMBER}: verified Pith number"><svg `));
    assert.equal(XMLValidator.validate(html.stdout.trim()), true);
    const bad = await runCli(['badge', '--format', 'png'], { cwd: dir, env });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^pith-tex: --format png: expected one of svg, markdown, html/);
  });

  test('no badge for a record that does not verify; a record from the cache is said to be from the cache', async (t) => {
    const { dir } = await makeStampedPaper('pith-badge-', t);
    const cache = tempDir(t, 'pith-badge-cache-');
    const env = { XDG_CACHE_HOME: cache, PITH_RESOLVER: 'http://127.0.0.1:9' };
    const tampered = JSON.parse(readFileSync(BUNDLE, 'utf8'));
    tampered.canonical_record.metadata.license += 'x';
    writeFileSync(path.join(dir, 'bad.bundle.json'), JSON.stringify(tampered));
    const bad = await runCli(['badge', '2109.10465v1', '--bundle', 'bad.bundle.json', '--offline'], { cwd: dir, env });
    assert.equal(bad.status, 1, bad.stderr);
    assert.equal(bad.stdout, '', 'nothing written');
    // Put the record in the cache (a verified bundle file is cached), then ask by number elsewhere.
    assert.equal((await runCli(['resolve', '2109.10465v1', '--bundle', BUNDLE], { cwd: dir, env })).status, 0);
    const away = tempDir(t, 'pith-badge-away-');
    const fromCache = await runCli(['badge', NUMBER, '--offline'], { cwd: away, env });
    assert.equal(fromCache.status, 0, fromCache.stderr);
    assert.equal(fromCache.stdout, badgeSvg(seed));
    assert.match(fromCache.stderr, /^pith-tex: note: verified against your cache \(.*\), not a lock or bundle of the paper\n$/);
  });
});
