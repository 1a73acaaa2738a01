// Mirrors as the registry describes them (pith-mirrors.json), against two real HTTP servers on
// 127.0.0.1: fallback in order, primary first; an unsigned manifest adds no trust; rotates_at;
// resolve --state compares the served state.json with the state merged from the bundle's events.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fixture, repoRoot } from './helpers.js';
import { fileTempDirs, tempDir } from './support/temp.js';
import { runCli, type CliOptions, type CliRun } from './support/cli.js';
import { resolverEnv, server } from './support/resolver.js';
import { json, status, type Handler, type TestServer } from './support/http-server.js';
import { canonicalJson, omitKeys, parseJson, type JsonObject } from '../src/core/json.js';
import { sha256Hex } from '../src/core/encoding.js';
import { keysForMirror, ManifestError, parseMirrorManifest } from '../src/core/mirrors.js';
import { PINNED_KEYS } from '../src/core/keys.js';
import { otherBundle } from './support/stamp-bundles.js';
import { BODY } from './support/stamped-paper.js';

const BUNDLE_TEXT = readFileSync(fixture('2109.10465v1.bundle.json'), 'utf8');
const BUNDLE = parseJson(BUNDLE_TEXT) as JsonObject;
const PINNED_B64 = 'stVStoiQhXFxp4s2pdzPNoqVNBMojDU/fJ2db5S3CbM=';

const tmp = fileTempDirs('pith-mirrors-');

/** resolverEnv with a fresh cache, one retry and a short backoff. */
const testEnv = (extra: Record<string, string> = {}) =>
  resolverEnv(tmp(), { PITH_HTTP_BACKOFF_MS: '20', PITH_HTTP_RETRIES: '1', ...extra });

/** `pith-tex ...args` in a fresh working folder. */
const cli = (args: string[], env: CliOptions['env']): Promise<CliRun> => runCli(args, { cwd: tmp(), env });

/** A mirror entry in the registry's shape, for a test server. */
function mirrorEntry(
  s: TestServer,
  name: string,
  status: string,
  key: Record<string, unknown> | null = { public_key_b64: PINNED_B64, key_id: 'pith-v1-2026-05', rotates_at: null },
) {
  return {
    name,
    mirror_type: 'https',
    base_url: s.base,
    bundle_pattern: `${s.base}/pith/{suffix}/bundle.json`,
    state_pattern: `${s.base}/pith/{suffix}/state.json`,
    well_known_pattern: `${s.base}/.well-known/pith/{suffix}/bundle.json`,
    ...(key ? { public_key: { algorithm: 'ed25519', format: 'raw', url: `${s.base}/pith-signing-key.json`, ...key } } : {}),
    status,
  };
}
function manifestFile(mirrors: unknown[]): string {
  const file = path.join(tmp(), 'pith-mirrors.json');
  writeFileSync(
    file,
    JSON.stringify({
      manifest_type: 'pith_mirror_manifest',
      manifest_version: '1.0',
      merge_version: 'pith-open-graph-merge-v1',
      mirrors,
      notes: 'test',
    }),
  );
  return file;
}
const serving = (text: string, body = BODY): Record<string, Handler> => ({
  [`/pith/${body}/bundle.json`]: json(text),
  [`/pith/${body}/state.json`]: json(JSON.stringify((parseJson(text) as JsonObject).state)),
});

