import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { Mutex, MutexGuard, Semaphore, Condvar, RwLock, Barrier, Latch, RingBuffer, Queue, Channel, BufferPool, SlabPool, attach, errors } from '../index.mjs';
import * as esm from '../index.mjs';
import { spawn, sleep, rejectsWithCode, waitFor, bounded } from './helpers.mjs';

const require = createRequire(import.meta.url);

test('require and import give the same module', () => {
  const cjs = require('../index.js');
  assert.equal(cjs.Mutex, esm.Mutex);
  assert.equal(cjs.errors.TimeoutError, errors.TimeoutError);
  assert.equal(require('shmkit').Mutex, Mutex, 'the package resolves itself by name');
});

test('util.inspect: every class shows its state, [Name] past the depth limit, and never throws on a bare prototype copy', () => {
  const ch = new esm.Channel({ byteCapacity: 64 });
  const rw = new RwLock();
  const slab = new esm.SlabPool({ blockSize: 64, blocks: 1 });
  const m = new Mutex();
  const objects = {
    Mutex: m, MutexGuard: m.lock(), RwLock: rw, RwLockReadGuard: rw.read(), Semaphore: new Semaphore(1), Condvar: new Condvar(),
    Barrier: new Barrier(2), Latch: new Latch(1), RingBuffer: new esm.RingBuffer(Int8Array, 4), Queue: new esm.Queue(Int8Array, 4),
    Channel: ch, ChannelSender: ch.sender(), ChannelReceiver: ch.receiver(), BufferPool: new esm.BufferPool(), SlabPool: slab, Block: slab.tryAcquire(),
  };
  for (const [name, object] of Object.entries(objects)) {
    assert.match(inspect(object), new RegExp(`^${name} \\{ ?\\n?\\s*\\w+: `), name);
    assert.equal(inspect({ object }, { depth: 0 }), `{ object: [${name}] }`, name);
    const bare = Object.create(Object.getPrototypeOf(object));
    assert.equal(inspect(bare), `${name} <not constructed>`, name);
  }
  assert.match(inspect({ tx: objects.ChannelSender }, { depth: 1 }), /channel: \[Channel\]/, "an end's channel, one level down");
});

test('loadable by name from a worker with require and import', async () => {
  const w = spawn(async () => {
    const a = require('shmkit');
    const b = await import('shmkit');
    return a.Mutex === b.Mutex && typeof a.Semaphore === 'function';
  });
  assert.equal(await w.result(), true);
});

test('attach() revives objects through workerData and postMessage, both ways', async () => {
  const m = new Mutex();
  const s = new Semaphore(1, { max: 5 });
  const nested = { list: [m, { deeper: s }], map: new Map([['m', m]]), n: 1, text: 'x' };
  const w = spawn(
    async ({ Mutex, Semaphore, attach }, data, port) => {
      const ok =
        data.list[0] instanceof Mutex &&
        data.list[1].deeper instanceof Semaphore &&
        data.map.get('m') instanceof Mutex &&
        data.map.get('m') === data.list[0] && // sent twice, one object: one live Mutex
        data.n === 1 &&
        data.list[1].deeper.max === 5;
      data.list[0].lock({ timeout: 10_000 }); // lock it here: the main thread must see it
      data.list[1].deeper.acquire(1, { timeout: 10_000 });
      port.postMessage({ ok, back: { mutex: data.list[0], fresh: new Mutex(), sem: Semaphore.from(data.list[1].deeper) } });
      const msg = await new Promise((r) => port.once('message', r));
      const again = attach(msg);
      return again.m.isLocked === false && again.s.available === 1;
    },
    nested,
  );
  const reply = await w.next();
  if (reply.ok !== true) await bounded(w.worker.terminate(), 10_000, 'terminating the worker'); // (it waits for a second message)
  assert.equal(reply.ok, true);
  const back = attach(reply.back);
  assert.ok(back.mutex instanceof Mutex);
  assert.ok(back.fresh instanceof Mutex);
  assert.equal(back.mutex.isLocked, true, 'the same lock, held by the worker');
  assert.equal(back.sem.available, 0);
  assert.ok(back.mutex.buffer instanceof SharedArrayBuffer);
  assert.equal(Mutex.from(reply.back.mutex).isLocked, true);
  // The worker exits holding the mutex; release and reset from this side.
  s.release();
  w.worker.postMessage({ m: new Mutex(), s });
  assert.equal(await w.result(), true);
  assert.equal(attach(42), 42);
  assert.equal(attach(null), null);
  const cyclic = { m: structuredClone(m) };
  cyclic.self = cyclic;
  assert.ok(attach(cyclic).m instanceof Mutex);
  // One object twice in a value (as structured clone delivers { a: m, b: m }): one live object.
  const twice = attach(structuredClone({ a: m, b: [m], c: new Map([[1, m]]) }));
  assert.ok(twice.a instanceof Mutex);
  assert.equal(twice.b[0], twice.a);
  assert.equal(twice.c.get(1), twice.a);
  assert.equal(attach(structuredClone(m)) === twice.a, false, 'each call makes its own');
});

