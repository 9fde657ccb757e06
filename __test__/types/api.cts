// Exercises the whole public API (CommonJS consumer, absolute path import).
import {
  Mutex, MutexGuard, Semaphore, Condvar, RwLock, RwLockReadGuard, RwLockWriteGuard, Barrier, Latch, RingBuffer, Queue,
  Channel, ChannelSender, ChannelReceiver, BufferPool, SlabPool, Block, attach, errors,
} from 'shmkit';
import type {
  LockOptions, AsyncLockOptions, PlacementOptions, SemaphoreOptions, Shared, SharedLocation, SharedTag, Attached,
  BarrierWaitResult, LockGuard, TypedArrayType, Elem, BatchOf, TypedArrayConstructor, RingRegion, ChannelOptions,
  ChannelMessage, BufferPoolOptions, AcquireBufferOptions, BufferPoolStats, SlabPoolSpec, SlabPoolStats,
  ReceiveIterable, Float16ArrayIfAny,
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
const tags: SharedTag[] = ['Mutex', 'Semaphore', 'Condvar', 'RwLock', 'Barrier', 'Latch', 'RingBuffer', 'Queue', 'Channel'];
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
assertType<Equal<Attached<Shared>, Mutex | Semaphore | Condvar | RwLock | Barrier | Latch | RingBuffer | Queue | Channel | SlabPool>>();
assertType<Equal<Attached<Shared<'Barrier' | 'Latch'>>, Barrier | Latch>>();
assertType<Equal<Attached<RwLock>, RwLock>>();
assertType<Equal<Attached<ReadonlyMap<string, Shared<'Mutex'>>>, ReadonlyMap<string, Mutex>>>();
assertType<Equal<Attached<{ ids: ReadonlySet<Shared<'Mutex'>> }>, { ids: ReadonlySet<Shared<'Mutex'>> }>>();
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

  // RingBuffer, Queue, Channel
  const ar = new RingBuffer(Float32Array, 4);
  await ar.pushAsync(1);
  await ar.pushAsync(2, { timeout: 10, signal: ac.signal });
  const ap = await ar.popAsync();
  assertType<Equal<typeof ap, number | undefined>>();
  const aw: number = await ar.writeAsync(new Float32Array([3, 4]), ao);
  const an: number = await ar.readAsync(new Float32Array(4), { timeout: 10 });
  const abig = new Queue(BigInt64Array, 4);
  await abig.pushAsync(1n, null);
  const abp = await abig.popAsync({ signal: ac.signal });
  assertType<Equal<typeof abp, bigint | undefined>>();
  const abw: number = await abig.writeAsync(new BigInt64Array(2)) + (await abig.readAsync(new BigUint64Array(4)));
  if (NEVER) {
    // @ts-expect-error a BigInt64Array queue takes bigints
    await abig.pushAsync(1);
  }
  ar.tryPush(5);
  ar.close();
  for await (const v of ar) {
    const f: number = v;
    void f;
  }
  abig.close();
  for await (const v of abig) {
    const b: bigint = v;
    void b;
  }
  const ac2 = new Channel({ byteCapacity: 256 });
  await ac2.sendAsync('hi');
  await ac2.sendAsync(new Uint8Array(1), { timeout: 10, signal: ac.signal });
  const am = await ac2.recvAsync(ao);
  assertType<Equal<typeof am, Uint8Array | undefined>>();
  await ac2.recvAsync();
  await ac2.sendValueAsync({ ok: true }, { timeout: 10 });
  const av = await ac2.recvValueAsync({ timeout: 10 });
  assertType<Equal<typeof av, unknown>>();
  ac2.close();
  for await (const m of ac2) {
    const bytes: Uint8Array = m;
    void bytes;
  }
  // values() / messages(): iterable both ways, with per-wait options
  const rv: ReceiveIterable<number> = ar.values({ timeout: 10, signal: ac.signal });
  for await (const v of rv) assertType<Equal<typeof v, number>>();
  for (const v of abig.values({ timeout: 10 })) assertType<Equal<typeof v, bigint>>();
  for await (const m of ac2.messages({ signal: ac.signal })) assertType<Equal<typeof m, Uint8Array>>();
  for (const v of ac2.values()) assertType<Equal<typeof v, unknown>>();
  if (NEVER) {
    const rx = ac2.receiver();
    for await (const m of rx.messages(null)) assertType<Equal<typeof m, Uint8Array>>();
    for (const v of rx.values({ timeout: 5 })) assertType<Equal<typeof v, unknown>>();
    // @ts-expect-error the timeout is a number
    ar.values({ timeout: '5' });
  }
  void [aw, an, abw];
  void [r1, r2, r3, r4, r5, nt, ok1, ok2, ok3, r6, r7, br, lv];
}