describe('resolve through mirrors (pith-mirrors.json)', () => {
  test('primary down: the secondary is used; the primary is asked first whatever the manifest order', async () => {
    const down = await server({ [`/pith/${BODY}/bundle.json`]: status(503) });
    const up = await server(serving(BUNDLE_TEXT));
    const file = manifestFile([mirrorEntry(up, 'Second', 'mirror'), mirrorEntry(down, 'First', 'primary')]);
    const r = await cli(['resolve', `pith:2021:${BODY}`, '--mirrors', file], testEnv());
    assert.equal(r.status, 0, r.stderr);
    assert.ok(down.count(`/pith/${BODY}/bundle.json`) >= 1, 'the primary was asked');
    assert.equal(up.count(`/pith/${BODY}/bundle.json`), 1);
    assert.match(r.stdout, new RegExp(`from +resolver ${up.base.replace(/[.]/g, '\\.')}/pith/${BODY}/bundle\\.json`));
    assert.match(r.stderr, /mirror "First" \(primary\)|trying the next mirror/);
    // Both down: exit 3, naming each mirror.
    const gone = await server({});
    const both = await cli(
      [
        'resolve',
        `pith:2021:${BODY}`,
        '--mirrors',
        manifestFile([mirrorEntry(down, 'First', 'primary'), mirrorEntry(gone, 'Second', 'mirror')]),
      ],
      testEnv(),
    );
    assert.equal(both.status, 3, both.stderr);
    assert.match(both.stderr, /no mirror served/);
  });

  test('the manifest comes from a URL or PITH_MIRRORS too', async () => {
    const up = await server(serving(BUNDLE_TEXT));
    const manifest = readFileSync(manifestFile([mirrorEntry(up, 'Only', 'primary')]), 'utf8');
    up.route('/pith-mirrors.json', json(manifest));
    const r = await cli(['resolve', `pith:2021:${BODY}`, '--json'], testEnv({ PITH_MIRRORS: `${up.base}/pith-mirrors.json` }));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).pith_number, `pith:2021:${BODY}`);
    const bad = await cli(['resolve', `pith:2021:${BODY}`, '--mirrors', path.join(tmp(), 'missing.json')], testEnv());
    assert.equal(bad.status, 2);
  });

  test('a manifest key that is not pinned (nor --trust-key) refuses the mirror, before any request', async () => {
    const other = otherBundle(); // 2201.05596v2, signed by a test key
    const keyEntry = other.keyEntry as JsonObject;
    const s = await server(serving(JSON.stringify(other.bundle), other.body));
    const entry = mirrorEntry(s, 'Rogue', 'primary', {
      key_id: keyEntry.key_id,
      public_key_b64: keyEntry.public_key_b64,
      rotates_at: null,
    });
    const file = manifestFile([entry]);
    const refused = await cli(['resolve', other.number, '--mirrors', file], testEnv());
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /refused: its key pith-test-stamp .* is neither pinned nor given with --trust-key/);
    assert.equal(s.count(), 0, 'nothing fetched from a refused mirror');
    // Trusted on the command line, the same mirror is used.
    const keyFile = path.join(tmp(), 'key.json');
    writeFileSync(keyFile, JSON.stringify(keyEntry));
    const ok = await cli(['resolve', other.number, '--mirrors', file, '--trust-key', keyFile], testEnv());
    assert.equal(ok.status, 0, ok.stderr);
    // A mirror naming the pinned key cannot pass a bundle signed by another key.
    const lying = await cli(['resolve', other.number, '--mirrors', manifestFile([mirrorEntry(s, 'Liar', 'primary')])], testEnv());
    assert.equal(lying.status, 1, lying.stderr);
  });

  test('rotates_at is honoured: signatures dated after the rotation fail', async () => {
    const s = await server(serving(BUNDLE_TEXT));
    const rotated = mirrorEntry(s, 'Old', 'primary', {
      key_id: 'pith-v1-2026-05',
      public_key_b64: PINNED_B64,
      rotates_at: '2026-01-01T00:00:00Z',
    });
    const r = await cli(['resolve', `pith:2021:${BODY}`, '--mirrors', manifestFile([rotated])], testEnv());
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /rotated at 2026-01-01T00:00:00Z/);
    const later = mirrorEntry(s, 'Later', 'primary', {
      key_id: 'pith-v1-2026-05',
      public_key_b64: PINNED_B64,
      rotates_at: '2099-01-01T00:00:00Z',
    });
    assert.equal((await cli(['resolve', `pith:2021:${BODY}`, '--mirrors', manifestFile([later])], testEnv())).status, 0);
  });

  test('resolve --state: the served state.json equals the merged state, or exit 1', async () => {
    const s = await server(serving(BUNDLE_TEXT));
    const file = manifestFile([mirrorEntry(s, 'Main', 'primary')]);
    const ok = await cli(['resolve', `pith:2021:${BODY}`, '--mirrors', file, '--state'], testEnv());
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(
      ok.stdout,
      new RegExp(`served state +http://127\\.0\\.0\\.1:\\d+/pith/${BODY}/state\\.json equals the state merged from the bundle.s events`),
    );
    assert.equal(s.count(`/pith/${BODY}/state.json`), 1);

    // A state that disagrees (one more event claimed), rehashed so it is self-consistent.
    const state = JSON.parse(JSON.stringify(BUNDLE.state)) as JsonObject;
    state.event_count = 3;
    state.state_sha256 = sha256Hex(canonicalJson(omitKeys(state, ['state_sha256'])));
    s.route(`/pith/${BODY}/state.json`, json(JSON.stringify(state)));
    const bad = await cli(['resolve', `pith:2021:${BODY}`, '--mirrors', file, '--state', '--json'], testEnv());
    assert.equal(bad.status, 1, bad.stderr);
    const report = JSON.parse(bad.stdout);
    assert.equal(report.state_check.matches, false);
    assert.equal(report.state_check.difference, 'state.event_count');
    // A state whose own hash is wrong.
    const forged = JSON.parse(JSON.stringify(BUNDLE.state)) as JsonObject;
    forged.state_sha256 = '0'.repeat(64);
    s.route(`/pith/${BODY}/state.json`, json(JSON.stringify(forged)));
    const self = await cli(['resolve', `pith:2021:${BODY}`, '--mirrors', file, '--state'], testEnv());
    assert.equal(self.status, 1);
    assert.match(self.stderr, /not the state merged/);
    // And through the plain resolver (no manifest): {base}/pith/BODY/state.json.
    s.route(`/pith/${BODY}/state.json`, json(JSON.stringify(BUNDLE.state)));
    const plain = await cli(['resolve', `pith:2021:${BODY}`, '--resolver', s.base, '--state', '--refresh'], testEnv());
    assert.equal(plain.status, 0, plain.stderr);
  });

  test('parseMirrorManifest: the registry shape, primary first; malformed manifests name the field', () => {
    const entry = (name: string, status: string) => ({ name, bundle_pattern: `https://${name}.example/pith/{suffix}/bundle.json`, status });
    const ms = parseMirrorManifest(
      parseJson(
        JSON.stringify({
          manifest_type: 'pith_mirror_manifest',
          manifest_version: '1.0',
          mirrors: [entry('b', 'mirror'), entry('a', 'primary'), entry('c', 'mirror')],
        }),
      ),
    );
    assert.deepEqual(
      ms.map((m) => m.name),
      ['a', 'b', 'c'],
    );
    const bad: [unknown, RegExp][] = [
      [{ manifest_type: 'x' }, /manifest_type/],
      [{ manifest_type: 'pith_mirror_manifest', manifest_version: '2.0', mirrors: [] }, /manifest_version/],
      [
        { manifest_type: 'pith_mirror_manifest', manifest_version: '1.0', merge_version: 'other', mirrors: [entry('a', 'primary')] },
        /merge_version/,
      ],
      [{ manifest_type: 'pith_mirror_manifest', manifest_version: '1.0', mirrors: [] }, /mirrors: expected a non-empty list/],
      [
        { manifest_type: 'pith_mirror_manifest', manifest_version: '1.0', mirrors: [{ bundle_pattern: 'https://x/bundle.json' }] },
        /bundle_pattern: expected a URL pattern holding \{suffix\}/,
      ],
      [
        {
          manifest_type: 'pith_mirror_manifest',
          manifest_version: '1.0',
          mirrors: [{ ...entry('a', 'primary'), public_key: { key_id: 'k', public_key_hex: 'ab' } }],
        },
        /public_key_hex/,
      ],
      [
        { manifest_type: 'pith_mirror_manifest', manifest_version: '1.0', mirrors: [{ bundle_pattern: '/pith/{suffix}/bundle.json' }] },
        /an absolute URL pattern/,
      ],
    ];
    for (const [doc, re] of bad)
      assert.throws(
        () => parseMirrorManifest(parseJson(JSON.stringify(doc))),
        (e: unknown) => e instanceof ManifestError && re.test(e.message),
      );
    // The pinned key under another id is refused; the earlier rotation time wins.
    const m = ms[0]!;
    const hex = Buffer.from(PINNED_B64, 'base64').toString('hex');
    assert.ok('refused' in keysForMirror({ ...m, publicKey: { keyId: 'other-id', publicKeyHex: hex, rotatesAt: null } }, PINNED_KEYS));
    const k = keysForMirror(
      { ...m, publicKey: { keyId: 'pith-v1-2026-05', publicKeyHex: hex, rotatesAt: '2030-01-01T00:00:00Z' } },
      PINNED_KEYS,
    );
    assert.ok('keys' in k && k.keys[0]!.rotatesAt === '2030-01-01T00:00:00Z');
  });

  test('resolve --registry-status: the record JSON flags beside what pith-tex checked; claims are never taken as checked', async () => {
    const status = {
      content_addressed: true,
      pith_receipt: true,
      author_attested: true,
      weak_author_claims: 0,
      strong_author_claims: 0,
      externally_anchored: true,
      storage_verified: false,
      citation_signatures: 0,
      replication_records: 0,
      graph_snapshot: true,
      references_resolved: false,
      formal_links_present: false,
    };
    const recordJson = (record: unknown) =>
      JSON.stringify({
        record_type: 'pith_number_record',
        pith_number: `pith:2021:${BODY}`,
        canonical_sha256: BUNDLE.canonical_sha256,
        canonical_record: record,
        verification_status: status,
      });
    const s = await server({ ...serving(BUNDLE_TEXT), [`/pith/${BODY}.json`]: json(recordJson(BUNDLE.canonical_record)) });
    const r = await cli(['resolve', `pith:2021:${BODY}`, '--resolver', s.base, '--registry-status', '--json'], testEnv());
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout).registry_status;
    assert.deepEqual(out.checked_by_pith_tex, ['content_addressed', 'pith_receipt', 'graph_snapshot']);
    const attested = out.flags.find((f: { flag: string }) => f.flag === 'author_attested');
    assert.equal(attested.registry, true);
    assert.equal(attested.checked_by_pith_tex, false, 'the registry says attested; pith-tex did not check it');
    assert.equal(out.flags.length, Object.keys(status).length);
    const human = await cli(['resolve', `pith:2021:${BODY}`, '--resolver', s.base, '--registry-status'], testEnv());
    assert.match(human.stdout, /✓ marks the ones pith-tex checked itself/);
    assert.match(human.stdout, /· author_attested +registry: true +pith-tex: not checked/);
    // A record JSON about another record is refused.
    const other = JSON.parse(JSON.stringify(BUNDLE.canonical_record));
    other.source.version = 2;
    s.route(`/pith/${BODY}.json`, json(recordJson(other)));
    const wrong = await cli(['resolve', `pith:2021:${BODY}`, '--resolver', s.base, '--registry-status'], testEnv());
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /not about this record/);
  });

  test('stamp resolves through the same sources: PITH_MIRRORS reaches it, the secondary used when the primary is down', async (t) => {
    const down = await server({ [`/pith/${BODY}/bundle.json`]: status(500) });
    const up = await server(serving(BUNDLE_TEXT));
    const dir = tempDir(t, 'pith-mirrors-');
    cpSync(path.join(repoRoot, 'examples', 'moe-paper', 'main.tex'), path.join(dir, 'main.tex'));
    const file = manifestFile([mirrorEntry(down, 'First', 'primary'), mirrorEntry(up, 'Second', 'mirror')]);
    const r = await runCli(['stamp', 'main.tex', '--number', `pith:2021:${BODY}`], { cwd: dir, env: testEnv({ PITH_MIRRORS: file }) });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /title matches the record/);
    assert.ok(down.count() >= 1);
    assert.equal(up.count(`/pith/${BODY}/bundle.json`), 1);
    assert.ok(readFileSync(path.join(dir, 'pith.lock.json'), 'utf8').includes(BODY));
  });
});
