import test from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Semaphore, errors } from '../index.mjs';
import { spawn, flags, sleep, rejectsWithCode, waitFor } from './helpers.mjs';

test('a Semaphore of k permits never lets more than k in', async () => {
  const k = 2;
  const sem = new Semaphore(k);
  const stats = new Int32Array(new SharedArrayBuffer(12)); // [inside, peak, entries]
  const workers = Array.from({ length: 4 }, (_, i) =>
    spawn(
      async (_s, { sem, stats, async }) => {
        for (let j = 0; j < 5_000; j++) {
          if (async && j % 10 === 0) await sem.acquireAsync();
          else sem.acquire();
          const inside = Atomics.add(stats, 0, 1) + 1;
          let peak = Atomics.load(stats, 1);
          while (inside > peak) peak = Atomics.compareExchange(stats, 1, peak, inside) === peak ? inside : Atomics.load(stats, 1);
          Atomics.add(stats, 2, 1);
          for (let spin = 0; spin < 50; spin++); // stay inside a little
          Atomics.sub(stats, 0, 1);
          sem.release();
        }
        return 'ok';
      },
      { sem, stats, async: i % 2 === 1 },
    ),
  );
  for (const w of workers) assert.equal(await w.result(60_000), 'ok');
  assert.equal(stats[2], 20_000, 'every acquire got in');
  assert.ok(stats[1] <= k, `peak inside was ${stats[1]}`);
  assert.equal(sem.available, k);
});

test('counting, limits and try forms', () => {
  const s = new Semaphore(2, { max: 3 });
  assert.equal(s.available, 2);
  assert.equal(s.max, 3);
  assert.equal(s.tryAcquire(2), true);
  assert.equal(s.tryAcquire(), false);
  s.release(3);
  assert.equal(s.available, 3);
  assert.throws(() => s.release(), (e) => e instanceof RangeError && e.code === 'ERR_OUT_OF_RANGE');
  assert.equal(s.available, 3, 'a refused release changes nothing');
  s.acquire(3, { timeout: 0 });
  assert.equal(s.available, 0);
  s.release(3);
  assert.equal(s.withPermit(() => s.available), 2);
  assert.equal(s.available, 3);
  assert.equal(inspect(s), 'Semaphore { available: 3, max: 3, waiters: 0 }');
  const unbounded = new Semaphore(0);
  assert.equal(unbounded.max, Semaphore.MAX_PERMITS);
  unbounded.release(1000);
  assert.equal(unbounded.available, 1000);
});

test('timeouts and aborts, sync and async', async () => {
  const s = new Semaphore(0);
  let t = Date.now();
  assert.throws(() => s.acquire({ timeout: 30 }), (e) => e instanceof errors.TimeoutError);
  assert.ok(Date.now() - t >= 25);
  t = Date.now();
  await rejectsWithCode(assert, () => s.acquireAsync(1, { timeout: 30 }), 'ERR_SHMKIT_TIMEOUT');
  assert.ok(Date.now() - t >= 25);
  const ac = new AbortController();
  const p = s.acquireAsync(1, { signal: ac.signal });
  ac.abort(new Error('nope'));
  await assert.rejects(p, /nope/);
  await assert.rejects(s.withPermitAsync(() => 1, { timeout: 10 }), { code: 'ERR_SHMKIT_TIMEOUT' });
  assert.equal(inspect(s), `Semaphore { available: 0, max: ${Semaphore.MAX_PERMITS}, waiters: 0 }`);
  // A waiter from another worker gets the permit we release.
  const f = flags();
  const w = spawn(({}, { s, f }) => {
    Atomics.store(f, 0, 1);
    s.acquire(2, { timeout: 10_000 });
    return 'got 2';
  }, { s, f });
  await waitFor(() => Atomics.load(f, 0) !== 0, 'Atomics.load(f, 0) !== 0');
  await sleep(20);
  s.release();
  await sleep(20);
  assert.equal(s.available, 1, 'one permit is not enough for the 2-permit waiter, which stays queued');
  s.release();
  assert.equal(await w.result(), 'got 2');
  assert.equal(s.available, 0);
});

test('a waiter for several permits is not starved by single-permit churn', async () => {
  const s = new Semaphore(2);
  const stop = flags();
  const churners = Array.from({ length: 2 }, (_, i) =>
    spawn(
      ({}, { s, stop, i }) => {
        let n = 0;
        while (Atomics.load(stop, 0) === 0) {
          s.acquire(1, { timeout: 5_000 });
          n++;
          Atomics.add(stop, 1 + i, 1);
          s.release(1);
        }
        return n;
      },
      { s, stop, i },
    ),
  );
  // Both churners must be running before the big waiter asks.
  for (let t = Date.now(); Atomics.load(stop, 1) < 1_000 || Atomics.load(stop, 2) < 1_000; ) {
    if (Date.now() - t > 10_000) throw new Error('the churners did not start');
    await sleep(1);
  }
  const t = Date.now();
  await s.acquireAsync(2, { timeout: 5_000 });
  const waited = Date.now() - t;
  s.release(2);
  Atomics.store(stop, 0, 1);
  const counts = [await churners[0].result(), await churners[1].result()];
  assert.ok(waited < 1_000, `the 2-permit waiter waited ${waited} ms`);
  assert.ok(counts.every((n) => n > 0), `churners ran: ${counts}`);
  assert.equal(s.available, 2);
});

test('async waiters are served in order', async () => {
  const s = new Semaphore(0);
  const order = [];
  const all = [3, 1, 2].map((n) => s.acquireAsync(n).then(() => order.push(n)));
  await sleep(5);
  s.release(1); // not enough for the first (3): nobody passes it
  await sleep(5);
  assert.deepEqual(order, []);
  s.release(5); // 3, then 1, then 2
  await Promise.all(all);
  assert.deepEqual(order, [3, 1, 2]);
  assert.equal(s.available, 0);
});
