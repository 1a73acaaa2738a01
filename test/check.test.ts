// pith-tex check: the lean verifier agrees with the full one, the comparison, the command.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareStamp, leanLockClaims, leanVerifyLock, signatureMemoKey, stampedOfSty } from '../src/core/check.js';
import { leanVerifyEd25519 } from '../src/core/ed25519-node.js';
import { parseTexNumber } from '../src/core/number.js';
import { bytesToHex, hexToBytes } from '../src/core/encoding.js';
import { nobleVerifyEd25519, PINNED_KEYS, publicKeyOf, signEd25519, verifyEd25519 } from '../src/core/keys.js';
import { lockFromBundle, verifyLock, type PithLock } from '../src/core/lock.js';
import { parseJson, type JsonObject } from '../src/core/json.js';
import { cliPath, repoRoot } from './helpers.js';
import { rng } from './support/random.js';
import { seedBundle } from './support/vectors.js';
import { BODY, NUMBER, OTHER_BODY, makeStampedPaper, paperTex, renderSty } from './support/stamped-paper.js';
import { toolVersion } from '../src/io/package-files.js';
import { SIGNATURE_MEMO_FILE } from '../src/io/signature-memo.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp.js';

const freshLock = (): PithLock => lockFromBundle(seedBundle());
const clone = <T>(v: T): T => parseJson(JSON.stringify(v)) as T;

describe('the lean verifier (what check trusts without the full one)', () => {
  test('node:crypto Ed25519 agrees with keys.ts (RFC 8032 strict) on the vector and on mutations', () => {
    const lock = freshLock();
    const sig = Buffer.from(lock.receipt.signature_b64 as string, 'base64');
    const msg = hexToBytes(lock.canonical_sha256);
    const pub = PINNED_KEYS[0]!.publicKey;
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [[sig, msg, pub]];
    const r = rng(11);
    for (let i = 0; i < 120; i++) {
      const s = Uint8Array.from(sig);
      s[Math.floor(r() * 64)]! ^= 1 << Math.floor(r() * 8);
      cases.push([s, msg, pub]);
      const m = Uint8Array.from(msg);
      m[Math.floor(r() * 32)]! ^= 1;
      cases.push([sig, m, pub]);
    }
    // S + L: the same signature with a non-canonical S (strict verifiers refuse it).
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    let sInt = 0n;
    for (let i = 63; i >= 32; i--) sInt = (sInt << 8n) | BigInt(sig[i]!);
    const big = sInt + L;
    const sBig = Uint8Array.from(sig);
    for (let i = 0; i < 32; i++) sBig[32 + i] = Number((big >> BigInt(8 * i)) & 0xffn);
    if (big < 1n << 256n) cases.push([sBig, msg, pub]);
    // Small-order and non-canonical keys, wrong lengths.
    const identity = new Uint8Array(32);
    identity[0] = 1;
    cases.push(
      [sig, msg, identity],
      [sig, msg, new Uint8Array(32)],
      [sig, msg, new Uint8Array(32).fill(0xff)],
      [sig.subarray(0, 63), msg, pub],
    );
    // Signatures of our own keys over random messages.
    for (let i = 0; i < 40; i++) {
      const sk = new Uint8Array(32).map(() => Math.floor(r() * 256));
      const m = new Uint8Array(1 + Math.floor(r() * 40)).map(() => Math.floor(r() * 256));
      const sg = signEd25519(m, sk);
      cases.push([sg, m, publicKeyOf(sk)]);
      const bad = Uint8Array.from(sg);
      bad[Math.floor(r() * 64)]! ^= 0x80;
      cases.push([bad, m, publicKeyOf(sk)]);
    }
    let valid = 0;
    for (const [s, m, k] of cases) {
      const full = nobleVerifyEd25519(s, m, k);
      assert.equal(verifyEd25519(s, m, k), full, "verifyEd25519 gives noble's verdict");
      assert.equal(leanVerifyEd25519(s, m, k), full, `disagree on sig ${bytesToHex(s)} key ${bytesToHex(k)}`);
      if (full) valid++;
    }
    assert.ok(valid >= 41, 'the valid cases really verify');
  });

  test('leanVerifyLock passes exactly when verifyLock passes (vector and mutated locks)', () => {
    const mutations: [string, (l: JsonObject) => void][] = [
      ['none', () => {}],
      ['title hash', (l) => ((l.canonical_record as any).metadata.title_canon_sha256 = 'a'.repeat(64))],
      ['version', (l) => ((l.canonical_record as any).source.version = 2)],
      ['submitted_at', (l) => ((l.canonical_record as any).metadata.submitted_at = '2022-09-22T00:00:00Z')],
      ['pith_number', (l) => (l.pith_number = `pith:2021:${OTHER_BODY}`)],
      ['pith_number year', (l) => (l.pith_number = `pith:2022:${BODY}`)],
      ['canonical_sha256', (l) => (l.canonical_sha256 = '0'.repeat(64))],
      ['receipt sha', (l) => ((l.receipt as any).canonical_sha256 = '0'.repeat(64))],
      ['receipt key', (l) => ((l.receipt as any).key_id = 'someone-else')],
      ['receipt fingerprint', (l) => ((l.receipt as any).public_key_fingerprint = '0'.repeat(32))],
      ['receipt status', (l) => ((l.receipt as any).signature_status = 'unsigned')],
      ['receipt algo', (l) => ((l.receipt as any).algorithm = 'rsa')],
      ['receipt message', (l) => ((l.receipt as any).signed_message = 'other')],
      ['sig', (l) => ((l.receipt as any).signature_b64 = Buffer.alloc(64, 7).toString('base64'))],
      ['sig not base64', (l) => ((l.receipt as any).signature_b64 = 'nope')],
      ['extra field in record', (l) => ((l.canonical_record as any).extra = 1)],
    ];
    for (const [name, mutate] of mutations) {
      const lock = clone(freshLock()) as unknown as JsonObject;
      mutate(lock);
      const full = verifyLock(lock as PithLock, PINNED_KEYS).ok;
      assert.equal(leanVerifyLock(lock, leanVerifyEd25519).ok, full, name);
      assert.equal(leanLockClaims(lock).signed !== null, full || name === 'sig', `${name}: only the signature is left to the caller`);
      assert.equal(full, name === 'none', `${name}: full verifier`);
    }
    const ok = leanVerifyLock(freshLock(), leanVerifyEd25519);
    assert.equal(ok.number, NUMBER);
  });

  test('parseTexNumber reads what pith.sty reads', () => {
    assert.deepEqual(parseTexNumber(BODY), { body: BODY, year: null });
    assert.deepEqual(parseTexNumber(` pith:2021:${BODY.toLowerCase()} `), { body: BODY, year: '2021' });
    assert.deepEqual(parseTexNumber(`pith:${BODY}`), { body: BODY, year: null });
    assert.equal(parseTexNumber('pith:NMB7QKC2'), null);
    assert.equal(parseTexNumber(BODY.replace('N', '0')), null);
  });
});

