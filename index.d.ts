// Type declarations for shmkit. Written by hand: keep them in step with
// index.js and lib/*.js (__test__/declarations.test.mjs compares the two,
// member by member, with the TypeScript checker).
// Not declared, on purpose: class Turns (lib/turns.js), internal plumbing that
// index.js does not export and no public object exposes (each ring, Channel
// and Channel end keeps one in a private field); the call order it gives is
// documented where users meet it (AsyncLockOptions and each async method).

import { inspect, type InspectOptionsStylized } from 'node:util';

/**
 * Shared-memory synchronisation for Node.js `worker_threads`. Every object
 * lives in a `SharedArrayBuffer`, so every thread that receives it (through
 * `workerData` or `postMessage`) works on the same memory:
 *
 * - {@link Mutex} (with {@link MutexGuard}): mutual exclusion, with dead-owner
 *   and deadlock detection.
 * - {@link Condvar}: wait, under a `Mutex`, until shared data changes.
 * - {@link RwLock} (with {@link RwLockReadGuard} / {@link RwLockWriteGuard}):
 *   many readers or one writer.
 * - {@link Semaphore}: a fair counting semaphore.
 * - {@link Barrier}: `parties` threads meet, again and again.
 * - {@link Latch}: a one-shot countdown that opens when it reaches zero.
 * - {@link RingBuffer}: a typed ring of numbers or bigints for one producer
 *   and one consumer thread.
 * - {@link Queue}: a typed queue for any number of producers and consumers.
 * - {@link Channel}: variable-length messages (bytes, strings, cloneable
 *   values) between any number of senders and receivers.
 * - {@link BufferPool}: recycled, transferable `ArrayBuffer`s for
 *   `postMessage(msg, [ab])`.
 * - {@link SlabPool} (with {@link Block}): fixed-size blocks of one
 *   `SharedArrayBuffer` whose ownership moves between threads by id.
 *
 * Common rules:
 * - Timeouts are in milliseconds (fractions allowed, must be >= 0).
 *   `undefined` (the default) or `Infinity` means no limit.
 * - An `options` argument may be omitted, `undefined` or `null`. In an
 *   options object that is a plain object (an object literal, or one with a
 *   `null` prototype), an own enumerable string key the call does not have
 *   (a misspelt `timeOut`, `maxRetained`) is a `TypeError`
 *   (`ERR_INVALID_ARG_VALUE`) naming it, and the call does nothing: a
 *   misspelt timeout would otherwise mean no limit. The same holds for
 *   {@link SlabPoolSpec}. The options of a wait are `timeout` and `signal`
 *   in either form (a blocking wait ignores a `signal`). An instance of a
 *   class passed as options is not checked: its fields are its class's.
 * - Argument mistakes throw Node-style errors: `TypeError` with code
 *   `ERR_INVALID_ARG_TYPE` or `ERR_INVALID_ARG_VALUE`, and `RangeError` with
 *   code `ERR_OUT_OF_RANGE`; `new` on a class whose objects come from another
 *   call (guards, `Block`, the Channel ends) is a `TypeError` with code
 *   `ERR_ILLEGAL_CONSTRUCTOR`. Memory that cannot be allocated (a new
 *   object's own `SharedArrayBuffer`, {@link BufferPool.acquire}) is a
 *   `RangeError` with code `ERR_MEMORY_ALLOCATION_FAILED`. Every other
 *   failure is a {@link errors.ShmkitError} (or subclass) whose `code` starts
 *   with `ERR_SHMKIT_`: `ERR_SHMKIT_LOAD` when shmkit cannot load on a thread
 *   (no native addon for the platform, or one that does not load, with the
 *   loader's errors as `cause`; a second copy of the addon in the process;
 *   a second JS realm of a thread that has loaded it, such as a `vm` context),
 *   and `ERR_SHMKIT_INTERNAL`
 *   (a `ShmkitError`, or a `TypeError` from an internal native call) for an
 *   outcome or call the JS layer never expects: a bug.
 * - Methods that return a Promise report every failure, argument mistakes
 *   included, as a rejection, never as a synchronous throw.
 * - A blocking method (`lock()`, `wait()`, `push()`, `recv()`, …) blocks the
 *   whole thread, event loop included: on the main thread, or in a worker
 *   that serves other async work, prefer its `…Async` form.
 *
 * @packageDocumentation
 */

// ---------------------------------------------------------------------------
// Options and shapes
// ---------------------------------------------------------------------------

/**
 * Options of the blocking waits: {@link Mutex.lock}, {@link RwLock.read},
 * {@link RwLock.write}, {@link Semaphore.acquire}, {@link Condvar.wait},
 * {@link Barrier.wait}, {@link Latch.wait}, the `with…` helpers, and the
 * blocking forms of {@link RingBuffer}, {@link Queue} and {@link Channel}
 * (`push`, `pop`, `write`, `read`, `send`, `recv`, …).
 */
export interface LockOptions {
  /**
   * The longest time to wait, in milliseconds (`>= 0`, fractions allowed).
   * `0` means "only if it can be had (about) at once". Default: `undefined`,
   * which like `Infinity` means no limit. When the time runs out the wait
   * fails with {@link errors.TimeoutError} (`ERR_SHMKIT_TIMEOUT`) and nothing
   * is acquired; a {@link Condvar} wait returns `false` instead, and a
   * {@link Barrier} wait also breaks the barrier. A ring's `write` keeps what
   * it wrote before the timeout (the error's `written` says how much).
   *
   * A value that is not a number is a `TypeError` (`ERR_INVALID_ARG_TYPE`);
   * a negative number or `NaN` is a `RangeError` (`ERR_OUT_OF_RANGE`).
   */
  timeout?: number | undefined;
}

/**
 * Options of the asynchronous waits: {@link Mutex.lockAsync},
 * {@link RwLock.readAsync}, {@link RwLock.writeAsync},
 * {@link Semaphore.acquireAsync}, {@link Condvar.waitAsync},
 * {@link Barrier.waitAsync}, {@link Latch.waitAsync}, the `with…Async`
 * helpers, and the `…Async` forms of {@link RingBuffer}, {@link Queue} and
 * {@link Channel}.
 *
 * The async calls one ring or channel object makes on one side (its pushes
 * and writes; its pops and reads; a Channel's or an end's sends; its
 * receives) are served in the order they were made. A call that waits for
 * the ones before it keeps its own `timeout` (counted from the call) and
 * `signal`, and the calls after it go on when it ends.
 */
export interface AsyncLockOptions extends LockOptions {
  /**
   * Cancels the wait when aborted: the waiter leaves the queue and the
   * promise rejects with `signal.reason` (an `AbortError` `DOMException`
   * unless you gave `abort()` a reason). An already-aborted signal rejects at
   * once, without trying to acquire. If the wait had already succeeded when
   * the abort arrives, success wins (the same holds for `timeout`).
   * Default: none (`undefined` or `null`).
   *
   * Anything without a boolean `aborted` and `addEventListener` /
   * `removeEventListener` methods is a `TypeError` (`ERR_INVALID_ARG_TYPE`).
   * A lookalike that has them is used as a signal: its `reason` is what an
   * abort rejects with (if its `reason` getter or `addEventListener` throws,
   * the call rejects with what it threw).
   */
  signal?: AbortSignal | null | undefined;
}

/**
 * What `values()` (RingBuffer, Queue, Channel) and `messages()` (Channel)
 * return: one object that iterates both ways until the ring or channel is
 * closed and drained. `for … of` receives with the blocking form, one wait
 * per item (meant for workers); `for await` with the async form. Each wait
 * gets the options given: `timeout` bounds every single wait (the loop
 * throws `ERR_SHMKIT_TIMEOUT` when one runs out), and `signal` ends an async
 * loop by throwing its reason, also while it waits. A blocking loop cannot
 * see an abort while it waits (nothing else runs on its thread), but looks
 * before each item, so its own body can stop it. The options are checked
 * when the iterable is made.
 *
 * ```js
 * for await (const job of ch.values({ signal })) handle(job);
 * ```
 */
export interface ReceiveIterable<T> extends Iterable<T>, AsyncIterable<T> {
  /** `for … of`: each `next()` is a blocking receive with the options given (for workers). */
  [Symbol.iterator](): Generator<T, void, unknown>;
  /** `for await`: each `next()` is an async receive with the options given. */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, unknown>;
}

/**
 * Where a new object is placed. By default each object gets its own
 * `SharedArrayBuffer`; pass `buffer` (and `byteOffset`) to put several objects,
 * or an object next to your own data, in one buffer.
 *
 * Errors: a plain `ArrayBuffer` or a typed array / `DataView` as `buffer` is
 * {@link errors.NotSharedError} (`ERR_SHMKIT_NOT_SHARED`); any other
 * non-`SharedArrayBuffer` is a `TypeError` (`ERR_INVALID_ARG_TYPE`);
 * `byteOffset` without `buffer` (other than `0`) or not a multiple of the
 * class's `alignment` is a `TypeError` (`ERR_INVALID_ARG_VALUE`); a
 * `byteOffset` that is not a number is a `TypeError` (`ERR_INVALID_ARG_TYPE`);
 * a negative or fractional one, or one where the object's `byteLength` bytes
 * do not fit, is a `RangeError` (`ERR_OUT_OF_RANGE`). Options that are not an
 * object (other than `undefined` / `null`) are a `TypeError` (`ERR_INVALID_ARG_TYPE`);
 * a key that is not an option (besides `buffer`, `byteOffset` and the
 * class's own, such as a Semaphore's `max`) is a `TypeError`
 * (`ERR_INVALID_ARG_VALUE`), as the common rules at the top say.
 */
export interface PlacementOptions {
  /** The memory to place the object in. Default: a new `SharedArrayBuffer` of exactly the class's `byteLength`. */
  buffer?: SharedArrayBuffer | undefined;
  /** Byte position of the object in `buffer`; a multiple of the class's `alignment` (8). Default: `0`. */
  byteOffset?: number | undefined;
}

/** Options of `new Semaphore(initial, options)`: its `max`, and where it is placed. */
export interface SemaphoreOptions extends PlacementOptions {
  /**
   * The most permits that can be available at once; {@link Semaphore.release}
   * past it throws `ERR_OUT_OF_RANGE`. An integer from 1 to
   * {@link Semaphore.MAX_PERMITS}. Default: {@link Semaphore.MAX_PERMITS}
   * (2147483647, practically unbounded).
   *
   * Not a number: `TypeError` (`ERR_INVALID_ARG_TYPE`); out of range or not an
   * integer: `RangeError` (`ERR_OUT_OF_RANGE`).
   */
  max?: number | undefined;
}

/**
 * What {@link Barrier.wait} and {@link Barrier.waitAsync} return once the
 * generation is complete (a frozen object).
 */
export interface BarrierWaitResult {
  /**
   * `true` for exactly one party of each generation (the last to arrive),
   * `false` for the others. Use it to run once-per-generation work.
   */
  readonly isLeader: boolean;
}

/**
 * A guard of any kind: what {@link errors.OwnerDiedError.guard} holds. All
 * three have `locked`, `unlock()` and `[Symbol.dispose]()`; narrow with
 * `instanceof` to reach `mutex` or `rwlock`.
 */
export type LockGuard = MutexGuard | RwLockReadGuard | RwLockWriteGuard;

/** The `$shmkit` tag of each shareable class: its class name. */
export type SharedTag =
  | 'Mutex'
  | 'Semaphore'
  | 'Condvar'
  | 'RwLock'
  | 'Barrier'
  | 'Latch'
  | 'RingBuffer'
  | 'Queue'
  | 'Channel'
  | 'SlabPool';

/**
 * Each `$shmkit` tag and the class it names. A ring's element type does not
 * survive the trip: it is `number | bigint` (see {@link RingBuffer.from}).
 */
interface TaggedClasses extends Record<SharedTag, unknown> {
  Mutex: Mutex;
  Semaphore: Semaphore;
  Condvar: Condvar;
  RwLock: RwLock;
  Barrier: Barrier;
  Latch: Latch;
  RingBuffer: RingBuffer;
  Queue: Queue;
  Channel: Channel;
  SlabPool: SlabPool;
}

/**
 * What a shareable object ({@link Mutex}, {@link Semaphore}, {@link Condvar},
 * {@link RwLock}, {@link Barrier}, {@link Latch}, {@link RingBuffer},
 * {@link Queue}, {@link Channel}, {@link SlabPool}) becomes when it crosses a
 * thread (structured cloning by `postMessage` or `workerData`): a plain
 * object with its class tag and its location. The memory is shared, not
 * copied. Turn it back into a live object with {@link attach} or the class's
 * `from()`.
 *
 * A live instance also has these three properties, so it can be used where a
 * `Shared` is expected (for example in the type of your `workerData`).
 *
 * @example
 * ```ts
 * interface Data { lock: Shared<'Mutex'>; ready: Shared<'Condvar'>; counter: Int32Array }
 * const { lock, ready, counter } = attach(workerData as Data); // Mutex, Condvar
 * ```
 */
export interface Shared<Tag extends SharedTag = SharedTag> {
  /** The class name. */
  readonly $shmkit: Tag;
  /** The memory the object lives in. */
  readonly buffer: SharedArrayBuffer;
  /** Byte position of the object in `buffer`. */
  readonly byteOffset: number;
}

/**
 * What `Class.from()` accepts besides a live instance: a {@link Shared} object,
 * or any `{ buffer, byteOffset }` where an object of that class was
 * constructed. `byteOffset` defaults to `0`. A `$shmkit` tag, when present,
 * must name the class.
 */
export interface SharedLocation<Tag extends SharedTag = SharedTag> {
  /** The class name, if known; another class's name is `ERR_SHMKIT_BAD_LAYOUT`. */
  readonly $shmkit?: Tag | undefined;
  /** The memory the object lives in. */
  readonly buffer: SharedArrayBuffer;
  /** Byte position of the object in `buffer`. Default: `0`. */
  readonly byteOffset?: number | undefined;
}

/** Values {@link attach} leaves as they are (it walks only arrays, plain objects and Map values). */
type NotWalked =
  | ((...args: never[]) => unknown)
  | ReadonlySet<unknown>
  | WeakMap<object, unknown>
  | WeakSet<object>
  | Date
  | RegExp
  | Error
  | Promise<unknown>
  | ArrayBuffer
  | SharedArrayBuffer
  | ArrayBufferView;

/**
 * The type {@link attach} returns for a value of type `T`: every
 * {@link Shared} object inside arrays, plain objects and `Map` values (a
 * `ReadonlyMap`'s too) becomes
 * the live object its tag names (`Shared<'Mutex'>` a {@link Mutex},
 * `Shared<'Latch'>` a {@link Latch}, `Shared<'RingBuffer'>` a
 * `RingBuffer<TypedArrayType>`, …). A live object keeps its type (a
 * `RingBuffer<Float64Array>` stays one). `any` stays `any`.
 */
export type Attached<T> = 0 extends 1 & T
  ? T
  : T extends Shared<infer Tag>
    ? T extends TaggedClasses[Tag]
      ? T
      : TaggedClasses[Tag]
    : T extends NotWalked
      ? T
      : T extends Map<infer K, infer V>
        ? Map<K, Attached<V>>
        : T extends ReadonlyMap<infer K, infer V>
          ? ReadonlyMap<K, Attached<V>>
          : T extends object
            ? { [P in keyof T]: Attached<T[P]> }
            : T;

// ---------------------------------------------------------------------------
// Mutex
// ---------------------------------------------------------------------------

/**
 * Proof that the calling thread holds a {@link Mutex}. Returned by
 * {@link Mutex.lock}, {@link Mutex.tryLock} and {@link Mutex.lockAsync}, and
 * carried by {@link errors.OwnerDiedError.guard}. Release it exactly once,
 * with {@link MutexGuard.unlock} or by declaring it with `using`.
 *
 * A guard belongs to the thread that locked; it cannot be sent to another
 * thread (it has no shared state of its own). {@link Condvar.wait} takes it
 * to release and reacquire the mutex. Guards are made only by `Mutex`:
 * `new MutexGuard()` throws a `TypeError` (`ERR_ILLEGAL_CONSTRUCTOR`).
 *
 * @example
 * ```ts
 * const guard = mutex.lock();
 * try {
 *   counter[0]++;
 * } finally {
 *   guard.unlock();
 * }
 *
 * // `using` (plain JS from Node 24; TypeScript 5.2+ compiles it for Node
 * // 20.4+): unlocked when the block ends, even on throw.
 * {
 *   using guard = mutex.lock();
 *   counter[0]++;
 * }
 * ```
 */
export declare class MutexGuard {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  private constructor(mutex: Mutex);
  /** The mutex this guard holds (or held). */
  get mutex(): Mutex;
  /**
   * `true` until {@link MutexGuard.unlock} is called, `false` after. This is
   * the guard's own state; see {@link Mutex.isLocked} for the mutex's.
   */
  get locked(): boolean;
  /**
   * Releases the lock, handing it to the next waiter if there is one. It
   * does not clear poison (see {@link Mutex.clearPoison}).
   *
   * @throws {errors.NotOwnerError} `ERR_SHMKIT_NOT_OWNER` when this guard has
   *   already been unlocked (unlocking twice is a bug, never a no-op), or the
   *   calling thread does not hold the mutex.
   */
  unlock(): void;
  /**
   * Unlocks if still locked, else does nothing; never throws for a guard that
   * was already unlocked. This is what `using guard = mutex.lock()` calls
   * when the block ends.
   */
  [Symbol.dispose](): void;
}

/**
 * A mutual-exclusion lock in shared memory ({@link Mutex.byteLength} bytes) that any thread can
 * reopen. It records which thread holds it, which gives it three safety
 * properties:
 *
 * - **Not reentrant, but no silent deadlock.** A blocking {@link Mutex.lock}
 *   from the thread that already holds the mutex would block forever, so it
 *   throws {@link errors.DeadlockError} (`ERR_SHMKIT_DEADLOCK`) at once, as
 *   it does when the wait would close a cycle of threads each blocked on a
 *   lock the next one holds. {@link Mutex.lockAsync} on the holding thread
 *   just queues: another task of that thread may still unlock.
 * - **Dead owners are detected.** If a thread exits (or is terminated) while
 *   holding the lock, the next thread to lock takes it over and gets
 *   {@link errors.OwnerDiedError} (`ERR_SHMKIT_OWNER_DIED`): it holds the lock
 *   (`error.guard`), and the mutex stays *poisoned*, reporting that error to
 *   every locker, until {@link Mutex.clearPoison} is called.
 * - **Only the holder unlocks**, through its {@link MutexGuard}.
 *
 * Waiters queue in arrival order; an unlock hands the lock directly to the
 * first waiter when it is asynchronous or has waited a little while
 * (about half a millisecond), otherwise lets it compete for it.
 *
 * A blocking `lock()` blocks the whole thread, event loop included: on the
 * main thread, or in a worker that serves other async work, prefer
 * {@link Mutex.lockAsync} / {@link Mutex.withLockAsync}.
 *
 * @example
 * ```js
 * // main.mjs
 * import { Worker } from 'node:worker_threads';
 * import { Mutex } from 'shmkit';
 * const lock = new Mutex();
 * const counter = new Int32Array(new SharedArrayBuffer(8));
 * new Worker('./worker.js', { workerData: { lock, counter } });
 * await lock.withLockAsync(() => { counter[0]++; counter[1]++; });
 *
 * // worker.js
 * const { workerData } = require('node:worker_threads');
 * const { attach } = require('shmkit');
 * const { lock, counter } = attach(workerData); // lock is a Mutex again
 * lock.withLock(() => { counter[0]++; counter[1]++; }, { timeout: 1000 });
 * ```
 */
export declare class Mutex {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  /** Bytes a Mutex occupies in a `SharedArrayBuffer` (currently 24). Reserve this many per Mutex when placing several objects in one buffer. */
  static get byteLength(): number;
  /** The `byteOffset` of a Mutex must be a multiple of this (8). */
  static get alignment(): number;

  /**
   * Creates a new, unlocked, unpoisoned Mutex: in a new `SharedArrayBuffer`
   * of {@link Mutex.byteLength} bytes by default, or at `options.buffer` /
   * `options.byteOffset`.
   *
   * It writes a fresh Mutex into those bytes, whatever they held before:
   * never construct over a Mutex that is in use; to reopen one, use
   * {@link Mutex.from}.
   *
   * @param options Where to place it; default (also for `null`): its own
   *   new buffer. See {@link PlacementOptions} for the errors a bad
   *   placement throws.
   *
   * @example
   * ```js
   * const sab = new SharedArrayBuffer(Mutex.byteLength + Semaphore.byteLength);
   * const mutex = new Mutex({ buffer: sab, byteOffset: 0 });
   * const sem = new Semaphore(2, { buffer: sab, byteOffset: Mutex.byteLength });
   * ```
   */
  constructor(options?: PlacementOptions | null);

