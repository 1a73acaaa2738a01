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

/** FIPS 180-4 5.3.3: the initial hash value. */
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
/** Where sha256.wat expects the blocks, and how many bytes of whole blocks fit after it. */
const DATA = 1024;
const CHUNK = 64 * 1024 - DATA;

interface Engine {
  memory: { buffer: ArrayBuffer };
  compress: (pointer: number, blocks: number) => void;
}
/** What this file uses of the WebAssembly global (node has it; @types/node does not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
};

let engine: Engine | null = null;
const ready = (): Engine =>
  (engine ??= new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(SHA256_WASM_BASE64, 'base64'))).exports as unknown as Engine);

export function sha256(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const { memory, compress } = ready();
  const mem = new Uint8Array(memory.buffer);
  const view = new DataView(memory.buffer);
  IV.forEach((word, i) => view.setUint32(4 * i, word, true));
  const whole = bytes.length - (bytes.length % 64);
  for (let at = 0; at < whole; at += CHUNK) {
    const n = Math.min(CHUNK, whole - at);
    mem.set(bytes.subarray(at, at + n), DATA);
    compress(DATA, n / 64);
  }
  // The last bytes, 0x80, zeros, and the message length in bits (64-bit big-endian).
  const rest = bytes.length - whole;
  const tail = rest + 9 <= 64 ? 64 : 128;
  mem.fill(0, DATA, DATA + tail);
  mem.set(bytes.subarray(whole), DATA);
  mem[DATA + rest] = 0x80;
  const bits = bytes.length * 8;
  view.setUint32(DATA + tail - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(DATA + tail - 4, bits >>> 0);
  compress(DATA, tail / 64);
  const digest = new Uint8Array(32);
  const out = new DataView(digest.buffer);
  for (let i = 0; i < 8; i++) out.setUint32(4 * i, view.getUint32(4 * i, true));
  return digest;
}

export const sha256Hex = (data: Uint8Array | string): string => Buffer.from(sha256(data)).toString('hex');
