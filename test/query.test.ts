import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseQuery, queryKey, queryMismatch, recordKeys, resolverSegment, QueryError, type Query } from '../src/core/query.js';
import { parseJson, type JsonObject } from '../src/core/json.js';
import { numberOfRecord, type CanonicalRecord } from '../src/core/record.js';
import { fixture } from './helpers.js';
import { SEED } from './support/seed.js';

const bundle = parseJson(readFileSync(fixture('2109.10465v1.bundle.json'), 'utf8')) as JsonObject;
const record = bundle.canonical_record as CanonicalRecord;
const num = numberOfRecord(record);
const BODY = SEED.body;

test('arXiv ids, URLs and DOIs parse to the same paper', () => {
  const cases: [string, string, number | null][] = [
    ['2201.05596', '2201.05596', null],
    ['2201.05596v2', '2201.05596', 2],
    ['  arXiv:2201.05596v2 ', '2201.05596', 2],
    ['hep-th/9901001v1', 'hep-th/9901001', 1],
    ['hep-th/9901001', 'hep-th/9901001', null],
    ['math.AG/0601001', 'math.AG/0601001', null],
    ['0704.0001', '0704.0001', null],
    ['https://arxiv.org/abs/2201.05596v2', '2201.05596', 2],
    ['http://export.arxiv.org/abs/2201.05596', '2201.05596', null],
    ['https://arxiv.org/pdf/2201.05596v2', '2201.05596', 2],
    ['https://arxiv.org/pdf/2201.05596v2.pdf', '2201.05596', 2],
    ['https://arxiv.org/abs/hep-th/9901001v1', 'hep-th/9901001', 1],
    ['10.48550/arXiv.2201.05596', '2201.05596', null],
    ['10.48550/ARXIV.2201.05596', '2201.05596', null],
    ['doi:10.48550/arxiv.2201.05596', '2201.05596', null],
    ['https://doi.org/10.48550/arXiv.2201.05596', '2201.05596', null],
    ['https://dx.doi.org/10.48550/arxiv.2201.05596', '2201.05596', null],
  ];
  for (const [input, id, version] of cases) {
    const q = parseQuery(input);
    assert.equal(q.kind, 'arxiv', input);
    if (q.kind !== 'arxiv') continue;
    assert.equal(q.id, id, input);
    assert.equal(q.version, version, input);
  }
});

test('Pith numbers in every written form', () => {
  for (const input of [`pith:2021:${BODY}`, `pith:${BODY}`, BODY, BODY.toLowerCase(), `PITH:${BODY}`]) {
    const q = parseQuery(input);
    assert.equal(q.kind, 'number', input);
    if (q.kind === 'number') assert.equal(q.body, BODY);
  }
  for (const n of [8, 12, 16]) {
    for (const input of [BODY.slice(0, n), `pith:${BODY.slice(0, n)}`]) {
      const q = parseQuery(input);
      assert.equal(q.kind, 'short', input);
      if (q.kind === 'short') assert.equal(q.prefix, BODY.slice(0, n));
    }
  }
});

test('malformed queries name the accepted forms', () => {
  const bad = [
    '',
    'foo',
    '2201.5596', // 4 digits after 1501
    '1412.00001', // 5 digits before 1501
    '2213.05596', // month 13
    '2201.05596v0',
    'https://example.com/abs/2201.05596',
    'https://arxiv.org/list/cs.LG',
    '10.1000/xyz123', // not an arXiv DOI
    '10.48550/arXiv.2201.05596v2', // DOIs have no version
    `pith:21:${BODY}`,
    `pith:2021:${BODY.slice(0, 8)}`,
    BODY.slice(0, 10),
    'NMB7QKC0',
  ];
  for (const input of bad) {
    assert.throws(
      () => parseQuery(input),
      (err: unknown) => {
        assert.ok(err instanceof QueryError, input);
        assert.match(err.message, /accepted forms: an arXiv id/, input);
        return true;
      },
    );
  }
});

test('resolver segments and cache keys', () => {
  const seg = (s: string) => resolverSegment(parseQuery(s));
  assert.equal(seg('2109.10465'), '2109.10465');
  assert.equal(seg('2109.10465v1'), '2109.10465v1');
  assert.equal(seg('10.48550/arXiv.2109.10465'), '2109.10465');
  assert.equal(seg('hep-th/9901001v1'), 'hep-th%2F9901001v1');
  assert.equal(seg(`pith:2021:${BODY}`), BODY);
  assert.equal(seg('nmb7qkc2'), 'NMB7QKC2');
  const keys = recordKeys(record, num.body);
  for (const input of ['2109.10465', '2109.10465v1', 'NMB7QKC2', BODY.slice(0, 12), BODY.slice(0, 16), BODY]) {
    assert.ok(keys.includes(queryKey(parseQuery(input))), input);
  }
  // A DOI is looked up under its arXiv id.
  assert.equal(queryKey(parseQuery('10.48550/arXiv.2109.10465')), 'arxiv:2109.10465');
});

test('queryMismatch accepts the record asked for and names what differs otherwise', () => {
  const ok = (s: string) => queryMismatch(parseQuery(s), record, num, bundle.source_aliases);
  for (const s of ['2109.10465', '2109.10465v1', '10.48550/arXiv.2109.10465', BODY, `pith:2021:${BODY}`, 'NMB7QKC2']) {
    assert.equal(ok(s), null, s);
  }
  assert.match(ok('2109.10465v2') ?? '', /v2, got version v1/);
  assert.match(ok('2201.05596') ?? '', /got a record of arXiv 2109\.10465/);
  assert.match(ok(`pith:2022:${BODY}`) ?? '', /year 2022/);
  assert.match(ok('7E6MSA6G') ?? '', /does not start with it/);
  assert.match(ok('7E6MSA6GOP56H4R35CPJZVR5Y4') ?? '', /asked for body/);
  // A DOI alias that names another paper is a mismatch even when the id matches.
  const forged = [{ alias_kind: 'doi', alias_value: '10.48550/arxiv.2201.05596' }];
  const q: Query = parseQuery('10.48550/arXiv.2109.10465');
  assert.match(queryMismatch(q, record, num, forged) ?? '', /DOI alias/);
});