  /**
   * Reopens an existing Mutex. `value` is a live Mutex (returned as is), the
   * plain object a Mutex becomes across threads ({@link Shared}), or any
   * `{ buffer, byteOffset }` where a Mutex was constructed. The memory is
   * checked, never initialised. To revive everything in a `workerData` at
   * once, see {@link attach}.
   *
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the memory
   *   does not hold a Mutex (zeroed, another class, another layout version),
   *   `value.$shmkit` names another class, `byteOffset` is not a multiple of
   *   {@link Mutex.alignment}, or the buffer is too small.
   * @throws {errors.NotSharedError} `ERR_SHMKIT_NOT_SHARED` when `buffer` is
   *   a plain `ArrayBuffer` or a view.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `value` is not an object,
   *   has no `buffer`, or `byteOffset` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `byteOffset` is negative or
   *   not an integer.
   */
  static from(value: Mutex | SharedLocation<'Mutex'>): Mutex;

  /** The class tag, `'Mutex'`: survives structured cloning so {@link attach} and {@link Mutex.from} recognise the plain object. Own, enumerable, read-only. */
  readonly $shmkit: 'Mutex';
  /** The `SharedArrayBuffer` the Mutex lives in. Own, enumerable, read-only. */
  readonly buffer: SharedArrayBuffer;
  /** Byte position of the Mutex in {@link Mutex.buffer}. Own, enumerable, read-only. */
  readonly byteOffset: number;

  /**
   * Blocks the calling thread until it holds the lock, and returns the guard
   * that releases it. Blocks the event loop too; prefer
   * {@link Mutex.lockAsync} where that matters.
   *
   * @param options `timeout` in milliseconds; default: no limit.
   * @returns The guard; call {@link MutexGuard.unlock} exactly once (or use `using`).
   * @throws {errors.DeadlockError} `ERR_SHMKIT_DEADLOCK` when this thread
   *   already holds the mutex (it is not reentrant; thrown at once, whatever
   *   the timeout), waiting would close a cycle of threads blocked in
   *   `lock()`, or the lock is handed to this thread's own queued
   *   {@link Mutex.lockAsync} while it blocks here (it would wait for itself).
   * @throws {errors.OwnerDiedError} `ERR_SHMKIT_OWNER_DIED` when the last
   *   holder died with the lock, or the mutex is still poisoned from such a
   *   death. **You hold the lock** (`error.guard`): repair the data, call
   *   {@link Mutex.clearPoison}, then `error.guard.unlock()`.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when `timeout` passed first.
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / {RangeError} `ERR_OUT_OF_RANGE` for bad options.
   */
  lock(options?: LockOptions | null): MutexGuard;

  /**
   * Locks only if that needs no waiting.
   *
   * @returns A guard, or `null` when the mutex is held: by another thread,
   *   or by this one (no `DeadlockError` here).
   * @throws {errors.OwnerDiedError} `ERR_SHMKIT_OWNER_DIED` as in
   *   {@link Mutex.lock}: you hold the lock through `error.guard`.
   */
  tryLock(): MutexGuard | null;

  /**
   * Resolves with a guard once the calling thread holds the lock, without
   * blocking the thread. Asynchronous waiters queue in order with the others,
   * and an unlock hands the lock to them directly.
   *
   * On a thread that already holds the mutex this just queues (no
   * `DeadlockError`): it resolves after that thread's guard is unlocked, so
   * awaiting it while holding the lock in the same async flow never settles.
   *
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   * @returns A promise of the guard; call {@link MutexGuard.unlock} exactly once.
   *   It rejects with {@link errors.OwnerDiedError} `ERR_SHMKIT_OWNER_DIED`
   *   (you hold the lock: `error.guard`; see {@link Mutex.lock}),
   *   {@link errors.TimeoutError} `ERR_SHMKIT_TIMEOUT`, the signal's
   *   `reason` when aborted, or `TypeError` / `RangeError` for bad options.
   */
  lockAsync(options?: AsyncLockOptions | null): Promise<MutexGuard>;

  /**
   * Locks (as {@link Mutex.lock}), runs `fn()`, and unlocks, even when `fn`
   * throws. Returns what `fn` returns. `fn` runs synchronously: if it returns
   * a promise, the lock is released before that promise settles; use
   * {@link Mutex.withLockAsync} for async work. The first time a thread's
   * `fn` returns a `Promise`, Node prints a `ShmkitWarning` (code
   * `SHMKIT_ASYNC_CALLBACK`; once per helper and thread).
   *
   * On a poisoned mutex it does not run `fn`: it releases the lock again and
   * throws a new {@link errors.OwnerDiedError} saying so (its `guard` is
   * already unlocked), every time, until the data is repaired under
   * {@link Mutex.lock} and {@link Mutex.clearPoison} is called.
   *
   * @param fn The critical section.
   * @param options `timeout` in milliseconds; default: no limit.
   * @throws Whatever {@link Mutex.lock} or `fn` throws; a `TypeError`
   *   (`ERR_INVALID_ARG_TYPE`) when `fn` is not a function.
   */
  withLock<T>(fn: () => T, options?: LockOptions | null): T;

  /**
   * Locks (as {@link Mutex.lockAsync}), runs and awaits `fn()`, and unlocks,
   * even when `fn` throws or rejects. Resolves with `fn`'s result.
   *
   * Do not lock the same mutex again inside `fn`: it is not reentrant, and
   * an inner `withLockAsync`/`lockAsync` would wait for the outer one forever.
   * On a poisoned mutex it rejects with {@link errors.OwnerDiedError} without
   * running `fn`, as {@link Mutex.withLock} throws.
   *
   * @param fn The critical section, sync or async.
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none); they bound the wait for the lock, not `fn`.
   * @returns A promise of `fn`'s result; it rejects with what
   *   {@link Mutex.lockAsync} rejects with, with what `fn` throws, or with a
   *   `TypeError` (`ERR_INVALID_ARG_TYPE`) when `fn` is not a function.
   */
  withLockAsync<T>(fn: () => T | PromiseLike<T>, options?: AsyncLockOptions | null): Promise<T>;

  /**
   * Whether some thread holds the lock, at the moment of reading (it may
   * change at once). A lock whose holder died reads `true` until another
   * thread takes it over.
   */
  get isLocked(): boolean;

  /**
   * Whether the mutex is poisoned: `true` from the moment a thread takes the
   * lock over from a holder that died (it reads `false` before that) until
   * {@link Mutex.clearPoison}.
   */
  get isPoisoned(): boolean;

  /**
   * Declares the protected data repaired: later lockers no longer get
   * {@link errors.OwnerDiedError}. Call it while holding the lock (the
   * `error.guard` of the `OwnerDiedError`), before unlocking. It neither
   * unlocks nor checks that you hold the lock; on a mutex that is not
   * poisoned it does nothing.
   *
   * @example
   * ```js
   * let guard;
   * try {
   *   guard = mutex.lock();
   * } catch (err) {
   *   if (!(err instanceof errors.OwnerDiedError)) throw err;
   *   guard = err.guard;
   *   repair(data);
   *   mutex.clearPoison();
   * }
   * guard.unlock();
   * ```
   */
  clearPoison(): void;
}

// ---------------------------------------------------------------------------
// Semaphore
// ---------------------------------------------------------------------------

/**
 * A counting semaphore in shared memory ({@link Semaphore.byteLength} bytes) that any thread can
 * reopen: a number of permits, from 0 to `max`, that threads take and return.
 *
 * - **Fair.** Blocking and async waiters queue in arrival order. While anyone
 *   is queued, nobody takes permits ahead of them (not even
 *   {@link Semaphore.tryAcquire}), and a release serves the queue in order,
 *   stopping at the first waiter it cannot satisfy yet. So a waiter asking
 *   for many permits is never starved by a stream of one-permit waiters,
 *   while the waiters behind it wait for it.
 * - **Permits are not owned.** Any thread may release, whether it acquired or
 *   not, and permits held by a thread that dies are not given back.
 * - **No deadlock detection.** A blocking acquire waiting for permits that only
 *   the same thread would release waits forever (or until its `timeout`).
 *
 * @example
 * ```js
 * // main.mjs: at most 4 downloads at once, across all threads that share `slots`.
 * import { Worker } from 'node:worker_threads';
 * import { Semaphore } from 'shmkit';
 * const slots = new Semaphore(4, { max: 4 });
 * new Worker('./worker.js', { workerData: { slots } });
 * await slots.withPermitAsync(() => download(url));
 *
 * // worker.js
 * const { workerData } = require('node:worker_threads');
 * const { attach } = require('shmkit');
 * const { slots } = attach(workerData);
 * slots.acquire(2, { timeout: 500 }); // TimeoutError after 500 ms
 * try { work(); } finally { slots.release(2); }
 * ```
 */
export declare class Semaphore {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  /** Bytes a Semaphore occupies in a `SharedArrayBuffer` (currently 24). */
  static get byteLength(): number;
  /** The `byteOffset` of a Semaphore must be a multiple of this (8). */
  static get alignment(): number;
  /** The largest `max`, and so the most permits, a Semaphore supports: 2147483647 (2^31 - 1). */
  static get MAX_PERMITS(): number;

  /**
   * Creates a new Semaphore with `initial` permits available and no waiters:
   * in a new `SharedArrayBuffer` of {@link Semaphore.byteLength} bytes by
   * default, or at `options.buffer` / `options.byteOffset`. It writes a fresh
   * Semaphore there, whatever those bytes held: to reopen one, use
   * {@link Semaphore.from}.
   *
   * @param initial Permits available at first: an integer from 0 to `max`. Required.
   * @param options `max` (default {@link Semaphore.MAX_PERMITS}) and the
   *   placement (default: its own new buffer; see {@link PlacementOptions}).
   *   `undefined` and `null` mean all defaults.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `initial` (or
   *   `options.max`) is not a number, `initial` included when missing, or
   *   `options` is neither an object nor `undefined` / `null`.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `initial` is not an integer
   *   from 0 to `max`, or `max` is not an integer from 1 to
   *   {@link Semaphore.MAX_PERMITS}.
   */
  constructor(initial: number, options?: SemaphoreOptions | null);

  /**
   * Reopens an existing Semaphore (its `max` is read from the memory).
   * `value` is a live Semaphore (returned as is), the plain object a
   * Semaphore becomes across threads ({@link Shared}), or any
   * `{ buffer, byteOffset }` where a Semaphore was constructed. The memory is
   * checked, never initialised.
   *
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the memory
   *   does not hold a Semaphore, `value.$shmkit` names another class,
   *   `byteOffset` is not a multiple of {@link Semaphore.alignment}, or the
   *   buffer is too small.
   * @throws {errors.NotSharedError} `ERR_SHMKIT_NOT_SHARED` when `buffer` is
   *   a plain `ArrayBuffer` or a view.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `value` is not an object,
   *   has no `buffer`, or `byteOffset` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `byteOffset` is negative or
   *   not an integer.
   */
  static from(value: Semaphore | SharedLocation<'Semaphore'>): Semaphore;

  /** The class tag, `'Semaphore'`: survives structured cloning so {@link attach} and {@link Semaphore.from} recognise the plain object. Own, enumerable, read-only. */
  readonly $shmkit: 'Semaphore';
  /** The `SharedArrayBuffer` the Semaphore lives in. Own, enumerable, read-only. */
  readonly buffer: SharedArrayBuffer;
  /** Byte position of the Semaphore in {@link Semaphore.buffer}. Own, enumerable, read-only. */
  readonly byteOffset: number;

  /**
   * Blocks the calling thread (and its event loop) until it has taken `n`
   * permits, waiting its turn behind earlier waiters.
   *
   * @param n Permits to take: an integer from 1 to `max`. Default: `1`.
   * @param options `timeout` in milliseconds; default: no limit.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when `timeout` passed
   *   first; no permits are taken.
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `n` is not a number
   *   (`null` included).
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `n` is not an integer from 1
   *   to `max`, or for a bad `timeout`.
   */
  acquire(n?: number, options?: LockOptions | null): void;
  /**
   * Takes one permit, blocking as {@link Semaphore.acquire} does; the same
   * as `acquire(1, options)`.
   *
   * @param options `timeout` in milliseconds; default: no limit.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT`, {@link errors.TerminatedError}
   *   `ERR_SHMKIT_TERMINATED`, and `TypeError` / `RangeError` for bad options.
   */
  acquire(options: LockOptions): void;

  /**
   * Takes `n` permits if that needs no waiting. It never jumps the queue:
   * while other waiters are queued it returns `false`, even when enough
   * permits are available.
   *
   * @param n Permits to take: an integer from 1 to `max`. Default: `1`.
   * @returns `true` when the permits were taken, else `false`.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `n` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `n` is not an integer from 1 to `max`.
   */
  tryAcquire(n?: number): boolean;

  /**
   * Resolves once `n` permits are taken, without blocking the thread. It
   * waits its turn in the same queue as blocking waiters.
   *
   * @param n Permits to take: an integer from 1 to `max`. Default: `1`.
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   * @returns A promise that rejects with {@link errors.TimeoutError}
   *   `ERR_SHMKIT_TIMEOUT` or the signal's `reason` (no permits taken), or
   *   `TypeError` / `RangeError` for a bad `n` or options.
   */
  acquireAsync(n?: number, options?: AsyncLockOptions | null): Promise<void>;
  /**
   * Takes one permit asynchronously; the same as `acquireAsync(1, options)`.
   *
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   */
  acquireAsync(options: AsyncLockOptions): Promise<void>;

  /**
   * Returns `n` permits, serving queued waiters in order. Any thread may
   * release, whether or not it acquired.
   *
   * @param n Permits to return: an integer from 1 to `max`. Default: `1`.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `n` is not an integer from 1
   *   to `max`, or when releasing would make more than `max` permits
   *   available (then nothing is released).
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `n` is not a number.
   */
  release(n?: number): void;

  /**
   * Takes one permit (as {@link Semaphore.acquire}), runs `fn()`, and
   * returns the permit, even when `fn` throws. Returns what `fn` returns.
   * `fn` runs synchronously: for async work use {@link Semaphore.withPermitAsync}
   * (an `fn` that returns a `Promise` gets the warning
   * {@link Mutex.withLock} describes).
   *
   * @param fn The guarded work.
   * @param options `timeout` in milliseconds; default: no limit.
   * @throws Whatever {@link Semaphore.acquire} or `fn` throws; a `TypeError`
   *   (`ERR_INVALID_ARG_TYPE`) when `fn` is not a function.
   */
  withPermit<T>(fn: () => T, options?: LockOptions | null): T;

  /**
   * Takes one permit (as {@link Semaphore.acquireAsync}), runs and awaits
   * `fn()`, and returns the permit, even when `fn` throws or rejects.
   * Resolves with `fn`'s result.
   *
   * @param fn The guarded work, sync or async.
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none); they bound the wait for the permit, not `fn`.
   * @returns A promise of `fn`'s result; it rejects with what
   *   {@link Semaphore.acquireAsync} rejects with, with what `fn` throws, or
   *   with a `TypeError` (`ERR_INVALID_ARG_TYPE`) when `fn` is not a function.
   */
  withPermitAsync<T>(fn: () => T | PromiseLike<T>, options?: AsyncLockOptions | null): Promise<T>;

  /**
   * Permits available now (it may change at once). While waiters are queued
   * this can be more than 0: the first waiter wants more than there are.
   */
  get available(): number;

  /** The most permits that can be available; set at construction. */
  get max(): number;
}

// ---------------------------------------------------------------------------
// Condvar
// ---------------------------------------------------------------------------

/**
 * A condition variable in shared memory ({@link Condvar.byteLength} bytes)
 * that any thread can reopen. Used with a {@link Mutex}: a thread holding the
 * mutex waits until another thread changes the shared data and notifies,
 * without polling.
 *
 * - **Every wait reacquires the mutex** before it returns, whatever ended it
 *   (notify, timeout, abort): after a wait you hold the lock again, through
 *   the same guard. Exceptions: {@link errors.TerminatedError}, a
 *   {@link errors.DeadlockError} while relocking, and argument errors (then
 *   `guard.locked` tells whether you hold it).
 * - **No lost wake-ups**: a waiter joins the queue before it releases the
 *   mutex, so a notifier that changes the data *under the mutex* and then
 *   notifies always finds it, even if it runs between the release and the
 *   moment the waiter sleeps. Changing the data without holding the mutex
 *   gives no such guarantee.
 * - **Re-check the condition** after waking: another thread may have changed
 *   the data again before you relocked. {@link Condvar.waitWhile} does that
 *   loop for you.
 *
 * One Condvar may be used with different mutexes over time, but all the
 * threads waiting on it at once should use the same one.
 *
 * @example
 * ```js
 * // Hand-off: the worker waits until the main thread has published data.
 * // main.mjs
 * import { Worker } from 'node:worker_threads';
 * import { Mutex, Condvar } from 'shmkit';
 * const lock = new Mutex();
 * const ready = new Condvar();
 * const state = new Int32Array(new SharedArrayBuffer(8)); // [flag, value]
 * new Worker('./worker.js', { workerData: { lock, ready, state } });
 * await lock.withLockAsync(() => { state[1] = 42; state[0] = 1; });
 * ready.notifyAll();
 *
 * // worker.js
 * const { workerData } = require('node:worker_threads');
 * const { attach } = require('shmkit');
 * const { lock, ready, state } = attach(workerData); // Mutex, Condvar
 * const guard = lock.lock();
 * try {
 *   ready.waitWhile(guard, () => state[0] === 0); // mutex held again here
 *   console.log(state[1]); // 42
 * } finally {
 *   guard.unlock();
 * }
 * ```
 */
export declare class Condvar {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  /** Bytes a Condvar occupies in a `SharedArrayBuffer` (currently 24). */
  static get byteLength(): number;
  /** The `byteOffset` of a Condvar must be a multiple of this (8). */
  static get alignment(): number;

  /**
   * Creates a new Condvar with no waiters: in a new `SharedArrayBuffer` of
   * {@link Condvar.byteLength} bytes by default, or at `options.buffer` /
   * `options.byteOffset`. It writes a fresh Condvar there, whatever those
   * bytes held: never construct over one in use; to reopen one, use
   * {@link Condvar.from}.
   *
   * @param options Where to place it; default (also for `null`): its own
   *   new buffer. See {@link PlacementOptions} for the errors a bad
   *   placement throws.
   */
  constructor(options?: PlacementOptions | null);

  /**
   * Reopens an existing Condvar. `value` is a live Condvar (returned as is),
   * the plain object a Condvar becomes across threads ({@link Shared}), or
   * any `{ buffer, byteOffset }` where a Condvar was constructed. The memory
   * is checked, never initialised.
   *
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the memory
   *   does not hold a Condvar, `value.$shmkit` names another class,
   *   `byteOffset` is not a multiple of {@link Condvar.alignment}, or the
   *   buffer is too small.
   * @throws {errors.NotSharedError} `ERR_SHMKIT_NOT_SHARED` when `buffer` is
   *   a plain `ArrayBuffer` or a view.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `value` is not an object,
   *   has no `buffer`, or `byteOffset` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `byteOffset` is negative or
   *   not an integer.
   */
  static from(value: Condvar | SharedLocation<'Condvar'>): Condvar;

  /** The class tag, `'Condvar'`: survives structured cloning so {@link attach} and {@link Condvar.from} recognise the plain object. Own, enumerable, read-only. */
  readonly $shmkit: 'Condvar';
  /** The `SharedArrayBuffer` the Condvar lives in. Own, enumerable, read-only. */
  readonly buffer: SharedArrayBuffer;
  /** Byte position of the Condvar in {@link Condvar.buffer}. Own, enumerable, read-only. */
  readonly byteOffset: number;