describe('comparing the lock, the paper and pith.sty', () => {
  test('check reads pith.sty with the reader stamp uses: a generated copy, not the plain package', () => {
    assert.deepEqual(stampedOfSty(renderSty(BODY)), {
      generatedByPithTex: true,
      edited: false,
      body: BODY,
      year: '2021',
      number: NUMBER,
      toolVersion: toolVersion(),
    });
    assert.equal(stampedOfSty(readFileSync(path.join(repoRoot, 'tex', 'pith.sty'), 'utf8')).generatedByPithTex, false);
    assert.equal(stampedOfSty(renderSty(BODY).replace('\\Provides', '%x\n\\Provides')).edited, true);
  });

  const lockIn = { number: NUMBER, body: BODY, year: '2021', verified: true, problems: [] as string[] };
  const styIn = { generatedByPithTex: true, body: BODY, year: '2021', number: NUMBER };
  const base = { paper: 'main.tex', stampCommand: 'pith-tex stamp main.tex' };

  test('compareStamp: agreement, each pair of places, nothing stamped', () => {
    assert.equal(compareStamp({ ...base, paperNumbers: [BODY], lock: lockIn, sty: styIn }).status, 'ok');
    assert.equal(compareStamp({ ...base, paperNumbers: [NUMBER], lock: lockIn, sty: styIn }).status, 'ok');
    const paperOff = compareStamp({ ...base, paperNumbers: [OTHER_BODY], lock: lockIn, sty: styIn });
    assert.equal(paperOff.status, 'mismatch');
    assert.deepEqual(
      paperOff.findings.map((f) => f.places),
      [['pith.lock.json', 'main.tex']],
    );
    assert.match(paperOff.findings[0]!.fix, /pith-tex stamp main\.tex/);
    const yearOff = compareStamp({ ...base, paperNumbers: [`pith:2022:${BODY}`], lock: lockIn, sty: styIn });
    assert.equal(yearOff.findings.length, 1);
    const styOff = compareStamp({
      ...base,
      paperNumbers: [BODY],
      lock: lockIn,
      sty: { ...styIn, body: OTHER_BODY, number: `pith:2021:${OTHER_BODY}` },
    });
    assert.deepEqual(
      styOff.findings.map((f) => f.places),
      [['pith.lock.json', 'pith.sty']],
    );
    const bad = compareStamp({
      ...base,
      paperNumbers: [BODY],
      lock: { ...lockIn, verified: false, problems: ['canonical_hash: x'] },
      sty: styIn,
    });
    assert.deepEqual(
      bad.findings.map((f) => f.places),
      [['pith.lock.json']],
    );
    const noLock = compareStamp({ ...base, paperNumbers: [BODY], lock: null, sty: styIn });
    assert.equal(noLock.status, 'mismatch');
    const plainSty = compareStamp({ ...base, paperNumbers: [BODY], lock: lockIn, sty: { generatedByPithTex: false } });
    assert.equal(plainSty.status, 'mismatch');
    assert.equal(compareStamp({ ...base, paperNumbers: [], lock: null, sty: { generatedByPithTex: false } }).status, 'nothing-stamped');
    assert.equal(compareStamp({ ...base, paperNumbers: [], lock: null, sty: null }).status, 'nothing-stamped');
    assert.equal(compareStamp({ ...base, paperNumbers: [], lock: lockIn, sty: styIn }).status, 'mismatch');
  });
});

