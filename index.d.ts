// Type declarations for shmkit. Written by hand: keep them in step with
// index.js and lib/*.js (scripts that compare the two may live next to the tests).

/**
 * Shared-memory synchronisation for Node.js `worker_threads`: a {@link Mutex}
 * and a {@link Semaphore} that live in a `SharedArrayBuffer`, so every thread
 * that receives them (through `workerData` or `postMessage`) locks the same
 * memory.
 *
 * Common rules:
 * - Timeouts are in milliseconds (fractions allowed, must be >= 0).
 *   `undefined` (the default) or `Infinity` means no limit.
 * - Argument mistakes throw Node-style errors: `TypeError` with code
 *   `ERR_INVALID_ARG_TYPE` or `ERR_INVALID_ARG_VALUE`, and `RangeError` with
 *   code `ERR_OUT_OF_RANGE`. Every other failure is a {@link errors.ShmkitError}
 *   subclass whose `code` starts with `ERR_SHMKIT_`.
 * - Methods that return a Promise report every failure, argument mistakes
 *   included, as a rejection, never as a synchronous throw.
 *
 * @packageDocumentation
 */

// ---------------------------------------------------------------------------
// Options and shapes
// ---------------------------------------------------------------------------

/** Options of the blocking waits: {@link Mutex.lock}, {@link Mutex.withLock}, {@link Semaphore.acquire}, {@link Semaphore.withPermit}. */
export interface LockOptions {
  /**
   * The longest time to wait, in milliseconds (`>= 0`, fractions allowed).
   * `0` means "only if it can be had (about) at once". Default: `undefined`,
   * which like `Infinity` means no limit. When the time runs out the wait
   * fails with {@link errors.TimeoutError} (`ERR_SHMKIT_TIMEOUT`) and nothing
   * is acquired.
   *
   * A value that is not a number is a `TypeError` (`ERR_INVALID_ARG_TYPE`);
   * a negative number or `NaN` is a `RangeError` (`ERR_OUT_OF_RANGE`).
   */
  timeout?: number | undefined;
}

