// One thread of the MPMC Queue run (queue.bench.mjs): a producer or a
// consumer on one shared shmkit Queue<Float64>.
//   producer `id` (of P): pushes v = i * P + id for i = 0 .. n-1 with the
//     blocking q.push(v); when it is done it counts itself in `done`, and the
//     last producer to finish closes the queue.
//   consumer: q.pop() until it returns undefined (closed and drained). For
//     each value it counts it, sums it, marks it in a private Uint8Array
//     (exactly-once: the main thread adds up the consumers' arrays) and checks
//     that values from one producer arrive in increasing order (FIFO per
//     producer holds for every consumer's subsequence).
// Follows the harness protocol: a warm-up round on a queue of its own (with
// the other threads), READY, wait for GO, the timed round.

import { parentPort, workerData } from 'node:worker_threads';
import { attach } from '../../index.mjs';
import { READY, GO } from '../harness.mjs';

const { role, id, P, n, queue, done, warm, warmN, ctl } = attach(workerData);

function produce(q, doneCount, count) {
  for (let i = 0; i < count; i++) q.push(i * P + id);
  if (Atomics.add(doneCount, 0, 1) === P - 1) q.close();
  return {};
}

function consume(q, count) {
  const seen = new Uint8Array(P * count);
  const last = new Float64Array(P).fill(-1);
  let got = 0;
  let sum = 0;
  let outOfOrder = 0;
  for (;;) {
    const v = q.pop();
    if (v === undefined) break;
    got++;
    sum += v;
    const p = v % P;
    if (v <= last[p]) outOfOrder++;
    last[p] = v;
    seen[v]++;
  }
  return { got, sum, outOfOrder, seen };
}

const run = (q, doneCount, count) => (role === 'producer' ? produce(q, doneCount, count) : consume(q, count));

run(warm.queue, warm.done, warmN);
Atomics.add(ctl, READY, 1);
while (Atomics.load(ctl, GO) === 0) Atomics.wait(ctl, GO, 0);
const start = process.hrtime.bigint();
const r = run(queue, done, n);
const end = process.hrtime.bigint();
parentPort.postMessage({ role, id, start, end, ...r }, r.seen ? [r.seen.buffer] : []);
