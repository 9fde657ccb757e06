// Producer / consumer. The hand-written version keeps a data slot, a
// full/empty flag and a word to Atomics.wait/notify on, and has to get the
// wait loops, the flag protocol and the end of the stream right by hand.
// A shmkit RingBuffer is that whole protocol: `push` waits while the ring is
// full, `pop` waits while it is empty, and `close()` ends the stream (the
// consumer drains what is left, then `pop` returns undefined).
//
// Run: node examples/producer-consumer.mjs
// Prints `produced <n> sum <s>` and `consumed <n> sum <s> in order ok`.
import { isMainThread, workerData, parentPort } from 'node:worker_threads';
import { RingBuffer, attach } from 'shmkit';
import { runWorker } from './lib/run-worker.mjs';

const ITEMS = 100_000;

if (isMainThread) {
  // One producer thread and one consumer thread: a RingBuffer (SPSC) fits.
  // A small capacity makes both sides wait for each other now and then.
  const ring = new RingBuffer(Int32Array, 64);
  const [produced, consumed] = await Promise.all([
    run({ role: 'producer', ring }),
    run({ role: 'consumer', ring }),
  ]);

  console.log(`produced ${produced.count} sum ${produced.sum}`);
  const ok = consumed.count === produced.count && consumed.sum === produced.sum && consumed.inOrder;
  console.log(`consumed ${consumed.count} sum ${consumed.sum} ${consumed.inOrder ? 'in order' : 'OUT OF ORDER'} ${ok ? 'ok' : 'MISMATCH'}`);
  if (!ok) process.exitCode = 1;
} else {
  const { role, ring } = attach(workerData);

  if (role === 'producer') {
    let sum = 0;
    for (let i = 1; i <= ITEMS; i++) {
      const item = i * 100; // "produce" something
      ring.push(item, { timeout: 10_000 }); // waits while the ring is full
      sum += item;
    }
    ring.close(); // end of stream: the consumer drains the rest, then stops
    parentPort.postMessage({ count: ITEMS, sum });
  } else {
    let count = 0;
    let sum = 0;
    let inOrder = true;
    // pop() waits while the ring is empty and returns undefined once it is
    // closed and drained; `for (const item of ring)` is the same loop.
    for (let item; (item = ring.pop({ timeout: 10_000 })) !== undefined; ) {
      count++;
      if (item !== count * 100) inOrder = false; // a ring keeps the order
      sum += item;
    }
    parentPort.postMessage({ count, sum, inOrder });
  }
}

/** Starts this file as a worker; resolves with its one message once it exits cleanly. */
function run(data) {
  return runWorker(import.meta.url, data);
}
