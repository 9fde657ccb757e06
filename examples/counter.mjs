// The shared counter: several workers increment one number that lives in a
// SharedArrayBuffer. `count[0]++` is a read, an add and a write, so two
// threads doing it at once lose updates. Two correct ways to do it:
//
//   1. guard the plain read-modify-write with a shmkit Mutex;
//   2. make the increment itself atomic with Atomics.add.
//
// For contrast the racy version runs too: it usually ends below the expected
// total (by how much depends on the machine), and never above.
//
// Run: node examples/counter.mjs
// Prints one line per way: `<way> total <n> expected <n> ok|lost <k>`.
import { isMainThread, workerData } from 'node:worker_threads';
import { Barrier, Mutex, attach } from 'shmkit';
import { runWorker } from './lib/run-worker.mjs';

const WORKERS = 4;
const ITERATIONS = 100_000;

if (isMainThread) {
  const expected = WORKERS * ITERATIONS;
  let failed = false;
  for (const way of ['mutex', 'atomics', 'racy']) {
    const count = new Int32Array(new SharedArrayBuffer(4)); // the counter
    const lock = new Mutex(); // a Mutex lives in its own small SharedArrayBuffer
    const start = new Barrier(WORKERS); // so that all workers start together
    // shmkit objects go into workerData as they are; the worker revives them.
    const workers = Array.from({ length: WORKERS }, () => run({ way, count, lock, start }));
    await Promise.all(workers);

    const total = count[0]; // every worker has exited: nobody writes any more
    const ok = total === expected;
    if (way !== 'racy' && !ok) failed = true;
    if (way === 'racy' && total > expected) failed = true; // lost updates only, never extra ones
    console.log(`${way} total ${total} expected ${expected} ${ok ? 'ok' : `lost ${expected - total}`}`);
  }
  if (failed) process.exitCode = 1;
} else {
  // attach() turns the shmkit objects inside workerData back into live ones.
  const { way, count, lock, start } = attach(workerData);
  start.wait({ timeout: 10_000 }); // everyone begins at the same moment

  if (way === 'mutex') {
    for (let i = 0; i < ITERATIONS; i++) {
      const guard = lock.lock(); // only one thread at a time past this line...
      count[0] = count[0] + 1; // ...so a plain read-modify-write is safe here
      guard.unlock();
    }
  } else if (way === 'atomics') {
    for (let i = 0; i < ITERATIONS; i++) Atomics.add(count, 0, 1); // one indivisible step
  } else {
    for (let i = 0; i < ITERATIONS; i++) count[0] = count[0] + 1; // WRONG: a data race
  }
}

/** Starts this file as a worker; resolves when it exits cleanly. */
function run(data) {
  return runWorker(import.meta.url, data);
}
