import test from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { threadId } from 'node:worker_threads';
import { Mutex, MutexGuard, errors } from '../index.mjs';
import { spawn, flags, sleep, bounded, rejectsWithCode, waitFor } from './helpers.mjs';

test('N workers x K increments under a Mutex give exactly N*K', async () => {
  const N = 4;
  const K = 20_000;
  const lock = new Mutex();
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from({ length: N }, (_, i) =>
    spawn(
      async (_shmkit, { lock, counter, K, style }) => {
        for (let j = 0; j < K; j++) {
          if (style === 0) {
            const g = lock.lock({ timeout: 10_000 });
            counter[0] = counter[0] + 1; // deliberately not atomic: the lock must protect it
            g.unlock();
          } else if (style === 1) {
            lock.withLock(() => {
              counter[0] = counter[0] + 1;
            }, { timeout: 10_000 });
          } else if (j % 50 === 0) {
            const g = await lock.lockAsync({ timeout: 10_000 });
            counter[0] = counter[0] + 1;
            g.unlock();
          } else {
            const g = lock.lock({ timeout: 10_000 });
            counter[0] = counter[0] + 1;
            g[Symbol.dispose](); // what `using g = lock.lock()` does on newer Node
          }
        }
        return 'ok';
      },
      { lock, counter, K, style: i % 3 },
    ),
  );
  assert.deepEqual(await Promise.all(workers.map((w) => w.result(60_000))), Array(N).fill('ok'));
  assert.equal(counter[0], N * K);
  assert.equal(lock.isLocked, false);
});

test('tryLock, guards, double unlock', () => {
  const m = new Mutex();
  const g = m.tryLock();
  assert.ok(g instanceof MutexGuard);
  assert.equal(g.locked, true);
  assert.equal(m.isLocked, true);
  assert.equal(m.tryLock(), null, 'the holder itself cannot tryLock again');
  g.unlock();
  assert.equal(g.locked, false);
  assert.equal(m.isLocked, false);
  assert.throws(() => g.unlock(), (e) => e instanceof errors.NotOwnerError && e.code === 'ERR_SHMKIT_NOT_OWNER');
  g[Symbol.dispose](); // disposing a released guard is a no-op
  const g2 = m.lock();
  assert.equal(g2.mutex, m);
  assert.equal(m.isLocked, true);
  g2[Symbol.dispose]();
  assert.equal(m.isLocked, false);
  assert.equal(m.withLock(() => 42), 42);
  assert.throws(() => m.withLock(() => { throw new Error('boom'); }), /boom/);
  assert.equal(m.isLocked, false, 'withLock releases when fn throws');
});

test('tryLock fails while another worker holds the lock', async () => {
  const m = new Mutex();
  const f = flags();
  const holder = spawn(
    ({}, { m, f }) => {
      const g = m.lock({ timeout: 10_000 });
      Atomics.store(f, 0, 1);
      Atomics.notify(f, 0);
      Atomics.wait(f, 1, 0, 10_000);
      g.unlock();
      return 'released';
    },
    { m, f },
  );
  await waitFor(() => Atomics.load(f, 0) !== 0, 'Atomics.load(f, 0) !== 0');
  assert.equal(m.tryLock(), null);
  assert.equal(m.isLocked, true);
  Atomics.store(f, 1, 1);
  Atomics.notify(f, 1);
  assert.equal(await holder.result(), 'released');
  const g = m.tryLock();
  assert.ok(g);
  g.unlock();
});

test('blocking lock waits for another worker, then gets the lock', async () => {
  const m = new Mutex();
  const f = flags();
  const g = m.lock();
  const waiter = spawn(
    ({}, { m, f }) => {
      const t = Date.now();
      const g = m.lock({ timeout: 10_000 });
      Atomics.store(f, 0, 1); // got it
      const waited = Date.now() - t;
      g.unlock();
      return waited;
    },
    { m, f },
  );
  await waitFor(() => /waiters: 1/.test(inspect(m)), 'the worker to queue for the lock');
  await sleep(50);
  assert.equal(Atomics.load(f, 0), 0, 'the waiter does not get the lock while it is held...');
  assert.match(inspect(m), /waiters: 1/, '...and stays queued');
  g.unlock();
  const waited = await waiter.result();
  assert.equal(m.isLocked, false);
  assert.ok(waited >= 40, `the waiter waited ${waited} ms for the holder`);
});