  /**
   * Releases the guard's mutex, blocks the thread (and its event loop) until
   * notified or `timeout` passes, then reacquires the mutex before
   * returning. A timeout is not an error here: it returns `false`, with the
   * mutex held again.
   *
   * If the mutex is poisoned when it is reacquired (a thread died holding
   * it, or it was already poisoned and not cleared), the wait throws
   * {@link errors.OwnerDiedError} instead of returning, with the mutex held
   * (`error.guard` is `guard`). Clear poison before waiting, or every wait
   * ends that way.
   *
   * @param guard The guard of the mutex this thread holds (from
   *   {@link Mutex.lock} and co.).
   * @param options `timeout` in milliseconds; default: no limit.
   * @returns `true` when notified, `false` when `timeout` passed first.
   * @throws {errors.OwnerDiedError} `ERR_SHMKIT_OWNER_DIED` as above; you
   *   hold the lock.
   * @throws {errors.NotOwnerError} `ERR_SHMKIT_NOT_OWNER` when `guard` has
   *   been unlocked (nothing waited).
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits; the mutex is **not** reacquired
   *   (`guard.locked` becomes `false`).
   * @throws {errors.DeadlockError} `ERR_SHMKIT_DEADLOCK` when reacquiring the
   *   mutex would close a cycle of threads blocked on locks; the mutex is not
   *   held then (`guard.locked` becomes `false`).
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `guard` is not a
   *   {@link MutexGuard}, or for bad options; {RangeError} `ERR_OUT_OF_RANGE`
   *   for a bad `timeout`. Nothing waited, the mutex is still held.
   */
  wait(guard: MutexGuard, options?: LockOptions | null): boolean;

  /**
   * The asynchronous form of {@link Condvar.wait}: releases the guard's
   * mutex, resolves once notified (`true`) or `timeout` passed (`false`), and
   * reacquires the mutex (asynchronously) before it settles, whatever the
   * outcome, an abort included. Do not use or unlock `guard` from other code
   * while the promise is pending: the mutex is released meanwhile, although
   * `guard.locked` stays `true`.
   *
   * @param guard The guard of the mutex this thread holds.
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   * @returns A promise of `true` (notified; rarely a spurious wake-up, so
   *   re-check the condition, or use {@link Condvar.waitWhileAsync}) or
   *   `false` (timed out). It
   *   rejects with the signal's `reason` when aborted (mutex held again),
   *   {@link errors.OwnerDiedError} `ERR_SHMKIT_OWNER_DIED` when the relocked
   *   mutex is poisoned (held, `error.guard` is `guard`),
   *   {@link errors.NotOwnerError} `ERR_SHMKIT_NOT_OWNER` when `guard` was
   *   already unlocked, or `TypeError` / `RangeError` for bad arguments (then
   *   nothing was released).
   */
  waitAsync(guard: MutexGuard, options?: AsyncLockOptions | null): Promise<boolean>;

  /**
   * Waits while `predicate()` returns true: checks it (holding the mutex),
   * and as long as it is true, waits as {@link Condvar.wait} and checks
   * again. Spurious or stale wake-ups are thus hidden. `timeout` bounds the
   * whole call, not each wait.
   *
   * @param guard The guard of the mutex this thread holds.
   * @param predicate Reads the shared data; called with the mutex held. It
   *   must be synchronous (use {@link Condvar.waitWhileAsync} for an async
   *   one). If it throws, the error propagates with the mutex held.
   * @param options `timeout` in milliseconds; default: no limit.
   * @returns `true` once `predicate()` is false (at once if it is false
   *   already), `false` when `timeout` passed while it was still true. Either
   *   way the mutex is held.
   * @throws What {@link Condvar.wait} throws, and a `TypeError`
   *   (`ERR_INVALID_ARG_TYPE`) when `predicate` is not a function.
   */
  waitWhile(guard: MutexGuard, predicate: () => boolean, options?: LockOptions | null): boolean;

  /**
   * The asynchronous form of {@link Condvar.waitWhile}: waits as
   * {@link Condvar.waitAsync} while `await predicate()` is true. `timeout`
   * bounds the whole call; `signal` aborts it (rejecting with its `reason`,
   * the mutex held again).
   *
   * @param guard The guard of the mutex this thread holds.
   * @param predicate Reads the shared data, with the mutex held; may return
   *   a promise.
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   * @returns A promise of `true` once the predicate is false, `false` when
   *   `timeout` passed first; it rejects as {@link Condvar.waitAsync} does,
   *   with what `predicate` throws, or with a `TypeError` when `predicate` is
   *   not a function.
   */
  waitWhileAsync(
    guard: MutexGuard,
    predicate: () => boolean | PromiseLike<boolean>,
    options?: AsyncLockOptions | null,
  ): Promise<boolean>;

  /**
   * Wakes the longest-waiting waiter, if any, in any thread. Call it after
   * changing the data under the mutex (holding the mutex or not while
   * notifying). A notify with no waiter is not remembered.
   *
   * @returns How many waiters were woken: `0` or `1`.
   */
  notifyOne(): number;

  /**
   * Wakes every waiter, in any thread. They reacquire the mutex one after
   * the other.
   *
   * @returns How many waiters were woken.
   */
  notifyAll(): number;
}

// ---------------------------------------------------------------------------
// RwLock
// ---------------------------------------------------------------------------

/**
 * What the two RwLock guards have in common (not exported: the classes are
 * {@link RwLockReadGuard} and {@link RwLockWriteGuard}).
 */
declare abstract class RwLockGuard {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  protected constructor(rwlock: RwLock);
  /** The RwLock this guard holds (or held). */
  get rwlock(): RwLock;
  /**
   * `true` until {@link RwLockGuard.unlock} is called, `false` after. This
   * is the guard's own state; see {@link RwLock.readers} and
   * {@link RwLock.isWriteLocked} for the lock's.
   */
  get locked(): boolean;
  /**
   * Releases this read or write lock. Releasing the write lock lets in every
   * queued reader at once or, if none, the first queued writer; releasing
   * the last read lock lets in the first queued writer. It does not clear
   * poison (see {@link RwLock.clearPoison}).
   *
   * @throws {errors.NotOwnerError} `ERR_SHMKIT_NOT_OWNER` when this guard has
   *   already been unlocked (unlocking twice is a bug, never a no-op), or the
   *   lock is not held the way the guard says.
   */
  unlock(): void;
  /**
   * Unlocks if still locked, else does nothing. This is what
   * `using guard = rwlock.read()` calls when the block ends.
   */
  [Symbol.dispose](): void;
}

/**
 * Proof that the calling thread holds a read lock of an {@link RwLock}
 * (others may hold read locks too). Returned by {@link RwLock.read},
 * {@link RwLock.tryRead} and {@link RwLock.readAsync}. Release it exactly
 * once, with `unlock()` or by declaring it with `using`.
 *
 * Guards are made only by `RwLock`: `new RwLockReadGuard()` throws a
 * `TypeError` (`ERR_ILLEGAL_CONSTRUCTOR`). A guard cannot be sent to
 * another thread.
 *
 * @example
 * ```ts
 * {
 *   using guard = table.read(); // RwLockReadGuard
 *   lookup(data);
 * } // read lock released here
 * ```
 */
export declare class RwLockReadGuard extends RwLockGuard {
  #private;
  private constructor();
}

/**
 * Proof that the calling thread holds the write lock of an {@link RwLock}
 * (nobody else holds it in any way). Returned by {@link RwLock.write},
 * {@link RwLock.tryWrite} and {@link RwLock.writeAsync}. Release it exactly
 * once, with `unlock()` or by declaring it with `using`.
 *
 * Guards are made only by `RwLock`: `new RwLockWriteGuard()` throws a
 * `TypeError` (`ERR_ILLEGAL_CONSTRUCTOR`). A guard cannot be sent to
 * another thread.
 *
 * @example
 * ```ts
 * const guard = table.write(); // RwLockWriteGuard
 * try {
 *   update(data);
 * } finally {
 *   guard.unlock();
 * }
 * ```
 */
export declare class RwLockWriteGuard extends RwLockGuard {
  #private;
  private constructor();
}

/**
 * A readers-writer lock in shared memory ({@link RwLock.byteLength} bytes)
 * that any thread can reopen: any number of threads may hold a read lock at
 * once, or one thread the write lock.
 *
 * - **Writer-preferring**: once a writer waits, new readers (even
 *   {@link RwLock.tryRead}) queue behind it, so a stream of readers cannot
 *   starve writers.
 * - **Phase-fair**: a writer's unlock lets in *all* queued readers at once
 *   (or, if none, the next writer), and the last reader out hands the lock
 *   to the first queued writer, so writers cannot starve readers either.
 * - **No upgrades, no silent deadlocks.** A blocking {@link RwLock.write}
 *   while this thread holds a read lock, a blocking {@link RwLock.read} or
 *   `write()` while it holds the write lock, a blocking recursive `read()`
 *   that would queue behind a waiting writer (which waits for this thread's
 *   own read lock), and a write-lock wait that would close a cycle of
 *   threads all throw {@link errors.DeadlockError} (`ERR_SHMKIT_DEADLOCK`)
 *   at once. The async forms just queue. Read locks are counted per thread
 *   and lock, whichever object over the lock's memory took them (say, two
 *   `RwLock.from()` calls in one thread).
 * - **Dead writers are detected**: if a thread exits while holding the write
 *   lock, the next thread to lock (for reading or writing) takes it over and
 *   gets {@link errors.OwnerDiedError} (`ERR_SHMKIT_OWNER_DIED`) carrying its
 *   guard; the lock stays *poisoned*, reporting that error to every
 *   acquisition, until {@link RwLock.clearPoison}.
 * - **Dead readers' locks are given back**: read locks a thread still holds
 *   when it exits (it returns, throws, or is terminated) are released by the
 *   next write attempt on the lock; a writer already waiting is woken to do
 *   so. A thread tracks its read locks on up to 64 locks at once; read locks
 *   on more locks than that stay held if it exits holding them, and so can
 *   one whose worker is terminated in the middle of taking or releasing it
 *   (a few function calls). Give writers timeouts where readers may die.
 *
 * @example
 * ```js
 * // main.mjs
 * import { Worker } from 'node:worker_threads';
 * import { RwLock } from 'shmkit';
 * const lock = new RwLock();
 * const table = new Float64Array(new SharedArrayBuffer(8 * 1024));
 * for (let i = 0; i < 4; i++) new Worker('./reader.js', { workerData: { lock, table } });
 * await lock.withWriteAsync(() => table.fill(1));
 *
 * // reader.js
 * const { workerData } = require('node:worker_threads');
 * const { attach } = require('shmkit');
 * const { lock, table } = attach(workerData); // lock is an RwLock again
 * const sum = lock.withRead(() => table.reduce((a, b) => a + b, 0), { timeout: 1000 });
 * ```
 */
export declare class RwLock {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  /** Bytes an RwLock occupies in a `SharedArrayBuffer` (currently 24). */
  static get byteLength(): number;
  /** The `byteOffset` of an RwLock must be a multiple of this (8). */
  static get alignment(): number;

  /**
   * Creates a new, unlocked, unpoisoned RwLock: in a new `SharedArrayBuffer`
   * of {@link RwLock.byteLength} bytes by default, or at `options.buffer` /
   * `options.byteOffset`. It writes a fresh RwLock there, whatever those
   * bytes held: never construct over one in use; to reopen one, use
   * {@link RwLock.from}.
   *
   * @param options Where to place it; default (also for `null`): its own
   *   new buffer. See {@link PlacementOptions} for the errors a bad
   *   placement throws.
   */
  constructor(options?: PlacementOptions | null);

  /**
   * Reopens an existing RwLock. `value` is a live RwLock (returned as is),
   * the plain object an RwLock becomes across threads ({@link Shared}), or
   * any `{ buffer, byteOffset }` where an RwLock was constructed. The memory
   * is checked, never initialised. Each call with a plain object makes a new
   * object: keep using one per thread (see the deadlock note on
   * {@link RwLock}).
   *
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the memory
   *   does not hold an RwLock, `value.$shmkit` names another class,
   *   `byteOffset` is not a multiple of {@link RwLock.alignment}, or the
   *   buffer is too small.
   * @throws {errors.NotSharedError} `ERR_SHMKIT_NOT_SHARED` when `buffer` is
   *   a plain `ArrayBuffer` or a view.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `value` is not an object,
   *   has no `buffer`, or `byteOffset` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `byteOffset` is negative or
   *   not an integer.
   */
  static from(value: RwLock | SharedLocation<'RwLock'>): RwLock;

  /** The class tag, `'RwLock'`: survives structured cloning so {@link attach} and {@link RwLock.from} recognise the plain object. Own, enumerable, read-only. */
  readonly $shmkit: 'RwLock';
  /** The `SharedArrayBuffer` the RwLock lives in. Own, enumerable, read-only. */
  readonly buffer: SharedArrayBuffer;
  /** Byte position of the RwLock in {@link RwLock.buffer}. Own, enumerable, read-only. */
  readonly byteOffset: number;

  /**
   * Blocks the calling thread until it holds a read lock (shared with other
   * readers), and returns the guard that releases it. While a writer holds
   * or waits for the lock, it queues.
   *
   * @param options `timeout` in milliseconds; default: no limit.
   * @returns The read guard; call `unlock()` exactly once (or use `using`).
   * @throws {errors.DeadlockError} `ERR_SHMKIT_DEADLOCK` at once, whatever
   *   the timeout, when this thread holds the write lock, or already holds a
   *   read lock (through any object over this lock) and a writer is waiting (the writer
   *   waits for that read lock, the new read would wait for the writer);
   *   also, after a wait, when the lock is handed to this thread's own queued
   *   async call while it blocks here (it would wait for itself).
   * @throws {errors.OwnerDiedError} `ERR_SHMKIT_OWNER_DIED` when a writer
   *   died holding the lock, or it is still poisoned from that. **You hold a
   *   read lock** (`error.guard`, an {@link RwLockReadGuard}): unlock it.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when `timeout` passed first.
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / {RangeError} `ERR_OUT_OF_RANGE` for bad options.
   */
  read(options?: LockOptions | null): RwLockReadGuard;

  /**
   * Read-locks only if that needs no waiting.
   *
   * @returns A read guard, or `null` when a writer holds the lock (this
   *   thread included) or waits for it.
   * @throws {errors.OwnerDiedError} `ERR_SHMKIT_OWNER_DIED` as in
   *   {@link RwLock.read}: you hold a read lock through `error.guard`.
   */
  tryRead(): RwLockReadGuard | null;

  /**
   * Resolves with a read guard once the calling thread holds a read lock,
   * without blocking the thread. On a thread that holds the lock already it
   * just queues (no `DeadlockError`): awaiting it while holding the write
   * lock in the same async flow never settles.
   *
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   * @returns A promise of the read guard; it rejects with
   *   {@link errors.OwnerDiedError} (you hold a read lock: `error.guard`),
   *   {@link errors.TimeoutError}, the signal's `reason`, or `TypeError` /
   *   `RangeError` for bad options.
   */
  readAsync(options?: AsyncLockOptions | null): Promise<RwLockReadGuard>;

  /**
   * Blocks the calling thread until it holds the write lock (no readers, no
   * other writer), and returns the guard that releases it. From the moment
   * it queues, new readers queue behind it.
   *
   * @param options `timeout` in milliseconds; default: no limit.
   * @returns The write guard; call `unlock()` exactly once (or use `using`).
   * @throws {errors.DeadlockError} `ERR_SHMKIT_DEADLOCK` at once, whatever
   *   the timeout, when this thread holds a read lock (through any object
   *   over this lock: read locks are not upgraded) or the write lock, or waiting would close
   *   a cycle of threads blocked on locks; also, after a wait, when the lock
   *   is handed to this thread's own queued async call while it blocks here
   *   (it would wait for itself).
   * @throws {errors.OwnerDiedError} `ERR_SHMKIT_OWNER_DIED` when a writer
   *   died holding the lock, or it is still poisoned from that. **You hold
   *   the write lock** (`error.guard`, an {@link RwLockWriteGuard}): repair
   *   the data, call {@link RwLock.clearPoison}, then `error.guard.unlock()`.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when `timeout` passed
   *   first (for example behind a reader that keeps its read lock).
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / {RangeError} `ERR_OUT_OF_RANGE` for bad options.
   */
  write(options?: LockOptions | null): RwLockWriteGuard;

  /**
   * Write-locks only if that needs no waiting.
   *
   * @returns A write guard, or `null` when the lock is held in any way (this
   *   thread included: no `DeadlockError` here).
   * @throws {errors.OwnerDiedError} `ERR_SHMKIT_OWNER_DIED` as in
   *   {@link RwLock.write}: you hold the write lock through `error.guard`.
   */
  tryWrite(): RwLockWriteGuard | null;

  /**
   * Resolves with a write guard once the calling thread holds the write
   * lock, without blocking the thread. On a thread that holds the lock
   * already it just queues (no `DeadlockError`): it settles only after that
   * thread's guards are unlocked.
   *
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   * @returns A promise of the write guard; it rejects with
   *   {@link errors.OwnerDiedError} (you hold the write lock: `error.guard`),
   *   {@link errors.TimeoutError}, the signal's `reason`, or `TypeError` /
   *   `RangeError` for bad options.
   */
  writeAsync(options?: AsyncLockOptions | null): Promise<RwLockWriteGuard>;

  /**
   * Read-locks (as {@link RwLock.read}), runs `fn()`, and unlocks, even when
   * `fn` throws. Returns what `fn` returns. `fn` runs synchronously; use
   * {@link RwLock.withReadAsync} for async work (an `fn` that returns a
   * `Promise` gets the warning {@link Mutex.withLock} describes).
   *
   * On a poisoned lock it does not run `fn`: it releases the lock again and
   * throws {@link errors.OwnerDiedError} (its `guard` already unlocked).
   *
   * @param fn The reading section.
   * @param options `timeout` in milliseconds; default: no limit.
   * @throws Whatever {@link RwLock.read} or `fn` throws; a `TypeError`
   *   (`ERR_INVALID_ARG_TYPE`) when `fn` is not a function.
   */
  withRead<T>(fn: () => T, options?: LockOptions | null): T;

  /**
   * Write-locks (as {@link RwLock.write}), runs `fn()`, and unlocks, even
   * when `fn` throws. Returns what `fn` returns. `fn` runs synchronously; use
   * {@link RwLock.withWriteAsync} for async work (an `fn` that returns a
   * `Promise` gets the warning {@link Mutex.withLock} describes).
   *
   * On a poisoned lock it does not run `fn`: it releases the lock again and
   * throws {@link errors.OwnerDiedError} (its `guard` already unlocked),
   * until the data is repaired under {@link RwLock.write} and
   * {@link RwLock.clearPoison} is called.
   *
   * @param fn The writing section.
   * @param options `timeout` in milliseconds; default: no limit.
   * @throws Whatever {@link RwLock.write} or `fn` throws; a `TypeError`
   *   (`ERR_INVALID_ARG_TYPE`) when `fn` is not a function.
   */
  withWrite<T>(fn: () => T, options?: LockOptions | null): T;

  /**
   * Read-locks (as {@link RwLock.readAsync}), runs and awaits `fn()`, and
   * unlocks, even when `fn` throws or rejects. On a poisoned lock it rejects
   * with {@link errors.OwnerDiedError} without running `fn`.
   *
   * @param fn The reading section, sync or async.
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none); they bound the wait for the lock, not `fn`.
   * @returns A promise of `fn`'s result; it rejects with what
   *   {@link RwLock.readAsync} rejects with, with what `fn` throws, or with a
   *   `TypeError` (`ERR_INVALID_ARG_TYPE`) when `fn` is not a function.
   */
  withReadAsync<T>(fn: () => T | PromiseLike<T>, options?: AsyncLockOptions | null): Promise<T>;

  /**
   * Write-locks (as {@link RwLock.writeAsync}), runs and awaits `fn()`, and
   * unlocks, even when `fn` throws or rejects. Do not lock the same RwLock
   * again inside `fn`: the inner wait would wait for the outer lock forever.
   * On a poisoned lock it rejects with {@link errors.OwnerDiedError} without
   * running `fn`.
   *
   * @param fn The writing section, sync or async.
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none); they bound the wait for the lock, not `fn`.
   * @returns A promise of `fn`'s result; it rejects with what
   *   {@link RwLock.writeAsync} rejects with, with what `fn` throws, or with a
   *   `TypeError` (`ERR_INVALID_ARG_TYPE`) when `fn` is not a function.
   */
  withWriteAsync<T>(fn: () => T | PromiseLike<T>, options?: AsyncLockOptions | null): Promise<T>;

  /**
   * How many read locks are held now, by all threads (a thread holding two
   * counts twice; read locks of a thread that exited holding them count
   * until a write attempt gives them back); `0` while a writer holds the
   * lock. It may change at once.
   */
  get readers(): number;

