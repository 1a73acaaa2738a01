// Issue 12 item 6: untrusted text never reaches the terminal raw. Keys and values from bundles
// (a duplicate key, an unknown source-alias kind) carry ESC sequences that would retitle and
// clear the terminal; human output shows them escaped, --json keeps them as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { escapeForTerminal } from '../../src/core/escape.js';
import { seedBundle } from '../support/vectors.js';
import { arena, fingerprint } from './support.js';
import { runCli } from '../support/cli.js';

const RETITLE = '\u001b]0;pwned\u0007\u001b[2J\u001b[H';
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test('escapeForTerminal: C0 (not newline or tab), DEL, C1 and bidi controls escaped; other text as is', () => {
  assert.equal(escapeForTerminal(`a${RETITLE}b`), 'a\\x1b]0;pwned\\x07\\x1b[2J\\x1b[Hb');
  assert.equal(escapeForTerminal('line\n\ttab\r'), 'line\n\ttab\\x0d');
  assert.equal(escapeForTerminal('\u009b31m\u007f'), '\\x9b31m\\x7f');
  assert.equal(escapeForTerminal('abc\u202edcba\u2066\u061c\u200f'), 'abc\\u202edcba\\u2066\\u061c\\u200f');
  assert.equal(escapeForTerminal('pith:2021:NMB7QKC2 – é ✓ 日本'), 'pith:2021:NMB7QKC2 – é ✓ 日本');
  for (let c = 0; c < 0x100; c++) {
    const out = escapeForTerminal(String.fromCharCode(c));
    if (c !== 10 && c !== 9) assert.doesNotMatch(out, RAW, `U+${c.toString(16)}`);
  }
});

test('a duplicate key carrying an ESC sequence: the one-line error is escaped; --json has the key as data', async () => {
  const a = arena('esc-dup');
  const file = path.join(a.paper, 'bundle.json');
  const key = JSON.stringify(RETITLE);
  writeFileSync(file, `{"schema_version":"1.0",${key}:1,${key}:2}\n`);
  const before = fingerprint(a.root);
  const r = await runCli(['verify', file]);
  assert.equal(r.status, 2, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, RAW);
  assert.match(r.stderr, /duplicate key "\\x1b\]0;pwned\\x07\\x1b\[2J\\x1b\[H"/);
  const j = await runCli(['verify', file, '--json']);
  assert.equal(j.status, 2);
  assert.ok(JSON.parse(j.stdout).error.message.includes(`duplicate key "${RETITLE}"`), 'JSON keeps the text as it is');
  assert.deepEqual(fingerprint(a.root), before);
});

test('an unknown source-alias kind with ESC and a bidi override: verify prints it escaped', async () => {
  const a = arena('esc-alias');
  const bundle = seedBundle();
  (bundle.source_aliases as unknown[]).push({ alias_kind: `x${RETITLE}\u202e`, alias_value: `v${RETITLE}` });
  const file = path.join(a.paper, 'bundle.json');
  writeFileSync(file, JSON.stringify(bundle));
  const r = await runCli(['verify', file]);
  assert.equal(r.status, 1, r.stderr); // the signature no longer covers the aliases
  assert.doesNotMatch(r.stdout + r.stderr, RAW);
  assert.match(r.stdout, /alias:x\\x1b\]0;pwned\\x07\\x1b\[2J\\x1b\[H\\u202e/);
  const j = await runCli(['verify', file, '--json']);
  assert.ok(j.stdout.includes('\\u001b]0;pwned\\u0007'), 'JSON escapes as JSON does, nothing more');
});
