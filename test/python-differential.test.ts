// The canonical forms against Python, the registry's own reference (json.dumps with sort_keys,
// ' '.join(s.lower().split())): canonicalJson on 12,000 random documents, canonText on every
// Unicode code point and on random strings. In the slow suite (scripts/test.mjs): a Python
// process and over a million cases, about 3 s of CPU; the cases that make each rule are in
// json.test.ts and compute.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { canonicalJson, parseJson, MAX_JSON_DEPTH, type JsonValue } from '../src/core/json.js';
import { canonText } from '../src/core/text.js';
import { rng, pick, int } from './support/random.js';

describe('canonicalJson against Python', () => {
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
});

describe('canonText against Python', () => {
  const PY = "import sys,json; a=json.load(sys.stdin); json.dump([' '.join(s.lower().split()) for s in a], sys.stdout)";
  function python(strings: string[]): string[] | null {
    try {
      return JSON.parse(execFileSync('python3', ['-c', PY], { input: JSON.stringify(strings), maxBuffer: 1 << 28 }).toString());
    } catch {
      return null;
    }
  }

  const GENERAL_CATEGORIES = [
    'Lu',
    'Ll',
    'Lt',
    'Lm',
    'Lo',
    'Mn',
    'Mc',
    'Me',
    'Nd',
    'Nl',
    'No',
    'Pc',
    'Pd',
    'Ps',
    'Pe',
    'Pi',
    'Pf',
    'Po',
    'Sm',
    'Sc',
    'Sk',
    'So',
    'Zs',
    'Zl',
    'Zp',
    'Cc',
    'Cf',
    'Co',
    'Cn',
  ];
  const nodeCategory = (cp: number): string =>
    GENERAL_CATEGORIES.find((g) => new RegExp(`^\\p{gc=${g}}$`, 'u').test(String.fromCodePoint(cp))) ?? '?';
  const pythonCategories = (cps: number[]): [number, string][] =>
    JSON.parse(
      execFileSync(
        'python3',
        ['-c', 'import sys,json,unicodedata; print(json.dumps([[c, unicodedata.category(chr(c))] for c in json.load(sys.stdin)]))'],
        {
          input: JSON.stringify(cps),
        },
      ).toString(),
    );

  test('canonText agrees with Python on every code point, except where the two Unicode versions differ', (t) => {
    const cps: number[] = [];
    for (let c = 0; c <= 0x10ffff; c++) if (c < 0xd800 || c > 0xdfff) cps.push(c);
    // Each character between a cased letter and a final-position sigma, so the Final_Sigma rule
    // (which depends on the character's properties) is exercised too.
    // Python builds the same strings itself and answers one result per line (a result holds no
    // whitespace, so no line break): no JSON round trip of a million strings.
    const PY_ALL =
      "import sys\nout=[' '.join(('A'+chr(c)+'\\u03a3').lower().split()) for c in range(0x110000) if not 0xd800<=c<=0xdfff]\nsys.stdout.buffer.write('\\n'.join(out).encode('utf-8'))";
    let py: string[];
    try {
      py = execFileSync('python3', ['-c', PY_ALL], { maxBuffer: 1 << 28 })
        .toString('utf8')
        .split('\n');
    } catch {
      return t.skip('python3 not available');
    }
    assert.equal(py.length, cps.length);
    const differ = cps.filter((c, i) => canonText(`A${String.fromCodePoint(c)}Σ`) !== py[i]);
    // Every disagreement must be explained by Unicode versions: Node's ICU (Unicode 17 on Node
    // 20.20) against Python 3.11's Unicode 14. Either Python does not know the character (Cn),
    // or its general category changed between the versions (U+0295 Ll→Lo, U+1171E Mn→Mc), which
    // changes the Final_Sigma context. Anything else would be a bug in canonText.
    const unexplained = pythonCategories(differ).filter(([c, cat]) => cat === nodeCategory(c));
    assert.deepEqual(unexplained, []);
    assert.ok(differ.length < 1000, `${differ.length} disagreements`);
  });

  test('canonText agrees with Python on random Unicode strings (whitespace, sigma, İ, ß, astral)', (t) => {
    let seed = 0x9e3779b9;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const special = [
      ...'\t\n\v\f\r \u001c\u001d\u001e\u001f\u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u200b\u180e',
      'Σ',
      'σ',
      'ς',
      'İ',
      'I',
      'ß',
      'ẞ',
      'Ω',
      'K',
      'ǅ',
      'ﬀ',
      '\u0301',
      '\u0345',
      'Ⅻ',
      'Ⓐ',
      '𐐀',
      '𝔄',
      '😀',
      'Å',
      'A',
      'b',
      '.',
      "'",
      '-',
    ];
    const pool = (): string => {
      const k = rand(4);
      if (k === 0) return special[rand(special.length)]!;
      if (k === 1) return String.fromCharCode(0x20 + rand(0x5f));
      if (k === 2) {
        const c = rand(0x3000);
        return c >= 0xd800 && c <= 0xdfff ? 'x' : String.fromCodePoint(c);
      }
      const c = rand(0x10ffff);
      return c >= 0xd800 && c <= 0xdfff ? 'y' : String.fromCodePoint(c);
    };
    const strings = Array.from({ length: 4000 }, () => Array.from({ length: rand(30) }, pool).join(''));
    const py = python(strings);
    if (!py) return t.skip('python3 not available');
    // Characters whose Unicode data differs between Python 3.11 and Node (see above) are left out.
    const newer = new Set<number>();
    const cps = [...new Set(strings.flatMap((s) => [...s].map((ch) => ch.codePointAt(0)!)))];
    for (const [c, cat] of pythonCategories(cps)) if (cat !== nodeCategory(c)) newer.add(c);
    let compared = 0;
    strings.forEach((s, i) => {
      if ([...s].some((ch) => newer.has(ch.codePointAt(0)!))) return;
      compared++;
      assert.equal(canonText(s), py[i], JSON.stringify(s));
    });
    assert.ok(compared > 3000, `compared ${compared}`);
  });
});