// ---------------------------------------------------------------------------
// RingBuffer, Queue, Channel
// ---------------------------------------------------------------------------

// element types
assertType<Equal<Elem<Int8Array>, number>>();
assertType<Equal<Elem<Uint8ClampedArray>, number>>();
assertType<Equal<Elem<Float64Array>, number>>();
assertType<Equal<Elem<BigInt64Array>, bigint>>();
assertType<Equal<Elem<BigUint64Array>, bigint>>();
assertType<Equal<Elem<TypedArrayType>, number | bigint>>();
assertType<Equal<BatchOf<BigUint64Array>, BigInt64Array | BigUint64Array>>();
assertType<Equal<BatchOf<Uint8Array>, Exclude<TypedArrayType, BigInt64Array | BigUint64Array>>>();
// Float16Array: in TypedArrayType when the library declares it (lib esnext here), a number type
assertType<Equal<Float16ArrayIfAny, Float16Array>>();
assertType<Equal<Elem<Float16Array>, number>>();
assertType<Equal<Extract<BatchOf<Float64Array>, Float16Array>, Float16Array>>();
function float16Ring(): number | undefined {
  const r16 = new RingBuffer(Float16Array, 8);
  assertType<Equal<typeof r16, RingBuffer<Float16Array>>>();
  r16.pushMany(new Float32Array(2));
  return r16.tryPop();
}
void float16Ring; // declared, not run: Node 20 and 22 have no Float16Array

// statics
const ringSizes: number[] = [
  RingBuffer.byteLengthFor(Float64Array, 1024), RingBuffer.alignment, Queue.byteLengthFor(BigInt64Array, 3),
  Queue.alignment, Channel.byteLengthFor(4096), Channel.alignment,
];
if (NEVER) {
  // @ts-expect-error a ring's size depends on its type and capacity: no byteLength
  RingBuffer.byteLength;
}
if (NEVER) {
  // @ts-expect-error byteLengthFor needs the capacity
  RingBuffer.byteLengthFor(Float64Array);
}
if (NEVER) {
  // @ts-expect-error alignment is a static getter
  Queue.alignment = 4;
}

// construction: the element type is inferred from the constructor
const rf = new RingBuffer(Float64Array, 1000);
assertType<Equal<typeof rf, RingBuffer<Float64Array>>>();
const ri8 = new RingBuffer(Int8Array, 4, null);
const rclamp = new RingBuffer(Uint8ClampedArray, 4, { buffer: new SharedArrayBuffer(RingBuffer.byteLengthFor(Uint8ClampedArray, 4)) });
const rbig = new RingBuffer(BigInt64Array, 8);
assertType<Equal<typeof rbig, RingBuffer<BigInt64Array>>>();
assertType<Equal<typeof ri8, RingBuffer<Int8Array>>>();
assertType<Equal<typeof rclamp, RingBuffer<Uint8ClampedArray>>>();
const rexplicit = new RingBuffer<Uint16Array>(Uint16Array, 2);
const ringSab = new SharedArrayBuffer(Mutex.byteLength + RingBuffer.byteLengthFor(Int32Array, 16));
const ringPlaced = new RingBuffer(Int32Array, 16, { buffer: ringSab, byteOffset: Mutex.byteLength } satisfies PlacementOptions);
void ringPlaced;
if (NEVER) {
  // @ts-expect-error Type is required
  new RingBuffer();
}
if (NEVER) {
  // @ts-expect-error capacity is required
  new RingBuffer(Float64Array);
}
if (NEVER) {
  // @ts-expect-error capacity is a number
  new RingBuffer(Float64Array, '8');
}
if (NEVER) {
  // @ts-expect-error not a typed array
  new RingBuffer(Array, 8);
}
if (NEVER) {
  // @ts-expect-error DataView is not an element type
  new RingBuffer(DataView, 8);
}
if (NEVER) {
  const q16: Queue<Float16Array> = new Queue(Float16Array, 8); // where the library declares it
  void q16;
}
if (NEVER) {
  // @ts-expect-error the explicit type argument must match Type
  new RingBuffer<Int8Array>(Float64Array, 8);
}
if (NEVER) {
  // @ts-expect-error a Float64Array ring is not an Int8Array ring
  const wrongRing: RingBuffer<Int8Array> = rf;
}

