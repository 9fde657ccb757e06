import test from 'node:test';
import assert from 'node:assert/strict';
import { Mutex, errors } from '../index.mjs';
import { inspect } from 'node:util';
import { spawn, flags, waitFor, bounded } from './helpers.mjs';

// The holder locks, says so, then dies in the way under test. A worker blocked
// in lock() and an async waiter on the main thread must both wake soon after
// the death (within 2 s, far below their 10 s timeouts, so a loaded machine
// passes but a waiter that only gave up would not) with OwnerDiedError,
// holding the lock in turn.
const holderBody = ({}, { m, f, times, how }) => {
  m.lock({ timeout: 10_000 });
  Atomics.store(f, 0, 1);
  Atomics.notify(f, 0);
  Atomics.wait(f, 1, 0, 10_000); // until the main thread says "die"
  Atomics.store(times, 0, BigInt(Date.now()));
  if (how === 'exception') throw new Error('the holder crashes');
  if (how === 'exit') process.exit(3);
  setInterval(() => {}, 1000); // 'terminate': stay alive until killed
};

const waiters = (m) => Number(/waiters: (\d+)/.exec(inspect(m))[1]);

const waiterBody = ({}, { m }) => {
  try {
    m.lock({ timeout: 10_000 }).unlock();
    return { code: 'none' };
  } catch (err) {
    const wake = Date.now();
    if (err.guard) err.guard.unlock();
    return { code: err.code, wake, hasGuard: !!err.guard };
  }
};

for (const how of ['terminate', 'exception', 'exit']) {
  test(`owner death by ${how}: waiters wake soon after with OwnerDiedError`, async () => {
    const m = new Mutex();
    const f = flags();
    const times = new BigInt64Array(new SharedArrayBuffer(8));
    const holder = spawn(holderBody, { m, f, times, how });
    await waitFor(() => Atomics.load(f, 0) !== 0, 'Atomics.load(f, 0) !== 0');
    const waiter = spawn(waiterBody, { m });
    await waitFor(() => waiters(m) === 1, 'the worker to block in lock()');
    const mainWaiter = m.lockAsync({ timeout: 10_000 }).then(
      (g) => (g.unlock(), { code: 'none' }),
      (err) => {
        const wake = Date.now();
        if (err.guard) err.guard.unlock();
        return { code: err.code, wake, isOwnerDied: err instanceof errors.OwnerDiedError };
      },
    );
    assert.equal(waiters(m), 2, 'both waiters queued');
    const killedAt = Date.now();
    Atomics.store(f, 1, 1);
    Atomics.notify(f, 1);
    if (how === 'terminate') await bounded(holder.worker.terminate(), 10_000, 'terminate()');
    const exit = await holder.exited();
    if (how === 'exception') assert.match(String(exit.error), /the holder crashes/);
    if (how === 'exit') assert.equal(exit.code, 3);
    const death = how === 'terminate' ? killedAt : Number(times[0]);
    const [w, mw] = await Promise.all([waiter.result(), bounded(mainWaiter, 15_000, 'lockAsync')]);
    assert.equal(w.code, 'ERR_SHMKIT_OWNER_DIED');
    assert.equal(w.hasGuard, true);
    assert.equal(mw.code, 'ERR_SHMKIT_OWNER_DIED');
    assert.equal(mw.isOwnerDied, true);
    for (const wake of [w.wake, mw.wake]) {
      if (process.env.SHMKIT_TEST_VERBOSE) console.log(`${how}: woke after ${wake - death} ms`);
      assert.ok(wake - death < 2_000, `a waiter woke ${wake - death} ms after the death`);
    }
    // Still poisoned for later lockers until clearPoison().
    assert.equal(m.isPoisoned, true);
    assert.equal(m.isLocked, false);
    assert.throws(() => m.lock({ timeout: 10_000 }), (e) => e instanceof errors.OwnerDiedError && e.guard.locked && (e.guard.unlock(), true));
    assert.throws(() => m.withLock(() => 1, { timeout: 10_000 }), { code: 'ERR_SHMKIT_OWNER_DIED' });
    assert.equal(m.isLocked, false, 'withLock released the lock it could not hand to fn');
    m.clearPoison();
    assert.equal(m.isPoisoned, false);
    assert.equal(m.withLock(() => 7), 7);
  });
}

test('a lock left held by an exited worker is taken over by the next locker', async () => {
  const m = new Mutex();
  const w = spawn(({}, { m }) => {
    m.lock({ timeout: 10_000 });
    return 'leaving while holding the lock';
  }, { m });
  assert.equal(await w.result(), 'leaving while holding the lock');
  assert.equal(m.isLocked, true);
  let guard = null;
  assert.throws(() => m.tryLock(), (err) => {
    guard = err.guard;
    return err.code === 'ERR_SHMKIT_OWNER_DIED';
  });
  assert.equal(guard.locked, true, 'tryLock took the lock over and holds it');
  assert.equal(m.isLocked, true);
  guard.unlock();
  assert.equal(m.isLocked, false);
});

// A blocked waiter that has waited less than 0.5 ms is not handed the lock
// at unlock: it is woken to try again (RETRY). Woken so just as its worker is
// terminated, it used to take the lock on its way out, and the next locker
// found it held by a dead thread (a false OwnerDiedError: the worker's code
// never held it). Now it gives the lock back. The unlock always comes after
// terminate(), so the worker's code never holds the lock. The timing varies
// from round to round (before the fix, one round in four to six hit the
// window here; on a slow machine more rounds miss it, and pass either way).
test('a blocked waiter woken to retry as its worker is terminated does not keep the lock', async () => {
  const waiterBody = ({}, { m, f }) => {
    Atomics.store(f, 0, 1);
    try {
      m.lock({ timeout: 10_000 });
      setInterval(() => {}, 1000);
    } catch {
      // terminated, or timed out (the test failed already)
    }
  };
  const spinUs = (us) => {
    const end = process.hrtime.bigint() + BigInt(Math.round(us * 1000));
    while (process.hrtime.bigint() < end);
  };
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const falsePoisons = [];
  for (let round = 0; round < 40; round++) {
    const m = new Mutex();
    const f = flags();
    let g = m.lock();
    const w = spawn(waiterBody, { m, f });
    try {
      await waitFor(() => Atomics.load(f, 0) === 1, 'the worker to start locking');
      const until = Date.now() + 5_000;
      while (waiters(m) < 1 && Date.now() < until);
      assert.equal(waiters(m), 1, 'the worker blocks in lock()');
      spinUs(rnd() * 30);
      const terminated = w.worker.terminate();
      spinUs(rnd() * 50);
      g.unlock(); // the worker has waited < 0.5 ms: woken to retry (usually)
      g = null;
      await bounded(terminated, 10_000, 'terminate()');
      let code = 'none';
      try {
        m.lock({ timeout: 5_000 }).unlock();
      } catch (err) {
        code = err.code;
        if (err.guard) err.guard.unlock();
      }
      if (code === 'ERR_SHMKIT_OWNER_DIED') falsePoisons.push(round);
      else assert.equal(code, 'none', `round ${round}`);
      assert.equal(m.isLocked, false);
      assert.equal(waiters(m), 0);
    } finally {
      if (g !== null) g.unlock();
      await bounded(w.worker.terminate(), 10_000, 'terminate()');
    }
  }
  assert.deepEqual(falsePoisons, [], 'rounds where the lock came back poisoned though the worker never held it');
});
