import test from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Mutex, Condvar, errors } from '../index.mjs';
import { spawn, flags, bounded, waitFor } from './helpers.mjs';

test('bounded producer-consumer (Mutex + two Condvars): 100,000 items, each delivered once', async () => {
  const ITEMS = 100_000;
  const CAP = 64;
  const lock = new Mutex();
  const notFull = new Condvar();
  const notEmpty = new Condvar();
  // ring: [head, tail, count, done producers], then CAP slots
  const ring = new Int32Array(new SharedArrayBuffer(4 * (4 + CAP)));
  const seen = new Uint8Array(new SharedArrayBuffer(ITEMS + 1));
  const shared = { lock, notFull, notEmpty, ring, seen, CAP };
  const producer = (first, last) =>
    spawn(
      async ({}, { lock, notFull, notEmpty, ring, CAP, first, last, useAsync }) => {
        for (let item = first; item <= last; item++) {
          const g = useAsync && item % 7 === 0 ? await lock.lockAsync({ timeout: 10_000 }) : lock.lock({ timeout: 10_000 });
          const room =
            useAsync && item % 7 === 0
              ? await notFull.waitWhileAsync(g, () => ring[2] === CAP, { timeout: 10_000 })
              : notFull.waitWhile(g, () => ring[2] === CAP, { timeout: 10_000 });
          if (!room) throw new Error('producer starved');
          ring[4 + ring[1]] = item;
          ring[1] = (ring[1] + 1) % CAP;
          ring[2]++;
          notEmpty.notifyOne();
          g.unlock();
        }
        lock.withLock(() => {
          ring[3]++;
          notEmpty.notifyAll();
        }, { timeout: 10_000 });
        return 'produced';
      },
      { ...shared, first, last, useAsync: first === 1 },
    );
  const consumer = (useAsync) =>
    spawn(
      async ({}, { lock, notFull, notEmpty, ring, seen, CAP, useAsync }) => {
        let got = 0;
        for (;;) {
          const g = lock.lock({ timeout: 10_000 });
          const ready = () => ring[2] > 0 || ring[3] === 2;
          const woke =
            useAsync && got % 5 === 0
              ? await notEmpty.waitWhileAsync(g, () => !ready(), { timeout: 10_000 })
              : notEmpty.waitWhile(g, () => !ready(), { timeout: 10_000 });
          if (!woke) throw new Error('consumer starved');
          if (ring[2] === 0) {
            g.unlock();
            return got; // producers done and nothing left
          }
          const item = ring[4 + ring[0]];
          ring[0] = (ring[0] + 1) % CAP;
          ring[2]--;
          notFull.notifyOne();
          g.unlock();
          seen[item]++;
          got++;
        }
      },
      { ...shared, useAsync },
    );
  const workers = [producer(1, ITEMS / 2), producer(ITEMS / 2 + 1, ITEMS), consumer(false), consumer(true)];
  const results = await Promise.all(workers.map((w) => w.result(120_000)));
  assert.deepEqual(results.slice(0, 2), ['produced', 'produced']);
  assert.equal(results[2] + results[3], ITEMS, `consumers got ${results[2]} + ${results[3]}`);
  let missing = 0;
  let twice = 0;
  for (let i = 1; i <= ITEMS; i++) {
    if (seen[i] === 0) missing++;
    if (seen[i] > 1) twice++;
  }
  assert.equal(missing, 0, 'no item lost');
  assert.equal(twice, 0, 'no item delivered twice');
  assert.equal(ring[2], 0);
});

test('no lost wake-up: 10,000 strict hand-offs where notify races the wait', async () => {
  const lock = new Mutex();
  const cv = new Condvar();
  const turn = new Int32Array(new SharedArrayBuffer(4));
  const side = (me, other, useAsync) =>
    spawn(
      async ({}, { lock, cv, turn, me, other, useAsync }) => {
        for (let i = 0; i < 5_000; i++) {
          const g = useAsync ? await lock.lockAsync({ timeout: 10_000 }) : lock.lock({ timeout: 10_000 });
          while (turn[0] !== me) {
            // A wait that is notified returns true; a lost wake-up would time out.
            const notified = useAsync ? await cv.waitAsync(g, { timeout: 5_000 }) : cv.wait(g, { timeout: 5_000 });
            if (!notified && turn[0] !== me) throw new Error(`lost wake-up at round ${i}`);
          }
          turn[0] = other;
          cv.notifyOne(); // the other side may be between its unlock and its sleep
          g.unlock();
        }
        return 'ok';
      },
      { lock, cv, turn, me, other, useAsync },
    );
  const a = side(0, 1, false);
  const b = side(1, 0, true);
  assert.deepEqual(await Promise.all([a.result(60_000), b.result(60_000)]), ['ok', 'ok']);
});