// identity and sharing
const rtag: 'RingBuffer' = rf.$shmkit;
const rbuf: SharedArrayBuffer = rf.buffer;
const asSharedRing: Shared<'RingBuffer'> = rf;
const anyRing: RingBuffer = rf; // RingBuffer<TypedArrayType>
const anyRing2: RingBuffer<TypedArrayType> = rbig;
const rBack = RingBuffer.from(rf);
assertType<Equal<typeof rBack, RingBuffer<Float64Array>>>();
const rBack2 = RingBuffer.from(structuredClone(asSharedRing));
assertType<Equal<typeof rBack2, RingBuffer>>();
const rBack3 = RingBuffer.from<Float64Array>({ buffer: rf.buffer, byteOffset: rf.byteOffset });
assertType<Equal<typeof rBack3, RingBuffer<Float64Array>>>();
if (NEVER) {
  // @ts-expect-error read-only identity
  rf.buffer = new SharedArrayBuffer(8);
}

// values: number or bigint, as the type says
const pushed: boolean = rf.tryPush(1.5) && ri8.tryPush(-1) && rbig.tryPush(-5n);
rf.push(2.5);
rf.push(3.5, { timeout: 10 });
rf.push(4.5, null);
rbig.push(7n, {});
if (NEVER) {
  // @ts-expect-error a BigInt64Array ring takes bigints
  rbig.push(1);
}
if (NEVER) {
  // @ts-expect-error a BigInt64Array ring takes bigints
  rbig.tryPush(1);
}
if (NEVER) {
  // @ts-expect-error a Float64Array ring takes numbers
  rf.tryPush(1n);
}
if (NEVER) {
  // @ts-expect-error not a string
  rf.tryPush('1');
}
if (NEVER) {
  // @ts-expect-error a blocking push takes no signal
  rf.push(1, { signal: new AbortController().signal });
}
const x1 = rf.tryPop();
assertType<Equal<typeof x1, number | undefined>>();
const x2 = rbig.pop({ timeout: 10 });
assertType<Equal<typeof x2, bigint | undefined>>();
const x3 = rf.peek();
assertType<Equal<typeof x3, number | undefined>>();
const x4 = anyRing.tryPop();
assertType<Equal<typeof x4, number | bigint | undefined>>();
if (NEVER) {
  // @ts-expect-error pop may return undefined (closed and drained)
  const sure: number = rf.pop();
}
if (NEVER) {
  // @ts-expect-error a bigint ring pops bigints
  const wrongPop: number | undefined = rbig.tryPop();
}

// batches: any number typed array for a number ring, a bigint one for a bigint ring
const nPushed: number = rf.pushMany(new Float64Array([1, 2])) + rf.pushMany(new Int32Array([3]));
const nBig: number = rbig.pushMany(new BigUint64Array([1n])) + rbig.pushMany(new BigInt64Array(0));
const target = new Float64Array(8);
const nPopped: number = rf.popMany(target) + rf.popMany(new Uint8Array(2));
const nBigPopped: number = rbig.popMany(new BigInt64Array(4));
if (NEVER) {
  // @ts-expect-error a bigint ring takes a BigInt64Array or BigUint64Array
  rbig.pushMany(new Float64Array(1));
}
if (NEVER) {
  // @ts-expect-error a number ring refuses bigint arrays
  rf.pushMany(new BigInt64Array(1));
}
if (NEVER) {
  // @ts-expect-error a plain array is not a typed array
  rf.pushMany([1, 2]);
}
if (NEVER) {
  // @ts-expect-error a DataView is not a typed array
  rf.popMany(new DataView(new ArrayBuffer(8)));
}
const nWritten: number = rf.write(new Float64Array([5, 6]), { timeout: 100 });
const nRead: number = rf.read(target, { timeout: 100 });
rf.read(new Float64Array(0));
try {
  const full = new RingBuffer(Uint8Array, 2);
  full.write(new Uint8Array(3), { timeout: 1 });
} catch (err) {
  if (err instanceof errors.TimeoutError) {
    const w: number | undefined = err.written;
    void w;
  } else if (err instanceof errors.ClosedError) {
    const w: number | undefined = err.written;
    const c: 'ERR_SHMKIT_CLOSED' = err.code;
    void [w, c];
  } else throw err;
}

