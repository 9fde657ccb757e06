// The examples' one helper: runs an example file again as a worker thread,
// with `workerData` as its data. Resolves with the last message the worker
// posted (undefined if none) once it exits with code 0; rejects on an error
// or another exit code.

import { Worker } from 'node:worker_threads';

/** Runs the module at `url` (an example's `import.meta.url`) as a worker with `workerData`. */
export function runWorker(url, workerData) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(url), { workerData });
    let result;
    worker.on('message', (m) => (result = m));
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve(result) : reject(new Error(`worker exited with code ${code}`))));
  });
}
