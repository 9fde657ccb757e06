import test from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { RwLock, RwLockReadGuard, RwLockWriteGuard, errors } from '../index.mjs';
import { spawn, flags, sleep, rejectsWithCode, waitFor, bounded } from './helpers.mjs';

test('readers never see a half-written record while writers update it', async () => {
  const rw = new RwLock();
  const WORDS = 16;
  const record = new Int32Array(new SharedArrayBuffer(4 * WORDS)); // plain writes: the lock protects them
  const stop = flags();
  const writer = (id) =>
    spawn(
      async ({}, { rw, record, stop, id }) => {
        for (const until = Date.now() + 10_000; Atomics.load(stop, 1) < 2; ) {
          if (Date.now() > until) throw new Error('the readers did not start');
          Atomics.wait(stop, 1, Atomics.load(stop, 1), 10); // until both readers are reading
        }
        let writes = 0;
        for (let v = 1; writes < 3_000; v++) {
          const g = writes % 4 === 0 ? await rw.writeAsync({ timeout: 10_000 }) : rw.write({ timeout: 10_000 });
          for (let i = 0; i < record.length; i++) record[i] = v * 10 + id;
          g.unlock();
          writes++;
        }
        Atomics.add(stop, 0, 1);
        return writes;
      },
      { rw, record, stop, id },
    );
  const reader = () =>
    spawn(
      async ({}, { rw, record, stop }) => {
        let reads = 0;
        let torn = 0;
        Atomics.add(stop, 1, 1);
        for (const until = Date.now() + 60_000; Atomics.load(stop, 0) < 2; ) {
          if (Date.now() > until) throw new Error('the writers did not finish');
          const g = reads % 8 === 0 ? await rw.readAsync({ timeout: 10_000 }) : rw.read({ timeout: 10_000 });
          const first = record[0];
          for (let i = 1; i < record.length; i++) if (record[i] !== first) torn++;
          g.unlock();
          reads++;
        }
        return { reads, torn };
      },
      { rw, record, stop },
    );
  const ws = [writer(1), writer(2)];
  const rs = [reader(), reader()];
  const [w1, w2, ...results] = await Promise.all([...ws, ...rs].map((w) => w.result(60_000)));
  assert.equal(w1 + w2, 6_000);
  for (const { reads, torn } of results) {
    assert.equal(torn, 0, 'no torn record');
    assert.ok(reads > 0);
  }
  assert.equal(rw.readers, 0);
  assert.equal(rw.isWriteLocked, false);
});

test('a writer gets in under a continuous stream of readers: once it queues, new readers queue behind it', async () => {
  const rw = new RwLock();
  const f = flags(); // [readers started, stop, read locks taken]
  // Three readers each hold a read lock for a while and take the next one at
  // once, so with their holds overlapping the lock is (almost) never free of
  // readers: without writer preference the writer would wait forever.
  const reader = (i) =>
    spawn(
      ({}, { rw, f, i }) => {
        Atomics.add(f, 0, 1);
        let n = 0;
        for (const until = Date.now() + 30_000; Atomics.load(f, 1) === 0; ) {
          if (Date.now() > until) throw new Error('never told to stop');
          const g = rw.read({ timeout: 10_000 });
          Atomics.add(f, 2, 1);
          const t = performance.now() + 0.2;
          while (performance.now() < t); // hold it 0.2 ms
          g.unlock();
          n++;
        }
        return n;
      },
      { rw, f, i },
    );
  const readers = [reader(0), reader(1), reader(2)];
  await waitFor(() => Atomics.load(f, 0) >= 3 && Atomics.load(f, 2) >= 300, 'the readers to read');
  let queued = 0;
  for (let i = 0; i < 20; i++) {
    const p = rw.writeAsync({ timeout: 10_000 }).then((g) => [g, Atomics.load(f, 2)]);
    const before = Atomics.load(f, 2); // the writer has queued (within the call) by now
    if (/writersWaiting: 1/.test(inspect(rw))) queued++; // (it queued, rather than found the lock free)
    const [g, after] = await p;
    // Once the writer waits, no new read lock is granted: each reader
    // counts at most the one it took before.
    assert.ok(after - before <= 3, `round ${i}: ${after - before} read locks were taken while the writer waited`);
    assert.equal(rw.readers, 0, 'no reader inside with the writer');
    g.unlock();
    await waitFor(() => Atomics.load(f, 2) >= after + 30, 'the readers to go on');
  }
  Atomics.store(f, 1, 1);
  const counts = await Promise.all(readers.map((r) => r.result()));
  assert.ok(queued > 0, 'in some round the writer had to queue');
  assert.ok(counts.every((n) => n > 0), `readers kept reading: ${counts}`);
});

