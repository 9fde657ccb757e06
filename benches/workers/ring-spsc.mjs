// One of the two threads of the RingBuffer throughput runs (ring.bench.mjs):
// role 0 produces, role 1 consumes. The same two threads run every mode of
// `order`, one after the other, each on a ring of its own:
//   single-value modes (value i is i + 0.5, i = 0 .. n-1):
//     plain            hand-written plain-JS ring (../plain-ring.mjs): tryPush/tryPop
//     shmkit           shmkit RingBuffer: tryPush/tryPop
//     ringbufPush      ringbuf.js: push(one)/pop(one), `one` a 1-element Float64Array
//     ringbufCallback  ringbuf.js: writeCallbackWithOffset(1, cb)/pop(one)
//   batch modes (`batch` values at a time, the same values):
//     shmkitBatch      shmkit RingBuffer: pushMany(batch)/popMany(batch)
//     shmkitWriteRead  shmkit RingBuffer: write(batch)/read(batch) (blocking forms)
//     ringbufBatch     ringbuf.js: push(batch, len, offset)/pop(batch)
// Producers spin while the ring is full, consumers while it is empty. The
// consumer checks every value against the next expected one (order and
// content) and sums them. Every mode has its own loop functions (no loop is
// shared between ring classes, so each call site stays monomorphic).
// Follows the harness protocol (warm every mode on rings of its own, READY,
// wait for GO); then per mode a barrier between the two threads, and both
// threads time their loop.

import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer as RingbufJs } from 'ringbuf.js';
import { attach } from '../../index.mjs';
import { READY, GO } from '../harness.mjs';
import { PlainRing } from '../plain-ring.mjs';
import { pinThisThread, contextSwitches, makeBarrier } from './pin.mjs';

const { role, ctl, phase, order, timed, warm, n, warmup, batch: B, cpu } = attach(workerData);
const pinned = pinThisThread(cpu);
const barrier = makeBarrier(phase);

// --- single values ------------------------------------------------------

function plainProduce({ ring }, count) {
  for (let i = 0; i < count; i++) {
    const v = i + 0.5;
    while (!ring.tryPush(v));
  }
  return { bad: 0, sum: 0 };
}

function plainConsume({ ring }, count) {
  let bad = 0;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    let v;
    while ((v = ring.tryPop()) === undefined);
    if (v !== i + 0.5) bad++;
    sum += v;
  }
  return { bad, sum };
}

function shmkitProduce({ ring }, count) {
  for (let i = 0; i < count; i++) {
    const v = i + 0.5;
    while (!ring.tryPush(v));
  }
  return { bad: 0, sum: 0 };
}

function shmkitConsume({ ring }, count) {
  let bad = 0;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    let v;
    while ((v = ring.tryPop()) === undefined);
    if (v !== i + 0.5) bad++;
    sum += v;
  }
  return { bad, sum };
}

function ringbufPushProduce({ rb, one }, count) {
  for (let i = 0; i < count; i++) {
    one[0] = i + 0.5;
    while (rb.push(one) === 0);
  }
  return { bad: 0, sum: 0 };
}

function ringbufPopConsume({ rb, one }, count) {
  let bad = 0;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    while (rb.pop(one) === 0);
    const v = one[0];
    if (v !== i + 0.5) bad++;
    sum += v;
  }
  return { bad, sum };
}

function ringbufCallbackProduce({ rb }, count) {
  let cur = 0;
  // writeCallbackWithOffset(amount, cb) calls cb(storage, offset, n1, offset2, n2)
  // with the ring's own storage: one slot written in place, no copy.
  const write = (storage, offset) => {
    storage[offset] = cur;
    return 1;
  };
  for (let i = 0; i < count; i++) {
    cur = i + 0.5;
    while (rb.writeCallbackWithOffset(1, write) === 0);
  }
  return { bad: 0, sum: 0 };
}

// ringbuf.js has no callback form for reading: its consumer is pop(one).
function ringbufCallbackConsume({ rb, one }, count) {
  let bad = 0;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    while (rb.pop(one) === 0);
    const v = one[0];
    if (v !== i + 0.5) bad++;
    sum += v;
  }
  return { bad, sum };
}

