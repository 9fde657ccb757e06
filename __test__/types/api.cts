// Exercises the whole public API (CommonJS consumer, absolute path import).
import {
  Mutex, MutexGuard, Semaphore, Condvar, RwLock, RwLockReadGuard, RwLockWriteGuard, Barrier, Latch, attach, errors,
} from 'shmkit';
import type {
  LockOptions, AsyncLockOptions, PlacementOptions, SemaphoreOptions, Shared, SharedLocation, SharedTag, Attached,
  BarrierWaitResult, LockGuard,
} from 'shmkit';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
const NEVER: boolean = process.argv.length < 0;

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<T extends true>(_?: T): void {}

// statics
const sizes: number[] = [
  Mutex.byteLength, Mutex.alignment, Semaphore.byteLength, Semaphore.alignment, Semaphore.MAX_PERMITS,
  Condvar.byteLength, Condvar.alignment, RwLock.byteLength, RwLock.alignment,
  Barrier.byteLength, Barrier.alignment, Latch.byteLength, Latch.alignment,
];
if (NEVER) {
  // @ts-expect-error static getters only
  Mutex.byteLength = 32;
}
if (NEVER) {
  // @ts-expect-error static getters only
  Latch.alignment = 4;
}

// construction and placement
const m = new Mutex();
const sab = new SharedArrayBuffer(Mutex.byteLength + Semaphore.byteLength);
const placement: PlacementOptions = { buffer: sab, byteOffset: 0 };
const m2 = new Mutex(placement);
const s = new Semaphore(1, { max: 2, buffer: sab, byteOffset: Mutex.byteLength });
const s2 = new Semaphore(0);
const semOpts: SemaphoreOptions = { max: 3 };
new Semaphore(3, semOpts);
new Semaphore(1, null);
new Mutex(null);
new Condvar(null);
new RwLock(undefined);
new Barrier(2, null);
new Latch(0, null);

// own read-only identity
const tag: 'Mutex' = m.$shmkit;
const stag: 'Semaphore' = s.$shmkit;
const buf: SharedArrayBuffer = m.buffer;
const off: number = m.byteOffset;
if (NEVER) {
  // @ts-expect-error read-only
  m.byteOffset = 8;
}
if (NEVER) {
  // @ts-expect-error Semaphore needs `initial`
  new Semaphore();
}
if (NEVER) {
  // @ts-expect-error a plain ArrayBuffer is not a SharedArrayBuffer
  new Mutex({ buffer: new ArrayBuffer(24) });
}
if (NEVER) {
  // @ts-expect-error guards are made by Mutex only
  new MutexGuard(m);
}
if (NEVER) {
  // @ts-expect-error guards are made by RwLock only
  new RwLockReadGuard();
}
if (NEVER) {
  // @ts-expect-error guards are made by RwLock only
  new RwLockWriteGuard();
}
if (NEVER) {
  // @ts-expect-error Barrier needs `parties`
  new Barrier();
}
if (NEVER) {
  // @ts-expect-error Latch needs `count`
  new Latch();
}
if (NEVER) {
  // @ts-expect-error parties is a number
  new Barrier('2');
}

// sharing
const asShared: Shared<'Mutex'> = m;
const anyShared: Shared = s;
const tags: SharedTag[] = ['Mutex', 'Semaphore', 'Condvar', 'RwLock', 'Barrier', 'Latch'];
if (NEVER) {
  // @ts-expect-error guards are not shareable
  const bad: SharedTag = 'MutexGuard';
}
const cloned = structuredClone({ m, s, list: [m2], map: new Map([['k', s2]]), n: 1, d: new Date(), f: new Uint8Array(1) });
const sharedM: Shared<'Mutex'> = cloned.m;
const back: Mutex = Mutex.from(sharedM);
const back2: Mutex = Mutex.from({ buffer: m.buffer });
const back3: Mutex = Mutex.from(m);
const sback: Semaphore = Semaphore.from({ $shmkit: 'Semaphore', buffer: sab, byteOffset: Mutex.byteLength });
const loc: SharedLocation<'Semaphore'> = s;
Semaphore.from(loc);
if (NEVER) {
  // @ts-expect-error a Semaphore's shape is not a Mutex
  Mutex.from(s);
}
if (NEVER) {
  // @ts-expect-error tag names another class
  Mutex.from({ $shmkit: 'Semaphore', buffer: sab });
}
const cv = new Condvar();
const rw = new RwLock();
const bar = new Barrier(1);
const latch = new Latch(2);
const cvBack: Condvar = Condvar.from(structuredClone(cv));
const rwBack: RwLock = RwLock.from({ $shmkit: 'RwLock', buffer: rw.buffer, byteOffset: rw.byteOffset });
const barBack: Barrier = Barrier.from(bar);
const latchBack: Latch = Latch.from({ buffer: latch.buffer });
const tags2: ['Condvar', 'RwLock', 'Barrier', 'Latch'] = [cv.$shmkit, rw.$shmkit, bar.$shmkit, latch.$shmkit];
if (NEVER) {
  // @ts-expect-error a Barrier is not a Latch
  Latch.from(bar);
}
if (NEVER) {
  // @ts-expect-error read-only identity
  cv.buffer = new SharedArrayBuffer(24);
}

