import test from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Barrier, Latch, errors } from '../index.mjs';
import { createRequire } from 'node:module';
import { spawn, flags, bounded, rejectsWithCode, waitFor } from './helpers.mjs';

const native = createRequire(import.meta.url)('../lib/binding.js');
/** Waiters parked on the object now (a wake takes them off at once). */
const parked = (obj) => native.waiterCount(new Int32Array(obj.buffer, obj.byteOffset, obj.constructor.byteLength / 4));

test('Barrier: 4 workers, 1,000 generations, exactly one leader each', async () => {
  const GENERATIONS = 1_000;
  const barrier = new Barrier(4);
  const leaders = new Int32Array(new SharedArrayBuffer(4 * GENERATIONS));
  const arrivals = new Int32Array(new SharedArrayBuffer(4 * GENERATIONS));
  const workers = Array.from({ length: 4 }, (_, i) =>
    spawn(
      async ({}, { barrier, leaders, arrivals, useAsync, GENERATIONS }) => {
        for (let g = 0; g < GENERATIONS; g++) {
          Atomics.add(arrivals, g, 1);
          const { isLeader } = useAsync && g % 10 === 0 ? await barrier.waitAsync({ timeout: 10_000 }) : barrier.wait({ timeout: 10_000 });
          // Past the barrier, every party of generation g has arrived.
          if (Atomics.load(arrivals, g) !== 4) throw new Error(`generation ${g} passed with ${arrivals[g]} arrivals`);
          if (isLeader) Atomics.add(leaders, g, 1);
        }
        return 'ok';
      },
      { barrier, leaders, arrivals, useAsync: i === 3, GENERATIONS },
    ),
  );
  assert.deepEqual(await Promise.all(workers.map((w) => w.result(120_000))), ['ok', 'ok', 'ok', 'ok']);
  const wrong = [...leaders].map((n, g) => [g, n]).filter(([, n]) => n !== 1);
  assert.deepEqual(wrong, [], 'generations without exactly one leader');
  assert.equal(barrier.waiting, 0);
  assert.equal(barrier.isBroken, false);
});

test('Barrier: a party that times out breaks it for the others, until reset()', async () => {
  const barrier = new Barrier(3);
  const patient = spawn(({}, { barrier }) => {
    try {
      barrier.wait({ timeout: 10_000 });
      return 'passed';
    } catch (err) {
      return err.code;
    }
  }, { barrier });
  await waitFor(() => barrier.waiting === 1, 'the patient party to arrive');
  const t = Date.now();
  await rejectsWithCode(assert, () => barrier.waitAsync({ timeout: 30 }), 'ERR_SHMKIT_TIMEOUT');
  assert.equal(await patient.result(), 'ERR_SHMKIT_BARRIER_BROKEN');
  assert.ok(Date.now() - t < 5_000);
  assert.equal(barrier.isBroken, true);
  assert.throws(() => barrier.wait({ timeout: 10_000 }), (e) => e instanceof errors.BarrierBrokenError);
  barrier.reset();
  assert.equal(barrier.isBroken, false);
  // Usable again: three parties meet.
  const others = [0, 1].map(() => spawn(({}, { barrier }) => barrier.wait({ timeout: 10_000 }).isLeader, { barrier }));
  const mine = barrier.wait({ timeout: 10_000 }).isLeader;
  const all = [mine, ...(await Promise.all(others.map((o) => o.result())))];
  assert.equal(all.filter(Boolean).length, 1);
  // An abort breaks it too.
  const ac = new AbortController();
  const p = barrier.waitAsync({ signal: ac.signal, timeout: 10_000 });
  ac.abort(new Error('bye'));
  await assert.rejects(p, /bye/);
  assert.equal(barrier.isBroken, true);
  assert.match(inspect(barrier), /broken: true/);
});