// zero-copy regions
const wr: RingRegion<Float64Array> = rf.writeRegion(3);
const wv0: Float64Array = wr.views[0];
const wv1: Float64Array | undefined = wr.views[1];
assertType<Equal<typeof wr.views, [Float64Array] | [Float64Array, Float64Array]>>();
let filled = 0;
for (const view of wr.views) for (let i = 0; i < view.length; i++) view[i] = filled++;
const wlen: number = wr.length;
wr.commit(filled);
const rr = rf.readRegion(rf.capacity);
let regionSum = 0;
for (const view of rr.views) for (const v of view) regionSum += v;
rr.commit();
const bigRegion = rbig.readRegion(1);
assertType<Equal<typeof bigRegion.views, [BigInt64Array] | [BigInt64Array, BigInt64Array]>>();
bigRegion.commit(0);
if (NEVER) {
  // @ts-expect-error views of a Float64Array ring hold numbers
  wr.views[0][0] = 1n;
}
if (NEVER) {
  // @ts-expect-error the region's length is read-only
  wr.length = 2;
}
if (NEVER) {
  // @ts-expect-error n is a number
  rf.writeRegion();
}

// state, Type, close
const rstate: [boolean, number, number, boolean, boolean] = [rf.closed, rf.size, rf.capacity, rf.isEmpty, rf.isFull];
const TypeOf: TypedArrayConstructor<Float64Array> = rf.Type;
const fresh = new rf.Type(rf.capacity);
assertType<Equal<typeof fresh, Float64Array>>();
const bigType: TypedArrayConstructor<BigInt64Array> = rbig.Type;
const perElem: number = rbig.Type.BYTES_PER_ELEMENT;
if (NEVER) {
  // @ts-expect-error getters only
  rf.capacity = 8;
}
if (NEVER) {
  // @ts-expect-error getters only
  rf.Type = Float64Array;
}
if (NEVER) {
  // @ts-expect-error a Float64Array ring's Type is not BigInt64Array
  const wrongType: TypedArrayConstructor<BigInt64Array> = rf.Type;
}

// a function generic over the element type
function drain<T extends TypedArrayType>(ring: RingBuffer<T> | Queue<T>): Elem<T>[] {
  const out: Elem<T>[] = [];
  for (let v = ring.tryPop(); v !== undefined; v = ring.tryPop()) out.push(v);
  return out;
}
const drained: number[] = drain(rf);
const drainedBig: bigint[] = drain(rbig);

// blocking iteration ends once closed and drained
rexplicit.tryPush(1);
rexplicit.tryPush(2);
rexplicit.close();
for (const v of rexplicit) {
  const n16: number = v;
  void n16;
}
const closedPop: number | undefined = rexplicit.pop();

