// Batch processing with a work queue. Instead of cutting the items into one
// fixed range per worker up front (a slow range holds everyone up), the main
// thread feeds item ids into a shmkit Queue and every worker pops the next id
// as soon as it is free. A Queue is multi-producer multi-consumer: each id is
// delivered to exactly one worker. `close()` tells the workers there is no
// more work; each one drains the queue and stops.
//
// Results go straight into a shared Float64Array, one slot per item; a shared
// Int32Array counts how often each item was processed (it must be once).
//
// Run: node examples/batch-queue.mjs
// Prints `items <n> processed <n> once <n> missing 0 duplicated 0 ok`,
// `results checksum <x> reference <x> ok` and how many items each worker took.
import { isMainThread, workerData, parentPort } from 'node:worker_threads';
import { Queue, attach } from 'shmkit';
import { runWorker } from './lib/run-worker.mjs';

const ITEMS = 10_000;
const WORKERS = 3;

if (isMainThread) {
  const queue = new Queue(Int32Array, 256); // smaller than the batch: the feeder waits for room
  const results = new Float64Array(new SharedArrayBuffer(ITEMS * 8));
  const times = new Int32Array(new SharedArrayBuffer(ITEMS * 4)); // times[id]: how often id was done

  const workers = Array.from({ length: WORKERS }, () => run({ queue, results, times }));

  // Feed every id, waiting (without blocking the event loop) while the queue is full.
  const ids = Int32Array.from({ length: ITEMS }, (_, id) => id);
  await queue.writeAsync(ids, { timeout: 30_000 });
  queue.close(); // no more work: the workers drain the queue and exit

  const perWorker = await Promise.all(workers);

  let processed = 0, once = 0, missing = 0, duplicated = 0;
  for (let id = 0; id < ITEMS; id++) {
    processed += times[id];
    if (times[id] === 1) once++;
    else if (times[id] === 0) missing++;
    else duplicated++;
  }
  const okItems = once === ITEMS && processed === ITEMS;
  console.log(`items ${ITEMS} processed ${processed} once ${once} missing ${missing} duplicated ${duplicated} ${okItems ? 'ok' : 'FAILED'}`);

  // Check the results against the same work done on this thread.
  let sum = 0, ref = 0;
  for (let id = 0; id < ITEMS; id++) {
    sum += results[id];
    ref += work(id);
  }
  const okResults = sum === ref;
  console.log(`results checksum ${sum.toFixed(6)} reference ${ref.toFixed(6)} ${okResults ? 'ok' : 'FAILED'}`);
  console.log(`per worker ${perWorker.join(' ')} total ${perWorker.reduce((a, b) => a + b, 0)}`);
  if (!okItems || !okResults) process.exitCode = 1;
} else {
  const { queue, results, times } = attach(workerData);
  let mine = 0;
  // Blocking iteration: pops until the queue is closed and drained.
  for (const id of queue) {
    results[id] = work(id);
    Atomics.add(times, id, 1);
    mine++;
  }
  parentPort.postMessage(mine);
}

/** The work for one item: some arithmetic, as in a real batch job. */
function work(id) {
  let sum = 0;
  for (let j = 0; j < 200; j++) sum += Math.sin(id + j) * Math.cos(id - j);
  return sum;
}

/** Starts this file as a worker; resolves with its one message once it exits cleanly. */
function run(data) {
  return runWorker(import.meta.url, data);
}
