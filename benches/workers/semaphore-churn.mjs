// One thread of the contended Semaphore run (semaphore.bench.mjs): N
// acquire()/release() pairs on the shared shmkit Semaphore. Inside each
// permit it counts itself in `inUse` (an Atomics counter), so the run can
// check that no more than `permits` threads were ever inside at once.
// Follows the harness protocol: warm up, READY, wait for GO, time the N pairs.

import { parentPort, workerData } from 'node:worker_threads';
import { Semaphore, attach } from '../../index.mjs';
import { READY, GO } from '../harness.mjs';

const { semaphore, inUse, ctl, n, warmup, permits } = attach(workerData);

/** `count` acquire/release pairs; returns the most threads seen inside and how often > permits. */
function churn(sem, inside, count) {
  let most = 0;
  let over = 0;
  for (let i = 0; i < count; i++) {
    sem.acquire();
    const now = Atomics.add(inside, 0, 1) + 1;
    if (now > most) most = now;
    if (now > permits) over++;
    Atomics.sub(inside, 0, 1);
    sem.release();
  }
  return { most, over };
}

// Warm up on a private semaphore and counter.
churn(new Semaphore(permits, { max: permits }), new Int32Array(new SharedArrayBuffer(4)), warmup);

Atomics.add(ctl, READY, 1);
while (Atomics.load(ctl, GO) === 0) Atomics.wait(ctl, GO, 0);
const start = process.hrtime.bigint();
const { most, over } = churn(semaphore, inUse, n);
const end = process.hrtime.bigint();
parentPort.postMessage({ start, end, most, over });