async function cli(args: string[], cwd?: string) {
  const r = await runCli(args, { cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('pith-tex check', () => {
  test('pith-tex check: agree → 0, each tamper → 1 naming both places and the fix', async (t) => {
    const { dir, main } = await makeStampedPaper('pith-check-', t);
    let r = await cli(['check', main]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`✓ ${NUMBER}`));
    r = await cli(['check'], dir);
    assert.equal(r.code, 0, r.err);
    r = await cli(['check', '--json', main]);
    const report = JSON.parse(r.out);
    assert.equal(report.status, 'ok');
    assert.equal(report.lock_verified, true);

    writeFileSync(main, paperTex(OTHER_BODY));
    r = await cli(['check', main]);
    assert.equal(r.code, 1);
    const lines = r.err.trim().split('\n');
    assert.equal(lines.length, 1, r.err);
    assert.match(lines[0]!, /main\.tex says \\pithnumber\{AAAA.*pith\.lock\.json holds pith:2021:NMB7.*fix: pith-tex stamp/);
    writeFileSync(main, paperTex(`pith:2021:${BODY}`));
    assert.equal((await cli(['check', main])).code, 0);

    // A tampered lock: the slow path explains it.
    const lockFile = path.join(dir, 'pith.lock.json');
    const good = readFileSync(lockFile, 'utf8');
    writeFileSync(lockFile, good.replace('"primary_cat": "', '"primary_cat": "x'));
    r = await cli(['check', main]);
    assert.equal(r.code, 1);
    assert.match(r.err, /pith\.lock\.json does not verify: canonical_hash/);
    writeFileSync(lockFile, '{ not json');
    assert.equal((await cli(['check', main])).code, 1);
    writeFileSync(lockFile, good);

    writeFileSync(path.join(dir, 'pith.sty'), renderSty(OTHER_BODY));
    r = await cli(['check', main]);
    assert.equal(r.code, 1);
    assert.match(r.err, /pith\.sty is stamped for pith:2021:AAAA.* but pith\.lock\.json holds/);
  });

  test('pith-tex check: nothing stamped, a missing file or a bad option → 2', async (t) => {
    const bare = tempDir(t, 'pith-bare-');
    writeFileSync(path.join(bare, 'main.tex'), '\\documentclass{article}\\begin{document}x\\end{document}\n');
    const r = await cli(['check', path.join(bare, 'main.tex')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /nothing stamped/);
    assert.equal((await cli(['check', path.join(bare, 'missing.tex')])).code, 2);
    assert.equal((await cli(['check', '--bogus'])).code, 2);
  });

  test('the check command loads no commander, execa, handlebars or @noble (static import graph)', () => {
    const seen = new Set<string>();
    const bare: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*import\s+(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
        else bare.push(spec);
      }
    };
    visit(path.join(repoRoot, 'dist', 'src', 'commands', 'check.js'));
    assert.deepEqual(
      bare.filter((s) => !s.startsWith('node:')),
      [],
    );
    // A handful of small first-party modules, the import-free ones (base32, pinned-keys, number,
    // file-names, tex-inputs, escape), the one root finder (io/paper-files), the one bounded reader
    // (io/files), the signature memory (io/signature-memo, io/cache), SHA-256 (sha256, sha256-wasm)
    // and UTF-8 (utf8) included; the CLI runs them as one bundle (test/bundle.test.ts).
    assert.ok(seen.size <= 22, `check loads ${seen.size} modules: ${[...seen].join(', ')}`);
  });

  test('pith-tex check reads \\pithnumber where pith-tex stamp may keep it: an \\input preamble file (two levels)', async (t) => {
    const { dir, main } = await makeStampedPaper('pith-check-input-', t);
    writeFileSync(main, '\\documentclass{article}\n\\input{setup/preamble}\n\\begin{document}\nx\n\\end{document}\n');
    const setup = path.join(dir, 'setup');
    mkdirSync(setup);
    writeFileSync(path.join(setup, 'preamble.tex'), '\\usepackage{pith}\n\\input{setup/number}\n');
    writeFileSync(path.join(setup, 'number.tex'), `% the number\n\\pithnumber{${BODY}}\n`);
    let r = await cli(['check', main]);
    assert.equal(r.code, 0, r.err);
    writeFileSync(path.join(setup, 'number.tex'), `\\pithnumber{${OTHER_BODY}}\n`);
    r = await cli(['check'], dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /setup\/number\.tex says \\pithnumber\{AAAA.* but pith\.lock\.json holds/);
    // Not past two levels, not in the body, not in a comment.
    writeFileSync(path.join(setup, 'number.tex'), `% \\pithnumber{${OTHER_BODY}}\n`);
    r = await cli(['check'], dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /has no \\pithnumber/);
  });

  test('check remembers a signature it verified, for those bytes only; a memory it cannot write changes nothing', async (t) => {
    const { dir, main } = await makeStampedPaper('pith-check-memo-', t);
    const cache = tempDir(t, 'pith-check-cache-');
    const env = { XDG_CACHE_HOME: cache };
    const memo = path.join(cache, 'pith-tex', SIGNATURE_MEMO_FILE);
    const lockFile = path.join(dir, 'pith.lock.json');
    const good = readFileSync(lockFile, 'utf8');
    const signed = leanLockClaims(parseJson(good)).signed!;

    let r = await runCli(['check', main], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(memo, 'utf8').split('\n'), [signatureMemoKey(signed), ''], 'the verified signature is remembered');
    r = await runCli(['check', main], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(memo, 'utf8').split('\n').length, 2, 'remembered once');

    // Another signature is verified afresh: the memory of the good one does not vouch for it.
    const sig = Buffer.from(signed.signature);
    sig[5]! ^= 1;
    const forged = good.replace(Buffer.from(signed.signature).toString('base64'), sig.toString('base64'));
    writeFileSync(lockFile, forged);
    r = await runCli(['check', main], { env });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /pith\.lock\.json does not verify/);
    assert.equal(readFileSync(memo, 'utf8').split('\n').length, 2, 'a failed signature is not remembered');

    // The memory is what check trusts (as it trusts its own cache folder): a key written there
    // stands for a verification, which is how the second run above skipped OpenSSL.
    const forgedKey = signatureMemoKey({ ...signed, signature: sig });
    writeFileSync(memo, `${forgedKey}\n`);
    assert.equal((await runCli(['check', main], { env })).status, 0);
    writeFileSync(lockFile, good);

    // A cache folder that cannot be made (a file in its place): check verifies and says nothing of it.
    const blocked = path.join(cache, 'blocked');
    writeFileSync(blocked, 'not a folder');
    r = await runCli(['check', main], { env: { XDG_CACHE_HOME: blocked } });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /cache|memor/i);
  });

  test('a check whose signature is remembered loads no node:crypto, stream or fs/promises (what made it slow)', async (t) => {
    const { main } = await makeStampedPaper('pith-check-modules-', t);
    const cache = tempDir(t, 'pith-check-cache-');
    // Node's own list of the built-in modules this process loaded, printed as it exits.
    const preload = path.join(cache, 'loaded.cjs');
    writeFileSync(
      preload,
      "process.on('exit', () => require('fs').writeSync(2, '\\nLOADED ' + JSON.stringify(process.moduleLoadList)));\n",
    );
    const loaded = (quiet: boolean) => {
      const r = spawnSync(process.execPath, ['-r', preload, cliPath, 'check', main, ...(quiet ? ['--quiet'] : [])], {
        encoding: 'utf8',
        env: { ...process.env, XDG_CACHE_HOME: cache },
      });
      assert.equal(r.status, 0, r.stderr);
      const list = JSON.parse(/\nLOADED (.*)$/.exec(r.stderr)![1]!) as string[];
      return ['crypto', 'stream', 'fs/promises'].filter((m) => list.includes(`NativeModule ${m}`));
    };
    assert.ok(loaded(true).includes('crypto'), 'the first check verifies the signature with node:crypto');
    assert.deepEqual(loaded(true), []);
    assert.deepEqual(loaded(false), [], 'printing the verdict sets up no stream either');
  });
});
