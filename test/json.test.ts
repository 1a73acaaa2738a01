import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { canonicalJson, compareCodePoints, parseJson, JsonSyntaxError, MAX_JSON_DEPTH, type JsonValue } from '../src/core/json.js';
import { rng, pick, int } from './support/random.js';

// Characters chosen to hit every trap named in the spec: astral plane vs U+E000..U+FFFF
// ordering, control characters, U+2028/2029, '/', quotes, backslash, non-ASCII.
const INTERESTING = [
  'a',
  'b',
  'z',
  'A',
  '0',
  ' ',
  '/',
  '"',
  '\\',
  '\n',
  '\t',
  '\r',
  '\b',
  '\f',
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  'é',
  'ß',
  'ÿ',
  '\u2028',
  '\u2029',
  '\ue000',
  '\uf8ff',
  '\ufeff',
  '\uffff',
  '\ufffd',
  '😀',
  '𝔘',
  '\u{10ffff}',
  '\u{1f600}',
  '中',
  'Ω',
  '\u0300',
];

function randomString(r: () => number, max: number): string {
  let s = '';
  const n = int(r, 0, max);
  for (let i = 0; i < n; i++) s += pick(r, INTERESTING);
  return s;
}

function randomValue(r: () => number, depth: number): JsonValue {
  const roll = r();
  if (depth > 5 || roll < 0.45) {
    const kind = int(r, 0, 6);
    if (kind === 0) return null;
    if (kind === 1) return r() < 0.5;
    if (kind === 2) return int(r, -1000, 1000);
    if (kind === 3) return BigInt(int(r, 1, 9)) * 10n ** BigInt(int(r, 16, 40)) * (r() < 0.5 ? -1n : 1n) + BigInt(int(r, 0, 99));
    if (kind === 4) return Number.MAX_SAFE_INTEGER - int(r, 0, 3);
    return randomString(r, 8);
  }
  if (roll < 0.7) return Array.from({ length: int(r, 0, 4) }, () => randomValue(r, depth + 1));
  const obj: Record<string, JsonValue> = Object.create(null);
  const n = int(r, 0, 5);
  for (let i = 0; i < n; i++) obj[randomString(r, 4)] = randomValue(r, depth + 1);
  return obj;
}