  /** Whether some thread holds the write lock, at the moment of reading. */
  get isWriteLocked(): boolean;

  /**
   * Whether the lock is poisoned: `true` from the moment a thread takes the
   * lock over from a writer that died until {@link RwLock.clearPoison}.
   */
  get isPoisoned(): boolean;

  /**
   * Declares the protected data repaired: later acquisitions no longer get
   * {@link errors.OwnerDiedError}. Call it while holding the write lock (the
   * `error.guard` of the `OwnerDiedError` from {@link RwLock.write}), before
   * unlocking. It neither unlocks nor checks what you hold; on a lock that
   * is not poisoned it does nothing.
   */
  clearPoison(): void;
}

// ---------------------------------------------------------------------------
// Barrier
// ---------------------------------------------------------------------------

/**
 * A reusable barrier in shared memory ({@link Barrier.byteLength} bytes) that
 * any thread can reopen: each {@link Barrier.wait} returns once `parties`
 * waits (from any threads) have arrived, and then the next *generation*
 * starts, with the same number of parties. Exactly one party of each
 * generation, the last to arrive, gets `{ isLeader: true }`.
 *
 * **Breaking.** A party that gives up (its `timeout` passes, its `signal`
 * aborts, or its worker is terminated while waiting) breaks the barrier: the
 * other parties of its generation wake with {@link errors.BarrierBrokenError}
 * (`ERR_SHMKIT_BARRIER_BROKEN`) instead of waiting for a party that will not
 * come, and every later wait throws that error at once, until
 * {@link Barrier.reset}. A thread that dies before arriving does not break
 * it: the others wait for it (use timeouts).
 *
 * @example
 * ```js
 * // Each of 4 workers computes a step, then all move on together.
 * // main.mjs
 * import { Worker } from 'node:worker_threads';
 * import { Barrier } from 'shmkit';
 * const step = new Barrier(4);
 * for (let i = 0; i < 4; i++) new Worker('./worker.js', { workerData: { step, i } });
 *
 * // worker.js
 * const { workerData } = require('node:worker_threads');
 * const { attach } = require('shmkit');
 * const { step, i } = attach(workerData); // step is a Barrier again
 * for (let round = 0; round < 10; round++) {
 *   compute(round, i);
 *   const { isLeader } = step.wait({ timeout: 5000 });
 *   if (isLeader) console.log(`round ${round} done`);
 * }
 * ```
 */
export declare class Barrier {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  /** Bytes a Barrier occupies in a `SharedArrayBuffer` (currently 24). */
  static get byteLength(): number;
  /** The `byteOffset` of a Barrier must be a multiple of this (8). */
  static get alignment(): number;

  /**
   * Creates a new, unbroken Barrier for `parties` parties, with nobody
   * arrived: in a new `SharedArrayBuffer` of {@link Barrier.byteLength} bytes
   * by default, or at `options.buffer` / `options.byteOffset`. It writes a
   * fresh Barrier there, whatever those bytes held: to reopen one, use
   * {@link Barrier.from}.
   *
   * @param parties How many waits complete a generation: an integer from 1
   *   to 2147483647. Required. With `1` every wait returns at once, as leader.
   * @param options Where to place it; default (also for `null`): its own
   *   new buffer. See {@link PlacementOptions}.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `parties` is not a number
   *   (missing included).
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `parties` is not an integer
   *   from 1 to 2147483647.
   */
  constructor(parties: number, options?: PlacementOptions | null);

  /**
   * Reopens an existing Barrier (its `parties` is read from the memory).
   * `value` is a live Barrier (returned as is), the plain object a Barrier
   * becomes across threads ({@link Shared}), or any `{ buffer, byteOffset }`
   * where a Barrier was constructed. The memory is checked, never initialised.
   *
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the memory
   *   does not hold a Barrier, `value.$shmkit` names another class,
   *   `byteOffset` is not a multiple of {@link Barrier.alignment}, or the
   *   buffer is too small.
   * @throws {errors.NotSharedError} `ERR_SHMKIT_NOT_SHARED` when `buffer` is
   *   a plain `ArrayBuffer` or a view.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `value` is not an object,
   *   has no `buffer`, or `byteOffset` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `byteOffset` is negative or
   *   not an integer.
   */
  static from(value: Barrier | SharedLocation<'Barrier'>): Barrier;

  /** The class tag, `'Barrier'`: survives structured cloning so {@link attach} and {@link Barrier.from} recognise the plain object. Own, enumerable, read-only. */
  readonly $shmkit: 'Barrier';
  /** The `SharedArrayBuffer` the Barrier lives in. Own, enumerable, read-only. */
  readonly buffer: SharedArrayBuffer;
  /** Byte position of the Barrier in {@link Barrier.buffer}. Own, enumerable, read-only. */
  readonly byteOffset: number;

  /**
   * Arrives, and blocks the calling thread (and its event loop) until
   * `parties` parties of this generation have arrived. The last one to
   * arrive does not block: it is the leader, opens the next generation and
   * wakes the others.
   *
   * @param options `timeout` in milliseconds; default: no limit. A timeout
   *   breaks the barrier (even `timeout: 0`, when the others have not all
   *   arrived yet).
   * @returns `{ isLeader }`: `true` for the last to arrive, `false` for the others.
   * @throws {errors.BarrierBrokenError} `ERR_SHMKIT_BARRIER_BROKEN` when the
   *   barrier is broken, or breaks or is {@link Barrier.reset} while this
   *   party waits.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when `timeout` passed
   *   first; this breaks the barrier for the others.
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits; this breaks the barrier too.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / {RangeError} `ERR_OUT_OF_RANGE`
   *   for bad options (then it did not arrive).
   */
  wait(options?: LockOptions | null): BarrierWaitResult;

  /**
   * The asynchronous form of {@link Barrier.wait}: arrives, and resolves once
   * the generation is complete, without blocking the thread. A timeout or an
   * abort while waiting breaks the barrier, as in `wait()`; an
   * already-aborted signal rejects without arriving (and breaks nothing).
   *
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   * @returns A promise of `{ isLeader }`; it rejects with
   *   {@link errors.BarrierBrokenError}, {@link errors.TimeoutError}, the
   *   signal's `reason`, or `TypeError` / `RangeError` for bad options.
   */
  waitAsync(options?: AsyncLockOptions | null): Promise<BarrierWaitResult>;

  /**
   * Starts over: the parties waiting in the current generation wake with
   * {@link errors.BarrierBrokenError}, and a fresh, unbroken generation with
   * nobody arrived begins. Use it to recover from a broken barrier, from
   * one thread, once the parties have stopped waiting: a party that arrives
   * just before the reset gets `BarrierBrokenError`, one that arrives just
   * after counts in the new generation.
   */
  reset(): void;

  /** How many waits complete a generation; set at construction. */
  get parties(): number;

  /** How many parties have arrived in the current generation and wait (from `0` to `parties - 1`). It may change at once. */
  get waiting(): number;

  /** Whether the barrier is broken: `true` from the moment a party gives up until {@link Barrier.reset}. */
  get isBroken(): boolean;
}

// ---------------------------------------------------------------------------
// Latch
// ---------------------------------------------------------------------------

/**
 * A one-shot countdown in shared memory ({@link Latch.byteLength} bytes) that
 * any thread can reopen: it starts at `count`, any thread may count it down,
 * and when it reaches zero every waiter is released, for good. It cannot be
 * reset: make a new Latch for the next round (or use a {@link Barrier}).
 *
 * @example
 * ```js
 * // main.mjs: wait until 3 workers are ready.
 * import { Worker } from 'node:worker_threads';
 * import { Latch } from 'shmkit';
 * const ready = new Latch(3);
 * for (let i = 0; i < 3; i++) new Worker('./worker.js', { workerData: { ready } });
 * await ready.waitAsync({ timeout: 10_000 });
 *
 * // worker.js
 * const { workerData } = require('node:worker_threads');
 * const { attach } = require('shmkit');
 * const { ready } = attach(workerData); // ready is a Latch again
 * setUp();
 * ready.countDown();
 * ```
 */
export declare class Latch {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  /** Bytes a Latch occupies in a `SharedArrayBuffer` (currently 24). */
  static get byteLength(): number;
  /** The `byteOffset` of a Latch must be a multiple of this (8). */
  static get alignment(): number;

  /**
   * Creates a new Latch at `count`: in a new `SharedArrayBuffer` of
   * {@link Latch.byteLength} bytes by default, or at `options.buffer` /
   * `options.byteOffset`. It writes a fresh Latch there, whatever those bytes
   * held: to reopen one, use {@link Latch.from}.
   *
   * @param count Count-downs needed to release the waiters: an integer from
   *   0 to 2147483647. Required. A Latch made with `0` is released from the start.
   * @param options Where to place it; default (also for `null`): its own
   *   new buffer. See {@link PlacementOptions}.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `count` is not a number
   *   (missing included).
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `count` is not an integer
   *   from 0 to 2147483647.
   */
  constructor(count: number, options?: PlacementOptions | null);

  /**
   * Reopens an existing Latch, at whatever count it has reached. `value` is
   * a live Latch (returned as is), the plain object a Latch becomes across
   * threads ({@link Shared}), or any `{ buffer, byteOffset }` where a Latch
   * was constructed. The memory is checked, never initialised.
   *
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the memory
   *   does not hold a Latch, `value.$shmkit` names another class,
   *   `byteOffset` is not a multiple of {@link Latch.alignment}, or the
   *   buffer is too small.
   * @throws {errors.NotSharedError} `ERR_SHMKIT_NOT_SHARED` when `buffer` is
   *   a plain `ArrayBuffer` or a view.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `value` is not an object,
   *   has no `buffer`, or `byteOffset` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `byteOffset` is negative or
   *   not an integer.
   */
  static from(value: Latch | SharedLocation<'Latch'>): Latch;

  /** The class tag, `'Latch'`: survives structured cloning so {@link attach} and {@link Latch.from} recognise the plain object. Own, enumerable, read-only. */
  readonly $shmkit: 'Latch';
  /** The `SharedArrayBuffer` the Latch lives in. Own, enumerable, read-only. */
  readonly buffer: SharedArrayBuffer;
  /** Byte position of the Latch in {@link Latch.buffer}. Own, enumerable, read-only. */
  readonly byteOffset: number;

  /**
   * Counts down by `n`. The count-down that reaches zero releases every
   * waiter, in every thread. Never blocks.
   *
   * @param n How much to count down: an integer from 0 to 2147483647, at
   *   most the remaining {@link Latch.count}. Default: `1`.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `n` would take the count
   *   below zero (counting down a released Latch included); nothing changes
   *   then. Also when `n` is not an integer from 0 to 2147483647.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `n` is not a number
   *   (`null` included).
   */
  countDown(n?: number): void;

  /** What is left to count down; `0` once released. It may change at once. */
  get count(): number;

  /** Whether the count has reached zero. Never blocks. */
  tryWait(): boolean;

  /**
   * Blocks the calling thread (and its event loop) until the count is zero;
   * returns at once if it is.
   *
   * @param options `timeout` in milliseconds; default: no limit.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when `timeout` passed first.
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / {RangeError} `ERR_OUT_OF_RANGE` for bad options.
   */
  wait(options?: LockOptions | null): void;

  /**
   * Resolves once the count is zero (at once if it is), without blocking the
   * thread.
   *
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   * @returns A promise that rejects with {@link errors.TimeoutError}
   *   `ERR_SHMKIT_TIMEOUT`, the signal's `reason`, or `TypeError` /
   *   `RangeError` for bad options.
   */
  waitAsync(options?: AsyncLockOptions | null): Promise<void>;
}

// ---------------------------------------------------------------------------
// Rings: shapes shared by RingBuffer and Queue
// ---------------------------------------------------------------------------

/**
 * The element types a {@link RingBuffer} or {@link Queue} can hold, as the
 * typed arrays that hold them: `Int8Array` … `Float64Array` carry `number`
 * values, `BigInt64Array` and `BigUint64Array` carry `bigint` values, and
 * `Float16Array` carries `number` values where the runtime has it (Node 24
 * and later; see {@link Float16ArrayIfAny}). `DataView` and typed-array
 * subclasses are not supported.
 */
export type TypedArrayType =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array
  | Float16ArrayIfAny;

/**
 * `Float16Array` when the TypeScript library in use declares it (`lib`
 * `esnext` or `es2025`, TypeScript 5.7 and later), else `never`, so that
 * these declarations compile with older libraries too. At run time a ring
 * of `Float16Array` needs a Node.js that has it (24 and later); on an older
 * one, `new RingBuffer(Float16Array, n)` cannot be written, and opening a
 * Float16 ring's memory is `ERR_SHMKIT_BAD_LAYOUT`.
 */
export type Float16ArrayIfAny = typeof globalThis extends { Float16Array: { prototype: infer A } } ? A : never;

/**
 * The value type of one element of `T`: `bigint` for `BigInt64Array` and
 * `BigUint64Array`, `number` for the others (`number | bigint` for the
 * whole {@link TypedArrayType} union).
 */
export type Elem<T extends TypedArrayType> = T extends BigInt64Array | BigUint64Array ? bigint : number;

/**
 * The typed arrays a ring of `T` accepts for batches (`pushMany`, `write`)
 * and fills in batches (`popMany`, `read`): for a `number` ring any of the
 * number typed arrays (the nine, and `Float16Array` where there is one; values are converted as `TypedArray#set`
 * converts them: truncated, wrapped or clamped to the ring's type), for a
 * `bigint` ring a `BigInt64Array` or `BigUint64Array`. Anything else (a
 * `bigint` array for a `number` ring, a `DataView`, a plain array, a
 * `Proxy` of a typed array) is a `TypeError` (`ERR_INVALID_ARG_TYPE`). The
 * kind and length are read from the array itself, not from its properties:
 * a typed array from another realm (a `vm` context) counts, and a subclass
 * or an own `length` accessor cannot change how many values move.
 */
export type BatchOf<T extends TypedArrayType> = T extends BigInt64Array | BigUint64Array
  ? BigInt64Array | BigUint64Array
  : Exclude<TypedArrayType, BigInt64Array | BigUint64Array>;

/**
 * A typed-array constructor producing `T` (`Float64Array` for `T` =
 * `Float64Array`, …): what {@link RingBuffer} and {@link Queue} take as
 * their element `Type`, and what their `Type` getter returns. Only the
 * built-in constructors of {@link TypedArrayType} are accepted at run time,
 * not subclasses.
 */
export interface TypedArrayConstructor<T extends TypedArrayType = TypedArrayType> {
  /** The prototype of the arrays it makes: how the element type is inferred. */
  readonly prototype: T;
  /** Bytes per element: 1, 2, 4 or 8. */
  readonly BYTES_PER_ELEMENT: number;
  /** A new, zero-filled array of `length` elements (e.g. a target for `popMany`). */
  new (length: number): T;
}

/**
 * A zero-copy window into a {@link RingBuffer}, from
 * {@link RingBuffer.writeRegion} (free slots to fill) or
 * {@link RingBuffer.readRegion} (values to read). Use it at once, from the
 * producer (write region) or consumer (read region) thread, and commit it
 * exactly once; do not push (or pop) on that side in between.
 */
export interface RingRegion<T extends TypedArrayType = TypedArrayType> {
  /**
   * One view straight into the ring's memory or, when the region wraps past
   * the end of the ring, two: the first covers the slots up to the end, the
   * second continues at the start. Together they hold {@link RingRegion.length}
   * elements, in order. A region of length 0 has one empty view.
   */
  readonly views: [T] | [T, T];
  /**
   * How many slots the region covers: `n`, or fewer when fewer are free
   * (write) or available (read); `0` when the ring is full (write) or empty (read).
   */
  readonly length: number;
  /**
   * Publishes the first `count` values written into a write region, or
   * frees the first `count` values read from a read region (in view order),
   * and wakes the other side if it sleeps. The rest of the region is
   * dropped: take a new region for it. `commit(0)` just releases the region.
   *
   * @param count An integer from 0 to {@link RingRegion.length}. Default: `length`.
   * @throws {errors.NotOwnerError} `ERR_SHMKIT_NOT_OWNER` when the region was
   *   already committed, or that side of the ring moved since the region was
   *   taken (another push or pop on the same side: two producers or two
   *   consumers); nothing is committed then.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `count` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `count` is not an integer
   *   from 0 to `length`.
   */
  commit(count?: number): void;
}

// ---------------------------------------------------------------------------
// RingBuffer and Queue: their common base
// ---------------------------------------------------------------------------

// RingBuffer and Queue share their blocking, async, batch-waiting and iterator
// forms through an internal base class, TypedRing (lib/ring-common.js). It is
// not exported, at run time or here; it is declared (below) so that those
// members and their docs are written once, and RingBuffer and Queue extend it.

/**
 * What {@link RingBuffer} and {@link Queue} have in common (not exported: the
 * classes are those two): the blocking and `…Async` forms of push and pop,
 * the batch forms that wait ({@link TypedRing.write}, {@link TypedRing.read}),
 * closing, and iteration. They are built on each class's non-blocking
 * {@link TypedRing.tryPush}, {@link TypedRing.tryPop},
 * {@link TypedRing.pushMany} and {@link TypedRing.popMany}.
 *
 * "Producer" and "consumer" below are the roles each class describes: a
 * RingBuffer allows one of each at a time, a Queue any number. A blocking
 * call spins a few microseconds, then sleeps until the other side moves; the
 * `…Async` forms never block the thread.
 *
 * @typeParam T The typed array of the element type, e.g. `Float64Array`.
 */
declare abstract class TypedRing<T extends TypedArrayType> {
  #private;
  protected constructor();

  // The non-blocking operations and the getters each class implements (and
  // documents) for itself, on which the members below are built.

  /** Producer: pushes `value` if there is room: `true`, or `false` when full. Never blocks. */
  abstract tryPush(value: Elem<T>): boolean;
  /** Consumer: removes and returns the oldest value, or `undefined` when empty. Never blocks. */
  abstract tryPop(): Elem<T> | undefined;
  /** Producer: pushes as many of `values` as fit now, in order: how many. Never blocks. */
  abstract pushMany(values: BatchOf<T>): number;
  /** Consumer: pops as many values as are there now, up to `target.length`, into `target`: how many. Never blocks. */
  abstract popMany(target: BatchOf<T>): number;
  /** How many values are in it now (a snapshot). */
  abstract get size(): number;
  /** How many values it holds when full. */
  abstract get capacity(): number;

  /**
   * Producer: pushes `value`, blocking the thread (and its event loop) while
   * full.
   *
   * @param options `timeout` in milliseconds; default: no limit.
   * @throws {errors.ClosedError} `ERR_SHMKIT_CLOSED` when closed, before or
   *   while waiting; nothing was pushed.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when `timeout` passed
   *   first; nothing was pushed.
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` for a `value` of the wrong type
   *   or bad options; {RangeError} `ERR_OUT_OF_RANGE` for a bad `timeout`.
   */
  push(value: Elem<T>, options?: LockOptions | null): void;

  /**
   * Producer: resolves once `value` is pushed, waiting for room without
   * blocking the thread. This object's async pushes and writes are served in
   * the order they were made: a call waits for the earlier ones to settle
   * (its `timeout`, counted from the call, and its `signal` still apply
   * meanwhile).
   *
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   * @returns A promise that rejects with {@link errors.ClosedError}
   *   `ERR_SHMKIT_CLOSED`, {@link errors.TimeoutError} `ERR_SHMKIT_TIMEOUT`,
   *   the signal's `reason` (nothing pushed in each case), or `TypeError` /
   *   `RangeError` for bad arguments.
   */
  pushAsync(value: Elem<T>, options?: AsyncLockOptions | null): Promise<void>;

  /**
   * Consumer: removes and returns the oldest value, blocking the thread (and
   * its event loop) while empty and open.
   *
   * @param options `timeout` in milliseconds; default: no limit.
   * @returns The value, or `undefined` once closed and drained (at once if
   *   it already is).
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when `timeout` passed first.
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / {RangeError} `ERR_OUT_OF_RANGE` for bad options.
   */
  pop(options?: LockOptions | null): Elem<T> | undefined;