test('several objects share one SharedArrayBuffer at aligned offsets', async () => {
  const buffer = new SharedArrayBuffer(128);
  const a = new Mutex({ buffer, byteOffset: 0 });
  const s = new Semaphore(3, { buffer, byteOffset: Mutex.byteLength });
  const b = new Mutex({ buffer, byteOffset: 64 });
  assert.equal(a.buffer, buffer);
  assert.equal(s.byteOffset, Mutex.byteLength);
  const g = a.lock();
  assert.equal(b.isLocked, false);
  assert.equal(s.available, 3);
  const w = spawn(({ Mutex, Semaphore }, { buffer }) => {
    const a = Mutex.from({ buffer, byteOffset: 0 });
    const s = Semaphore.from({ buffer, byteOffset: 24 });
    const b = Mutex.from({ buffer, byteOffset: 64 });
    const got = b.tryLock();
    got.unlock();
    return [a.isLocked, s.available, !!got];
  }, { buffer });
  assert.deepEqual(await w.result(), [true, 3, true]);
  g.unlock();
});

test('from() on memory that holds another kind of object names both kinds, for every pair; too little memory says so', () => {
  const make = {
    Mutex: () => new esm.Mutex(),
    Semaphore: () => new esm.Semaphore(1),
    Condvar: () => new esm.Condvar(),
    RwLock: () => new esm.RwLock(),
    Barrier: () => new esm.Barrier(2),
    Latch: () => new esm.Latch(1),
    RingBuffer: () => new esm.RingBuffer(Int32Array, 4),
    Queue: () => new esm.Queue(Int32Array, 4),
    Channel: () => new esm.Channel({ byteCapacity: 64 }),
    SlabPool: () => new esm.SlabPool({ blockSize: 64, blocks: 2 }),
  };
  const wrong = [];
  for (const want of Object.keys(make)) {
    for (const there of Object.keys(make)) {
      const o = make[there]();
      const at = { buffer: o.buffer, byteOffset: o.byteOffset }; // no tag: only the memory says what it is
      if (want === there) {
        assert.equal(esm[want].from(at).buffer, o.buffer);
        continue;
      }
      try {
        esm[want].from(at);
        wrong.push(`${want}.from(a ${there}) opened it`);
      } catch (err) {
        if (err.code !== 'ERR_SHMKIT_BAD_LAYOUT' || !err.message.includes(`this memory holds a ${there}, not a ${want}`)) wrong.push(`${want}.from(a ${there}): ${err.code} ${err.message}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
  // The right kind in too little memory: its size.
  const ring = new esm.RingBuffer(Int32Array, 64);
  const cut = new SharedArrayBuffer(300);
  new Uint8Array(cut).set(new Uint8Array(ring.buffer, 0, 300));
  assert.throws(() => esm.RingBuffer.from({ buffer: cut, byteOffset: 0 }), { code: 'ERR_SHMKIT_BAD_LAYOUT', message: /needs 512 bytes, 300 are there/ });
});

test('bad inputs get clear errors with codes', async () => {
  const sab = new SharedArrayBuffer(64);
  const sem = new Semaphore(1, { max: 1 });
  const m = new Mutex();
  const corrupt = (mutate) => {
    const b = new SharedArrayBuffer(Mutex.byteLength);
    new Mutex({ buffer: b });
    mutate(new Int32Array(b));
    return { buffer: b, byteOffset: 0 };
  };
  const cases = [
    ['options not an object', () => new Mutex('x'), 'ERR_INVALID_ARG_TYPE'],
    ['a plain ArrayBuffer', () => new Mutex({ buffer: new ArrayBuffer(64) }), 'ERR_SHMKIT_NOT_SHARED'],
    ['a view instead of its buffer', () => new Mutex({ buffer: new Int32Array(sab) }), 'ERR_SHMKIT_NOT_SHARED'],
    ['buffer of the wrong type', () => new Mutex({ buffer: [1, 2] }), 'ERR_INVALID_ARG_TYPE'],
    ['misaligned offset', () => new Mutex({ buffer: sab, byteOffset: 3 }), 'ERR_INVALID_ARG_VALUE'],
    ['negative offset', () => new Mutex({ buffer: sab, byteOffset: -8 }), 'ERR_OUT_OF_RANGE'],
    ['fractional offset', () => new Mutex({ buffer: sab, byteOffset: 8.5 }), 'ERR_OUT_OF_RANGE'],
    ['offset past the end', () => new Mutex({ buffer: sab, byteOffset: 48 }), 'ERR_OUT_OF_RANGE'],
    ['offset as a string', () => new Mutex({ buffer: sab, byteOffset: '0' }), 'ERR_INVALID_ARG_TYPE'],
    ['offset without buffer', () => new Mutex({ byteOffset: 8 }), 'ERR_INVALID_ARG_VALUE'],
    ['from() a number', () => Mutex.from(123), 'ERR_INVALID_ARG_TYPE'],
    ['from() zeroed memory', () => Mutex.from({ buffer: new SharedArrayBuffer(24) }), 'ERR_SHMKIT_BAD_LAYOUT'],
    ['from() a Semaphore', () => Mutex.from(structuredClone(sem)), 'ERR_SHMKIT_BAD_LAYOUT'],
    ['from() a Semaphore at its place', () => Mutex.from({ buffer: sem.buffer, byteOffset: 0 }), 'ERR_SHMKIT_BAD_LAYOUT'],
    ['from() a wrong version', () => Mutex.from(corrupt((w) => (w[1] = (w[1] & ~0xffff) | 99))), 'ERR_SHMKIT_BAD_LAYOUT'],
    ['from() a corrupted size', () => Mutex.from(corrupt((w) => (w[2] = 1 << 30))), 'ERR_SHMKIT_BAD_LAYOUT'],
    ['from() too small a buffer', () => Mutex.from({ buffer: new SharedArrayBuffer(16) }), 'ERR_SHMKIT_BAD_LAYOUT'],
    ['from() misaligned', () => Mutex.from({ buffer: sab, byteOffset: 4 }), 'ERR_SHMKIT_BAD_LAYOUT'],
    ['from() a plain ArrayBuffer', () => Mutex.from({ buffer: new ArrayBuffer(24) }), 'ERR_SHMKIT_NOT_SHARED'],
    ['from() without buffer', () => Mutex.from({}), 'ERR_INVALID_ARG_TYPE'],
    ['timeout negative', () => m.lock({ timeout: -1 }), 'ERR_OUT_OF_RANGE'],
    ['timeout NaN', () => m.lock({ timeout: NaN }), 'ERR_OUT_OF_RANGE'],
    ['timeout a string', () => m.lock({ timeout: '10' }), 'ERR_INVALID_ARG_TYPE'],
    ['lock options a number', () => m.lock(5), 'ERR_INVALID_ARG_TYPE'],
    ['signal not a signal', () => m.lockAsync({ signal: {} }), 'ERR_INVALID_ARG_TYPE'],
    ['withLock without fn', () => m.withLock(1), 'ERR_INVALID_ARG_TYPE'],
    ['withLockAsync without fn', () => m.withLockAsync(), 'ERR_INVALID_ARG_TYPE'],
    ['semaphore initial negative', () => new Semaphore(-1), 'ERR_OUT_OF_RANGE'],
    ['semaphore initial missing', () => new Semaphore(), 'ERR_INVALID_ARG_TYPE'],
    ['semaphore initial over max', () => new Semaphore(5, { max: 3 }), 'ERR_OUT_OF_RANGE'],
    ['semaphore initial fractional', () => new Semaphore(1.5), 'ERR_OUT_OF_RANGE'],
    ['semaphore max zero', () => new Semaphore(0, { max: 0 }), 'ERR_OUT_OF_RANGE'],
    ['semaphore max too big', () => new Semaphore(0, { max: 2 ** 31 }), 'ERR_OUT_OF_RANGE'],
    ['acquire zero', () => sem.acquire(0), 'ERR_OUT_OF_RANGE'],
    ['acquire more than max', () => new Semaphore(1, { max: 2 }).acquire(3), 'ERR_OUT_OF_RANGE'],
    ['tryAcquire a string', () => sem.tryAcquire('1'), 'ERR_INVALID_ARG_TYPE'],
    ['release past max', () => sem.release(), 'ERR_OUT_OF_RANGE'],
    ['a forged MutexGuard', () => new MutexGuard(m), 'ERR_ILLEGAL_CONSTRUCTOR'],
    ['semaphore options a number', () => new Semaphore(1, 5), 'ERR_INVALID_ARG_TYPE'],
    ['condvar wait without a guard', () => new Condvar().wait(null), 'ERR_INVALID_ARG_TYPE'],
    ['condvar wait on a released guard', () => { const g = m.lock(); g.unlock(); new Condvar().wait(g); }, 'ERR_SHMKIT_NOT_OWNER'],
    ['condvar waitWhile without predicate', () => { const g = m.lock(); try { new Condvar().waitWhile(g, 1); } finally { g.unlock(); } }, 'ERR_INVALID_ARG_TYPE'],
    ['Condvar.from a Mutex', () => Condvar.from(structuredClone(m)), 'ERR_SHMKIT_BAD_LAYOUT'],
    ['rwlock bad timeout', () => new RwLock().read({ timeout: 'soon' }), 'ERR_INVALID_ARG_TYPE'],
    ['rwlock withWrite without fn', () => new RwLock().withWrite(), 'ERR_INVALID_ARG_TYPE'],
    ['RwLock.from a Latch', () => RwLock.from(structuredClone(new Latch(1))), 'ERR_SHMKIT_BAD_LAYOUT'],
    ['barrier of zero parties', () => new Barrier(0), 'ERR_OUT_OF_RANGE'],
    ['barrier parties a string', () => new Barrier('4'), 'ERR_INVALID_ARG_TYPE'],
    ['barrier bad signal', () => new Barrier(2).waitAsync({ signal: 'x' }), 'ERR_INVALID_ARG_TYPE'],
    ['latch negative count', () => new Latch(-1), 'ERR_OUT_OF_RANGE'],
    ['latch countDown fractional', () => new Latch(3).countDown(0.5), 'ERR_OUT_OF_RANGE'],
    ['latch countDown past zero', () => new Latch(1).countDown(2), 'ERR_OUT_OF_RANGE'],
    ['acquireAsync bad timeout', () => sem.acquireAsync(1, { timeout: -5 }), 'ERR_OUT_OF_RANGE'],
  ];
  for (const [what, fn, code] of cases) {
    const err = await rejectsWithCode(assert, fn, code).catch((e) => {
      e.message = `${what}: ${e.message}`;
      throw e;
    });
    assert.ok(err.message.length > 10, `${what}: a message that says something`);
  }
  // The argument named as the caller passed it: a from() value, or a constructor's options.
  assert.throws(() => Mutex.from({ buffer: 'x' }), { code: 'ERR_INVALID_ARG_TYPE', message: /"value\.buffer"/ });
  assert.throws(() => Mutex.from({ buffer: sab, byteOffset: '0' }), { code: 'ERR_INVALID_ARG_TYPE', message: /"value\.byteOffset"/ });
  assert.throws(() => new Mutex({ buffer: 'x' }), { code: 'ERR_INVALID_ARG_TYPE', message: /"options\.buffer"/ });
  // The SharedArrayBuffer itself instead of { buffer }: the message says so.
  assert.throws(() => Mutex.from(m.buffer), { code: 'ERR_INVALID_ARG_TYPE', message: /\{ buffer, byteOffset \}.*not the SharedArrayBuffer itself/ });
  // A release past max says how many permits there are and how many can go back.
  assert.throws(() => sem.release(), { code: 'ERR_OUT_OF_RANGE', message: /at most 0 now \(1 of its max 1 permits are available\)/ });
  // attach(): a tagged object of a class this shmkit lacks is an error, not left plain.
  const foreign = { $shmkit: 'Mutex2', buffer: new SharedArrayBuffer(64), byteOffset: 0 };
  assert.throws(() => attach({ lock: foreign }), { code: 'ERR_INVALID_ARG_VALUE', message: /"Mutex2".*another version of shmkit/ });
  const notOurs = { $shmkit: 'mine', buffer: 'not shared' }; // someone else's key, no shared memory: left as it is
  assert.equal(attach({ x: notOurs }).x, notOurs);
  assert.equal(m.isLocked, false);
  assert.equal(sem.available, 1);
});

test('a misspelt option is ERR_INVALID_ARG_VALUE naming it, not ignored, and the call takes nothing', async () => {
  const m = new Mutex();
  const ring = new RingBuffer(Float64Array, 4);
  ring.push(1);
  const q = new Queue(Int32Array, 4);
  const ch = new Channel({ byteCapacity: 64 });
  ch.send('kept');
  const sem = new Semaphore(1);
  const pool = new BufferPool();
  const slab = new SlabPool({ blockSize: 8, blocks: 1 });
  const signal = new AbortController().signal;
  const cases = [
    // Waits: a misspelt timeout would have meant no limit at all.
    ['lock timeOut', () => m.lock({ timeOut: 10 }), 'timeOut'],
    ['withLock timout', () => m.withLock(() => assert.fail('ran'), { timout: 10 }), 'timout'],
    ['lockAsync Timeout', () => m.lockAsync({ Timeout: 10 }), 'Timeout'],
    ['lockAsync with a timeout and a misspelt signal', () => m.lockAsync({ timeout: 10, singal: signal }), 'singal'],
    ['ring pop', () => ring.pop({ timeout_ms: 10 }), 'timeout_ms'],
    ['ring popAsync', () => ring.popAsync({ ms: 10 }), 'ms'],
    ['queue push', () => q.pushAsync(1, { wait: 10 }), 'wait'],
    ['channel recv', () => ch.recv({ deadline: 10 }), 'deadline'],
    ['semaphore acquire', () => sem.acquire(1, { timeOut: 10 }), 'timeOut'],
    ['slab acquireAsync', () => slab.acquireAsync({ abortSignal: signal }), 'abortSignal'],
    ['values()', () => ring.values({ timeOut: 10 }), 'timeOut'],
    ['condvar wait', () => { const g = m.lock(); try { new Condvar().wait(g, { timeOut: 10 }); } finally { g.unlock(); } }, 'timeOut'],
    ['barrier waitAsync', () => new Barrier(2).waitAsync({ timeout: 10, abort: signal }), 'abort'],
    ['latch wait', () => new Latch(1).wait({ timeOut: 10 }), 'timeOut'],
    ['channel sender()', () => ch.sender({ timeOut: 10 }), 'timeOut'],
    ['with a timeout given too', () => m.lock({ timeout: 10, retries: 3 }), 'retries'],
    ['an undefined timeout and a stray key', () => m.lock({ timeout: undefined, retries: 3 }), 'retries'],
    ['a blocking form given an async-only key set', () => ring.push(2, { timeout: 10, signa: signal }), 'signa'],
    ['a received object as constructor options', () => new Mutex(structuredClone(m)), '$shmkit'],
    // Constructors and the pool.
    ['Mutex placement', () => new Mutex({ bufer: new SharedArrayBuffer(64) }), 'bufer'],
    ['Semaphore max', () => new Semaphore(1, { maximum: 2 }), 'maximum'],
    ['Channel capacity', () => new Channel({ capacity: 1024 }), 'capacity'],
    ['RingBuffer placement', () => new RingBuffer(Int8Array, 8, { offset: 0 }), 'offset'],
    ['BufferPool', () => new BufferPool({ maxRetained: 1 }), 'maxRetained'],
    ['BufferPool acquire', () => pool.acquire(8, { zeroed: true }), 'zeroed'],
    ['SlabPool spec', () => new SlabPool({ blockSize: 8, block: 1 }), 'block'],
    ['SlabPool.byteLengthFor spec', () => SlabPool.byteLengthFor({ blocksize: 8, blocks: 1 }), 'blocksize'],
  ];
  for (const [what, fn, key] of cases) {
    const err = await rejectsWithCode(assert, fn, 'ERR_INVALID_ARG_VALUE').catch((e) => {
      e.message = `${what}: ${e.message}`;
      throw e;
    });
    assert.ok(err.message.includes(`"${key}"`), `${what}: the message names ${key}: ${err.message}`);
  }
  // Nothing was taken or changed by the refused calls.
  assert.equal(m.isLocked, false);
  assert.equal(ring.size, 1);
  assert.equal(q.size, 0);
  assert.equal(new TextDecoder().decode(ch.tryRecv()), 'kept');
  assert.equal(sem.available, 1);
  assert.equal(pool.stats.acquired, 0);
  assert.equal(slab.stats.free, 1);
  assert.match((await rejectsWithCode(assert, () => new Mutex(structuredClone(m)), 'ERR_INVALID_ARG_VALUE')).message, /Class\.from\(value\) or attach\(\)/);
  // What is an option still works: both wait options in either form, an
  // undefined one, an empty object, a null-prototype object; an instance of
  // a class is not checked (a SlabPool is a spec of itself).
  m.lock({ timeout: 10, signal }).unlock();
  m.lock(Object.assign(Object.create(null), { timeout: 10 })).unlock();
  m.lock(new (class Opts { timeout = 10; retries = 3; })()).unlock();
  assert.equal(SlabPool.byteLengthFor(slab), SlabPool.byteLengthFor({ blockSize: 8, blocks: 1 }));
  (await bounded(m.lockAsync({ signal }), 5000, 'an uncontended lockAsync')).unlock();
  // (No limit given, yet bounded: no other thread has this mutex, and this
  // thread relocking it would be ERR_SHMKIT_DEADLOCK, not a wait.)
  m.lock({ timeout: undefined }).unlock();
  m.lock({}).unlock();
  assert.equal(pool.acquire(8, { zero: true }).byteLength, 8);
});

test('random bytes written over the memory by another thread never crash: every error has a code, and the vandal shows in errors only corruption gives', async () => {
  const buffer = new SharedArrayBuffer(160);
  const m = new Mutex({ buffer, byteOffset: 0 });
  const s = new Semaphore(2, { buffer, byteOffset: 24, max: 4 });
  const cv = new Condvar({ buffer, byteOffset: 48 });
  const rw = new RwLock({ buffer, byteOffset: 72 });
  const b = new Barrier(2, { buffer, byteOffset: 96 });
  const l = new Latch(1000, { buffer, byteOffset: 120 });
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const ready = new Int32Array(new SharedArrayBuffer(8)); // [0] users attached, [1] the vandal at work
  const allowed = new Set([
    'ERR_SHMKIT_OWNER_DIED',
    'ERR_SHMKIT_TIMEOUT',
    'ERR_SHMKIT_DEADLOCK',
    'ERR_SHMKIT_NOT_OWNER',
    'ERR_OUT_OF_RANGE',
  ]);
  const users = Array.from({ length: 2 }, () =>
    spawn(
      async ({ Mutex, Semaphore }, { m, s, cv, rw, b, l, allowedList, ready }) => {
        Atomics.add(ready, 0, 1); // attached: the vandal may start
        // Not before the vandal writes: the errors counted below must be its work.
        if (Atomics.wait(ready, 1, 0, 10_000) === 'timed-out') throw new Error('no vandal within 10 s');
        const allowed = new Set(allowedList);
        const seen = {};
        const note = (err) => {
          if (!allowed.has(err.code)) throw err;
          seen[err.code] = (seen[err.code] || 0) + 1;
          if (err.guard) {
            try {
              err.guard.unlock();
            } catch (e) {
              note(e);
            }
          }
        };
        const attempt = (fn) => {
          try {
            fn();
          } catch (err) {
            note(err);
          }
        };
        for (let i = 0; i < 1500; i++) {
          attempt(() => m.lock({ timeout: 2 }).unlock());
          attempt(() => m.tryLock()?.unlock());
          attempt(() => s.acquire(1, { timeout: 2 }));
          attempt(() => s.tryAcquire(2));
          attempt(() => s.release(1));
          if (i % 100 === 0) {
            await m.lockAsync({ timeout: 5 }).then((g) => attempt(() => g.unlock()), note);
            await s.acquireAsync(1, { timeout: 5 }).catch(note);
          }
          attempt(() => {
            const g = m.lock({ timeout: 2 });
            try {
              cv.wait(g, { timeout: 1 });
            } finally {
              if (g.locked) g.unlock();
            }
          });
          attempt(() => cv.notifyAll());
          attempt(() => rw.read({ timeout: 2 }).unlock());
          attempt(() => rw.write({ timeout: 2 }).unlock());
          attempt(() => rw.tryRead()?.unlock());
          attempt(() => b.wait({ timeout: 1 }));
          attempt(() => b.reset());
          attempt(() => l.countDown());
          attempt(() => l.wait({ timeout: 1 }));
          attempt(() => Mutex.from(m)); // live instance: returned as is
          attempt(() => Semaphore.from({ buffer: s.buffer, byteOffset: s.byteOffset }));
        }
        return seen;
      },
      { m, s, cv, rw, b, l, allowedList: [...allowed, 'ERR_SHMKIT_BAD_LAYOUT', 'ERR_SHMKIT_BARRIER_BROKEN'], ready },
    ),
  );
  await waitFor(() => Atomics.load(ready, 0) >= users.length, 'every user ready');
  const vandal = spawn(
    ({}, { buffer, stop, ready }) => {
      const bytes = new Uint8Array(buffer);
      const words = new Int32Array(buffer);
      let writes = 0;
      const deadline = Date.now() + 60_000;
      while (Atomics.load(stop, 0) === 0 && Date.now() < deadline) {
        const i = (Math.random() * words.length) | 0;
        Atomics.store(words, i, (Math.random() * 2 ** 32) | 0);
        bytes[(Math.random() * bytes.length) | 0] = (Math.random() * 256) | 0;
        if (writes++ === 0) {
          Atomics.store(ready, 1, 1);
          Atomics.notify(ready, 1);
        }
      }
      return writes;
    },
    { buffer, stop, ready },
  );

  const seen = await Promise.all(users.map((u) => u.result(60_000)));
  Atomics.store(stop, 0, 1);
  assert.ok((await vandal.result()) > 0);
  // Timeouts, a broken barrier, a latch counted past zero and a semaphore
  // released past its max come without a vandal too. A header that is not a
  // Semaphore's (BAD_LAYOUT) and a lock word naming a thread that never held
  // it (OWNER_DIED) come only from its writes: without them, none of either
  // (each user sees some 1,500 and 8,000 with them).
  for (const codes of seen) {
    assert.ok((codes.ERR_SHMKIT_BAD_LAYOUT ?? 0) >= 10 && (codes.ERR_SHMKIT_OWNER_DIED ?? 0) >= 10, `the vandal's writes showed: ${JSON.stringify(codes)}`);
  }
  // After the vandal stops, re-creating the objects in place makes them usable again.
  const m2 = new Mutex({ buffer, byteOffset: 0 });
  const s2 = new Semaphore(2, { buffer, byteOffset: 24, max: 4 });
  assert.equal(m2.withLock(() => 'fine'), 'fine');
  assert.equal(s2.tryAcquire(2), true);
});

test('a timeout says how long it waited, in the blocking and the async forms alike', async () => {
  const { RingBuffer, Queue, Channel } = esm;
  const ms = 15;
  const cases = [
    ['Semaphore', (o) => new Semaphore(0).acquire(1, o), (o) => new Semaphore(0).acquireAsync(1, o)],
    ['Latch', (o) => new Latch(1).wait(o), (o) => new Latch(1).waitAsync(o)],
    ['Barrier', (o) => new Barrier(2).wait(o), (o) => new Barrier(2).waitAsync(o)],
    ['RingBuffer', (o) => new RingBuffer(Int32Array, 4).pop(o), (o) => new RingBuffer(Int32Array, 4).popAsync(o)],
    ['Queue', (o) => new Queue(Int32Array, 4).pop(o), (o) => new Queue(Int32Array, 4).popAsync(o)],
    ['Channel', (o) => new Channel().recv(o), (o) => new Channel().recvAsync(o)],
  ];
  // Locks that another thread holds.
  const mutex = new Mutex();
  const rw = new RwLock();
  const release = new Latch(1);
  const w = spawn(({}, { mutex, rw, release }, port) => {
    const g = mutex.lock({ timeout: 10_000 });
    const r = rw.write({ timeout: 10_000 });
    port.postMessage('held');
    release.wait({ timeout: 10_000 });
    r.unlock();
    g.unlock();
    return 'done';
  }, { mutex, rw, release });
  assert.equal(await w.next(), 'held');
  cases.push(
    ['Mutex', (o) => mutex.lock(o), (o) => mutex.lockAsync(o)],
    ['RwLock', (o) => rw.read(o), (o) => rw.readAsync(o)],
    ['RwLock', (o) => rw.write(o), (o) => rw.writeAsync(o)],
  );
  for (const [name, blocking, async] of cases) {
    const expected = { code: 'ERR_SHMKIT_TIMEOUT', message: new RegExp(`^${name}\\b.*timed out after ${ms} ms$`) };
    assert.throws(() => blocking({ timeout: ms }), expected, `${name}, blocking`);
    await assert.rejects(async () => async({ timeout: ms }), expected, `${name}, async`);
  }
  release.countDown();
  assert.deepEqual(await w.next(), { done: 'done' });
  await w.exited();
});
