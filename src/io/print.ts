// Output straight to the file descriptor. node makes process.stdout and process.stderr on first
// use, as streams (a file, a pipe or a terminal, each loads node's stream modules): their set-up
// costs a few per cent of node's start-up, and a command prints a line or two (issue 16). A
// descriptor that would block (a non-blocking pipe) gets the stream after all, and keeps it, so
// the output stays in order; a reader that went away (`pith-tex check | head -0`) drops the
// rest, as bin/pith-tex.js does for the streams.
import { writeSync } from 'node:fs';

/** Descriptors that once said EAGAIN: written through their stream from then on. */
const throughStream = new Set<1 | 2>();
const stream = (fd: 1 | 2): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);

export function print(fd: 1 | 2, data: string | Uint8Array): void {
  if (throughStream.has(fd)) return void stream(fd).write(data);
  let bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    while (bytes.length > 0) bytes = bytes.subarray(writeSync(fd, bytes));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN') {
      throughStream.add(fd);
      stream(fd).write(bytes);
    } else if (code !== 'EPIPE') throw err;
  }
}

export const printOut = (data: string | Uint8Array): void => print(1, data);
export const printErr = (data: string | Uint8Array): void => print(2, data);