  /**
   * Consumer: resolves with the oldest value, removed, waiting without
   * blocking the thread while empty and open. This object's async pops and
   * reads are served in the order they were made (the k-th pending call
   * gets the k-th value); a call waits for the earlier ones to settle, its
   * `timeout` (from the call) and `signal` still applying.
   *
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   * @returns A promise of the value, or of `undefined` once closed and
   *   drained. It rejects with {@link errors.TimeoutError}
   *   `ERR_SHMKIT_TIMEOUT`, the signal's `reason`, or `TypeError` /
   *   `RangeError` for bad options; nothing is popped then.
   */
  popAsync(options?: AsyncLockOptions | null): Promise<Elem<T> | undefined>;

  /**
   * Producer: writes all of `values`, in order, blocking the thread while
   * full. Values are pushed as room appears, so consumers may see the first
   * ones before the call returns (and, in a {@link Queue}, other producers'
   * values may come in between).
   *
   * @param values A typed array of the same kind (see {@link BatchOf}). Its
   *   length is read once, at the call (before the options), from the array
   *   itself (not from a `length` property it may define): a view that
   *   tracks a growable `SharedArrayBuffer` which another thread grows
   *   meanwhile is written to that length.
   * @param options `timeout` in milliseconds, for the whole call; default: no limit.
   * @returns `values.length` (at the call).
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when `timeout` passed
   *   first; its `written` property says how many values (from the start of
   *   `values`) were written (they are not taken back).
   * @throws {errors.ClosedError} `ERR_SHMKIT_CLOSED` when closed, before or
   *   while waiting; its `written` property says how many values were
   *   written first (`0` when it was closed already).
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits (with `written`).
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `values` is not a typed
   *   array of the right kind, or for bad options; {RangeError}
   *   `ERR_OUT_OF_RANGE` for a bad `timeout`; {TypeError}
   *   `ERR_INVALID_ARG_VALUE` with `written` when `values` loses bytes it had
   *   at the call before it is all written (its buffer detached or shrunk,
   *   by an option's getter say).
   */
  write(values: BatchOf<T>, options?: LockOptions | null): number;

  /**
   * Producer: the asynchronous form of {@link TypedRing.write}: writes all of
   * `values` as room appears, without blocking the thread, after this
   * object's earlier async pushes and writes (as {@link TypedRing.pushAsync}).
   *
   * @param values A typed array of the same kind (see {@link BatchOf}).
   *   Do not modify it before the promise settles.
   * @param options `timeout` in milliseconds (for the whole call; default:
   *   no limit) and an abort `signal` (default: none).
   * @returns A promise of `values.length`. When it rejects with
   *   {@link errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` or
   *   {@link errors.ClosedError} `ERR_SHMKIT_CLOSED`, the error's `written`
   *   property says how many values were written (they are not taken back).
   *   When the signal aborts it, it rejects with the signal's `reason`
   *   unmodified (one reason object often serves every call a signal stops),
   *   so it carries no count: the values written until then stay in the
   *   ring. It also rejects with `TypeError` / `RangeError` for bad
   *   arguments, and with a `TypeError` `ERR_INVALID_ARG_VALUE` that carries
   *   `written` when `values` loses its bytes before it is all written (its
   *   buffer transferred or otherwise detached).
   */
  writeAsync(values: BatchOf<T>, options?: AsyncLockOptions | null): Promise<number>;

  /**
   * Consumer: moves at least one value into `target` (as
   * {@link TypedRing.popMany}, up to `target.length`), blocking the thread
   * while empty and open.
   *
   * @param target A typed array of the same kind (see {@link BatchOf}).
   * @param options `timeout` in milliseconds; default: no limit.
   * @returns How many values were read: at least 1, or `0` once closed and
   *   drained (and at once for an empty `target`).
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when `timeout` passed
   *   first; nothing was read.
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `target` is not a typed
   *   array of the right kind, or for bad options; {RangeError}
   *   `ERR_OUT_OF_RANGE` for a bad `timeout`; {TypeError}
   *   `ERR_INVALID_ARG_VALUE` when `target` loses the room it had at the call
   *   (its buffer detached or shrunk, by an option's getter say): nothing is
   *   read then.
   */
  read(target: BatchOf<T>, options?: LockOptions | null): number;

  /**
   * Consumer: the asynchronous form of {@link TypedRing.read}, served after
   * this object's earlier async pops and reads (as {@link TypedRing.popAsync}).
   *
   * @param target A typed array of the same kind (see {@link BatchOf}).
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   * @returns A promise of how many values were read into `target`: at least
   *   1, or `0` once closed and drained (or for an empty `target`). It
   *   rejects with {@link errors.TimeoutError} `ERR_SHMKIT_TIMEOUT`, the
   *   signal's `reason` (nothing read), or `TypeError` / `RangeError` for bad
   *   arguments, or with a `TypeError` `ERR_INVALID_ARG_VALUE` when `target`
   *   loses its room before values come (its buffer transferred or
   *   otherwise detached, or shrunk): nothing is read then.
   */
  readAsync(target: BatchOf<T>, options?: AsyncLockOptions | null): Promise<number>;

  /**
   * Closes the stream, for good, and wakes every waiter on both sides: pushes
   * (waiting ones included) throw {@link errors.ClosedError}
   * `ERR_SHMKIT_CLOSED`; pops drain what is left, then return `undefined`
   * (`read` / `readAsync` return `0`) instead of waiting; iteration ends.
   * Any thread may close; closing again does nothing.
   */
  close(): void;

  /** Whether {@link TypedRing.close} was called, by any thread. */
  get closed(): boolean;

  /** Whether {@link TypedRing.size} is 0 now: nothing to pop (a snapshot). */
  get isEmpty(): boolean;

  /** Whether {@link TypedRing.size} is the capacity now: no room to push (a snapshot). */
  get isFull(): boolean;

  /**
   * Consumer: async iteration (`for await`), as {@link TypedRing.popAsync}
   * in a loop: values, in order, until closed and drained (with several
   * consumers of a {@link Queue}, each value goes to one of them). Never
   * blocks the thread.
   */
  [Symbol.asyncIterator](): AsyncGenerator<Elem<T>, void, unknown>;

  /**
   * Consumer: blocking iteration (`for … of`), as {@link TypedRing.pop} in a
   * loop: values, in order, until closed and drained (with several consumers
   * of a {@link Queue}, each value goes to one of them). It blocks the thread
   * while empty: meant for workers.
   */
  [Symbol.iterator](): Generator<Elem<T>, void, unknown>;

  /**
   * Consumer: the values until closed and drained, as an iterable both ways
   * (see {@link ReceiveIterable}) whose waits take `options`: a `timeout`
   * per value, and a `signal` that aborts a `for await` loop.
   *
   * Errors: bad options throw here, with the codes {@link TypedRing.popAsync}
   * rejects with.
   */
  values(options?: AsyncLockOptions | null): ReceiveIterable<Elem<T>>;
}

// ---------------------------------------------------------------------------
// RingBuffer
// ---------------------------------------------------------------------------

/**
 * A bounded ring of typed values (`number` or `bigint`, per `T`) in shared
 * memory ({@link RingBuffer.byteLengthFor} bytes) that any thread can reopen,
 * for **exactly one producer thread and one consumer thread at a time**.
 * That restriction is what makes it fast: a push or pop is a few atomic
 * loads and one store, with no lock and no compare-and-swap. With two
 * producers (or two consumers) at once, values are silently lost or
 * duplicated; use a {@link Queue} for that. Roles may move to another
 * thread if the hand-over is synchronised (for example under a
 * {@link Mutex}); within its thread, a role may be played by several async
 * tasks.
 *
 * - Producer side: {@link RingBuffer.tryPush}, {@link RingBuffer.push},
 *   {@link RingBuffer.pushAsync}, {@link RingBuffer.pushMany},
 *   {@link RingBuffer.write}, {@link RingBuffer.writeAsync},
 *   {@link RingBuffer.writeRegion}.
 * - Consumer side: {@link RingBuffer.tryPop}, {@link RingBuffer.pop},
 *   {@link RingBuffer.popAsync}, {@link RingBuffer.popMany},
 *   {@link RingBuffer.read}, {@link RingBuffer.readAsync},
 *   {@link RingBuffer.readRegion}, {@link RingBuffer.peek}, and iteration.
 * - Either side, or any thread: {@link RingBuffer.close} and the getters.
 *
 * Values come out in the order they went in. The capacity is rounded up to
 * a power of two (at least 2). A blocking call spins a few microseconds,
 * then sleeps until the other side moves; the `…Async` forms never block
 * the thread.
 *
 * **Closing** ends the stream for good: pushes throw
 * {@link errors.ClosedError} (`ERR_SHMKIT_CLOSED`), including pushes that were
 * waiting for room; pops keep draining what is in the ring, then return
 * `undefined` (batch reads return `0`) instead of waiting, and iteration ends.
 * Close after the last push has returned (and the last write region has
 * been committed): a push or commit racing with `close()`, or a write
 * region committed after it, may land after the consumer has seen the end.
 *
 * Values are stored as the ring's `Type` stores them: pushing `300` into a
 * `Uint8Array` ring pops `44`.
 *
 * @typeParam T The typed array of the element type, e.g. `Float64Array`;
 *   inferred from the constructor's `Type` argument.
 *
 * @example
 * ```js
 * // main.mjs: a worker produces samples, the main thread consumes them.
 * import { Worker } from 'node:worker_threads';
 * import { RingBuffer } from 'shmkit';
 * const samples = new RingBuffer(Float64Array, 4096); // RingBuffer<Float64Array>
 * new Worker('./worker.js', { workerData: { samples } });
 * for await (const x of samples) console.log(x.toFixed(2)); // ends when the worker closes it
 *
 * // worker.js (the only producer)
 * const { workerData } = require('node:worker_threads');
 * const { attach } = require('shmkit');
 * const { samples } = attach(workerData); // a RingBuffer again
 * for (let i = 0; i < 1e6; i++) samples.push(Math.sin(i / 100)); // blocks while full
 * samples.write(new Float64Array([1, 2, 3])); // a batch
 * samples.close();
 * ```
 */
export declare class RingBuffer<T extends TypedArrayType = TypedArrayType> extends TypedRing<T> {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  /**
   * Bytes a RingBuffer of `capacity` elements of `Type` occupies in a
   * `SharedArrayBuffer`: currently 256 plus the (rounded-up) capacity times
   * `Type.BYTES_PER_ELEMENT`, rounded up to 8. Reserve this many when
   * placing it in a buffer of your own.
   *
   * @param Type The element type, as for the constructor.
   * @param capacity An integer from 1 to 67108864 (2^26); rounded up to a power of two.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `Type` is not one of the
   *   typed-array constructors of {@link TypedArrayType}, or `capacity` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `capacity` is not an integer
   *   from 1 to 67108864.
   */
  static byteLengthFor(Type: TypedArrayConstructor, capacity: number): number;
  /** The `byteOffset` of a RingBuffer must be a multiple of this (8). */
  static get alignment(): number;

  /**
   * Creates a new, empty, open RingBuffer: in a new `SharedArrayBuffer` of
   * {@link RingBuffer.byteLengthFor}`(Type, capacity)` bytes by default, or
   * at `options.buffer` / `options.byteOffset`. It writes a fresh ring there,
   * whatever those bytes held: to reopen one, use {@link RingBuffer.from}.
   *
   * @param Type The element type: `Int8Array`, `Uint8Array`,
   *   `Uint8ClampedArray`, `Int16Array`, `Uint16Array`, `Int32Array`,
   *   `Uint32Array`, `Float32Array`, `Float64Array`, `Float16Array` (Node
   *   24 and later) (`number` values), `BigInt64Array` or `BigUint64Array`
   *   (`bigint` values).
   * @param capacity How many values it holds at least: an integer from 1 to
   *   67108864 (2^26), rounded up to a power of two (at least 2); see
   *   {@link RingBuffer.capacity}.
   * @param options Where to place it; default (also for `null`): its own
   *   new buffer. See {@link PlacementOptions} for the errors a bad
   *   placement throws.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `Type` is not one of those
   *   constructors, or `capacity` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `capacity` is not an integer
   *   from 1 to 67108864.
   *
   * @example
   * ```ts
   * const ring = new RingBuffer(Int16Array, 1000); // RingBuffer<Int16Array>, capacity 1024
   * const big = new RingBuffer(BigUint64Array, 64); // values are bigints
   * ```
   */
  constructor(Type: TypedArrayConstructor<T>, capacity: number, options?: PlacementOptions | null);

  /**
   * Reopens an existing RingBuffer (its element type and capacity are read
   * from the memory). `value` is a live RingBuffer (returned as is), the
   * plain object a RingBuffer becomes across threads ({@link Shared}), or
   * any `{ buffer, byteOffset }` where a RingBuffer was constructed. The
   * memory is checked, never initialised.
   *
   * The element type cannot be known statically from a {@link Shared}: it is
   * `number | bigint` unless you name it, as in
   * `RingBuffer.from<Float64Array>(shared)`, which is a claim the compiler
   * does not check ({@link RingBuffer.Type} tells the truth at run time).
   *
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the memory
   *   does not hold a RingBuffer (a {@link Queue} included), `value.$shmkit`
   *   names another class, `byteOffset` is not a multiple of
   *   {@link RingBuffer.alignment}, or the buffer is too small.
   * @throws {errors.NotSharedError} `ERR_SHMKIT_NOT_SHARED` when `buffer` is
   *   a plain `ArrayBuffer` or a view.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `value` is not an object,
   *   has no `buffer`, or `byteOffset` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `byteOffset` is negative or
   *   not an integer.
   */
  static from<T extends TypedArrayType = TypedArrayType>(
    value: RingBuffer<T> | SharedLocation<'RingBuffer'>,
  ): RingBuffer<T>;

  /** The class tag, `'RingBuffer'`: survives structured cloning so {@link attach} and {@link RingBuffer.from} recognise the plain object. Own, enumerable, read-only. */
  readonly $shmkit: 'RingBuffer';
  /** The `SharedArrayBuffer` the RingBuffer lives in. Own, enumerable, read-only. */
  readonly buffer: SharedArrayBuffer;
  /** Byte position of the RingBuffer in {@link RingBuffer.buffer}. Own, enumerable, read-only. */
  readonly byteOffset: number;

  /**
   * Producer: pushes `value` if there is room. Never blocks. In a polling
   * loop (a miss within ~2 µs of this object's previous miss), a full ring
   * makes it pause about 0.6 µs before returning `false`, so the loop leaves
   * the consumer's cache line alone; an occasional call returns at once.
   *
   * @returns `true` when pushed, `false` when the ring is full.
   * @throws {errors.ClosedError} `ERR_SHMKIT_CLOSED` when the ring is closed.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `value` is not a
   *   `number` (a `bigint` for a `BigInt64Array` / `BigUint64Array` ring).
   */
  tryPush(value: Elem<T>): boolean;

  /**
   * Consumer: removes and returns the oldest value. Never blocks (in a
   * polling loop an empty ring makes it pause about 0.6 µs before returning
   * `undefined`, as {@link RingBuffer.tryPush} does when full); a closed ring
   * still drains.
   *
   * @returns The value, or `undefined` when the ring is empty.
   */
  tryPop(): Elem<T> | undefined;

  /**
   * Consumer: the oldest value, without removing it. Never blocks (in a
   * polling loop an empty ring pauses it, as {@link RingBuffer.tryPop}).
   * Only the consumer thread gets a reliable answer: elsewhere the value may
   * be popped, and its slot reused, at any moment.
   *
   * @returns The value, or `undefined` when the ring is empty.
   */
  peek(): Elem<T> | undefined;

  /**
   * Producer: copies as many of `values` as fit now (from the start, in
   * order) into the ring, at once. Never blocks (in a polling loop a full
   * ring pauses it, as {@link RingBuffer.tryPush}).
   *
   * @param values A typed array of the same kind (see {@link BatchOf}).
   * @returns How many were pushed: from 0 to `values.length`.
   * @throws {errors.ClosedError} `ERR_SHMKIT_CLOSED` when the ring is closed
   *   (even for an empty `values`).
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `values` is not a typed
   *   array of the right kind.
   */
  pushMany(values: BatchOf<T>): number;

  /**
   * Consumer: moves as many values as are there now, up to
   * `target.length`, into the start of `target`, oldest first. Never blocks
   * (in a polling loop an empty ring pauses it, as
   * {@link RingBuffer.tryPop}); a closed ring still drains.
   *
   * @param target A typed array of the same kind (see {@link BatchOf}).
   * @returns How many were popped: from 0 to `target.length`.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `target` is not a typed
   *   array of the right kind.
   */
  popMany(target: BatchOf<T>): number;

  /**
   * Producer: zero-copy write. Returns up to `n` free slots as one or two
   * views straight into the ring; fill them (in view order), then
   * {@link RingRegion.commit}`(count)` publishes the first `count` values.
   * Nothing is visible to the consumer before the commit. Never blocks.
   *
   * @param n The most slots wanted: an integer from 0 to {@link RingBuffer.capacity}.
   * @returns The region; its `length` is less than `n` when fewer slots are
   *   free (`0` when the ring is full).
   * @throws {errors.ClosedError} `ERR_SHMKIT_CLOSED` when the ring is closed.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `n` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `n` is not an integer from 0
   *   to the capacity.
   *
   * @example
   * ```ts
   * const region = ring.writeRegion(256);
   * let k = 0;
   * for (const view of region.views) for (let i = 0; i < view.length; i++) view[i] = next(k++);
   * region.commit(k);
   * ```
   */
  writeRegion(n: number): RingRegion<T>;

  /**
   * Consumer: zero-copy read. Returns up to `n` available values as one or
   * two views straight into the ring (oldest first); read them, then
   * {@link RingRegion.commit}`(count)` frees the first `count`. Never blocks;
   * works on a closed ring too. The views are only valid until the commit:
   * after it the producer may overwrite those slots.
   *
   * @param n The most values wanted: an integer from 0 to {@link RingBuffer.capacity}.
   * @returns The region; its `length` is less than `n` when fewer values
   *   are there (`0` when the ring is empty).
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `n` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `n` is not an integer from 0
   *   to the capacity.
   */
  readRegion(n: number): RingRegion<T>;

  /** How many values are in the ring now, from 0 to {@link RingBuffer.capacity}. It may change at once. */
  get size(): number;

  /** How many values the ring holds when full: the constructor's `capacity` rounded up to a power of two (at least 2). */
  get capacity(): number;

  /** The element type, e.g. `Float64Array` (the constructor itself). */
  get Type(): TypedArrayConstructor<T>;
}

// ---------------------------------------------------------------------------
// Queue
// ---------------------------------------------------------------------------

/**
 * A bounded queue of typed values (`number` or `bigint`, per `T`) in shared
 * memory ({@link Queue.byteLengthFor} bytes) that any thread can reopen, for
 * **any number of producer and consumer threads**: every value pushed is
 * popped exactly once, by one consumer. Values come out in the order their
 * pushes took effect. It is lock-free (a compare-and-swap per push or pop,
 * the design of crossbeam's `ArrayQueue`); for one producer and one consumer
 * a {@link RingBuffer} is faster.
 *
 * The capacity is rounded up to a power of two (at least 2). Blocking calls
 * spin briefly, then sleep until the other side moves; the `…Async` forms
 * never block the thread. Sizes and `peek` are snapshots that other threads
 * may change at once.
 *
 * A worker terminated in the middle of a push or pop does not wedge it: the
 * next thread stuck at that slot (after its retries, a few milliseconds)
 * finishes the step, so a push cut short is delivered and a pop cut short
 * loses its value with its thread.
 *
 * **Closing** ends the stream for good: pushes throw
 * {@link errors.ClosedError} (`ERR_SHMKIT_CLOSED`), including waiting ones;
 * pops keep draining, then return `undefined` (batch reads `0`) instead of
 * waiting, and iteration ends. Close once every producer is done: a value
 * whose push races with `close()` may be left in the queue after consumers
 * have seen the end.
 *
 * @typeParam T The typed array of the element type, e.g. `Int32Array`;
 *   inferred from the constructor's `Type` argument.
 *
 * @example
 * ```js
 * // main.mjs: 4 workers share one queue of job ids.
 * import { Worker } from 'node:worker_threads';
 * import { Queue } from 'shmkit';
 * const jobs = new Queue(Int32Array, 256); // Queue<Int32Array>
 * for (let i = 0; i < 4; i++) new Worker('./worker.js', { workerData: { jobs } });
 * for (let id = 0; id < 10_000; id++) await jobs.pushAsync(id); // waits while full
 * jobs.close(); // workers finish what is queued, then their loops end
 *
 * // worker.js
 * const { workerData } = require('node:worker_threads');
 * const { attach } = require('shmkit');
 * const { jobs } = attach(workerData); // a Queue again
 * for (const id of jobs) run(id); // each id reaches exactly one worker
 * ```
 */