// Queue: the same element typing
const q = new Queue(Int32Array, 100);
assertType<Equal<typeof q, Queue<Int32Array>>>();
const qbig = new Queue(BigUint64Array, 4, { buffer: new SharedArrayBuffer(Queue.byteLengthFor(BigUint64Array, 4)) });
assertType<Equal<typeof qbig, Queue<BigUint64Array>>>();
const qtag: 'Queue' = q.$shmkit;
const qok: boolean = q.tryPush(1) && qbig.tryPush(2n);
q.push(2, { timeout: 10 });
qbig.push(3n);
const q1 = q.tryPop();
assertType<Equal<typeof q1, number | undefined>>();
const q2 = qbig.pop({ timeout: 10 });
assertType<Equal<typeof q2, bigint | undefined>>();
const q3: number | undefined = q.peek();
const qn: number = q.pushMany(new Int32Array([1, 2, 3])) + q.pushMany(new Float32Array([4]));
const qm: number = q.popMany(new Int32Array(2)) + qbig.popMany(new BigUint64Array(2));
const qw: number = q.write(new Int32Array([5]), { timeout: 10 }) + q.read(new Int32Array(4), { timeout: 10 });
const qstate: [boolean, number, number, boolean, boolean] = [q.closed, q.size, q.capacity, q.isEmpty, q.isFull];
const qType: TypedArrayConstructor<Int32Array> = q.Type;
const qBack = Queue.from(q);
assertType<Equal<typeof qBack, Queue<Int32Array>>>();
const qBack2: Queue = Queue.from({ $shmkit: 'Queue', buffer: q.buffer, byteOffset: q.byteOffset });
const qBack3: Queue<BigUint64Array> = Queue.from<BigUint64Array>(structuredClone(qbig as Shared<'Queue'>));
if (NEVER) {
  // @ts-expect-error a BigUint64Array queue takes bigints
  qbig.push(1);
}
if (NEVER) {
  // @ts-expect-error an Int32Array queue takes numbers
  q.tryPush(1n);
}
if (NEVER) {
  // @ts-expect-error a bigint queue takes bigint batches
  qbig.write(new Int32Array(1));
}
if (NEVER) {
  // @ts-expect-error a Queue has no zero-copy regions
  q.writeRegion(1);
}
if (NEVER) {
  // @ts-expect-error a Queue is not a RingBuffer
  RingBuffer.from(q);
}
if (NEVER) {
  // @ts-expect-error the tag names another class
  Queue.from({ $shmkit: 'RingBuffer', buffer: q.buffer });
}
if (NEVER) {
  // @ts-expect-error a Queue<Int32Array> is not a RingBuffer<Int32Array>
  const notRing: RingBuffer<Int32Array> = q;
}
qbig.close();
for (const v of qbig) {
  const b: bigint = v;
  void b;
}

// Channel
const ch = new Channel();
const chOpts: ChannelOptions = { byteCapacity: 1024 };
const ch2 = new Channel(chOpts);
new Channel(null);
new Channel({ byteCapacity: 64, buffer: new SharedArrayBuffer(Channel.byteLengthFor(64)), byteOffset: 0 });
const chtag: 'Channel' = ch.$shmkit;
const msgs: ChannelMessage[] = ['text', new Uint8Array(2), new Float64Array(1), new DataView(new ArrayBuffer(2))];
for (const msg of msgs) ch.send(msg);
ch.send('with timeout', { timeout: 100 });
const sentNow: boolean = ch.trySend(new Uint8Array([1, 2, 3]));
const msg1 = ch.recv({ timeout: 100 });
assertType<Equal<typeof msg1, Uint8Array | undefined>>();
const msg2: Uint8Array | undefined = ch.tryRecv();
const into = new Uint8Array(ch.byteCapacity - 4);
const got1 = ch.recvInto(into, { timeout: 100 });
assertType<Equal<typeof got1, number | undefined>>();
const got2: number | undefined = ch.tryRecvInto(new DataView(into.buffer));
const got3: Promise<number | undefined> = ch.recvIntoAsync(new Float64Array(8), { timeout: 100, signal: AbortSignal.timeout(100) });
void got3.catch(() => {});
if (NEVER) {
  // @ts-expect-error the target is a view: wrap an ArrayBuffer in a Uint8Array
  ch.recvInto(new ArrayBuffer(8));
}
while (ch.tryRecv() !== undefined); // the rest of the raw messages: recvValue would fail on them
ch.sendValue({ n: 1, when: new Date(0) });
ch.sendValue(null, { timeout: 100 });
const sentValue: boolean = ch.trySendValue([1n, 'two']);
const val1 = ch.recvValue();
assertType<Equal<typeof val1, unknown>>();
const val2: unknown = ch.tryRecvValue();
const chState: [boolean, number, number] = [ch.closed, ch.byteSize, ch.byteCapacity];
const chBack: Channel = Channel.from(structuredClone(ch2));
const chBack2: Channel = Channel.from({ buffer: ch2.buffer });
const asSharedCh: Shared<'Channel'> = ch2;
if (NEVER) {
  // @ts-expect-error a number is not a message
  ch.send(42);
}
if (NEVER) {
  // @ts-expect-error an ArrayBuffer is not a view: wrap it in a Uint8Array
  ch.send(new ArrayBuffer(4));
}
if (NEVER) {
  // @ts-expect-error recv may return undefined (closed and drained)
  const sure: Uint8Array = ch.recv();
}
if (NEVER) {
  // @ts-expect-error a received value is unknown until checked
  const s: string = ch.recvValue();
}
if (NEVER) {
  // @ts-expect-error the options are an object
  new Channel(1024);
}
if (NEVER) {
  // @ts-expect-error byteCapacity is a number
  new Channel({ byteCapacity: '1k' });
}
if (NEVER) {
  // @ts-expect-error byteCapacity is read-only
  ch.byteCapacity = 128;
}
if (NEVER) {
  // @ts-expect-error a blocking send takes no signal
  ch.send('x', { signal: new AbortController().signal });
}
if (NEVER) {
  // @ts-expect-error a Channel is not a Queue
  Queue.from(ch);
}
ch.close();
for (const m of ch) {
  const bytes: Uint8Array = m;
  void bytes;
}