test('wait returns false on timeout and holds the mutex again; notify counts', async () => {
  const m = new Mutex();
  const cv = new Condvar();
  const g = m.lock();
  assert.equal(cv.wait(g, { timeout: 10 }), false);
  assert.equal(m.isLocked, true);
  assert.equal(g.locked, true);
  assert.equal(await cv.waitAsync(g, { timeout: 10 }), false);
  assert.equal(m.isLocked, true);
  assert.equal(cv.waitWhile(g, () => true, { timeout: 10 }), false);
  assert.equal(cv.waitWhile(g, () => false), true);
  assert.equal(cv.notifyOne(), 0);
  assert.equal(cv.notifyAll(), 0);
  g.unlock();
  // Three async waiters on this thread, each with its own hold of the mutex.
  const woken = [];
  const waiters = [1, 2, 3].map(async (i) => {
    const gi = await m.lockAsync({ timeout: 5_000 });
    const notified = await cv.waitAsync(gi, { timeout: 5_000 }); // false if it timed out instead
    woken.push([i, notified]);
    gi.unlock();
  });
  await waitFor(() => native(cv) >= 3, 'native(cv) >= 3');
  assert.match(inspect(cv), /waiters: 3/);
  assert.equal(cv.notifyOne(), 1);
  assert.equal(cv.notifyAll(), 2);
  assert.equal(native(cv), 0, 'the notifies took all three off the queue');
  await bounded(Promise.all(waiters), 10_000, 'the three waiters');
  assert.deepEqual(woken.sort(), [[1, true], [2, true], [3, true]], 'each wait was notified, not timed out');
  assert.equal(m.isLocked, false);
});

function native(cv) {
  return Number(/waiters: (\d+)/.exec(inspect(cv))[1]);
}

test('abort rejects with the reason after reacquiring the mutex', async () => {
  const m = new Mutex();
  const cv = new Condvar();
  const g = await bounded(m.lockAsync({ timeout: 5_000 }), 10_000, 'lockAsync');
  const ac = new AbortController();
  const p = cv.waitAsync(g, { signal: ac.signal, timeout: 10_000 });
  await waitFor(() => native(cv) === 1, 'the wait to queue');
  ac.abort(new Error('enough'));
  await assert.rejects(p, /enough/);
  assert.equal(m.isLocked, true, 'the mutex is held again');
  assert.equal(g.locked, true);
  // Any abort reason, even null, still reacquires the mutex.
  const ac2 = new AbortController();
  const p2 = cv.waitAsync(g, { signal: ac2.signal, timeout: 10_000 });
  ac2.abort(null);
  await assert.rejects(p2, (e) => e === null);
  assert.equal(m.isLocked, true);
  g.unlock();
  assert.match(inspect(cv), /waiters: 0/);
});

test('the guard must be held; wait on another thread wakes on notify', async () => {
  const m = new Mutex();
  const cv = new Condvar();
  const g = m.lock();
  g.unlock();
  assert.throws(() => cv.wait(g), { code: 'ERR_SHMKIT_NOT_OWNER' });
  assert.throws(() => cv.wait({}), { code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(cv.waitAsync(g), { code: 'ERR_SHMKIT_NOT_OWNER' });
  const f = flags();
  const w = spawn(({}, { m, cv, f }) => {
    const g = m.lock({ timeout: 10_000 });
    const ok = cv.waitWhile(g, () => Atomics.load(f, 1) === 0, { timeout: 10_000 });
    g.unlock();
    return ok;
  }, { m, cv, f });
  await waitFor(() => native(cv) === 1, 'the worker to wait');
  const woke = await bounded(
    m.withLockAsync(() => {
      Atomics.store(f, 1, 1);
      return cv.notifyAll();
    }, { timeout: 10_000 }),
    10_000,
    'withLockAsync',
  );
  assert.equal(woke, 1, 'the notify reached the waiting worker');
  assert.equal(await w.result(), true);
});

test("a dead mutex holder reaches a condvar waiter as the mutex's OwnerDiedError", async () => {
  const m = new Mutex();
  const cv = new Condvar();
  const waiter = spawn(({}, { m, cv }) => {
    const g = m.lock({ timeout: 10_000 });
    try {
      cv.wait(g, { timeout: 10_000 });
      return 'no error';
    } catch (err) {
      const held = err.guard === g && g.locked;
      g.unlock();
      return `${err.code} held=${held}`;
    }
  }, { m, cv });
  await waitFor(() => native(cv) === 1, 'the worker to wait');
  const killer = spawn(({}, { m, cv }) => {
    m.lock({ timeout: 10_000 });
    cv.notifyAll();
    throw new Error('dies holding the mutex');
  }, { m, cv });
  const exit = await killer.exited();
  assert.match(String(exit.error), /dies holding/);
  assert.equal(await waiter.result(), 'ERR_SHMKIT_OWNER_DIED held=true');
  assert.equal(m.isPoisoned, true);
  assert.ok(errors.OwnerDiedError);
});