function deepValue(depth: number): JsonValue {
  let v: JsonValue = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

/** Non-canonical JSON text of a value: shuffled keys, random spacing, some \u escapes. */
function looseText(r: () => number, v: JsonValue): string {
  const sp = () => pick(r, ['', ' ', '\n', '\t ', '']);
  const str = (s: string) =>
    r() < 0.3
      ? `"${[...s].map((ch) => (ch.length === 1 && r() < 0.5 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : JSON.stringify(ch).slice(1, -1))).join('')}"`
      : JSON.stringify(s);
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') return sp() + String(v) + sp();
  if (typeof v === 'string') return sp() + str(v) + sp();
  if (Array.isArray(v)) return `[${sp()}${v.map((x) => looseText(r, x)).join(',')}${sp()}]`;
  const keys = Object.keys(v).sort(() => r() - 0.5);
  return `{${sp()}${keys.map((k) => `${sp()}${str(k)}${sp()}:${looseText(r, v[k] as JsonValue)}`).join(',')}${sp()}}`;
}

test('canonicalJson matches Python json.dumps(sort_keys, compact, ensure_ascii=False) on 12,000 documents', () => {
  const r = rng(20261123);
  const docs: string[] = [];
  for (let i = 0; i < 12000; i++) docs.push(looseText(r, i % 500 === 0 ? deepValue(int(r, 50, MAX_JSON_DEPTH - 1)) : randomValue(r, 0)));
  // One JSON text per line: JSON escapes raw newlines inside strings, and loose whitespace
  // newlines are replaced so each document stays on one line.
  const input = docs.map((d) => d.replace(/\n/g, ' ')).join('\n');
  const python = `
import sys, json
out = sys.stdout.buffer
for line in sys.stdin.buffer.read().decode('utf-8').split('\\n'):
    out.write(json.dumps(json.loads(line), sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode('utf-8'))
    out.write(b'\\n')
`;
  const expected = execFileSync('python3', ['-c', python], { input, maxBuffer: 1 << 28 })
    .toString('utf-8')
    .split('\n');
  let mismatches = 0;
  let first = '';
  docs.forEach((d, i) => {
    const ours = canonicalJson(parseJson(d.replace(/\n/g, ' ')));
    if (ours !== expected[i]) {
      mismatches++;
      first ||= `doc ${i}: ${d.slice(0, 200)}\n ours: ${ours.slice(0, 200)}\n py:   ${expected[i]?.slice(0, 200)}`;
    }
  });
  assert.equal(mismatches, 0, first);
  assert.equal(expected.length, docs.length + 1);
});

test('keys sort by code point: astral characters after U+E000..U+FFFF (UTF-16 order would differ)', () => {
  const keys = ['\ue000', '😀', '\uffff', 'a'];
  assert.deepEqual([...keys].sort(compareCodePoints), ['a', '\ue000', '\uffff', '😀']);
  assert.deepEqual([...keys].sort(), ['a', '😀', '\ue000', '\uffff']);
  assert.equal(canonicalJson(parseJson('{"😀":1,"\ue000":2}')), '{"\ue000":2,"😀":1}');
});

test('integers above 2^53 are kept exactly', () => {
  const text = '{"m":-9007199254740993,"n":123456789012345678901234567890}';
  assert.equal(canonicalJson(parseJson(text)), text);
});

test('escaping: control characters, quotes, backslash escaped; "/", U+2028/2029 and non-ASCII raw', () => {
  assert.equal(canonicalJson('\u0000\u001f"\\/\u2028\u2029é😀\n\t\b\f\r'), '"\\u0000\\u001f\\"\\\\/\u2028\u2029é😀\\n\\t\\b\\f\\r"');
});

const refusals: [string, string, RegExp][] = [
  ['float', '{"a":1.0}', /float 1\.0 is not accepted/],
  ['exponent', '[1e5]', /float 1e5/],
  ['duplicate key', '{"a":1,"a":2}', /duplicate key "a"/],
  ['lone high surrogate', '["\\ud800"]', /lone surrogate/],
  ['lone low surrogate key', '{"\\udc00":1}', /lone surrogate/],
  ['trailing comma', '[1,]', /unexpected character/],
  ['NaN', '[NaN]', /unexpected character/],
  ['leading zero', '[01]', /expected "," or "\]"/],
  ['raw control character', '["a\u0001"]', /raw control character U\+0001/],
  ['empty', '  ', /empty input/],
  ['trailing data', '{} {}', /after the JSON value/],
  ['byte order mark', '\ufeff{}', /byte order mark/],
  ['single quotes', "{'a':1}", /expected a string key/],
];
for (const [name, text, message] of refusals) {
  test(`parseJson refuses ${name}`, () => {
    assert.throws(
      () => parseJson(text),
      (err: unknown) => err instanceof JsonSyntaxError && message.test(err.message),
    );
  });
}

test('parseJson names the path of the bad value', () => {
  assert.throws(
    () => parseJson('{"events":[{"payload":{"x":1.5}}]}'),
    (err: unknown) => err instanceof JsonSyntaxError && err.path === 'events[0].payload.x',
  );
});

test('100,000-deep nesting is refused at the depth cap without a stack overflow', () => {
  const text = '['.repeat(100_000) + ']'.repeat(100_000);
  assert.throws(() => parseJson(text), /nesting deeper than 256/);
  assert.doesNotThrow(() => parseJson('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)));
});

test('__proto__ is an ordinary key: no prototype pollution, and it round-trips', () => {
  const v = parseJson('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}') as Record<string, unknown>;
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(v), null);
  assert.equal(canonicalJson(v as JsonValue), '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');
});
