// The single-producer single-consumer ring. The hand-written one is a
// Float64Array plus a write index and a read index in a SharedArrayBuffer,
// with Atomics.wait/notify when it is full or empty. shmkit's RingBuffer is
// that ring done once, carefully: indices on separate cache lines, no lost
// wake-ups, a close() for the end of the stream, and a zero-copy API.
//
// One stream of 1,000,000 numbers 0, 1, 2, ... goes from a producer worker to
// a consumer worker, in two halves:
//
//   1. one value at a time: push(v) / pop()
//   2. zero-copy: writeRegion(n) / readRegion(n) hand out views straight into
//      the ring's memory; fill (or read) them, then commit(count).
//
// The consumer checks that every value arrives, once, in order.
//
// Run: node examples/spsc-ring.mjs
// Prints `one-at-a-time <n> in order ok`, `zero-copy <n> in order ok` and
// `total <n> sum <s> expected <s> ok`.
import { isMainThread, workerData, parentPort } from 'node:worker_threads';
import { RingBuffer, attach } from 'shmkit';
import { runWorker } from './lib/run-worker.mjs';

const VALUES = 1_000_000;
const HALF = VALUES / 2;
const CHUNK = 1024; // most values per region

if (isMainThread) {
  const ring = new RingBuffer(Float64Array, 4096);
  const [, got] = await Promise.all([run({ role: 'producer', ring }), run({ role: 'consumer', ring })]);

  const expectedSum = (VALUES * (VALUES - 1)) / 2; // 0 + 1 + ... + (VALUES - 1)
  console.log(`one-at-a-time ${got.single} ${got.singleInOrder ? 'in order ok' : 'OUT OF ORDER'}`);
  console.log(`zero-copy ${got.zeroCopy} ${got.zeroCopyInOrder ? 'in order ok' : 'OUT OF ORDER'}`);
  const total = got.single + got.zeroCopy;
  const ok = total === VALUES && got.sum === expectedSum && got.singleInOrder && got.zeroCopyInOrder;
  console.log(`total ${total} sum ${got.sum} expected ${expectedSum} ${ok ? 'ok' : 'FAILED'}`);
  if (!ok) process.exitCode = 1;
} else {
  const { role, ring } = attach(workerData);
  if (role === 'producer') produce(ring);
  else parentPort.postMessage(consume(ring));
}

function produce(ring) {
  // 1. One value at a time: push() waits while the ring is full.
  let next = 0;
  while (next < HALF) ring.push(next++, { timeout: 10_000 });

  // 2. Zero-copy: write straight into the ring's free slots, then publish.
  while (next < VALUES) {
    const region = ring.writeRegion(Math.min(CHUNK, VALUES - next));
    if (region.length === 0) {
      // The ring is full. Regions never wait, so wait here with one ordinary
      // push (it sleeps until the consumer makes room) and carry on.
      ring.push(next++, { timeout: 10_000 });
      continue;
    }
    // One view, or two when the free slots wrap around the end of the ring.
    for (const view of region.views) {
      for (let i = 0; i < view.length; i++) view[i] = next++;
    }
    region.commit(); // publish all region.length values (and wake the consumer)
  }
  ring.close(); // the end of the stream
}

function consume(ring) {
  let expected = 0;
  let sum = 0;

  // 1. One value at a time: pop() waits while the ring is empty.
  let single = 0;
  let singleInOrder = true;
  while (single < HALF) {
    const v = ring.pop({ timeout: 10_000 });
    if (v !== expected++) singleInOrder = false;
    sum += v;
    single++;
  }

  // 2. Zero-copy: read the values where they lie, then free the slots.
  let zeroCopy = 0;
  let zeroCopyInOrder = true;
  for (;;) {
    const region = ring.readRegion(CHUNK);
    if (region.length === 0) {
      // Empty: wait with one ordinary pop; undefined means closed and drained.
      const v = ring.pop({ timeout: 10_000 });
      if (v === undefined) break;
      if (v !== expected++) zeroCopyInOrder = false;
      sum += v;
      zeroCopy++;
      continue;
    }
    for (const view of region.views) {
      for (let i = 0; i < view.length; i++) {
        if (view[i] !== expected++) zeroCopyInOrder = false;
        sum += view[i];
      }
    }
    zeroCopy += region.length;
    region.commit(); // the views are not ours any more after this
  }
  return { single, singleInOrder, zeroCopy, zeroCopyInOrder, sum };
}

/** Starts this file as a worker; resolves with its one message once it exits cleanly. */
function run(data) {
  return runWorker(import.meta.url, data);
}