test('timeouts: sync and async', async () => {
  const m = new Mutex();
  const f = flags();
  const holder = spawn(
    ({}, { m, f }) => {
      const g = m.lock({ timeout: 10_000 });
      Atomics.store(f, 0, 1);
      Atomics.wait(f, 1, 0, 10_000);
      g.unlock();
      return 'done';
    },
    { m, f },
  );
  await waitFor(() => Atomics.load(f, 0) !== 0, 'Atomics.load(f, 0) !== 0');
  let t = Date.now();
  assert.throws(() => m.lock({ timeout: 50 }), (e) => e instanceof errors.TimeoutError && e.code === 'ERR_SHMKIT_TIMEOUT');
  let took = Date.now() - t;
  assert.ok(took >= 45 && took < 2_000, `sync timeout took ${took} ms`);
  t = Date.now();
  await rejectsWithCode(assert, () => m.lockAsync({ timeout: 50 }), 'ERR_SHMKIT_TIMEOUT');
  took = Date.now() - t;
  assert.ok(took >= 45 && took < 2_000, `async timeout took ${took} ms`);
  await rejectsWithCode(assert, () => m.withLockAsync(() => 1, { timeout: 0 }), 'ERR_SHMKIT_TIMEOUT');
  assert.match(inspect(m), /waiters: 0/, 'timed-out waiters leave the queue');
  Atomics.store(f, 1, 1);
  Atomics.notify(f, 1);
  assert.equal(await holder.result(), 'done');
  assert.equal(m.isLocked, false);
  const g = m.lock({ timeout: 0 });
  g.unlock();
});

test('aborts reject with the signal reason and leave the queue clean', async () => {
  const m = new Mutex();
  const g = m.lock();
  const ac = new AbortController();
  const p = m.lockAsync({ signal: ac.signal, timeout: 10_000 });
  const reason = new Error('stop');
  ac.abort(reason);
  await assert.rejects(p, (err) => err === reason);
  const pre = AbortSignal.abort('already');
  await assert.rejects(m.lockAsync({ signal: pre }), (err) => err === 'already');
  await assert.rejects(m.withLockAsync(() => 1, { signal: AbortSignal.timeout(20) }), { name: 'TimeoutError' });
  assert.match(inspect(m), /waiters: 0/);
  g.unlock();
  // An abort after the lock was granted changes nothing.
  const ac2 = new AbortController();
  const g2 = await bounded(m.lockAsync({ signal: ac2.signal, timeout: 10_000 }), 10_000, 'lockAsync on a free lock');
  ac2.abort();
  assert.equal(m.isLocked, true);
  g2.unlock();
});

test('lockAsync on the thread that holds the lock queues until it is released', async () => {
  const m = new Mutex();
  const g = m.lock();
  let got = false;
  const p = m.lockAsync({ timeout: 5_000 }).then((g2) => {
    got = true;
    return g2;
  });
  await waitFor(() => /waiters: 1/.test(inspect(m)), 'lockAsync to queue');
  await sleep(20); // time for a wrong grant to settle
  assert.equal(got, false);
  g.unlock();
  const g2 = await bounded(p, 10_000, 'lockAsync after the unlock');
  assert.equal(got, true);
  g2.unlock();
  // withLockAsync calls from one thread run one after another.
  const order = [];
  await bounded(
    Promise.all(
      [1, 2, 3].map((i) =>
        m.withLockAsync(async () => {
          order.push(`in${i}`);
          await sleep(5);
          order.push(`out${i}`);
        }, { timeout: 10_000 }),
      ),
    ),
    10_000,
    'three withLockAsync calls',
  );
  assert.deepEqual(order, ['in1', 'out1', 'in2', 'out2', 'in3', 'out3']);
});

