import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, openSync, ftruncateSync, closeSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { canonicalJson, type JsonObject, type JsonValue } from '../src/core/json.js';
import { cliPath } from './helpers.js';
import { runCli, type CliRun } from './support/cli.js';
import { BUNDLE_FILE, seedBundle, vectorRecords } from './support/vectors.js';
import { resignBundle } from './support/sign.js';
import { fileTempDirs } from './support/temp.js';

const tmp = fileTempDirs('pith-verify-')();
const write = (name: string, content: string | JsonValue): string => {
  const file = path.join(tmp, name);
  writeFileSync(file, typeof content === 'string' ? content : canonicalJson(content));
  return file;
};
const cli = (...args: string[]): Promise<CliRun> => runCli(args);

describe('pith-tex verify', () => {
  test('verify: the seed bundle is verified (exit 0), as a checklist and as JSON', async () => {
    const human = await cli('verify', BUNDLE_FILE);
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /^pith:2021:NMB7QKC2NJYNHLPG6XMF2N35IK {2}verified/);
    assert.match(human.stdout, /✓ bundle\.signature/);
    const json = await cli('verify', BUNDLE_FILE, '--json');
    assert.equal(json.status, 0);
    const report = JSON.parse(json.stdout);
    assert.equal(report.report, 'pith-tex/verify');
    assert.equal(report.report_version, 1);
    assert.equal(report.ok, true);
    assert.ok(report.checks.length >= 25);
  });

  test('verify: a bare record gets hash and number checks and says signatures were not checked', async () => {
    const v = vectorRecords()[1]!;
    const r = await cli('verify', write('record.json', v.canonical_record));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${v.pith_number}`));
    assert.match(r.stdout, /signatures not checked/);
  });

  test('verify: a tampered bundle fails with exit 1 and names the check', async () => {
    const bundle = seedBundle();
    ((bundle.canonical_record as JsonObject).metadata as JsonObject).primary_cat = 'cs.LG';
    const r = await cli('verify', write('tampered.json', bundle));
    assert.equal(r.status, 1);
    assert.match(r.stdout, /NOT verified/);
    assert.match(r.stdout, /✗ canonical_hash/);
  });

  test('verify --trust-key adds a test registry key; without it the bundle is untrusted', async () => {
    const secret = randomBytes(32);
    const bundle = resignBundle(seedBundle(), secret, 'test-registry-9');
    const file = write('test-registry.json', bundle);
    const keyFile = write('key.json', (bundle.public_keys as JsonValue[])[0]!);
    const untrusted = await cli('verify', file);
    assert.equal(untrusted.status, 1);
    assert.match(untrusted.stdout, /untrusted key/);
    const trusted = await cli('verify', file, '--trust-key', keyFile);
    assert.equal(trusted.status, 0, trusted.stdout + trusted.stderr);
    assert.doesNotMatch(trusted.stdout, /✗/);
  });

  test('verify: a --trust-key file re-using the pinned key_id for another key is refused', async () => {
    const bundle = resignBundle(seedBundle(), randomBytes(32), 'pith-v1-2026-05');
    const keyFile = write('impostor-key.json', bundle.public_keys as JsonValue);
    const r = await cli('verify', BUNDLE_FILE, '--trust-key', keyFile);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /impostor-key\.json: key_id: pith-v1-2026-05 is already trusted/);
  });

  const badInputs: [string, () => string, RegExp][] = [
    ['a missing file', () => path.join(tmp, 'nope.json'), /nope\.json: cannot read .* \(no such file\)/],
    ['an empty file', () => write('empty.json', ''), /empty\.json: the file is empty; expected a Pith bundle or record/],
    ['not JSON', () => write('text.json', 'hello'), /text\.json:1:1: not valid for pith-tex: unexpected character "h"/],
    ['a JSON array', () => write('array.json', '[]'), /array\.json: \(top level\): expected a JSON object .* not an array/],
    [
      'a record missing fields',
      () => write('nometa.json', { schema_version: '1.0', source: { kind: 'arxiv', id: '1', version: 1 } }),
      /nometa\.json: metadata: expected an object/,
    ],
    [
      'a wrong type',
      () => write('badver.json', { ...vectorRecords()[0]!.canonical_record, source: { kind: 'arxiv', id: '1', version: '2' } }),
      /badver\.json: source\.version: expected a positive integer/,
    ],
    ['a float', () => write('float.json', '{"schema_version":"1.0","x":1.5}'), /float\.json:1:\d+: .*float 1\.5 is not accepted/],
    ['duplicate keys', () => write('dup.json', '{"bundle_type":"a","bundle_type":"b"}'), /dup\.json:1:\d+: .*duplicate key "bundle_type"/],
    [
      '100,000-deep nesting',
      () => write('deep.json', '['.repeat(100_000) + ']'.repeat(100_000)),
      /deep\.json:1:258: .*nesting deeper than 256 levels/,
    ],
    ['a folder without .json files', () => mkdtempSync(path.join(tmp, 'empty-')), /empty-\w+: no \.json files in this folder/],
    [
      'bad UTF-8',
      () => {
        const f = path.join(tmp, 'latin1.json');
        writeFileSync(f, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
        return f;
      },
      /latin1\.json: is not UTF-8 text/,
    ],
    [
      'a 2 GB file',
      () => {
        const f = path.join(tmp, 'huge.json');
        const fd = openSync(f, 'w');
        ftruncateSync(fd, 2 * 1024 ** 3);
        closeSync(fd);
        return f;
      },
      /huge\.json: 2147483648 bytes is over the 16777216-byte limit/,
    ],
  ];
  for (const [name, make, message] of badInputs) {
    test(`verify: ${name} is one clear line and exit 2`, async () => {
      const r = await cli('verify', make());
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    });
  }

  test('verify: __proto__ keys do not pollute and are verified as data', async () => {
    const bundle = JSON.parse(readFileSync(BUNDLE_FILE, 'utf-8'));
    const text = JSON.stringify(bundle).replace('"bundle_type"', '"__proto__":{"isAdmin":true},"bundle_type"');
    const r = await cli('verify', write('proto.json', text));
    assert.equal(r.status, 1); // an extra key changes the bundle hash
    assert.match(r.stdout, /✗ bundle\.hash/);
  });

  test('usage errors exit 2; --help documents the exit codes', async () => {
    assert.equal((await cli('verify')).status, 2);
    assert.equal((await cli('frobnicate')).status, 2);
    const help = await cli('verify', '--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /3 {2}could not fetch/);
  });

  test('--json errors are JSON on stdout (exit code and kind), with the same line on stderr', async () => {
    const cases: Array<[string[], number, string, RegExp]> = [
      [['verify', path.join(tmp, 'absent.json'), '--json'], 2, 'bad_input', /absent\.json: cannot read/],
      [['verify', '--no-such-option', '--json'], 2, 'bad_input', /unknown option '--no-such-option'/],
      [['check', path.join(tmp, 'absent.tex'), '--json'], 2, 'bad_input', /absent\.tex: no such file/],
      [['check', '--bogus', '--json'], 2, 'bad_input', /unknown option --bogus/],
      [['resolve', 'not-a-query', '--offline', '--json'], 2, 'bad_input', /accepted forms/],
      [['resolve', '2109.10465v1', '--offline', '--dir', tmp, '--json'], 3, 'fetch_failed', /offline/],
    ];
    for (const [args, code, kind, message] of cases) {
      const r = await runCli(args, { env: { XDG_CACHE_HOME: path.join(tmp, 'empty-cache') } });
      assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
      const report = JSON.parse(r.stdout);
      assert.equal(report.ok, false);
      assert.equal(report.error.exit_code, code);
      assert.equal(report.error.kind, kind);
      assert.match(report.error.message, message);
      assert.ok(r.stderr.includes(report.error.message), `stderr keeps the line: ${r.stderr}`);
    }
    // Without --json, stdout stays empty on error.
    assert.equal((await cli('verify', path.join(tmp, 'absent.json'))).stdout, '');
  });

  test('a reader that goes away (`pith-tex … | true`) is not a crash: the command keeps its exit code, no stack trace', async () => {
    const node = JSON.stringify(process.execPath);
    const cliArg = JSON.stringify(cliPath);
    for (const [args, code] of [
      [`verify ${JSON.stringify(BUNDLE_FILE)}`, 0],
      [`verify ${JSON.stringify(BUNDLE_FILE)} --json`, 0],
      ['check /nonexistent.tex --json', 2],
    ] as const) {
      const r = spawnSync('bash', ['-c', `${node} ${cliArg} ${args} | true; echo "exit=\${PIPESTATUS[0]}"`], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.match(r.stdout, new RegExp(`exit=${code}\\n`), `${args}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at .*\.js:\d+/, args);
    }
  });

  describe('verify FILE… | DIR (many bundles)', () => {
    const many = (n: number): { dir: string; names: string[] } => {
      const dir = mkdtempSync(path.join(tmp, 'many-'));
      const text = readFileSync(BUNDLE_FILE, 'utf8');
      const names = Array.from({ length: n }, (_, i) => `b${String(i).padStart(3, '0')}.json`);
      for (const name of names) writeFileSync(path.join(dir, name), text);
      return { dir, names };
    };

    test('a folder of 40 good bundles (worker threads): one line each in name order, a summary, exit 0', async () => {
      const { dir, names } = many(40);
      writeFileSync(path.join(dir, 'notes.txt'), 'not a bundle, not .json: skipped');
      const r = await cli('verify', dir);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 41);
      lines
        .slice(0, 40)
        .forEach((line, i) => assert.match(line, new RegExp(`^✓ pith:2021:NMB7QKC2NJYNHLPG6XMF2N35IK  .*${names[i]}  verified$`)));
      assert.match(lines[40]!, /^all verified: 40 of 40 verified in [\d.]+ s/);
    });

    test('one tampered and one unreadable among them: lines say which and why, exit 2 (bad input outranks a failed check), --json lines', async () => {
      const { dir } = many(30);
      const tampered = seedBundle();
      ((tampered.canonical_record as JsonObject).metadata as JsonObject).primary_cat = 'cs.LG';
      writeFileSync(path.join(dir, 'b005.json'), canonicalJson(tampered));
      writeFileSync(path.join(dir, 'b017.json'), 'hello');
      const r = await cli('verify', dir);
      assert.equal(r.status, 2, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.match(lines[5]!, /^✗ .*b005\.json  NOT verified: \d+ checks? failed: canonical_hash/);
      assert.match(lines[17]!, /^✗ .*b017\.json:1:1: not valid for pith-tex/);
      assert.match(lines[30]!, /^1 failed, 1 not readable as a bundle or record: 28 of 30 verified/);
      const json = await cli('verify', '--json', dir);
      assert.equal(json.status, 2);
      const objects = json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(objects.length, 31);
      assert.equal(objects[0].ok, true);
      assert.equal(objects[5].ok, false);
      assert.equal(objects[17].error.kind, 'bad_input');
      assert.deepEqual(
        { ...objects[30], seconds: 0 },
        { report: 'pith-tex/verify-summary', report_version: 1, ok: false, files: 30, verified: 28, failed: 1, unreadable: 1, seconds: 0 },
      );
      // Only a failed check: exit 1.
      writeFileSync(path.join(dir, 'b017.json'), readFileSync(BUNDLE_FILE));
      assert.equal((await cli('verify', dir)).status, 1);
    });

    test('a few files are verified in one thread, in the order given', async () => {
      const { dir, names } = many(2);
      const r = await cli('verify', path.join(dir, names[1]!), BUNDLE_FILE, path.join(dir, names[0]!));
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.match(lines[0]!, /b001\.json  verified$/);
      assert.match(lines[1]!, /2109\.10465v1\.bundle\.json  verified$/);
      assert.match(lines[2]!, /b000\.json  verified$/);
      assert.match(lines[3]!, /^all verified: 3 of 3/);
    });
  });
});