// attach
interface Data { lock: Shared<'Mutex'>; sems: Shared<'Semaphore'>[]; byName: Map<string, Shared<'Mutex'>>; counter: Int32Array; when: Date; nested: { deep: Shared<'Semaphore'> | undefined } }
const data = { lock: m, sems: [s], byName: new Map([['a', m]]), counter: new Int32Array(sab), when: new Date(), nested: { deep: s } } satisfies Data;
const att = attach(structuredClone(data) as Data);
assertType<Equal<typeof att.lock, Mutex>>();
assertType<Equal<typeof att.sems, Semaphore[]>>();
assertType<Equal<typeof att.byName, Map<string, Mutex>>>();
assertType<Equal<typeof att.counter, Int32Array>>();
assertType<Equal<typeof att.when, Date>>();
assertType<Equal<typeof att.nested.deep, Semaphore | undefined>>();
assertType<Equal<Attached<number>, number>>();
assertType<Equal<Attached<readonly [Shared<'Mutex'>, string]>, readonly [Mutex, string]>>();
assertType<Equal<Attached<Shared>, Mutex | Semaphore | Condvar | RwLock | Barrier | Latch>>();
assertType<Equal<Attached<Shared<'Barrier' | 'Latch'>>, Barrier | Latch>>();
assertType<Equal<Attached<RwLock>, RwLock>>();
interface Data2 { cv: Shared<'Condvar'>; rws: Map<number, Shared<'RwLock'>>; gates: [Shared<'Barrier'>, Shared<'Latch'>] }
const att2 = attach(structuredClone({ cv, rws: new Map([[1, rw]]), gates: [bar, latch] }) as Data2);
assertType<Equal<typeof att2.cv, Condvar>>();
assertType<Equal<typeof att2.rws, Map<number, RwLock>>>();
assertType<Equal<typeof att2.gates, [Barrier, Latch]>>();
const fromAny = attach(workerData as any);
assertType<Equal<typeof fromAny, any>>();
const one: Mutex = attach(cloned.m);
const un: unknown = attach(undefined as unknown);

// Mutex: blocking
const g: MutexGuard = m.lock();
const g2: MutexGuard = m2.lock({ timeout: 10 });
const locked: boolean = g.locked;
const same: Mutex = g.mutex;
g.unlock();
g2[Symbol.dispose]();
const lo: LockOptions = { timeout: Infinity };
m.lock(lo).unlock();
m.lock({}).unlock();
m.lock({ timeout: undefined }).unlock();
if (NEVER) {
  // @ts-expect-error timeout is a number
  m.lock({ timeout: '10' });
}
if (NEVER) {
  // @ts-expect-error read-only getter
  g.locked = false;
}

const maybe: MutexGuard | null = m.tryLock();
if (maybe) maybe.unlock();
if (NEVER) {
  // @ts-expect-error tryLock may return null
  m.tryLock().unlock();
}

const n: number = m.withLock(() => 42);
const str: string = m.withLock(() => 'x', { timeout: 5 });
const isL: boolean = m.isLocked;
const isP: boolean = m.isPoisoned;
m.clearPoison();
if (NEVER) {
  // @ts-expect-error getter only
  m.isLocked = true;
}

{
  using held = m.lock();
  const also: boolean = held.locked;
}

// Mutex: null options are accepted
m.lock(null).unlock();
m.withLock(() => 0, null);