test('guards, try forms, recursion rules', () => {
  const rw = new RwLock();
  const r1 = rw.read();
  assert.ok(r1 instanceof RwLockReadGuard);
  const r2 = rw.tryRead();
  assert.ok(r2);
  assert.equal(rw.readers, 2);
  assert.equal(rw.tryWrite(), null);
  assert.throws(() => rw.write({ timeout: 10_000 }), (e) => e instanceof errors.DeadlockError, 'no upgrade from read to write');
  r1.unlock();
  r2[Symbol.dispose]();
  assert.throws(() => r1.unlock(), { code: 'ERR_SHMKIT_NOT_OWNER' });
  const w = rw.write();
  assert.ok(w instanceof RwLockWriteGuard);
  assert.equal(rw.isWriteLocked, true);
  assert.equal(rw.tryRead(), null);
  assert.throws(() => rw.read({ timeout: 10_000 }), { code: 'ERR_SHMKIT_DEADLOCK' });
  assert.throws(() => rw.write({ timeout: 10_000 }), { code: 'ERR_SHMKIT_DEADLOCK' });
  assert.match(inspect(rw), /writer: \d+/);
  w.unlock();
  assert.equal(rw.withRead(() => rw.readers), 1);
  assert.equal(rw.withWrite(() => rw.isWriteLocked), true);
  assert.equal(inspect(rw), 'RwLock {\n  readers: 0,\n  writer: null,\n  readersWaiting: 0,\n  writersWaiting: 0,\n  poisoned: false\n}');
  assert.throws(() => new RwLockReadGuard(rw), { code: 'ERR_ILLEGAL_CONSTRUCTOR' });
});

test('a recursive read behind a waiting writer is a DeadlockError', async () => {
  const rw = new RwLock();
  const r = rw.read();
  const f = flags();
  const writer = spawn(({}, { rw, f }) => {
    Atomics.store(f, 0, 1);
    const g = rw.write({ timeout: 10_000 });
    g.unlock();
    return 'wrote';
  }, { rw, f });
  await waitFor(() => Atomics.load(f, 0) !== 0, 'Atomics.load(f, 0) !== 0');
  await waitFor(() => /writersWaiting: 1/.test(inspect(rw)), '/writersWaiting: 1/.test(inspect(rw))');
  assert.throws(() => rw.read({ timeout: 10_000 }), { code: 'ERR_SHMKIT_DEADLOCK' });
  r.unlock();
  assert.equal(await writer.result(), 'wrote');
});

