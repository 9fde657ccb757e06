// One thread of the contended Mutex run (mutex.bench.mjs, "2 workers × N
// increments"): N plain read-modify-writes of counter[0], each under the
// shared shmkit Mutex. Follows the harness protocol: warm up, READY, wait
// for GO, then time only the N locked increments.

import { parentPort, workerData } from 'node:worker_threads';
import { Mutex, attach } from '../../index.mjs';
import { READY, GO } from '../harness.mjs';

const { mutex, counter, ctl, n, warmup } = attach(workerData);

/** `count` increments of cell[0]: non-atomic on purpose, the mutex must make it safe. */
function increment(lock, cell, count) {
  for (let i = 0; i < count; i++) {
    const guard = lock.lock();
    cell[0] = cell[0] + 1;
    guard.unlock();
  }
}

// Warm up on a private lock and cell, so the timed loop runs optimized code
// without touching the shared counter.
increment(new Mutex(), new Int32Array(new SharedArrayBuffer(4)), warmup);

Atomics.add(ctl, READY, 1);
while (Atomics.load(ctl, GO) === 0) Atomics.wait(ctl, GO, 0);
const start = process.hrtime.bigint();
increment(mutex, counter, n);
const end = process.hrtime.bigint();
parentPort.postMessage({ start, end });
