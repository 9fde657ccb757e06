// One of the two threads of the pool round-trip runs (pool.bench.mjs). Role 0
// (A) owns the memory and times every round trip; role 1 (B) answers. The
// same two threads run every mode of `order`, one after the other. A mode is
// `{ kind, bytes, touchB, n, warmup }`:
//   kind 'pooled'  A: ab = pool.acquire(bytes); fill; port.postMessage(ab, [ab]);
//                  B: checks it, (touchB: fills it again), posts it back with
//                  transfer; A: checks it, pool.release(ab); next round.
//   kind 'fresh'   the same with ab = new ArrayBuffer(bytes) and no release:
//                  A drops the buffer that comes back.
//   kind 'reuse'   the same with no pool at all: A sends again the buffer
//                  that came back (one new ArrayBuffer for the whole mode),
//                  the ceiling of what any pool can save.
//   kind 'echo'    the floor of the two above: A posts the number i, B posts
//                  it back; no buffer at all.
//   kind 'slab'    A: block = slab.acquire(); fill block.bytes;
//                  toB.push(block.handoff()); id = toA.pop(); back = slab.open(id);
//                  checks it; back.release(). B: id = toB.pop(); b = slab.open(id);
//                  checks it; fills it again; toA.push(b.handoff()).
// "Fill" writes one byte at the start of every 4 KiB page (page 0's byte is
// the header): the round number & 255 from A, its complement from B when B
// touches. Both sides check what they receive (length, first and last page).
// The postMessage modes go over a MessageChannel whose ports were transferred
// to the two workers (worker to worker, not through the main thread); the
// slab mode over two shmkit Queue<Float64> (block ids exceed 2^32), with the
// blocking push()/pop() (they spin briefly, then park) and a timeout on each.
// Follows the harness protocol: warm every mode (on the same pool, slab and
// queues, so A's pool already holds a buffer of each size), READY, wait for
// GO; then per mode a barrier between the two threads, and A times it.
// Every wait in here is bounded (WAIT_MS): a lost partner fails the run.

import { parentPort, workerData } from 'node:worker_threads';
import { BufferPool, attach } from '../../index.mjs';
import { READY, GO } from '../harness.mjs';
import { pinThisThread, contextSwitches } from './pin.mjs';

const { role, ctl, phase, order, modes, port, cpu, slab, toB, toA, waitMs } = attach(workerData);
const pinned = pinThisThread(cpu);
const WAIT_MS = waitMs;
const PAGE = 4096;
const blocking = { timeout: WAIT_MS };

/** Waits (bounded) until `cond()` holds, sleeping on `arr[index]` between checks. */
function waitUntil(arr, index, cond, what) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const seen = Atomics.load(arr, index);
    if (cond(seen)) return;
    if (Date.now() > deadline) throw new Error(`${what}: gave up after ${WAIT_MS / 1000} s`);
    Atomics.wait(arr, index, seen, 50);
  }
}

let barriers = 0;
/** Both threads arrive before either goes on (bounded). */
function barrier() {
  barriers++;
  Atomics.add(phase, 0, 1);
  Atomics.notify(phase, 0);
  waitUntil(phase, 0, (seen) => seen >= 2 * barriers, `role ${role}: barrier ${barriers}`);
}

/** Writes `stamp` to the first byte of every 4 KiB page of `u8`. */
function fill(u8, bytes, stamp) {
  for (let p = 0; p < bytes; p += PAGE) u8[p] = stamp;
}

/** True when `u8` is `bytes` long and carries `stamp` in its first and last page. */
function carries(u8, bytes, stamp) {
  return u8.length === bytes && u8[0] === stamp && u8[bytes - PAGE] === stamp;
}

// One BufferPool per size, owned by A for the whole run (warm-up included).
const pools = new Map();
const poolFor = (bytes) => {
  if (!pools.has(bytes)) pools.set(bytes, new BufferPool());
  return pools.get(bytes);
};

/** A's side of a postMessage mode: resolves with `bad` after `count` round trips. */
function postMessageA({ kind, bytes, touchB }, count) {
  const pool = kind === 'pooled' ? poolFor(bytes) : undefined;
  return new Promise((resolve, reject) => {
    let i = 0;
    let bad = 0;
    let kept = kind === 'reuse' ? new ArrayBuffer(bytes) : undefined;
    const send = () => {
      if (kind === 'echo') return port.postMessage(i);
      const ab = pool ? pool.acquire(bytes) : (kept ?? new ArrayBuffer(bytes));
      fill(new Uint8Array(ab), bytes, i & 255);
      port.postMessage(ab, [ab]);
    };
    const timer = setTimeout(() => finish(new Error(`role 0: ${kind} ${bytes} B: ${i} of ${count} round trips after ${WAIT_MS / 1000} s`)), WAIT_MS);
    const finish = (err) => {
      clearTimeout(timer);
      port.off('message', onMessage);
      if (err) reject(err);
      else resolve(bad);
    };
    const onMessage = (ab) => {
      const expected = touchB ? (i & 255) ^ 0xff : i & 255;
      if (kind === 'echo') {
        if (ab !== i) bad++;
      } else if (!(ab instanceof ArrayBuffer) || !carries(new Uint8Array(ab), bytes, expected)) bad++;
      if (pool) pool.release(ab);
      if (kind === 'reuse') kept = ab;
      if (++i === count) finish();
      else send();
    };
    port.on('message', onMessage);
    send();
  });
}

