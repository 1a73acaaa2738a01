// Strict, lossless JSON for signed data.
//
// Two parsers must never read one bundle two ways, so this parser refuses what JSON.parse
// tolerates or silently changes: duplicate keys, floats (Python's repr cannot be recovered
// from JSON.parse), integers above 2^53 (kept exactly as bigint), lone surrogates (the
// registry's canonicalizer cannot encode them) and nesting past a fixed depth (no stack
// overflow on hostile input). Objects have a null prototype: `__proto__` is just a key.

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Deepest nesting accepted; real bundles nest about 8 levels. */
export const MAX_JSON_DEPTH = 256;

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** JSON path of the value being read, e.g. `events[0].payload`. */
    readonly path: string,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Parse JSON text strictly (see the module comment). Throws JsonSyntaxError. */
export function parseJson(text: string): JsonValue {
  let pos = 0;
  const pathStack: (string | number)[] = [];

  const where = (): string => formatPath(pathStack);
  const fail = (message: string, at = pos): never => {
    throw new JsonSyntaxError(message, at, where());
  };
  const skipWhitespace = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };

  const readString = (): string => {
    // pos is at the opening quote
    pos++;
    let out = '';
    let chunkStart = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(chunkStart, pos);
        pos++;
        break;
      }
      if (c < 0x20) fail(`raw control character U+${c.toString(16).padStart(4, '0').toUpperCase()} in a string`);
      if (c === 0x5c) {
        out += text.slice(chunkStart, pos);
        const e = text[pos + 1];
        if (e === 'u') {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape in a string');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else if (e !== undefined && e in ESCAPES) {
          out += ESCAPES[e];
          pos += 2;
        } else {
          fail(`bad escape \\${e ?? ''} in a string`);
        }
        chunkStart = pos;
        continue;
      }
      pos++;
    }
    if (hasLoneSurrogate(out)) fail('string holds a lone surrogate (not encodable as UTF-8)');
    return out;
  };

  const readNumber = (): number | bigint => {
    const m = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
    m.lastIndex = pos;
    const match = m.exec(text);
    if (!match) return fail('bad number');
    const start = pos;
    pos = m.lastIndex;
    if (match[1] !== undefined || match[2] !== undefined) {
      fail(`float ${match[0]} is not accepted: signed Pith data holds integers only`, start);
    }
    const digits = match[0];
    const asNumber = Number(digits);
    if (Number.isSafeInteger(asNumber)) return Object.is(asNumber, -0) ? 0 : asNumber;
    return BigInt(digits);
  };

  /** The items of an object or array, after its opening bracket, through `close`: `item` reads one. */
  const readItems = (close: '}' | ']', what: string, item: () => void): void => {
    skipWhitespace();
    if (text[pos] === close) {
      pos++;
      return;
    }
    for (;;) {
      item();
      skipWhitespace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === close) {
        pos++;
        return;
      }
      fail(`expected "," or "${close}" in ${what}`);
    }
  };

  const readValue = (depth: number): JsonValue => {
    if (depth > MAX_JSON_DEPTH) fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
    skipWhitespace();
    const c = text[pos];
    switch (c) {
      case '{': {
        pos++;
        const obj: JsonObject = Object.create(null) as JsonObject;
        readItems('}', 'an object', () => {
          skipWhitespace();
          if (text[pos] !== '"') fail('expected a string key');
          const keyAt = pos;
          const key = readString();
          if (Object.prototype.hasOwnProperty.call(obj, key)) fail(`duplicate key "${key}"`, keyAt);
          skipWhitespace();
          if (text[pos] !== ':') fail('expected ":" after a key');
          pos++;
          pathStack.push(key);
          obj[key] = readValue(depth + 1);
          pathStack.pop();
        });
        return obj;
      }
      case '[': {
        pos++;
        const arr: JsonValue[] = [];
        readItems(']', 'an array', () => {
          pathStack.push(arr.length);
          arr.push(readValue(depth + 1));
          pathStack.pop();
        });
        return arr;
      }
      case '"':
        return readString();
      case 't':
        return readLiteral('true', true);
      case 'f':
        return readLiteral('false', false);
      case 'n':
        return readLiteral('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return readNumber();
        return fail(c === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`);
    }
  };

  const readLiteral = <T extends JsonValue>(word: string, value: T): T => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return value;
    }
    return fail('unexpected token');
  };

  // A UTF-8 byte order mark is not JSON; refuse it rather than guess.
  if (text.charCodeAt(0) === 0xfeff) fail('byte order mark before the JSON text', 0);
  skipWhitespace();
  if (pos >= text.length) fail('empty input: expected a JSON value');
  const value = readValue(0);
  skipWhitespace();
  if (pos < text.length) fail('unexpected data after the JSON value');
  return value;
}

export function formatPath(parts: readonly (string | number)[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out === '' ? '(top level)' : out;
}

/** Compare two strings by Unicode code point, as Python's sorted() does for str. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800..DFFF) encode code points above U+FFFF, which sort above U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * canon(x): the text of Python's
 * json.dumps(x, sort_keys=True, separators=(',', ':'), ensure_ascii=False).
 * JSON.stringify escapes a well-formed string exactly as Python does with ensure_ascii=False.
 */
export function canonicalJson(value: JsonValue): string {
  const parts: string[] = [];
  write(value, 0);
  return parts.join('');

  function write(v: JsonValue, depth: number): void {
    if (depth > MAX_JSON_DEPTH) throw new TypeError(`canonicalJson: nesting deeper than ${MAX_JSON_DEPTH} levels`);
    if (v === null) parts.push('null');
    else if (v === true) parts.push('true');
    else if (v === false) parts.push('false');
    else if (typeof v === 'bigint') parts.push(v.toString());
    else if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new TypeError(`canonicalJson: ${v} is not an exact integer; floats are refused`);
      parts.push(String(Object.is(v, -0) ? 0 : v));
    } else if (typeof v === 'string') {
      if (hasLoneSurrogate(v)) throw new TypeError('canonicalJson: a string holds a lone surrogate');
      parts.push(JSON.stringify(v));
    } else if (Array.isArray(v)) {
      parts.push('[');
      v.forEach((item, i) => {
        if (i > 0) parts.push(',');
        write(item, depth + 1);
      });
      parts.push(']');
    } else {
      parts.push('{');
      const keys = Object.keys(v).sort(compareCodePoints);
      keys.forEach((k, i) => {
        if (hasLoneSurrogate(k)) throw new TypeError('canonicalJson: a key holds a lone surrogate');
        if (i > 0) parts.push(',');
        parts.push(JSON.stringify(k), ':');
        write(v[k] as JsonValue, depth + 1);
      });
      parts.push('}');
    }
  }
}

/** A copy of an object without the named keys (for "hash of x without its signature"). */
export function omitKeys(obj: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = Object.create(null) as JsonObject;
  for (const k of Object.keys(obj)) if (!keys.includes(k)) out[k] = obj[k] as JsonValue;
  return out;
}

/** Structural equality of two JSON values (key order ignored, 1 and 1n equal). */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