// attach: rings and channels revive; a ring's element type is number | bigint unless kept live
interface Data3 { ring: Shared<'RingBuffer'>; jobs: Shared<'Queue'>; chan: Shared<'Channel'>; rings: Map<string, Shared<'RingBuffer'>> }
const att3 = attach(structuredClone({ ring: rf, jobs: q, chan: ch2, rings: new Map([['f', rf]]) }) as Data3);
assertType<Equal<typeof att3.ring, RingBuffer>>();
assertType<Equal<typeof att3.ring, RingBuffer<TypedArrayType>>>();
assertType<Equal<typeof att3.jobs, Queue>>();
assertType<Equal<typeof att3.chan, Channel>>();
assertType<Equal<typeof att3.rings, Map<string, RingBuffer>>>();
assertType<Equal<Attached<RingBuffer<Float64Array>>, RingBuffer<Float64Array>>>();
assertType<Equal<Attached<{ q: Queue<BigInt64Array>; c: Channel }>, { q: Queue<BigInt64Array>; c: Channel }>>();
assertType<Equal<Attached<Shared<'RingBuffer' | 'Channel'>>, RingBuffer | Channel>>();
const att3pop = att3.ring.tryPop();
assertType<Equal<typeof att3pop, number | bigint | undefined>>();

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
  if (err instanceof errors.BadValueError) { const c: 'ERR_SHMKIT_BAD_VALUE' = err.code; const b: Uint8Array = err.bytes; return c + b.length; }
  if (err instanceof errors.ClosedError) { const c: 'ERR_SHMKIT_CLOSED' = err.code; return c + String(err.written ?? ''); }
  if (err instanceof errors.ShmkitError) { const c: string = err.code; const nm: string = err.name; return c + nm; }
  return 'other';
}
const e1: errors.ShmkitError = new errors.TimeoutError();
const e2: Error = new errors.ShmkitError('m', 'ERR_SHMKIT_X', { cause: e1 });
const e3: errors.ShmkitError = new errors.BarrierBrokenError();
const e4 = new errors.OwnerDiedError('x', rw.read());
e4.guard.unlock();
const e5: errors.ShmkitError = new errors.ClosedError();
const e6 = new errors.ClosedError('the ring is closed');
const e6code: 'ERR_SHMKIT_CLOSED' = e6.code;
if (NEVER) {
  // @ts-expect-error written is a number
  e6.written = '3';
}
if (NEVER) {
  // @ts-expect-error code is read-only
  e1.code = 'x';
}

