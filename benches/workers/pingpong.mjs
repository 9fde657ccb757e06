// One of the two threads of the ping-pong latency run (condvar.bench.mjs).
// Role 0 (A) starts every round trip and times them; role 1 (B) answers.
// The same two threads run every mode, one after the other (in `order`):
//   condvar:     shmkit Mutex + Condvar + a turn cell under the mutex
//   atomics:     a raw Atomics.wait/Atomics.notify turn word (reference)
//   postMessage: a MessageChannel port between the two workers (no main thread)
// Follows the harness protocol: warm up every mode (on objects of its own,
// with the partner), READY, wait for GO; then, per mode, a barrier between the
// two threads, and A times `n` round trips. Each thread also reports its
// context switches per mode, and can pin itself to a CPU (`cpu`).

import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from '../../index.mjs';
import { READY, GO } from '../harness.mjs';

const { role, ctl, phase, n, warmup, order, timed, warm, port, cpu } = attach(workerData);

// Pinning (Linux, `taskset`): when `cpu` is a number, this thread runs on that
// CPU only, which decides whether the two threads share a CPU. `pinned` is the
// thread's allowed CPU list afterwards, or why pinning failed.
let pinned;
if (cpu !== undefined) {
  try {
    const tid = readlinkSync('/proc/thread-self').split('/').pop();
    execFileSync('taskset', ['-p', '-c', String(cpu), tid], { stdio: 'ignore' });
    pinned = readFileSync('/proc/thread-self/status', 'utf8').match(/^Cpus_allowed_list:\s*(\S+)/m)[1];
  } catch (err) {
    pinned = `not pinned (${err.code ?? err.message})`;
  }
}

const TURN = 0; // whose turn it is: 0 = A, 1 = B
const HANDOFFS = 1; // hand-offs so far: A sees 2i at its i-th turn, B sees 2i + 1

/** `count` round trips on a shmkit Mutex + Condvar; returns hand-offs seen out of order. */
function condvarPingPong({ mutex, cv, cell }, count) {
  let bad = 0;
  if (role === 0) {
    for (let i = 0; i < count; i++) {
      const guard = mutex.lock();
      if (cell[HANDOFFS] !== 2 * i) bad++;
      cell[HANDOFFS]++;
      cell[TURN] = 1;
      cv.notifyOne();
      cv.waitWhile(guard, () => cell[TURN] !== 0);
      guard.unlock();
    }
  } else {
    for (let i = 0; i < count; i++) {
      const guard = mutex.lock();
      cv.waitWhile(guard, () => cell[TURN] !== 1);
      if (cell[HANDOFFS] !== 2 * i + 1) bad++;
      cell[HANDOFFS]++;
      cell[TURN] = 0;
      cv.notifyOne();
      guard.unlock();
    }
  }
  return bad;
}

/** `count` round trips on a raw turn word: Atomics.store + notify, Atomics.wait until it flips back. */
function atomicsPingPong({ word }, count) {
  let bad = 0;
  if (role === 0) {
    for (let i = 0; i < count; i++) {
      if (Atomics.add(word, HANDOFFS, 1) !== 2 * i) bad++;
      Atomics.store(word, TURN, 1);
      Atomics.notify(word, TURN, 1);
      while (Atomics.load(word, TURN) !== 0) Atomics.wait(word, TURN, 1);
    }
  } else {
    for (let i = 0; i < count; i++) {
      while (Atomics.load(word, TURN) !== 1) Atomics.wait(word, TURN, 0);
      if (Atomics.add(word, HANDOFFS, 1) !== 2 * i + 1) bad++;
      Atomics.store(word, TURN, 0);
      Atomics.notify(word, TURN, 1);
    }
  }
  return bad;
}

/** `count` round trips of port.postMessage(i), each answered by an echo; resolves with echoes out of order. */
function postMessagePingPong(count) {
  return new Promise((resolve) => {
    let bad = 0;
    let i = 0;
    const onMessage =
      role === 0
        ? (m) => {
            if (m !== i) bad++;
            if (++i === count) {
              port.off('message', onMessage);
              resolve(bad);
            } else port.postMessage(i);
          }
        : (m) => {
            if (m !== i) bad++;
            port.postMessage(m);
            if (++i === count) {
              port.off('message', onMessage);
              resolve(bad);
            }
          };
    port.on('message', onMessage);
    if (role === 0) port.postMessage(0);
  });
}

const modes = {
  condvar: (objects, count) => condvarPingPong(objects.condvar, count),
  atomics: (objects, count) => atomicsPingPong(objects.atomics, count),
  postMessage: (objects, count) => postMessagePingPong(count),
};

/**
 * This thread's context switches so far, [voluntary, involuntary] (Linux;
 * undefined elsewhere). A voluntary switch is a sleep: a park in shmkit, an
 * Atomics.wait that slept, an idle event loop.
 */
function contextSwitches() {
  try {
    const status = readFileSync('/proc/thread-self/status', 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(status)[1]);
    return [field('voluntary_ctxt_switches'), field('nonvoluntary_ctxt_switches')];
  } catch {
    return undefined;
  }
}

/** Both threads arrive before either goes on (the k-th call, k = 1, 2, ...). */
let barriers = 0;
function barrier() {
  barriers++;
  Atomics.add(phase, 0, 1);
  Atomics.notify(phase, 0);
  for (;;) {
    const seen = Atomics.load(phase, 0);
    if (seen >= 2 * barriers) return;
    Atomics.wait(phase, 0, seen);
  }
}

for (const mode of order) await modes[mode](warm, warmup);

Atomics.add(ctl, READY, 1);
while (Atomics.load(ctl, GO) === 0) Atomics.wait(ctl, GO, 0);

const result = { role, pinned, modes: {} };
for (const mode of order) {
  barrier();
  const before = contextSwitches();
  const start = process.hrtime.bigint();
  let bad = modes[mode](timed, n);
  if (bad instanceof Promise) bad = await bad; // only postMessage: no extra tick for the others
  const end = process.hrtime.bigint();
  const after = contextSwitches();
  const switches = before && after ? { voluntary: after[0] - before[0], involuntary: after[1] - before[1] } : undefined;
  result.modes[mode] = { start, end, bad, switches };
  result.start ??= start;
  result.end = end;
}
// A closes the channel once it has every echo; that closes B's end too.
if (role === 0) port.close();
parentPort.postMessage(result);
