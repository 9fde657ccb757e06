// Regression tests for problems a review found: each fails on the code before the fix.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { Mutex, Semaphore, RwLock, Condvar, Barrier, Channel } from '../index.mjs';
import { spawn, flags, sleep, waitFor, rejectsWithCode, bounded, runNode } from './helpers.mjs';

const require = createRequire(import.meta.url);

test('a queued async writer that is terminated does not strand the readers behind it', async () => {
  const rw = new RwLock();
  const held = rw.read();
  const writer = spawn(({}, { rw }, port) => {
    rw.writeAsync({ timeout: 30_000 }); // (terminated long before)
    port.postMessage('queued');
    setInterval(() => {}, 1000);
  }, { rw });
  assert.equal(await writer.next(), 'queued');
  await waitFor(() => /writersWaiting: 1/.test(inspect(rw)), '/writersWaiting: 1/.test(inspect(rw))');
  const reader = spawn(({}, { rw }) => {
    const t = performance.now();
    rw.read({ timeout: 10_000 }).unlock(); // stranded, it would time out (and throw)
    return performance.now() - t;
  }, { rw });
  await waitFor(() => /readersWaiting: 1/.test(inspect(rw)), '/readersWaiting: 1/.test(inspect(rw))');
  await bounded(writer.worker.terminate(), 10_000, 'terminate()');
  const waited = await reader.result();
  assert.ok(waited < 5_000, `the reader waited ${waited.toFixed(0)} ms`);
  held.unlock();
  assert.equal(rw.readers, 0);
});

test('a read lock handed to a blocked reader while it is terminated is given back', async () => {
  const rw = new RwLock();
  const w = rw.write();
  const f = flags();
  const reader = spawn(({}, { rw, f }) => {
    Atomics.store(f, 0, 1);
    rw.read({ timeout: 30_000 }); // blocks; terminated while blocked
  }, { rw, f });
  await waitFor(() => Atomics.load(f, 0) !== 0, 'Atomics.load(f, 0) !== 0');
  await waitFor(() => /readersWaiting: 1/.test(inspect(rw)), '/readersWaiting: 1/.test(inspect(rw))');
  const terminated = reader.worker.terminate();
  w.unlock(); // may hand the read lock to the dying reader
  await bounded(terminated, 10_000, 'terminate()');
  const g = rw.write({ timeout: 2_000 }); // would time out if the dead reader kept its count
  g.unlock();
});

test('a semaphore header with an impossible max does not open', () => {
  const s = new Semaphore(1, { max: 3 });
  const words = new Int32Array(s.buffer);
  words[3] = -1; // max = 0xFFFFFFFF
  assert.throws(() => Semaphore.from({ buffer: s.buffer }), { code: 'ERR_SHMKIT_BAD_LAYOUT' });
});

test('async timeouts longer than a timer can hold do not fire early', async () => {
  const m = new Mutex();
  const g = m.lock();
  let settled = false;
  const p = m.lockAsync({ timeout: 2 ** 31 + 10 }).then(
    (g2) => g2,
    (e) => e,
  );
  p.then(() => (settled = true));
  await sleep(30); // a timer given the timeout as is would fire after 1 ms
  assert.equal(settled, false);
  g.unlock();
  const g2 = await bounded(p, 10_000, 'lockAsync after the unlock');
  assert.equal(g2.locked, true);
  g2.unlock();
});

test('loading the JS a second time in one thread shares the first registration', async () => {
  const m = new Mutex();
  const g = m.lock();
  for (const key of Object.keys(require.cache)) if (key.includes('/lib/') || key.endsWith('index.js')) delete require.cache[key];
  const again = require('../index.js');
  const m2 = again.Mutex.from({ buffer: m.buffer });
  const p = m2.lockAsync({ timeout: 2_000 });
  setTimeout(() => g.unlock(), 20);
  const g2 = await bounded(p, 10_000, 'lockAsync');
  assert.equal(g2.locked, true);
  g2.unlock();
});

test('grants posted to async waiters of a worker terminated before it saw them are given back', async () => {
  const sem = new Semaphore(0, { max: 1 });
  const m = new Mutex();
  const rw = new RwLock();
  const g = m.lock();
  const w = rw.write();
  const dying = spawn(({}, { sem, m, rw }, port) => {
    sem.acquireAsync({ timeout: 30_000 });
    m.lockAsync({ timeout: 30_000 });
    rw.readAsync({ timeout: 30_000 });
    port.postMessage('queued');
    // Its event loop never runs again (until terminated): outcomes posted to it stay queued.
    for (const until = Date.now() + 30_000; Date.now() < until; );
  }, { sem, m, rw });
  assert.equal(await dying.next(), 'queued');
  await waitFor(() => /waiters: 1/.test(inspect(sem)) && /waiters: 1/.test(inspect(m)) && /readersWaiting: 1/.test(inspect(rw)), 'all three async waits queued');
  // Each of these hands something to the busy worker's async waiters...
  sem.release();
  g.unlock();
  w.unlock();
  // ...which it will never see.
  await bounded(dying.worker.terminate(), 10_000, 'terminate()');
  sem.acquire({ timeout: 2_000 }); // the permit came back
  const g2 = m.lock({ timeout: 2_000 }); // not poisoned: the dead worker never held it
  g2.unlock();
  rw.write({ timeout: 2_000 }).unlock(); // the read lock came back
  assert.equal(m.isPoisoned, false);
});

test('a notify posted to an async waiter of a terminated worker is passed on', async () => {
  const m = new Mutex();
  const cv = new Condvar();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const dying = spawn(async ({}, { m, cv, flag }, port) => {
    const g = await m.lockAsync({ timeout: 10_000 });
    cv.waitWhileAsync(g, () => flag[0] === 0, { timeout: 30_000 }).then(() => g.unlock());
    port.postMessage('waiting');
    setInterval(() => {}, 1000);
  }, { m, cv, flag });
  assert.equal(await dying.next(), 'waiting');
  const other = spawn(({}, { m, cv, flag }, port) => {
    const g = m.lock({ timeout: 10_000 });
    port.postMessage('waiting');
    const t = performance.now();
    cv.waitWhile(g, () => flag[0] === 0, { timeout: 5_000 });
    g.unlock();
    return performance.now() - t;
  }, { m, cv, flag });
  assert.equal(await other.next(), 'waiting');
  await waitFor(() => /waiters: 2/.test(inspect(cv)), '/waiters: 2/.test(inspect(cv))');
  const terminated = dying.worker.terminate();
  m.withLock(() => {
    flag[0] = 1;
    cv.notifyOne(); // goes to the first waiter: the dying one
  });
  await bounded(terminated, 10_000, 'terminate()');
  const waited = await other.result();
  assert.ok(waited < 2_000, `the other waiter waited ${waited.toFixed(0)} ms`);
});