export {
  ringSizes, ri8, rclamp, rtag, rbuf, asSharedRing, anyRing, anyRing2, pushed, nPushed, nBig, nPopped, nBigPopped, nWritten,
  nRead, wv0, wv1, wlen, regionSum, rstate, TypeOf, bigType, perElem, drained, drainedBig, closedPop, qtag, qok, q3, qn, qm,
  qw, qstate, qType, qBack2, qBack3, chtag, sentNow, msg2, sentValue, val2, chState, chBack, chBack2, asSharedCh, e5,
  e6code,
};
export { cvBack, rwBack, barBack, latchBack, tags2, notified, done1, done2, woken, nReaders, same2, wl, rsum, wstr, rwp, lead, counts, broken, left, open, nothing, e3 };
export { classify, asyncPart, sizes, tag, stag, buf, off, asShared, anyShared, tags, back, back2, back3, sback, fromAny, one, un, locked, same, n, str, isL, isP, took, v, avail, max, e2, isMainThread, Worker };

// pools
{
  const poolOpts: BufferPoolOptions = { maxRetainedBytes: 1 << 20 };
  const pool = new BufferPool(poolOpts);
  const acq: AcquireBufferOptions = { zero: true };
  const ab: ArrayBuffer = pool.acquire(4096, acq);
  pool.release(ab);
  const st: BufferPoolStats = pool.stats;
  const counts: number[] = [st.acquired, st.released, st.hits, st.misses, st.retainedBytes, st.outstanding, st.leaked, pool.maxRetainedBytes];
  pool.trim();
  pool[Symbol.dispose]();
  if (NEVER) {
    // @ts-expect-error a SharedArrayBuffer is not pooled
    pool.release(new SharedArrayBuffer(8));
  }
  const spec: SlabPoolSpec = { blockSize: 4096, blocks: 4 };
  const slab = new SlabPool(spec, { buffer: new SharedArrayBuffer(SlabPool.byteLengthFor(spec)), byteOffset: 0 });
  const block: Block = slab.acquire({ timeout: 10 });
  const bytes: Uint8Array = block.bytes;
  const id: number = block.handoff();
  const mine: Block = slab.open(id);
  const maybe: Block | undefined = slab.tryAcquire();
  const later: Promise<Block> = slab.acquireAsync({ timeout: 10, signal: AbortSignal.timeout(10) });
  const ss: SlabPoolStats = slab.stats;
  const more: number[] = [ss.blocks, ss.free, ss.inUse, ss.handedOff, ss.waiting, slab.blockSize, slab.blocks, mine.index, mine.id];
  const owned: boolean = mine.owned;
  mine.release();
  mine[Symbol.dispose]();
  const tag: 'SlabPool' = slab.$shmkit;
  const back: SlabPool = SlabPool.from(structuredClone(slab));
  const revived = attach({ slab: structuredClone(slab) as Shared<'SlabPool'> });
  assertType<Equal<typeof revived.slab, SlabPool>>();
  const stale: errors.StaleBlockError = new errors.StaleBlockError('x');
  const code: 'ERR_SHMKIT_STALE_BLOCK' = stale.code;
  if (NEVER) {
    // @ts-expect-error blocks come from the pool
    new Block();
  }
  void [counts, bytes, maybe, later, more, owned, tag, back, code];
}

// claimed channel ends
{
  const ch = new Channel();
  const tx: ChannelSender = ch.sender({ timeout: 10 });
  const ok: boolean = tx.trySend('x');
  tx.send(new Uint8Array(1), { timeout: 5 });
  const sent: Promise<void> = tx.sendAsync('y', { signal: AbortSignal.timeout(5) });
  tx.sendValue({ a: 1 });
  const same: Channel = tx.channel;
  const still: boolean = tx.claimed;
  tx.release();
  const rx: ChannelReceiver = ch.receiver();
  const m: Uint8Array | undefined = rx.recv({ timeout: 1 });
  const t: Uint8Array | undefined = rx.tryRecv();
  const n1: number | undefined = rx.tryRecvInto(new Uint8Array(8));
  const n2: number | undefined = rx.recvInto(new Uint8Array(8), { timeout: 1 });
  const n3: Promise<number | undefined> = rx.recvIntoAsync(new Uint8Array(8));
  void [n1, n2, n3];
  const later: Promise<ChannelReceiver> = ch.receiverAsync();
  const later2: Promise<ChannelSender> = ch.senderAsync({ timeout: 1 });
  for (const msg of rx) void msg.byteLength;
  rx[Symbol.dispose]();
  if (NEVER) {
    // @ts-expect-error ends come from the channel
    new ChannelSender();
  }
  void [ok, sent, same, still, m, t, later, later2];
}
