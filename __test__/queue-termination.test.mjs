// A Queue whose producer or consumer is terminated at any moment keeps
// working: a thread terminated between claiming its slot and storing its
// stamp leaves its step in its step record, and the next thread stuck at
// that slot has it finished (src/ring/stranded.rs). Before, about 2-7% of
// such terminations wedged the queue for good.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from '../index.mjs';
import { spawn, flags, waitFor, bounded } from './helpers.mjs';

const ROUNDS = 60; // per role
const CAP = 8;

/** Null when `q` still moves values through every slot, else what failed. */
function stuck(q) {
  while (q.tryPop() !== undefined); // what the victim and its partner left (and a rescued push)
  try {
    for (let lap = 0; lap < 3; lap++) {
      for (let j = 0; j < CAP; j++) if (!q.tryPush(1000 + j)) return `tryPush failed at slot ${j} of lap ${lap}`;
      for (let j = 0; j < CAP; j++) {
        const v = q.tryPop();
        if (v !== 1000 + j) return `tryPop gave ${v} at slot ${j} of lap ${lap}`;
      }
      q.push(7, { timeout: 500 }); // shifts the slots by one
      const v = q.pop({ timeout: 500 });
      if (v !== 7) return `pop gave ${v}`;
    }
  } catch (err) {
    return `${err.code}: ${err.message}`;
  }
  return null;
}

for (const role of ['producer', 'consumer']) {
  test(`Queue: a ${role} terminated at a random moment (${ROUNDS} times) never wedges the queue`, async () => {
    const q = new Queue(Float64Array, CAP);
    const ctl = flags(3); // [0] pause asked, [1] paused, [2] stop
    // The other side, flat out, pausing while the queue is checked.
    const partner = spawn(({}, { q, ctl, role }) => {
      let ops = 0;
      while (Atomics.load(ctl, 2) === 0) {
        if (Atomics.load(ctl, 0) === 1) {
          Atomics.store(ctl, 1, 1);
          while (Atomics.load(ctl, 0) === 1 && Atomics.load(ctl, 2) === 0) Atomics.wait(ctl, 0, 1, 50);
          Atomics.store(ctl, 1, 0);
        } else if (role === 'producer' ? q.tryPop() !== undefined : q.tryPush(ops)) {
          ops++;
        }
      }
      return ops;
    }, { q, ctl, role });
    let failure = null;
    try {
      for (let r = 0; r < ROUNDS && failure === null; r++) {
        const started = flags(1);
        const victim = spawn(({}, { q, started, role }) => {
          Atomics.store(started, 0, 1);
          for (let i = 0; ; i++) {
            if (role === 'producer') q.tryPush(i);
            else q.tryPop();
          }
        }, { q, started, role });
        await waitFor(() => Atomics.load(started, 0) === 1, 'the victim to start');
        // Terminated early (its code still interpreted or baseline) or a little later.
        const until = performance.now() + (r % 2 === 0 ? Math.random() * 5 : 5 + Math.random() * 45);
        while (performance.now() < until);
        await bounded(victim.worker.terminate(), 10_000, 'terminate');
        Atomics.store(ctl, 0, 1);
        await waitFor(() => Atomics.load(ctl, 1) === 1, 'the partner to pause');
        const why = stuck(q);
        if (why !== null) failure = `round ${r}: ${why}`;
        Atomics.store(ctl, 0, 0);
        Atomics.notify(ctl, 0);
      }
    } finally {
      Atomics.store(ctl, 2, 1);
      Atomics.notify(ctl, 0);
    }
    assert.ok((await partner.result()) > 0, 'the partner moved values');
    assert.equal(failure, null, 'the queue kept working after every termination');
  });
}