/** B's side of a postMessage mode: answers `count` buffers, resolves with `bad`. */
function postMessageB({ kind, bytes, touchB }, count) {
  return new Promise((resolve, reject) => {
    let i = 0;
    let bad = 0;
    const timer = setTimeout(() => finish(new Error(`role 1: ${kind} ${bytes} B: ${i} of ${count} answered after ${WAIT_MS / 1000} s`)), WAIT_MS);
    const finish = (err) => {
      clearTimeout(timer);
      port.off('message', onMessage);
      if (err) reject(err);
      else resolve(bad);
    };
    const onMessage = (ab) => {
      const stamp = i & 255;
      if (kind === 'echo') {
        if (ab !== i) bad++;
        port.postMessage(ab);
      } else if (!(ab instanceof ArrayBuffer)) {
        bad++;
        port.postMessage(ab);
      } else {
        const u8 = new Uint8Array(ab);
        if (!carries(u8, bytes, stamp)) bad++;
        if (touchB) fill(u8, bytes, stamp ^ 0xff);
        port.postMessage(ab, [ab]);
      }
      if (++i === count) finish();
    };
    port.on('message', onMessage);
  });
}

let maxId = 0;

/** A's side of the slab mode: `count` round trips; returns `bad`. */
function slabA({ bytes }, count) {
  let bad = 0;
  for (let i = 0; i < count; i++) {
    const stamp = i & 255;
    const block = slab.acquire(blocking);
    fill(block.bytes, bytes, stamp);
    toB.push(block.handoff(), blocking);
    const id = toA.pop(blocking);
    if (id === undefined) throw new Error('role 0: the queue to A was closed');
    const back = slab.open(id);
    if (!carries(back.bytes, bytes, stamp ^ 0xff)) bad++;
    back.release();
  }
  return bad;
}

/** B's side of the slab mode: answers `count` blocks; returns `bad`. */
function slabB({ bytes }, count) {
  let bad = 0;
  for (let i = 0; i < count; i++) {
    const stamp = i & 255;
    const id = toB.pop(blocking);
    if (id === undefined) throw new Error('role 1: the queue to B was closed');
    if (id > maxId) maxId = id;
    const block = slab.open(id);
    const u8 = block.bytes;
    if (!carries(u8, bytes, stamp)) bad++;
    fill(u8, bytes, stamp ^ 0xff);
    toA.push(block.handoff(), blocking);
  }
  return bad;
}

function runMode(spec, count) {
  if (spec.kind === 'slab') return role === 0 ? slabA(spec, count) : slabB(spec, count);
  return role === 0 ? postMessageA(spec, count) : postMessageB(spec, count);
}

// Warm-up: every mode, with the partner.
for (const label of order) {
  barrier();
  await runMode(modes[label], modes[label].warmup);
}

Atomics.add(ctl, READY, 1);
waitUntil(ctl, GO, (go) => go !== 0, `role ${role}: GO`);

const result = { role, pinned, modes: {} };
for (const label of order) {
  const spec = modes[label];
  const pool = role === 0 && spec.kind === 'pooled' ? poolFor(spec.bytes) : undefined;
  const statsBefore = pool?.stats;
  barrier();
  const before = contextSwitches();
  const start = process.hrtime.bigint();
  let bad = runMode(spec, spec.n);
  if (bad instanceof Promise) bad = await bad; // only the postMessage modes: no extra tick for the slab
  const end = process.hrtime.bigint();
  const after = contextSwitches();
  const switches = before && after ? { voluntary: after[0] - before[0], involuntary: after[1] - before[1] } : undefined;
  let pool_;
  if (pool) {
    const s = pool.stats;
    pool_ = {
      acquired: s.acquired - statsBefore.acquired,
      hits: s.hits - statsBefore.hits,
      misses: s.misses - statsBefore.misses,
      outstanding: s.outstanding,
      leaked: s.leaked,
    };
  }
  result.modes[label] = { start, end, bad, switches, pool: pool_ };
  result.start ??= start;
  result.end = end;
}
if (role === 1) result.maxId = maxId;
if (role === 0) {
  result.slabStats = slab.stats;
  port.close();
}
parentPort.postMessage(result);