/** Options of the asynchronous waits: {@link Mutex.lockAsync}, {@link Mutex.withLockAsync}, {@link Semaphore.acquireAsync}, {@link Semaphore.withPermitAsync}. */
export interface AsyncLockOptions extends LockOptions {
  /**
   * Cancels the wait when aborted: the waiter leaves the queue and the
   * promise rejects with `signal.reason` (an `AbortError` `DOMException`
   * unless you gave `abort()` a reason). An already-aborted signal rejects at
   * once, without trying to acquire. If the wait had already succeeded when
   * the abort arrives, success wins (the same holds for `timeout`).
   * Default: none.
   *
   * Something that is not an `AbortSignal` is a `TypeError` (`ERR_INVALID_ARG_TYPE`).
   */
  signal?: AbortSignal | undefined;
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
 * do not fit, is a `RangeError` (`ERR_OUT_OF_RANGE`).
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

/** The `$shmkit` tag of each shareable class: its class name. */
export type SharedTag = 'Mutex' | 'Semaphore';

/**
 * What a {@link Mutex} or {@link Semaphore} becomes when it crosses a thread
 * (structured cloning by `postMessage` or `workerData`): a plain object with
 * its class tag and its location. The memory is shared, not copied. Turn it
 * back into a live object with {@link attach}, {@link Mutex.from} or
 * {@link Semaphore.from}.
 *
 * A live instance also has these three properties, so it can be used where a
 * `Shared` is expected (for example in the type of your `workerData`).
 *
 * @example
 * ```ts
 * interface Data { lock: Shared<'Mutex'>; counter: Int32Array }
 * const { lock, counter } = attach(workerData as Data); // lock: Mutex
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
  | Set<unknown>
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
 * {@link Shared} `'Mutex'` or `'Semaphore'` inside arrays, plain objects and
 * `Map` values becomes a live {@link Mutex} or {@link Semaphore}.
 */
export type Attached<T> = T extends Shared<'Mutex'>
  ? Mutex
  : T extends Shared<'Semaphore'>
    ? Semaphore
    : T extends NotWalked
      ? T
      : T extends Map<infer K, infer V>
        ? Map<K, Attached<V>>
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
 * thread (it has no shared state of its own). Guards are made only by
 * `Mutex`: constructing one yourself does not lock anything.
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
 * // TypeScript 5.2+ (`using`): unlocked when the block ends, even on throw.
 * {
 *   using guard = mutex.lock();
 *   counter[0]++;
 * }
 * ```
 */
export declare class MutexGuard {
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
  #private;
  /** Bytes a Mutex occupies in a `SharedArrayBuffer` (currently 24). Reserve this many per Mutex when placing several objects in one buffer. */
  static readonly byteLength: number;
  /** The `byteOffset` of a Mutex must be a multiple of this (8). */
  static readonly alignment: number;

  /**
   * Creates a new, unlocked, unpoisoned Mutex: in a new `SharedArrayBuffer`
   * of {@link Mutex.byteLength} bytes by default, or at `options.buffer` /
   * `options.byteOffset`.
   *
   * It writes a fresh Mutex into those bytes, whatever they held before:
   * never construct over a Mutex that is in use; to reopen one, use
   * {@link Mutex.from}.
   *
   * @param options Where to place it; default: its own new buffer. See
   *   {@link PlacementOptions} for the errors a bad placement throws.
   *
   * @example
   * ```js
   * const sab = new SharedArrayBuffer(Mutex.byteLength + Semaphore.byteLength);
   * const mutex = new Mutex({ buffer: sab, byteOffset: 0 });
   * const sem = new Semaphore(2, { buffer: sab, byteOffset: Mutex.byteLength });
   * ```
   */
  constructor(options?: PlacementOptions);

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
   *   the timeout), or waiting would close a cycle of threads blocked in
   *   `lock()`.
   * @throws {errors.OwnerDiedError} `ERR_SHMKIT_OWNER_DIED` when the last
   *   holder died with the lock, or the mutex is still poisoned from such a
   *   death. **You hold the lock** (`error.guard`): repair the data, call
   *   {@link Mutex.clearPoison}, then `error.guard.unlock()`.
   * @throws {errors.TimeoutError} `ERR_SHMKIT_TIMEOUT` when `timeout` passed first.
   * @throws {errors.TerminatedError} `ERR_SHMKIT_TERMINATED` when this worker
   *   is being terminated while it waits.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / {RangeError} `ERR_OUT_OF_RANGE` for bad options.
   */
  lock(options?: LockOptions): MutexGuard;

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
  lockAsync(options?: AsyncLockOptions): Promise<MutexGuard>;

  /**
   * Locks (as {@link Mutex.lock}), runs `fn()`, and unlocks, even when `fn`
   * throws. Returns what `fn` returns. `fn` runs synchronously: if it returns
   * a promise, the lock is released before that promise settles; use
   * {@link Mutex.withLockAsync} for async work.
   *
   * On a poisoned mutex it does not run `fn`: it releases the lock again and
   * throws {@link errors.OwnerDiedError} (whose `guard` is already unlocked),
   * every time, until the data is repaired under {@link Mutex.lock} and
   * {@link Mutex.clearPoison} is called. (The error's message still says you
   * hold the lock; here you do not.)
   *
   * @param fn The critical section.
   * @param options `timeout` in milliseconds; default: no limit.
   * @throws Whatever {@link Mutex.lock} or `fn` throws; a `TypeError`
   *   (`ERR_INVALID_ARG_TYPE`) when `fn` is not a function.
   */
  withLock<T>(fn: () => T, options?: LockOptions): T;

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
  withLockAsync<T>(fn: () => T | PromiseLike<T>, options?: AsyncLockOptions): Promise<T>;

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
  #private;
  /** Bytes a Semaphore occupies in a `SharedArrayBuffer` (currently 24). */
  static readonly byteLength: number;
  /** The `byteOffset` of a Semaphore must be a multiple of this (8). */
  static readonly alignment: number;
  /** The largest `max`, and so the most permits, a Semaphore supports: 2147483647 (2^31 - 1). */
  static readonly MAX_PERMITS: number;

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
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `initial` (or
   *   `options.max`) is not a number, `initial` included when missing, or
   *   `options` is not an object (`null` included).
   * @throws {RangeError} `ERR_OUT_OF_RANGE` when `initial` is not an integer
   *   from 0 to `max`, or `max` is not an integer from 1 to
   *   {@link Semaphore.MAX_PERMITS}.
   */
  constructor(initial: number, options?: SemaphoreOptions);

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
  acquire(n?: number, options?: LockOptions): void;
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
  acquireAsync(n?: number, options?: AsyncLockOptions): Promise<void>;
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
   * `fn` runs synchronously: for async work use {@link Semaphore.withPermitAsync}.
   *
   * @param fn The guarded work.
   * @param options `timeout` in milliseconds; default: no limit.
   * @throws Whatever {@link Semaphore.acquire} or `fn` throws; a `TypeError`
   *   (`ERR_INVALID_ARG_TYPE`) when `fn` is not a function.
   */
  withPermit<T>(fn: () => T, options?: LockOptions): T;

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
  withPermitAsync<T>(fn: () => T | PromiseLike<T>, options?: AsyncLockOptions): Promise<T>;

  /**
   * Permits available now (it may change at once). While waiters are queued
   * this can be more than 0: the first waiter wants more than there are.
   */
  get available(): number;

  /** The most permits that can be available; set at construction. */
  get max(): number;
}

// ---------------------------------------------------------------------------
// attach
// ---------------------------------------------------------------------------

/**
 * Revives the shmkit objects inside a value received from another thread
 * (`workerData`, or a message's data): every plain object tagged
 * `$shmkit: 'Mutex'` or `'Semaphore'` becomes a live {@link Mutex} or
 * {@link Semaphore} (as by `from()`). It walks arrays, plain objects and
 * `Map` values, at any depth and through cycles, and updates them in place;
 * other objects (class instances, `Set`s, `Map` keys, typed arrays) are left
 * as they are, and live instances are kept.
 *
 * Use the return value: it is `value` itself, except when `value` is itself a
 * tagged object, which cannot be revived in place.
 *
 * @param value Anything; non-objects are returned as they are.
 * @returns `value`, with its shmkit objects live.
 * @throws What {@link Mutex.from} / {@link Semaphore.from} throw when a tagged
 *   object's memory does not hold that object, e.g.
 *   {@link errors.BadLayoutError} `ERR_SHMKIT_BAD_LAYOUT`.
 *
 * @example
 * ```js
 * // main thread
 * const worker = new Worker('./worker.js', {
 *   workerData: { jobs: new Semaphore(0), locks: [new Mutex(), new Mutex()] },
 * });
 *
 * // worker.js
 * const { workerData, parentPort } = require('node:worker_threads');
 * const { attach } = require('shmkit');
 * const { jobs, locks } = attach(workerData); // Semaphore, Mutex[]
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
 * `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE`).
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
   * (`ERR_SHMKIT_INTERNAL` for an unexpected native outcome, which is a bug).
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

  /** A wait ran out of time (its `timeout` option); nothing was acquired. */
  class TimeoutError extends ShmkitError {
    /** @param message Default: `'the wait timed out'`. */
    constructor(message?: string);
    readonly code: 'ERR_SHMKIT_TIMEOUT';
  }

  /**
   * A thread died (exited, or was terminated) while holding the {@link Mutex}.
   * The caller holds the lock anyway, through {@link OwnerDiedError.guard},
   * and the data it protects may be half-updated. Repair it, call
   * {@link Mutex.clearPoison}, then `guard.unlock()`. Until `clearPoison()`
   * the mutex stays poisoned and every acquisition, by any thread, throws
   * this error again (with the lock held).
   */
  class OwnerDiedError extends ShmkitError {
    /**
     * @param message The message.
     * @param guard The guard of the lock the caller now holds.
     */
    constructor(message: string, guard: MutexGuard);
    readonly code: 'ERR_SHMKIT_OWNER_DIED';
    /**
     * The guard of the lock the caller now holds: unlock it when done. From
     * {@link Mutex.withLock} and {@link Mutex.withLockAsync} it is already
     * unlocked (unlocking again throws `ERR_SHMKIT_NOT_OWNER`).
     */
    guard: MutexGuard;
  }

  /**
   * A blocking {@link Mutex.lock} would never end: the calling thread already
   * holds the mutex, or a cycle of threads each waits for a lock the next one
   * holds.
   */
  class DeadlockError extends ShmkitError {
    /** @param message The message. */
    constructor(message?: string);
    readonly code: 'ERR_SHMKIT_DEADLOCK';
  }

  /**
   * The memory does not hold a valid shmkit object of the expected kind
   * (from `from()` or {@link attach}): zeroed or foreign bytes, another class,
   * another layout version, a misaligned `byteOffset`, or a buffer too small.
   */
  class BadLayoutError extends ShmkitError {
    /** @param message The message. */
    constructor(message?: string);
    readonly code: 'ERR_SHMKIT_BAD_LAYOUT';
  }

  /**
   * A plain `ArrayBuffer`, or a typed array or `DataView`, was given where a
   * `SharedArrayBuffer` is needed (pass a view's `.buffer` if it is shared).
   */
  class NotSharedError extends ShmkitError {
    /** @param message The message. */
    constructor(message?: string);
    readonly code: 'ERR_SHMKIT_NOT_SHARED';
  }

  /**
   * The calling thread does not hold what it tried to release: a
   * {@link MutexGuard} unlocked twice.
   */
  class NotOwnerError extends ShmkitError {
    /** @param message The message. */
    constructor(message?: string);
    readonly code: 'ERR_SHMKIT_NOT_OWNER';
  }

  /**
   * The thread is being terminated (for example by `worker.terminate()`)
   * while it was blocked in {@link Mutex.lock} or {@link Semaphore.acquire};
   * the wait was abandoned and nothing was acquired.
   */
  class TerminatedError extends ShmkitError {
    /** @param message Default: `'the thread is being terminated'`. */
    constructor(message?: string);
    readonly code: 'ERR_SHMKIT_TERMINATED';
  }
}

// Only the declarations marked `export` above are part of the module.
export {};