test('a second copy of the native addon refuses to load, even on a thread the first one registered', async (t) => {
  const { cpSync, mkdtempSync, readdirSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const root = new URL('..', import.meta.url).pathname;
  const copy = mkdtempSync(`${tmpdir()}/shmkit-copy-`);
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  for (const name of ['index.js', 'lib', 'binding.js', ...readdirSync(root).filter((f) => f.endsWith('.node'))]) {
    cpSync(`${root}/${name}`, `${copy}/${name}`, { recursive: true });
  }
  const script = `
    require(${JSON.stringify(`${root}/index.js`)});
    // The mark is not in the environment (a setenv can race other threads' getenv).
    if (process.platform === 'linux' && process.env.SHMKIT_KERNEL !== undefined) console.log('env written');
    try { require(${JSON.stringify(`${copy}/index.js`)}); console.log('loaded'); }
    catch (err) { console.log(err.code); }
  `;
  const { stdout } = await runNode([], script);
  assert.equal(stdout.trim(), 'ERR_SHMKIT_LOAD');
});

test('an addon that is missing or does not load: ERR_SHMKIT_LOAD saying how to get one, the loader\'s errors as its cause', async (t) => {
  const { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const root = new URL('..', import.meta.url).pathname;
  const copy = mkdtempSync(`${tmpdir()}/shmkit-noaddon-`);
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  for (const name of ['index.js', 'index.mjs', 'lib', 'binding.js']) cpSync(`${root}/${name}`, `${copy}/${name}`, { recursive: true });
  const addons = readdirSync(root).filter((f) => f.endsWith('.node'));
  assert.ok(addons.length > 0, 'the built addon is in the package root');
  const script = `
    try { require(${JSON.stringify(`${copy}/index.js`)}); console.log('loaded'); }
    catch (err) { console.log(JSON.stringify({ code: err.code, name: err.name, message: err.message, cause: err.cause instanceof Error })); }
  `;
  const missing = (await runNode([], script)).json;
  assert.equal(missing.code, 'ERR_SHMKIT_LOAD');
  assert.equal(missing.name, 'ShmkitError');
  assert.match(missing.message, new RegExp(`no native addon for ${process.platform}-${process.arch} is installed`));
  assert.match(missing.message, /npm install-scripts approve shmkit`, then `npm rebuild shmkit`/);
  assert.equal(missing.cause, true);
  // A file in the addon's place that is not one (a cut-short download, another platform's build).
  for (const name of addons) writeFileSync(`${copy}/${name}`, 'not an addon');
  const broken = (await runNode([], script)).json;
  assert.equal(broken.code, 'ERR_SHMKIT_LOAD');
  assert.match(broken.message, new RegExp(`the native addon for ${process.platform}-${process.arch} does not load \\(.*${addons[0].replaceAll('.', '\\.')}`));
  // The ESM entry says the same.
  const esm = await runNode(['--input-type=module'], `
    try { await import(${JSON.stringify(`${copy}/index.mjs`)}); console.log('loaded'); }
    catch (err) { console.log(JSON.stringify({ code: err.code })); process.exit(0); } // (Node 20 reports a failed CommonJS module again as uncaught)
  `);
  assert.deepEqual(esm.json, { code: 'ERR_SHMKIT_LOAD' });
});

test('a grant lost with a terminated worker is not inherited by a new object made in the same memory', async () => {
  const buffer = new SharedArrayBuffer(64);
  const sem = new Semaphore(0, { buffer, max: 1 });
  const w = await deafAcquirer(sem);
  sem.release(); // granted to the worker's async waiter, which will never see it
  await bounded(w.worker.terminate(), 10_000, 'terminate()');
  const fresh = new Semaphore(0, { buffer, max: 1 });
  assert.equal(fresh.tryAcquire(), false);
  await assert.rejects(fresh.acquireAsync({ timeout: 50 }), { code: 'ERR_SHMKIT_TIMEOUT' });
  assert.equal(fresh.available, 0);
});

test('an object is opened with the header values that were validated, while another thread rewrites them', async () => {
  const sem = new Semaphore(0, { max: 1 });
  const stop = flags(1);
  const vandal = spawn(({}, { buffer, stop }) => {
    const h = new Int32Array(buffer, 0, 4);
    let n = 0;
    for (const until = Date.now() + 30_000; Atomics.load(stop, 0) === 0 && Date.now() < until; ) {
      Atomics.store(h, 3, -1); // an impossible max
      Atomics.store(h, 3, 1);
      n++;
    }
    return n;
  }, { buffer: sem.buffer, stop });
  await sleep(20);
  const maxes = new Set();
  let opened = 0;
  const until = performance.now() + 300;
  while (performance.now() < until) {
    try {
      maxes.add(Semaphore.from({ buffer: sem.buffer, byteOffset: 0 }).max);
      opened++;
    } catch (err) {
      assert.equal(err.code, 'ERR_SHMKIT_BAD_LAYOUT');
    }
  }
  Atomics.store(stop, 0, 1);
  assert.ok((await vandal.result()) > 0);
  assert.ok(opened > 0, 'some opens found the header whole');
  assert.deepEqual([...maxes], [1], 'only the valid max was ever accepted');
});

/**
 * A worker that queues `sem.acquireAsync()` and then never returns to its
 * event loop: a permit granted to it is never seen. Resolves once queued.
 */
async function deafAcquirer(sem) {
  const w = spawn(({}, { sem }, port) => {
    sem.acquireAsync({ timeout: 30_000 });
    port.postMessage('waiting');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000); // (terminated long before)
  }, { sem });
  assert.equal(await w.next(), 'waiting');
  await waitFor(() => /waiters: 1/.test(inspect(sem)), 'the worker queued its acquire');
  return w;
}


test('a party waiting in Barrier.waitAsync() whose worker is terminated breaks the barrier', async () => {
  const b = new Barrier(2);
  const w = spawn(({}, { b }) => {
    b.waitAsync({ timeout: 30_000 }).catch(() => {});
    setInterval(() => {}, 1_000);
  }, { b });
  await waitFor(() => b.waiting === 1, 'the worker arrived');
  await bounded(w.worker.terminate(), 10_000, 'terminate()');
  assert.equal(b.isBroken, true);
  assert.throws(() => b.wait({ timeout: 1_000 }), { code: 'ERR_SHMKIT_BARRIER_BROKEN' });
  b.reset();
  assert.equal(b.isBroken, false);
  const other = spawn(({}, { b }) => b.wait({ timeout: 5_000 }).isLeader, { b });
  const mine = b.wait({ timeout: 5_000 }).isLeader;
  assert.equal(mine !== (await other.result()), true, 'after reset, a generation completes with one leader');
});

test('a blocking lock() behind the same thread\'s pending lockAsync() is a deadlock, not a hang', async () => {
  for (const [Lock, take, takeAsync, queued] of [
    [Mutex, 'lock', 'lockAsync', /waiters: 2/],
    [RwLock, 'write', 'writeAsync', /writersWaiting: 2/],
    [RwLock, 'write', 'readAsync', /readersWaiting: 1,\s+writersWaiting: 1/],
  ]) {
    const m = new Lock();
    const g = m[take === 'lock' ? 'lock' : 'write']();
    const w = spawn(({}, { m, take, takeAsync }, port) => {
      m[takeAsync]({ timeout: 10_000 }).then((guard) => guard.unlock(), () => {});
      port.postMessage('queued');
      const t0 = performance.now();
      let code;
      try {
        m[take]({ timeout: 5_000 }).unlock();
      } catch (err) {
        code = err.code;
      }
      return { code, ms: performance.now() - t0 };
    }, { m, take, takeAsync });
    assert.equal(await w.next(), 'queued');
    await waitFor(() => queued.test(inspect(m)), 'both waits queued');
    g.unlock();
    const r = await w.result();
    assert.equal(r.code, 'ERR_SHMKIT_DEADLOCK', `${Lock.name} ${takeAsync} then ${take}`);
    assert.ok(r.ms < 2_000, `${Lock.name}: refused after ${r.ms.toFixed(0)} ms`);
  }
});

test('a waiter whose PARKED bit a stray write cleared still gets the mutex once it is free', async () => {
  const m = new Mutex();
  const g = m.lock();
  const w = spawn(({}, { m }) => {
    const t0 = performance.now();
    m.lock({ timeout: 5_000 }).unlock();
    return performance.now() - t0;
  }, { m });
  await waitFor(() => /waiters: 1/.test(inspect(m)), 'the worker queued');
  const word = new Int32Array(m.buffer, m.byteOffset, 6);
  Atomics.and(word, 4, ~(1 << 30)); // the state word's PARKED bit (src/sync/mutex.rs)
  g.unlock(); // now the JS fast path: no wake
  assert.ok((await w.result()) < 2_000);
});

test('a Semaphore or Latch waiter whose waiting flag a stray write cleared still wakes', async () => {
  const { Latch } = await import('../index.mjs');
  const sem = new Semaphore(0, { max: 1 });
  const latch = new Latch(1);
  const w = spawn(({}, { sem, latch }) => {
    const t0 = performance.now();
    sem.acquire({ timeout: 5_000 });
    const t1 = performance.now();
    latch.wait({ timeout: 5_000 });
    return [t1 - t0, performance.now() - t1];
  }, { sem, latch });
  await waitFor(() => /waiters: 1/.test(inspect(sem)), 'the worker queued on the semaphore');
  Atomics.and(new Int32Array(sem.buffer, sem.byteOffset, 5), 4, 0x7fffffff); // its QUEUED bit
  sem.release(); // now the JS fast path: no wake
  const words = new Int32Array(latch.buffer, latch.byteOffset, 6);
  await waitFor(() => Atomics.load(words, 5) !== 0, 'the worker waits on the latch');
  Atomics.store(words, 5, 0); // its waiting word
  latch.countDown();
  const [semMs, latchMs] = await w.result();
  assert.ok(semMs < 2_000 && latchMs < 2_000, `woke after ${semMs.toFixed(0)} / ${latchMs.toFixed(0)} ms`);
});

test('a write lock posted to an async writer of a terminated worker is given back, not poisoned', async () => {
  const rw = new RwLock();
  const w = rw.write();
  const dying = spawn(({}, { rw }, port) => {
    rw.writeAsync({ timeout: 30_000 });
    port.postMessage('queued');
    for (const until = Date.now() + 30_000; Date.now() < until; ); // its event loop never runs again (until terminated)
  }, { rw });
  assert.equal(await dying.next(), 'queued');
  await waitFor(() => /writersWaiting: 1/.test(inspect(rw)), 'the worker queued its writeAsync');
  w.unlock(); // handed to the busy worker's async writer, which will never see it
  await bounded(dying.worker.terminate(), 10_000, 'terminate()');
  const again = rw.write({ timeout: 2_000 }); // throws OwnerDiedError if taken over as poisoned
  again.unlock();
  assert.equal(rw.isPoisoned, false);
});

test('a permit lost with a terminated worker comes back to a tryAcquire, and never past max', async () => {
  const sem = new Semaphore(0, { max: 1 });
  const w = await deafAcquirer(sem);
  sem.release(); // granted to the worker's async waiter, which will never see it
  await bounded(w.worker.terminate(), 10_000, 'terminate()');
  assert.equal(sem.tryAcquire(), true, 'the permit came back');
  assert.equal(sem.tryAcquire(), false);
  sem.release();
  assert.throws(() => sem.release(), { code: 'ERR_OUT_OF_RANGE' });
  assert.equal(sem.available, 1);
});

test('RwLock: a blocking reader or writer whose waiting bit a stray write cleared is delayed, not stranded', async () => {
  for (const side of ['read', 'write']) {
    const rw = new RwLock();
    const words = new Int32Array(rw.buffer, rw.byteOffset, 5);
    const g = rw.write();
    const w = spawn(({}, { rw, side }) => {
      const t = performance.now();
      (side === 'read' ? rw.read({ timeout: 5_000 }) : rw.write({ timeout: 5_000 })).unlock();
      return performance.now() - t;
    }, { rw, side });
    const bit = side === 'read' ? 1 << 28 : 1 << 29; // READERS_WAITING, WRITERS_WAITING (src/sync/rwlock.rs)
    await waitFor(() => (Atomics.load(words, 4) & bit) !== 0, `the ${side}er queued`);
    Atomics.and(words, 4, ~bit); // the stray write
    g.unlock(); // the word says nobody waits: the inline unlock wakes nobody
    const ms = await w.result();
    assert.ok(ms < 2_000, `${side}er got the lock after ${ms.toFixed(0)} ms (its slices look at the word)`);
  }
});

test('Semaphore: the count limit is the one read at open; a stray header write cannot destroy permits', async () => {
  const sem = new Semaphore(3, { max: 4 });
  const header = new Int32Array(sem.buffer, sem.byteOffset, 4);
  Atomics.store(header, 3, 0); // the header's parameter: max
  await rejectsWithCode(assert, () => sem.acquireAsync(4, { timeout: 20 }), 'ERR_SHMKIT_TIMEOUT'); // leaving the queue regrants
  assert.equal(sem.available, 3);
  await rejectsWithCode(assert, () => sem.acquire(4, { timeout: 20 }), 'ERR_SHMKIT_TIMEOUT');
  assert.equal(sem.available, 3);
  assert.equal(sem.tryAcquire(3), true);
  sem.release(3);
  assert.equal(sem.available, 3);
});

test('Condvar: a blocking waiter whose count a stray write zeroed is still reached by a later notify', async () => {
  const m = new Mutex();
  const cv = new Condvar();
  const count = new Int32Array(cv.buffer, cv.byteOffset, 5);
  const w = spawn(({}, { m, cv }) => {
    const g = m.lock({ timeout: 10_000 });
    const notified = cv.wait(g, { timeout: 5_000 });
    g.unlock();
    return notified;
  }, { m, cv });
  await waitFor(() => Atomics.load(count, 4) === 1, 'the worker waits');
  Atomics.store(count, 4, 0); // the stray write: notifies would skip the native call
  await waitFor(() => Atomics.load(count, 4) === 1, 'the waiter writes the true count back within a slice', 2_000);
  const g = m.lock();
  assert.equal(cv.notifyAll(), 1);
  g.unlock();
  assert.equal(await w.result(), true, 'notified, not timed out');
});

test('Async waits: a signal-like object missing removeEventListener is refused; one whose removeEventListener throws still settles', async () => {
  const m = new Mutex();
  await rejectsWithCode(assert, () => m.lockAsync({ signal: { aborted: false, addEventListener() {} } }), 'ERR_INVALID_ARG_TYPE');
  const g = m.lock();
  const signal = {
    aborted: false,
    addEventListener() {},
    removeEventListener() {
      throw new Error('broken');
    },
  };
  const p = m.lockAsync({ signal, timeout: 5_000 });
  setTimeout(() => g.unlock(), 10);
  const g2 = await p;
  assert.equal(m.isLocked, true);
  g2.unlock();
  assert.equal(m.isLocked, false);
});

test('Error messages: value forms name the serialized size and a message that is no value; timeouts say how long and where; buffers are never dumped', async () => {
  const { Channel, BufferPool, SlabPool, errors } = await import('../index.mjs');
  const ch = new Channel({ byteCapacity: 128 });
  assert.throws(
    () => ch.sendValue('x'.repeat(200)),
    (err) => err.code === 'ERR_OUT_OF_RANGE' && /"value".*at most 124 bytes once serialized.*Received a value of 205 bytes serialized$/.test(err.message),
  );
  // The message shows a value without running its own inspect hook (which may throw).
  const hooked = { f() {}, [inspect.custom]() { throw new Error('the value\'s own hook ran'); } };
  assert.throws(() => ch.sendValue(hooked), { code: 'ERR_INVALID_ARG_VALUE', message: /cannot be serialized/ });
  // A message that is no value is taken, and handed back on the error.
  const abc = [...new TextEncoder().encode('abc')];
  ch.send('abc');
  assert.throws(() => ch.recvValue(), (err) => err instanceof errors.BadValueError && err.code === 'ERR_SHMKIT_BAD_VALUE' && /sendValue/.test(err.message) && err.cause instanceof Error && err.bytes instanceof Uint8Array && err.bytes.join() === abc.join());
  assert.equal(ch.byteSize, 0);
  ch.send('abc');
  await assert.rejects(ch.recvValueAsync(), (err) => err instanceof errors.BadValueError && err.bytes.join() === abc.join());
  ch.send('abc');
  assert.throws(() => ch.tryRecvValue(), (err) => err instanceof errors.BadValueError && err.bytes.join() === abc.join());
  ch.sendValue({ n: 1n });
  assert.deepEqual(ch.tryRecvValue(), { n: 1n });

  const m = new Mutex();
  const g = m.lock();
  async function callerOfLockAsync() {
    return m.lockAsync({ timeout: 20 });
  }
  const err = await callerOfLockAsync().catch((e) => e);
  g.unlock();
  assert.equal(err.code, 'ERR_SHMKIT_TIMEOUT');
  assert.match(err.message, /after 20 ms/);

  const secret = Buffer.from('password=hunter2'); // in Node's shared pool for small Buffers
  const pool = new BufferPool();
  assert.throws(
    () => pool.release(secret.buffer),
    (e) => e.code === 'ERR_INVALID_ARG_VALUE' && /ArrayBuffer \{ byteLength: \d+ \}/.test(e.message) && !/Uint8Contents|<[0-9a-f]{2} [0-9a-f]{2}/.test(e.message),
  );

  const slab = new SlabPool({ blockSize: 8, blocks: 1 });
  assert.throws(() => slab.open(-2147483648), (e) => e.code === 'ERR_SHMKIT_STALE_BLOCK' && /Float64Array/.test(e.message));
});

test('Condvar.waitWhileAsync: an already-aborted signal rejects at once, before the predicate runs', async () => {
  const m = new Mutex();
  const cv = new Condvar();
  const g = await m.lockAsync({ timeout: 5_000 });
  const ac = new AbortController();
  ac.abort(new Error('stop'));
  let called = 0;
  await assert.rejects(cv.waitWhileAsync(g, () => ++called > 0, { signal: ac.signal }), (err) => err === ac.signal.reason);
  assert.equal(called, 0);
  assert.equal(m.isLocked, true, 'the guard is still held');
  g.unlock();
});

test('Aborts pass their reason whatever its class, and a signal-like object cannot cut short a call that has started', async () => {
  const { Channel, errors } = await import('../index.mjs');
  // Condvar.waitAsync: a TimeoutError as the reason is the abort, not a timeout.
  const m = new Mutex();
  const cv = new Condvar();
  let g = await m.lockAsync({ timeout: 5_000 });
  const ac = new AbortController();
  const reason = new errors.TimeoutError('mine');
  const waited = cv.waitAsync(g, { signal: ac.signal, timeout: 5_000 }).then((v) => v, (e) => e);
  setTimeout(() => ac.abort(reason), 10);
  assert.equal(await bounded(waited, 10_000, 'waitAsync'), reason);
  g.unlock();
  // withLockAsync: an OwnerDiedError as the reason, while another thread holds the lock.
  const holder = spawn(async ({}, { m }, port) => {
    const h = m.lock({ timeout: 10_000 });
    port.postMessage('held');
    await new Promise((r) => port.once('message', r)); // (terminated after the test if it never comes)
    h.unlock();
  }, { m });
  assert.equal(await holder.next(), 'held');
  const ac2 = new AbortController();
  const odd = new errors.OwnerDiedError('mine');
  const p = m.withLockAsync(() => 'ran', { signal: ac2.signal, timeout: 5_000 }).then((v) => v, (e) => e);
  setTimeout(() => ac2.abort(odd), 10);
  assert.equal(await bounded(p, 10_000, 'withLockAsync'), odd);
  assert.equal(m.isLocked, true, 'the other thread still holds it');
  holder.worker.postMessage('go');
  await holder.exited();
  // An End's call whose signal fires after its turn has come: the call itself
  // ends it (nothing sent), once; until then it holds the side (a blocking
  // call is refused, release() waits for it).
  const ch = new Channel({ byteCapacity: 64 });
  const listeners = [];
  const fake = { aborted: false, reason: undefined, addEventListener: (_, f) => listeners.push(f), removeEventListener() {} };
  const tx = ch.sender();
  tx.send(new Uint8Array(56)); // the ring is full now
  const sent = tx.sendAsync(new Uint8Array(8), { signal: fake, timeout: 10_000 }).then(() => 'sent', (e) => e);
  await sleep(20); // its turn has come: it waits for room
  fake.aborted = true;
  fake.reason = new Error('late');
  for (const f of listeners) f();
  assert.throws(() => tx.send('x', { timeout: 0 }), { code: 'ERR_SHMKIT_DEADLOCK' }, 'the call still counts as pending');
  tx.release(); // takes effect once the call is over
  assert.equal(ch.trySend('x'), false, 'the send side is still held by the running call');
  assert.equal(await bounded(sent, 5_000, 'the aborted call'), fake.reason);
  assert.equal(ch.tryRecv()?.length, 56);
  assert.equal(ch.trySend('y'), true, 'released once the call was over');
  assert.equal(String.fromCharCode(...ch.tryRecv()), 'y', 'the aborted message was not sent');
  // waitAsync: a signal-like object whose addEventListener throws leaves no timer behind.
  const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const g2 = m.lock();
  await assert.rejects(m.lockAsync({ timeout: 60_000, signal: { aborted: false, addEventListener() { throw new Error('broken'); }, removeEventListener() {} } }), /broken/);
  g2.unlock();
  assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length, before, 'no timer left running');
});

test('Signal-like objects at their oddest: a throwing reason getter, an abort from inside addEventListener, a throwing addEventListener under a Condvar; writeAsync leaves the reason alone', async () => {
  const { Queue, RingBuffer, Channel, errors } = await import('../index.mjs');
  const base = { aborted: false, addEventListener() {}, removeEventListener() {} };
  // A reason getter that throws: the call rejects with what it threw.
  const boom = new Error('reason getter');
  const m = new Mutex();
  const g = m.lock();
  let fire;
  const throwingReason = { ...base, addEventListener: (_, f) => (fire = f), get reason() { throw boom; } };
  const p1 = m.lockAsync({ signal: throwingReason, timeout: 5_000 }).then(() => 'locked', (e) => e);
  await sleep(10);
  throwingReason.aborted = true;
  fire();
  assert.equal(await bounded(p1, 2_000, 'lockAsync'), boom);
  // An abort from inside addEventListener (a lazily evaluated signal): the reason, at once.
  const lazy = () => {
    const s = { aborted: false, reason: new Error('lazy'), removeEventListener() {} };
    s.addEventListener = (_, f) => {
      s.aborted = true;
      f();
    };
    return s;
  };
  for (const call of [(signal) => m.lockAsync({ signal }), (signal) => new Semaphore(0).acquireAsync({ signal })]) {
    const signal = lazy();
    assert.equal(await bounded(call(signal).then(() => 'settled', (e) => e), 2_000, 'the lazily aborted call'), signal.reason);
  }
  g.unlock();
  const ch = new Channel({ byteCapacity: 64 });
  const tx = ch.sender();
  while (tx.trySend('fill')); // full: the send below has to wait, and listens to its signal
  const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const signal = lazy();
  await assert.rejects(tx.sendAsync('x', { signal, timeout: 60_000 }), (e) => e === signal.reason);
  assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length, before, 'no timer left by the End');
  tx.release();
  // Condvar.waitAsync whose signal throws in addEventListener: rejects, the guard still held.
  const cv = new Condvar();
  const g2 = await m.lockAsync({ timeout: 5_000 });
  const throwingAdd = { ...base, addEventListener() { throw new Error('broken add'); } };
  await assert.rejects(bounded(cv.waitAsync(g2, { signal: throwingAdd, timeout: 1_000 }), 2_000, 'waitAsync'), /broken add/);
  assert.equal(m.isLocked, true);
  g2.unlock();
  // writeAsync: a shmkit error as the abort reason is not given a `written`.
  for (const ring of [new RingBuffer(Int32Array, 4), new Queue(Int32Array, 4)]) {
    ring.write(new Int32Array(4));
    const ac = new AbortController();
    const reason = new errors.TimeoutError('mine');
    const p = ring.writeAsync(new Int32Array([1, 2]), { signal: ac.signal }).then(() => 'written', (e) => e);
    await sleep(5);
    ac.abort(reason);
    assert.equal(await bounded(p, 2_000, 'writeAsync'), reason);
    assert.deepEqual(Object.keys(reason), ['code'], 'the reason is left as it was');
    // readAsync with nothing to read into still honours an aborted signal.
    await assert.rejects(ring.readAsync(new Int32Array(0), { signal: ac.signal }), (e) => e === reason);
  }
});

test('Channel ends: a signal that aborts without calling its listeners still stops a call before its turn', async () => {
  const { Channel } = await import('../index.mjs');
  const ch = new Channel({ byteCapacity: 64 });
  const tx = ch.sender();
  const silent = { aborted: false, reason: new Error('silent'), addEventListener() {}, removeEventListener() {} };
  const first = tx.sendAsync('a', { timeout: 2_000 });
  const second = tx.sendAsync('b', { signal: silent }).then(() => 'sent', (e) => e);
  silent.aborted = true; // before the second call's turn comes
  await first;
  assert.equal(await bounded(second, 2_000, 'the silently aborted call'), silent.reason);
  tx.release();
  assert.equal(String.fromCharCode(...ch.tryRecv()), 'a');
  assert.equal(ch.tryRecv(), undefined, 'b was not sent');
});

test('Channel ends: a signal whose aborted getter throws ends only its own call; the end and its side stay usable', async () => {
  const { Channel } = await import('../index.mjs');
  for (const breakAt of [2, 3, 4, 5]) {
    const ch = new Channel({ byteCapacity: 64 });
    const tx = ch.sender();
    let reads = 0;
    const odd = {
      get aborted() {
        if (++reads >= breakAt) throw new Error(`aborted getter broke (read ${reads})`);
        return false;
      },
      addEventListener() {},
      removeEventListener() {},
    };
    const first = tx.sendAsync('a', { signal: odd }).then(() => 'sent', (e) => e.message);
    const second = tx.sendAsync('b').then(() => 'sent', (e) => e.message);
    const outcomes = await bounded(Promise.all([first, second]), 2_000, `the two calls (break at read ${breakAt})`);
    assert.equal(outcomes[1], 'sent', `the next call still runs (break at read ${breakAt}: ${outcomes[0]})`);
    assert.equal(tx.trySend('c'), true, 'no call counts as pending any more');
    tx.release();
    assert.equal(ch.trySend('d'), true, 'the side was released');
  }
});

test('Channel: a message or target that misstates its length (a subclass getter) is read by its real length', () => {
  const ch = new Channel({ byteCapacity: 64 });
  ch.send(new Uint8Array(40).fill(0xaa));
  ch.recv(); // old bytes stay in the ring
  class Longer extends Uint8Array {
    get length() {
      return 40;
    }
  }
  const m = new Longer(2);
  m.set([1, 2]);
  ch.send(m);
  assert.deepEqual([...ch.recv({ timeout: 1_000 })], [1, 2], 'two bytes, not 40 with the ring\'s old ones');
  class Shorter extends Uint8Array {
    get length() {
      return 1;
    }
  }
  ch.send(new Uint8Array([1, 2, 3, 4, 5]));
  const target = new Shorter(8);
  assert.equal(ch.recvInto(target, { timeout: 1_000 }), 5, 'the target has room for 5 whatever its getter says');
  assert.deepEqual([...new Uint8Array(target.buffer)], [1, 2, 3, 4, 5, 0, 0, 0]);
  class Roomy extends Uint8Array {
    get length() {
      return 100;
    }
  }
  ch.send(new Uint8Array(6).fill(9));
  assert.throws(() => ch.recvInto(new Roomy(2)), { code: 'ERR_OUT_OF_RANGE', messageLength: 6 });
  assert.deepEqual([...ch.recv({ timeout: 1_000 })], [9, 9, 9, 9, 9, 9], 'the message stayed');
});

test('Channel ends: a release() made while async calls are pending gives the side back before the last one\'s caller resumes', async () => {
  const ch = new Channel({ byteCapacity: 1024 });
  const tx = ch.sender();
  const first = tx.sendAsync('a', { timeout: 2_000 });
  const last = tx.sendAsync('b', { timeout: 2_000 });
  tx.release();
  assert.equal(tx.claimed, false);
  assert.equal(ch.trySend('x'), false, 'still held while its async calls are pending');
  await first;
  assert.equal(ch.trySend('x'), false, 'still held: one call is left');
  await last;
  assert.equal(ch.trySend('c'), true, 'free as soon as the last call has settled');
  ch.send('d', { timeout: 1_000 }); // not a deadlock with the released end
  const rx = ch.receiver();
  const got = rx.recvAsync({ timeout: 2_000 });
  rx.release();
  assert.equal(new TextDecoder().decode(await got), 'a');
  assert.deepEqual(['b', 'c', 'd'].map(() => new TextDecoder().decode(ch.recv({ timeout: 1_000 }))), ['b', 'c', 'd']);
  assert.equal(ch.tryRecv(), undefined);
});

// The native registration took any threadId: code that reached the binding
// could register a worker under another thread's id, take over its waker,
// and, when that worker exited, drop the other thread's waiters (a lock()
// with a timeout then spun forever inside Rust). Now an id that is, or was,
// another thread's is refused.
test("the native registration refuses another thread's id, live or exited", async () => {
  const { Worker } = await import('node:worker_threads');
  const exited = spawn(() => 'done'); // loads shmkit, so registers, then exits
  const exitedId = exited.worker.threadId;
  assert.equal(await exited.result(), 'done');
  // A worker of a process that has loaded shmkit (this one): it registers
  // through the binding directly, under main's id (0), the exited worker's,
  // and then its own.
  const forger = new Worker(
    `
    const { parentPort, workerData, threadId } = require('node:worker_threads');
    const native = require(workerData.binding);
    const attempt = (id) => {
      try {
        return String(native.registerThread(id, () => {}));
      } catch (err) {
        return 'refused: ' + err.message;
      }
    };
    parentPort.postMessage([attempt(0), attempt(workerData.exitedId), attempt(threadId), threadId]);
    `,
    { eval: true, workerData: { binding: require.resolve('../binding.js'), exitedId } },
  );
  const [asMain, asExited, asItself, ownId] = await bounded(new Promise((resolve, reject) => {
    forger.once('message', resolve);
    forger.once('error', reject);
  }), 10_000, 'the forger');
  await bounded(forger.terminate(), 10_000, 'terminate()');
  assert.match(asMain, /^refused: threadId 0 belongs to another thread/);
  assert.match(asExited, new RegExp(`^refused: threadId ${exitedId} belongs to another thread`));
  assert.equal(asItself, String(ownId + 1), 'its own id is still its to register');
  // This thread's waits still work.
  const m = new Mutex();
  const g = m.lock();
  await rejectsWithCode(assert, () => spawn(({}, { m }) => m.lock({ timeout: 50 }), { m }).result(), 'ERR_SHMKIT_TIMEOUT');
  g.unlock();
});

// A notified Condvar waiter then waits to take the mutex back. Terminated
// meanwhile, it used to take the notify with it, and the next waiter slept
// on (until its timeout, or for good). Now the notify is passed on: by the
// blocking wait itself, and, for waitAsync, by the parking lot, since the
// relock carries the notify until the lock reaches the thread's JS.
for (const form of ['wait', 'waitAsync']) {
  test(`Condvar: a notified ${form}() whose worker is terminated while it relocks passes the notify on`, async () => {
    const m = new Mutex();
    const cv = new Condvar();
    const body = async ({}, { m, cv, timeout, form }) => {
      const g = form === 'wait' ? m.lock({ timeout: 10_000 }) : await m.lockAsync({ timeout: 10_000 });
      const t0 = Date.now();
      const notified = form === 'wait' ? cv.wait(g, { timeout }) : await cv.waitAsync(g, { timeout });
      g.unlock();
      return { notified, ms: Date.now() - t0 };
    };
    const waiting = () => Number(/waiters: (\d+)/.exec(inspect(cv))[1]);
    const first = spawn(body, { m, cv, timeout: 30_000, form }); // (terminated long before)
    await waitFor(() => waiting() === 1, 'the first waiter');
    const second = spawn(body, { m, cv, timeout: 3_000, form });
    await waitFor(() => waiting() === 2, 'the second waiter');
    const g = m.lock({ timeout: 10_000 });
    assert.equal(cv.notifyOne(), 1); // the first, which now waits for the mutex
    await waitFor(() => /waiters: 1/.test(inspect(m)), 'the first waiter to queue for the mutex');
    const terminated = first.worker.terminate();
    await sleep(100); // the first notices (a blocked wait looks every 20 ms)
    g.unlock();
    await bounded(terminated, 10_000, 'terminate()');
    const r = await second.result();
    assert.equal(r.notified, true, `the second waiter was notified (it waited ${r.ms} ms)`);
    assert.equal(m.isLocked, false);
    assert.equal(waiting(), 0);
  });
}

// lib/ read the native functions from the generated binding's own exports
// object, whose properties anyone who reached binding.js by its path could
// replace. lib/binding.js now hands lib/ a frozen copy taken at load.
test('replacing the generated binding\'s functions after shmkit loads changes nothing shmkit calls', async () => {
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const shmkit = require(workerData.index);
    const generated = require(workerData.binding);
    let replaced = 0;
    for (const key of Object.keys(generated)) {
      if (typeof generated[key] === 'function') {
        generated[key] = () => { throw new Error('replaced ' + key); };
        replaced++;
      }
    }
    const out = { replaced, frozen: Object.isFrozen(require(workerData.lib)) };
    const pool = new shmkit.BufferPool();
    const ab = pool.acquire(4096);
    pool.release(ab);
    out.pool = [ab.byteLength, pool.acquire(4096).byteLength, pool.stats.hits];
    const m = new shmkit.Mutex();
    const g = m.lock();
    try {
      m.lock({ timeout: 20 }); // held by this thread: a native wait, or a deadlock error
    } catch (err) {
      out.lock = err.code;
    }
    g.unlock();
    const ring = new shmkit.RingBuffer(Float64Array, 4);
    ring.push(1.5);
    out.ring = [ring.pop({ timeout: 100 })];
    try {
      ring.pop({ timeout: 20 }); // empty: a native sleep
    } catch (err) {
      out.ring.push(err.code);
    }
    parentPort.postMessage(out);
    `,
    {
      eval: true,
      workerData: { index: require.resolve('../index.js'), binding: require.resolve('../binding.js'), lib: require.resolve('../lib/binding.js') },
    },
  );
  const out = await bounded(new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  }), 10_000, 'the worker');
  await bounded(worker.terminate(), 10_000, 'terminate()');
  assert.ok(out.replaced > 50, `${out.replaced} functions replaced`);
  assert.equal(out.frozen, true);
  assert.deepEqual(out.pool, [0, 4096, 1]);
  assert.equal(out.lock, 'ERR_SHMKIT_DEADLOCK');
  assert.deepEqual(out.ring, [1.5, 'ERR_SHMKIT_TIMEOUT']);
});

test("a thread's exit records are ordinary memory: moved to another thread by its own code, they crash nothing and count for nothing", async () => {
  const { Queue } = await import('../index.mjs');
  const rw = new RwLock();
  const q = new Queue(Float64Array, 8);
  // The worker moves its Queue step record and RwLock hold table (reachable
  // through the runtime state on globalThis) to the main thread, as a
  // transfer() and a transfer list would move any ArrayBuffer, and exits
  // holding a read lock.
  const mover = spawn(({}, { rw }, port) => {
    const state = globalThis[Symbol.for('shmkit.runtime.v1')];
    const move = (ab) => (typeof ab.transfer === 'function' ? ab.transfer() : ab);
    const step = move(state.step.buffer);
    const table = move(state.holdTable.buffer);
    rw.read({ timeout: 10_000 });
    port.postMessage({ step, table }, [step, table]);
    return rw.readers;
  }, { rw });
  const { step, table } = await mover.next();
  assert.equal(await mover.result(), 1);
  assert.equal(step.byteLength, 40);
  assert.equal(table.byteLength, 193 * 8);
  // Its read lock stays held: its table went with the buffer.
  assert.equal(rw.readers, 1);
  // Writes into the moved memory (forged records included) while other
  // workers come and go, use the same Queue and lock, and exit holding read
  // locks: theirs are given back.
  const words = [new Float64Array(step), new Float64Array(table)];
  const scribble = setInterval(() => {
    for (const w of words) for (let i = 0; i < w.length; i++) w[i] = i % 3 === 0 ? 1e6 + i : Math.random() * 1e9;
  }, 1);
  try {
    for (let i = 0; i < 6; i++) {
      const w = spawn(({}, { rw, q, i }) => {
        for (let k = 0; k < 100; k++) {
          q.push(k, { timeout: 5_000 });
          if (q.pop({ timeout: 5_000 }) !== k) return 'out of order';
        }
        rw.read({ timeout: 10_000 });
        return i;
      }, { rw, q, i });
      assert.equal(await w.result(), i);
      assert.equal(rw.readers, 2);
      // A write attempt goes through Rust, which gives the dead worker's read
      // lock back; the mover's stays.
      assert.equal(rw.tryWrite(), null);
      assert.equal(rw.readers, 1, `worker ${i}'s read lock given back`);
    }
  } finally {
    clearInterval(scribble);
  }
  assert.equal(q.size, 0);
});

// SHMKIT_NO_FAST_PATH=1 is how the suite runs every operation through Rust
// (scripts/test.mjs): it must really turn the JS fast paths off. A child
// process counts, from before shmkit loads, the calls of each native function
// (wrapped on the generated binding's exports, which lib/binding.js copies at
// load) and the JS Atomics.compareExchange calls on the locks' memory, over
// uncontended locks and unlocks.
test('SHMKIT_NO_FAST_PATH=1 sends uncontended locks and unlocks through Rust; without it they stay in JS', async () => {
  const root = new URL('..', import.meta.url).pathname;
  const script = `
    const calls = new Set();
    const generated = require(${JSON.stringify(`${root}/binding.js`)});
    for (const key of Object.keys(generated)) {
      const fn = generated[key];
      if (typeof fn === 'function') generated[key] = function (...args) { calls.add(key); return fn.apply(this, args); };
    }
    const watched = new Set();
    let cas = 0;
    const compareExchange = Atomics.compareExchange;
    Atomics.compareExchange = function (view, ...rest) {
      if (watched.has(view.buffer)) cas++;
      return compareExchange.call(Atomics, view, ...rest);
    };
    const { Mutex, Semaphore, RwLock } = require(${JSON.stringify(`${root}/index.js`)});
    const m = new Mutex();
    const sem = new Semaphore(1);
    const rw = new RwLock();
    for (const o of [m, sem, rw]) watched.add(o.buffer);
    calls.clear();
    m.lock({ timeout: 1_000 }).unlock();
    m.tryLock().unlock();
    sem.acquire({ timeout: 1_000 });
    sem.release();
    rw.read({ timeout: 1_000 }).unlock();
    rw.write({ timeout: 1_000 }).unlock();
    console.log(JSON.stringify({ cas, calls: [...calls].sort() }));
  `;
  const ops = ['mutexLock', 'mutexTryLock', 'mutexUnlock', 'semaphoreAcquire', 'semaphoreRelease', 'rwlockLock', 'rwlockUnlock'];
  const fast = (await runNode([], script)).json;
  const slow = (await runNode([], script, { SHMKIT_NO_FAST_PATH: '1' })).json;
  assert.ok(fast.cas >= 10, `with the fast paths, each of the 10 operations makes a JS compareExchange on its lock (${fast.cas} made)`);
  assert.deepEqual(fast.calls.filter((c) => ops.includes(c)), [], 'with the fast paths, no native lock call');
  assert.equal(slow.cas, 0, 'with SHMKIT_NO_FAST_PATH=1, no JS compareExchange on the locks');
  assert.deepEqual(slow.calls.filter((c) => ops.includes(c)), [...ops].sort(), 'with SHMKIT_NO_FAST_PATH=1, every operation went to Rust');
});

test('a batch or message is measured at the call, before the options are read: a getter that detaches or shrinks it gets ERR_INVALID_ARG_VALUE, not a cut message or a 0 that reads as closed', async () => {
  const { RingBuffer, Queue } = await import('../index.mjs');
  const detach = (buf) => structuredClone(buf, { transfer: [buf] }); // (ab.transfer() only from Node 21)
  const resizable = (n) => new ArrayBuffer(n, { maxByteLength: 64 });
  const after = (fn) => ({ get timeout() { fn(); return 1000; } });

  // Channel.sendAsync (its no-wait path; the queued path is below), a
  // sender's, and the blocking forms of both.
  const ch = new Channel({ byteCapacity: 256 });
  const cases = [];
  const tx = new Channel({ byteCapacity: 256 });
  const sender = tx.sender();
  const sends = {
    'Channel.sendAsync': (m, o) => ch.sendAsync(m, o),
    'sender.sendAsync': (m, o) => sender.sendAsync(m, o),
    'Channel.send': (m, o) => ch.send(m, o),
    'sender.send': (m, o) => sender.send(m, o),
  };
  for (const [name, send] of Object.entries(sends)) {
    const m1 = new Uint8Array(8).fill(1);
    cases.push([`${name}, detached`, () => send(m1, after(() => detach(m1.buffer)))]);
    const ab = resizable(8);
    const m2 = new Uint8Array(ab).fill(2);
    cases.push([`${name}, shrunk`, () => send(m2, after(() => ab.resize(3)))]);
  }
  for (const [what, fn] of cases) {
    await rejectsWithCode(assert, fn, 'ERR_INVALID_ARG_VALUE').catch((e) => assert.fail(`${what}: ${e.message}`));
    assert.equal(ch.byteSize + tx.byteSize, 0, `${what}: nothing sent`);
  }
  // A message that grows meanwhile (a view that tracks a resizable buffer)
  // is sent at its length at the call: 0 bytes stay 0, 3 stay 3.
  for (const [name, send] of Object.entries(sends)) {
    for (const start of [0, 3]) {
      const ab = resizable(start);
      const m = new Uint8Array(ab);
      m.fill(9);
      await send(m, after(() => ab.resize(start + 5)));
      const got = (name.startsWith('Channel') ? ch : tx).recv({ timeout: 1000 });
      assert.equal(got.length, start, `${name}: a ${start}-byte message stays ${start} bytes`);
    }
  }
  sender.release();
  // The queued path: an earlier send holds the turn, then the getter's change.
  const full = new Channel({ byteCapacity: 64 });
  full.send(new Uint8Array(56));
  const first = full.sendAsync(new Uint8Array(8), { timeout: 5000 });
  const m3 = new Uint8Array(8).fill(3);
  const queued = full.sendAsync(m3, after(() => detach(m3.buffer)));
  full.recv({ timeout: 1000 });
  await first;
  await rejectsWithCode(assert, () => queued, 'ERR_INVALID_ARG_VALUE');
  assert.equal(full.recv({ timeout: 1000 }).length, 8);
  assert.equal(full.byteSize, 0, 'the detached message was not sent');

  // Ring reads and writes, both forms, on a ring and a queue.
  for (const make of [() => new RingBuffer(Int32Array, 8), () => new Queue(Int32Array, 8)]) {
    const r = make();
    r.push(5);
    const t1 = new Int32Array(4);
    await rejectsWithCode(assert, () => r.readAsync(t1, after(() => detach(t1.buffer))), 'ERR_INVALID_ARG_VALUE');
    const t2 = new Int32Array(4);
    await rejectsWithCode(assert, () => r.read(t2, after(() => detach(t2.buffer))), 'ERR_INVALID_ARG_VALUE');
    assert.equal(r.size, 1, 'nothing was read');
    assert.equal(r.closed, false);
    const v1 = new Int32Array(4).fill(7);
    const e1 = await rejectsWithCode(assert, () => r.writeAsync(v1, after(() => detach(v1.buffer))), 'ERR_INVALID_ARG_VALUE');
    const ab = resizable(16);
    const v2 = new Int32Array(ab).fill(8);
    const e2 = await rejectsWithCode(assert, () => r.write(v2, after(() => ab.resize(4))), 'ERR_INVALID_ARG_VALUE');
    assert.deepEqual([e1.written, e2.written], [0, 0]);
    assert.equal(r.size, 1, 'nothing was written');
    assert.equal(r.tryPop(), 5);
  }
});