export declare class Queue<T extends TypedArrayType = TypedArrayType> extends TypedRing<T> {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  /**
   * Bytes a Queue of `capacity` elements of `Type` occupies in a
   * `SharedArrayBuffer`: currently 256, plus 4 per slot (rounded up to 8),
   * plus the slots (rounded up to 8), for the rounded-up capacity.
   *
   * @param Type The element type, as for the constructor.
   * @param capacity An integer from 1 to 67108864 (2^26); rounded up to a power of two.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `Type` is not one of the
   *   typed-array constructors of {@link TypedArrayType}, or `capacity` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `capacity` is not an integer
   *   from 1 to 67108864.
   */
  static byteLengthFor(Type: TypedArrayConstructor, capacity: number): number;
  /** The `byteOffset` of a Queue must be a multiple of this (8). */
  static get alignment(): number;

  /**
   * Creates a new, empty, open Queue: in a new `SharedArrayBuffer` of
   * {@link Queue.byteLengthFor}`(Type, capacity)` bytes by default, or at
   * `options.buffer` / `options.byteOffset`. It writes a fresh queue there,
   * whatever those bytes held: to reopen one, use {@link Queue.from}.
   *
   * @param Type The element type: one of the typed-array constructors
   *   of {@link TypedArrayType}, as for {@link RingBuffer}.
   * @param capacity How many values it holds at least: an integer from 1 to
   *   67108864 (2^26), rounded up to a power of two (at least 2).
   * @param options Where to place it; default (also for `null`): its own
   *   new buffer. See {@link PlacementOptions}.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `Type` is not one of those
   *   constructors, or `capacity` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `capacity` is not an integer
   *   from 1 to 67108864.
   */
  constructor(Type: TypedArrayConstructor<T>, capacity: number, options?: PlacementOptions | null);

  /**
   * Reopens an existing Queue (element type and capacity are read from the
   * memory). `value` is a live Queue (returned as is), the plain object a
   * Queue becomes across threads ({@link Shared}), or any
   * `{ buffer, byteOffset }` where a Queue was constructed. The memory is
   * checked, never initialised. As for {@link RingBuffer.from}, the element
   * type of a {@link Shared} is `number | bigint` unless you name it
   * (`Queue.from<Int32Array>(shared)`, unchecked).
   *
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the memory
   *   does not hold a Queue (a {@link RingBuffer} included), `value.$shmkit`
   *   names another class, `byteOffset` is not a multiple of
   *   {@link Queue.alignment}, or the buffer is too small.
   * @throws {errors.NotSharedError} `ERR_SHMKIT_NOT_SHARED` when `buffer` is
   *   a plain `ArrayBuffer` or a view.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `value` is not an object,
   *   has no `buffer`, or `byteOffset` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `byteOffset` is negative or
   *   not an integer.
   */
  static from<T extends TypedArrayType = TypedArrayType>(value: Queue<T> | SharedLocation<'Queue'>): Queue<T>;

  /** The class tag, `'Queue'`: survives structured cloning so {@link attach} and {@link Queue.from} recognise the plain object. Own, enumerable, read-only. */
  readonly $shmkit: 'Queue';
  /** The `SharedArrayBuffer` the Queue lives in. Own, enumerable, read-only. */
  readonly buffer: SharedArrayBuffer;
  /** Byte position of the Queue in {@link Queue.buffer}. Own, enumerable, read-only. */
  readonly byteOffset: number;

  /**
   * Pushes `value` if there is room. Never blocks.
   *
   * @returns `true` when pushed, `false` when the queue is full.
   * @throws {errors.ClosedError} `ERR_SHMKIT_CLOSED` when the queue is closed.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `value` is not a
   *   `number` (a `bigint` for a `BigInt64Array` / `BigUint64Array` queue).
   */
  tryPush(value: Elem<T>): boolean;

  /**
   * Removes and returns the oldest value. Never blocks; a closed queue still
   * drains.
   *
   * @returns The value, or `undefined` when the queue is empty.
   */
  tryPop(): Elem<T> | undefined;

  /**
   * The oldest value, without removing it: a snapshot, which another
   * consumer may pop at once. Never blocks.
   *
   * @returns The value, or `undefined` when the queue is empty.
   */
  peek(): Elem<T> | undefined;

  /**
   * Pushes as many of `values` as fit now, from the start, in order (one
   * value at a time: other producers' values may come in between). Never
   * blocks.
   *
   * @param values A typed array of the same kind (see {@link BatchOf}).
   * @returns How many were pushed: from 0 to `values.length`.
   * @throws {errors.ClosedError} `ERR_SHMKIT_CLOSED` when the queue is closed
   *   (even for an empty `values`).
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `values` is not a typed
   *   array of the right kind.
   */
  pushMany(values: BatchOf<T>): number;

  /**
   * Pops as many values as are there now, up to `target.length`, into the
   * start of `target`, oldest first (other consumers may take values in
   * between). Never blocks; a closed queue still drains.
   *
   * @param target A typed array of the same kind (see {@link BatchOf}).
   * @returns How many were popped: from 0 to `target.length`.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `target` is not a typed
   *   array of the right kind.
   */
  popMany(target: BatchOf<T>): number;

  /** How many values are in the queue now, from 0 to {@link Queue.capacity} (a snapshot). */
  get size(): number;

  /** How many values the queue holds when full: the constructor's `capacity` rounded up to a power of two (at least 2). */
  get capacity(): number;

  /** The element type, e.g. `Int32Array` (the constructor itself). */
  get Type(): TypedArrayConstructor<T>;
}

// ---------------------------------------------------------------------------
// Channel
// ---------------------------------------------------------------------------

/**
 * Options of `new Channel(options)`: its byte capacity, and where it is placed.
 */
export interface ChannelOptions extends PlacementOptions {
  /**
   * Size of the channel's byte ring: an integer from 1 to 1073741824 (2^30),
   * rounded up to a power of two, at least 64. Default: 65536. Each message
   * takes 4 bytes plus its length rounded up to 4, so one message can be at
   * most `byteCapacity - 4` bytes.
   *
   * Not a number: `TypeError` (`ERR_INVALID_ARG_TYPE`); out of range or not
   * an integer: `RangeError` (`ERR_OUT_OF_RANGE`).
   */
  byteCapacity?: number | undefined;
}

/**
 * What {@link Channel.send} and co. take: bytes (a `Uint8Array`, or any
 * typed array or `DataView`, of this realm or another, whose bytes are
 * sent) or a string (sent as UTF-8). A `Proxy` of a view is not one.
 *
 * A view of a detached buffer (or one now out of the bounds of a resizable
 * buffer that shrank) holds no bytes: a sync send of it sends an empty
 * message. Every send measures its message before it reads its options: one
 * that an options getter detaches or shrinks is a `TypeError`
 * (`ERR_INVALID_ARG_VALUE`) and is not sent; one that grows is sent at its
 * length before. An async send copies the bytes when its turn comes, not at the
 * call, and sends the bytes the view held at the call: if its buffer was
 * detached (transferred, say) or shrunk meanwhile, the send rejects with
 * `ERR_INVALID_ARG_VALUE` and sends nothing; a view that tracks a buffer
 * which grew meanwhile is sent at its length at the call. A message of a
 * sync send over a growable `SharedArrayBuffer` must not grow while it is
 * being sent: the copy could then run past the message's place in the ring
 * and spoil messages not yet received (nothing outside the channel's memory).
 */
export type ChannelMessage = ArrayBufferView | string;

/**
 * A channel of variable-length byte messages in shared memory
 * ({@link Channel.byteLengthFor} bytes) that any thread can reopen, for
 * **any number of senders and receivers**. Each message is delivered whole,
 * exactly once, to one receiver: messages never tear or interleave, and
 * those of one sender arrive in the order sent (a thread's pending async
 * sends through one object included: they are served in call order). Messages are copied in and
 * out; a received message is a fresh `Uint8Array` of its own.
 *
 * Strings are sent as UTF-8 (decode with `TextDecoder`), and
 * {@link Channel.sendValue} / {@link Channel.recvValue} carry any
 * structured-cloneable value (serialised with `node:v8`) that holds no
 * shared memory: `v8.serialize` cannot clone a `SharedArrayBuffer`, so a
 * value holding one, or a shmkit object, travels in `workerData` or a
 * `postMessage` instead. A message can be at
 * most {@link Channel.byteCapacity}` - 4` bytes; a longer one is a
 * `RangeError` (`ERR_OUT_OF_RANGE`).
 *
 * Senders take turns through an internal lock, and so do receivers: a
 * blocked `send` (or a pending `sendAsync`) holds up the senders behind it,
 * in every thread. A thread that dies holding such a lock does not break
 * the channel. On one thread, a sync `send` while a `sendAsync` of that
 * thread is pending throws {@link errors.DeadlockError}, and likewise for
 * `recv` while `recvAsync` (or a `for await` loop) is pending.
 *
 * **Closing** ends the stream for good: sends throw
 * {@link errors.ClosedError} (`ERR_SHMKIT_CLOSED`), including waiting ones;
 * receives keep draining, then return `undefined` instead of waiting, and
 * iteration ends.
 *
 * @example
 * ```js
 * // main.mjs: workers report results as JS values.
 * import { Worker } from 'node:worker_threads';
 * import { Channel } from 'shmkit';
 * const results = new Channel({ byteCapacity: 1 << 20 });
 * new Worker('./worker.js', { workerData: { results } });
 * const first = await results.recvValueAsync({ timeout: 5000 }); // { id: 1, ok: true }
 * for await (const bytes of results) console.log(new TextDecoder().decode(bytes));
 *
 * // worker.js
 * const { workerData } = require('node:worker_threads');
 * const { attach } = require('shmkit');
 * const { results } = attach(workerData); // a Channel again
 * results.sendValue({ id: 1, ok: true });
 * results.send('done'); // UTF-8 bytes
 * results.close(); // the main thread's loop ends once it has read 'done'
 * ```
 */
export declare class Channel {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  /**
   * Bytes a Channel of `byteCapacity` occupies in a `SharedArrayBuffer`:
   * currently 256 plus the capacity rounded up as by the constructor.
   *
   * @param byteCapacity An integer from 1 to 1073741824 (2^30); required here (no default).
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `byteCapacity` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when it is not an integer from 1 to 2^30.
   */
  static byteLengthFor(byteCapacity: number): number;
  /** The `byteOffset` of a Channel must be a multiple of this (8). */
  static get alignment(): number;

  /**
   * Creates a new, empty, open Channel: in a new `SharedArrayBuffer` of
   * {@link Channel.byteLengthFor}`(byteCapacity)` bytes by default, or at
   * `options.buffer` / `options.byteOffset`. It writes a fresh channel
   * there, whatever those bytes held: to reopen one, use {@link Channel.from}.
   *
   * @param options `byteCapacity` (default 65536) and the placement
   *   (default: its own new buffer; see {@link PlacementOptions}).
   *   `undefined` and `null` mean all defaults.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `options` is neither an
   *   object nor `undefined` / `null`, or `byteCapacity` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `byteCapacity` is not an
   *   integer from 1 to 1073741824.
   */
  constructor(options?: ChannelOptions | null);

  /**
   * Reopens an existing Channel (its capacity is read from the memory).
   * `value` is a live Channel (returned as is), the plain object a Channel
   * becomes across threads ({@link Shared}), or any `{ buffer, byteOffset }`
   * where a Channel was constructed. The memory is checked, never initialised.
   *
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the memory
   *   does not hold a Channel, `value.$shmkit` names another class,
   *   `byteOffset` is not a multiple of {@link Channel.alignment}, or the
   *   buffer is too small.
   * @throws {errors.NotSharedError} `ERR_SHMKIT_NOT_SHARED` when `buffer` is
   *   a plain `ArrayBuffer` or a view.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `value` is not an object,
   *   has no `buffer`, or `byteOffset` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `byteOffset` is negative or
   *   not an integer.
   */
  static from(value: Channel | SharedLocation<'Channel'>): Channel;

  /** The class tag, `'Channel'`: survives structured cloning so {@link attach} and {@link Channel.from} recognise the plain object. Own, enumerable, read-only. */
  readonly $shmkit: 'Channel';
  /** The `SharedArrayBuffer` the Channel lives in. Own, enumerable, read-only. */
  readonly buffer: SharedArrayBuffer;
  /** Byte position of the Channel in {@link Channel.buffer}. Own, enumerable, read-only. */
  readonly byteOffset: number;

  /**
   * Sends `message` if that needs no waiting. Never blocks.
   *
   * @param message Bytes (any `ArrayBufferView`) or a string (UTF-8).
   * @returns `true` when sent; `false` when there is no room for it now, or
   *   another sender holds the send lock (a pending `sendAsync` of this
   *   thread included).
   * @throws {errors.ClosedError} `ERR_SHMKIT_CLOSED` when the channel is closed.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when the message is longer than
   *   `byteCapacity - 4` bytes.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `message` is neither an
   *   `ArrayBufferView` nor a string.
   */
  trySend(message: ChannelMessage): boolean;

  /**
   * Sends `message`, blocking the thread (and its event loop) while another
   * sender goes first or there is no room for it.
   *
   * @param message Bytes (any `ArrayBufferView`) or a string (UTF-8).
   * @param options `timeout` in milliseconds, for the whole call; default: no limit.
   * @throws {errors.ClosedError} `ERR_SHMKIT_CLOSED` when the channel is
   *   closed, before or while waiting; nothing was sent.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when `timeout` passed
   *   first; nothing was sent.
   * @throws {errors.DeadlockError} `ERR_SHMKIT_DEADLOCK` when a `sendAsync`
   *   of this thread is pending (it holds the send lock), this thread
   *   holds a claimed {@link ChannelSender} of this channel, or waiting would
   *   close a cycle of threads blocked on locks.
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when the message is longer than
   *   `byteCapacity - 4` bytes, or for a bad `timeout`.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` for a bad `message` or options.
   */
  send(message: ChannelMessage, options?: LockOptions | null): void;

  /**
   * Resolves once `message` is sent, waiting (for the other senders, and for
   * room) without blocking the thread. This object's async sends are served
   * in the order they were made, so they arrive in that order: a call waits
   * for the earlier ones to settle (its `timeout`, counted from the call,
   * and its `signal` still apply meanwhile).
   *
   * @param message Bytes (any `ArrayBufferView`) or a string (UTF-8). Bytes
   *   are copied into the channel only once there is room: do not modify
   *   them before the promise settles.
   * @param options `timeout` in milliseconds (for the whole call; default:
   *   no limit) and an abort `signal` (default: none).
   * @returns A promise that rejects with {@link errors.ClosedError}
   *   `ERR_SHMKIT_CLOSED`, {@link errors.TimeoutError} `ERR_SHMKIT_TIMEOUT`,
   *   the signal's `reason` (nothing sent in each case), or `TypeError` /
   *   `RangeError` for a bad or too long message or bad options
   *   (`ERR_INVALID_ARG_VALUE` when the message lost bytes before its turn:
   *   see {@link ChannelMessage}).
   */
  sendAsync(message: ChannelMessage, options?: AsyncLockOptions | null): Promise<void>;

  /**
   * Receives a message if that needs no waiting. Never blocks; a closed
   * channel still drains.
   *
   * @returns The message, as a fresh `Uint8Array`; `undefined` when there is
   *   none now, or another receiver holds the receive lock (a pending
   *   `recvAsync` of this thread included).
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the shared
   *   memory holds a corrupted message length.
   */
  tryRecv(): Uint8Array | undefined;

  /**
   * Receives the next message, blocking the thread (and its event loop)
   * while another receiver goes first or the channel is empty and open.
   *
   * @param options `timeout` in milliseconds, for the whole call; default: no limit.
   * @returns The message, as a fresh `Uint8Array`, or `undefined` once the
   *   channel is closed and drained.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when `timeout` passed first.
   * @throws {errors.DeadlockError} `ERR_SHMKIT_DEADLOCK` when a `recvAsync`
   *   of this thread is pending (it holds the receive lock), this thread
   *   holds a claimed {@link ChannelReceiver} of this channel, or waiting
   *   would close a cycle of threads blocked on locks (once the channel is
   *   closed and drained it returns `undefined` instead: there is nothing
   *   left to wait for).
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits.
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` for a corrupted
   *   message length in shared memory.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / {RangeError} `ERR_OUT_OF_RANGE` for bad options.
   */
  recv(options?: LockOptions | null): Uint8Array | undefined;

  /**
   * Resolves with the next message, waiting without blocking the thread.
   * This object's async receives ({@link Channel.recvAsync},
   * {@link Channel.recvIntoAsync}, {@link Channel.recvValueAsync}) are served
   * in the order they were made: the k-th pending call gets the k-th message.
   *
   * @param options `timeout` in milliseconds (for the whole call; default:
   *   no limit) and an abort `signal` (default: none).
   * @returns A promise of the message (a fresh `Uint8Array`), or of
   *   `undefined` once the channel is closed and drained. It rejects with
   *   {@link errors.TimeoutError} `ERR_SHMKIT_TIMEOUT`, the signal's
   *   `reason` (nothing received), {@link errors.BadLayoutError}, or
   *   `TypeError` / `RangeError` for bad options.
   */
  recvAsync(options?: AsyncLockOptions | null): Promise<Uint8Array | undefined>;

  /**
   * Receives a message if that needs no waiting, as {@link Channel.tryRecv},
   * copying it to the start of `target` instead of allocating an array.
   *
   * A fresh `Uint8Array` of more than 64 bytes is an allocation outside V8's
   * heap, which costs far more than the copy (0.3–1.3 µs here, against
   * well under 0.1 µs for a 64-byte one): a receiver of larger messages that
   * handles each before the next can reuse one target of
   * `byteCapacity - 4` bytes and go several times faster.
   *
   * @param target Any ArrayBuffer view (its bytes, from `byteOffset`); a
   *   view of a detached buffer holds no bytes. It must not overlap the
   *   channel's own memory.
   * @returns The message's length in bytes (the bytes past it are left
   *   alone); `undefined` when there is none now, or another receiver holds
   *   the receive lock (a pending `recvAsync` of this thread included).
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when the message is longer than
   *   `target`: the message stays in the channel, for the next receive, and
   *   the error's `messageLength` says how long it is.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `target` is not an
   *   ArrayBuffer view.
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the shared
   *   memory holds a corrupted message length.
   */
  tryRecvInto(target: ArrayBufferView): number | undefined;

  /**
   * Receives the next message into `target`, blocking as
   * {@link Channel.recv} does; see {@link Channel.tryRecvInto}.
   *
   * @param options `timeout` in milliseconds, for the whole call; default: no limit.
   * @returns The message's length in bytes, or `undefined` once the channel
   *   is closed and drained.
   * @throws What {@link Channel.recv} throws, and `ERR_OUT_OF_RANGE` /
   *   `ERR_INVALID_ARG_TYPE` as {@link Channel.tryRecvInto} (a message
   *   longer than `target` stays in the channel).
   */
  recvInto(target: ArrayBufferView, options?: LockOptions | null): number | undefined;

  /**
   * Resolves once the next message is copied into `target`, waiting as
   * {@link Channel.recvAsync} does; see {@link Channel.tryRecvInto}. The
   * target's length is read when the message is there (a target detached
   * meanwhile holds nothing).
   *
   * @param options `timeout` in milliseconds (for the whole call; default:
   *   no limit) and an abort `signal` (default: none).
   * @returns A promise of the message's length in bytes, or of `undefined`
   *   once the channel is closed and drained. It rejects as
   *   {@link Channel.recvAsync} does, or with `ERR_OUT_OF_RANGE` (the
   *   message stays in the channel). A `target` that is not an ArrayBuffer
   *   view rejects with `ERR_INVALID_ARG_TYPE`.
   */
  recvIntoAsync(target: ArrayBufferView, options?: AsyncLockOptions | null): Promise<number | undefined>;

