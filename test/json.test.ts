import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, compareCodePoints, parseJson, JsonSyntaxError, MAX_JSON_DEPTH, type JsonValue } from '../src/core/json.js';

// canonicalJson against Python's json.dumps on 12,000 random documents: test/python-differential.test.ts.

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