// ------------------------------------------------------------------ bare receipts (issue 14)
describe('pith-tex verify: bare receipts (issue 14)', () => {
  /** The seed bundle's receipt, in the shapes a record page shows it. */
  function receiptShapes(): Record<string, JsonObject> {
    const created = (seedBundle().events as JsonObject[]).find((e) => e.event_type === 'record_created')!;
    const full = (created.payload as JsonObject).receipt as JsonObject;
    const b64 = full.signature_b64 as string;
    return {
      full,
      minimal: { key_id: full.key_id as string, canonical_sha256: full.canonical_sha256 as string, signature: b64 },
      hex: {
        key_id: full.key_id as string,
        canonical_sha256: full.canonical_sha256 as string,
        signature: Buffer.from(b64, 'base64').toString('hex'),
      },
      numbered: {
        key_id: full.key_id as string,
        canonical_sha256: full.canonical_sha256 as string,
        signature: b64,
        pith_number: 'pith:2021:NMB7QKC2NJYNHLPG6XMF2N35IK',
      },
    };
  }

  test('verify accepts a bare receipt in each shape the registry shows, and checks its signature over the 32 digest bytes', async () => {
    for (const [name, receipt] of Object.entries(receiptShapes())) {
      const r = await cli('verify', write(`receipt-${name}.json`, receipt));
      assert.equal(r.status, 0, `${name}: ${r.stderr}${r.stdout}`);
      assert.match(r.stdout, /bare receipt/);
      assert.match(r.stdout, /✓ receipt\.signature +Ed25519 by pith-v1-2026-05 \(pinned\) over canonical_sha256_bytes/);
      const json = JSON.parse((await cli('verify', '--json', write(`receipt-${name}.json`, receipt))).stdout);
      assert.equal(json.kind, 'receipt');
      assert.equal(json.ok, true);
    }
  });

  test('a bare receipt with another hash, another key or another number fails (exit 1)', async () => {
    const { minimal, numbered } = receiptShapes();
    const hash = await cli('verify', write('receipt-hash.json', { ...minimal, canonical_sha256: '0'.repeat(64) }));
    assert.equal(hash.status, 1);
    assert.match(hash.stdout, /invalid signature/);
    const key = await cli('verify', write('receipt-key.json', { ...minimal, key_id: 'someone-else' }));
    assert.equal(key.status, 1);
    assert.match(key.stdout, /untrusted key/);
    const num = await cli('verify', write('receipt-num.json', { ...numbered, pith_number: 'pith:2021:AAAAAAAAAAAAAAAAAAAAAAAAAA' }));
    assert.equal(num.status, 1);
    assert.match(num.stdout, /the hash gives the body NMB7QKC2NJYNHLPG6XMF2N35IK/);
    // A receipt signed by a test key verifies only when that key is trusted.
    const resigned = resignBundle(seedBundle(), new Uint8Array(32).fill(7), 'pith-test-receipt');
    const created = (resigned.events as JsonObject[]).find((e) => e.event_type === 'record_created')!;
    const file = write('receipt-test.json', (created.payload as JsonObject).receipt as JsonObject);
    assert.equal((await cli('verify', file)).status, 1);
    const keyFile = write('receipt-key-entry.json', (resigned.public_keys as JsonValue[])[0]!);
    assert.equal((await cli('verify', file, '--trust-key', keyFile)).status, 0);
    const bad = await cli('verify', write('receipt-bad.json', { key_id: 'pith-v1-2026-05', canonical_sha256: 'xyz', signature: 'AA==' }));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /canonical_sha256: expected 64 hex/);
  });
});
