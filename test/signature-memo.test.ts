// The memory of verified signatures as stamp uses it (io/signature-memo.ts rememberingVerifier):
// what it spares, what it remembers, and that it never vouches for other bytes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { signatureMemoKey } from '../src/core/check.js';
import { PINNED_KEYS, verifyEd25519 } from '../src/core/keys.js';
import { verifyBundle } from '../src/core/verify.js';
import { rememberingVerifier, SIGNATURE_MEMO_FILE } from '../src/io/signature-memo.js';
import { cliPath } from './helpers.js';
import { paperTex } from './support/stamped-paper.js';
import { tempDir } from './support/temp.js';
import { BUNDLE_FILE, seedBundle } from './support/vectors.js';

describe('rememberingVerifier', () => {
  test('asks the verifier only for what it does not remember, and remembers only what verified, on save', async (t) => {
    const memo = path.join(tempDir(t, 'pith-memo-'), SIGNATURE_MEMO_FILE);
    const asked: string[] = [];
    const counting = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
      asked.push(signatureMemoKey({ signature, message, publicKey }));
      return verifyEd25519(signature, message, publicKey);
    };
    const bundle = seedBundle();

    const first = rememberingVerifier(counting, memo);
    assert.equal(verifyBundle(bundle, PINNED_KEYS, first.verify).ok, true);
    assert.ok(asked.length >= 2, `every signature of the bundle is verified (${asked.length})`);
    assert.equal(existsSync(memo), false, 'nothing is written before save');
    await first.save();
    const remembered = readFileSync(memo, 'utf8').trim().split('\n');
    assert.deepEqual(new Set(remembered), new Set(asked), 'each verified signature, once');

    asked.length = 0;
    const second = rememberingVerifier(counting, memo);
    assert.equal(verifyBundle(bundle, PINNED_KEYS, second.verify).ok, true);
    assert.deepEqual(asked, [], 'the second verification asks the verifier nothing');

    // One byte of one signature changed: asked, refused, never remembered.
    const forged = seedBundle();
    const sigObj = forged.bundle_signature as { signature_b64: string };
    const sig = Buffer.from(sigObj.signature_b64, 'base64');
    sig[7]! ^= 0x10;
    sigObj.signature_b64 = sig.toString('base64');
    const third = rememberingVerifier(counting, memo);
    const report = verifyBundle(forged, PINNED_KEYS, third.verify);
    assert.equal(report.ok, false);
    assert.ok(report.checks.some((c) => c.id === 'bundle.signature' && c.status === 'fail'));
    // (asked under the pinned key, then under the bundle's own listed key, to say which made it)
    assert.ok(asked.length >= 1 && asked.every((k) => !remembered.includes(k)), 'only the changed signature is asked');
    await third.save();
    assert.deepEqual(readFileSync(memo, 'utf8').trim().split('\n'), remembered, 'a refused signature is not remembered');
  });
});

describe('stamp and the memory', () => {
  test('a stamp run again (nothing to change) loads no node:crypto or stream; a forged bundle still fails', async (t) => {
    const dir = tempDir(t, 'pith-stamp-memo-');
    const cache = tempDir(t, 'pith-stamp-memo-cache-');
    const main = path.join(dir, 'main.tex');
    const bundle = path.join(dir, 'paper.bundle.json');
    writeFileSync(main, paperTex().replace(/\\usepackage\{pith\}\n|\\pithnumber\{[^}]*\}\n/g, ''));
    copyFileSync(BUNDLE_FILE, bundle);
    const preload = path.join(cache, 'loaded.cjs');
    writeFileSync(
      preload,
      "process.on('exit', () => require('fs').writeSync(2, '\\nLOADED ' + JSON.stringify(process.moduleLoadList)));\n",
    );
    const pithTex = (...args: string[]) => {
      const r = spawnSync(process.execPath, ['-r', preload, cliPath, ...args], {
        encoding: 'utf8',
        env: { ...process.env, XDG_CACHE_HOME: cache },
      });
      const list = JSON.parse(/\nLOADED (.*)$/.exec(r.stderr)![1]!) as string[];
      return {
        status: r.status,
        stdout: r.stdout,
        stderr: r.stderr,
        loaded: ['crypto', 'stream'].filter((m) => list.includes(`NativeModule ${m}`)),
      };
    };
    const stamp = (bundleFile: string) => pithTex('stamp', main, '--bundle', bundleFile);
    let r = stamp(bundle);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.loaded.includes('crypto'), 'the first stamp verifies with node:crypto');
    const memo = path.join(cache, 'pith-tex', SIGNATURE_MEMO_FILE);
    assert.match(readFileSync(memo, 'utf8'), /^([0-9a-f]{64}\n){2,}$/);
    const stamped = readFileSync(main);

    r = stamp(bundle);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /nothing to do/);
    assert.deepEqual(r.loaded, [], 'the signatures were remembered; the output set up no stream');

    // The memory vouches for those bytes only: the bundle's signature changed is verified and refused.
    const doc = JSON.parse(readFileSync(bundle, 'utf8')) as { bundle_signature: { signature_b64: string } };
    const sig = Buffer.from(doc.bundle_signature.signature_b64, 'base64');
    sig[3]! ^= 1;
    doc.bundle_signature.signature_b64 = sig.toString('base64');
    const forged = path.join(dir, 'forged.bundle.json');
    writeFileSync(forged, JSON.stringify(doc));
    r = stamp(forged);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /the bundle does not verify/);
    assert.deepEqual(readFileSync(main), stamped, 'nothing was changed');

    // `verify` never consults the memory: it verifies afresh, with node:crypto, every time.
    const v = pithTex('verify', bundle);
    assert.equal(v.status, 0, v.stderr);
    assert.ok(v.loaded.includes('crypto'));
  });
});