  /**
   * Sends any structured-cloneable value (`v8.serialize`), blocking as
   * {@link Channel.send} does. Receive it with a `recvValue…` method.
   *
   * A value sent as `undefined` is received as `undefined`, which a
   * `recvValue…` caller cannot tell from the end of the stream (send `null`
   * instead); a {@link Channel.values} loop can, and yields it.
   *
   * The serialization costs more than the channel: `v8.serialize` and
   * `v8.deserialize` take longer per small object than `postMessage` does
   * with the same object (see the README). Where the rate matters, send
   * bytes or strings (JSON, for example).
   *
   * @param options `timeout` in milliseconds; default: no limit.
   * @throws What {@link Channel.send} throws (a serialised value longer than
   *   `byteCapacity - 4` bytes is `ERR_OUT_OF_RANGE`, naming the serialised
   *   size); a `TypeError` `ERR_INVALID_ARG_VALUE` for a value that cannot be
   *   serialised (a function, a symbol, or a `SharedArrayBuffer`, so any
   *   shmkit object; a `MessagePort`, or a view of a detached buffer, for
   *   example; `v8.serialize`'s own error is its `cause`); and
   *   what a getter of the value throws while it is read.
   */
  sendValue(value: unknown, options?: LockOptions | null): void;

  /**
   * Sends a structured-cloneable value if that needs no waiting, as
   * {@link Channel.trySend}.
   *
   * @returns `true` when sent, `false` when not (no room, or the send lock is busy).
   * @throws What {@link Channel.trySend} throws, and what
   *   {@link Channel.sendValue} throws for a value that cannot be serialised.
   */
  trySendValue(value: unknown): boolean;

  /**
   * Resolves once the value is sent, as {@link Channel.sendAsync}.
   *
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   * @returns A promise that rejects as {@link Channel.sendAsync} does, or
   *   as {@link Channel.sendValue} throws for a value that cannot be serialised.
   */
  sendValueAsync(value: unknown, options?: AsyncLockOptions | null): Promise<void>;

  /**
   * Receives the next message, as {@link Channel.recv}, and deserialises it
   * (`v8.deserialize`).
   *
   * @param options `timeout` in milliseconds; default: no limit.
   * @returns The value, or `undefined` once the channel is closed and
   *   drained (or when `undefined` was sent).
   * @throws What {@link Channel.recv} throws, and {@link errors.BadValueError}
   *   `ERR_SHMKIT_BAD_VALUE` for a message that `v8.deserialize` cannot read
   *   (not sent as a value): the message is taken, and is the error's `bytes`.
   */
  recvValue(options?: LockOptions | null): unknown;

  /**
   * Receives and deserialises a value if that needs no waiting, as
   * {@link Channel.tryRecv}.
   *
   * @returns The value, or `undefined` when there is none now (or the
   *   receive lock is busy).
   * @throws What {@link Channel.tryRecv} throws, and `ERR_SHMKIT_BAD_VALUE`
   *   as {@link Channel.recvValue} for a message that was not sent as a value.
   */
  tryRecvValue(): unknown;

  /**
   * Resolves with the next value, as {@link Channel.recvAsync}, deserialised.
   *
   * @param options `timeout` in milliseconds (default: no limit) and an
   *   abort `signal` (default: none).
   * @returns A promise of the value, or of `undefined` once the channel is
   *   closed and drained; it rejects as {@link Channel.recvAsync} does, or
   *   with `ERR_SHMKIT_BAD_VALUE` as {@link Channel.recvValue}.
   */
  recvValueAsync(options?: AsyncLockOptions | null): Promise<unknown>;

  /**
   * Closes the channel, for good, and wakes every waiter: sends (waiting
   * ones included) throw {@link errors.ClosedError} `ERR_SHMKIT_CLOSED`;
   * receives drain what is left, then return `undefined` instead of waiting;
   * iteration ends. A send that close() overtakes while it is copying its
   * message in throws too, and that message is never delivered: every send
   * that returned is received before the end. Any thread may close; closing
   * again does nothing.
   */
  close(): void;

  /** Whether {@link Channel.close} was called, by any thread. */
  get closed(): boolean;

  /**
   * Bytes in use now: the queued messages with their 4-byte length headers
   * and padding to 4, from 0 to {@link Channel.byteCapacity}. It may change at once.
   */
  get byteSize(): number;

  /**
   * The size of the byte ring: `options.byteCapacity` rounded up to a power
   * of two (at least 64). One message can be at most `byteCapacity - 4` bytes.
   */
  get byteCapacity(): number;

  /**
   * Async iteration (`for await`), as {@link Channel.recvAsync} in a loop:
   * messages (fresh `Uint8Array`s) until the channel is closed and drained.
   * While the loop waits, it holds the receive lock: on this thread, use no
   * sync `recv` meanwhile.
   */
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, unknown>;

  /**
   * Blocking iteration (`for … of`), as {@link Channel.recv} in a loop:
   * messages until the channel is closed and drained. It blocks the thread
   * while the channel is empty: meant for workers.
   */
  [Symbol.iterator](): Generator<Uint8Array, void, unknown>;

  /**
   * The messages until closed and drained, as an iterable both ways (see
   * {@link ReceiveIterable}) whose receives take `options`: a `timeout` per
   * message, and a `signal` that aborts a `for await` loop. Like the
   * channel's own iterators, a loop waiting in the async form holds the
   * receive lock.
   *
   * Errors: bad options throw here, with the codes {@link Channel.recvAsync}
   * rejects with.
   */
  messages(options?: AsyncLockOptions | null): ReceiveIterable<Uint8Array>;

  /**
   * As {@link Channel.messages}, each message deserialized as
   * {@link Channel.recvValue} does: the values sent with `sendValue`. A sent
   * `undefined` is yielded like any value; only the end of the channel ends
   * the loop. A message that is not a serialized value throws
   * {@link errors.BadValueError} `ERR_SHMKIT_BAD_VALUE` out of the loop (it
   * has been taken, and is the error's `bytes`).
   */
  values(options?: AsyncLockOptions | null): ReceiveIterable<unknown>;

  /**
   * Claims the sending side for the calling thread: returns a
   * {@link ChannelSender} whose sends skip the per-message send lock, the
   * fastest way to stream from one thread. Until it is released, other
   * senders wait (`trySend` returns `false`). If the thread ends holding
   * the claim, the next sender takes the side over.
   *
   * @param options `timeout` in milliseconds for the claim; default: no limit.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when another sender
   *   keeps the side past the timeout.
   * @throws {errors.ClosedError} `ERR_SHMKIT_CLOSED` when the channel is
   *   closed, or closes while the claim waits.
   * @throws {errors.DeadlockError} `ERR_SHMKIT_DEADLOCK` when this thread
   *   already holds the side (another claim, or a pending `sendAsync`).
   */
  sender(options?: LockOptions | null): ChannelSender;
  /**
   * {@link Channel.sender} without blocking: resolves once the side is free.
   * On a thread that holds the side already it waits (for that thread's
   * other code to release it, or its timeout), as {@link Mutex.lockAsync} does.
   */
  senderAsync(options?: AsyncLockOptions | null): Promise<ChannelSender>;
  /**
   * Claims the receiving side for the calling thread, as {@link Channel.sender}
   * does the sending side. A closed channel can still be claimed to drain it;
   * a claim that has to wait for another receiver throws `ERR_SHMKIT_CLOSED`
   * once the channel is closed and drained.
   */
  receiver(options?: LockOptions | null): ChannelReceiver;
  /**
   * {@link Channel.receiver} without blocking: resolves once the side is free.
   * On a thread that holds the side already it waits, as `senderAsync` does.
   */
  receiverAsync(options?: AsyncLockOptions | null): Promise<ChannelReceiver>;
}

/**
 * What both claimed ends of a {@link Channel} have: the claim and its release.
 * An end belongs to the thread that claimed it. Its async calls run one at a
 * time in call order; a blocking or `try` call while one of them is pending
 * throws `ERR_SHMKIT_DEADLOCK` (it would wait for itself). So does a call made
 * from code that another call of the same end runs before it returns (an
 * options getter, a subclass of the message or target, a patched method):
 * it would move the ring under that call.
 */
declare abstract class ChannelEnd {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  /** The channel this end belongs to. */
  get channel(): Channel;
  /** `false` once released. */
  get claimed(): boolean;
  /**
   * Gives the side back to every thread. Async calls already made finish
   * first, under the claim, and so does a call of this end that ran the
   * code calling `release()`. Calls on this end afterwards throw
   * `ERR_SHMKIT_NOT_OWNER`.
   *
   * @throws {errors.NotOwnerError} `ERR_SHMKIT_NOT_OWNER` when released already.
   */
  release(): void;
  /** {@link ChannelEnd.release} unless released already, for `using tx = channel.sender()`. */
  [Symbol.dispose](): void;
}

/**
 * The claimed sending side of a {@link Channel} ({@link Channel.sender}):
 * the Channel's send methods without the per-message lock. Released ends
 * throw `ERR_SHMKIT_NOT_OWNER`; `new ChannelSender()` throws
 * `ERR_ILLEGAL_CONSTRUCTOR`.
 *
 * @example
 * using tx = channel.sender();
 * for (const m of messages) tx.send(m);
 */
export declare class ChannelSender extends ChannelEnd {
  private constructor();
  /** As {@link Channel.trySend}: `true` when sent, `false` when there is no room now. */
  trySend(message: ChannelMessage): boolean;
  /** As {@link Channel.send}: blocks while the channel is full. */
  send(message: ChannelMessage, options?: LockOptions | null): void;
  /** As {@link Channel.sendAsync}, after this sender's earlier async sends. */
  sendAsync(message: ChannelMessage, options?: AsyncLockOptions | null): Promise<void>;
  /** As {@link Channel.sendValue}. */
  sendValue(value: unknown, options?: LockOptions | null): void;
  /** As {@link Channel.trySendValue}. */
  trySendValue(value: unknown): boolean;
  /** As {@link Channel.sendValueAsync}. */
  sendValueAsync(value: unknown, options?: AsyncLockOptions | null): Promise<void>;
}

/**
 * The claimed receiving side of a {@link Channel} ({@link Channel.receiver}):
 * the Channel's receive methods without the per-message lock.
 *
 * It moves the ring's head in steps (once it is 1/16 of the ring ahead,
 * whenever it has taken every message it has seen, before it waits, when a
 * sender sleeps, and on `release()`), keeping how far it really got in a
 * word of its own meanwhile. So senders streaming into a full channel do not
 * take the head's cache line from it at every message. A sender that finds
 * no room by the head reads that word before it gives up (`trySend`) or
 * sleeps, so it does not wait on room this receiver has taken (a blocked
 * send may notice such room up to 20 µs late; an async one up to 1 ms, or
 * in a rare race after the receiver paused, one 50 ms slice). A
 * receiver whose thread dies while claimed leaves its position to the next
 * one: no message is delivered twice.
 *
 * @example
 * const rx = channel.receiver();
 * for (const m of rx) handle(m);   // until closed and drained
 * rx.release();
 */
export declare class ChannelReceiver extends ChannelEnd {
  private constructor();
  /** As {@link Channel.tryRecv}: a message, or `undefined` when there is none now. */
  tryRecv(): Uint8Array | undefined;
  /** As {@link Channel.recv}: blocks while empty; `undefined` once closed and drained. */
  recv(options?: LockOptions | null): Uint8Array | undefined;
  /** As {@link Channel.recvAsync}, after this receiver's earlier async receives. */
  recvAsync(options?: AsyncLockOptions | null): Promise<Uint8Array | undefined>;
  /** As {@link Channel.tryRecvInto}: the message copied into `target`, its length; `undefined` when there is none now. */
  tryRecvInto(target: ArrayBufferView): number | undefined;
  /** As {@link Channel.recvInto}: blocks while empty; `undefined` once closed and drained. */
  recvInto(target: ArrayBufferView, options?: LockOptions | null): number | undefined;
  /** As {@link Channel.recvIntoAsync}, after this receiver's earlier async receives. */
  recvIntoAsync(target: ArrayBufferView, options?: AsyncLockOptions | null): Promise<number | undefined>;
  /** As {@link Channel.recvValue}. */
  recvValue(options?: LockOptions | null): unknown;
  /** As {@link Channel.tryRecvValue}. */
  tryRecvValue(): unknown;
  /** As {@link Channel.recvValueAsync}. */
  recvValueAsync(options?: AsyncLockOptions | null): Promise<unknown>;
  /** Messages until the channel is closed and drained (async). */
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, unknown>;
  /** Messages until the channel is closed and drained (blocking; for workers). */
  [Symbol.iterator](): Generator<Uint8Array, void, unknown>;
  /** As {@link Channel.messages}, through this receiver. */
  messages(options?: AsyncLockOptions | null): ReceiveIterable<Uint8Array>;
  /** As {@link Channel.values}, through this receiver. */
  values(options?: AsyncLockOptions | null): ReceiveIterable<unknown>;
}

// ---------------------------------------------------------------------------
// BufferPool and SlabPool
// ---------------------------------------------------------------------------

/** Options of {@link BufferPool}'s constructor. */
export interface BufferPoolOptions {
  /**
   * The most memory, in bytes, the pool keeps for reuse: a non-negative
   * integer, or `Infinity`. Default 67108864 (64 MiB). A release that would
   * exceed it drops the least recently released buffers first; a buffer
   * larger than the limit is detached and dropped. It counts the buffers'
   * bytes only: each retained buffer also costs its ArrayBuffer object and
   * about a hundred bytes of bookkeeping (which matters for pools of very
   * small buffers).
   */
  maxRetainedBytes?: number | undefined;
}

/** Options of {@link BufferPool.acquire}. */
export interface AcquireBufferOptions {
  /** Fill a recycled buffer with zeros (new buffers are always zero). Default `false`. */
  zero?: boolean | undefined;
}

/** {@link BufferPool.stats}. Counts are since the pool was made. */
export interface BufferPoolStats {
  /** `acquire()` calls: `hits + misses`. */
  acquired: number;
  /** `release()` calls on this pool (retained or dropped). */
  released: number;
  /** Acquires served with a retained buffer. */
  hits: number;
  /** Acquires that allocated a new buffer. */
  misses: number;
  /** Bytes retained for reuse now; never more than `maxRetainedBytes`. */
  retainedBytes: number;
  /**
   * Buffers acquired here and not yet released into any pool (a release in
   * another thread, after a transfer, counts), and not counted in `leaked`.
   */
  outstanding: number;
  /**
   * Buffers acquired here whose handle was garbage-collected before they
   * were released. A buffer transferred to another thread counts here if the
   * sender's (detached) handle is collected first, and leaves this count
   * when it is released into any pool after all (recognised for the 4,096
   * most recent leaks of the process).
   *
   * `outstanding` and `leaked` recognise a buffer by its memory (address and
   * length), which is what survives a transfer. So they are exact for
   * buffers that are released or collected, but if a leaked buffer's memory
   * is freed and reused by another buffer that is released before the leak
   * is reported, that release closes the leaked loan: it then counts in
   * neither.
   */
  leaked: number;
}

/**
 * A per-thread pool of recycled, transferable ArrayBuffers, for code that
 * moves data with `postMessage(message, [arrayBuffer])`: a transfer moves the
 * memory without copying it, and the pool saves allocating, zero-filling and
 * collecting a fresh buffer for every message.
 *
 * The buffers are ordinary (V8-allocated, non-resizable, non-shared)
 * ArrayBuffers. A buffer received from another thread can be released into
 * the receiving thread's pool; the loan made by the sending pool is closed
 * either way. Recycling is by exact byte length.
 *
 * @example
 * const pool = new BufferPool();
 * const ab = pool.acquire(1 << 20);
 * worker.postMessage(ab, [ab]);               // moved, not copied
 * worker.once('message', (back) => pool.release(back));
 */
export declare class BufferPool {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  /**
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `options` is not an object
   *   or `maxRetainedBytes` is not a number.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `maxRetainedBytes` is not a
   *   non-negative safe integer (or `Infinity`).
   */
  constructor(options?: BufferPoolOptions | null);

  /**
   * An ArrayBuffer of exactly `byteLength` bytes: a retained one of that
   * length when there is one (its contents are whatever its last user left,
   * unless `{ zero: true }`), else a new, zero-filled one.
   *
   * @param byteLength An integer from 1 to `buffer.constants.MAX_LENGTH`.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `byteLength` is not a
   *   number, `options` not an object or `zero` not a boolean.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `byteLength` is out of range;
   *   `ERR_MEMORY_ALLOCATION_FAILED` when the memory cannot be allocated.
   */
  acquire(byteLength: number, options?: AcquireBufferOptions | null): ArrayBuffer;

  /**
   * Gives `buffer`'s memory back to the pool and detaches `buffer`: its
   * `byteLength` becomes 0, and a use after release never reaches another
   * user's data. New views, `slice()` and views' methods (`set`, `fill`, a
   * `DataView`'s getters) throw; an element of a typed array made before
   * the release reads `undefined` and a write to it is dropped, without an
   * error (as after any transfer). The memory is kept
   * for reuse unless that would exceed `maxRetainedBytes`.
   *
   * @param buffer Any non-shared, non-resizable, attached ArrayBuffer (one
   *   from this pool, another thread's pool, or elsewhere).
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `buffer` is not an
   *   ArrayBuffer (a SharedArrayBuffer or a view included);
   *   `ERR_INVALID_ARG_VALUE` when it is detached (already released or
   *   transferred), empty, resizable, or cannot be detached (Node marks it
   *   untransferable, like the pool behind small Buffers, or V8 refuses).
   *   Nothing changes then. On Node 20, which cannot read that mark, a buffer
   *   this pool handed out is detached and recycled even if you marked it
   *   untransferable yourself: do not release such a buffer.
   */
  release(buffer: ArrayBuffer): void;

  /** The pool's counters (a fresh snapshot object). */
  get stats(): BufferPoolStats;
  /** The limit given to the constructor. */
  get maxRetainedBytes(): number;
  /** Drops every retained buffer. Outstanding buffers are not affected. */
  trim(): void;
  /** {@link BufferPool.trim}, for `using pool = new BufferPool()`. */
  [Symbol.dispose](): void;
}

/** The size of a {@link SlabPool}: `blocks` blocks of `blockSize` bytes. */
export interface SlabPoolSpec {
  /** Bytes per block: a multiple of 8 from 8 to 2147483640 (2^31 - 8). */
  blockSize: number;
  /** Number of blocks: an integer from 1 to 4194304 (2^22). */
  blocks: number;
}

/** {@link SlabPool.stats}, read from the shared state words (a snapshot). */
export interface SlabPoolStats {
  /** Number of blocks in the pool. */
  blocks: number;
  /** Blocks nobody owns: `blocks - inUse`. */
  free: number;
  /** Blocks owned by some thread or handed off. */
  inUse: number;
  /** Blocks handed off and not yet opened (part of `inUse`). */
  handedOff: number;
  /**
   * Acquires parked on the free list now (blocked threads and pending
   * `acquireAsync`s; a waiting thread spins a few microseconds before it
   * parks). A terminated thread leaves the count.
   */
  waiting: number;
}

/**
 * Fixed-size blocks of one `SharedArrayBuffer` whose ownership moves between
 * threads by id: the hybrid pattern, where a small control plane (block ids
 * through a {@link Queue}, {@link RingBuffer} or {@link Channel}) moves a big
 * data plane without copying it or calling `postMessage`.
 *
 * A block is owned by one thread at a time. The owner reads and writes
 * {@link Block.bytes}; {@link Block.handoff} gives up ownership and returns
 * the block's id, which the receiving thread passes to {@link SlabPool.open}
 * to become the owner; {@link Block.release} returns it to the pool. The free
 * list and the ownership words live in the shared memory and are lock-free.
 * Share the pool like any shmkit object ({@link attach}, {@link SlabPool.from}).
 *
 * A view kept from `bytes` after a hand-off still reaches the block's memory
 * (shared memory cannot be detached): keep views no longer than the Block.
 * Blocks owned by a thread that exits go back to the pool at the next
 * {@link SlabPool.reclaim} (which the acquire forms run when the pool is
 * empty); a block such a thread had handed off and nobody opened stays
 * handed off.
 *
 * @example
 * const block = slab.acquire();
 * block.bytes.set(data);
 * ids.push(block.handoff());                   // a Float64 Queue of ids
 * // in the worker:
 * const id = ids.pop();                        // undefined once ids is closed and drained
 * if (id !== undefined) {
 *   const mine = slab.open(id);
 *   // ... read mine.bytes, then:
 *   mine.release();
 * }
 */
export declare class SlabPool {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  /**
   * Bytes a SlabPool of `spec` occupies: a control part (64 + 8 bytes per
   * block), the free list (a Queue), and the blocks, each part starting at a
   * multiple of 64.
   *
   * @throws As the constructor for a bad `spec`.
   */
  static byteLengthFor(spec: SlabPoolSpec): number;
  /** The `byteOffset` of a SlabPool must be a multiple of this (8). */
  static get alignment(): number;