// Condvar: blocking
const cg = m.lock();
const notified: boolean = cv.wait(cg, { timeout: 1 });
const done1: boolean = cv.waitWhile(cg, () => false);
const done2: boolean = cv.waitWhile(cg, () => true, { timeout: 1 });
const woken: number = cv.notifyOne() + cv.notifyAll();
if (NEVER) {
  // @ts-expect-error a Condvar waits with a MutexGuard
  cv.wait(rw.read());
}
if (NEVER) {
  // @ts-expect-error the guard is required
  cv.wait();
}
if (NEVER) {
  // @ts-expect-error a blocking wait takes no signal
  cv.wait(cg, { signal: new AbortController().signal });
}
if (NEVER) {
  // @ts-expect-error waitWhile's predicate is synchronous (a Promise is always truthy)
  cv.waitWhile(cg, async () => false);
}
if (NEVER) {
  // @ts-expect-error predicate is a function
  cv.waitWhile(cg, true);
}
cg.unlock();

// RwLock: blocking
const rg: RwLockReadGuard = rw.read();
const rg2: RwLockReadGuard = rw.read({ timeout: 10 });
const nReaders: number = rw.readers;
const same2: RwLock = rg.rwlock;
rg2.unlock();
rg[Symbol.dispose]();
const wg: RwLockWriteGuard = rw.write({ timeout: 10 });
const wl: boolean = wg.locked && rw.isWriteLocked;
wg.unlock();
const maybeR: RwLockReadGuard | null = rw.tryRead();
maybeR?.unlock();
const maybeW: RwLockWriteGuard | null = rw.tryWrite();
maybeW?.unlock();
const rsum: number = rw.withRead(() => 1, { timeout: 5 });
const wstr: string = rw.withWrite(() => 'w');
const rwp: boolean = rw.isPoisoned;
rw.clearPoison();
{
  using r = rw.read();
  using r2 = rw.read();
  const both: boolean = r.locked && r2.locked;
}
{
  using w = rw.write();
}
if (NEVER) {
  // @ts-expect-error a read guard is not a write guard
  const wrong: RwLockWriteGuard = rw.read();
}
if (NEVER) {
  // @ts-expect-error nor a MutexGuard
  const wrong: MutexGuard = rw.write();
}
if (NEVER) {
  // @ts-expect-error tryRead may return null
  rw.tryRead().unlock();
}
if (NEVER) {
  // @ts-expect-error getter only
  rw.readers = 0;
}

// Barrier
const res: BarrierWaitResult = bar.wait();
const lead: boolean = res.isLeader && bar.wait({ timeout: 10 }).isLeader;
const counts: number[] = [bar.parties, bar.waiting];
const broken: boolean = bar.isBroken;
bar.reset();
if (NEVER) {
  // @ts-expect-error the result is read-only
  res.isLeader = false;
}
if (NEVER) {
  // @ts-expect-error parties is read-only
  bar.parties = 3;
}

// Latch
latch.countDown();
latch.countDown(1);
latch.countDown(0);
const left: number = latch.count;
const open: boolean = latch.tryWait();
const nothing: void = latch.wait({ timeout: 10 });
latch.wait();
if (NEVER) {
  // @ts-expect-error n is a number
  latch.countDown('1');
}
if (NEVER) {
  // @ts-expect-error count is read-only
  latch.count = 5;
}

// Semaphore: blocking
s2.release();
s2.acquire();
s2.release(1);
s2.acquire(1);
s2.release();
s2.acquire(1, { timeout: 5 });
s2.release();
s2.acquire({ timeout: 5 });
s2.release();
s2.acquire(undefined, { timeout: 5 });
const took: boolean = s2.tryAcquire() && s2.tryAcquire(1);
const v: number = s.withPermit(() => 7, { timeout: 100 });
const avail: number = s.available;
const max: number = s.max;
if (NEVER) {
  // @ts-expect-error n is a number
  s.acquire('2');
}
if (NEVER) {
  // @ts-expect-error tryAcquire takes no options
  s.tryAcquire({ timeout: 1 });
}
if (NEVER) {
  // @ts-expect-error max is read-only
  s.max = 4;
}

