import test from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Semaphore, errors } from '../index.mjs';
import { spawn, flags, sleep, bounded, rejectsWithCode, waitFor } from './helpers.mjs';

const waiters = (s) => Number(/waiters: (\d+)/.exec(inspect(s))[1]);

for (const k of [1, 2]) {
  test(`a Semaphore of ${k} permit${k === 1 ? ' never lets two in: a plain counter it guards loses no update' : 's never lets more than 2 in, and does let 2 in'}`, async () => {
    const sem = new Semaphore(k);
    const stats = new Int32Array(new SharedArrayBuffer(12)); // [inside, peak, plain counter]
    const workers = Array.from({ length: 4 }, (_, i) =>
      spawn(
        async (_s, { sem, stats, form }) => {
          for (let j = 0; j < 5_000; j++) {
            if (form === 'async' && j % 10 === 0) await sem.acquireAsync({ timeout: 10_000 });
            else if (form === 'try') {
              // Spinning on tryAcquire, with a deadline: many takes at the
              // moment a permit comes back, the race a lost update needs.
              for (const until = Date.now() + 10_000; !sem.tryAcquire(); ) if (Date.now() > until) throw new Error('no permit within 10 s');
            } else sem.acquire({ timeout: 10_000 });
            const inside = Atomics.add(stats, 0, 1) + 1;
            let peak = Atomics.load(stats, 1);
            while (inside > peak) peak = Atomics.compareExchange(stats, 1, peak, inside) === peak ? inside : Atomics.load(stats, 1);
            // Read, hold the permit a while (so that a second thread let in
            // by a lost update is in here too), then write back: deliberately
            // not atomic, as with k = 1 the permit alone must protect it.
            const plain = stats[2];
            for (let spin = 0; spin < 2_000; spin++) Atomics.load(stats, 0);
            stats[2] = plain + 1;
            Atomics.sub(stats, 0, 1);
            sem.release();
          }
          return 'ok';
        },
        { sem, stats, form: ['sync', 'async', 'try', 'try'][i] },
      ),
    );
    assert.deepEqual(await Promise.all(workers.map((w) => w.result(60_000))), ['ok', 'ok', 'ok', 'ok']);
    assert.equal(stats[1], k, `peak inside was ${stats[1]}`);
    if (k === 1) assert.equal(stats[2], 20_000, 'no increment made under the permit was lost');
    assert.equal(sem.available, k);
  });
}

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
  const p = s.acquireAsync(1, { signal: ac.signal, timeout: 10_000 });
  ac.abort(new Error('nope'));
  await assert.rejects(p, /nope/);
  await assert.rejects(s.withPermitAsync(() => 1, { timeout: 10 }), { code: 'ERR_SHMKIT_TIMEOUT' });
  assert.equal(inspect(s), `Semaphore { available: 0, max: ${Semaphore.MAX_PERMITS}, waiters: 0 }`);
  // A waiter from another worker gets the permits we release.
  const w = spawn(({}, { s }) => {
    s.acquire(2, { timeout: 10_000 });
    return 'got 2';
  }, { s });
  await waitFor(() => waiters(s) === 1, 'the worker to queue for 2 permits');
  s.release();
  await sleep(50); // time for a wrong hand-off to show
  assert.equal(s.available, 1, 'one permit is not enough for the 2-permit waiter...');
  assert.equal(waiters(s), 1, '...which stays queued');
  s.release();
  assert.equal(await w.result(), 'got 2');
  assert.equal(s.available, 0);
});

test('a waiter for several permits is not starved by single-permit churn: once it queues, churners queue behind it', async () => {
  const s = new Semaphore(2);
  const stop = flags(); // [stop, entries of churner 0, entries of churner 1]
  const churners = Array.from({ length: 2 }, (_, i) =>
    spawn(
      ({}, { s, stop, i }) => {
        let n = 0;
        for (const until = Date.now() + 30_000; Atomics.load(stop, 0) === 0; ) {
          if (Date.now() > until) throw new Error('never told to stop');
          s.acquire(1, { timeout: 10_000 });
          n++;
          Atomics.add(stop, 1 + i, 1);
          // Hold it 0.2 ms: with both churners in, the two permits are
          // (almost) never free together, so only FIFO lets the big waiter in.
          const t = performance.now() + 0.2;
          while (performance.now() < t);
          s.release(1);
        }
        return n;
      },
      { s, stop, i },
    ),
  );
  const entries = () => Atomics.load(stop, 1) + Atomics.load(stop, 2);
  // Both churners must be running before the big waiter asks.
  await waitFor(() => Atomics.load(stop, 1) >= 100 && Atomics.load(stop, 2) >= 100, 'both churners to run');
  let queued = 0;
  for (let round = 0; round < 20; round++) {
    const p = s.acquireAsync(2, { timeout: 10_000 }).then(entries);
    const before = entries(); // the waiter has queued (within the call) by now
    if (waiters(s) === 1) queued++; // (it queued, rather than found both permits free)
    const passed = (await p) - before;
    // Queued, it is served before any acquire made after it: each churner
    // counts at most the one permit it took before.
    assert.ok(passed <= 2, `round ${round}: churners got in ${passed} times while the 2-permit waiter waited`);
    s.release(2);
    await waitFor(() => entries() >= before + passed + 10, 'the churners to go on');
  }
  Atomics.store(stop, 0, 1);
  const counts = await Promise.all(churners.map((c) => c.result()));
  assert.ok(queued > 0, 'in some round the 2-permit waiter had to queue');
  assert.ok(counts.every((n) => n > 0), `churners ran: ${counts}`);
  assert.equal(s.available, 2);
});

test('async waiters are served in order', async () => {
  const s = new Semaphore(0);
  const order = [];
  const all = [3, 1, 2].map((n) => s.acquireAsync(n, { timeout: 10_000 }).then(() => order.push(n)));
  assert.equal(waiters(s), 3);
  s.release(1); // not enough for the first (3): nobody passes it
  await sleep(20); // time for a wrong grant to settle
  assert.deepEqual(order, []);
  assert.equal(waiters(s), 3, 'all three still queued');
  s.release(5); // 3, then 1, then 2
  await bounded(Promise.all(all), 10_000, 'the three async acquires');
  assert.deepEqual(order, [3, 1, 2]);
  assert.equal(s.available, 0);
});
