// SHA-256 (FIPS 180-4): the one hash of the Pith format in pith-tex's sources. The compression
// function is WebAssembly (src/core/sha256.wat, 840 bytes); this file pads the message, feeds
// the blocks and reads the digest.
//
// Why not node:crypto: `check` runs before every LaTeX build, and loading node:crypto (its
// cipher, stream and key modules come with it) costs about 6 % of node's own start-up, more than
// everything else check does. @noble/hashes' sha256 (the reference, pure JavaScript) costs
// 10-40 ms for a 28 KB pith.sty before V8 has compiled it. WebAssembly is compiled before it
// runs: the module is ready in well under a millisecond and hashes at hundreds of MB/s.
// test/sha256.test.ts holds it to node:crypto and @noble/hashes on every length up to four
// blocks, on chunk boundaries, on large inputs and on the NIST vectors.
import { SHA256_WASM_BASE64 } from './sha256-wasm.js';

/** Where sha256.wat expects the blocks, and how many bytes of whole blocks fit after it. */
const DATA = 1024;
const CHUNK = 64 * 1024 - DATA;

interface Exports {
  memory: { buffer: ArrayBuffer };
  start: () => void;
  compress: (pointer: number, blocks: number) => void;
  finish: (pointer: number, rest: number, bitsHigh: number, bitsLow: number) => void;
}
/** What this file uses of the WebAssembly global (node has it; @types/node does not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
  compile: (bytes: Uint8Array) => Promise<object>;
};

/** The instance and a Buffer over its memory (one page, never grown, so the view stays valid). */
let engine: { wasm: Exports; memory: Buffer } | null = null;
/** The module compiled off the main thread by compileSha256Soon, once it is. */
let compiled: object | null = null;
function ready(): { wasm: Exports; memory: Buffer } {
  if (engine === null) {
    const module = compiled ?? new WebAssembly.Module(Buffer.from(SHA256_WASM_BASE64, 'base64'));
    const wasm = new WebAssembly.Instance(module).exports as Exports;
    engine = { wasm, memory: Buffer.from(wasm.memory.buffer) };
  }
  return engine;
}

/**
 * Compile the module on V8's background threads while the caller reads files; sha256 uses it
 * once the promise settles (before then, or if compiling fails, it compiles its own at once).
 */
export function compileSha256Soon(): Promise<void> {
  if (engine !== null || compiled !== null) return Promise.resolve();
  return WebAssembly.compile(Buffer.from(SHA256_WASM_BASE64, 'base64')).then(
    (module) => {
      compiled = module;
    },
    () => undefined,
  );
}

/** Compress the whole blocks of the `length` bytes at DATA, then pad and finish with the rest. */
function finishResident(wasm: Exports, length: number, total: number): void {
  const whole = length - (length % 64);
  wasm.compress(DATA, whole / 64);
  wasm.finish(DATA + whole, length - whole, Math.floor(total / 2 ** 29), (total * 8) >>> 0);
}

export function sha256(data: Uint8Array | string): Uint8Array {
  const { wasm, memory } = ready();
  wasm.start();
  // A short string is encoded straight into the module's memory (3 bytes per UTF-16 unit at most).
  if (typeof data === 'string' && data.length * 3 <= CHUNK) {
    const length = memory.write(data, DATA, 'utf8');
    finishResident(wasm, length, length);
    return Uint8Array.prototype.slice.call(memory, 32, 64);
  }
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let at = 0;
  // All but the last chunk's worth: whole blocks, a chunk at a time.
  while (bytes.length - at > CHUNK) {
    memory.set(bytes.subarray(at, at + CHUNK), DATA);
    wasm.compress(DATA, CHUNK / 64);
    at += CHUNK;
  }
  memory.set(bytes.subarray(at), DATA);
  finishResident(wasm, bytes.length - at, bytes.length);
  return Uint8Array.prototype.slice.call(memory, 32, 64);
}

export const sha256Hex = (data: Uint8Array | string): string => Buffer.from(sha256(data)).toString('hex');