  /**
   * Creates a pool with every block free: in a new `SharedArrayBuffer` of
   * {@link SlabPool.byteLengthFor}`(spec)` bytes by default, or at
   * `options.buffer` / `options.byteOffset`. To reopen one, use
   * {@link SlabPool.from}.
   *
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `spec` is not an object
   *   or a size is not a number; `ERR_INVALID_ARG_VALUE` when `blockSize` is
   *   not a multiple of 8, or a plain-object `spec` has a key other than
   *   `blockSize` and `blocks` (or `options` one other than `buffer` and
   *   `byteOffset`).
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when a size is out of range
   *   (the whole pool must stay below `Number.MAX_SAFE_INTEGER` bytes), or
   *   the given buffer is too small; `ERR_MEMORY_ALLOCATION_FAILED` when its
   *   SharedArrayBuffer cannot be allocated.
   * @throws {errors.NotSharedError} `ERR_SHMKIT_NOT_SHARED` when
   *   `options.buffer` is a plain ArrayBuffer or a view (anything else that
   *   is not a SharedArrayBuffer is a `TypeError`, `ERR_INVALID_ARG_TYPE`).
   */
  constructor(spec: SlabPoolSpec, options?: PlacementOptions | null);

  /**
   * Reopens an existing SlabPool (its sizes are read from the memory):
   * a live SlabPool, the plain object one becomes across threads, or any
   * `{ buffer, byteOffset }` where one was constructed.
   *
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the memory
   *   does not hold a SlabPool (or its free list), or the buffer is too small.
   * @throws {errors.NotSharedError} `ERR_SHMKIT_NOT_SHARED` for a plain ArrayBuffer.
   */
  static from(value: SlabPool | SharedLocation<'SlabPool'>): SlabPool;

  /** The class tag, `'SlabPool'`: survives structured cloning so {@link attach} and {@link SlabPool.from} recognise the plain object. Own, enumerable, read-only. */
  readonly $shmkit: 'SlabPool';
  /** The `SharedArrayBuffer` the pool (and its blocks) live in. Own, enumerable, read-only. */
  readonly buffer: SharedArrayBuffer;
  /** Byte position of the pool in {@link SlabPool.buffer}. Own, enumerable, read-only. */
  readonly byteOffset: number;

  /**
   * A free block, now owned by the calling thread, or `undefined` when none
   * is free, even after {@link SlabPool.reclaim}. Does not wait for a
   * release (a reclaim may nap, see there). `undefined` can also mean that
   * another thread is reclaiming blocks at that moment.
   */
  tryAcquire(): Block | undefined;

  /**
   * A free block, blocking the thread while none is (it spins briefly, then
   * parks until a release anywhere; every 100 ms it also reclaims the blocks
   * of threads that have exited, see {@link SlabPool.reclaim}).
   *
   * @param options `timeout` in milliseconds; default: no limit.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when none became free in time.
   * @throws {errors.DeadlockError} `ERR_SHMKIT_DEADLOCK` at once, whatever
   *   the timeout (0 included), when the calling thread owns every block
   *   (none free, none handed off): it would wait for itself. (The async
   *   form waits instead: this thread may still release one meanwhile.)
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the shared
   *   bookkeeping was overwritten.
   */
  acquire(options?: LockOptions | null): Block;

  /**
   * Resolves with a free block once there is one; the event loop keeps
   * running. Like {@link SlabPool.acquire}, it reclaims the blocks of exited
   * threads every 100 ms while it waits.
   *
   * @param options `timeout` in milliseconds and an `AbortSignal`; an abort
   *   rejects with the signal's reason.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` (as a rejection).
   */
  acquireAsync(options?: AsyncLockOptions | null): Promise<Block>;

  /**
   * Takes ownership of the block whose id was returned by
   * {@link Block.handoff} (in any thread). Exactly one `open` of a hand-off
   * succeeds.
   *
   * @throws {errors.StaleBlockError} `ERR_SHMKIT_STALE_BLOCK` when the id is
   *   stale (the block was released, or acquired again since), forged, or
   *   out of range. Generations count in 30 bits: an id kept while its block
   *   is handed on 2^30 more times would be taken for the current hand-off,
   *   and an id from another SlabPool is not told apart from this pool's.
   * @throws {errors.NotOwnerError} `ERR_SHMKIT_NOT_OWNER` when the block is
   *   not handed off: opened already, or its owner still holds it.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `id` is not a number.
   */
  open(id: number): Block;

  /**
   * Gives the blocks still owned by threads that have exited (a worker that
   * crashed, returned or was terminated while holding them) back to the
   * pool, and returns how many. The acquire forms do this themselves when no
   * block is free, so call it only to see the blocks free in
   * {@link SlabPool.stats} at once. Cheap unless a thread has exited since
   * the pool's last reclaim; then it reads every block's words. Blocks
   * handed off ({@link Block.handoff}) and never opened stay handed off:
   * nothing tells them from blocks still on their way. Putting a block back
   * on the free list can nap, as {@link Block.release} can.
   *
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the free list
   *   stays full (corrupted; see {@link Block.release}).
   */
  reclaim(): number;

  /** Bytes per block. */
  get blockSize(): number;
  /** Number of blocks. */
  get blocks(): number;
  /** Free, in use, handed off and waiting (a snapshot). */
  get stats(): SlabPoolStats;
}

/**
 * One block of a {@link SlabPool}, owned by the calling thread through this
 * object until {@link Block.handoff} or {@link Block.release}. Made by
 * `acquire()` and `open()`; `new Block()` throws `ERR_ILLEGAL_CONSTRUCTOR`.
 *
 * A Block dropped without `release()` or `handoff()` keeps its block until
 * its thread exits: `using block = slab.acquire()` releases it at the end of
 * the scope.
 */
export declare class Block {
  /** What `util.inspect()` and `console.log()` show: the kind and live state, read without taking any lock. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspect: typeof import('node:util').inspect): string;
  #private;
  private constructor();
  /**
   * The block's id, `generation * 2^22 + index`: a safe integer (it can be
   * above 2^32: send it through a Float64 {@link Queue} or {@link RingBuffer},
   * or a {@link Channel}). The generation moves on every acquire and every
   * hand-off, so each hand-off has an id of its own, which opens it once:
   * after `handoff()`, this is that id.
   */
  get id(): number;
  /** The block's position in the pool, `0 <= index < blocks`. */
  get index(): number;
  /** Whether this thread still owns the block through this object. */
  get owned(): boolean;
  /**
   * The block's `blockSize` bytes, a view into the pool's SharedArrayBuffer.
   *
   * @throws {errors.NotOwnerError} `ERR_SHMKIT_NOT_OWNER` once handed off or released.
   */
  get bytes(): Uint8Array;
  /**
   * Gives up ownership for a hand-off and returns the id the receiver passes
   * to {@link SlabPool.open}. This object is unusable afterwards.
   *
   * @throws {errors.NotOwnerError} `ERR_SHMKIT_NOT_OWNER` when already handed
   *   off or released.
   */
  handoff(): number;
  /**
   * Returns the block to the pool (waking the waiting acquires: one of them
   * gets it). This
   * object is unusable afterwards. In one rare case it waits: while a thread
   * that is taking a block from the free list is paused halfway (preempted,
   * with more threads than cores), the release naps and retries, for up to
   * a second.
   *
   * @throws {errors.NotOwnerError} `ERR_SHMKIT_NOT_OWNER` when already handed
   *   off or released.
   * @throws {errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT` when the free list
   *   stays full for that second (corrupted by a stray or hostile write); the
   *   block is then lost to the pool. (A thread terminated while taking or
   *   giving back a block cannot cause it: each of those is one native call.)
   */
  release(): void;
  /** {@link Block.release} if still owned, for `using block = slab.acquire()`. */
  [Symbol.dispose](): void;
}

// ---------------------------------------------------------------------------
// attach
// ---------------------------------------------------------------------------

/**
 * Revives the shmkit objects inside a value received from another thread
 * (`workerData`, or a message's data): every plain object tagged
 * `$shmkit: 'Mutex'`, `'Semaphore'`, `'Condvar'`, `'RwLock'`, `'Barrier'`,
 * `'Latch'`, `'RingBuffer'`, `'Queue'`, `'Channel'` or `'SlabPool'` becomes a live object
 * of that class (as by its `from()`). It
 * walks arrays, plain objects and `Map` values, at any depth and through
 * cycles, and updates them in place; other objects (class instances, `Set`s,
 * `Map` keys, typed arrays) are left as they are, and live instances are kept.
 *
 * Use the return value: it is `value` itself, except when `value` is itself a
 * tagged object, which cannot be revived in place.
 *
 * Each call makes new objects for the tagged ones it finds: revive a value
 * once and keep the result. Within one call, an object that appears twice
 * (`{ a: m, b: m }` arrives as one object, as structured clone keeps
 * identity) becomes one live object.
 *
 * @param value Anything; non-objects are returned as they are.
 * @returns `value`, with its shmkit objects live.
 * @throws What the classes' `from()` throw when a tagged object's memory does
 *   not hold that object, e.g. {@link errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT`;
 *   a `TypeError` `ERR_INVALID_ARG_VALUE` for a plain object tagged with a
 *   class name this shmkit does not have whose `buffer` is a
 *   `SharedArrayBuffer` (an object sent by another version of shmkit).
 *
 * @example
 * ```js
 * // main thread
 * const worker = new Worker('./worker.js', {
 *   workerData: { jobs: new Semaphore(0), locks: [new Mutex(), new Mutex()], done: new Latch(1) },
 * });
 *
 * // worker.js
 * const { workerData, parentPort } = require('node:worker_threads');
 * const { attach } = require('shmkit');
 * const { jobs, locks, done } = attach(workerData); // Semaphore, Mutex[], Latch
 * // Rings come back as RingBuffer<TypedArrayType> / Queue<TypedArrayType>
 * // (values: number | bigint); name the element type with from() if you want:
 * // const samples = RingBuffer.from<Float64Array>(workerData.samples);
 * parentPort.on('message', (msg) => {
 *   const { lock } = attach(msg); // objects sent later work the same way
 * });
 * ```
 */
export declare function attach<T>(value: T): Attached<T>;

// ---------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------

/**
 * The error classes shmkit throws, for `instanceof` checks. Each has a stable
 * `code`; test `err.code` when an error may come from another copy of the
 * package.
 *
 * Argument mistakes are not among them: they are plain `TypeError` /
 * `RangeError` objects with Node's codes (`ERR_INVALID_ARG_TYPE`,
 * `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE`, `ERR_ILLEGAL_CONSTRUCTOR` for
 * `new` on a guard, `Block` or Channel end class, and
 * `ERR_MEMORY_ALLOCATION_FAILED`).
 *
 * @example
 * ```js
 * const { errors } = require('shmkit');
 * try {
 *   mutex.lock({ timeout: 100 }).unlock();
 * } catch (err) {
 *   if (err instanceof errors.TimeoutError) console.log('busy');
 *   else throw err;
 * }
 * ```
 */
export declare namespace errors {
  /**
   * Base class of shmkit's own errors; `code` starts with `ERR_SHMKIT_`
   * (`ERR_SHMKIT_INTERNAL` for an unexpected native outcome, which is a bug;
   * an internal native call given a wrong argument throws a `TypeError`
   * with that code instead).
   * `name` is the class name.
   */
  class ShmkitError extends Error {
    /**
     * @param message The message.
     * @param code The error code, `ERR_SHMKIT_…`.
     * @param options `cause`, as for `Error`.
     */
    constructor(message: string, code: string, options?: { cause?: unknown });
    /** The error code, `ERR_SHMKIT_…`. */
    readonly code: string;
    /** The class name, e.g. `'TimeoutError'`. */
    get name(): string;
  }

  /**
   * A wait ran out of time (its `timeout` option); nothing was acquired.
   * ({@link Condvar} waits return `false` instead; a {@link Barrier} wait
   * that times out also breaks the barrier.)
   */
  class TimeoutError extends ShmkitError {
    /** @param message Default: `'the wait timed out'`. */
    constructor(message?: string);
    /** Always `'ERR_SHMKIT_TIMEOUT'`. */
    readonly code: 'ERR_SHMKIT_TIMEOUT';
    /**
     * Set only by {@link RingBuffer.write}, {@link RingBuffer.writeAsync},
     * {@link Queue.write} and {@link Queue.writeAsync}: how many values, from
     * the start of the batch, were written before the time ran out (they
     * stay in the ring). Absent otherwise.
     */
    written?: number;
  }

  /**
   * A thread died (exited, or was terminated) while holding a {@link Mutex}
   * or the write lock of an {@link RwLock}. The caller holds the lock anyway,
   * through {@link OwnerDiedError.guard}, and the data it protects may be
   * half-updated. Repair it, call `clearPoison()` on the lock, then
   * `guard.unlock()`. Until `clearPoison()` the lock stays poisoned and every
   * acquisition, by any thread, throws this error again (with the lock held).
   *
   * A {@link Condvar} wait that reacquires a poisoned mutex throws it too,
   * with the guard it was given.
   */
  class OwnerDiedError extends ShmkitError {
    /**
     * @param message The message.
     * @param guard The guard of the lock the caller now holds.
     */
    constructor(message: string, guard: LockGuard);
    /** Always `'ERR_SHMKIT_OWNER_DIED'`. */
    readonly code: 'ERR_SHMKIT_OWNER_DIED';
    /**
     * The guard of the lock the caller now holds: a {@link MutexGuard}, or
     * for an {@link RwLock} the {@link RwLockReadGuard} or
     * {@link RwLockWriteGuard} of the acquisition that failed. Unlock it
     * when done. From the `with…` helpers ({@link Mutex.withLock},
     * {@link RwLock.withWrite}, …) it is already unlocked (unlocking again
     * throws `ERR_SHMKIT_NOT_OWNER`).
     *
     * @example
     * ```ts
     * if (err.guard instanceof MutexGuard) err.guard.mutex.clearPoison();
     * err.guard.unlock();
     * ```
     */
    guard: LockGuard;
  }

  /**
   * A blocking wait would never end: the calling thread already holds the
   * {@link Mutex} (or holds the {@link RwLock} in a way the request
   * conflicts with: see {@link RwLock.read} and {@link RwLock.write}), or a
   * cycle of threads each waits for a lock the next one holds; a blocking
   * lock handed to the same thread's own queued async call. A
   * {@link Channel}'s `send` (`recv`), `sender()` (`receiver()`) throws it
   * while this thread holds that side: a `sendAsync` (`recvAsync`) pending,
   * or a claimed {@link ChannelSender} ({@link ChannelReceiver}); a blocking
   * or `try` call on a claimed end throws it while an async call of that end
   * is pending. {@link SlabPool.acquire} throws it when this thread owns
   * every block.
   */
  class DeadlockError extends ShmkitError {
    /** @param message The message. */
    constructor(message?: string);
    /** Always `'ERR_SHMKIT_DEADLOCK'`. */
    readonly code: 'ERR_SHMKIT_DEADLOCK';
  }

  /**
   * The memory does not hold a valid shmkit object of the expected kind
   * (from `from()` or {@link attach}): zeroed or foreign bytes, another class,
   * another layout version, a corrupted header, a misaligned `byteOffset`,
   * or a buffer too small. Also from a {@link Channel} receive that finds a
   * corrupted message length in shared memory, and from a {@link SlabPool}
   * whose free list or block words were corrupted.
   */
  class BadLayoutError extends ShmkitError {
    /** @param message The message. */
    constructor(message?: string);
    /** Always `'ERR_SHMKIT_BAD_LAYOUT'`. */
    readonly code: 'ERR_SHMKIT_BAD_LAYOUT';
  }

  /**
   * A plain `ArrayBuffer`, or a typed array or `DataView`, was given where a
   * `SharedArrayBuffer` is needed (pass a view's `.buffer` if it is shared).
   */
  class NotSharedError extends ShmkitError {
    /** @param message The message. */
    constructor(message?: string);
    /** Always `'ERR_SHMKIT_NOT_SHARED'`. */
    readonly code: 'ERR_SHMKIT_NOT_SHARED';
  }

  /**
   * The calling thread does not hold what it tried to release or wait with:
   * a {@link MutexGuard}, {@link RwLockReadGuard} or {@link RwLockWriteGuard}
   * unlocked twice, an unlocked guard given to {@link Condvar.wait}, or a
   * {@link RingRegion} committed twice or after its side of the ring moved;
   * a call on a released {@link ChannelSender} or {@link ChannelReceiver};
   * a {@link Block} used after its hand-off or release, released by a thread
   * that does not own it, or a block id opened that is not handed off.
   */
  class NotOwnerError extends ShmkitError {
    /** @param message The message. */
    constructor(message?: string);
    /** Always `'ERR_SHMKIT_NOT_OWNER'`. */
    readonly code: 'ERR_SHMKIT_NOT_OWNER';
  }

  /**
   * A {@link Barrier} wait failed because the barrier is broken: a party of
   * its generation gave up (timeout, abort, termination) or the barrier was
   * {@link Barrier.reset}. Every wait throws it until `reset()`.
   */
  class BarrierBrokenError extends ShmkitError {
    /** @param message Default: a message naming those causes. */
    constructor(message?: string);
    /** Always `'ERR_SHMKIT_BARRIER_BROKEN'`. */
    readonly code: 'ERR_SHMKIT_BARRIER_BROKEN';
  }

  /**
   * The thread is being terminated (for example by `worker.terminate()`)
   * while it was blocked in a wait (`lock()`, `read()`, `write()`,
   * `acquire()`, a Condvar, Barrier or Latch `wait()`, or a blocking
   * RingBuffer, Queue or Channel call); the wait was abandoned and nothing
   * was acquired. (A Condvar wait does not reacquire the mutex then; a
   * Barrier wait breaks the barrier; a ring's `write` sets `written`.)
   */
  class TerminatedError extends ShmkitError {
    /** @param message Default: `'the thread is being terminated'`. */
    constructor(message?: string);
    /** Always `'ERR_SHMKIT_TERMINATED'`. */
    readonly code: 'ERR_SHMKIT_TERMINATED';
    /** As {@link TimeoutError.written}: set only by a ring's blocking `write`. */
    written?: number;
  }

  /**
   * A {@link Channel} value form (`recvValue…`, `values()`, and the same on
   * a {@link ChannelReceiver}) took a message that is not a serialized value
   * (it was sent with `send`, not `sendValue`). The message is off the
   * channel, but not lost: `bytes` holds it. `cause` is `v8.deserialize`'s
   * error.
   */
  class BadValueError extends ShmkitError {
    /**
     * @param message The message.
     * @param bytes The channel message that could not be deserialized.
     * @param options `cause`: what the deserializer threw.
     */
    constructor(message: string, bytes: Uint8Array, options?: { cause?: unknown });
    /** Always `'ERR_SHMKIT_BAD_VALUE'`. */
    readonly code: 'ERR_SHMKIT_BAD_VALUE';
    /** The message as {@link Channel.recv} would have returned it. */
    bytes: Uint8Array;
  }

  /**
   * A {@link SlabPool} block id that names no hand-off: the block was
   * released or acquired again since (its generation changed), or the id was
   * forged or is out of range. Nothing changed.
   */
  class StaleBlockError extends ShmkitError {
    /** @param message The message. */
    constructor(message?: string);
    /** Always `'ERR_SHMKIT_STALE_BLOCK'`. */
    readonly code: 'ERR_SHMKIT_STALE_BLOCK';
  }

  /**
   * The {@link RingBuffer}, {@link Queue} or {@link Channel} is closed: no
   * more pushes or sends (waiting ones included), and no claim of a
   * channel's sending side ({@link Channel.sender}); a receiving-side claim
   * that has to wait throws it once the channel is closed and drained. Pops
   * and receives still drain what is left, then report the end (`undefined`,
   * or `0` for batch reads) instead of throwing this.
   */
  class ClosedError extends ShmkitError {
    /** @param message Default: `'closed'`. */
    constructor(message?: string);
    /** Always `'ERR_SHMKIT_CLOSED'`. */
    readonly code: 'ERR_SHMKIT_CLOSED';
    /**
     * Set by a ring's `write` / `writeAsync`: how many values, from the start
     * of the batch, were written before the ring closed (`0` when it was
     * closed already). Absent otherwise.
     */
    written?: number;
  }
}

// Only the declarations marked `export` above are part of the module.
export {};