test('the recursion rules hold through every object over one lock in a thread, not only the one that read', async () => {
  // In a worker: the lock from workerData, the same lock attached again, and
  // the same lock received again in a message (a new SharedArrayBuffer object
  // over the same memory).
  const rw = new RwLock();
  const f = flags();
  const reader = spawn(async ({ RwLock, attach }, { rw, again, f }, port) => {
    const other = attach(again).rw;
    const received = await new Promise((resolve) => port.once('message', (m) => resolve(RwLock.from(m))));
    const outcome = (fn) => {
      try {
        fn();
        return 'ok';
      } catch (err) {
        return err.code;
      }
    };
    const r = rw.read({ timeout: 10_000 });
    const upgrades = [other, received].map((h) => outcome(() => h.write({ timeout: 2_000 })));
    Atomics.store(f, 0, 1); // a writer may queue now
    const t0 = Date.now();
    while (!/writersWaiting: 1/.test(require('node:util').inspect(rw)) && Date.now() - t0 < 5_000);
    const recursive = [other, received].map((h) => outcome(() => h.read({ timeout: 2_000 })));
    r.unlock();
    return { upgrades, recursive, after: outcome(() => received.write({ timeout: 5_000 }).unlock()) };
  }, { rw, again: { rw }, f });
  reader.worker.postMessage(rw);
  await waitFor(() => Atomics.load(f, 0) === 1, 'the reader to hold its read lock');
  const writer = spawn(({}, { rw }) => (rw.write({ timeout: 10_000 }).unlock(), 'wrote'), { rw });
  const [{ upgrades, recursive, after }, wrote] = await Promise.all([reader.result(), writer.result()]);
  assert.deepEqual(upgrades, ['ERR_SHMKIT_DEADLOCK', 'ERR_SHMKIT_DEADLOCK'], 'write() while this thread reads, through another object');
  assert.deepEqual(recursive, ['ERR_SHMKIT_DEADLOCK', 'ERR_SHMKIT_DEADLOCK'], 'a recursive read behind the waiting writer, through another object');
  assert.equal(after, 'ok', 'once unlocked (through the first object), every object may write');
  assert.equal(wrote, 'wrote');
});

test('a new lock in the memory of an old one does not inherit its read holds', () => {
  const buffer = new SharedArrayBuffer(RwLock.byteLength);
  const old = new RwLock({ buffer });
  old.read(); // never unlocked: the old lock is abandoned with it
  assert.throws(() => old.write({ timeout: 10 }), { code: 'ERR_SHMKIT_DEADLOCK' });
  const fresh = new RwLock({ buffer }); // created again in place (as a new lock in reused memory would be)
  const w = fresh.write({ timeout: 1_000 });
  w.unlock();
  const r = fresh.read();
  assert.throws(() => RwLock.from(fresh).write({ timeout: 10 }), { code: 'ERR_SHMKIT_DEADLOCK' }, 'its own holds still count');
  r.unlock();
});

test('timeouts and aborts', async () => {
  const rw = new RwLock();
  const w = rw.write();
  const f = flags();
  const other = spawn(({}, { rw }) => {
    const out = [];
    for (const fn of [() => rw.read({ timeout: 20 }), () => rw.write({ timeout: 20 })]) {
      try {
        fn();
        out.push('locked');
      } catch (err) {
        out.push(err.code);
      }
    }
    return out;
  }, { rw, f });
  assert.deepEqual(await other.result(), ['ERR_SHMKIT_TIMEOUT', 'ERR_SHMKIT_TIMEOUT']);
  w.unlock();
  const r = rw.read();
  await rejectsWithCode(assert, () => spawn(({}, { rw }) => rw.writeAsync({ timeout: 20 }).then(() => 'no'), { rw }).result(), 'ERR_SHMKIT_TIMEOUT');
  const ac = new AbortController();
  const p = (async () => {
    const w2 = rw.tryWrite();
    assert.equal(w2, null);
    return rw.writeAsync({ signal: ac.signal, timeout: 10_000 });
  })();
  await waitFor(() => /writersWaiting: 1/.test(inspect(rw)), 'writeAsync to queue');
  ac.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
  assert.match(inspect(rw), /writersWaiting: 0/);
  r.unlock();
  assert.equal(rw.readers, 0);
  assert.equal(Atomics.load(new Int32Array(rw.buffer, rw.byteOffset, 6), 4), 0, 'no flag left behind');
});