// --- batches (count is a multiple of B) ----------------------------------
// One call moves up to B values, so the shared loops below cost nothing
// measurable; each mode only says how it puts and takes a batch.

/** Fills `buf` with the next B values and hands it to `put(buf)` until all are written. */
function batchProduce(buf, count, put) {
  for (let sent = 0; sent < count; sent += B) {
    for (let j = 0; j < B; j++) buf[j] = sent + j + 0.5;
    put(buf);
  }
  return { bad: 0, sum: 0 };
}

/** Takes batches with `take(buf)` (how many it read) and checks order and sum. */
function batchConsume(buf, count, take) {
  let bad = 0;
  let sum = 0;
  for (let got = 0; got < count; ) {
    const k = take(buf);
    for (let j = 0; j < k; j++) {
      const v = buf[j];
      if (v !== got + j + 0.5) bad++;
      sum += v;
    }
    got += k;
  }
  return { bad, sum };
}

const shmkitBatchProduce = ({ ring, buf }, count) =>
  batchProduce(buf, count, (b) => {
    let off = ring.pushMany(b);
    while (off < B) off += ring.pushMany(b.subarray(off));
  });
const shmkitBatchConsume = ({ ring, buf }, count) => batchConsume(buf, count, (b) => ring.popMany(b));
const shmkitWriteProduce = ({ ring, buf }, count) => batchProduce(buf, count, (b) => ring.write(b));
const shmkitReadConsume = ({ ring, buf }, count) => batchConsume(buf, count, (b) => ring.read(b));
const ringbufBatchProduce = ({ rb, buf }, count) =>
  batchProduce(buf, count, (b) => {
    let off = 0;
    while (off < B) off += rb.push(b, B - off, off);
  });
const ringbufBatchConsume = ({ rb, buf }, count) => batchConsume(buf, count, (b) => rb.pop(b));

const MODES = {
  plain: { prepare: ({ sab, cap }) => ({ ring: new PlainRing(sab, cap) }), loops: [plainProduce, plainConsume] },
  shmkit: { prepare: ({ ring }) => ({ ring }), loops: [shmkitProduce, shmkitConsume] },
  ringbufPush: {
    prepare: ({ sab }) => ({ rb: new RingbufJs(sab, Float64Array), one: new Float64Array(1) }),
    loops: [ringbufPushProduce, ringbufPopConsume],
  },
  ringbufCallback: {
    prepare: ({ sab }) => ({ rb: new RingbufJs(sab, Float64Array), one: new Float64Array(1) }),
    loops: [ringbufCallbackProduce, ringbufCallbackConsume],
  },
  shmkitBatch: { prepare: ({ ring }) => ({ ring, buf: new Float64Array(B) }), loops: [shmkitBatchProduce, shmkitBatchConsume] },
  shmkitWriteRead: { prepare: ({ ring }) => ({ ring, buf: new Float64Array(B) }), loops: [shmkitWriteProduce, shmkitReadConsume] },
  ringbufBatch: {
    prepare: ({ sab }) => ({ rb: new RingbufJs(sab, Float64Array), buf: new Float64Array(B) }),
    loops: [ringbufBatchProduce, ringbufBatchConsume],
  },
};

// Warm-up: every mode, on rings of its own, with the partner thread.
for (const mode of order) {
  barrier();
  MODES[mode].loops[role](MODES[mode].prepare(warm[mode]), warmup[mode]);
}

Atomics.add(ctl, READY, 1);
while (Atomics.load(ctl, GO) === 0) Atomics.wait(ctl, GO, 0);

const result = { role, pinned, modes: {} };
for (const mode of order) {
  const state = MODES[mode].prepare(timed[mode]);
  const loop = MODES[mode].loops[role];
  barrier();
  const before = contextSwitches();
  const start = process.hrtime.bigint();
  const { bad, sum } = loop(state, n[mode]);
  const end = process.hrtime.bigint();
  const after = contextSwitches();
  const switches = before && after ? { voluntary: after[0] - before[0], involuntary: after[1] - before[1] } : undefined;
  result.modes[mode] = { start, end, bad, sum, switches };
  result.start ??= start;
  result.end = end;
}
parentPort.postMessage(result);