test('Barrier: the last arrival, and reset(), wake the parked parties at once', async () => {
  const b = new Barrier(3);
  const party = () =>
    spawn(({}, { b }) => {
      try {
        return b.wait({ timeout: 10_000 }).isLeader;
      } catch (err) {
        return err.code;
      }
    }, { b });
  let parties = [party(), party()];
  await waitFor(() => parked(b) === 2, 'two parties to park');
  assert.deepEqual(b.wait({ timeout: 10_000 }), { isLeader: true }, 'the last to arrive leads');
  assert.equal(parked(b), 0, 'its arrival woke both');
  assert.deepEqual(await Promise.all(parties.map((p) => p.result())), [false, false]);
  parties = [party(), party()];
  await waitFor(() => parked(b) === 2, 'two parties of the next generation to park');
  b.reset();
  assert.equal(parked(b), 0, 'reset() woke both');
  assert.deepEqual(await Promise.all(parties.map((p) => p.result())), ['ERR_SHMKIT_BARRIER_BROKEN', 'ERR_SHMKIT_BARRIER_BROKEN']);
  assert.equal(b.isBroken, false, 'and opened a fresh generation');
});

test('Barrier of one party always leads', () => {
  const b = new Barrier(1);
  assert.deepEqual(b.wait({ timeout: 10_000 }), { isLeader: true });
  assert.equal(b.parties, 1);
});

test('Latch: counted down by several workers; the last count wakes the parked waiters at once', async () => {
  const latch = new Latch(7);
  const go = flags();
  const blocked = spawn(({}, { latch }) => {
    latch.wait({ timeout: 10_000 });
    return latch.count;
  }, { latch });
  const mainWait = latch.waitAsync({ timeout: 10_000 }).then(() => latch.count);
  const counters = [0, 1, 2].map(() =>
    spawn(({}, { latch, go }) => {
      Atomics.wait(go, 0, 0, 10_000);
      latch.countDown();
      latch.countDown(1);
      return 'counted';
    }, { latch, go }),
  );
  // Both waiters parked (the worker's blocking wait, this thread's async one).
  await waitFor(() => parked(latch) === 2, 'both waiters to park');
  assert.equal(latch.tryWait(), false);
  assert.equal(latch.count, 7);
  Atomics.store(go, 0, 1);
  Atomics.notify(go, 0);
  assert.deepEqual(await Promise.all(counters.map((c) => c.result())), ['counted', 'counted', 'counted']);
  assert.equal(latch.count, 1);
  assert.match(inspect(latch), /count: 1, waiters: 2/, 'not released yet: both still parked');
  latch.countDown(); // the last count
  assert.match(inspect(latch), /count: 0, waiters: 0/, 'it woke both');
  assert.equal(await bounded(mainWait, 10_000, 'waitAsync'), 0);
  assert.equal(await blocked.result(), 0);
  assert.equal(latch.tryWait(), true);
  latch.wait({ timeout: 10_000 }); // released: returns at once
  await latch.waitAsync({ timeout: 10_000 });
  assert.match(inspect(latch), /count: 0, waiters: 0/);
});

test('Latch: counting below zero is ERR_OUT_OF_RANGE and changes nothing; timeouts', async () => {
  const latch = new Latch(2);
  assert.throws(() => latch.countDown(3), (e) => e instanceof RangeError && e.code === 'ERR_OUT_OF_RANGE');
  assert.equal(latch.count, 2);
  assert.throws(() => latch.wait({ timeout: 10 }), { code: 'ERR_SHMKIT_TIMEOUT' });
  await rejectsWithCode(assert, () => latch.waitAsync({ timeout: 10 }), 'ERR_SHMKIT_TIMEOUT');
  const ac = new AbortController();
  const p = latch.waitAsync({ signal: ac.signal, timeout: 10_000 });
  ac.abort('why');
  await assert.rejects(p, (e) => e === 'why');
  latch.countDown(2);
  assert.throws(() => latch.countDown(), { code: 'ERR_OUT_OF_RANGE' });
  latch.countDown(0);
  assert.equal(new Latch(0).tryWait(), true);
});