test('a writer that dies holding the lock poisons it; waiters take over', async () => {
  const rw = new RwLock();
  const f = flags();
  const holder = spawn(({}, { rw, f }) => {
    rw.write({ timeout: 10_000 });
    Atomics.store(f, 0, 1);
    Atomics.wait(f, 1, 0, 10_000);
    process.exit(0);
  }, { rw, f });
  await waitFor(() => Atomics.load(f, 0) !== 0, 'Atomics.load(f, 0) !== 0');
  const readerP = rw.readAsync({ timeout: 10_000 }).then(
    () => 'no error',
    (err) => {
      err.guard.unlock();
      return err.code;
    },
  );
  await waitFor(() => /readersWaiting: 1/.test(inspect(rw)), 'readAsync to queue');
  Atomics.store(f, 1, 1);
  Atomics.notify(f, 1);
  await holder.exited();
  assert.equal(await bounded(readerP, 10_000, 'readAsync'), 'ERR_SHMKIT_OWNER_DIED');
  assert.equal(rw.isPoisoned, true);
  assert.throws(() => rw.withWrite(() => 1), { code: 'ERR_SHMKIT_OWNER_DIED' });
  assert.equal(rw.isWriteLocked, false);
  rw.clearPoison();
  assert.equal(rw.withWrite(() => 'clean'), 'clean');
});

test('read locks a worker still holds when it exits are given back; only its own', async () => {
  const rw = new RwLock();
  const f = flags();
  const mine = rw.read(); // a live reader, which keeps its lock throughout
  // Returns holding two (one recursive); the second worker reads, then is
  // terminated while it waits.
  const returns = spawn(({}, { rw }) => {
    rw.read({ timeout: 10_000 });
    rw.read({ timeout: 10_000 });
    return rw.readers;
  }, { rw });
  assert.equal(await returns.result(), 3);
  const terminated = spawn(({}, { rw, f }) => {
    rw.read({ timeout: 5_000 });
    Atomics.store(f, 0, 1);
    Atomics.wait(f, 1, 0, 10_000);
  }, { rw, f });
  await waitFor(() => Atomics.load(f, 0) === 1, 'the second reader');
  assert.equal(rw.readers, 4);
  // A writer in another worker waits, blocked, for the readers.
  const writer = spawn(({}, { rw, f }) => {
    const g = rw.write({ timeout: 10_000 });
    const readers = Atomics.load(f, 2); // set by the main thread once it let go
    g.unlock();
    return readers;
  }, { rw, f });
  await waitFor(() => inspect(rw).includes('writersWaiting: 1'), 'the writer to queue');
  await bounded(terminated.worker.terminate(), 10_000, 'terminate()');
  // The dead threads' read locks are given back; the live one still holds.
  await waitFor(() => rw.readers === 1, 'the dead readers\' locks given back');
  await sleep(20);
  assert.equal(rw.readers, 1);
  assert.match(inspect(rw), /writersWaiting: 1/);
  Atomics.store(f, 2, 7);
  mine.unlock();
  assert.equal(await writer.result(), 7, 'the writer got the lock once the live reader let go');
  assert.equal(rw.readers, 0);
  assert.equal(rw.withWrite(() => 'free'), 'free');
});

test('read locks a worker exits holding are given back to a later writer, async or try', async () => {
  const rw = new RwLock();
  const held = spawn(({}, { rw }) => {
    rw.read({ timeout: 10_000 });
    return 'left holding it';
  }, { rw });
  await held.result();
  assert.equal(rw.readers, 1, 'counted until a writer comes');
  const g = rw.tryWrite();
  assert.ok(g, 'tryWrite gets the lock');
  g.unlock();
  // An async writer already waiting when the reader is terminated.
  const f = flags();
  const reader = spawn(({}, { rw, f }) => {
    const r = rw.read({ timeout: 10_000 });
    Atomics.store(f, 0, 1);
    Atomics.wait(f, 1, 0, 10_000);
    r.unlock();
  }, { rw, f });
  await waitFor(() => Atomics.load(f, 0) === 1, 'the reader');
  const w = rw.writeAsync({ timeout: 10_000 });
  await waitFor(() => /writersWaiting: 1/.test(inspect(rw)), 'writeAsync to queue');
  await bounded(reader.worker.terminate(), 10_000, 'terminate()');
  (await bounded(w, 5_000, 'writeAsync')).unlock();
  assert.equal(rw.readers, 0);
});

