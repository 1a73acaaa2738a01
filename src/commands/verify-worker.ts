// Verifying one file for `pith-tex verify FILE… | DIR`, in a worker thread or in the main one.
// scripts/bundle.mjs builds this module as dist/cli/verify-worker.cjs, which verify.ts starts
// once per core; each worker answers a batch of files at a time, in order.
import { parentPort, workerData } from 'node:worker_threads';
import type { TrustedKey } from '../core/keys.js';
import { ShapeError } from '../core/record.js';
import { verifyDocument, type VerifyReport } from '../core/verify.js';
import { EXIT, PithError } from '../errors.js';
import { readJsonFile } from '../io/files.js';

/** What verifying one file gave: the report, or why the file is not a bundle or record at all. */
export type FileVerdict = { file: string; report: VerifyReport } | { file: string; error: { message: string; exitCode: number } };

export async function verifyFile(file: string, trusted: readonly TrustedKey[]): Promise<FileVerdict> {
  try {
    const doc = await readJsonFile(file, 'Pith bundle or record');
    return { file, report: verifyDocument(doc, trusted) };
  } catch (err) {
    if (err instanceof ShapeError) return { file, error: { message: `${file}: ${err.field}: expected ${err.expected}`, exitCode: EXIT.badInput } };
    if (err instanceof PithError) return { file, error: { message: err.message, exitCode: err.exitCode } };
    return { file, error: { message: `${file}: internal error: ${(err as Error)?.message ?? String(err)}`, exitCode: 70 } };
  }
}

/** Messages between verify.ts and a worker. */
export interface WorkerInit {
  pithVerifyWorker: true;
  trusted: TrustedKey[];
}
export interface WorkerBatch {
  first: number;
  files: string[];
}
export interface WorkerAnswer {
  first: number;
  verdicts: FileVerdict[];
}

const init = workerData as WorkerInit | null;
if (parentPort && init?.pithVerifyWorker) {
  const port = parentPort;
  port.on('message', async (batch: WorkerBatch) => {
    const verdicts: FileVerdict[] = [];
    for (const file of batch.files) verdicts.push(await verifyFile(file, init.trusted));
    port.postMessage({ first: batch.first, verdicts } satisfies WorkerAnswer);
  });
}
