// A worker thread of `pith-tex verify FILE… | DIR`: verifies the files it is sent (verify.ts verifyFile).
// scripts/bundle.mjs builds this module as dist/cli/verify-worker.cjs, which verify.ts starts
// once per core; each worker answers a batch of files at a time, in order.
import { parentPort, workerData } from 'node:worker_threads';
import type { TrustedKey } from '../core/keys.js';
import { verifyFile, type FileVerdict } from './verify.js';

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