test('an async read lock counted as its worker is terminated in the middle of its delivery is given back once', async () => {
  const rw = new RwLock();
  const f = flags();
  const w = rw.write(); // the worker's readAsync queues behind it
  const worker = spawn(({ RwLockReadGuard }, { rw, f }) => {
    // resolve(guard) looks up guard.then while the outcome is being
    // delivered, after the read lock is counted: stop there until terminated.
    Object.defineProperty(Object.prototype, 'then', {
      configurable: true,
      get() {
        if (this instanceof RwLockReadGuard) {
          Atomics.store(f, 0, 2);
          Atomics.wait(f, 1, 0, 10_000);
        }
        return undefined;
      },
    });
    Atomics.store(f, 0, 1);
    rw.readAsync({ timeout: 10_000 });
  }, { rw, f });
  await waitFor(() => Atomics.load(f, 0) === 1, 'the worker');
  await waitFor(() => inspect(rw).includes('readersWaiting: 1'), 'the async reader to queue');
  w.unlock(); // hands it the read lock
  await waitFor(() => Atomics.load(f, 0) === 2, 'the delivery');
  const mine = rw.read();
  assert.equal(rw.readers, 2);
  await bounded(worker.worker.terminate(), 10_000, 'terminate()');
  await waitFor(() => {
    const g = rw.tryWrite(); // (a write attempt gives dead readers' locks back)
    g?.unlock();
    return rw.readers === 1;
  }, 'the worker\'s read lock given back');
  assert.equal(rw.tryWrite(), null, 'this thread\'s read lock still holds: given back once, not twice');
  mine.unlock();
  const g = rw.tryWrite();
  assert.ok(g);
  g.unlock();
});

test('read locks an exiting worker held on an old lock are not taken from a new lock in that memory', async () => {
  const buffer = new SharedArrayBuffer(RwLock.byteLength);
  const old = new RwLock({ buffer });
  const f = flags();
  const oldReader = spawn(({}, { old, f }) => {
    old.read({ timeout: 10_000 });
    Atomics.store(f, 0, 1);
    Atomics.wait(f, 1, 0, 10_000);
    return 'gone';
  }, { old, f });
  await waitFor(() => Atomics.load(f, 0) === 1, 'the old lock\'s reader');
  const fresh = new RwLock({ buffer }); // a new lock where the old one was
  const newReader = spawn(({}, { fresh, f }) => {
    const r = fresh.read({ timeout: 10_000 });
    Atomics.store(f, 2, 1);
    Atomics.wait(f, 3, 0, 10_000);
    r.unlock();
    return 'done';
  }, { fresh, f });
  await waitFor(() => Atomics.load(f, 2) === 1, 'the new lock\'s reader');
  Atomics.store(f, 1, 1);
  Atomics.notify(f, 1);
  assert.equal(await oldReader.result(), 'gone');
  await sleep(20);
  assert.equal(fresh.tryWrite(), null, 'the new lock\'s reader still holds it');
  assert.equal(fresh.readers, 1);
  Atomics.store(f, 3, 1);
  Atomics.notify(f, 3);
  assert.equal(await newReader.result(), 'done');
  const g = fresh.tryWrite();
  assert.ok(g);
  g.unlock();
});

test('a write-lock cycle between two workers is a DeadlockError', async () => {
  const a = new RwLock();
  const b = new RwLock();
  const f = flags();
  const body = ({}, { first, second, f }) => {
    const g1 = first.write({ timeout: 10_000 });
    Atomics.add(f, 0, 1);
    for (const until = Date.now() + 10_000; Atomics.load(f, 0) < 2; ) {
      if (Date.now() > until) throw new Error('the other worker did not take its first lock');
      Atomics.wait(f, 0, Atomics.load(f, 0), 100);
    }
    try {
      second.write({ timeout: 10_000 }).unlock();
      g1.unlock();
      return 'acquired';
    } catch (err) {
      g1.unlock();
      return err.code;
    }
  };
  const results = (await Promise.all([spawn(body, { first: a, second: b, f }).result(), spawn(body, { first: b, second: a, f }).result()])).sort();
  assert.deepEqual(results, ['ERR_SHMKIT_DEADLOCK', 'acquired']);
});
