import test from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Barrier, Latch, errors } from '../index.mjs';
import { spawn, flags, sleep, rejectsWithCode, waitFor } from './helpers.mjs';

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
  const f = flags();
  const patient = spawn(({}, { barrier, f }) => {
    Atomics.store(f, 0, 1);
    try {
      barrier.wait({ timeout: 10_000 });
      return 'passed';
    } catch (err) {
      return err.code;
    }
  }, { barrier, f });
  await waitFor(() => Atomics.load(f, 0) !== 0, 'Atomics.load(f, 0) !== 0');
  await sleep(10);
  const t = Date.now();
  await rejectsWithCode(assert, () => barrier.waitAsync({ timeout: 30 }), 'ERR_SHMKIT_TIMEOUT');
  assert.equal(await patient.result(), 'ERR_SHMKIT_BARRIER_BROKEN');
  assert.ok(Date.now() - t < 5_000);
  assert.equal(barrier.isBroken, true);
  assert.throws(() => barrier.wait(), (e) => e instanceof errors.BarrierBrokenError);
  barrier.reset();
  assert.equal(barrier.isBroken, false);
  // Usable again: three parties meet.
  const others = [0, 1].map(() => spawn(({}, { barrier }) => barrier.wait({ timeout: 10_000 }).isLeader, { barrier }));
  const mine = barrier.wait({ timeout: 10_000 }).isLeader;
  const all = [mine, ...(await Promise.all(others.map((o) => o.result())))];
  assert.equal(all.filter(Boolean).length, 1);
  // An abort breaks it too.
  const ac = new AbortController();
  const p = barrier.waitAsync({ signal: ac.signal });
  ac.abort(new Error('bye'));
  await assert.rejects(p, /bye/);
  assert.equal(barrier.isBroken, true);
  assert.match(inspect(barrier), /broken: true/);
});

test('Barrier of one party always leads', () => {
  const b = new Barrier(1);
  assert.deepEqual(b.wait(), { isLeader: true });
  assert.equal(b.parties, 1);
});

test('Latch: released by counts from several workers', async () => {
  const latch = new Latch(6);
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
  await sleep(30);
  assert.equal(latch.tryWait(), false);
  assert.equal(latch.count, 6);
  Atomics.store(go, 0, 1);
  Atomics.notify(go, 0);
  await Promise.all(counters.map((c) => c.result()));
  assert.equal(await mainWait, 0);
  assert.equal(await blocked.result(), 0);
  assert.equal(latch.tryWait(), true);
  latch.wait(); // released: returns at once
  await latch.waitAsync();
  assert.match(inspect(latch), /count: 0, waiters: 0/);
});

test('Latch: counting below zero is ERR_OUT_OF_RANGE and changes nothing; timeouts', async () => {
  const latch = new Latch(2);
  assert.throws(() => latch.countDown(3), (e) => e instanceof RangeError && e.code === 'ERR_OUT_OF_RANGE');
  assert.equal(latch.count, 2);
  assert.throws(() => latch.wait({ timeout: 10 }), { code: 'ERR_SHMKIT_TIMEOUT' });
  await rejectsWithCode(assert, () => latch.waitAsync({ timeout: 10 }), 'ERR_SHMKIT_TIMEOUT');
  const ac = new AbortController();
  const p = latch.waitAsync({ signal: ac.signal });
  ac.abort('why');
  await assert.rejects(p, (e) => e === 'why');
  latch.countDown(2);
  assert.throws(() => latch.countDown(), { code: 'ERR_OUT_OF_RANGE' });
  latch.countDown(0);
  assert.equal(new Latch(0).tryWait(), true);
});