async function asyncPart(): Promise<void> {
  const ac = new AbortController();
  const ao: AsyncLockOptions = { timeout: 100, signal: ac.signal };
  const ga: MutexGuard = await m.lockAsync();
  ga.unlock();
  (await m.lockAsync(ao)).unlock();
  const r1: number = await m.withLockAsync(async () => 1);
  const r2: string = await m.withLockAsync(() => 'sync', { signal: ac.signal });
  const r3: number[] = await m.withLockAsync(() => Promise.resolve([1, 2]));
  await s.acquireAsync();
  s.release();
  await s.acquireAsync(1);
  s.release();
  await s.acquireAsync(1, ao);
  s.release();
  await s.acquireAsync({ signal: ac.signal });
  s.release();
  const p: Promise<void> = s.acquireAsync(undefined, { timeout: 1 });
  await p;
  s.release();
  const r4: boolean = await s.withPermitAsync(async () => true, ao);
  const r5: number = await s.withPermitAsync(() => 5);

  // Condvar
  const g3 = await m.lockAsync();
  const nt: boolean = await cv.waitAsync(g3, { timeout: 1, signal: ac.signal });
  const ok1: boolean = await cv.waitWhileAsync(g3, () => false);
  const ok2: boolean = await cv.waitWhileAsync(g3, async () => false, { timeout: 10, signal: null });
  const ok3: boolean = await cv.waitWhileAsync(g3, () => false, null);
  g3.unlock();

  // RwLock
  const ra: RwLockReadGuard = await rw.readAsync({ timeout: 10 });
  ra.unlock();
  const wa: RwLockWriteGuard = await rw.writeAsync({ signal: ac.signal });
  wa.unlock();
  const r6: number = await rw.withReadAsync(async () => 6);
  const r7: string = await rw.withWriteAsync(() => 'seven', ao);
  {
    using held = await rw.writeAsync();
  }

  // Barrier and Latch
  const br: BarrierWaitResult = await bar.waitAsync({ timeout: 10 });
  const l2 = new Latch(1);
  setTimeout(() => l2.countDown(), 1);
  const lv: void = await l2.waitAsync({ timeout: 1000, signal: ac.signal });
  if (NEVER) {
    // @ts-expect-error waitAsync resolves with the result, not a boolean
    const b: boolean = await bar.waitAsync();
  }
  void [r1, r2, r3, r4, r5, nt, ok1, ok2, ok3, r6, r7, br, lv];
}

// errors: values and types
function classify(err: unknown): string {
  if (err instanceof errors.OwnerDiedError) {
    const guard: LockGuard = err.guard;
    const code: 'ERR_SHMKIT_OWNER_DIED' = err.code;
    if (guard instanceof MutexGuard) guard.mutex.clearPoison();
    else if (guard instanceof RwLockWriteGuard) guard.rwlock.clearPoison();
    else { const rd: RwLockReadGuard = guard; void rd; }
    guard.unlock();
    if (NEVER) {
      // @ts-expect-error the guard may be an RwLock's
      const mg: MutexGuard = err.guard;
    }
    return code;
  }
  if (err instanceof errors.BarrierBrokenError) { const c: 'ERR_SHMKIT_BARRIER_BROKEN' = err.code; return c; }
  if (err instanceof errors.TimeoutError) { const c: 'ERR_SHMKIT_TIMEOUT' = err.code; return c; }
  if (err instanceof errors.DeadlockError) { const c: 'ERR_SHMKIT_DEADLOCK' = err.code; return c; }
  if (err instanceof errors.BadLayoutError) { const c: 'ERR_SHMKIT_BAD_LAYOUT' = err.code; return c; }
  if (err instanceof errors.NotSharedError) { const c: 'ERR_SHMKIT_NOT_SHARED' = err.code; return c; }
  if (err instanceof errors.NotOwnerError) { const c: 'ERR_SHMKIT_NOT_OWNER' = err.code; return c; }
  if (err instanceof errors.TerminatedError) { const c: 'ERR_SHMKIT_TERMINATED' = err.code; return c; }
  if (err instanceof errors.ShmkitError) { const c: string = err.code; const nm: string = err.name; return c + nm; }
  return 'other';
}
const e1: errors.ShmkitError = new errors.TimeoutError();
const e2: Error = new errors.ShmkitError('m', 'ERR_SHMKIT_X', { cause: e1 });
const e3: errors.ShmkitError = new errors.BarrierBrokenError();
const e4 = new errors.OwnerDiedError('x', rw.read());
e4.guard.unlock();
if (NEVER) {
  // @ts-expect-error code is read-only
  e1.code = 'x';
}

export { cvBack, rwBack, barBack, latchBack, tags2, notified, done1, done2, woken, nReaders, same2, wl, rsum, wstr, rwp, lead, counts, broken, left, open, nothing, e3 };
export { classify, asyncPart, sizes, tag, stag, buf, off, asShared, anyShared, tags, back, back2, back3, sback, fromAny, one, un, locked, same, n, str, isL, isP, took, v, avail, max, e2, isMainThread, Worker };
