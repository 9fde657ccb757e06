// Exercises the whole public API (CommonJS consumer, absolute path import).
import { Mutex, MutexGuard, Semaphore, attach, errors } from 'shmkit';
import type {
  LockOptions, AsyncLockOptions, PlacementOptions, SemaphoreOptions, Shared, SharedLocation, SharedTag, Attached,
} from 'shmkit';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
const NEVER: boolean = process.argv.length < 0;

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<T extends true>(_?: T): void {}

// statics
const sizes: number[] = [Mutex.byteLength, Mutex.alignment, Semaphore.byteLength, Semaphore.alignment, Semaphore.MAX_PERMITS];

// construction and placement
const m = new Mutex();
const sab = new SharedArrayBuffer(Mutex.byteLength + Semaphore.byteLength);
const placement: PlacementOptions = { buffer: sab, byteOffset: 0 };
const m2 = new Mutex(placement);
const s = new Semaphore(1, { max: 2, buffer: sab, byteOffset: Mutex.byteLength });
const s2 = new Semaphore(0);
const semOpts: SemaphoreOptions = { max: 3 };
new Semaphore(3, semOpts);

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

// sharing
const asShared: Shared<'Mutex'> = m;
const anyShared: Shared = s;
const tags: SharedTag[] = ['Mutex', 'Semaphore'];
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
const fromAny = attach(workerData as any);
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
  void [r1, r2, r3, r4, r5];
}

// errors: values and types
function classify(err: unknown): string {
  if (err instanceof errors.OwnerDiedError) {
    const guard: MutexGuard = err.guard;
    const code: 'ERR_SHMKIT_OWNER_DIED' = err.code;
    guard.mutex.clearPoison();
    guard.unlock();
    return code;
  }
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
if (NEVER) {
  // @ts-expect-error code is read-only
  e1.code = 'x';
}

export { classify, asyncPart, sizes, tag, stag, buf, off, asShared, anyShared, tags, back, back2, back3, sback, fromAny, one, un, locked, same, n, str, isL, isP, took, v, avail, max, e2, isMainThread, Worker };