test('relocking from the holding thread is a DeadlockError, not a hang', async () => {
  // In a worker, so that a lock() with no timeout that did hang would be
  // terminated, failing the test, instead of blocking this thread for good.
  const codes = spawn(({ Mutex, errors }) => {
    const m = new Mutex();
    const g = m.lock();
    const code = (fn) => {
      try {
        fn();
        return 'no error';
      } catch (e) {
        return `${e instanceof errors.DeadlockError} ${e.code}`;
      }
    };
    const out = [code(() => m.lock()), code(() => m.lock({ timeout: 10_000 })), code(() => m.withLock(() => 1))];
    g.unlock();
    out.push(m.isLocked);
    return out;
  });
  assert.deepEqual(await codes.result(20_000), ['true ERR_SHMKIT_DEADLOCK', 'true ERR_SHMKIT_DEADLOCK', 'true ERR_SHMKIT_DEADLOCK', false]);
});

test('an A->B / B->A deadlock between two workers is reported, not hung', async () => {
  const a = new Mutex();
  const b = new Mutex();
  const f = flags();
  const body = ({}, { first, second, f, me }) => {
    const g1 = first.lock({ timeout: 10_000 });
    Atomics.add(f, 0, 1);
    Atomics.notify(f, 0);
    for (const until = Date.now() + 10_000; Atomics.load(f, 0) < 2; ) {
      if (Date.now() > until) throw new Error('the other worker did not take its first lock');
      Atomics.wait(f, 0, Atomics.load(f, 0), 100);
    }
    // Both hold their first lock now; take the other's.
    Atomics.add(f, 1 + me, 1);
    try {
      const g2 = second.lock({ timeout: 10_000 });
      g2.unlock();
      g1.unlock();
      return 'acquired';
    } catch (err) {
      g1.unlock(); // give up our lock so the other side can finish
      return err.code;
    }
  };
  const w1 = spawn(body, { first: a, second: b, f, me: 0 });
  const w2 = spawn(body, { first: b, second: a, f, me: 1 });
  const results = (await Promise.all([w1.result(), w2.result()])).sort();
  assert.deepEqual(results, ['ERR_SHMKIT_DEADLOCK', 'acquired']);
  assert.equal(a.isLocked, false);
  assert.equal(b.isLocked, false);
});

test('util.inspect shows the live state', async () => {
  const m = new Mutex();
  assert.equal(inspect(m), 'Mutex { locked: false, owner: null, waiters: 0, poisoned: false }');
  const g = m.lock();
  assert.equal(inspect(m), `Mutex { locked: true, owner: ${threadId}, waiters: 0, poisoned: false }`);
  g.unlock();
  assert.equal(inspect(g), 'MutexGuard { locked: false }');
});

test('a blocking with…(fn) whose fn returns a Promise warns once per helper (SHMKIT_ASYNC_CALLBACK), and still gives back what it held', async () => {
  const w = spawn(async ({ Mutex, RwLock, Semaphore }) => {
    const warnings = [];
    process.removeAllListeners('warning'); // (Node's own listener would print them into the test log)
    process.on('warning', (w) => w.code === 'SHMKIT_ASYNC_CALLBACK' && warnings.push(`${w.name}: ${w.message}`));
    const m = new Mutex();
    const rw = new RwLock();
    const sem = new Semaphore(1);
    for (let i = 0; i < 2; i++) {
      await m.withLock(async () => 1);
      await rw.withRead(async () => 1);
      await rw.withWrite(async () => 1);
      await sem.withPermit(() => Promise.resolve(1));
    }
    m.withLock(() => 1); // no Promise, no warning
    await m.withLockAsync(async () => 1);
    await new Promise((r) => setTimeout(r, 20)); // warnings are emitted on the next tick
    return { warnings, held: [m.isLocked, rw.readers, rw.isWriteLocked, sem.available] };
  });
  const { warnings, held } = await w.result();
  assert.deepEqual(held, [false, 0, false, 1]);
  assert.equal(warnings.length, 4, warnings.join('\n'));
  for (const [helper, form] of [['Mutex.withLock', 'withLockAsync'], ['RwLock.withRead', 'withReadAsync'], ['RwLock.withWrite', 'withWriteAsync'], ['Semaphore.withPermit', 'withPermitAsync']]) {
    assert.ok(warnings.some((m) => m.startsWith(`ShmkitWarning: ${helper}(fn)`) && m.includes(`use ${form}(fn)`)), `${helper} warned: ${warnings.join('\n')}`);
  }
});
